# test_multiboot2.mk - the Multiboot2 information parser; memmap.c prints the memory map.
test_multiboot2_SRCS := hypervisor/common/multiboot2.c hypervisor/common/memmap.c
