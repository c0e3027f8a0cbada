# test_symbols.mk - address to function lookups for stack traces.
test_symbols_SRCS := hypervisor/common/symbols.c
