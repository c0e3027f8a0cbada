test_page_alloc_SRCS := hypervisor/common/page_alloc.c
