test_xmalloc_SRCS := hypervisor/common/xmalloc.c hypervisor/common/page_alloc.c
