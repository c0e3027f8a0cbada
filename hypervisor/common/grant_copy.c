/*
 * grant_copy.c - copying through grants (GNTTABOP_copy) and the cache-maintenance check
 * (GNTTABOP_cache_flush), as Xen 4.17's acquire_grant_for_copy, gnttab_copy and cache_flush.
 *
 * Design: each side of a copy is a grant of another domain (by reference, GNTCOPY_*_gref) or one
 * of the caller's own frames (by frame number, DOMID_SELF only).  A side given by reference is
 * pinned for the copy alone (hstr for the source, hstw for the destination, with the GTF_* bits
 * set), which is what tells the granter that its page is being accessed.  Both frames hold a page
 * reference for the copy, and the destination a writable type reference, so neither can be freed
 * or become a page table in the middle; the hypervisor copies through its direct map.  A v2
 * sub-page grant only allows its window; a v2 transitive grant is followed to the grant it names
 * (one level, as Xen; gnttab=no-transitive refuses them).  The checks, and the status each failure
 * gives, come in Xen's order: domains, source, destination, then offsets and length.
 *
 * cache_flush: on x86 DMA is cache-coherent, so there is nothing to do; the operation is checked
 * exactly as Xen checks it (arguments; the frame must be the caller's own or one it has a grant
 * of) and answers as Xen's x86 code: 0, or -EOPNOTSUPP for an invalidate without a clean.
 *
 * Locking: one table lock at a time (a transitive grant's own table is pinned after the first is
 * unlocked), never held across the copy itself.
 */
#include <parva/domain.h>
#include <parva/errno.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include "grant_private.h"

/* acquire_for_copy() found the entry changed under it: the operation starts again. */
#define COPY_RETRY      1

/* One pinned grant of a copy, and the grant it led to if it was transitive. */
struct copy_grant {
    struct grant_table *gt;
    grant_ref_t ref;
    bool readonly;
    struct domain *td;                  /* transitive: the domain whose grant was pinned too (held) */
    grant_ref_t trans_ref;
};

/* One side of a copy. */
struct copy_buf {
    struct domain *d;                   /* the domain named (a reference held) */
    bool have_grant, have_type;
    struct copy_grant g;
    struct page_info *pg;               /* a reference held */
    unsigned long mfn;
    uint16_t start, length;             /* what the grant allows */
};

static void release_for_copy(struct grant_table *gt, grant_ref_t ref, bool readonly)
{
    struct active_grant_entry *act;

    spin_lock(&gt->lock);
    act = gnttab_active(gt, ref);
    act->pin -= readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    gnttab_unpin_update(gt, ref, act, readonly);
    spin_unlock(&gt->lock);
}

static void release_grant(struct copy_grant *g)
{
    release_for_copy(g->gt, g->ref, g->readonly);
    if ( g->td )
    {
        release_for_copy(g->td->grant_table, g->trans_ref, g->readonly);
        put_domain(g->td);
        g->td = NULL;
    }
}

/*
 * Pin grant ref of rd for a copy by domain ldom; on success *pg holds a page reference and
 * *mfn, *start, *length say what may be accessed.  GNTST_* or COPY_RETRY.
 */
static int acquire_for_copy(struct domain *rd, grant_ref_t ref, domid_t ldom, bool readonly, bool allow_transitive,
                            struct copy_grant *g, struct page_info **pg, unsigned long *mfn, uint16_t *start,
                            uint16_t *length)
{
    struct grant_table *rgt = rd->grant_table;
    struct active_grant_entry *act;
    struct grant_entry_view view;
    struct grant_target t;
    uint32_t old_pin;
    bool need_status;
    int rc;

    *pg = NULL;
    g->gt = rgt;
    g->ref = ref;
    g->readonly = readonly;
    g->td = NULL;
    spin_lock(&rgt->lock);
    if ( ref >= gnttab_nr_entries(rgt) )
    {
        spin_unlock(&rgt->lock);
        gnttab_log("copy: bad ref %#x of d%u\n", ref, rd->domain_id);
        return GNTST_bad_gntref;
    }
    act = gnttab_active(rgt, ref);
    gnttab_entry_view(rgt, ref, &view);
    if ( act->pin && (act->domid != ldom ||
                      (act->pin & GNTPIN_overflow_of(readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc))) )
    {
        spin_unlock(&rgt->lock);
        gnttab_log("copy: ref %#x of d%u is in use by d%u (pin %#x)\n", ref, rd->domain_id, act->domid, act->pin);
        return GNTST_general_error;
    }
    old_pin = act->pin;
    need_status = !old_pin || (!readonly && !(old_pin & GNTPIN_writers));
    gnttab_entry_target(gnttab_shared_entry(rgt, ref), rgt->version, &t);

    if ( rgt->version == 2 && (gnttab_hdr_flags(*view.hdr) & GTF_type_mask) == GTF_transitive )
    {
        struct copy_grant inner;
        struct page_info *ipg;
        unsigned long imfn;
        uint16_t istart, ilength;
        struct domain *td;

        if ( need_status && (rc = gnttab_entry_pin(&view, old_pin != 0, readonly, false, ldom)) != GNTST_okay )
            goto unlock;
        rc = GNTST_general_error;
        if ( !allow_transitive || t.trans_domid == rd->domain_id || !(td = domain_lookup(t.trans_domid)) )
        {
            gnttab_log("copy: transitive ref %#x of d%u refused (to d%u)\n", ref, rd->domain_id, t.trans_domid);
            goto unlock_clear;
        }
        /* Pin the grant it leads to with our table unlocked (it may be ours), then check nothing moved. */
        spin_unlock(&rgt->lock);
        rc = acquire_for_copy(td, t.trans_gref, rd->domain_id, readonly, false, &inner, &ipg, &imfn, &istart,
                              &ilength);
        spin_lock(&rgt->lock);
        act = gnttab_active(rgt, ref);
        if ( rc != GNTST_okay )
        {
            gnttab_unpin_update(rgt, ref, act, readonly);
            spin_unlock(&rgt->lock);
            put_domain(td);
            return rc;
        }
        if ( rgt->version != 2 || act->pin != old_pin ||
             (old_pin && (act->domid != ldom || act->mfn != imfn || act->start != istart ||
                          act->length != ilength || !act->is_sub_page)) )
        {
            gnttab_unpin_update(rgt, ref, act, readonly);
            spin_unlock(&rgt->lock);
            release_for_copy(td->grant_table, t.trans_gref, readonly);
            put_page(ipg);
            put_domain(td);
            return COPY_RETRY;
        }
        if ( !old_pin )
        {
            act->domid = ldom;
            act->start = istart;
            act->length = ilength;
            act->mfn = imfn;
            act->is_sub_page = true;    /* never mapped */
        }
        g->td = td;
        g->trans_ref = t.trans_gref;
        *pg = ipg;
    }
    else if ( need_status )
    {
        if ( (rc = gnttab_entry_pin(&view, old_pin != 0, readonly, false, ldom)) != GNTST_okay )
            goto unlock;
        if ( !old_pin )
        {
            if ( !mfn_valid(t.frame) || !get_page(mfn_to_page(t.frame), rd) )
            {
                gnttab_log("copy: ref %#x of d%u: frame %#lx is not d%u's\n", ref, rd->domain_id,
                           (unsigned long)t.frame, rd->domain_id);
                rc = GNTST_bad_page;
                goto unlock_clear;
            }
            *pg = mfn_to_page(t.frame);
            act->domid = ldom;
            act->is_sub_page = t.sub_page;
            act->start = t.start;
            act->length = t.length;
            act->mfn = (unsigned long)t.frame;
        }
    }
    if ( !*pg )
    {
        /* Pinned already: the frame is the one on record, which must still be rd's. */
        if ( rd->is_dying || !get_page(mfn_to_page(act->mfn), rd) )
        {
            rc = GNTST_bad_domain;
            goto unlock_clear;
        }
        *pg = mfn_to_page(act->mfn);
    }
    act->pin += readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    *start = act->start;
    *length = act->length;
    *mfn = act->mfn;
    spin_unlock(&rgt->lock);
    return GNTST_okay;

 unlock_clear:
    gnttab_unpin_update(rgt, ref, act, readonly);
 unlock:
    spin_unlock(&rgt->lock);
    return rc;
}

static void release_buf(struct copy_buf *b)
{
    if ( b->have_grant )
        release_grant(&b->g);
    if ( b->have_type )
        gnttab_arch_put_writable(b->pg);
    if ( b->pg )
        put_page(b->pg);
    if ( b->d )
        put_domain(b->d);
    memset(b, 0, sizeof(*b));
}

/* The domain a copy side names: by frame only DOMID_SELF (Xen's rule). */
static int lock_domain(const struct gnttab_copy_ptr *p, bool by_ref, struct copy_buf *b)
{
    if ( p->domid != DOMID_SELF && !by_ref )
        return GNTST_permission_denied;
    if ( !(b->d = gnttab_lookup_domain(p->domid, true)) )
        return GNTST_bad_domain;
    return GNTST_okay;
}

static int claim_buf(const struct gnttab_copy_ptr *p, bool by_ref, bool readonly, struct copy_buf *b)
{
    int rc;

    if ( by_ref )
    {
        rc = acquire_for_copy(b->d, p->u.ref, current->domain->domain_id, readonly, gnttab_opt_transitive, &b->g,
                              &b->pg, &b->mfn, &b->start, &b->length);
        if ( rc != GNTST_okay )
            return rc;
        b->have_grant = true;
    }
    else
    {
        if ( !mfn_valid(p->u.gmfn) || !get_page(mfn_to_page(p->u.gmfn), b->d) )
        {
            gnttab_log("copy: frame %#lx is not d%u's\n", (unsigned long)p->u.gmfn, b->d->domain_id);
            return GNTST_bad_page;
        }
        b->pg = mfn_to_page(p->u.gmfn);
        b->mfn = p->u.gmfn;
        b->start = 0;
        b->length = PAGE_SIZE;
    }
    if ( !readonly )
    {
        if ( !gnttab_arch_get_writable(b->pg) )
        {
            gnttab_log("copy: frame %#lx cannot be written (a page table?)\n", b->mfn);
            return GNTST_general_error;
        }
        b->have_type = true;
    }
    return GNTST_okay;
}

static bool in_window(const struct gnttab_copy_ptr *p, uint16_t len, const struct copy_buf *b)
{
    return p->offset >= b->start && (unsigned int)p->offset + len <= (unsigned int)b->start + b->length;
}

/* Is b, kept from the batch's previous copy, already the side p names?  (Xen's gnttab_copy_buf_valid.) */
static bool buf_matches(const struct copy_buf *b, const struct gnttab_copy_ptr *p, bool by_ref)
{
    domid_t id = p->domid == DOMID_SELF ? current->domain->domain_id : p->domid;

    if ( !b->d || b->d->domain_id != id || b->have_grant != by_ref )
        return false;
    return by_ref ? b->g.ref == p->u.ref : b->mfn == p->u.gmfn;
}

static int copy_one(const struct gnttab_copy *op, struct copy_buf *src, struct copy_buf *dst)
{
    bool src_by_ref = op->flags & GNTCOPY_source_gref, dst_by_ref = op->flags & GNTCOPY_dest_gref;
    bool keep_src = buf_matches(src, &op->source, src_by_ref), keep_dst = buf_matches(dst, &op->dest, dst_by_ref);
    int rc;

    /* Xen's order: both domains, then the source, then the destination. */
    if ( !keep_src )
    {
        release_buf(src);
        if ( (rc = lock_domain(&op->source, src_by_ref, src)) != GNTST_okay )
            goto fail_src;
    }
    if ( !keep_dst )
    {
        release_buf(dst);
        if ( (rc = lock_domain(&op->dest, dst_by_ref, dst)) != GNTST_okay )
            goto fail_dst;
    }
    if ( !keep_src && (rc = claim_buf(&op->source, src_by_ref, true, src)) != GNTST_okay )
        goto fail_src;
    if ( !keep_dst && (rc = claim_buf(&op->dest, dst_by_ref, false, dst)) != GNTST_okay )
        goto fail_dst;
    if ( (unsigned int)op->source.offset + op->len > PAGE_SIZE ||
         (unsigned int)op->dest.offset + op->len > PAGE_SIZE )
    {
        gnttab_log("copy beyond a page: offsets %u, %u, length %u\n", op->source.offset, op->dest.offset, op->len);
        return GNTST_bad_copy_arg;
    }
    if ( !in_window(&op->source, op->len, src) || !in_window(&op->dest, op->len, dst) )
    {
        gnttab_log("copy outside the granted bytes\n");
        return GNTST_general_error;
    }
    gnttab_arch_copy((uint8_t *)mfn_to_virt(dst->mfn) + op->dest.offset,
                     (const uint8_t *)mfn_to_virt(src->mfn) + op->source.offset, op->len);
    return GNTST_okay;

 fail_dst:
    release_buf(dst);
 fail_src:
    release_buf(src);               /* a side half-claimed is not kept for the next copy */
    return rc;
}

/*
 * The copies of one hypercall.  As Xen, a side that the next copy names again (same domain,
 * same grant or frame) stays claimed from one copy to the next (pinned, referenced, and for a
 * destination typed writable), and everything is released when the batch ends or stops.
 */
long gnttab_copy_batch(unsigned long uop, unsigned int count)
{
    struct copy_buf src = { 0 }, dst = { 0 };
    unsigned int i;
    long ret = 0;

    for ( i = 0; i < count; i++ )
    {
        struct gnttab_copy op;
        unsigned long addr = uop + i * sizeof(op);
        int rc;

        if ( i == GNTTAB_COPY_BATCH )
        {
            ret = count - i;
            break;
        }
        if ( copy_from_guest_va(&op, addr, sizeof(op)) )
        {
            ret = -EFAULT;
            break;
        }
        if ( (rc = copy_one(&op, &src, &dst)) == COPY_RETRY )
        {
            ret = count - i;                        /* start this one again */
            break;
        }
        op.status = rc;
        if ( copy_to_guest_va(addr + offsetof(struct gnttab_copy, status), &op.status, sizeof(op.status)) )
        {
            ret = -EFAULT;
            break;
        }
    }
    release_buf(&dst);
    release_buf(&src);
    return ret;
}

/* ---- GNTTABOP_cache_flush ---- */

/* Does d hold a pin of gt's entry for mfn?  Looks at up to 4096 entries from *cur_ref. */
static int grant_of(const struct domain *d, struct grant_table *gt, unsigned long mfn, unsigned int *cur_ref)
{
    unsigned int ref, nr = gnttab_nr_entries(gt), end = min(*cur_ref + 4096, nr);

    for ( ref = *cur_ref; ref < end; ref++ )
    {
        const struct active_grant_entry *act = gnttab_active(gt, ref);

        if ( act->pin && act->domid == d->domain_id && act->mfn == mfn )
            return 0;
    }
    if ( ref < nr )
    {
        *cur_ref = ref;
        return 1;                       /* look further in a continuation */
    }
    return -EINVAL;
}

static int cache_flush_one(const gnttab_cache_flush_t *c, unsigned int *cur_ref)
{
    struct domain *d = current->domain, *owner;
    struct page_info *pg;
    unsigned long mfn;
    int rc = 0;

    if ( c->offset >= PAGE_SIZE || c->length > PAGE_SIZE || c->offset + c->length > PAGE_SIZE ||
         (c->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)) )
        return -EINVAL;
    if ( !c->length || !c->op )
        return *cur_ref ? -EILSEQ : 0;
    mfn = (unsigned long)(c->a.dev_bus_addr >> PAGE_SHIFT);
    if ( !mfn_valid(mfn) )
        return -EINVAL;
    pg = mfn_to_page(mfn);
    owner = page_get_owner(pg);
    if ( !owner || !get_page(pg, owner) )
        return -EPERM;
    if ( !owner->grant_table )
        rc = -EPERM;
    else if ( owner != d )
    {
        struct grant_table *gt = owner->grant_table;

        spin_lock(&gt->lock);
        rc = grant_of(d, gt, mfn, cur_ref);
        spin_unlock(&gt->lock);
    }
    put_page(pg);
    if ( rc )
        return rc;
    /* x86: caches are coherent with DMA; Xen's x86 code has no invalidate-only operation. */
    if ( (c->op & (GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)) == GNTTAB_CACHE_INVAL )
        return -EOPNOTSUPP;
    return 0;
}

long gnttab_cache_flush_batch(unsigned long uop, unsigned int count, unsigned int *cur_ref)
{
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        gnttab_cache_flush_t op;
        int rc;

        if ( i == GNTTAB_COPY_BATCH )
            return count - i;
        if ( copy_from_guest_va(&op, uop + i * sizeof(op), sizeof(op)) )
            return -EFAULT;
        rc = cache_flush_one(&op, cur_ref);
        if ( rc < 0 )
            return rc;
        if ( rc > 0 )
            return count - i;           /* continue this operation where the search stopped */
        *cur_ref = 0;
    }
    return 0;
}
