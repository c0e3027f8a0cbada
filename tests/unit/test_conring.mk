# test_conring.mk - the console ring.
test_conring_SRCS := hypervisor/common/conring.c
