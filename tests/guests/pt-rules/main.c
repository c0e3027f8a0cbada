/*
 * pt-rules - what the page-type rules must refuse (and what they must allow): a page-table frame
 * mapped writable (read-only is fine) and a frame the hypervisor owns (both -EBUSY in Xen: the type or
 * general reference cannot be taken); pinning an L1 that is still mapped writable; writing the
 * hypervisor's L4 slots 256-271; a recursive L4 entry with write
 * rights (read-only linear page tables are allowed and work); superpages (PSE) in L2 and L3; an L2
 * whose entry names a writable page as its L1 (fine once that page is read-only); unpinning a table
 * that is not pinned.
 */
#include "guest.h"

const char test_title[] = "page-type rules";

#define LINEAR_SLOT 100ul

static void expect_refused(const char *what, long rc, long want)
{
    printf("%s: %ld (%s)\n", what, rc, errno_name(rc));
    check_rc(what, rc, want);
}

void test_main(start_info_t *si)
{
    unsigned long l4 = cur_l4_mfn(), va = scratch_va(MM_PT_WINDOWS), free2m = pt_free_2m_va();
    uint64_t l4_maddr = (uint64_t)l4 << 12, e, l2e_maddr, l3e_maddr;
    const uint64_t *linear;
    uint64_t *data, *l2;
    long rc;

    /* A page-table frame (the L4) mapped writable: refused; read-only: fine. */
    rc = hypercall_update_va_mapping(va, l4_maddr | PTE_RW_FLAGS, UVMF_INVLPG);
    /* Xen: the writable type reference cannot be taken on a page-table frame: -EBUSY. */
    expect_refused("map the L4 writable", rc, -EBUSY);
    check_rc("map the L4 read-only",
             hypercall_update_va_mapping(va, l4_maddr | PTE_RO_FLAGS, UVMF_INVLPG), 0);

    /* Pinning an L1 that is mapped writable. */
    data = alloc_page();
    rc = mmuext_one(MMUEXT_PIN_L1_TABLE, virt_to_mfn(data), 0);
    expect_refused("pin a writably mapped page as L1", rc, -EINVAL);
    check_rc("unpin a page that is not pinned",
             mmuext_one(MMUEXT_UNPIN_TABLE, virt_to_mfn(data), 0), -EINVAL);

    /* A frame the hypervisor owns: the L3 behind its L4 slot 256. */
    if ( check(pt_lookup(l4, HYPERVISOR_VIRT_START, 4, &e, NULL) && (e & _PAGE_PRESENT),
               "L4 slot 256 (the hypervisor's) is empty") )
    {
        rc = hypercall_update_va_mapping(va, (e & PTE_ADDR_MASK) | PTE_RO_FLAGS, UVMF_INVLPG);
        /* Xen: no reference can be taken on a frame this domain does not own: -EBUSY too. */
        expect_refused("map a hypervisor frame read-only", rc, -EBUSY);
    }

    /* The hypervisor's L4 slots. */
    for ( unsigned int slot = 256; slot < 272; slot += 5 )
    {
        char what[64];

        snprintf(what, sizeof(what), "mmu_update of L4 slot %u", slot);
        rc = mmu_update_one(l4_maddr + slot * 8, 0);
        check_rc(what, rc, -EINVAL);
    }

    /* Recursive (linear) L4 entry: RW refused, RO allowed and usable. */
    rc = mmu_update_one(l4_maddr + LINEAR_SLOT * 8, l4_maddr | PDE_FLAGS);
    expect_refused("recursive L4 entry with RW", rc, -EINVAL);
    rc = mmu_update_one(l4_maddr + LINEAR_SLOT * 8, l4_maddr | (PDE_FLAGS & ~_PAGE_RW));
    if ( check_rc("recursive L4 entry read-only", rc, 0) )
    {
        linear = (const uint64_t *)((LINEAR_SLOT << 39) | (LINEAR_SLOT << 30) | (LINEAR_SLOT << 21) |
                                    (LINEAR_SLOT << 12));
        mmuext_one(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
        check(read64_safe(&linear[LINEAR_SLOT], &e), "the linear L4 view is not readable");
        check_eq("linear view of the L4's own slot", e & PTE_ADDR_MASK, l4_maddr);
        check(!write64_safe((void *)&linear[LINEAR_SLOT + 1], 0), "the linear L4 view is writable");
        check_rc("remove the recursive entry", mmu_update_one(l4_maddr + LINEAR_SLOT * 8, 0), 0);
        mmuext_one(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    }

    /* Superpages. */
    if ( free2m && pt_lookup(l4, free2m, 2, &e, &l2e_maddr) &&
         pt_lookup(l4, free2m, 3, &e, &l3e_maddr) )
    {
        rc = mmu_update_one(l2e_maddr, 0x200000 | PTE_RW_FLAGS | _PAGE_PSE | _PAGE_USER);
        expect_refused("L2 entry with PSE", rc, -EINVAL);
        check_eq("the L2 entry stayed empty", pte_get(free2m) , 0);
    }
    /* L4 slot 200 is unused: give it a fresh L3 to try a 1 GiB page in. */
    {
        uint64_t *l3 = alloc_page();

        set_page_writable(l3, false);
        if ( check_rc("link a fresh L3 at L4 slot 200", mmu_update_one(l4_maddr + 200 * 8,
                                                                       virt_to_maddr(l3) | PDE_FLAGS), 0) )
        {
            rc = mmu_update_one(virt_to_maddr(l3), 0x40000000 | PTE_RW_FLAGS | _PAGE_PSE | _PAGE_USER);
            expect_refused("L3 entry with PSE", rc, -EINVAL);
            check_rc("unlink the L3", mmu_update_one(l4_maddr + 200 * 8, 0), 0);
        }
    }

    /* An L2 whose entry names a writable page as L1: refused until the page is read-only. */
    l2 = alloc_page();
    data = alloc_page();
    l2[0] = virt_to_maddr(data) | PDE_FLAGS;
    set_page_writable(l2, false);
    rc = mmuext_one(MMUEXT_PIN_L2_TABLE, virt_to_mfn(l2), 0);
    expect_refused("pin an L2 naming a writable page as its L1", rc, -EINVAL);
    set_page_writable(data, false);
    if ( check_rc("pin it once the page is read-only",
                  mmuext_one(MMUEXT_PIN_L2_TABLE, virt_to_mfn(l2), 0), 0) )
    {
        check(set_page_writable(data, true) < 0,
              "the page, now an L1 of a pinned L2, can be mapped writable");
        check_rc("unpin the L2", mmuext_one(MMUEXT_UNPIN_TABLE, virt_to_mfn(l2), 0), 0);
        check_rc("the page is writable again after the unpin", set_page_writable(data, true), 0);
    }
}
