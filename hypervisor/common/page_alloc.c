/*
 * page_alloc.c - the buddy heap of machine frames, and hypervisor heap pages on top of it.
 *
 * Design: a free block is 2^order naturally aligned frames inside one zone
 * (zone = most significant bit of the frame number, see mm.h).  Every frame
 * of a free block is PGC_state_free; the first one holds the block's order
 * and zone in u.free and sits on free_lists[zone][order], the others have
 * u.free.order == PAGE_ORDER_TAIL.  So "is the buddy a free block of order k
 * in zone z" is answered by the buddy's page_info alone, and merging never
 * mistakes part of a larger block for a block head.  An aligned block of
 * 2^k frames starting at a non-zero frame shares its top bit with all its
 * frames, so it never crosses a zone; only a block at frame 0 would, which
 * is why frame 0 always stays a block of its own.
 *
 * Allocation takes the smallest block that fits from the highest zone the
 * caller allows, splits off and frees the upper halves, and returns the
 * lower part.  Freeing merges with the buddy while it is a free block head
 * of the same order and zone below max_page, up to MAX_ORDER.
 * heap_add_pages() frees a range as maximal aligned blocks, so adjacent
 * ranges merge as if they had been added at once.
 *
 * Broken invariants (double free, freeing reserved frames, misaligned or
 * out-of-range blocks, damaged free lists) are BUGs.  They are checked
 * before anything changes, and the lock is dropped before reporting, so
 * the panic path never finds heap_lock held.
 *
 * Locking: heap_lock (irq-safe, leaf) protects free_lists, the counters and
 * the state and u.free of free frames.  Allocated frames belong to their
 * caller, who may change them without the lock.
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/spinlock.h>
#include <asm/mm.h>

struct page_info *frame_table;
unsigned long max_page;

static DEFINE_SPINLOCK(heap_lock);
static struct page_list_head free_lists[NR_ZONES][MAX_ORDER + 1] = {
    [0 ... NR_ZONES - 1] = { [0 ... MAX_ORDER] = PAGE_LIST_HEAD_INIT }
};
static unsigned long zone_free[NR_ZONES];   /* free frames per zone */
static unsigned long free_pages;
static unsigned long total_pages;

#define HEAP_BUG_ON(c, flags) BUG_ON_LOCKED(c, &heap_lock, flags)

static inline unsigned int mfn_zone(unsigned long mfn)
{
    return flsl(mfn);
}

/*
 * Make the free frame mfn the head of a free block of 2^order frames and put
 * it on its list (heap_lock held).  The other frames of the block are free
 * tails already: splitting and merging only ever change block heads.
 */
static void insert_block(unsigned long mfn, unsigned int order, unsigned int zone)
{
    struct page_info *pg = mfn_to_page(mfn);

    pg->u.free.order = order;
    pg->u.free.zone = zone;
    page_list_add(pg, &free_lists[zone][order]);
}

/*
 * Check that [mfn, mfn + 2^order) may be freed: inside the frame table,
 * aligned, in one zone, every frame in use with no references left.
 * Returns the reason it may not, or NULL.
 */
static const char *check_freeable(unsigned long mfn, unsigned int order)
{
    unsigned long i, nr = 1UL << order;

    if ( order > MAX_ORDER )
        return "heap: order above MAX_ORDER";
    if ( mfn >= max_page || max_page - mfn < nr )
        return "heap: block outside the frame table";
    if ( !IS_ALIGNED(mfn, nr) )
        return "heap: block not aligned to its order";
    if ( mfn == 0 && order > 0 )
        return "heap: block crosses a zone";
    for ( i = 0; i < nr; i++ )
    {
        const struct page_info *pg = mfn_to_page(mfn + i);

        if ( page_state(pg) == PGC_state_free )
            return "heap: frame already free";
        if ( page_state(pg) != PGC_state_inuse )
            return "heap: frame is reserved";
        if ( pg->count_info & (PGC_count_mask | PGC_allocated) )
            return "heap: frame still referenced";
    }
    return NULL;
}

/* Free a checked block, merging with free buddies (heap_lock held). */
static void free_block(unsigned long mfn, unsigned int order)
{
    unsigned int zone = mfn_zone(mfn);
    unsigned long i;

    for ( i = 0; i < (1UL << order); i++ )
    {
        struct page_info *pg = mfn_to_page(mfn + i);

        pg->count_info = PGC_state_free;
        pg->u.free.order = PAGE_ORDER_TAIL;
        pg->u.free.zone = zone;
    }
    free_pages += 1UL << order;
    zone_free[zone] += 1UL << order;

    while ( order < MAX_ORDER )
    {
        unsigned long buddy = mfn ^ (1UL << order);
        struct page_info *bpg;

        if ( buddy >= max_page )
            break;
        bpg = mfn_to_page(buddy);
        if ( !page_is_free(bpg) || bpg->u.free.order != order || bpg->u.free.zone != zone )
            break;
        page_list_del(bpg, &free_lists[zone][order]);
        /* The buddy's head becomes a tail; if it is the lower half, insert_block re-marks it. */
        bpg->u.free.order = PAGE_ORDER_TAIL;
        mfn = min(mfn, buddy);
        order++;
    }

    insert_block(mfn, order, zone);
}

/* Highest zone whose frames all lie below 2^bits bytes; -1 if none. */
static int memflags_zone_hi(unsigned int memflags)
{
    unsigned int bits = (memflags >> MEMF_bits_shift) & 0xff;

    if ( bits == 0 || bits >= PAGE_SHIFT + NR_ZONES - 1 )
        return NR_ZONES - 1;
    if ( bits < PAGE_SHIFT )
        return -1;
    return (int)(bits - PAGE_SHIFT);
}

/*
 * Find the smallest free block of at least 2^order frames in the highest
 * zone <= zone_hi that has one (heap_lock held).  Sets *zone and *j to its
 * zone and order; NULL if there is none.  The block stays on its list.
 */
static struct page_info *find_block(unsigned int order, unsigned int zone_hi, unsigned int *zone,
                                    unsigned int *j)
{
    unsigned int z = zone_hi + 1, o;

    while ( z-- > 0 )
    {
        if ( zone_free[z] < (1UL << order) )
            continue;
        for ( o = order; o <= MAX_ORDER; o++ )
        {
            if ( !page_list_empty(&free_lists[z][o]) )
            {
                *zone = z;
                *j = o;
                return page_list_first(&free_lists[z][o]);
            }
        }
    }
    return NULL;
}

struct page_info *heap_alloc_pages(unsigned int order, unsigned int memflags)
{
    int zone_hi = memflags_zone_hi(memflags);
    unsigned long flags, mfn, i;
    unsigned int zone, j;
    struct page_info *pg;

    if ( order > MAX_ORDER || zone_hi < 0 )
        return NULL;

    spin_lock_irqsave(&heap_lock, flags);
    pg = find_block(order, zone_hi, &zone, &j);
    if ( !pg )
    {
        spin_unlock_irqrestore(&heap_lock, flags);
        return NULL;
    }

    /* The list must hold what it claims: a free, aligned block head of that zone and order. */
    mfn = page_to_mfn(pg);
    HEAP_BUG_ON(mfn >= max_page || max_page - mfn < (1UL << j), flags);
    HEAP_BUG_ON(!page_is_free(pg) || pg->u.free.order != j || pg->u.free.zone != zone, flags);
    HEAP_BUG_ON(mfn_zone(mfn) != zone || !IS_ALIGNED(mfn, 1UL << j), flags);
    for ( i = 1; i < (1UL << order); i++ )
        HEAP_BUG_ON(!page_is_free(&pg[i]) || pg[i].u.free.order != PAGE_ORDER_TAIL, flags);

    page_list_del(pg, &free_lists[zone][j]);
    /* Keep the lower 2^order frames; give back the upper half at each step down (heads only). */
    while ( j > order )
    {
        j--;
        insert_block(mfn + (1UL << j), j, zone);
    }

    for ( i = 0; i < (1UL << order); i++ )
    {
        pg[i].count_info = PGC_state_inuse;
        pg[i].u.inuse.type_info = 0;
        pg[i].v.raw = 0;
    }
    free_pages -= 1UL << order;
    zone_free[zone] -= 1UL << order;

    spin_unlock_irqrestore(&heap_lock, flags);
    return pg;
}

void heap_free_pages(struct page_info *pg, unsigned int order)
{
    unsigned long flags, mfn = page_to_mfn(pg);
    const char *why;

    spin_lock_irqsave(&heap_lock, flags);
    why = check_freeable(mfn, order);
    if ( why )
    {
        spin_unlock_irqrestore(&heap_lock, flags);
        printk(XENLOG_ERR "%s: mfn %#lx order %u\n", why, mfn, order);
        BUG();
    }
    free_block(mfn, order);
    spin_unlock_irqrestore(&heap_lock, flags);
}

void heap_add_pages(unsigned long mfn, unsigned long nr)
{
    unsigned long flags, end, i;

    if ( nr == 0 )
        return;
    end = (mfn + nr < mfn) ? ~0UL : mfn + nr;
    if ( end > max_page || end > PAGE_LIST_NULL )
    {
        unsigned long limit = min(max_page, (unsigned long)PAGE_LIST_NULL);

        printk(XENLOG_WARNING "heap: dropping frames %#lx-%#lx beyond the frame table\n",
               max(mfn, limit), end - 1);
        if ( mfn >= limit )
            return;
        end = limit;
    }

    /* Check everything first: a frame that is free already means the caller's map is broken. */
    spin_lock_irqsave(&heap_lock, flags);
    for ( i = mfn; i < end; i++ )
        HEAP_BUG_ON(page_is_free(mfn_to_page(i)), flags);
    spin_unlock_irqrestore(&heap_lock, flags);

    while ( mfn < end )
    {
        unsigned int order = 0;
        unsigned long n;

        /* Largest aligned block that starts at mfn and fits; frame 0 stays alone in zone 0. */
        if ( mfn != 0 )
            order = min(min((unsigned int)__builtin_ctzl(mfn), flsl(end - mfn) - 1),
                        (unsigned int)MAX_ORDER);
        n = 1UL << order;

        spin_lock_irqsave(&heap_lock, flags);
        total_pages += n;
        free_block(mfn, order);
        spin_unlock_irqrestore(&heap_lock, flags);

        mfn += n;
    }
}

unsigned long heap_free_count(void)
{
    return READ_ONCE(free_pages);
}

unsigned long heap_total_count(void)
{
    return READ_ONCE(total_pages);
}

void *alloc_xenheap_pages(unsigned int order)
{
    struct page_info *pg = heap_alloc_pages(order, 0);
    unsigned long i;
    void *va;

    if ( !pg )
        return NULL;
    for ( i = 0; i < (1UL << order); i++ )
        pg[i].count_info |= PGC_xen_heap;
    va = mfn_to_virt(page_to_mfn(pg));
    memset(va, 0, PAGE_SIZE << order);
    return va;
}

void free_xenheap_pages(void *va, unsigned int order)
{
    unsigned long mfn, i;

    if ( !va )
        return;
    mfn = virt_to_mfn(va);
    /* Check the whole block before touching it, so a bad call changes nothing. */
    BUG_ON(((unsigned long)va & (PAGE_SIZE - 1)) || order > MAX_ORDER);
    BUG_ON(mfn >= max_page || max_page - mfn < (1UL << order));
    for ( i = 0; i < (1UL << order); i++ )
    {
        const struct page_info *pg = mfn_to_page(mfn + i);

        BUG_ON(page_state(pg) != PGC_state_inuse || !(pg->count_info & PGC_xen_heap));
    }
    BUG_ON(!IS_ALIGNED(mfn, 1UL << order));

    for ( i = 0; i < (1UL << order); i++ )
        mfn_to_page(mfn + i)->count_info &= ~PGC_xen_heap;
    heap_free_pages(mfn_to_page(mfn), order);
}
