/*
 * grant_table.c - grant tables: each domain's table and its frames, versions 1 and 2,
 * HYPERVISOR_grant_table_op and its table operations (setup_table, query_size, set_version,
 * get_version, get_status_frames, swap_grant_ref), continuations, and destruction.
 *
 * Design (Xen 4.17's common/grant_table.c, split by topic: see grant_private.h):
 *  - A table starts as version 1 with one frame (Xen's INITIAL_NR_GRANT_FRAMES) and grows, when
 *    setup_table asks for more, up to its limit (gnttab_max_frames=, default 64, or a per-domain
 *    value from gnttab_set_limits).  Its frames are hypervisor pages shared with the domain
 *    (share_xen_page_with_guest), so the guest maps them by machine frame number, the one
 *    setup_table returns: PV guests are not translated.  Version 2 adds status frames (the
 *    GTF_reading/GTF_writing bits, 2 bytes per entry), made when the domain switches to v2 or grows
 *    while in v2, and taken back when it switches to v1, which is refused (-EBUSY) while any of them
 *    is still mapped.  Frames are never taken back otherwise while the domain lives.
 *  - The hypervisor's own view of each entry is its active entry: who pinned it, the pin counts
 *    (host and device mappings, read and write, and copies in progress), the frame.  An entry with
 *    pins cannot change its frame or grantee as far as the hypervisor is concerned, whatever the
 *    guest writes; the guest sees GTF_reading/GTF_writing and must wait for them to clear.
 *  - Operations that can be batched (map, unmap, unmap_and_replace, copy, transfer, swap,
 *    cache_flush) handle a bounded number per invocation and then continue the hypercall (the
 *    guest re-executes it with the arguments advanced), so no guest can hold a CPU in one long
 *    loop.  Each operation's outcome is its GNTST_* status in the guest's array; the hypercall's
 *    own value is an -errno only for a malformed call (bad command, bad array, bad count).
 *  - Domain destruction (gnttab_domain_destroy): first every mapping the dying domain holds is
 *    undone (references dropped, the granters' entries unpinned); then its table is detached from
 *    it and its shared frames are given up.  A table whose grants other domains still map lives on
 *    (each maptrack record holds a reference on the table it names) so that their unmaps still
 *    work; the granted frames live on through the mappings' page references.
 *
 * Locking: see struct grant_table and struct maptrack (grant_private.h) and
 * docs/design/grant-tables.md.  In short: one lock per table (entries, frames, version), one per
 * maptrack; never two table locks at once; no grant lock is held across a page-table change (the
 * mapper's mm_lock, taken by the arch hooks), a TLB flush or a copy to or from guest memory of
 * another domain.
 */
#include <parva/domain.h>
#include <parva/errno.h>
#include <parva/keyhandler.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include "grant_private.h"

#define INITIAL_NR_GRANT_FRAMES         1
#define SWAP(a, b)                      do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while ( 0 )
/* The command's upper bits carry cache_flush's progress across continuations (Xen's ABI). */
#define GNTTABOP_CONTINUATION_ARG_SHIFT 12
#define GNTTABOP_CMD_MASK               ((1U << GNTTABOP_CONTINUATION_ARG_SHIFT) - 1)
#define GNTTABOP_ARG_MASK               (~GNTTABOP_CMD_MASK)

static unsigned int opt_max_grant_frames = GNTTAB_DEFAULT_MAX_FRAMES;
integer_param("gnttab_max_frames", opt_max_grant_frames);
static unsigned int opt_max_maptrack_frames = GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES;
integer_param("gnttab_max_maptrack_frames", opt_max_maptrack_frames);
static unsigned int opt_max_version = 2;
bool gnttab_opt_transitive = true;

/* Every table, the detached ones too, for the debug key.  A leaf lock, irq-safe (the key runs in an interrupt). */
static DEFINE_SPINLOCK(gt_list_lock);
static struct grant_table *gt_list;

/* gnttab=max-ver:<1|2>,transitive=<bool> (Xen's). */
static int parse_gnttab(const char *s)
{
    unsigned int ver = opt_max_version;
    bool transitive = gnttab_opt_transitive;

    while ( *s )
    {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        int b;

        if ( (len == 9 && (!strncmp(s, "max-ver:1", 9) || !strncmp(s, "max_ver:1", 9))) )
            ver = 1;
        else if ( (len == 9 && (!strncmp(s, "max-ver:2", 9) || !strncmp(s, "max_ver:2", 9))) )
            ver = 2;
        else if ( len > 11 && !strncmp(s, "transitive=", 11) && (b = parse_bool(s + 11, s + len)) >= 0 )
            transitive = b;
        else if ( len == 10 && !strncmp(s, "transitive", 10) )
            transitive = true;
        else if ( len == 13 && !strncmp(s, "no-transitive", 13) )
            transitive = false;
        else
            return -EINVAL;
        s += len + (e ? 1 : 0);
    }
    opt_max_version = ver;
    gnttab_opt_transitive = transitive;
    return 0;
}
custom_param("gnttab", parse_gnttab);

/* ---- Frames ---- */

static unsigned int active_frames_for(unsigned int grant_frames)
{
    /* Enough active entries for the most entries the frames can hold (v1: 512 per frame). */
    return DIV_ROUND_UP(grant_frames * SHGNT_PER_PAGE_V1, ACGNT_PER_PAGE);
}

unsigned int gnttab_nr_entries(const struct grant_table *gt)
{
    return gt->nr_grant_frames * (gt->version == 1 ? SHGNT_PER_PAGE_V1 : SHGNT_PER_PAGE_V2);
}

struct active_grant_entry *gnttab_active(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->active[ref / ACGNT_PER_PAGE][ref % ACGNT_PER_PAGE];
}

void *gnttab_shared_entry(struct grant_table *gt, grant_ref_t ref)
{
    if ( gt->version == 1 )
        return &((grant_entry_v1_t *)gt->shared_raw[ref / SHGNT_PER_PAGE_V1])[ref % SHGNT_PER_PAGE_V1];
    return &((grant_entry_v2_t *)gt->shared_raw[ref / SHGNT_PER_PAGE_V2])[ref % SHGNT_PER_PAGE_V2];
}

void gnttab_entry_view(struct grant_table *gt, grant_ref_t ref, struct grant_entry_view *v)
{
    v->version = gt->version;
    v->hdr = gnttab_shared_entry(gt, ref);
    if ( gt->version == 1 )
        v->status = &((grant_entry_v1_t *)v->hdr)->flags;
    else
        v->status = &gt->status[ref / STGNT_PER_PAGE][ref % STGNT_PER_PAGE];
}

void gnttab_unpin_update(struct grant_table *gt, grant_ref_t ref, const struct active_grant_entry *act,
                         bool readonly)
{
    struct grant_entry_view v;

    /* A detached table's frames are gone: nobody reads its status bits any more. */
    if ( !gt->domain )
        return;
    gnttab_entry_view(gt, ref, &v);
    gnttab_entry_clear(&v, gnttab_unpin_flags(act->pin, readonly));
}

static struct page_info *frame_page(const void *va)
{
    return mfn_to_page(virt_to_mfn(va));
}

/* A new frame shared with d (zeroed); NULL when out of memory. */
static void *new_shared_frame(struct domain *d)
{
    void *va = alloc_xenheap_pages(0);

    if ( va )
        share_xen_page_with_guest(frame_page(va), d);
    return va;
}

/*
 * Take a shared frame back from its domain if only the ownership reference is left (no mapping):
 * true, and the frame is the table's again.  Atomic against a guest mapping it concurrently: once
 * PGC_allocated is gone, get_page() refuses it.
 */
static bool take_back_frame(void *va)
{
    struct page_info *pg = frame_page(va);
    unsigned long x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED);

    do {
        if ( (x & (PGC_allocated | PGC_count_mask)) != (PGC_allocated | 1) )
            return false;
    } while ( !__atomic_compare_exchange_n(&pg->count_info, &x, x & ~(PGC_allocated | PGC_count_mask), false,
                                           __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) );
    pg->v.owner = NULL;
    pg->u.inuse.type_info = 0;
    return true;
}

/*
 * Destruction: give a shared frame up.  Unmapped, it is freed now.  Still mapped (a privileged
 * domain's foreign mapping), it stops being a hypervisor page: it becomes an ownerless frame whose
 * last reference frees it (through the pending-free list, after a TLB flush), as the dying
 * domain's own frames do.
 */
static void give_up_frame(void *va)
{
    struct page_info *pg = frame_page(va);
    unsigned long x;

    if ( take_back_frame(va) )
    {
        free_xenheap_pages(va, 0);
        return;
    }
    pg->v.owner = NULL;                 /* before it can be freed as a domain frame */
    x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED);
    for ( ; ; )
    {
        if ( (x & (PGC_allocated | PGC_count_mask)) == (PGC_allocated | 1) )
        {
            /* The mapping went meanwhile. */
            if ( take_back_frame(va) )
            {
                free_xenheap_pages(va, 0);
                return;
            }
            x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED);
            continue;
        }
        BUG_ON(!(x & PGC_allocated) || (x & PGC_count_mask) < 2);
        if ( __atomic_compare_exchange_n(&pg->count_info, &x, (x & ~(PGC_allocated | PGC_xen_heap)) - 1, false,
                                         __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) )
            break;
    }
    printk(XENLOG_INFO "gnttab: frame %lx outlives its table: still mapped\n", virt_to_mfn(va));
}

/*
 * Grow gt (locked) to nr frames (at least the ones it has), with the status frames they need when
 * with_status (version 2); 0 or -ENOMEM (nothing changed).
 */
static int grow_frames(struct grant_table *gt, unsigned int nr, bool with_status)
{
    struct domain *d = gt->domain;
    unsigned int old_na = gt->nr_active_frames, old_n = gt->nr_grant_frames, old_ns = gt->nr_status_frames;
    unsigned int i, na, ns;

    nr = max(nr, max(old_n, (unsigned int)INITIAL_NR_GRANT_FRAMES));
    BUG_ON(nr > gt->max_grant_frames);
    na = max(active_frames_for(nr), old_na);
    ns = with_status ? max(grant_to_status_frames(nr), old_ns) : old_ns;
    for ( i = old_na; i < na; i++ )
        if ( !(gt->active[i] = alloc_xenheap_pages(0)) )
            goto fail;
    for ( i = old_n; i < nr; i++ )
        if ( !(gt->shared_raw[i] = new_shared_frame(d)) )
            goto fail;
    for ( i = old_ns; i < ns; i++ )
        if ( !(gt->status[i] = new_shared_frame(d)) )
            goto fail;
    if ( nr > old_n && old_n )
        gnttab_log("d%u grant table grows from %u to %u frames\n", gt->domid, old_n, nr);
    gt->nr_active_frames = na;
    gt->nr_grant_frames = nr;
    gt->nr_status_frames = ns;
    return 0;

 fail:
    /* Nothing was handed to the guest yet: the new frames are unmapped and come straight back. */
    for ( i = old_ns; i < ns && gt->status[i]; i++ )
    {
        BUG_ON(!take_back_frame(gt->status[i]));
        free_xenheap_pages(gt->status[i], 0);
        gt->status[i] = NULL;
    }
    for ( i = old_n; i < nr && gt->shared_raw[i]; i++ )
    {
        BUG_ON(!take_back_frame(gt->shared_raw[i]));
        free_xenheap_pages(gt->shared_raw[i], 0);
        gt->shared_raw[i] = NULL;
    }
    for ( i = old_na; i < na && gt->active[i]; i++ )
    {
        free_xenheap_pages(gt->active[i], 0);
        gt->active[i] = NULL;
    }
    gnttab_log("d%u: no memory to grow the grant table to %u frames\n", gt->domid, nr);
    return -ENOMEM;
}

static int grow_table(struct grant_table *gt, unsigned int nr)
{
    return grow_frames(gt, nr, gt->version == 2);
}

/* v2 -> v1: take the status frames back; -EBUSY (nothing changed) while the guest maps one. */
static int drop_status_frames(struct grant_table *gt)
{
    unsigned int i, j;

    for ( i = 0; i < gt->nr_status_frames; i++ )
        if ( !take_back_frame(gt->status[i]) )
        {
            for ( j = 0; j < i; j++ )
                share_xen_page_with_guest(frame_page(gt->status[j]), gt->domain);
            gnttab_log("d%u: status frame %u still mapped: staying at version 2\n", gt->domid, i);
            return -EBUSY;
        }
    for ( i = 0; i < gt->nr_status_frames; i++ )
    {
        free_xenheap_pages(gt->status[i], 0);
        gt->status[i] = NULL;
    }
    gt->nr_status_frames = 0;
    return 0;
}

/* ---- Life of a table ---- */

static void list_table(struct grant_table *gt, bool add)
{
    struct grant_table **pp;
    unsigned long flags;

    spin_lock_irqsave(&gt_list_lock, flags);
    if ( add )
    {
        gt->next = gt_list;
        gt_list = gt;
    }
    else
        for ( pp = &gt_list; *pp; pp = &(*pp)->next )
            if ( *pp == gt )
            {
                *pp = gt->next;
                break;
            }
    spin_unlock_irqrestore(&gt_list_lock, flags);
}

static void free_table(struct grant_table *gt)
{
    unsigned int i;

    list_table(gt, false);

    if ( gt->outlived )
        printk(XENLOG_INFO "gnttab: d%u's grant table freed: its last grant mapping is gone\n", gt->domid);

    for ( i = 0; i < gt->max_grant_frames; i++ )
        if ( gt->shared_raw && gt->shared_raw[i] )
            give_up_frame(gt->shared_raw[i]);
    for ( i = 0; gt->status && i < grant_to_status_frames(gt->max_grant_frames); i++ )
        if ( gt->status[i] )
            give_up_frame(gt->status[i]);
    for ( i = 0; gt->active && i < active_frames_for(gt->max_grant_frames); i++ )
        free_xenheap_pages(gt->active[i], 0);
    maptrack_destroy(&gt->maptrack);
    xfree(gt->shared_raw);
    xfree(gt->status);
    xfree(gt->active);
    xfree(gt);
}

void gnttab_get_table(struct grant_table *gt)
{
    __atomic_add_fetch(&gt->refcnt, 1, __ATOMIC_ACQUIRE);
}

void gnttab_put_table(struct grant_table *gt)
{
    if ( __atomic_sub_fetch(&gt->refcnt, 1, __ATOMIC_ACQ_REL) == 0 )
    {
        BUG_ON(gt->domain);
        free_table(gt);
    }
}

static int alloc_arrays(struct grant_table *gt, unsigned int max_frames)
{
    gt->shared_raw = xzalloc_array(void *, max_frames);
    gt->status = xzalloc_array(grant_status_t *, grant_to_status_frames(max_frames));
    gt->active = xzalloc_array(struct active_grant_entry *, active_frames_for(max_frames));
    return gt->shared_raw && gt->status && gt->active ? 0 : -ENOMEM;
}

int gnttab_domain_init(struct domain *d)
{
    struct grant_table *gt = xzalloc(struct grant_table);
    int rc = -ENOMEM;

    if ( !gt )
        return -ENOMEM;
    spin_lock_init(&gt->lock);
    gt->refcnt = 1;                     /* the domain's */
    gt->domain = d;
    gt->domid = d->domain_id;
    gt->version = 1;
    gt->max_grant_frames = max(opt_max_grant_frames, (unsigned int)INITIAL_NR_GRANT_FRAMES);
    if ( alloc_arrays(gt, gt->max_grant_frames) ||
         maptrack_init(&gt->maptrack, opt_max_maptrack_frames) ||
         (rc = grow_table(gt, INITIAL_NR_GRANT_FRAMES)) )
        goto fail;
    d->grant_table = gt;
    list_table(gt, true);
    return 0;

 fail:
    gt->domain = NULL;
    free_table(gt);
    return rc;
}

int gnttab_set_limits(struct domain *d, unsigned int max_frames, unsigned int max_maptrack_frames)
{
    struct grant_table *gt = d->grant_table;
    void **shared;
    grant_status_t **status;
    struct active_grant_entry **active;
    struct grant_mapping **mt;
    int rc = -ENOMEM;

    if ( max_frames < INITIAL_NR_GRANT_FRAMES || max_frames > opt_max_grant_frames ||
         max_maptrack_frames > opt_max_maptrack_frames )
        return -EINVAL;
    shared = xzalloc_array(void *, max_frames);
    status = xzalloc_array(grant_status_t *, grant_to_status_frames(max_frames));
    active = xzalloc_array(struct active_grant_entry *, active_frames_for(max_frames));
    mt = xzalloc_array(struct grant_mapping *, max_maptrack_frames ? max_maptrack_frames : 1);
    spin_lock(&gt->lock);
    spin_lock(&gt->maptrack.lock);
    if ( !shared || !status || !active || !mt )
        goto out;
    rc = -EBUSY;
    if ( gt->nr_grant_frames > max_frames || gt->nr_status_frames || gt->maptrack.limit )
        goto out;
    /* Swap the arrays: the old ones (freed below) hold only the frames the table has. */
    memcpy(shared, gt->shared_raw, gt->nr_grant_frames * sizeof(*shared));
    memcpy(active, gt->active, gt->nr_active_frames * sizeof(*active));
    SWAP(shared, gt->shared_raw);
    SWAP(status, gt->status);
    SWAP(active, gt->active);
    SWAP(mt, gt->maptrack.frames);
    gt->max_grant_frames = max_frames;
    gt->maptrack.max_frames = max_maptrack_frames;
    rc = 0;
 out:
    spin_unlock(&gt->maptrack.lock);
    spin_unlock(&gt->lock);
    xfree(shared);
    xfree(status);
    xfree(active);
    xfree(mt);
    return rc;
}

void gnttab_domain_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    unsigned int i;

    if ( !gt )
        return;
    gnttab_release_mappings(d);
    maptrack_destroy(&gt->maptrack);

    /* Detach: from now on nothing writes the shared or status frames. */
    spin_lock(&gt->lock);
    gt->domain = NULL;
    if ( __atomic_load_n(&gt->refcnt, __ATOMIC_ACQUIRE) > 1 )
    {
        gt->outlived = true;
        printk(XENLOG_INFO "gnttab: d%u's grant table outlives it: %u mappings of its grants remain\n",
               gt->domid, __atomic_load_n(&gt->refcnt, __ATOMIC_ACQUIRE) - 1);
    }
    spin_unlock(&gt->lock);
    for ( i = 0; i < gt->nr_grant_frames; i++ )
    {
        give_up_frame(gt->shared_raw[i]);
        gt->shared_raw[i] = NULL;
    }
    for ( i = 0; i < gt->nr_status_frames; i++ )
    {
        give_up_frame(gt->status[i]);
        gt->status[i] = NULL;
    }
    d->grant_table = NULL;
    gnttab_put_table(gt);
}

/* ---- Helpers for the operations ---- */

struct domain *gnttab_lookup_domain(domid_t id, bool self_ok)
{
    struct domain *cd = current->domain;

    if ( id == DOMID_SELF )
        return self_ok && get_domain(cd) ? cd : NULL;
    return domain_lookup(id);
}

bool gnttab_may_control(const struct domain *d)
{
    /* Xen's dummy XSM policy for XSM_TARGET: the domain itself, or the control domain. */
    return d == current->domain || current->domain->is_privileged;
}

/* The domain an operation names, with a reference, if the caller may control its table; else NULL
   with *status GNTST_bad_domain or GNTST_permission_denied (Xen's order of the two checks). */
static struct domain *controlled_domain(domid_t id, int16_t *status)
{
    struct domain *d = gnttab_lookup_domain(id, true);

    if ( !d )
        *status = GNTST_bad_domain;
    else if ( !gnttab_may_control(d) )
    {
        put_domain(d);
        d = NULL;
        *status = GNTST_permission_denied;
    }
    return d;
}

/*
 * Xen's guest_handle_okay(): the array's first address must be guest memory even when it is empty;
 * we also refuse arrays that run into the hypervisor's range.
 */
static bool guest_array_ok(unsigned long addr, unsigned long bytes)
{
    return guest_range_ok(addr, bytes ? bytes : 1);
}

/* ---- GNTTABOP_setup_table ---- */

static long setup_table(unsigned long uop, unsigned int count)
{
    struct gnttab_setup_table op;
    struct grant_table *gt;
    struct domain *d;
    unsigned int i;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest_va(&op, uop, sizeof(op)) )
        return -EFAULT;
    if ( !guest_array_ok((unsigned long)op.frame_list.p, (unsigned long)op.nr_frames * sizeof(xen_pfn_t)) )
        return -EFAULT;
    if ( !(d = controlled_domain(op.dom, &op.status)) )
        goto out;
    gt = d->grant_table;
    spin_lock(&gt->lock);
    if ( op.nr_frames > gt->max_grant_frames )
    {
        gnttab_log("d%u is limited to %u grant-table frames\n", d->domain_id, gt->max_grant_frames);
        op.status = GNTST_general_error;
    }
    else if ( (op.nr_frames > gt->nr_grant_frames ||
               (gt->version == 2 && grant_to_status_frames(op.nr_frames) > gt->nr_status_frames)) &&
              grow_table(gt, op.nr_frames) )
        op.status = GNTST_general_error;
    else
    {
        op.status = GNTST_okay;
        for ( i = 0; i < op.nr_frames; i++ )
        {
            xen_pfn_t mfn = virt_to_mfn(gt->shared_raw[i]);

            if ( copy_to_guest_va((unsigned long)op.frame_list.p + i * sizeof(mfn), &mfn, sizeof(mfn)) )
                op.status = GNTST_bad_virt_addr;
        }
    }
    spin_unlock(&gt->lock);
    put_domain(d);
 out:
    if ( copy_to_guest_va(uop + offsetof(struct gnttab_setup_table, status), &op.status, sizeof(op.status)) )
        return -EFAULT;
    return 0;
}

/* ---- GNTTABOP_query_size ---- */

static long query_size(unsigned long uop, unsigned int count)
{
    struct gnttab_query_size op;
    struct domain *d;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest_va(&op, uop, sizeof(op)) )
        return -EFAULT;
    if ( (d = controlled_domain(op.dom, &op.status)) )
    {
        struct grant_table *gt = d->grant_table;

        spin_lock(&gt->lock);
        op.nr_frames = gt->nr_grant_frames;
        op.max_nr_frames = gt->max_grant_frames;
        op.status = GNTST_okay;
        spin_unlock(&gt->lock);
        put_domain(d);
    }
    return copy_to_guest_va(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/* ---- GNTTABOP_set_version ---- */

static int change_version(struct grant_table *gt, unsigned int version)
{
    grant_entry_v1_t saved[GNTTAB_NR_RESERVED_ENTRIES];
    unsigned int i;
    int rc;

    /* Only the reserved entries (the toolstack's console and xenstore grants) may be in use. */
    for ( i = GNTTAB_NR_RESERVED_ENTRIES; i < gnttab_nr_entries(gt); i++ )
        if ( gnttab_active(gt, i)->pin )
        {
            gnttab_log("d%u: version %u -> %u refused: grant %#x in use\n", gt->domid, gt->version, version, i);
            return -EBUSY;
        }
    if ( gt->version == 1 )
    {
        if ( (rc = grow_frames(gt, gt->nr_grant_frames, true)) )    /* the status frames */
            return rc;
        gnttab_reserved_save_v1(gt->shared_raw[0], saved);
    }
    else
    {
        if ( (rc = gnttab_reserved_v1_representable(gt->shared_raw[0])) )
            return rc;
        gnttab_reserved_save_v2(gt->shared_raw[0], gt->status[0], saved);
        if ( (rc = drop_status_frames(gt)) )
            return rc;
    }
    for ( i = 0; i < gt->nr_grant_frames; i++ )
        memset(gt->shared_raw[i], 0, PAGE_SIZE);
    if ( version == 1 )
        gnttab_reserved_restore_v1(gt->shared_raw[0], saved);
    else
        gnttab_reserved_restore_v2(gt->shared_raw[0], gt->status[0], saved);
    gt->version = version;
    return 0;
}

static long set_version(unsigned long uop)
{
    struct grant_table *gt = current->domain->grant_table;
    gnttab_set_version_t op;
    long rc;

    if ( copy_from_guest_va(&op, uop, sizeof(op)) )
        return -EFAULT;
    spin_lock(&gt->lock);
    if ( op.version != 1 && op.version != 2 )
        rc = -EINVAL;
    else if ( op.version == 2 && opt_max_version == 1 )
        rc = -ENOSYS;                   /* as before set_version existed */
    else if ( op.version == gt->version )
        rc = 0;
    else
        rc = change_version(gt, op.version);
    op.version = gt->version;
    spin_unlock(&gt->lock);
    if ( copy_to_guest_va(uop, &op, sizeof(op)) )
        rc = -EFAULT;
    return rc;
}

/* ---- GNTTABOP_get_status_frames, GNTTABOP_get_version ---- */

static long get_status_frames(unsigned long uop, unsigned int count)
{
    gnttab_get_status_frames_t op;
    struct grant_table *gt;
    struct domain *d;
    unsigned int i;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest_va(&op, uop, sizeof(op)) )
        return -EFAULT;
    if ( !(d = controlled_domain(op.dom, &op.status)) )
        goto out;
    gt = d->grant_table;
    op.status = GNTST_okay;
    spin_lock(&gt->lock);
    if ( op.nr_frames > gt->nr_status_frames )
    {
        gnttab_log("d%u has %u status frames, %u asked for\n", d->domain_id, gt->nr_status_frames, op.nr_frames);
        op.status = GNTST_general_error;
    }
    else
        for ( i = 0; i < op.nr_frames; i++ )
        {
            uint64_t mfn = virt_to_mfn(gt->status[i]);

            if ( copy_to_guest_va((unsigned long)op.frame_list.p + i * sizeof(mfn), &mfn, sizeof(mfn)) )
                op.status = GNTST_bad_virt_addr;
        }
    spin_unlock(&gt->lock);
    put_domain(d);
 out:
    if ( copy_to_guest_va(uop + offsetof(gnttab_get_status_frames_t, status), &op.status, sizeof(op.status)) )
        return -EFAULT;
    return 0;
}

static long get_version(unsigned long uop)
{
    gnttab_get_version_t op;
    struct domain *d;

    if ( copy_from_guest_va(&op, uop, sizeof(op)) )
        return -EFAULT;
    if ( !(d = gnttab_lookup_domain(op.dom, true)) )
        return -ESRCH;
    if ( !gnttab_may_control(d) )
    {
        put_domain(d);
        return -EPERM;
    }
    op.version = READ_ONCE(d->grant_table->version);
    put_domain(d);
    if ( copy_to_guest_va(uop + offsetof(gnttab_get_version_t, version), &op.version, sizeof(op.version)) )
        return -EFAULT;
    return 0;
}

/* ---- GNTTABOP_swap_grant_ref ---- */

static int16_t swap_one(struct grant_table *gt, grant_ref_t a, grant_ref_t b)
{
    int16_t rc = GNTST_okay;

    spin_lock(&gt->lock);
    if ( a >= gnttab_nr_entries(gt) || b >= gnttab_nr_entries(gt) )
        rc = GNTST_bad_gntref;
    else if ( a == b )
        ;
    else if ( gnttab_active(gt, a)->pin || gnttab_active(gt, b)->pin )
        rc = GNTST_eagain;
    else if ( gt->version == 1 )
    {
        grant_entry_v1_t *ea = gnttab_shared_entry(gt, a), *eb = gnttab_shared_entry(gt, b), t = *ea;

        *ea = *eb;
        *eb = t;
    }
    else
    {
        grant_entry_v2_t *ea = gnttab_shared_entry(gt, a), *eb = gnttab_shared_entry(gt, b), t = *ea;
        grant_status_t *sa = &gt->status[a / STGNT_PER_PAGE][a % STGNT_PER_PAGE];
        grant_status_t *sb = &gt->status[b / STGNT_PER_PAGE][b % STGNT_PER_PAGE], ts = *sa;

        *ea = *eb;
        *eb = t;
        *sa = *sb;
        *sb = ts;
    }
    spin_unlock(&gt->lock);
    if ( rc == GNTST_bad_gntref )
        gnttab_log("d%u: swap of bad refs %#x, %#x\n", gt->domid, a, b);
    return rc;
}

#define GNTTAB_SWAP_BATCH   64

static long swap_grant_ref(unsigned long uop, unsigned int count)
{
    struct grant_table *gt = current->domain->grant_table;
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        gnttab_swap_grant_ref_t op;
        unsigned long addr = uop + i * sizeof(op);

        if ( i == GNTTAB_SWAP_BATCH )
            return count - i;
        if ( copy_from_guest_va(&op, addr, sizeof(op)) )
            return -EFAULT;
        op.status = swap_one(gt, op.ref_a, op.ref_b);
        if ( copy_to_guest_va(addr + offsetof(gnttab_swap_grant_ref_t, status), &op.status, sizeof(op.status)) )
            return -EFAULT;
    }
    return 0;
}

/* ---- The hypercall ---- */

static size_t op_size(unsigned int cmd)
{
    switch ( cmd )
    {
    case GNTTABOP_map_grant_ref:        return sizeof(gnttab_map_grant_ref_t);
    case GNTTABOP_unmap_grant_ref:      return sizeof(gnttab_unmap_grant_ref_t);
    case GNTTABOP_unmap_and_replace:    return sizeof(gnttab_unmap_and_replace_t);
    case GNTTABOP_transfer:             return sizeof(gnttab_transfer_t);
    case GNTTABOP_copy:                 return sizeof(gnttab_copy_t);
    case GNTTABOP_swap_grant_ref:       return sizeof(gnttab_swap_grant_ref_t);
    case GNTTABOP_cache_flush:          return sizeof(gnttab_cache_flush_t);
    default:                            return 0;
    }
}

long do_grant_table_op(unsigned long cmd_arg, unsigned long uop, unsigned long count_arg)
{
    unsigned int cmd = (unsigned int)cmd_arg, count = (unsigned int)count_arg;
    unsigned int opaque = cmd & GNTTABOP_ARG_MASK;
    size_t size;
    long rc;

    if ( (int)count < 0 )
        return -EINVAL;
    cmd &= GNTTABOP_CMD_MASK;
    if ( cmd != GNTTABOP_cache_flush && opaque )
        return -EINVAL;
    /* Batched operations: the whole array must be guest memory (Xen's guest_handle_okay). */
    if ( (size = op_size(cmd)) && !guest_array_ok(uop, (unsigned long)count * size) )
        return -EFAULT;

    switch ( cmd )
    {
    case GNTTABOP_map_grant_ref:
        rc = gnttab_map_batch(uop, count);
        break;
    case GNTTABOP_unmap_grant_ref:
        rc = gnttab_unmap_batch(uop, count);
        break;
    case GNTTABOP_unmap_and_replace:
        rc = gnttab_unmap_and_replace_batch(uop, count);
        break;
    case GNTTABOP_setup_table:
        return setup_table(uop, count);
    case GNTTABOP_transfer:
        rc = gnttab_transfer_batch(uop, count);
        break;
    case GNTTABOP_copy:
        rc = gnttab_copy_batch(uop, count);
        break;
    case GNTTABOP_query_size:
        return query_size(uop, count);
    case GNTTABOP_set_version:
        return set_version(uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(uop, count);
    case GNTTABOP_get_version:
        return get_version(uop);
    case GNTTABOP_swap_grant_ref:
        rc = swap_grant_ref(uop, count);
        break;
    case GNTTABOP_cache_flush:
        opaque >>= GNTTABOP_CONTINUATION_ARG_SHIFT;
        rc = gnttab_cache_flush_batch(uop, count, &opaque);
        if ( rc > 0 )
            return hypercall_create_continuation(__HYPERVISOR_grant_table_op,
                                                 cmd | (opaque << GNTTABOP_CONTINUATION_ARG_SHIFT),
                                                 uop + (count - rc) * size, rc, 0, 0);
        return rc;
    default:
        return -ENOSYS;
    }
    /* A batch stopped early with rc operations left: the guest re-issues the call for them. */
    if ( rc > 0 )
        return hypercall_create_continuation(__HYPERVISOR_grant_table_op, cmd, uop + (count - rc) * size, rc, 0, 0);
    return rc;
}

/* ---- Debug key 'g' ---- */

static void dump_table(struct grant_table *gt)
{
    unsigned int ref, active = 0;

    if ( !spin_trylock(&gt->lock) )
    {
        printk("grant-table of d%u: busy\n", gt->domid);
        return;
    }
    printk("grant-table of d%u%s (v%u): %u frames (%u max), %u maptrack frames (%u max), %u mappings held\n",
           gt->domid, gt->domain ? "" : " (domain destroyed)", gt->version, gt->nr_grant_frames,
           gt->max_grant_frames, gt->maptrack.limit / (unsigned int)MAPTRACK_PER_PAGE, gt->maptrack.max_frames,
           gt->maptrack.in_use);
    for ( ref = 0; ref < gnttab_nr_entries(gt); ref++ )
    {
        const struct active_grant_entry *act = gnttab_active(gt, ref);

        if ( !act->pin )
            continue;
        if ( ++active <= 16 )
            printk("  [%#05x] d%u mfn %#lx pin %#010x\n", ref, act->domid, act->mfn, act->pin);
    }
    if ( active > 16 )
        printk("  ... %u active entries in all\n", active);
    spin_unlock(&gt->lock);
}

void gnttab_dump(unsigned char key)
{
    struct grant_table *gt;
    unsigned long flags;

    printk("'%c' pressed -> dumping grant table usage\n", key);
    spin_lock_irqsave(&gt_list_lock, flags);
    for ( gt = gt_list; gt; gt = gt->next )
        dump_table(gt);
    spin_unlock_irqrestore(&gt_list_lock, flags);
}
