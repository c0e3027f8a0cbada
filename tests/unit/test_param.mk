# test_param.mk - the command-line parser; the options it parses are registered in test_param.c itself.
test_param_SRCS := hypervisor/common/param.c
