/*
 * mm_ops.c (pv) - the cores of mmu_update, update_va_mapping and the mmuext_op table operations; teardown.
 *
 * Design: the hypercall glue copies each request in and decodes the
 * domains; these functions check ownership and privilege, take the table
 * owner's mm_lock for the whole request, and act through mod_entry.c and
 * page_type.c (Xen 4.17's do_mmu_update, __do_update_va_mapping,
 * do_mmuext_op PIN/UNPIN/NEW_BASEPTR/NEW_USER_BASEPTR, new_guest_cr3,
 * vcpu_destroy_pagetables).  Unlike Xen nothing is preempted or deferred:
 * an old root or an unpinned tree is released before the call returns.
 *
 * Locking: the mm_lock of the domain whose tables, pins or roots change
 * (pt_owner; pg_owner for pins), then page_alloc_lock where noted.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/mm.h>
#include <asm/pv_mm.h>
#include "mm_internal.h"

/* Acting on another domain's tables or frames needs privilege. */
static struct domain *other_domain(struct vcpu *v, struct domain *d)
{
    if ( !d || d == v->domain )
        return v->domain;
    return v->domain->is_privileged ? d : NULL;
}

/* A plain write to a frame of pt_owner that is not a page table (Xen allows it, as a writable page). */
static int write_plain(struct page_info *pg, unsigned int idx, uint64_t val)
{
    if ( !get_page_type(pg, PGT_writable_page) )
        return -EINVAL;
    __atomic_store_n((uint64_t *)mfn_to_virt(page_to_mfn(pg)) + idx, val, __ATOMIC_RELEASE);
    put_page_type(pg);
    return 0;
}

static int pt_update(uint64_t ma, uint64_t val, bool preserve_ad, struct domain *pt_owner,
                     struct domain *pg_owner)
{
    unsigned long mfn = (unsigned long)(ma >> PAGE_SHIFT);
    unsigned int idx = (unsigned int)((ma & ~PAGE_MASK) / sizeof(uint64_t));
    struct page_info *pg;
    int rc = -EINVAL;

    if ( !mfn_valid(mfn) || !get_page(pg = mfn_to_page(mfn), pt_owner) )
    {
        pv_mm_log("d%u: mmu_update on mfn %lx it does not own\n", pt_owner->domain_id, mfn);
        return -EINVAL;
    }
    pv_mm_lock(pt_owner);
    if ( pt_owner->is_dying )
        goto out;
    switch ( pv_validated_level(pg) )
    {
    case 0:
        rc = write_plain(pg, idx, val);
        break;
    case 1:
        rc = mod_l1_entry(pg, idx, val, preserve_ad, pg_owner, NULL);
        break;
    case 2:
        if ( pg_owner == pt_owner )
            rc = mod_l2_entry(pg, idx, val, preserve_ad, NULL);
        break;
    case 3:
        if ( pg_owner == pt_owner )
            rc = mod_l3_entry(pg, idx, val, preserve_ad, NULL);
        break;
    case 4:
        if ( pg_owner == pt_owner )
            rc = mod_l4_entry(pg, idx, val, preserve_ad, NULL);
        break;
    }
 out:
    pv_mm_unlock(pt_owner);
    put_page(pg);
    return rc;
}

int pv_mmu_update_one(struct vcpu *v, uint64_t ptr, uint64_t val, struct domain *pt_owner,
                      struct domain *pg_owner)
{
    unsigned int cmd = (unsigned int)(ptr & (sizeof(uint64_t) - 1));
    struct page_info *pg;
    unsigned long mfn;

    pt_owner = other_domain(v, pt_owner);
    pg_owner = other_domain(v, pg_owner);
    if ( !pt_owner || !pg_owner )
        return -EPERM;

    switch ( cmd )
    {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_NO_TRANSLATE:    /* PV guests are never translated: the same */
    case MMU_PT_UPDATE_PRESERVE_AD:
        return pt_update(ptr - cmd, val, cmd == MMU_PT_UPDATE_PRESERVE_AD, pt_owner, pg_owner);

    case MMU_MACHPHYS_UPDATE:
        if ( pt_owner != v->domain )
            return -EPERM;
        mfn = (unsigned long)(ptr >> PAGE_SHIFT);
        if ( !mfn_valid(mfn) || !get_page(pg = mfn_to_page(mfn), pg_owner) )
        {
            pv_mm_log("d%u: M2P update for mfn %lx not owned by d%u\n", v->domain->domain_id, mfn,
                      pg_owner->domain_id);
            return -EINVAL;
        }
        set_gpfn_from_mfn(mfn, (unsigned long)val);
        put_page(pg);
        return 0;

    default:
        return -ENOSYS;
    }
}

/* The L1 table that maps va in v's kernel root, read through the hypervisor's mappings; NULL if none. */
static struct page_info *guest_l1_of(const struct vcpu *v, unsigned long va)
{
    static const unsigned int shift[] = { [2] = L2_SHIFT, [3] = L3_SHIFT, [4] = L4_SHIFT };
    unsigned long mfn = v->arch.guest_table;
    unsigned int level;

    for ( level = 4; level > 1; level-- )
    {
        uint64_t e;

        if ( !mfn || !mfn_valid(mfn) )
            return NULL;
        e = READ_ONCE(((const uint64_t *)mfn_to_virt(mfn))[(va >> shift[level]) & (PT_ENTRIES - 1)]);
        if ( (e & (_PAGE_PRESENT | _PAGE_PSE)) != _PAGE_PRESENT )
            return NULL;
        mfn = pte_mfn(e);
    }
    return mfn_valid(mfn) ? mfn_to_page(mfn) : NULL;
}

/* Canonical and outside the hypervisor's slots (Xen's __addr_ok). */
static bool guest_va_ok(unsigned long va)
{
    return va < (1UL << 47) || va >= HV_AREA_END;
}

int pv_update_va_mapping(struct vcpu *v, unsigned long va, uint64_t val, struct domain *pg_owner)
{
    struct domain *d = v->domain;
    struct page_info *l1pg;
    int rc = -EINVAL;

    if ( !(pg_owner = other_domain(v, pg_owner)) )
        return -EPERM;
    if ( !guest_va_ok(va) )
        return -EINVAL;
    pv_mm_lock(d);
    l1pg = d->is_dying ? NULL : guest_l1_of(v, va);
    if ( l1pg && get_page(l1pg, d) )
    {
        rc = mod_l1_entry(l1pg, l1_index(va), val, false, pg_owner, NULL);
        put_page(l1pg);
    }
    pv_mm_unlock(d);
    if ( rc == -EINVAL && !l1pg )
        pv_mm_log("d%u: update_va_mapping: no L1 table maps %lx\n", d->domain_id, va);
    return rc;
}

int pv_pin_table(struct vcpu *v, unsigned long mfn, unsigned int level, struct domain *pg_owner)
{
    struct page_info *pg;
    unsigned long x;
    int rc = -EINVAL;

    if ( !(pg_owner = other_domain(v, pg_owner)) )
        return -EPERM;
    if ( level < 1 || level > 4 || !mfn_valid(mfn) )
        return -EINVAL;
    pg = mfn_to_page(mfn);
    pv_mm_lock(pg_owner);
    if ( !pg_owner->is_dying && get_page_and_type(pg, pg_owner, pv_level_type(level)) )
    {
        x = __atomic_fetch_or(&pg->u.inuse.type_info, PGT_pinned, __ATOMIC_ACQ_REL);
        if ( !(x & PGT_pinned) )
            rc = 0;
        else
        {
            pv_mm_log("d%u: mfn %lx already pinned\n", pg_owner->domain_id, mfn);
            put_page_and_type(pg);
        }
    }
    pv_mm_unlock(pg_owner);
    return rc;
}

int pv_unpin_table(struct vcpu *v, unsigned long mfn, struct domain *pg_owner)
{
    struct page_info *pg;
    int rc = -EINVAL;

    if ( !(pg_owner = other_domain(v, pg_owner)) )
        return -EPERM;
    if ( !mfn_valid(mfn) )
        return -EINVAL;
    pg = mfn_to_page(mfn);
    pv_mm_lock(pg_owner);
    if ( get_page(pg, pg_owner) )
    {
        if ( __atomic_fetch_and(&pg->u.inuse.type_info, ~PGT_pinned, __ATOMIC_ACQ_REL) & PGT_pinned )
        {
            put_page_and_type(pg);
            rc = 0;
        }
        else
            pv_mm_log("d%u: mfn %lx not pinned\n", pg_owner->domain_id, mfn);
        put_page(pg);
    }
    pv_mm_unlock(pg_owner);
    return rc;
}

/* Install mfn (0: none) as *root with an L4 reference, switch, then drop the old root's reference. */
static int new_root(struct vcpu *v, unsigned long *root, unsigned long mfn)
{
    struct domain *d = v->domain;
    unsigned long old;
    int rc = 0;

    pv_mm_lock(d);
    old = *root;
    if ( mfn != old )
    {
        if ( d->is_dying || (mfn && (!mfn_valid(mfn) ||
                                     !get_page_and_type(mfn_to_page(mfn), d, PGT_l4_page_table))) )
        {
            pv_mm_log("d%u: mfn %lx cannot be a root table\n", d->domain_id, mfn);
            rc = -EINVAL;
            goto out;
        }
        *root = mfn;
    }
    pv_switch_root(v);
    if ( old && old != mfn )
        put_page_and_type(mfn_to_page(old));
 out:
    pv_mm_unlock(d);
    return rc;
}

int pv_new_baseptr(struct vcpu *v, unsigned long mfn)
{
    if ( !mfn )
        return -EINVAL;
    return new_root(v, &v->arch.guest_table, mfn);
}

int pv_new_user_baseptr(struct vcpu *v, unsigned long mfn)
{
    return new_root(v, &v->arch.guest_table_user, mfn);
}

/* A vCPU that is not running (never current) gives up its kernel root (a failed VCPUOP_initialise). */
void pv_drop_baseptr(struct vcpu *v)
{
    new_root(v, &v->arch.guest_table, 0);
}

static void drop_root(unsigned long *root)
{
    unsigned long mfn = *root;

    *root = 0;
    if ( mfn )
        put_page_and_type(mfn_to_page(mfn));
}

/* A count-only reference, so pg stays on its owner's list while we look at it; false if it is going. */
static bool hold_page(struct page_info *pg)
{
    unsigned long x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED);

    do {
        if ( !(x & PGC_count_mask) )
            return false;
    } while ( !__atomic_compare_exchange_n(&pg->count_info, &x, x + 1, false, __ATOMIC_ACQUIRE,
                                           __ATOMIC_RELAXED) );
    return true;
}

/* The first pinned frame from pg on (held), with d->page_alloc_lock held; NULL at the end. */
static struct page_info *next_pinned(struct page_info *pg)
{
    for ( ; pg; pg = page_list_next(pg) )
        if ( (__atomic_load_n(&pg->u.inuse.type_info, __ATOMIC_RELAXED) & PGT_pinned) && hold_page(pg) )
            return pg;
    return NULL;
}

void pv_mm_relinquish(struct domain *d)
{
    struct page_info *pg, *next;
    struct vcpu *v;
    unsigned long flags;

    pv_mm_lock(d);
    for_each_vcpu ( d, v )
    {
        drop_root(&v->arch.guest_table);
        drop_root(&v->arch.guest_table_user);
    }

    /*
     * Other CPUs may free d's frames (dropping their last foreign mapping)
     * while we walk, so walk under page_alloc_lock but unpin outside it,
     * holding the current frame so that it stays on the list.
     */
    spin_lock_irqsave(&d->page_alloc_lock, flags);
    pg = next_pinned(page_list_first(&d->page_list));
    spin_unlock_irqrestore(&d->page_alloc_lock, flags);
    while ( pg )
    {
        if ( __atomic_fetch_and(&pg->u.inuse.type_info, ~PGT_pinned, __ATOMIC_ACQ_REL) & PGT_pinned )
            put_page_and_type(pg);
        spin_lock_irqsave(&d->page_alloc_lock, flags);
        next = next_pinned(page_list_next(pg));
        spin_unlock_irqrestore(&d->page_alloc_lock, flags);
        put_page(pg);
        pg = next;
    }
    pv_mm_unlock(d);
}
