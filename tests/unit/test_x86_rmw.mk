# test_x86_rmw.mk - emulated writes to read-only page-table entries (value, registers, flags).
test_x86_rmw_SRCS := hypervisor/arch/x86/x86_decode.c hypervisor/arch/x86/x86_rmw.c
