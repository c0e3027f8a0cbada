/*
 * grant_transfer.c - GNTTABOP_transfer: giving one of the caller's frames to another domain that
 * offered a GTF_accept_transfer grant for it (the old "page flipping" network path).
 *
 * Design (Xen 4.17's gnttab_transfer and steal_page, reordered so that a failure never costs the
 * caller its frame): a frame can be given away only when nothing but its ownership refers to it (no
 * mapping, no page-table or other use): steal_domain_page() (common/domain_page.c, shared with
 * XENMEM_exchange) takes its count from "allocated, 1" to 0 in one compare-and-swap, after which
 * nobody can take a reference to it, and takes it off the caller's list and allowance.  The
 * caller's TLBs are flushed (it may still cache a translation of the frame).  Then the receiver is
 * found, one frame of its allowance is reserved, and its grant entry is committed
 * (GTF_transfer_committed); only when all of that worked does the frame change owner, and the entry
 * gets the frame's number and GTF_transfer_completed.  Any failure before that gives the frame back
 * to the caller unchanged (Xen frees it instead).  The statuses are Xen's: GNTST_bad_page (not the
 * caller's frame, or still in use), GNTST_bad_domain, GNTST_address_too_big (a v1 receiver cannot
 * name the frame), GNTST_general_error (receiver dying or at its allowance, entry not accepting
 * from the caller).  The frame keeps its contents; its M2P entry becomes the receiver's frame
 * number from the entry.
 *
 * Locking: the caller's and the receiver's page_alloc_lock one at a time, then the receiver's
 * table lock alone.
 */
#include <parva/domain.h>
#include <parva/errno.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/guest_access.h>
#include <asm/pv.h>
#include "grant_private.h"

/* Give a stolen frame (steal_domain_page) to e, whose allowance counts it already (reserve_page). */
static void assign_page(struct domain *e, struct page_info *pg)
{
    unsigned long flags;

    spin_lock_irqsave(&e->page_alloc_lock, flags);
    pg->v.owner = e;
    page_list_add_tail(pg, &e->page_list);
    __atomic_store_n(&pg->count_info, PGC_state_inuse | PGC_allocated | 1, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&e->page_alloc_lock, flags);
}

/* Reserve (or, with undo, give back) one frame of e's allowance; false if e is dying or full. */
static bool reserve_page(struct domain *e, bool undo)
{
    unsigned long flags;
    bool ok = true;

    spin_lock_irqsave(&e->page_alloc_lock, flags);
    if ( undo )
        e->tot_pages--;
    else if ( e->is_dying || e->tot_pages >= e->max_pages )
        ok = false;
    else
        e->tot_pages++;
    spin_unlock_irqrestore(&e->page_alloc_lock, flags);
    return ok;
}

static int16_t transfer_one(const gnttab_transfer_t *op)
{
    struct domain *d = current->domain, *e;
    struct grant_table *egt;
    unsigned long mfn = op->mfn;
    struct page_info *pg;
    int16_t rc;

    if ( !mfn_valid(mfn) )
    {
        gnttab_log("transfer: frame %#lx out of range\n", mfn);
        return GNTST_bad_page;
    }
    pg = mfn_to_page(mfn);
    if ( !steal_domain_page(d, pg) )
    {
        gnttab_log("transfer: d%u cannot give frame %#lx away (count_info %#lx)\n", d->domain_id, mfn,
                   pg->count_info);
        return GNTST_bad_page;
    }
    gnttab_arch_flush_tlb(d);

    if ( !(e = gnttab_lookup_domain(op->domid, false)) )
    {
        gnttab_log("transfer: no domain %u\n", op->domid);
        return_stolen_page(d, pg);
        return GNTST_bad_domain;
    }
    egt = e->grant_table;
    rc = GNTST_general_error;
    if ( !reserve_page(e, false) )
    {
        gnttab_log("transfer: d%u is dying or has no room (%lu of %lu frames)\n", e->domain_id, e->tot_pages,
                   e->max_pages);
        goto fail;
    }
    spin_lock(&egt->lock);
    if ( egt->version == 1 && (mfn >> 32) )
    {
        rc = GNTST_address_too_big;
        goto fail_unlock;
    }
    if ( op->ref >= gnttab_nr_entries(egt) ||
         !gnttab_entry_commit_transfer(gnttab_shared_entry(egt, op->ref), d->domain_id) )
    {
        gnttab_log("transfer: ref %#x of d%u does not accept a frame from d%u\n", op->ref, e->domain_id,
                   d->domain_id);
        goto fail_unlock;
    }
    assign_page(e, pg);
    {
        struct grant_target t;

        gnttab_entry_target(gnttab_shared_entry(egt, op->ref), egt->version, &t);
        gnttab_arch_set_gpfn(mfn, (unsigned long)t.frame);
    }
    gnttab_entry_complete_transfer(gnttab_shared_entry(egt, op->ref), egt->version, mfn);
    spin_unlock(&egt->lock);
    put_domain(e);
    return GNTST_okay;

 fail_unlock:
    spin_unlock(&egt->lock);
    reserve_page(e, true);
 fail:
    return_stolen_page(d, pg);
    put_domain(e);
    return rc;
}

long gnttab_transfer_batch(unsigned long uop, unsigned int count)
{
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        gnttab_transfer_t op;
        unsigned long addr = uop + i * sizeof(op);

        if ( i == GNTTAB_TRANSFER_BATCH )
            return count - i;
        if ( copy_from_guest_va(&op, addr, sizeof(op)) )
            return -EFAULT;
        op.status = transfer_one(&op);
        if ( copy_to_guest_va(addr + offsetof(gnttab_transfer_t, status), &op.status, sizeof(op.status)) )
            return -EFAULT;
    }
    return 0;
}
