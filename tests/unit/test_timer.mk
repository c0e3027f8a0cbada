# test_timer.mk - per-CPU timer queues.
test_timer_SRCS := hypervisor/common/timer.c
