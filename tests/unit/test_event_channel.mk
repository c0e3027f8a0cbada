# test_event_channel.mk - event channel ports and the EVTCHNOP_* hypercall, over the 2-level bits.
test_event_channel_SRCS := hypervisor/common/event_channel.c hypervisor/common/event_2l.c
