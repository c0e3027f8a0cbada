/*
 * test_pv_mm.h - fixture shared by the PV MMU unit tests: a frame table and heap, fake domains, the
 * arch hooks stubbed, and helpers that build guest page-table trees in harness RAM.
 *
 * Frames: 0 reserved (not mappable), IO_FIRST..IO_END-1 reserved "device
 * memory" the privileged domain may map, IO_END..HEAP_FIRST-1 reserved RAM
 * nobody may map (say, the hypervisor image), HEAP_FIRST.. the heap.  Frame
 * numbers at or above NR_FRAMES (outside the frame table) below IO_HIGH_END
 * are device memory as well.  dom[0] is privileged, dom[1] and dom[2] are not.
 */
#ifndef TEST_PV_MM_H
#define TEST_PV_MM_H

#include <stdlib.h>
#include <string.h>
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <asm/mm.h>
#include <asm/pv_mm.h>

#define NR_FRAMES       512UL
#define IO_FIRST        1UL
#define IO_END          16UL
#define HEAP_FIRST      32UL
#define IO_HIGH_END     (NR_FRAMES + 64)
#define NR_DOMS         3
#define NR_VCPUS        2

/* A kernel-half address (L4 511, L3 510, L2 0, L1 0), as Linux's kernel map, and a user-half one. */
#define VA              0xffffffff80000000UL
#define UVA             0x0000000000400000UL

#define PT_FLAGS        (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define KERN_RW         (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)
#define KERN_RO         (_PAGE_PRESENT | _PAGE_ACCESSED)
#define USER_RW         (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

#define HV_SLOT_MARK(s) (0x0badc0de00000000ULL | (s))
#define BAD_DESC        0xbadbadbadbadbadbULL
#define DESC_PRESENT    (1ULL << 47)
#define DESC_DPL3       (3ULL << 45)

static struct page_info *table;
static struct domain dom[NR_DOMS];
static struct vcpu vcpus[NR_DOMS][NR_VCPUS];
static struct vcpu *vcpu_ptrs[NR_DOMS][NR_VCPUS];
static unsigned long m2p[NR_FRAMES];

/* What the stubs saw. */
static unsigned int nr_flushes, nr_switches, nr_hv_fills;
static struct domain *last_flushed;
static unsigned long root_at_switch;

/* ---- the arch hooks, stubbed ---- */

void pv_init_hv_l4_slots(uint64_t *l4)
{
    unsigned int s;

    for ( s = HYPERVISOR_SLOT_FIRST; s <= HYPERVISOR_SLOT_LAST; s++ )
        l4[s] = HV_SLOT_MARK(s);
    nr_hv_fills++;
}

void set_gpfn_from_mfn(unsigned long mfn, unsigned long pfn)
{
    assert_true(mfn < NR_FRAMES);
    m2p[mfn] = pfn;
}

unsigned long get_gpfn_from_mfn(unsigned long mfn)
{
    return mfn < NR_FRAMES ? m2p[mfn] : ~0UL;
}

/* The harness's RAM is frames 0..NR_FRAMES-1, except the I/O window carved out of it. */
bool pv_mfn_is_ram(unsigned long mfn)
{
    return mfn < NR_FRAMES && !(mfn >= IO_FIRST && mfn < IO_END);
}

/* One device frame the harness treats as the hypervisor's read-only registers (an HPET). */
#define IO_READ_ONLY    (IO_FIRST + 9)
bool pv_iomem_read_only(unsigned long mfn)
{
    return mfn == IO_READ_ONLY;
}

bool pv_iomem_permitted(const struct domain *d, unsigned long mfn)
{
    return d->is_privileged && ((mfn >= IO_FIRST && mfn < IO_END) || (mfn >= NR_FRAMES && mfn < IO_HIGH_END));
}

/* Full flushes before freed frames are reused (domain_page.c); counted like the domain flushes. */
static unsigned int test_tlb_flush_all_count;
void arch_flush_tlb_all(void)
{
    test_tlb_flush_all_count++;
}

void pv_flush_tlb_domain(struct domain *d)
{
    __atomic_fetch_add(&nr_flushes, 1, __ATOMIC_RELAXED);      /* the concurrency tests flush from threads */
    __atomic_store_n(&last_flushed, d, __ATOMIC_RELAXED);
}

void pv_switch_root(struct vcpu *v)
{
    nr_switches++;
    root_at_switch = v->arch.guest_table;
}

/* Refuses BAD_DESC; raises the DPL of present descriptors to 3 (a fix-up, as Xen's). */
bool pv_check_descriptor(const struct domain *d, uint64_t *desc)
{
    (void)d;
    if ( *desc == BAD_DESC )
        return false;
    if ( *desc & DESC_PRESENT )
        *desc |= DESC_DPL3;
    return true;
}

/* ---- fixture ---- */

static void drain_heap(void)
{
    int order;

    for ( order = MAX_ORDER; order >= 0; order-- )
        while ( heap_alloc_pages(order, 0) )
            continue;
}

static int setup(void **state)
{
    unsigned long i;
    unsigned int d, v;

    (void)state;
    table = calloc(NR_FRAMES, sizeof(*table));
    assert_non_null(table);
    for ( i = 0; i < NR_FRAMES; i++ )
        table[i].count_info = PGC_state_reserved;
    frame_table = table;
    max_page = NR_FRAMES;
    heap_add_pages(HEAP_FIRST, NR_FRAMES - HEAP_FIRST);

    memset(dom, 0, sizeof(dom));
    memset(vcpus, 0, sizeof(vcpus));
    memset(m2p, 0, sizeof(m2p));
    for ( d = 0; d < NR_DOMS; d++ )
    {
        dom[d].domain_id = (domid_t)d;
        dom[d].is_privileged = d == 0;
        dom[d].max_pages = NR_FRAMES;
        spin_lock_init(&dom[d].page_alloc_lock);
        spin_lock_init(&dom[d].arch.mm_lock);
        page_list_init(&dom[d].page_list);
        dom[d].max_vcpus = NR_VCPUS;
        dom[d].vcpu = vcpu_ptrs[d];
        for ( v = 0; v < NR_VCPUS; v++ )
        {
            vcpus[d][v].vcpu_id = v;
            vcpus[d][v].domain = &dom[d];
            vcpu_ptrs[d][v] = &vcpus[d][v];
        }
    }
    nr_flushes = nr_switches = nr_hv_fills = 0;
    last_flushed = NULL;
    root_at_switch = 0;
    harness_log_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    drain_heap();
    free(table);
    table = NULL;
    frame_table = NULL;
    max_page = 0;
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    harness_ram_init(NR_FRAMES);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    harness_ram_free();
    return 0;
}

/* ---- helpers ---- */

#define D0  (&dom[0])
#define D1  (&dom[1])
#define D2  (&dom[2])
#define V0  (&vcpus[0][0])
#define V1  (&vcpus[1][0])
#define V2  (&vcpus[2][0])

static inline unsigned long new_frame(struct domain *d)
{
    struct page_info *pg = alloc_domheap_pages(d, 0, 0);

    assert_non_null(pg);
    return page_to_mfn(pg);
}

static inline uint64_t *frame(unsigned long mfn)
{
    return mfn_to_virt(mfn);
}

static inline void set_entry(unsigned long mfn, unsigned int i, uint64_t val)
{
    frame(mfn)[i] = val;
}

static inline uint64_t entry(unsigned long mfn, unsigned int i)
{
    return frame(mfn)[i];
}

static inline uint64_t pte(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | flags;
}

/* A frame in the heap's free lists. */
static inline unsigned long some_free_frame(void)
{
    unsigned long mfn;

    for ( mfn = HEAP_FIRST; mfn < NR_FRAMES; mfn++ )
        if ( page_is_free(mfn_to_page(mfn)) )
            return mfn;
    fail_msg("no free frame");
    return 0;
}

/* Machine address of entry i of table mfn, for mmu_update, with the command in the low bits. */
static inline uint64_t entry_ma(unsigned long mfn, unsigned int i, unsigned int cmd)
{
    return ((uint64_t)mfn << PAGE_SHIFT) + i * sizeof(uint64_t) + cmd;
}

static inline struct page_info *pg_of(unsigned long mfn)
{
    return mfn_to_page(mfn);
}

static inline unsigned long refs(unsigned long mfn)
{
    return table[mfn].count_info & PGC_count_mask;
}

static inline unsigned long tcount(unsigned long mfn)
{
    return table[mfn].u.inuse.type_info & PGT_count_mask;
}

static inline unsigned long ttype(unsigned long mfn)
{
    return table[mfn].u.inuse.type_info & PGT_type_mask;
}

static inline bool is_validated(unsigned long mfn)
{
    return table[mfn].u.inuse.type_info & PGT_validated;
}

static inline bool is_pinned(unsigned long mfn)
{
    return table[mfn].u.inuse.type_info & PGT_pinned;
}

/* A frame referenced only by its owner's allocation, with no type reference. */
static inline void assert_idle(unsigned long mfn)
{
    assert_int_equal(refs(mfn), 1);
    assert_int_equal(tcount(mfn), 0);
    assert_false(is_pinned(mfn));
    if ( ttype(mfn) >= PGT_l1_page_table && ttype(mfn) <= PGT_l4_page_table )
        assert_false(is_validated(mfn));
}

/* A 4-level tree mapping VA: three data pages and, read-only, its own four tables (as Linux's direct map). */
struct tree {
    unsigned long l4, l3, l2, l1;
    unsigned long data[3];
};

#define SLOT_DATA_KRW   0       /* data[0], kernel read-write */
#define SLOT_DATA_KRO   1       /* data[1], kernel read-only */
#define SLOT_DATA_URW   2       /* data[2], user read-write */
#define SLOT_RO_L4      10      /* the tables, read-only: slots 10..13 */

static inline void build_tree(struct domain *d, struct tree *t)
{
    unsigned int i;

    t->l4 = new_frame(d);
    t->l3 = new_frame(d);
    t->l2 = new_frame(d);
    t->l1 = new_frame(d);
    for ( i = 0; i < 3; i++ )
        t->data[i] = new_frame(d);
    set_entry(t->l4, l4_index(VA), pte(t->l3, PT_FLAGS));
    set_entry(t->l3, l3_index(VA), pte(t->l2, PT_FLAGS));
    set_entry(t->l2, l2_index(VA), pte(t->l1, PT_FLAGS));
    set_entry(t->l1, SLOT_DATA_KRW, pte(t->data[0], KERN_RW));
    set_entry(t->l1, SLOT_DATA_KRO, pte(t->data[1], KERN_RO));
    set_entry(t->l1, SLOT_DATA_URW, pte(t->data[2], USER_RW));
    set_entry(t->l1, SLOT_RO_L4 + 0, pte(t->l4, KERN_RO));
    set_entry(t->l1, SLOT_RO_L4 + 1, pte(t->l3, KERN_RO));
    set_entry(t->l1, SLOT_RO_L4 + 2, pte(t->l2, KERN_RO));
    set_entry(t->l1, SLOT_RO_L4 + 3, pte(t->l1, KERN_RO));
}

/* Every frame of the tree back to its allocation reference only. */
static inline void assert_tree_idle(const struct tree *t)
{
    unsigned int i;

    assert_idle(t->l4);
    assert_idle(t->l3);
    assert_idle(t->l2);
    assert_idle(t->l1);
    for ( i = 0; i < 3; i++ )
        assert_idle(t->data[i]);
}

/* The references a validated tree holds (one type reference on the L4, from a pin or a root). */
static inline void assert_tree_live(const struct tree *t)
{
    /* allocation + parent entry (or pin/root for the L4) + the read-only mapping in the L1 */
    assert_int_equal(refs(t->l4), 3);
    assert_int_equal(refs(t->l3), 3);
    assert_int_equal(refs(t->l2), 3);
    assert_int_equal(refs(t->l1), 3);
    assert_int_equal(ttype(t->l4), PGT_l4_page_table);
    assert_int_equal(ttype(t->l3), PGT_l3_page_table);
    assert_int_equal(ttype(t->l2), PGT_l2_page_table);
    assert_int_equal(ttype(t->l1), PGT_l1_page_table);
    assert_int_equal(tcount(t->l4), 1);
    assert_int_equal(tcount(t->l3), 1);
    assert_int_equal(tcount(t->l2), 1);
    assert_int_equal(tcount(t->l1), 1);
    assert_true(is_validated(t->l4) && is_validated(t->l3) && is_validated(t->l2) && is_validated(t->l1));
    /* read-write data: general + writable type reference; read-only: general only */
    assert_int_equal(refs(t->data[0]), 2);
    assert_int_equal(ttype(t->data[0]), PGT_writable_page);
    assert_int_equal(tcount(t->data[0]), 1);
    assert_int_equal(refs(t->data[1]), 2);
    assert_int_equal(tcount(t->data[1]), 0);
    assert_int_equal(refs(t->data[2]), 2);
    assert_int_equal(tcount(t->data[2]), 1);
}

static inline void lock(struct domain *d)
{
    pv_mm_lock(d);
}

static inline void unlock(struct domain *d)
{
    pv_mm_unlock(d);
}

#endif /* TEST_PV_MM_H */
