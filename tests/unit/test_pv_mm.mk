test_pv_mm_SRCS := hypervisor/common/page_alloc.c hypervisor/common/domain_page.c \
                   hypervisor/arch/x86/pv/page_type.c hypervisor/arch/x86/pv/validate.c \
                   hypervisor/arch/x86/pv/mod_entry.c hypervisor/arch/x86/pv/mm_ops.c
