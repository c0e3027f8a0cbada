# test_console_ring.mk - a boot-time domain's console ring printed by the hypervisor.
test_console_ring_SRCS := hypervisor/common/console_ring.c
