/*
 * update-va-mapping - HYPERVISOR_update_va_mapping changes the L1 entry of a VA in the current tables
 * with each flush flavour (none, TLB_FLUSH and INVLPG, each LOCAL, ALL, and MULTI with a vCPU mask
 * pointer in the flags), and the new mapping is what the next access sees; a zero PTE unmaps. Refused
 * with -EINVAL: a non-canonical VA, a VA in the hypervisor's range, a VA without an L1 table.
 */
#include "guest.h"

const char test_title[] = "update_va_mapping";

#define UNMAPPED_VA 0x0000100000000000ul

void test_main(start_info_t *si)
{
    static unsigned long vcpumask __aligned(8) = 1;
    static const struct
    {
        unsigned long flags;
        const char *name;
    } flavours[] = {
        { UVMF_TLB_FLUSH | UVMF_LOCAL, "TLB_FLUSH|LOCAL" },
        { UVMF_INVLPG | UVMF_LOCAL, "INVLPG|LOCAL" },
        { UVMF_TLB_FLUSH | UVMF_ALL, "TLB_FLUSH|ALL" },
        { UVMF_INVLPG | UVMF_ALL, "INVLPG|ALL" },
        { UVMF_TLB_FLUSH | UVMF_MULTI, "TLB_FLUSH|MULTI" },
        { UVMF_INVLPG | UVMF_MULTI, "INVLPG|MULTI" },
    };
    unsigned long va = scratch_va(MM_PT_WINDOWS);
    uint64_t *page[2], v;

    page[0] = alloc_page();
    page[1] = alloc_page();
    page[0][0] = 0x1000;
    page[1][0] = 0x1001;

    for ( unsigned int i = 0; i < ARRAY_SIZE(flavours); i++ )
    {
        unsigned long flags = flavours[i].flags;
        uint64_t *p = page[i & 1];
        long rc;

        /* MULTI: the vCPU mask's address goes in the flags' upper bits. */
        if ( strstr(flavours[i].name, "MULTI") )
            flags |= (unsigned long)&vcpumask;
        rc = hypercall_update_va_mapping(va, virt_to_maddr(p) | PTE_RW_FLAGS, flags);
        if ( !check(rc == 0, "update_va_mapping %s returned %ld (%s)", flavours[i].name, rc, errno_name(rc)) )
            continue;
        check(read64_safe((void *)va, &v) && v == p[0], "after %s the VA shows %#lx, expected %#lx",
              flavours[i].name, v, p[0]);
    }

    /* No flush requested: the call still succeeds (what the TLB shows is the guest's business). */
    check_rc("update_va_mapping, no flush", hypercall_update_va_mapping(va, virt_to_maddr(page[0]) |
                                                                        PTE_RW_FLAGS, 0), 0);
    invlpg_local(va);
    check(read64_safe((void *)va, &v) && v == 0x1000, "after the invlpg the VA shows %#lx", v);

    /* Read-only, then unmapped. */
    check_rc("update_va_mapping read-only", hypercall_update_va_mapping(va, virt_to_maddr(page[0]) |
                                                                        PTE_RO_FLAGS, UVMF_INVLPG), 0);
    ex_reset();
    check(!write64_safe((void *)va, 0), "write through a read-only mapping did not fault");
    check_eq("write through a read-only mapping: error code", ex_last.error_code, 3);
    check_rc("update_va_mapping to 0", hypercall_update_va_mapping(va, 0, UVMF_INVLPG), 0);
    ex_reset();
    check(!read64_safe((void *)va, &v), "read of an unmapped VA did not fault");
    check_eq("read of the unmapped VA: error code", ex_last.error_code, 0);

    check_rc("non-canonical VA", hypercall_update_va_mapping(0x8000000000000000ul, virt_to_maddr(page[0]) |
                                                             PTE_RW_FLAGS, UVMF_INVLPG), -EINVAL);
    check_rc("VA in the hypervisor's range",
             hypercall_update_va_mapping(HYPERVISOR_VIRT_START + 0x10000,
                                         virt_to_maddr(page[0]) | PTE_RW_FLAGS, UVMF_INVLPG), -EINVAL);
    check_rc("VA without an L1", hypercall_update_va_mapping(UNMAPPED_VA, virt_to_maddr(page[0]) |
                                                             PTE_RW_FLAGS, UVMF_INVLPG), -EINVAL);
}
