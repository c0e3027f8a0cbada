# test_dom0_params.mk - dom0_mem=/dom0_max_vcpus= through the real parser (the table holds just those two).
test_dom0_params_SRCS := hypervisor/common/param.c hypervisor/common/dom0_params.c
