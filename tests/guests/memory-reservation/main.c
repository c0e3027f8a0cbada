/*
 * memory-reservation - giving memory back and getting it again: XENMEM_decrease_reservation of one of
 * our (unmapped) frames returns 1 and lowers current_reservation; the same MFN a second time is not
 * ours any more (0 extents done); XENMEM_populate_physmap for that pfn returns 1, writes the new MFN
 * into the extent list (a PV guest is not translated) and sets M2P[new mfn] = pfn, and the frame maps
 * and works; XENMEM_increase_reservation at the maximum reservation does 0 extents; an unreadable
 * extent list also gives 0 extents done (not -EFAULT).
 */
#include "guest.h"

const char test_title[] = "memory_op reservations";

static long reservation_op(unsigned int cmd, xen_pfn_t *list, unsigned long nr, unsigned int order)
{
    struct xen_memory_reservation r = {
        .nr_extents = nr,
        .extent_order = order,
        .domid = DOMID_SELF,
    };

    set_xen_guest_handle(r.extent_start, list);
    return hypercall_memory_op(cmd, &r);
}

void test_main(start_info_t *si)
{
    domid_t self = DOMID_SELF;
    uint64_t *page = alloc_page();
    unsigned long pfn = virt_to_pfn(page), mfn = pfn_to_mfn(pfn), cur, max;
    xen_pfn_t list[1];
    long rc;

    cur = hypercall_memory_op(XENMEM_current_reservation, &self);
    max = hypercall_memory_op(XENMEM_maximum_reservation, &self);

    check_rc("unmap the page", hypercall_update_va_mapping((unsigned long)page, 0, UVMF_INVLPG), 0);
    list[0] = mfn;
    check_eq("decrease_reservation of one frame", reservation_op(XENMEM_decrease_reservation, list, 1, 0), 1);
    check_eq("current_reservation after it", hypercall_memory_op(XENMEM_current_reservation, &self), cur - 1);
    list[0] = mfn;
    check_eq("decrease_reservation of the same MFN again", reservation_op(XENMEM_decrease_reservation, list,
                                                                         1, 0), 0);

    list[0] = pfn;
    rc = reservation_op(XENMEM_populate_physmap, list, 1, 0);
    if ( check_eq("populate_physmap of one frame", rc, 1) )
    {
        unsigned long new_mfn = list[0];

        printf("populate_physmap: pfn %#lx now mfn %#lx (was %#lx)\n", pfn, new_mfn, mfn);
        check_eq("M2P of the new frame", M2P[new_mfn], pfn);
        ((unsigned long *)si->mfn_list)[pfn] = new_mfn;
        uint64_t pte = ((uint64_t)new_mfn << 12) | PTE_RW_FLAGS;

        if ( check_rc("map the new frame",
                      hypercall_update_va_mapping((unsigned long)page, pte, UVMF_INVLPG), 0) )
        {
            page[5] = 0x5a5a;
            check_eq("the new frame holds what was written", page[5], 0x5a5a);
        }
        check_eq("current_reservation after populate", hypercall_memory_op(XENMEM_current_reservation, &self),
                 cur);
    }

    list[0] = 0;
    rc = reservation_op(XENMEM_increase_reservation, list, 1, 0);
    if ( max == cur )
        check_eq("increase_reservation at the maximum", rc, 0);
    else if ( check_eq("increase_reservation below the maximum", rc, 1) )
    {
        check_eq("decrease it again", reservation_op(XENMEM_decrease_reservation, list, 1, 0), 1);
    }
    /* The result counts the extents done: a list that cannot be read stops at 0, not -EFAULT. */
    check_rc("populate_physmap from a bad list", reservation_op(XENMEM_populate_physmap,
                                                                (xen_pfn_t *)0x0000100000000000ul, 1, 0), 0);
}
