# test_grant_table.mk - grant tables end to end on the real PV MMU: maps, unmaps, copies, transfers,
# versions, limits, continuations and domain destruction, with exact page reference and type counts.
test_grant_table_SRCS := hypervisor/common/grant_table.c hypervisor/common/grant_entry.c \
                         hypervisor/common/grant_maptrack.c hypervisor/common/grant_map.c \
                         hypervisor/common/grant_copy.c hypervisor/common/grant_transfer.c \
                         hypervisor/arch/x86/pv/grant_mm.c \
                         hypervisor/common/page_alloc.c hypervisor/common/domain_page.c \
                         hypervisor/common/param.c \
                         hypervisor/arch/x86/pv/page_type.c hypervisor/arch/x86/pv/validate.c \
                         hypervisor/arch/x86/pv/mod_entry.c hypervisor/arch/x86/pv/mm_ops.c
