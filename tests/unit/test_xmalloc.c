/* test_xmalloc.c - unit tests for the hypervisor object allocator (common/xmalloc.c). */
#include <stdlib.h>
#include <string.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <asm/mm.h>

/*
 * One heap of NR_FRAMES frames for all tests (xmalloc keeps pages between
 * calls).  Every test frees what it allocates; xmalloc may keep one fully
 * free page per size class (8 classes), never more.
 */
#define NR_FRAMES   1024UL
#define NR_CLASSES  8
#define SMALL_MAX   2048UL

static struct page_info *table;
static unsigned long heap_start;        /* heap_free_count() before any xmalloc */

static int group_setup(void **state)
{
    unsigned long i;

    (void)state;
    table = calloc(NR_FRAMES, sizeof(*table));
    assert_non_null(table);
    for ( i = 0; i < NR_FRAMES; i++ )
        table[i].count_info = PGC_state_reserved;
    frame_table = table;
    max_page = NR_FRAMES;
    harness_ram_init(NR_FRAMES);
    heap_add_pages(1, NR_FRAMES - 1);
    heap_start = heap_free_count();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    harness_ram_free();
    free(table);
    return 0;
}

/* Pages xmalloc holds now that (by the test's own accounting) no object is live. */
static void assert_only_spare_pages_held(void)
{
    assert_true(heap_free_count() <= heap_start);
    assert_true(heap_start - heap_free_count() <= NR_CLASSES);
}

static unsigned long class_of(size_t size)
{
    unsigned long c = 16;

    while ( c < size )
        c <<= 1;
    return c;
}

static bool all_bytes(const void *p, int c, size_t n)
{
    const unsigned char *b = p;
    size_t i;

    for ( i = 0; i < n; i++ )
        if ( b[i] != (unsigned char)c )
            return false;
    return true;
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

    return x < y ? -1 : x > y;
}

/* ---- sizes and alignment ---- */

static void test_every_small_size_is_aligned_to_its_class(void **state)
{
    static void *p[SMALL_MAX + 1];
    static void *sorted[SMALL_MAX + 1];
    size_t size;

    (void)state;
    for ( size = 1; size <= SMALL_MAX; size++ )
    {
        p[size] = xmalloc_bytes(size);
        assert_non_null(p[size]);
        assert_true(IS_ALIGNED((uintptr_t)p[size], class_of(size)));
        memset(p[size], (int)(size & 0xff), size);
        sorted[size] = p[size];
    }
    /* No two objects overlap: each ends before the next one starts. */
    qsort(&sorted[1], SMALL_MAX, sizeof(sorted[0]), cmp_ptr);
    for ( size = 1; size < SMALL_MAX; size++ )
        assert_true((uintptr_t)sorted[size] < (uintptr_t)sorted[size + 1]);
    for ( size = 1; size <= SMALL_MAX; size++ )
    {
        assert_true(all_bytes(p[size], (int)(size & 0xff), size));     /* nobody scribbled on it */
        xfree(p[size]);
    }
    assert_only_spare_pages_held();
}

static void test_objects_of_a_class_do_not_overlap(void **state)
{
    static unsigned char *p[300];
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(p); i++ )
    {
        p[i] = xmalloc_bytes(24);                   /* class 32 */
        assert_non_null(p[i]);
        memset(p[i], i & 0xff, 32);                 /* the whole class-sized slot is the caller's */
    }
    for ( i = 0; i < ARRAY_SIZE(p); i++ )
        assert_true(all_bytes(p[i], i & 0xff, 32));
    for ( i = 0; i < ARRAY_SIZE(p); i++ )
        xfree(p[i]);
    assert_only_spare_pages_held();
}

static void test_zero_size_gives_unique_freeable_pointers(void **state)
{
    void *a, *b, *c;

    (void)state;
    a = xmalloc_bytes(0);
    b = xmalloc_bytes(0);
    c = xzalloc_bytes(0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_ptr_not_equal(a, b);
    assert_ptr_not_equal(b, c);
    assert_true(IS_ALIGNED((uintptr_t)a, 16));
    xfree(a);
    xfree(b);
    xfree(c);
    assert_only_spare_pages_held();
}

static void test_large_objects_are_page_blocks(void **state)
{
    static const size_t sizes[] = {
        SMALL_MAX + 1, 4095, 4096, 4097, 8192, 3 * 4096 + 1, 100000, 64 * 4096,
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(sizes); i++ )
    {
        unsigned long before = heap_free_count(), pages = 1;
        unsigned char *p;

        while ( pages * PAGE_SIZE < sizes[i] )
            pages <<= 1;
        p = xmalloc_bytes(sizes[i]);
        assert_non_null(p);
        assert_true(IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
        assert_int_equal(before - heap_free_count(), pages);
        memset(p, 0x5a, sizes[i]);
        xfree(p);
        assert_int_equal(heap_free_count(), before);
    }
}

static void test_too_large_returns_null(void **state)
{
    unsigned long before = heap_free_count();

    (void)state;
    assert_null(xmalloc_bytes((PAGE_SIZE << MAX_ORDER) + 1));
    assert_null(xmalloc_bytes(SIZE_MAX));
    assert_null(xzalloc_bytes(SIZE_MAX - 100));
    assert_null(xmalloc_bytes(NR_FRAMES * PAGE_SIZE));     /* more than the heap holds */
    assert_int_equal(heap_free_count(), before);
}

static void test_small_alloc_fails_cleanly_when_heap_is_empty(void **state)
{
    static void *pages[NR_FRAMES];
    unsigned int n = 0, i;
    void *objs[256];
    unsigned int nobj = 0;

    (void)state;
    /* Use up every free page, then objects come only from pages xmalloc already holds. */
    while ( (pages[n] = alloc_xenheap_pages(0)) != NULL )
        n++;
    while ( nobj < ARRAY_SIZE(objs) && (objs[nobj] = xmalloc_bytes(SMALL_MAX)) != NULL )
        nobj++;
    assert_true(nobj < ARRAY_SIZE(objs));           /* ran out */
    assert_null(xmalloc_bytes(SMALL_MAX));
    assert_null(xmalloc_bytes(SMALL_MAX + 1));
    for ( i = 0; i < nobj; i++ )
        xfree(objs[i]);
    for ( i = 0; i < n; i++ )
        free_xenheap_pages(pages[i], 0);
    assert_only_spare_pages_held();
}

/* ---- zeroing and reuse ---- */

static void test_xzalloc_zeroes_reused_memory(void **state)
{
    static const size_t sizes[] = { 1, 16, 17, 100, 512, 2000, SMALL_MAX, SMALL_MAX + 1, 20000 };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(sizes); i++ )
    {
        unsigned char *p = xmalloc_bytes(sizes[i]), *q;

        assert_non_null(p);
        memset(p, 0xff, sizes[i]);
        xfree(p);
        q = xzalloc_bytes(sizes[i]);
        /* A small object's slot just freed comes back first (large blocks may merge in the heap). */
        if ( sizes[i] <= SMALL_MAX )
            assert_ptr_equal(q, p);
        assert_true(all_bytes(q, 0, sizes[i]));
        xfree(q);
    }
}

static void test_freed_object_is_reused_first(void **state)
{
    void *a, *b, *c;

    (void)state;
    a = xmalloc_bytes(48);
    b = xmalloc_bytes(48);
    xfree(a);
    c = xmalloc_bytes(40);                          /* same class */
    assert_ptr_equal(c, a);
    xfree(b);
    xfree(c);
}

static void test_xzalloc_array_checks_overflow_and_zeroes(void **state)
{
    uint32_t *a;
    void *p;
    unsigned int i;

    (void)state;
    assert_null(xzalloc_array_bytes(SIZE_MAX / 2 + 1, 2));
    assert_null(xzalloc_array_bytes(2, SIZE_MAX / 2 + 1));
    assert_null(xzalloc_array_bytes(1UL << 33, 1UL << 33));     /* wraps to 2^66 mod 2^64 = 0 */
    assert_null(xzalloc_array_bytes(SIZE_MAX, SIZE_MAX));

    p = xzalloc_array_bytes(0, 1000);
    assert_non_null(p);
    xfree(p);
    p = xzalloc_array_bytes(1000, 0);
    assert_non_null(p);
    xfree(p);

    a = xmalloc_bytes(100 * sizeof(*a));
    memset(a, 0xee, 100 * sizeof(*a));
    xfree(a);
    a = xzalloc_array(uint32_t, 100);
    assert_non_null(a);
    for ( i = 0; i < 100; i++ )
        assert_int_equal(a[i], 0);
    xfree(a);

    a = xzalloc_array(uint32_t, 3000);              /* 12000 bytes: a large block */
    assert_non_null(a);
    assert_true(IS_ALIGNED((uintptr_t)a, PAGE_SIZE));
    assert_true(all_bytes(a, 0, 3000 * sizeof(*a)));
    xfree(a);
}

/* ---- pages go back to the heap ---- */

static void test_class_pages_return_to_heap(void **state)
{
    static void *p[64 * 10];
    unsigned long f0;
    unsigned int i;
    void *warm;

    (void)state;
    /* Warm up: afterwards the class holds exactly its one spare page. */
    warm = xmalloc_bytes(64);
    xfree(warm);
    f0 = heap_free_count();

    for ( i = 0; i < ARRAY_SIZE(p); i++ )           /* 64 objects of 64 bytes per page: 10 pages */
        p[i] = xmalloc_bytes(64);
    assert_int_equal(f0 - heap_free_count(), 9);    /* the spare page was used first */

    for ( i = 0; i < ARRAY_SIZE(p); i++ )
        xfree(p[i]);
    assert_int_equal(heap_free_count(), f0);        /* all but one spare page went back */
}

static void test_one_object_alloc_free_does_not_churn_pages(void **state)
{
    unsigned long f0;
    unsigned int i;
    void *p;

    (void)state;
    p = xmalloc_bytes(1000);
    xfree(p);
    f0 = heap_free_count();
    for ( i = 0; i < 100; i++ )
    {
        p = xmalloc_bytes(1000);
        assert_int_equal(heap_free_count(), f0);
        xfree(p);
    }
}

/* ---- bad frees ---- */

static void test_free_null_is_a_no_op(void **state)
{
    unsigned long before = heap_free_count();

    (void)state;
    xfree(NULL);
    assert_int_equal(heap_free_count(), before);
}

static void test_free_of_misaligned_pointer_is_a_bug(void **state)
{
    unsigned char *p, *q, *r;

    (void)state;
    p = xmalloc_bytes(64);
    q = xmalloc_bytes(64);
    expect_assert_failure(xfree(p + 8));
    expect_assert_failure(xfree(p + 32));
    expect_assert_failure(xfree(p + 1));
    /* Nothing changed: p is still live (not handed out again) and both free normally. */
    r = xmalloc_bytes(64);
    assert_ptr_not_equal(r, p);
    assert_ptr_not_equal(r, q);
    xfree(p);
    xfree(q);
    xfree(r);
    assert_only_spare_pages_held();
}

static void test_double_free_is_a_bug(void **state)
{
    void *a, *b;

    (void)state;
    a = xmalloc_bytes(200);
    b = xmalloc_bytes(200);
    xfree(a);
    expect_assert_failure(xfree(a));
    xfree(b);
    expect_assert_failure(xfree(b));                /* page now fully free (kept as the spare) */
    expect_assert_failure(xfree(a));
    assert_only_spare_pages_held();
}

static void test_double_free_after_page_went_back_is_a_bug(void **state)
{
    static void *p[16 * 3];
    volatile unsigned int i;                        /* survives expect_assert_failure's longjmp */

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(p); i++ )           /* 256-byte class: 16 per page, 3 pages */
        p[i] = xmalloc_bytes(256);
    for ( i = 0; i < ARRAY_SIZE(p); i++ )
        xfree(p[i]);
    /* At most one of the three pages is kept; objects of the others point into free heap pages. */
    for ( i = 0; i < ARRAY_SIZE(p); i++ )
        expect_assert_failure(xfree(p[i]));
}

static void test_live_object_holding_the_free_marker_frees_normally(void **state)
{
    unsigned long marker[2], *p, *keep;

    (void)state;
    keep = xmalloc_bytes(32);
    p = xmalloc_bytes(32);
    xfree(p);
    memcpy(marker, p, sizeof(marker));              /* what a free object looks like */
    assert_ptr_equal(xmalloc_bytes(32), p);
    memcpy(p, marker, sizeof(marker));              /* a live object may hold the same words */
    xfree(p);
    assert_ptr_equal(xmalloc_bytes(32), p);         /* it really was freed */
    xfree(p);
    xfree(keep);
}

static void test_write_after_free_is_caught_on_next_alloc(void **state)
{
    unsigned long saved, *p, *keep;

    (void)state;
    keep = xmalloc_bytes(128);
    p = xmalloc_bytes(128);
    xfree(p);
    saved = p[1];
    p[1] = 0x1234;                                  /* use after free */
    expect_assert_failure(xmalloc_bytes(128));
    p[1] = saved;
    assert_ptr_equal(xmalloc_bytes(128), p);
    xfree(p);
    xfree(keep);
}

static void test_free_inside_large_block_is_a_bug(void **state)
{
    unsigned long before = heap_free_count();
    unsigned char *p;

    (void)state;
    p = xmalloc_bytes(3 * PAGE_SIZE);               /* 4 pages */
    expect_assert_failure(xfree(p + PAGE_SIZE));
    expect_assert_failure(xfree(p + 3 * PAGE_SIZE));
    expect_assert_failure(xfree(p + 16));
    assert_int_equal(before - heap_free_count(), 4);
    xfree(p);
    assert_int_equal(heap_free_count(), before);
    expect_assert_failure(xfree(p));
    expect_assert_failure(xfree(p + PAGE_SIZE));
}

static void test_free_of_non_xmalloc_memory_is_a_bug(void **state)
{
    struct page_info *pg;
    void *va;

    (void)state;
    va = alloc_xenheap_pages(0);                    /* a heap page, but not xmalloc's */
    expect_assert_failure(xfree(va));
    free_xenheap_pages(va, 0);
    pg = heap_alloc_pages(0, 0);                    /* not even a xenheap page */
    expect_assert_failure(xfree(mfn_to_virt(page_to_mfn(pg))));
    heap_free_pages(pg, 0);
    expect_assert_failure(xfree(mfn_to_virt(0)));   /* reserved frame */
    expect_assert_failure(xfree(mfn_to_virt(NR_FRAMES + 3)));   /* no page_info at all */
}

/* ---- randomized ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_random_sizes_keep_contents_intact(void **state)
{
    static unsigned char *p[400];
    static size_t len[400];
    unsigned int i, step;

    (void)state;
    for ( step = 0; step < 20000; step++ )
    {
        i = rng() % ARRAY_SIZE(p);
        if ( p[i] )
        {
            assert_true(all_bytes(p[i], i & 0xff, len[i]));
            xfree(p[i]);
            p[i] = NULL;
            continue;
        }
        len[i] = (rng() % 8) ? rng() % (SMALL_MAX + 1) : rng() % (6 * PAGE_SIZE);
        p[i] = xmalloc_bytes(len[i]);
        assert_non_null(p[i]);
        assert_true(IS_ALIGNED((uintptr_t)p[i], len[i] > SMALL_MAX ? PAGE_SIZE : 16));
        memset(p[i], i & 0xff, len[i]);
    }
    for ( i = 0; i < ARRAY_SIZE(p); i++ )
    {
        if ( !p[i] )
            continue;
        assert_true(all_bytes(p[i], i & 0xff, len[i]));
        xfree(p[i]);
    }
    assert_only_spare_pages_held();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_small_size_is_aligned_to_its_class),
        cmocka_unit_test(test_objects_of_a_class_do_not_overlap),
        cmocka_unit_test(test_zero_size_gives_unique_freeable_pointers),
        cmocka_unit_test(test_large_objects_are_page_blocks),
        cmocka_unit_test(test_too_large_returns_null),
        cmocka_unit_test(test_small_alloc_fails_cleanly_when_heap_is_empty),
        cmocka_unit_test(test_xzalloc_zeroes_reused_memory),
        cmocka_unit_test(test_freed_object_is_reused_first),
        cmocka_unit_test(test_xzalloc_array_checks_overflow_and_zeroes),
        cmocka_unit_test(test_class_pages_return_to_heap),
        cmocka_unit_test(test_one_object_alloc_free_does_not_churn_pages),
        cmocka_unit_test(test_free_null_is_a_no_op),
        cmocka_unit_test(test_free_of_misaligned_pointer_is_a_bug),
        cmocka_unit_test(test_double_free_is_a_bug),
        cmocka_unit_test(test_double_free_after_page_went_back_is_a_bug),
        cmocka_unit_test(test_live_object_holding_the_free_marker_frees_normally),
        cmocka_unit_test(test_write_after_free_is_caught_on_next_alloc),
        cmocka_unit_test(test_free_inside_large_block_is_a_bug),
        cmocka_unit_test(test_free_of_non_xmalloc_memory_is_a_bug),
        cmocka_unit_test(test_random_sizes_keep_contents_intact),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
