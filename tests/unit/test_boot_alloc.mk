test_boot_alloc_SRCS := hypervisor/common/boot_alloc.c hypervisor/common/page_alloc.c
