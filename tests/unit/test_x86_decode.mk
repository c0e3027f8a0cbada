# test_x86_decode.mk - the x86-64 instruction decoder, effective addresses and GPR access.
test_x86_decode_SRCS := hypervisor/arch/x86/x86_decode.c
