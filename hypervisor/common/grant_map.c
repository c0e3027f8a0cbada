/*
 * grant_map.c - mapping other domains' grants: GNTTABOP_map_grant_ref, unmap_grant_ref,
 * unmap_and_replace, and undoing a dying domain's mappings (Xen 4.17's map_grant_ref,
 * unmap_common, unmap_common_complete, gnttab_release_mappings).
 *
 * Design.  A mapping is a maptrack record in the mapping domain ld (its handle goes back to the
 * guest), pins on the granter's active entry, and page references on the granted frame:
 *
 *   part          pin          general reference     writable type reference
 *   host_map      hstw / hstr  1                     1 unless readonly
 *   device_map    devw / devr  1                     1 unless readonly
 *
 * taken when the mapping is made and dropped exactly once, when that part is unmapped (by handle)
 * or when ld dies.  The writable type reference is what makes "a page mapped writable through a
 * grant can never become a page table" hold: a page-table type needs the type count at zero.  The
 * general reference keeps the frame from being freed (or reused) while mapped, even after the
 * granter gave it back or died.  A host mapping's L1 entry is written by the arch hook; the entry
 * itself holds no references (grant_table.h).
 *
 * Mapping: reserve a handle; under the granter's table lock check the ref, pin the entry (its
 * GTF_* protocol, grant_entry.c) and take the first page reference (a first pin reads the frame
 * from the entry); then, unlocked, the remaining references and the L1 entry; last, publish the
 * record.  Every failure undoes exactly what was done, in reverse.
 *
 * Unmapping runs in two halves, as Xen's: the first claims the record (so no one else can use the
 * handle meanwhile), checks the addresses and removes the L1 entry; after a whole batch (32) the
 * mapping domain's TLBs are flushed once; only then does the second half drop the page references
 * and the pins, and free the handle.  So no CPU can still write through an old translation of a
 * frame whose writable reference is gone (it could be a page table by then).
 *
 * Locking: the maptrack lock and the granter's table lock are taken one at a time, never nested,
 * and neither is held while the arch hooks change page tables (under the mapper's mm_lock) or flush.
 */
#include <parva/domain.h>
#include <parva/errno.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/guest_access.h>
#include <asm/pv.h>
#include "grant_private.h"

/* The GNTMAP_* bits a mapping record keeps. */
#define MAPTRACK_FLAGS  (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly | GNTMAP_application_map | \
                         GNTMAP_contains_pte)
static uint32_t pin_of(uint32_t flags)
{
    bool ro = flags & GNTMAP_readonly;
    uint32_t inc = 0;

    if ( flags & GNTMAP_device_map )
        inc += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    if ( flags & GNTMAP_host_map )
        inc += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    return inc;
}

/* Drop the page references of the parts in flags (with GNTMAP_readonly as they were taken). */
static void put_mapping_refs(struct page_info *pg, uint32_t flags)
{
    bool ro = flags & GNTMAP_readonly;

    if ( flags & GNTMAP_device_map )
    {
        if ( !ro )
            gnttab_arch_put_writable(pg);
        put_page(pg);
    }
    if ( flags & GNTMAP_host_map )
    {
        if ( !ro )
            gnttab_arch_put_writable(pg);
        put_page(pg);
    }
}

static void map_one(struct gnttab_map_grant_ref *op)
{
    struct vcpu *v = current;
    struct domain *ld = v->domain, *rd;
    struct grant_table *lgt = ld->grant_table, *rgt;
    struct active_grant_entry *act;
    struct grant_entry_view view;
    struct page_info *pg = NULL;
    uint32_t flags = op->flags, pin;
    bool ro = flags & GNTMAP_readonly;
    unsigned int handle, refcnt = 0, typecnt = 0;
    unsigned long mfn;
    int rc;

    if ( !(flags & (GNTMAP_device_map | GNTMAP_host_map)) )
    {
        gnttab_log("d%u: map with flags %#x maps nothing\n", ld->domain_id, flags);
        op->status = GNTST_bad_gntref;
        return;
    }
    if ( !(rd = gnttab_lookup_domain(op->dom, false)) )
    {
        gnttab_log("d%u: map from unknown domain %u\n", ld->domain_id, op->dom);
        op->status = GNTST_bad_domain;
        return;
    }
    if ( (handle = maptrack_get(&lgt->maptrack)) == MAPTRACK_NONE )
    {
        gnttab_log("d%u: no maptrack handle left\n", ld->domain_id);
        put_domain(rd);
        op->status = GNTST_no_device_space;
        return;
    }
    rgt = rd->grant_table;
    pin = pin_of(flags);

    spin_lock(&rgt->lock);
    if ( op->ref >= gnttab_nr_entries(rgt) )
    {
        gnttab_log("d%u: bad ref %#x of d%u\n", ld->domain_id, op->ref, rd->domain_id);
        rc = GNTST_bad_gntref;
        goto unlock_out;
    }
    act = gnttab_active(rgt, op->ref);
    gnttab_entry_view(rgt, op->ref, &view);
    /* Pinned already: by us, not a sub-page or transitive grant, with room in every counter. */
    if ( act->pin && (act->domid != ld->domain_id || (act->pin & GNTPIN_overflow_of(pin)) || act->is_sub_page) )
    {
        gnttab_log("d%u: ref %#x of d%u is in use by d%u (pin %#x)\n", ld->domain_id, op->ref, rd->domain_id,
                   act->domid, act->pin);
        rc = GNTST_general_error;
        goto unlock_out;
    }
    if ( !act->pin || (!ro && !(act->pin & GNTPIN_writers)) )
    {
        if ( gnttab_entry_pin(&view, act->pin != 0, ro, true, ld->domain_id) != GNTST_okay )
        {
            gnttab_log("d%u: ref %#x of d%u does not grant this mapping\n", ld->domain_id, op->ref, rd->domain_id);
            rc = GNTST_general_error;
            goto unlock_out;
        }
        if ( !act->pin )
        {
            struct grant_target t;

            gnttab_entry_target(gnttab_shared_entry(rgt, op->ref), rgt->version, &t);
            if ( !mfn_valid(t.frame) || !get_page(mfn_to_page(t.frame), rd) )
            {
                gnttab_log("d%u: ref %#x of d%u: frame %#lx is not d%u's\n", ld->domain_id, op->ref,
                           rd->domain_id, (unsigned long)t.frame, rd->domain_id);
                rc = GNTST_bad_page;
                goto unlock_clear;
            }
            pg = mfn_to_page(t.frame);
            refcnt++;
            act->domid = ld->domain_id;
            act->mfn = (unsigned long)t.frame;
            act->start = 0;
            act->length = PAGE_SIZE;
            act->is_sub_page = false;
        }
    }
    act->pin += pin;
    mfn = act->mfn;
    spin_unlock(&rgt->lock);

    /* The remaining references, outside the lock (a type change may flush TLBs). */
    rc = GNTST_general_error;
    if ( !pg )
    {
        if ( !get_page(mfn_to_page(mfn), rd) )
            goto could_not_pin;
        pg = mfn_to_page(mfn);
        refcnt++;
    }
    if ( (flags & GNTMAP_device_map) && !ro )
    {
        if ( !gnttab_arch_get_writable(pg) )
            goto could_not_pin;
        typecnt++;
    }
    if ( flags & GNTMAP_host_map )
    {
        if ( flags & GNTMAP_device_map )
        {
            if ( !get_page(pg, rd) )
                goto could_not_pin;
            refcnt++;
        }
        if ( !ro )
        {
            if ( !gnttab_arch_get_writable(pg) )
                goto could_not_pin;
            typecnt++;
        }
        if ( (rc = gnttab_arch_create_mapping(v, op->host_addr, mfn, flags)) != GNTST_okay )
            goto undo;
    }

    gnttab_get_table(rgt);
    maptrack_publish(&lgt->maptrack, handle, op->ref, rd->domain_id, rgt, flags & MAPTRACK_FLAGS);
    op->dev_bus_addr = pfn_to_paddr(mfn);
    op->handle = handle;
    op->status = GNTST_okay;
    put_domain(rd);
    return;

 could_not_pin:
    gnttab_log("d%u: cannot pin frame %#lx of d%u (a page table?)\n", ld->domain_id, mfn, rd->domain_id);
 undo:
    while ( typecnt-- )
        gnttab_arch_put_writable(pg);
    while ( refcnt-- )
        put_page(pg);
    spin_lock(&rgt->lock);
    act = gnttab_active(rgt, op->ref);
    act->pin -= pin;
 unlock_clear:
    gnttab_unpin_update(rgt, op->ref, act, ro);
 unlock_out:
    spin_unlock(&rgt->lock);
    op->status = rc;
    maptrack_put(&lgt->maptrack, handle);
    put_domain(rd);
}

long gnttab_map_batch(unsigned long uop, unsigned int count)
{
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        struct gnttab_map_grant_ref op;
        unsigned long addr = uop + i * sizeof(op);

        if ( i == GNTTAB_MAP_BATCH )
            return count - i;
        if ( copy_from_guest_va(&op, addr, sizeof(op)) )
            return -EFAULT;
        map_one(&op);
        if ( copy_to_guest_va(addr, &op, sizeof(op)) )
            return -EFAULT;
    }
    return 0;
}

/* One unmap, between its two halves. */
struct unmap_common {
    uint64_t host_addr, dev_bus_addr, new_addr;
    unsigned int handle;
    int16_t status;
    uint16_t done;                      /* the parts the first half undid, with GNTMAP_readonly */
    struct grant_mapping m;             /* the claimed record */
    unsigned long mfn;
};

/* First half: claim the record, check, remove the L1 entry. */
static void unmap_first_half(struct unmap_common *op)
{
    struct vcpu *v = current;
    struct grant_table *lgt = v->domain->grant_table, *rgt;
    int rc = GNTST_okay;

    op->done = 0;
    if ( !maptrack_claim(&lgt->maptrack, op->handle, &op->m) )
    {
        gnttab_log("d%u: bad handle %#x\n", v->domain->domain_id, op->handle);
        op->status = GNTST_bad_handle;
        return;
    }
    rgt = op->m.rgt;
    spin_lock(&rgt->lock);
    /* A pinned entry keeps its frame, and tables never shrink: this holds unless a bug broke a pin. */
    BUG_ON(op->m.ref >= gnttab_nr_entries(rgt) || !gnttab_active(rgt, op->m.ref)->pin);
    op->mfn = gnttab_active(rgt, op->m.ref)->mfn;
    spin_unlock(&rgt->lock);

    if ( op->dev_bus_addr && (op->m.flags & GNTMAP_device_map) && op->dev_bus_addr != pfn_to_paddr(op->mfn) )
    {
        gnttab_log("d%u: handle %#x: bus address %#lx is not %#lx\n", v->domain->domain_id, op->handle,
                   (unsigned long)op->dev_bus_addr, pfn_to_paddr(op->mfn));
        rc = GNTST_bad_dev_addr;
        goto out;
    }
    if ( op->host_addr && (op->m.flags & GNTMAP_host_map) )
    {
        if ( (rc = gnttab_arch_replace_mapping(v, op->host_addr, op->mfn, op->new_addr, op->m.flags)) )
            goto out;
        op->done |= GNTMAP_host_map;
    }
    if ( op->dev_bus_addr && (op->m.flags & GNTMAP_device_map) )
        op->done |= GNTMAP_device_map;
    if ( op->done )
        op->done |= op->m.flags & GNTMAP_readonly;
 out:
    op->status = rc;
    if ( !op->done )
        maptrack_unclaim(&lgt->maptrack, op->handle, op->m.flags);
}

/* Second half, after the TLB flush: references, pins, status bits, the handle. */
static void unmap_second_half(struct unmap_common *op)
{
    struct grant_table *lgt = current->domain->grant_table, *rgt = op->m.rgt;
    struct active_grant_entry *act;
    uint16_t remaining;

    if ( !op->done )
        return;
    put_mapping_refs(mfn_to_page(op->mfn), op->done);
    spin_lock(&rgt->lock);
    act = gnttab_active(rgt, op->m.ref);
    BUG_ON(!gnttab_pin_covers(act->pin, pin_of(op->done)));
    act->pin -= pin_of(op->done);
    gnttab_unpin_update(rgt, op->m.ref, act, op->done & GNTMAP_readonly);
    spin_unlock(&rgt->lock);
    remaining = op->m.flags & ~(op->done & (GNTMAP_device_map | GNTMAP_host_map));
    maptrack_unclaim(&lgt->maptrack, op->handle, remaining);
    if ( !(remaining & (GNTMAP_device_map | GNTMAP_host_map)) )
        gnttab_put_table(rgt);
}

static long unmap_batch(unsigned long uop, unsigned int count, bool replace)
{
    struct unmap_common common[GNTTAB_UNMAP_BATCH];
    size_t size = replace ? sizeof(gnttab_unmap_and_replace_t) : sizeof(gnttab_unmap_grant_ref_t);
    size_t status_off = replace ? offsetof(gnttab_unmap_and_replace_t, status)
                                : offsetof(gnttab_unmap_grant_ref_t, status);
    unsigned int i, n = min(count, (unsigned int)GNTTAB_UNMAP_BATCH), started = 0;
    bool flush = false;
    long rc = 0;

    for ( i = 0; i < n; i++ )
    {
        struct unmap_common *c = &common[i];
        unsigned long addr = uop + i * size;

        if ( replace )
        {
            gnttab_unmap_and_replace_t op;

            if ( copy_from_guest_va(&op, addr, sizeof(op)) )
            {
                rc = -EFAULT;
                break;
            }
            c->host_addr = op.host_addr;
            c->new_addr = op.new_addr;
            c->dev_bus_addr = 0;
            c->handle = op.handle;
        }
        else
        {
            gnttab_unmap_grant_ref_t op;

            if ( copy_from_guest_va(&op, addr, sizeof(op)) )
            {
                rc = -EFAULT;
                break;
            }
            c->host_addr = op.host_addr;
            c->new_addr = 0;
            c->dev_bus_addr = op.dev_bus_addr;
            c->handle = op.handle;
        }
        unmap_first_half(c);
        started++;
        flush |= c->done & GNTMAP_host_map;
        if ( copy_to_guest_va(addr + status_off, &c->status, sizeof(c->status)) )
        {
            rc = -EFAULT;
            break;
        }
    }
    /* No CPU may keep a translation through a removed entry once its references go. */
    if ( flush )
        gnttab_arch_flush_tlb(current->domain);
    for ( i = 0; i < started; i++ )
        unmap_second_half(&common[i]);
    if ( rc )
        return rc;
    return count - n;
}

long gnttab_unmap_batch(unsigned long uop, unsigned int count)
{
    return unmap_batch(uop, count, false);
}

long gnttab_unmap_and_replace_batch(unsigned long uop, unsigned int count)
{
    return unmap_batch(uop, count, true);
}

void gnttab_release_mappings(struct domain *d)
{
    struct grant_table *lgt = d->grant_table;
    struct grant_mapping m;
    unsigned int h = 0;
    bool flushed = false;

    /* d runs no more (it is dying, or domain_create() is giving it up). */
    while ( maptrack_claim_next(&lgt->maptrack, &h, &m) )
    {
        struct grant_table *rgt = m.rgt;
        struct active_grant_entry *act;
        uint32_t parts = m.flags & (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly);

        /* d's page tables are gone; its CPUs may still cache translations through them. */
        if ( !flushed )
        {
            gnttab_arch_flush_tlb(d);
            flushed = true;
        }
        gnttab_log("d%u: releasing handle %#x (ref %#x of d%u, flags %#x)\n", d->domain_id, h, m.ref, m.domid,
                   m.flags);
        spin_lock(&rgt->lock);
        act = gnttab_active(rgt, m.ref);
        BUG_ON(!gnttab_pin_covers(act->pin, pin_of(parts)));
        put_mapping_refs(mfn_to_page(act->mfn), parts);
        act->pin -= pin_of(parts);
        gnttab_unpin_update(rgt, m.ref, act, m.flags & GNTMAP_readonly);
        spin_unlock(&rgt->lock);
        maptrack_unclaim(&lgt->maptrack, h, 0);
        gnttab_put_table(rgt);
        h++;
    }
}
