# test_pv_bounce.mk - the PV exception frame and the HYPERVISOR_iret frame.
test_pv_bounce_SRCS := hypervisor/arch/x86/pv/bounce.c
