# test_event_2l.mk - the 2-level event channel bits: pending, mask, selector, upcall.
test_event_2l_SRCS := hypervisor/common/event_2l.c
