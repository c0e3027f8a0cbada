# test_memmap.mk - memory map sanitising and queries.
test_memmap_SRCS := hypervisor/common/memmap.c
