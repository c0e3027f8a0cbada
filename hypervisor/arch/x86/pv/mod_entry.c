/*
 * mod_entry.c (pv) - changing one entry of a validated guest page table (Xen's mod_l1_entry..mod_l4_entry).
 *
 * Design: check the new entry and take its references first; then swap it
 * in with compare-and-swap against the value read (the hardware may set A/D
 * meanwhile, which is retried; any other change would mean a broken lock,
 * and fails the update); only then drop the old entry's references.  So no
 * frame ever loses a reference that an entry in the table still needs, and
 * a failure leaves the entry and every count as they were.  As in Xen, a
 * change only to bits in FASTPATH_FLAGS (A, D, NX, G, USER, software bits)
 * keeps the old entry's references instead of taking new ones and dropping
 * the old (the mapped frame, RW, PRESENT and cache bits are unchanged).
 * Dropping an old entry cannot un-validate the table being changed: its
 * type references come from its parents, pins, roots and linear entries of
 * other tables, never from below it.
 *
 * Locking: the caller holds the table owner's mm_lock (asserted).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/mm.h>
#include <asm/pv_mm.h>
#include "mm_internal.h"

#define FASTPATH_FLAGS  (_PAGE_NX | _PAGE_AVAIL_HIGH | _PAGE_AVAIL | _PAGE_GLOBAL | _PAGE_DIRTY | \
                         _PAGE_ACCESSED | _PAGE_USER)
#define AD_FLAGS        (_PAGE_ACCESSED | _PAGE_DIRTY)

/* The entry slot, if pg is a validated table of this level owned by a domain whose lock we hold. */
static uint64_t *entry_slot(struct page_info *pg, unsigned int level, unsigned int idx)
{
    const struct domain *d = page_get_owner(pg);

    if ( idx >= PT_ENTRIES || !d || pv_validated_level(pg) != level )
        return NULL;
    ASSERT(spin_is_locked(&d->arch.mm_lock));
    return (uint64_t *)mfn_to_virt(page_to_mfn(pg)) + idx;
}

/* The new entry can reuse the old one's references. */
static bool same_references(uint64_t o, uint64_t n)
{
    return !((o ^ n) & ~FASTPATH_FLAGS);
}

/* Swap old for new at p; false if the entry changed in more than A/D since it was read. */
static bool update_entry(uint64_t *p, uint64_t old, uint64_t new, bool preserve_ad, bool *stale)
{
    for ( ; ; )
    {
        uint64_t seen = old, val = new | (preserve_ad ? old & AD_FLAGS : 0);

        if ( __atomic_compare_exchange_n(p, &seen, val, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) )
        {
            if ( stale && (old & _PAGE_PRESENT) && val != old )
                *stale = true;
            return true;
        }
        if ( (seen ^ old) & ~AD_FLAGS )
        {
            printk(XENLOG_ERR "pv-mm: entry at %p changed under the lock (%lx -> %lx)\n", (void *)p,
                   (unsigned long)old, (unsigned long)seen);
            return false;
        }
        old = seen;
    }
}

int mod_l1_entry(struct page_info *l1pg, unsigned int idx, uint64_t nl1e, bool preserve_ad,
                 struct domain *pg_owner, bool *stale)
{
    uint64_t *p = entry_slot(l1pg, 1, idx), ol1e;
    struct domain *d = page_get_owner(l1pg);
    int rc;

    if ( !p )
        return -EINVAL;
    ol1e = READ_ONCE(*p);
    if ( ol1e & _PAGE_GNTTAB )
    {
        /*
         * A grant mapping (grant_mm.c): it holds no references, its grant does.  Only A/D may change
         * in place; anything else replaces it, and the grant stays active until unmapped by handle.
         */
        if ( (nl1e & _PAGE_PRESENT) && !((ol1e ^ nl1e) & ~AD_FLAGS) )
            return update_entry(p, ol1e, nl1e, preserve_ad, stale) ? 0 : -EBUSY;
        pv_mm_log("d%u: grant mapping %lx replaced by an L1 update\n", d->domain_id, (unsigned long)ol1e);
    }
    if ( !(nl1e & _PAGE_PRESENT) )
    {
        if ( !update_entry(p, ol1e, nl1e, preserve_ad, stale) )
            return -EBUSY;
    }
    else if ( same_references(ol1e, nl1e) && !(ol1e & _PAGE_GNTTAB) )
    {
        /* Only the flags a guest may change freely: re-check them, keep the references. */
        if ( nl1e & (d->is_privileged ? PV_L1_DISALLOW_IO : PV_L1_DISALLOW) )
            return -EINVAL;
        return update_entry(p, ol1e, adjust_guest_l1e(nl1e), preserve_ad, stale) ? 0 : -EBUSY;
    }
    else
    {
        rc = get_page_from_l1e(&nl1e, d, pg_owner);
        if ( rc )
            return rc;
        nl1e = adjust_guest_l1e(nl1e);
        if ( !update_entry(p, ol1e, nl1e, preserve_ad, stale) )
        {
            put_page_from_l1e(nl1e);
            return -EBUSY;
        }
    }
    put_page_from_l1e(ol1e);
    return 0;
}

static int mod_upper_entry(struct page_info *pg, unsigned int level, unsigned int idx, uint64_t ne,
                           bool preserve_ad, bool *stale)
{
    uint64_t *p = entry_slot(pg, level, idx), oe;
    struct domain *d = page_get_owner(pg);
    unsigned long mfn = page_to_mfn(pg);
    int fail = level == 2 ? -EBUSY : -EFAULT;     /* Xen's codes for a failed swap */
    int rc;

    if ( !p )
        return -EINVAL;
    if ( level == 4 && !pv_is_guest_l4_slot(idx) )
    {
        pv_mm_log("d%u: L4 update in the hypervisor's slot %u refused\n", d->domain_id, idx);
        return -EINVAL;
    }
    oe = READ_ONCE(*p);
    if ( !(ne & _PAGE_PRESENT) )
    {
        if ( !update_entry(p, oe, ne, preserve_ad, stale) )
            return fail;
    }
    else if ( same_references(oe, ne) )
    {
        if ( ne & PV_L2_DISALLOW )
            return -EINVAL;
        return update_entry(p, oe, adjust_guest_lne(ne, level), preserve_ad, stale) ? 0 : fail;
    }
    else
    {
        rc = pv_get_page_from_lne(ne, level, mfn, d);
        if ( rc )
            return rc;
        ne = adjust_guest_lne(ne, level);
        if ( !update_entry(p, oe, ne, preserve_ad, stale) )
        {
            pv_put_page_from_lne(ne, mfn);
            return fail;
        }
    }
    pv_put_page_from_lne(oe, mfn);
    return 0;
}

int mod_l2_entry(struct page_info *l2pg, unsigned int idx, uint64_t nl2e, bool preserve_ad, bool *stale)
{
    return mod_upper_entry(l2pg, 2, idx, nl2e, preserve_ad, stale);
}

int mod_l3_entry(struct page_info *l3pg, unsigned int idx, uint64_t nl3e, bool preserve_ad, bool *stale)
{
    return mod_upper_entry(l3pg, 3, idx, nl3e, preserve_ad, stale);
}

int mod_l4_entry(struct page_info *l4pg, unsigned int idx, uint64_t nl4e, bool preserve_ad, bool *stale)
{
    return mod_upper_entry(l4pg, 4, idx, nl4e, preserve_ad, stale);
}
