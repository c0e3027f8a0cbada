/*
 * mm.h - machine frames: the frame table (struct page_info), the buddy heap,
 * the boot allocator and the hypervisor heap (xmalloc).
 *
 * Every machine frame below max_page has a struct page_info in frame_table.
 * A frame is in exactly one state: reserved (firmware, holes, the hypervisor
 * image, boot modules), free (in the buddy heap), or in use (hypervisor heap,
 * or owned by a domain).  The PV MMU keeps its page types and reference
 * counts in the same structure.
 */
#ifndef PARVA_MM_H
#define PARVA_MM_H

#include <parva/compiler.h>
#include <parva/types.h>
#include <asm/page.h>

struct domain;

/* Links for page lists, as frame numbers: 32 bits cover 16 TiB of RAM. */
#define PAGE_LIST_NULL  0xffffffffU
struct page_list_entry {
    uint32_t next, prev;
};
struct page_list_head {
    uint32_t head, tail;
};
#define PAGE_LIST_HEAD_INIT { PAGE_LIST_NULL, PAGE_LIST_NULL }

struct page_info {
    struct page_list_entry list;    /* heap free list, or the owner's page list */
    unsigned long count_info;       /* PGC_* flags | general reference count */
    union {
        struct {                    /* state inuse */
            unsigned long type_info;    /* PGT_* type | flags | type count */
        } inuse;
        struct {                    /* state free: the buddy block this frame belongs to */
            unsigned int order;         /* in its first frame; PAGE_ORDER_TAIL in the others */
            unsigned int zone;          /* in its first frame */
        } free;
    } u;
    union {
        struct domain *owner;       /* inuse, domain page */
        unsigned long raw;
    } v;
};

/* count_info */
#define PGC_allocated       (1UL << 63) /* owned by a domain, which holds one reference */
#define PGC_xen_heap        (1UL << 62) /* hypervisor heap page */
#define PGC_state_shift     60
#define PGC_state_mask      (3UL << PGC_state_shift)
#define PGC_state_inuse     (0UL << PGC_state_shift)
#define PGC_state_free      (1UL << PGC_state_shift)
#define PGC_state_reserved  (2UL << PGC_state_shift) /* not RAM, or never given to the heap */
#define PGC_count_mask      ((1UL << 54) - 1)
#define page_state(pg)      ((pg)->count_info & PGC_state_mask)
#define page_is_free(pg)    (page_state(pg) == PGC_state_free)

/* type_info (the PV MMU's page types; see docs/design/pv-mmu.md) */
#define PGT_type_shift      61
#define PGT_type_mask       (7UL << PGT_type_shift)
#define PGT_none            (0UL << PGT_type_shift)
#define PGT_l1_page_table   (1UL << PGT_type_shift)
#define PGT_l2_page_table   (2UL << PGT_type_shift)
#define PGT_l3_page_table   (3UL << PGT_type_shift)
#define PGT_l4_page_table   (4UL << PGT_type_shift)
#define PGT_seg_desc_page   (5UL << PGT_type_shift)
#define PGT_writable_page   (7UL << PGT_type_shift)
#define PGT_pinned          (1UL << 60)
#define PGT_validated       (1UL << 59)
#define PGT_count_mask      ((1UL << 54) - 1)

extern struct page_info *frame_table;
extern unsigned long max_page;      /* frames 0..max_page-1 have a page_info */

#define mfn_valid(mfn)      ((unsigned long)(mfn) < max_page)
#define mfn_to_page(mfn)    (frame_table + (mfn))
#define page_to_mfn(pg)     ((unsigned long)((pg) - frame_table))

/*
 * Page lists: doubly linked through page_info.list by frame number, so a
 * list head is 8 bytes and a page is on at most one list at a time.  The
 * caller serialises access with the lock of whatever owns the list.
 */
static inline void page_list_init(struct page_list_head *h)
{
    h->head = h->tail = PAGE_LIST_NULL;
}

static inline bool page_list_empty(const struct page_list_head *h)
{
    return h->head == PAGE_LIST_NULL;
}

static inline struct page_info *page_list_first(const struct page_list_head *h)
{
    return h->head == PAGE_LIST_NULL ? NULL : mfn_to_page(h->head);
}

/* The page after pg on its list, NULL at the end. */
static inline struct page_info *page_list_next(const struct page_info *pg)
{
    return pg->list.next == PAGE_LIST_NULL ? NULL : mfn_to_page(pg->list.next);
}

static inline void page_list_add(struct page_info *pg, struct page_list_head *h)
{
    uint32_t mfn = (uint32_t)page_to_mfn(pg);

    pg->list.prev = PAGE_LIST_NULL;
    pg->list.next = h->head;
    if ( h->head == PAGE_LIST_NULL )
        h->tail = mfn;
    else
        mfn_to_page(h->head)->list.prev = mfn;
    h->head = mfn;
}

static inline void page_list_add_tail(struct page_info *pg, struct page_list_head *h)
{
    uint32_t mfn = (uint32_t)page_to_mfn(pg);

    pg->list.next = PAGE_LIST_NULL;
    pg->list.prev = h->tail;
    if ( h->tail == PAGE_LIST_NULL )
        h->head = mfn;
    else
        mfn_to_page(h->tail)->list.next = mfn;
    h->tail = mfn;
}

/* Unlink pg from h, which it must be on; its links become PAGE_LIST_NULL. */
static inline void page_list_del(struct page_info *pg, struct page_list_head *h)
{
    if ( pg->list.prev == PAGE_LIST_NULL )
        h->head = pg->list.next;
    else
        mfn_to_page(pg->list.prev)->list.next = pg->list.next;
    if ( pg->list.next == PAGE_LIST_NULL )
        h->tail = pg->list.prev;
    else
        mfn_to_page(pg->list.next)->list.prev = pg->list.prev;
    pg->list.next = pg->list.prev = PAGE_LIST_NULL;
}

static inline struct page_info *page_list_remove_head(struct page_list_head *h)
{
    struct page_info *pg = page_list_first(h);

    if ( pg )
        page_list_del(pg, h);
    return pg;
}

/*
 * The buddy heap (common/page_alloc.c).
 *
 * Free frames are kept in blocks of 2^order naturally aligned frames, on
 * lists per zone and order.  Zone z holds frames whose number has its most
 * significant bit at position z (zone 0 is frame 0), so a caller that needs
 * memory below an address limit (DMA, 32-bit structures) only searches the
 * zones under it.  Blocks never cross zones.  Allocation takes the smallest
 * block that fits, from the highest allowed zone, and splits it; freeing
 * merges a block with its buddy while the buddy is a free block of the same
 * order in the same zone.  Frame 0 is always a block of its own (zone 0).
 *
 * Frame states: every frame of a free block is PGC_state_free (u.free as
 * documented in struct page_info); allocated frames are PGC_state_inuse with
 * count 0, type_info 0 and v.raw 0.  The arch code fills frame_table with
 * PGC_state_reserved before giving frames to the heap.  Freeing a frame that
 * is free, reserved or still referenced (count or PGC_allocated), or a block
 * that is misaligned for its order or outside the frame table, is a BUG.
 *
 * Locking: heap_lock (irq-safe) protects the free lists, the counters and
 * the state/order of free frames.  It is a leaf lock.
 */
#define MAX_ORDER           20          /* 4 GiB blocks: orders 0..MAX_ORDER */
#define PAGE_ORDER_TAIL     0xffffffffU /* u.free.order of a free frame that is not a block's first */
#define NR_ZONES            (64 - PAGE_SHIFT + 1)
#define MEMF_bits_shift     8
#define MEMF_bits(n)        ((unsigned int)(n) << MEMF_bits_shift) /* only frames below 2^n bytes */

/*
 * Give frames [mfn, mfn + nr) to the heap.  They must be RAM and not in use
 * (reserved or in use with no references); a frame already free is a BUG.
 * Frames at or above max_page (or above 32-bit frame numbers) are dropped
 * with a message.
 */
void heap_add_pages(unsigned long mfn, unsigned long nr);
/*
 * Allocate 2^order contiguous, aligned frames; NULL when none fit (also for
 * order > MAX_ORDER).  The frames are state inuse, count 0.  memflags: only
 * MEMF_bits(n) is defined; MEMF_bits(0) and n >= 64 mean no limit.
 */
struct page_info *heap_alloc_pages(unsigned int order, unsigned int memflags);
/* Return a block from heap_alloc_pages. */
void heap_free_pages(struct page_info *pg, unsigned int order);
unsigned long heap_free_count(void);    /* free frames in the heap */
unsigned long heap_total_count(void);   /* frames ever given to the heap */

/* Hypervisor heap pages, returned as direct-map addresses (xen_heap flagged, zeroed); NULL when none. */
void *alloc_xenheap_pages(unsigned int order);
/* NULL is ignored; anything but a whole block from alloc_xenheap_pages is a BUG. */
void free_xenheap_pages(void *va, unsigned int order);

/*
 * The boot allocator (common/boot_alloc.c): before the frame table exists,
 * frames are carved from a list of free ranges built from the firmware
 * memory map minus everything in use (hypervisor image, multiboot data,
 * modules, the first MiB).  bootmem_end() hands whatever is left to the heap.
 * Boot CPU only, no locking.  When more than BOOTMEM_MAX_RANGES ranges would
 * be needed, the memory that does not fit is dropped with a message.
 */
#define BOOTMEM_MAX_RANGES  128
void bootmem_add(unsigned long start_mfn, unsigned long end_mfn);     /* free RAM [start, end) */
void bootmem_reserve(unsigned long start_mfn, unsigned long end_mfn); /* carve [start, end) out */
/*
 * nr frames aligned to align frames (a power of two), top-down from the
 * highest range that fits; returns the first frame, 0 if none (frame 0 is
 * never handed out), for bad arguments (nr 0, align not a power of two) and
 * after bootmem_end().
 */
unsigned long bootmem_alloc(unsigned long nr, unsigned long align);
/* Iterate over free ranges: returns false past the last one. */
bool bootmem_range(unsigned int idx, unsigned long *start_mfn, unsigned long *end_mfn);
unsigned long bootmem_free_count(void);
void bootmem_end(void);     /* give all free ranges to the heap; bootmem_alloc fails after this */

/*
 * Hypervisor heap (common/xmalloc.c): objects of up to 2 KiB from pages of
 * one power-of-two size class (16..2048 bytes), aligned to their class size;
 * larger ones as whole 2^order page blocks, page aligned.  NULL when out of
 * memory.  Size 0 gives a unique 16-byte object (never NULL for success).
 * xfree(NULL) does nothing; freeing anything that is not the start of a live
 * object is a BUG where detectable (misaligned, not an xmalloc page, inside a
 * large block, double free).
 *
 * Locking: xmalloc_lock (irq-safe) is taken before heap_lock.
 */
void *xmalloc_bytes(size_t size);
void *xzalloc_bytes(size_t size);      /* zeroed */
void xfree(void *p);
#define xmalloc(type)       ((type *)xmalloc_bytes(sizeof(type)))
#define xzalloc(type)       ((type *)xzalloc_bytes(sizeof(type)))
/* NULL on multiplication overflow. */
void *xzalloc_array_bytes(size_t size, size_t n);
#define xzalloc_array(type, n) ((type *)xzalloc_array_bytes(sizeof(type), (n)))

#endif /* PARVA_MM_H */
