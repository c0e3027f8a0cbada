/* test_page_alloc.c - unit tests for the buddy heap and hypervisor heap pages (common/page_alloc.c). */
#include <stdlib.h>
#include <string.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <asm/mm.h>

#define NR_FRAMES 4096UL

/*
 * Each test gets a fresh frame table of NR_FRAMES frames, all reserved, and
 * an empty heap.  The heap's lists are static, so teardown drains whatever a
 * test left free (allocating it all) before the table is released; the next
 * table then starts with empty lists.  heap_total_count() only grows, so
 * tests compare differences.
 */
static struct page_info *table;

static void drain_heap(void)
{
    int order;

    for ( order = MAX_ORDER; order >= 0; order-- )
        while ( heap_alloc_pages(order, 0) )
            continue;
    assert_int_equal(heap_free_count(), 0);
}

static void use_table(unsigned long nr)
{
    unsigned long i;

    table = calloc(nr, sizeof(*table));     /* exactly nr entries: ASan sees reads past max_page */
    assert_non_null(table);
    for ( i = 0; i < nr; i++ )
        table[i].count_info = PGC_state_reserved;
    frame_table = table;
    max_page = nr;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(heap_free_count(), 0);     /* the last teardown drained it */
    use_table(NR_FRAMES);
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

/* ---- helpers that read the heap's structure from the frame table (encoding documented in mm.h) ---- */

struct block {
    unsigned long mfn;
    unsigned int order;
};

static bool is_head(unsigned long mfn)
{
    return page_is_free(&table[mfn]) && table[mfn].u.free.order != PAGE_ORDER_TAIL;
}

/*
 * Check every heap invariant visible in the frame table; return the free
 * blocks (sorted by frame) in blocks[] if given, and their number.
 */
static unsigned int check_heap(struct block *blocks, unsigned int max_blocks)
{
    unsigned char *covered = calloc(max_page, 1);
    unsigned long mfn, i, free_frames = 0;
    unsigned int nr = 0;

    assert_non_null(covered);
    for ( mfn = 0; mfn < max_page; mfn++ )
    {
        unsigned int order, zone;
        unsigned long n, buddy;

        if ( !is_head(mfn) )
            continue;
        order = table[mfn].u.free.order;
        zone = table[mfn].u.free.zone;
        n = 1UL << order;
        assert_true(order <= MAX_ORDER);
        assert_true(IS_ALIGNED(mfn, n));
        assert_true(mfn + n <= max_page);
        assert_int_equal(zone, flsl(mfn));
        assert_int_equal(flsl(mfn + n - 1), zone);          /* never crosses a zone */
        for ( i = 0; i < n; i++ )
        {
            assert_true(page_is_free(&table[mfn + i]));
            if ( i )
                assert_int_equal(table[mfn + i].u.free.order, PAGE_ORDER_TAIL);
            assert_int_equal(covered[mfn + i], 0);           /* no overlap */
            covered[mfn + i] = 1;
        }
        /* Fully merged: a free buddy of the same order and zone would have been merged. */
        buddy = mfn ^ n;
        if ( order < MAX_ORDER && buddy < max_page && is_head(buddy) )
            assert_false(table[buddy].u.free.order == order && flsl(buddy) == zone);
        free_frames += n;
        if ( blocks )
        {
            assert_true(nr < max_blocks);
            blocks[nr].mfn = mfn;
            blocks[nr].order = order;
        }
        nr++;
    }
    /* Every free frame belongs to a block. */
    for ( mfn = 0; mfn < max_page; mfn++ )
        assert_int_equal(covered[mfn], page_is_free(&table[mfn]));
    assert_int_equal(free_frames, heap_free_count());
    free(covered);
    return nr;
}

static void assert_same_blocks(const struct block *a, const struct block *b, unsigned int nr)
{
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        assert_int_equal(a[i].mfn, b[i].mfn);
        assert_int_equal(a[i].order, b[i].order);
    }
}

static void assert_allocated(const struct page_info *pg, unsigned int order)
{
    unsigned long i, mfn = page_to_mfn(pg);

    assert_true(mfn < max_page);
    assert_true(IS_ALIGNED(mfn, 1UL << order));
    assert_true(mfn + (1UL << order) <= max_page);
    for ( i = 0; i < (1UL << order); i++ )
        assert_int_equal(pg[i].count_info, PGC_state_inuse);
}

/* ---- adding memory ---- */

static void test_add_splits_range_into_maximal_aligned_blocks(void **state)
{
    struct block b[64];
    unsigned long total = heap_total_count();
    unsigned int i, nr;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    assert_int_equal(heap_free_count(), NR_FRAMES - 1);
    assert_int_equal(heap_total_count() - total, NR_FRAMES - 1);

    /* One block per zone: frame 1, 2-3, 4-7, ... 2048-4095. */
    nr = check_heap(b, ARRAY_SIZE(b));
    assert_int_equal(nr, 12);
    for ( i = 0; i < nr; i++ )
    {
        assert_int_equal(b[i].mfn, 1UL << i);
        assert_int_equal(b[i].order, i);
    }
}

static void test_add_frame_zero_stays_alone(void **state)
{
    struct block b[64];
    unsigned int nr;

    (void)state;
    heap_add_pages(0, 4);
    nr = check_heap(b, ARRAY_SIZE(b));
    assert_int_equal(nr, 3);
    assert_int_equal(b[0].mfn, 0);
    assert_int_equal(b[0].order, 0);
    assert_int_equal(b[1].mfn, 1);
    assert_int_equal(b[1].order, 0);
    assert_int_equal(b[2].mfn, 2);
    assert_int_equal(b[2].order, 1);
    assert_int_equal(table[0].u.free.zone, 0);
}

static void test_add_odd_pieces_equals_adding_at_once(void **state)
{
    static const unsigned long pieces[][2] = {
        { 700, 1 }, { 13, 87 }, { 5, 8 }, { 3, 2 }, { 100, 600 }, { 701, 1299 }, { 2000, 47 },
    };
    struct block a[128], b[128];
    unsigned int i, na, nb;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(pieces); i++ )
        heap_add_pages(pieces[i][0], pieces[i][1]);
    na = check_heap(a, ARRAY_SIZE(a));
    assert_int_equal(heap_free_count(), 2047 - 3);

    /* The same frames in one call give the same blocks. */
    drain_heap();
    free(table);
    use_table(NR_FRAMES);
    heap_add_pages(3, 2047 - 3);
    nb = check_heap(b, ARRAY_SIZE(b));
    assert_int_equal(na, nb);
    assert_same_blocks(a, b, na);
}

static void test_add_empty_range_does_nothing(void **state)
{
    unsigned long total = heap_total_count();

    (void)state;
    heap_add_pages(10, 0);
    assert_int_equal(heap_free_count(), 0);
    assert_int_equal(heap_total_count(), total);
    assert_int_equal(page_state(&table[10]), PGC_state_reserved);
}

static void test_add_beyond_frame_table_is_clamped(void **state)
{
    unsigned long total = heap_total_count();

    (void)state;
    heap_add_pages(NR_FRAMES - 8, 100);
    assert_int_equal(heap_free_count(), 8);
    assert_int_equal(heap_total_count() - total, 8);
    assert_non_null(strstr(harness_log, "beyond the frame table"));
    heap_add_pages(NR_FRAMES + 5, 10);
    heap_add_pages(~0UL - 3, 10);                   /* wraps around */
    assert_int_equal(heap_free_count(), 8);
    check_heap(NULL, 0);
}

static void test_add_with_odd_max_page_never_reads_past_it(void **state)
{
    struct block b[64];
    unsigned int nr;
    unsigned long i;
    struct page_info *pg[8];

    (void)state;
    free(table);
    use_table(3000);
    heap_add_pages(2048, 3000 - 2048);
    nr = check_heap(b, ARRAY_SIZE(b));
    /* 2048+512, +256, +128, +32, +16, +8 = 3000 */
    assert_int_equal(nr, 6);
    assert_int_equal(b[nr - 1].mfn, 2992);
    assert_int_equal(b[nr - 1].order, 3);

    /* Freeing the last frames makes the heap look at buddies at 3000 and beyond. */
    for ( i = 0; i < 8; i++ )
    {
        pg[i] = heap_alloc_pages(0, 0);
        assert_non_null(pg[i]);
    }
    for ( i = 0; i < 8; i++ )
        heap_free_pages(pg[i], 0);
    assert_int_equal(check_heap(NULL, 0), 6);
}

static void test_blocks_stop_at_max_order(void **state)
{
    /*
     * Orders above MAX_ORDER need frames from 2^21 on; to keep the table
     * small, only entries [2^21, 2^22) exist (the heap never looks below a
     * block it was given, nor at buddies beyond MAX_ORDER).
     */
    const unsigned long lo = 1UL << 21, nr = 1UL << 21;
    struct page_info *big = calloc(nr, sizeof(*big)), *pg, *pg2;

    (void)state;
    assert_non_null(big);
    frame_table = big - lo;
    max_page = lo + nr;

    heap_add_pages(lo, nr);                 /* zone 22 could hold order 21: two order-20 blocks */
    assert_int_equal(heap_free_count(), nr);
    assert_int_equal(big[0].u.free.order, MAX_ORDER);
    assert_int_equal(big[1UL << MAX_ORDER].u.free.order, MAX_ORDER);
    assert_null(heap_alloc_pages(MAX_ORDER + 1, 0));

    /* One frame from a 4 GiB block, and back: splits and merges touch only block heads. */
    pg = heap_alloc_pages(0, 0);
    assert_non_null(pg);
    heap_free_pages(pg, 0);
    assert_int_equal(big[0].u.free.order, MAX_ORDER);
    assert_int_equal(big[1UL << MAX_ORDER].u.free.order, MAX_ORDER);

    pg = heap_alloc_pages(MAX_ORDER, 0);
    pg2 = heap_alloc_pages(MAX_ORDER, 0);
    assert_non_null(pg);
    assert_non_null(pg2);
    assert_true(IS_ALIGNED(page_to_mfn(pg), 1UL << MAX_ORDER));
    assert_null(heap_alloc_pages(0, 0));
    heap_free_pages(pg, MAX_ORDER);
    heap_free_pages(pg2, MAX_ORDER);
    assert_int_equal(heap_free_count(), nr);

    drain_heap();
    frame_table = table;
    max_page = NR_FRAMES;
    free(big);
}

static void test_add_already_free_frame_is_a_bug(void **state)
{
    (void)state;
    heap_add_pages(64, 64);
    expect_assert_failure(heap_add_pages(100, 1));
    expect_assert_failure(heap_add_pages(32, 64));  /* overlaps at its end: nothing is added */
    assert_int_equal(heap_free_count(), 64);
    assert_int_equal(page_state(&table[32]), PGC_state_reserved);
    check_heap(NULL, 0);
}

/* ---- allocation ---- */

static void test_alloc_every_order_is_aligned_and_in_use(void **state)
{
    unsigned int order;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    for ( order = 0; order <= 11; order++ )
    {
        struct page_info *pg = heap_alloc_pages(order, 0);
        unsigned long mfn;

        assert_non_null(pg);
        mfn = page_to_mfn(pg);
        assert_allocated(pg, order);
        assert_int_equal(flsl(mfn), flsl(mfn + (1UL << order) - 1));
        assert_int_equal(heap_free_count(), NR_FRAMES - 1 - (1UL << order));
        check_heap(NULL, 0);
        heap_free_pages(pg, order);
        assert_int_equal(heap_free_count(), NR_FRAMES - 1);
    }
}

static void test_alloc_takes_smallest_block_from_highest_zone(void **state)
{
    struct page_info *pg, *pg2;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    /* Zone 12 (2048-4095) first, though smaller blocks exist lower down. */
    pg = heap_alloc_pages(0, 0);
    assert_true(page_to_mfn(pg) >= 2048);
    heap_free_pages(pg, 0);
    assert_int_equal(table[2048].u.free.order, 11);

    /* Splitting keeps the lower half and frees the upper one, which then serves smaller requests. */
    pg = heap_alloc_pages(10, 0);
    assert_int_equal(page_to_mfn(pg), 2048);
    assert_int_equal(table[3072].u.free.order, 10);
    pg2 = heap_alloc_pages(0, 0);
    assert_int_equal(page_to_mfn(pg2), 3072);
    heap_free_pages(pg2, 0);
    heap_free_pages(pg, 10);
    assert_int_equal(table[2048].u.free.order, 11);
}

static void test_alloc_prefers_smallest_block_within_zone(void **state)
{
    struct page_info *pg;

    (void)state;
    heap_add_pages(2048, 1024);                     /* zone 12: order 10 at 2048 */
    heap_add_pages(3584, 512);                      /* zone 12: order 9 at 3584 */
    heap_add_pages(64, 4);                          /* zone 7: order 2 */
    pg = heap_alloc_pages(2, 0);
    assert_int_equal(page_to_mfn(pg), 3584);
    assert_int_equal(table[2048].u.free.order, 10);
    heap_free_pages(pg, 2);
    assert_int_equal(check_heap(NULL, 0), 3);
}

static void test_alloc_order_too_big_returns_null(void **state)
{
    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    assert_null(heap_alloc_pages(12, 0));           /* no block that large */
    assert_null(heap_alloc_pages(MAX_ORDER + 1, 0));
    assert_null(heap_alloc_pages(~0U, 0));
    assert_int_equal(heap_free_count(), NR_FRAMES - 1);
}

static void test_zones_are_never_crossed(void **state)
{
    struct page_info *pg;

    (void)state;
    heap_add_pages(0, NR_FRAMES);
    /* 2048 frames free below 2048, but in zones of at most 1024: no second order-11 block. */
    pg = heap_alloc_pages(11, 0);
    assert_non_null(pg);
    assert_int_equal(page_to_mfn(pg), 2048);
    assert_null(heap_alloc_pages(11, 0));
    assert_int_equal(heap_free_count(), 2048);
    heap_free_pages(pg, 11);
    /* Zone 11's largest block is 1024-2047; it never merges with zone 12 or below. */
    assert_int_equal(table[1024].u.free.order, 10);
    assert_int_equal(table[2048].u.free.order, 11);
    check_heap(NULL, 0);
}

static void test_exhaustion_returns_null_with_count_zero(void **state)
{
    static struct page_info *pgs[NR_FRAMES];
    unsigned long n = 0, i;
    unsigned int order;
    struct block a[64], b[64];
    unsigned int na;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    na = check_heap(a, ARRAY_SIZE(a));
    while ( (pgs[n] = heap_alloc_pages(0, 0)) != NULL )
    {
        assert_allocated(pgs[n], 0);
        n++;
        assert_int_equal(heap_free_count(), NR_FRAMES - 1 - n);
    }
    assert_int_equal(n, NR_FRAMES - 1);
    assert_int_equal(heap_free_count(), 0);
    for ( order = 0; order <= MAX_ORDER; order++ )
        assert_null(heap_alloc_pages(order, 0));

    /* No frame handed out twice. */
    for ( i = 0; i < n; i++ )
        assert_int_equal(table[page_to_mfn(pgs[i])].count_info, PGC_state_inuse);

    for ( i = 0; i < n; i++ )
        heap_free_pages(pgs[(i * 8) % n], 0);      /* scattered order: 8 and 4095 are coprime */
    assert_int_equal(check_heap(b, ARRAY_SIZE(b)), na);
    assert_same_blocks(a, b, na);
}

static void test_alloc_free_coalesces_back_to_original_blocks(void **state)
{
    struct page_info *pg[64];
    unsigned int order[64];
    struct block a[64], b[64];
    unsigned int i, na;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    na = check_heap(a, ARRAY_SIZE(a));
    for ( i = 0; i < 64; i++ )
    {
        order[i] = i % 5;
        pg[i] = heap_alloc_pages(order[i], 0);
        assert_non_null(pg[i]);
        assert_allocated(pg[i], order[i]);
    }
    check_heap(NULL, 0);
    /* Free odd ones first, then even ones, so merges happen in both directions. */
    for ( i = 1; i < 64; i += 2 )
        heap_free_pages(pg[i], order[i]);
    check_heap(NULL, 0);
    for ( i = 0; i < 64; i += 2 )
        heap_free_pages(pg[i], order[i]);
    assert_int_equal(check_heap(b, ARRAY_SIZE(b)), na);
    assert_same_blocks(a, b, na);
}

static void test_memf_bits_limits_are_honoured(void **state)
{
    struct page_info *pg;
    unsigned long n = 0;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);

    /* Below 4 MiB = frame 1024: exactly frames 1..1023. */
    while ( (pg = heap_alloc_pages(0, MEMF_bits(22))) != NULL )
    {
        assert_true(page_to_mfn(pg) < 1024);
        n++;
    }
    assert_int_equal(n, 1023);
    assert_int_equal(heap_free_count(), NR_FRAMES - 1024);

    /* Frame 0 only / nothing at all: none in the heap. */
    assert_null(heap_alloc_pages(0, MEMF_bits(12)));
    assert_null(heap_alloc_pages(0, MEMF_bits(11)));
    assert_null(heap_alloc_pages(0, MEMF_bits(1)));

    /* An order that fits no zone below the limit. */
    assert_null(heap_alloc_pages(11, MEMF_bits(23)));
    pg = heap_alloc_pages(10, MEMF_bits(23));
    assert_non_null(pg);
    assert_int_equal(page_to_mfn(pg), 1024);

    /* Limits above all memory, and the largest encodable one, are no limit. */
    assert_non_null(heap_alloc_pages(0, MEMF_bits(64)));
    assert_non_null(heap_alloc_pages(0, MEMF_bits(255)));
    assert_non_null(heap_alloc_pages(0, MEMF_bits(40)));
    check_heap(NULL, 0);
}

static void test_memf_bits_frame_zero_only(void **state)
{
    struct page_info *pg;

    (void)state;
    heap_add_pages(0, 16);
    pg = heap_alloc_pages(0, MEMF_bits(12));
    assert_non_null(pg);
    assert_int_equal(page_to_mfn(pg), 0);
    assert_null(heap_alloc_pages(0, MEMF_bits(12)));
    heap_free_pages(pg, 0);
    check_heap(NULL, 0);
}

/* ---- broken invariants ---- */

static void test_double_free_is_a_bug(void **state)
{
    struct page_info *pg;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    pg = heap_alloc_pages(3, 0);
    heap_free_pages(pg, 3);
    expect_assert_failure(heap_free_pages(pg, 3));
    expect_assert_failure(heap_free_pages(pg + 4, 0));   /* a frame inside a free block */
    assert_int_equal(heap_free_count(), NR_FRAMES - 1);
    check_heap(NULL, 0);
}

static void test_free_partly_free_block_is_a_bug(void **state)
{
    struct page_info *pg;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    pg = heap_alloc_pages(2, 0);
    heap_free_pages(pg + 3, 0);
    /* Neither the whole block nor anything else changes when a frame in it is free. */
    expect_assert_failure(heap_free_pages(pg, 2));
    assert_int_equal(page_state(pg), PGC_state_inuse);
    assert_int_equal(heap_free_count(), NR_FRAMES - 1 - 3);
    check_heap(NULL, 0);
    heap_free_pages(pg, 0);
    heap_free_pages(pg + 1, 0);
    heap_free_pages(pg + 2, 0);
    assert_int_equal(check_heap(NULL, 0), 12);
}

static void test_free_reserved_frame_is_a_bug(void **state)
{
    (void)state;
    heap_add_pages(1, 100);
    expect_assert_failure(heap_free_pages(&table[200], 0));
    assert_int_equal(page_state(&table[200]), PGC_state_reserved);
    assert_int_equal(heap_free_count(), 100);
}

static void test_free_with_wrong_order_alignment_is_a_bug(void **state)
{
    struct page_info *pg;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    pg = heap_alloc_pages(2, 0);
    expect_assert_failure(heap_free_pages(pg + 1, 1));
    expect_assert_failure(heap_free_pages(pg + 2, 2));
    expect_assert_failure(heap_free_pages(pg, MAX_ORDER + 1));
    expect_assert_failure(heap_free_pages(&table[NR_FRAMES - 1], 1));    /* runs past max_page */
    expect_assert_failure(heap_free_pages(&table[0], 1));   /* would cross from zone 0 to 1 */
    assert_int_equal(heap_free_count(), NR_FRAMES - 1 - 4);
    heap_free_pages(pg, 2);
    check_heap(NULL, 0);
}

static void test_free_referenced_frame_is_a_bug(void **state)
{
    struct page_info *pg;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    pg = heap_alloc_pages(1, 0);
    pg[1].count_info |= 1;
    expect_assert_failure(heap_free_pages(pg, 1));
    pg[1].count_info = PGC_state_inuse | PGC_allocated;
    expect_assert_failure(heap_free_pages(pg, 1));
    pg[1].count_info = PGC_state_inuse;
    heap_free_pages(pg, 1);
    check_heap(NULL, 0);
}

static void test_damaged_free_list_is_a_bug(void **state)
{
    (void)state;
    heap_add_pages(64, 64);
    table[64].u.free.order = 5;         /* the head no longer matches its list */
    expect_assert_failure(heap_alloc_pages(0, 0));
    table[64].u.free.order = 6;
    assert_non_null(heap_alloc_pages(6, 0));
}

/* ---- randomized stress ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_random_alloc_free_keeps_invariants(void **state)
{
    static struct page_info *live[NR_FRAMES];
    static unsigned int live_order[NR_FRAMES];
    static unsigned char owned[NR_FRAMES];
    struct block a[64], b[64];
    unsigned long nr_live = 0, used = 0, i, step;
    unsigned int na;

    (void)state;
    rng_state = 0x9e3779b97f4a7c15ULL;
    heap_add_pages(1, NR_FRAMES - 1);
    na = check_heap(a, ARRAY_SIZE(a));

    for ( step = 0; step < 40000; step++ )
    {
        if ( nr_live && (rng() % 100) < 45 )
        {
            unsigned long k = rng() % nr_live;
            unsigned long mfn = page_to_mfn(live[k]);

            for ( i = 0; i < (1UL << live_order[k]); i++ )
                owned[mfn + i] = 0;
            heap_free_pages(live[k], live_order[k]);
            used -= 1UL << live_order[k];
            live[k] = live[--nr_live];
            live_order[k] = live_order[nr_live];
        }
        else
        {
            unsigned int order = rng() % 6;
            unsigned int bits = (rng() % 4) ? 0 : 16 + rng() % 9;   /* sometimes below 64K..16M */
            struct page_info *pg = heap_alloc_pages(order, MEMF_bits(bits));
            unsigned long mfn;

            if ( !pg )
                continue;
            mfn = page_to_mfn(pg);
            assert_allocated(pg, order);
            if ( bits )
                assert_true(mfn + (1UL << order) <= (1UL << (bits - PAGE_SHIFT)));
            for ( i = 0; i < (1UL << order); i++ )
            {
                assert_int_equal(owned[mfn + i], 0);    /* never handed out twice */
                owned[mfn + i] = 1;
            }
            used += 1UL << order;
            live[nr_live] = pg;
            live_order[nr_live++] = order;
        }
        assert_int_equal(heap_free_count(), NR_FRAMES - 1 - used);
        if ( step % 2000 == 0 )
            check_heap(NULL, 0);
    }

    while ( nr_live )
    {
        nr_live--;
        heap_free_pages(live[nr_live], live_order[nr_live]);
    }
    memset(owned, 0, sizeof(owned));
    assert_int_equal(check_heap(b, ARRAY_SIZE(b)), na);
    assert_same_blocks(a, b, na);
}

/* ---- hypervisor heap pages ---- */

static bool all_bytes(const void *p, int c, size_t n)
{
    const unsigned char *b = p;
    size_t i;

    for ( i = 0; i < n; i++ )
        if ( b[i] != (unsigned char)c )
            return false;
    return true;
}

static void test_xenheap_pages_are_flagged_zeroed_direct_map(void **state)
{
    unsigned long mfn, i;
    void *va;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    memset(harness_ram, 0xa5, NR_FRAMES * PAGE_SIZE);
    va = alloc_xenheap_pages(3);
    assert_non_null(va);
    mfn = virt_to_mfn(va);
    assert_ptr_equal(va, mfn_to_virt(mfn));
    assert_true(IS_ALIGNED(mfn, 8));
    assert_true(all_bytes(va, 0, 8 * PAGE_SIZE));
    for ( i = 0; i < 8; i++ )
        assert_int_equal(table[mfn + i].count_info, PGC_state_inuse | PGC_xen_heap);
    /* Zeroing stays inside the block. */
    if ( mfn + 8 < NR_FRAMES )
        assert_true(all_bytes(mfn_to_virt(mfn + 8), 0xa5, PAGE_SIZE));

    free_xenheap_pages(va, 3);
    assert_true(page_is_free(&table[mfn]));
    assert_int_equal(heap_free_count(), NR_FRAMES - 1);
    free_xenheap_pages(NULL, 0);
    check_heap(NULL, 0);
}

static void test_xenheap_exhaustion_returns_null(void **state)
{
    (void)state;
    heap_add_pages(8, 8);
    assert_null(alloc_xenheap_pages(4));
    assert_non_null(alloc_xenheap_pages(3));
    assert_null(alloc_xenheap_pages(0));
}

static void test_xenheap_bad_frees_are_bugs(void **state)
{
    struct page_info *pg;
    unsigned char *va;

    (void)state;
    heap_add_pages(1, NR_FRAMES - 1);
    va = alloc_xenheap_pages(1);
    pg = heap_alloc_pages(0, 0);                    /* not a xenheap page */
    expect_assert_failure(free_xenheap_pages(mfn_to_virt(page_to_mfn(pg)), 0));
    expect_assert_failure(free_xenheap_pages(va + 8, 1));           /* not page aligned */
    expect_assert_failure(free_xenheap_pages(va + PAGE_SIZE, 1));   /* not order aligned */
    expect_assert_failure(free_xenheap_pages(va, 2));               /* block larger than allocated */
    assert_int_equal(table[virt_to_mfn(va)].count_info, PGC_state_inuse | PGC_xen_heap);
    free_xenheap_pages(va, 1);
    expect_assert_failure(free_xenheap_pages(va, 1));               /* double free */
    heap_free_pages(pg, 0);
    assert_int_equal(heap_free_count(), NR_FRAMES - 1);
    check_heap(NULL, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_add_splits_range_into_maximal_aligned_blocks),
        T(test_add_frame_zero_stays_alone),
        T(test_add_odd_pieces_equals_adding_at_once),
        T(test_add_empty_range_does_nothing),
        T(test_add_beyond_frame_table_is_clamped),
        T(test_add_with_odd_max_page_never_reads_past_it),
        T(test_blocks_stop_at_max_order),
        T(test_add_already_free_frame_is_a_bug),
        T(test_alloc_every_order_is_aligned_and_in_use),
        T(test_alloc_takes_smallest_block_from_highest_zone),
        T(test_alloc_prefers_smallest_block_within_zone),
        T(test_alloc_order_too_big_returns_null),
        T(test_zones_are_never_crossed),
        T(test_exhaustion_returns_null_with_count_zero),
        T(test_alloc_free_coalesces_back_to_original_blocks),
        T(test_memf_bits_limits_are_honoured),
        T(test_memf_bits_frame_zero_only),
        T(test_double_free_is_a_bug),
        T(test_free_partly_free_block_is_a_bug),
        T(test_free_reserved_frame_is_a_bug),
        T(test_free_with_wrong_order_alignment_is_a_bug),
        T(test_free_referenced_frame_is_a_bug),
        T(test_damaged_free_list_is_a_bug),
        T(test_random_alloc_free_keeps_invariants),
        T(test_xenheap_pages_are_flagged_zeroed_direct_map),
        T(test_xenheap_exhaustion_returns_null),
        T(test_xenheap_bad_frees_are_bugs),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
