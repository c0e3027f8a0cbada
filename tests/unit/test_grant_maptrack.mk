# test_grant_maptrack.mk - a domain's maptrack: handle allocation and the life of a mapping record.
test_grant_maptrack_SRCS := hypervisor/common/grant_maptrack.c hypervisor/common/xmalloc.c \
                            hypervisor/common/page_alloc.c
