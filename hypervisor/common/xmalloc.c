/*
 * xmalloc.c - hypervisor object allocator: small objects in size-class pages, large ones in page blocks.
 *
 * Design: a request of up to XM_SMALL_MAX bytes is rounded up to a power of
 * two from 16 bytes (8 classes, 16..2048) and served from a hypervisor heap
 * page holding objects of that class only, at multiples of the class size,
 * so every object is aligned to its class size (16 at least).  Anything
 * larger gets a whole block of 2^order pages from alloc_xenheap_pages() and
 * is page aligned.  Size 0 is served as a 16-byte object: a unique pointer,
 * never NULL for success, which xfree() accepts like any other.
 *
 * No object carries a header: the page's struct page_info says what the
 * page is.  xmalloc pages are PGC_xen_heap and PGT_none, and use
 *   u.inuse.type_info  bits 63..32  tag: XM_TAG_SMALL, XM_TAG_LARGE or XM_TAG_TAIL
 *                      small:  bits 23..16 class, bits 15..0 live objects
 *                      large:  bits 7..0 order (first frame of the block)
 *                      tail:   0 (the other frames of a large block)
 *   v.raw              small: address of the first free object, 0 if none
 *   list               small: link on its class's page list while it has a free object
 * Free objects in a class page form a singly linked list through their first
 * word; their second word holds XM_FREE_MAGIC.  xfree() catches a pointer
 * outside any xmalloc page, into a large block's tail, or misaligned for its
 * class, and a double free (magic present and the object on the free list);
 * allocation checks the magic of the object it hands out, which catches many
 * writes after free.
 *
 * Each class keeps its pages with free objects on one list: partly used ones
 * at the head (allocation takes the head), a fully free one at the tail.  At
 * most one fully free page per class is kept, so that allocating and freeing
 * one object does not take and return a page every time; a second page that
 * becomes fully free goes straight back to the page heap.
 *
 * Locking: xmalloc_lock (irq-safe) protects the class lists and the state of
 * class pages and large-block tags.  Lock order: xmalloc_lock, then
 * heap_lock (class pages are taken and returned with it held).
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/spinlock.h>
#include <asm/mm.h>

#define XM_MIN_SHIFT        4
#define XM_MAX_SHIFT        11
#define XM_NR_CLASSES       (XM_MAX_SHIFT - XM_MIN_SHIFT + 1)
#define XM_SMALL_MAX        (1UL << XM_MAX_SHIFT)

#define XM_TAG_MASK         0xffffffff00000000UL
#define XM_TAG_SMALL        0x00786d5300000000UL    /* "xmS" */
#define XM_TAG_LARGE        0x00786d4c00000000UL    /* "xmL" */
#define XM_TAG_TAIL         0x00786d5400000000UL    /* "xmT" */
#define XM_CLASS_SHIFT      16
#define XM_CLASS_MASK       0xffUL
#define XM_LIVE_MASK        0xffffUL
#define XM_ORDER_MASK       0xffUL

#define XM_FREE_MAGIC       0x786d667265656421UL    /* "xmfreed!" */

struct xm_free {
    struct xm_free *next;           /* next free object in the same page */
    unsigned long magic;            /* XM_FREE_MAGIC */
};

struct xm_class {
    struct page_list_head pages;    /* pages with a free object: partly used first, a free one last */
    unsigned int empty;             /* fully free pages on the list: 0 or 1 */
};

static DEFINE_SPINLOCK(xmalloc_lock);
static struct xm_class classes[XM_NR_CLASSES] = {
    [0 ... XM_NR_CLASSES - 1] = { PAGE_LIST_HEAD_INIT, 0 }
};

BUILD_BUG_ON(sizeof(struct xm_free) > (1UL << XM_MIN_SHIFT));
BUILD_BUG_ON((PAGE_SIZE >> XM_MIN_SHIFT) > XM_LIVE_MASK);

#define XM_BUG_ON(c, flags) BUG_ON_LOCKED(c, &xmalloc_lock, flags)

static inline unsigned long class_size(unsigned int cls)
{
    return 1UL << (cls + XM_MIN_SHIFT);
}

static inline unsigned int class_per_page(unsigned int cls)
{
    return PAGE_SIZE >> (cls + XM_MIN_SHIFT);
}

/* Class for 1..XM_SMALL_MAX bytes. */
static inline unsigned int size_class(size_t size)
{
    return size <= (1UL << XM_MIN_SHIFT) ? 0 : flsl(size - 1) - XM_MIN_SHIFT;
}

static inline unsigned int page_class(const struct page_info *pg)
{
    return (pg->u.inuse.type_info >> XM_CLASS_SHIFT) & XM_CLASS_MASK;
}

static inline unsigned int page_live(const struct page_info *pg)
{
    return pg->u.inuse.type_info & XM_LIVE_MASK;
}

static inline void set_page_live(struct page_info *pg, unsigned int live)
{
    pg->u.inuse.type_info = (pg->u.inuse.type_info & ~XM_LIVE_MASK) | live;
}

/* Is obj a plausible free-list entry of the class page at base: inside it and aligned? */
static inline bool obj_in_page(const void *obj, unsigned long base, unsigned int cls)
{
    unsigned long a = (unsigned long)obj;

    return a - base < PAGE_SIZE && IS_ALIGNED(a - base, class_size(cls));
}

/* Take a page from the heap and thread all its objects on its free list (xmalloc_lock held). */
static struct page_info *new_class_page(unsigned int cls)
{
    unsigned int i, n = class_per_page(cls);
    unsigned long size = class_size(cls);
    unsigned char *va = alloc_xenheap_pages(0);
    struct page_info *pg;

    if ( !va )
        return NULL;
    for ( i = 0; i < n; i++ )
    {
        struct xm_free *obj = (struct xm_free *)(va + i * size);

        obj->next = i + 1 < n ? (struct xm_free *)(va + (i + 1) * size) : NULL;
        obj->magic = XM_FREE_MAGIC;
    }
    pg = mfn_to_page(virt_to_mfn(va));
    pg->u.inuse.type_info = XM_TAG_SMALL | ((unsigned long)cls << XM_CLASS_SHIFT);
    pg->v.raw = (unsigned long)va;
    return pg;
}

static void *alloc_small(unsigned int cls)
{
    struct xm_class *c = &classes[cls];
    unsigned long flags, base;
    struct page_info *pg;
    struct xm_free *obj;
    unsigned int live;

    spin_lock_irqsave(&xmalloc_lock, flags);
    pg = page_list_first(&c->pages);
    if ( !pg )
    {
        pg = new_class_page(cls);
        if ( !pg )
        {
            spin_unlock_irqrestore(&xmalloc_lock, flags);
            return NULL;
        }
        page_list_add(pg, &c->pages);
        c->empty++;
    }

    /* The list and the page must be what they claim; a bad magic is a write after free. */
    base = (unsigned long)mfn_to_virt(page_to_mfn(pg));
    obj = (struct xm_free *)pg->v.raw;
    live = page_live(pg);
    XM_BUG_ON((pg->u.inuse.type_info & XM_TAG_MASK) != XM_TAG_SMALL || page_class(pg) != cls, flags);
    XM_BUG_ON(live >= class_per_page(cls) || !obj || !obj_in_page(obj, base, cls), flags);
    XM_BUG_ON(obj->magic != XM_FREE_MAGIC, flags);
    XM_BUG_ON(obj->next && !obj_in_page(obj->next, base, cls), flags);

    pg->v.raw = (unsigned long)obj->next;
    obj->next = NULL;
    obj->magic = 0;
    if ( live == 0 )
        c->empty--;
    set_page_live(pg, live + 1);
    if ( live + 1 == class_per_page(cls) )
        page_list_del(pg, &c->pages);

    spin_unlock_irqrestore(&xmalloc_lock, flags);
    return obj;
}

static void *alloc_large(size_t size)
{
    unsigned long pages, i;
    unsigned int order;
    struct page_info *pg;
    void *va;

    if ( size > (PAGE_SIZE << MAX_ORDER) )
        return NULL;
    pages = DIV_ROUND_UP(size, PAGE_SIZE);
    order = flsl(pages - 1);
    va = alloc_xenheap_pages(order);
    if ( !va )
        return NULL;

    /* Not published yet: no lock needed to tag it. */
    pg = mfn_to_page(virt_to_mfn(va));
    pg->u.inuse.type_info = XM_TAG_LARGE | order;
    for ( i = 1; i < (1UL << order); i++ )
        pg[i].u.inuse.type_info = XM_TAG_TAIL;
    return va;
}

void *xmalloc_bytes(size_t size)
{
    if ( size > XM_SMALL_MAX )
        return alloc_large(size);
    return alloc_small(size_class(size ? size : 1));
}

void *xzalloc_bytes(size_t size)
{
    void *p;

    if ( size > XM_SMALL_MAX )
        return alloc_large(size);   /* alloc_xenheap_pages() zeroes */
    p = alloc_small(size_class(size ? size : 1));
    if ( p )
        memset(p, 0, size);
    return p;
}

void *xzalloc_array_bytes(size_t size, size_t n)
{
    if ( n && size > SIZE_MAX / n )
        return NULL;
    return xzalloc_bytes(size * n);
}

/* Is obj on the free list of the class page pg (xmalloc_lock held)?  Bounded by the objects per page. */
static bool on_free_list(const struct page_info *pg, const struct xm_free *obj, unsigned int cls)
{
    const struct xm_free *f = (const struct xm_free *)pg->v.raw;
    unsigned int n;

    for ( n = 0; f && n < class_per_page(cls); n++, f = f->next )
        if ( f == obj )
            return true;
    return false;
}

static void free_small(struct page_info *pg, void *p, unsigned long flags)
{
    unsigned int cls = page_class(pg), live = page_live(pg);
    unsigned long base = (unsigned long)p & PAGE_MASK;
    struct xm_class *c = &classes[cls];
    struct xm_free *obj = p;

    XM_BUG_ON(cls >= XM_NR_CLASSES, flags);
    XM_BUG_ON(!IS_ALIGNED((unsigned long)p - base, class_size(cls)), flags);  /* not an object start */
    XM_BUG_ON(obj->magic == XM_FREE_MAGIC && on_free_list(pg, obj, cls), flags);  /* double free */
    XM_BUG_ON(live == 0 || live > class_per_page(cls), flags);

    obj->next = (struct xm_free *)pg->v.raw;
    obj->magic = XM_FREE_MAGIC;
    pg->v.raw = (unsigned long)obj;
    set_page_live(pg, live - 1);
    if ( live == class_per_page(cls) )
        page_list_add(pg, &c->pages);       /* was full: it has a free object again */

    if ( live - 1 == 0 )
    {
        page_list_del(pg, &c->pages);
        if ( c->empty == 0 )
        {
            /* Keep one fully free page per class, at the tail so partly used pages go first. */
            page_list_add_tail(pg, &c->pages);
            c->empty++;
        }
        else
        {
            pg->u.inuse.type_info = 0;
            pg->v.raw = 0;
            free_xenheap_pages((void *)base, 0);
        }
    }
    spin_unlock_irqrestore(&xmalloc_lock, flags);
}

static void free_large(struct page_info *pg, void *p, unsigned long flags)
{
    unsigned int order = pg->u.inuse.type_info & XM_ORDER_MASK;
    unsigned long i, mfn = page_to_mfn(pg);

    XM_BUG_ON((unsigned long)p & (PAGE_SIZE - 1), flags);  /* not the start of the block */
    XM_BUG_ON(order > MAX_ORDER || max_page - mfn < (1UL << order), flags);
    for ( i = 1; i < (1UL << order); i++ )
        XM_BUG_ON(pg[i].u.inuse.type_info != XM_TAG_TAIL, flags);

    for ( i = 0; i < (1UL << order); i++ )
        pg[i].u.inuse.type_info = 0;
    spin_unlock_irqrestore(&xmalloc_lock, flags);

    free_xenheap_pages(p, order);
}

void xfree(void *p)
{
    unsigned long flags, mfn, tag;
    struct page_info *pg;

    if ( !p )
        return;

    mfn = virt_to_mfn(p);
    BUG_ON(!mfn_valid(mfn));                /* not a hypervisor heap address */
    pg = mfn_to_page(mfn);

    spin_lock_irqsave(&xmalloc_lock, flags);
    /* Freed already (back in the heap), or never an xmalloc page. */
    XM_BUG_ON(page_state(pg) != PGC_state_inuse || !(pg->count_info & PGC_xen_heap), flags);
    tag = pg->u.inuse.type_info & XM_TAG_MASK;
    XM_BUG_ON(tag != XM_TAG_SMALL && tag != XM_TAG_LARGE, flags);

    /* Both drop the lock. */
    if ( tag == XM_TAG_SMALL )
        free_small(pg, p, flags);
    else
        free_large(pg, p, flags);
}
