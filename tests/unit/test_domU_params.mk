# test_domU_params.mk - the boot-time domain convention: module roles and domU options.
test_domU_params_SRCS := hypervisor/common/domU_params.c
