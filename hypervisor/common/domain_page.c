/*
 * domain_page.c - frames owned by domains: allocation, ownership, and the general reference count.
 *
 * Design (as Xen's): count_info holds PGC flags and a reference count.  A
 * frame given to a domain has its owner set, PGC_allocated set, and one
 * reference that stands for the domain's ownership.  Mappings, page-table
 * uses and hypervisor users each hold further references (get_page).  When
 * the domain gives the frame up (relinquish_page), PGC_allocated and its
 * reference go; the frame returns to the heap when the count reaches zero,
 * so a frame is never reused while anything still maps it.  Reference counts
 * change with compare-and-swap and need no lock.
 *
 * A frame whose last reference went may still be in a TLB (guest mappings
 * are torn down without a flush until the guest asks for one), so freed
 * frames wait on a pending list; the next release point with interrupts on
 * (every hypercall's end, an allocation that found the heap empty) flushes
 * all TLBs once and returns them all to the heap.
 *
 * Locking: d->page_alloc_lock protects d->page_list and d->tot_pages.  It
 * is taken with interrupts off and nests outside heap_lock.  pending_lock
 * protects the pending list; it is a leaf.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/mm.h>
#include <asm/system.h>

/* Frames no longer referenced, waiting for a TLB flush before they return to the heap. */
static DEFINE_SPINLOCK(pending_lock);
static struct page_list_head pending_free = PAGE_LIST_HEAD_INIT;

/* More references than this means a leak or an attack: refuse further ones. */
#define REF_LIMIT   (PGC_count_mask - 1)

struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order, unsigned int memflags)
{
    struct page_info *pg;
    unsigned long flags, i, n = 1UL << order;

    spin_lock_irqsave(&d->page_alloc_lock, flags);
    if ( d->is_dying || d->tot_pages + n > d->max_pages || d->tot_pages + n < d->tot_pages )
    {
        spin_unlock_irqrestore(&d->page_alloc_lock, flags);
        return NULL;
    }
    d->tot_pages += n;      /* claim first, so concurrent allocations cannot overshoot */
    spin_unlock_irqrestore(&d->page_alloc_lock, flags);

    pg = heap_alloc_pages(order, memflags);
    if ( !pg && domain_page_release_pending() )
        pg = heap_alloc_pages(order, memflags);
    if ( !pg )
    {
        spin_lock_irqsave(&d->page_alloc_lock, flags);
        d->tot_pages -= n;
        spin_unlock_irqrestore(&d->page_alloc_lock, flags);
        return NULL;
    }
    /* Never hand a domain another domain's (or the hypervisor's) old data. */
    for ( i = 0; i < n; i++ )
        memset(mfn_to_virt(page_to_mfn(pg) + i), 0, PAGE_SIZE);

    spin_lock_irqsave(&d->page_alloc_lock, flags);
    for ( i = 0; i < n; i++ )
    {
        pg[i].u.inuse.type_info = 0;
        pg[i].v.owner = d;
        pg[i].count_info = PGC_state_inuse | PGC_allocated | 1;
        page_list_add_tail(&pg[i], &d->page_list);
    }
    spin_unlock_irqrestore(&d->page_alloc_lock, flags);
    return pg;
}

bool get_page(struct page_info *pg, const struct domain *d)
{
    unsigned long x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED), nx;

    do {
        if ( page_state(pg) != PGC_state_inuse || !(x & PGC_allocated) || page_get_owner(pg) != d ||
             (x & PGC_count_mask) == 0 || (x & PGC_count_mask) >= REF_LIMIT )
            return false;
        nx = x + 1;
    } while ( !__atomic_compare_exchange_n(&pg->count_info, &x, nx, false, __ATOMIC_ACQUIRE,
                                           __ATOMIC_RELAXED) );
    /* The owner can only change once the count drops to zero, which our reference prevents. */
    return page_get_owner(pg) == d;
}

/* The last reference is gone: unlink from the owner and return the frame to the heap. */
static void free_domheap_page(struct page_info *pg)
{
    struct domain *d = page_get_owner(pg);
    unsigned long flags;

    if ( pg->count_info & PGC_xen_heap )
    {
        /* A hypervisor page shared with the guest: its creator frees it (unshare_xen_page). */
        pg->v.owner = NULL;
        return;
    }
    if ( d )
    {
        spin_lock_irqsave(&d->page_alloc_lock, flags);
        page_list_del(pg, &d->page_list);
        d->tot_pages--;
        spin_unlock_irqrestore(&d->page_alloc_lock, flags);
    }
    pg->v.owner = NULL;
    pg->u.inuse.type_info = 0;
    pg->count_info = PGC_state_inuse;
    /*
     * A guest may still hold a translation of it in some CPU's TLB: it waits on the pending list
     * until every TLB has been flushed (domain_page_release_pending), never reused before.
     */
    spin_lock_irqsave(&pending_lock, flags);
    page_list_add_tail(pg, &pending_free);
    spin_unlock_irqrestore(&pending_lock, flags);
}

bool domain_page_release_pending(void)
{
    struct page_list_head list;
    struct page_info *pg;
    unsigned long flags;

    if ( page_list_empty(&pending_free) || !local_irq_is_enabled() )
        return false;
    spin_lock_irqsave(&pending_lock, flags);
    list = pending_free;
    page_list_init(&pending_free);
    spin_unlock_irqrestore(&pending_lock, flags);
    if ( page_list_empty(&list) )
        return false;
    arch_flush_tlb_all();
    while ( (pg = page_list_remove_head(&list)) != NULL )
        heap_free_pages(pg, 0);
    return true;
}

void put_page(struct page_info *pg)
{
    unsigned long x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED), nx;

    do {
        BUG_ON((x & PGC_count_mask) == 0);
        nx = x - 1;
    } while ( !__atomic_compare_exchange_n(&pg->count_info, &x, nx, false, __ATOMIC_RELEASE,
                                           __ATOMIC_RELAXED) );
    if ( (nx & PGC_count_mask) == 0 )
        free_domheap_page(pg);
}

void drop_allocation_ref(struct page_info *pg)
{
    unsigned long x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED);

    /* Clear PGC_allocated once; only the caller that cleared it drops the ownership reference. */
    while ( x & PGC_allocated )
        if ( __atomic_compare_exchange_n(&pg->count_info, &x, x & ~PGC_allocated, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_RELAXED) )
        {
            put_page(pg);
            return;
        }
}

void relinquish_page(struct domain *d, struct page_info *pg)
{
    BUG_ON(page_get_owner(pg) != d);
    drop_allocation_ref(pg);
}

/*
 * Take a frame away from its owner for good (XENMEM_exchange): only when nothing but d's
 * ownership refers to it (no mapping, no page-table or descriptor use).  Its count goes from
 * "allocated, 1" to 0 in one compare-and-swap, after which nobody can take a reference; then it
 * leaves d's list and allowance.  False, and nothing changed, otherwise.
 */
bool steal_domain_page(struct domain *d, struct page_info *pg)
{
    unsigned long x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED), flags;

    if ( page_get_owner(pg) != d )
        return false;
    do {
        if ( page_state(pg) != PGC_state_inuse || (x & PGC_xen_heap) ||
             (x & (PGC_allocated | PGC_count_mask)) != (PGC_allocated | 1) )
            return false;
    } while ( !__atomic_compare_exchange_n(&pg->count_info, &x, x & ~(PGC_allocated | PGC_count_mask), false,
                                           __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) );
    if ( page_get_owner(pg) != d )
    {
        /* Freed and reused between the two looks: not ours to take. */
        __atomic_fetch_or(&pg->count_info, PGC_allocated | 1, __ATOMIC_ACQ_REL);
        return false;
    }
    spin_lock_irqsave(&d->page_alloc_lock, flags);
    page_list_del(pg, &d->page_list);
    d->tot_pages--;
    pg->v.owner = NULL;
    pg->u.inuse.type_info = 0;
    spin_unlock_irqrestore(&d->page_alloc_lock, flags);
    return true;
}

/* Undo steal_domain_page(): the frame is d's again, as it was. */
void return_stolen_page(struct domain *d, struct page_info *pg)
{
    unsigned long flags;

    spin_lock_irqsave(&d->page_alloc_lock, flags);
    pg->v.owner = d;
    d->tot_pages++;
    page_list_add_tail(pg, &d->page_list);
    __atomic_store_n(&pg->count_info, PGC_state_inuse | PGC_allocated | 1, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&d->page_alloc_lock, flags);
}

/* A stolen frame goes back to the heap (after the next TLB flush, as every freed frame). */
void free_stolen_page(struct page_info *pg)
{
    free_domheap_page(pg);
}

void share_xen_page_with_guest(struct page_info *pg, struct domain *d)
{
    pg->v.owner = d;
    pg->u.inuse.type_info = 0;
    pg->count_info = PGC_state_inuse | PGC_xen_heap | PGC_allocated | 1;
}

void unshare_xen_page(struct page_info *pg)
{
    BUG_ON((pg->count_info & PGC_count_mask) > 1);
    pg->v.owner = NULL;
    pg->u.inuse.type_info = 0;
    pg->count_info = PGC_state_inuse | PGC_xen_heap;
}
