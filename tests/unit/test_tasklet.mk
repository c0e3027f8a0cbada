# test_tasklet.mk - deferred work run from the idle loop.
test_tasklet_SRCS := hypervisor/common/tasklet.c
