/*
 * mmu-update - HYPERVISOR_mmu_update: NORMAL_PT_UPDATE writes a validated entry (done counts the
 * requests; a refused request stops the batch with its error and done = the requests before it;
 * a writable mapping of a page-table frame is refused with -EBUSY);
 * PRESERVE_AD keeps the accessed/dirty bits the CPU set in the old entry; MACHPHYS_UPDATE sets the M2P
 * entry of one of our frames; a "page-table" update of an ordinary writable page is a plain 8-byte
 * write; bad input: a nonexistent foreign domain, ptr bit 2 set (Xen decodes the command from the
 * low 3 bits: -ENOSYS), a frame we do not own, a bad request pointer.
 */
#include "guest.h"

const char test_title[] = "mmu_update NORMAL / PRESERVE_AD / MACHPHYS";

#define XEN_ADDED   (_PAGE_USER | (1ull << 52))

void test_main(start_info_t *si)
{
    unsigned long base = pt_free_2m_va();
    uint64_t *l1, *page_a, *page_b, *plain, l1_maddr, a, b, v, e;
    mmu_update_t req[3];
    unsigned int done;
    unsigned long mfn, pfn;
    long rc;

    l1 = base ? pt_hook_l1(base) : NULL;
    if ( !l1 )
    {
        report_error("cannot link a test L1 table");
        return;
    }
    l1_maddr = virt_to_maddr(l1);
    page_a = alloc_page();
    page_b = alloc_page();
    page_a[0] = 0xaaaa;
    page_b[0] = 0xbbbb;
    a = virt_to_maddr(page_a) | PTE_RW_FLAGS;
    b = virt_to_maddr(page_b) | PTE_RW_FLAGS;

    /* NORMAL, three requests. */
    for ( unsigned int i = 0; i < 3; i++ )
    {
        req[i].ptr = (l1_maddr + i * 8) | MMU_NORMAL_PT_UPDATE;
        req[i].val = i == 1 ? b : a;
    }
    done = 0xdead;
    check_rc("mmu_update of 3 entries", hypercall_mmu_update(req, 3, &done, DOMID_SELF), 0);
    check_eq("done", done, 3);
    check_eq("entry 0", l1[0] & ~XEN_ADDED, a);
    check_eq("entry 1", l1[1] & ~XEN_ADDED, b);
    check(read64_safe((void *)(base + PAGE_SIZE), &v) && v == 0xbbbb, "va of entry 1 does not show page B");

    /* A refused request in the middle: the L1 itself, writable. */
    req[0].ptr = (l1_maddr + 3 * 8) | MMU_NORMAL_PT_UPDATE;
    req[0].val = a;
    req[1].ptr = (l1_maddr + 4 * 8) | MMU_NORMAL_PT_UPDATE;
    req[1].val = l1_maddr | PTE_RW_FLAGS;
    req[2].ptr = (l1_maddr + 5 * 8) | MMU_NORMAL_PT_UPDATE;
    req[2].val = b;
    done = 0xdead;
    rc = hypercall_mmu_update(req, 3, &done, DOMID_SELF);
    /* Xen: the writable type reference on a frame that is an L1 cannot be taken: -EBUSY. */
    check_rc("mmu_update with a bad second request", rc, -EBUSY);
    check_eq("done after the bad request", done, 1);
    check_eq("entry 3 (before the bad one) written", l1[3] & ~XEN_ADDED, a);
    check_eq("entry 4 (the bad one) untouched", l1[4], 0);
    check_eq("entry 5 (after the bad one) untouched", l1[5], 0);

    /* PRESERVE_AD: the CPU sets A and D in entry 0 when we write through it. */
    check_rc("clear A/D of entry 0", mmu_update_one(l1_maddr | MMU_NORMAL_PT_UPDATE,
                                                    a & ~(_PAGE_ACCESSED | _PAGE_DIRTY)), 0);
    invlpg_local(base);
    check_eq("entry 0 without A/D", l1[0] & (_PAGE_ACCESSED | _PAGE_DIRTY), 0);
    *(volatile uint64_t *)(base + 8) = 1;
    check_eq("entry 0 after a write through it: A|D", l1[0] & (_PAGE_ACCESSED | _PAGE_DIRTY),
             _PAGE_ACCESSED | _PAGE_DIRTY);
    check_rc("PRESERVE_AD update", mmu_update_one(l1_maddr | MMU_PT_UPDATE_PRESERVE_AD,
                                                  b & ~(_PAGE_ACCESSED | _PAGE_DIRTY)), 0);
    check_eq("PRESERVE_AD kept A|D", l1[0] & ~XEN_ADDED, b);
    check_rc("NORMAL update without A/D", mmu_update_one(l1_maddr | MMU_NORMAL_PT_UPDATE,
                                                        a & ~(_PAGE_ACCESSED | _PAGE_DIRTY)), 0);
    check_eq("NORMAL did not keep A|D", l1[0] & ~XEN_ADDED, a & ~(_PAGE_ACCESSED | _PAGE_DIRTY));

    /* MACHPHYS_UPDATE on one of our frames, then back. */
    mfn = virt_to_mfn(page_b);
    pfn = mfn_to_pfn(mfn);
    check_rc("MACHPHYS_UPDATE", mmu_update_one(((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE, 0x12345), 0);
    check_eq("M2P after MACHPHYS_UPDATE", M2P[mfn], 0x12345);
    check_rc("MACHPHYS_UPDATE back", mmu_update_one(((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE, pfn), 0);
    check_eq("M2P restored", M2P[mfn], pfn);

    /* A frame that is not ours: the L3 of Xen's own slot 256 in our L4. */
    if ( pt_lookup(cur_l4_mfn(), 0xffff800000000000ul, 4, &e, NULL) && (e & _PAGE_PRESENT) )
    {
        rc = mmu_update_one((PTE_MFN(e) << 12) | MMU_MACHPHYS_UPDATE, 0x1);
        check(rc < 0, "MACHPHYS_UPDATE of a hypervisor frame returned %ld", rc);
        printf("MACHPHYS_UPDATE of a hypervisor frame: %ld (%s)\n", rc, errno_name(rc));
    }

    /* A NORMAL update of an ordinary writable page just writes it. */
    plain = alloc_page();
    check_rc("NORMAL update of a writable data page", mmu_update_one(virt_to_maddr(&plain[7]),
                                                                      0x0123456789abcdefull), 0);
    check_eq("the data page got the value", plain[7], 0x0123456789abcdefull);

    /* Bad input. */
    /* Xen takes the command from ptr's low 3 bits: an entry offset of 4 is command 4, unknown. */
    check_rc("ptr with bit 2 set (command 4)", mmu_update_one((l1_maddr + 4) | MMU_NORMAL_PT_UPDATE, a),
             -ENOSYS);
    rc = hypercall_mmu_update(req, 1, NULL, 7);
    check_rc("foreigndom 7 (no such domain)", rc, -ESRCH);
    check_rc("bad request pointer", hypercall_mmu_update((mmu_update_t *)0x0000100000000000ul, 1, NULL,
                                                         DOMID_SELF), -EFAULT);
    check_rc("count 0", hypercall_mmu_update(req, 0, NULL, DOMID_SELF), 0);

    for ( unsigned int i = 0; i < 8; i++ )
        mmu_update_one(l1_maddr + i * 8, 0);
    check_rc("unlink the test L1", pt_unhook_l1(base, l1), 0);
}
