/* test_boot_alloc.c - unit tests for the boot allocator (common/boot_alloc.c). */
#include <stdlib.h>
#include <string.h>
#include <parva/lib.h>
#include <parva/mm.h>

/*
 * The allocator's state is static: each test starts by reserving everything,
 * which empties the range list.  bootmem_end() closes the allocator for
 * good, so the test that calls it runs last.
 */
static int setup(void **state)
{
    unsigned long s, e;

    (void)state;
    bootmem_reserve(0, ~0UL);
    assert_false(bootmem_range(0, &s, &e));
    harness_log_clear();
    return 0;
}

/* Check that the free ranges are exactly want[0..nr-1] (pairs of start, end). */
static void assert_ranges(const unsigned long (*want)[2], unsigned int nr)
{
    unsigned long s, e, total = 0;
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        assert_true(bootmem_range(i, &s, &e));
        assert_int_equal(s, want[i][0]);
        assert_int_equal(e, want[i][1]);
        total += e - s;
    }
    assert_false(bootmem_range(nr, &s, &e));
    assert_int_equal(bootmem_free_count(), total);
}

#define ASSERT_RANGES(...) do {                                     \
    static const unsigned long want_[][2] = { __VA_ARGS__ };        \
    assert_ranges(want_, ARRAY_SIZE(want_));                        \
} while ( 0 )

static void assert_no_ranges(void)
{
    unsigned long s, e;

    assert_false(bootmem_range(0, &s, &e));
    assert_int_equal(bootmem_free_count(), 0);
}

/* ---- adding ---- */

static void test_add_keeps_ranges_sorted(void **state)
{
    (void)state;
    bootmem_add(300, 400);
    bootmem_add(100, 200);
    bootmem_add(500, 600);
    ASSERT_RANGES({ 100, 200 }, { 300, 400 }, { 500, 600 });
}

static void test_add_merges_touching_and_overlapping_ranges(void **state)
{
    (void)state;
    bootmem_add(100, 200);
    bootmem_add(300, 400);
    bootmem_add(200, 300);                  /* touches both */
    ASSERT_RANGES({ 100, 400 });
    bootmem_add(350, 500);                  /* overlaps the end */
    ASSERT_RANGES({ 100, 500 });
    bootmem_add(50, 99);                    /* one frame short of touching */
    ASSERT_RANGES({ 50, 99 }, { 100, 500 });
    bootmem_add(120, 130);                  /* inside */
    ASSERT_RANGES({ 50, 99 }, { 100, 500 });
    bootmem_add(600, 700);
    bootmem_add(800, 900);
    bootmem_add(10, 1000);                  /* swallows everything */
    ASSERT_RANGES({ 10, 1000 });
}

static void test_add_empty_or_inverted_range_is_ignored(void **state)
{
    (void)state;
    bootmem_add(100, 100);
    bootmem_add(200, 100);
    assert_no_ranges();
}

/* ---- reserving ---- */

static void test_reserve_trims_splits_and_removes(void **state)
{
    (void)state;
    bootmem_add(100, 200);
    bootmem_add(300, 400);
    bootmem_add(500, 600);

    bootmem_reserve(90, 110);               /* head */
    ASSERT_RANGES({ 110, 200 }, { 300, 400 }, { 500, 600 });
    bootmem_reserve(190, 250);              /* tail */
    ASSERT_RANGES({ 110, 190 }, { 300, 400 }, { 500, 600 });
    bootmem_reserve(340, 360);              /* middle: split */
    ASSERT_RANGES({ 110, 190 }, { 300, 340 }, { 360, 400 }, { 500, 600 });
    bootmem_reserve(500, 600);              /* exactly one range */
    ASSERT_RANGES({ 110, 190 }, { 300, 340 }, { 360, 400 });
    bootmem_reserve(150, 370);              /* across several */
    ASSERT_RANGES({ 110, 150 }, { 370, 400 });
}

static void test_reserve_outside_ranges_changes_nothing(void **state)
{
    (void)state;
    bootmem_add(100, 200);
    bootmem_reserve(0, 100);
    bootmem_reserve(200, 300);
    bootmem_reserve(150, 150);              /* empty */
    bootmem_reserve(180, 120);              /* inverted */
    ASSERT_RANGES({ 100, 200 });
}

/* ---- allocating ---- */

static void test_alloc_is_top_down_from_highest_range(void **state)
{
    (void)state;
    bootmem_add(16, 64);
    bootmem_add(256, 512);
    assert_int_equal(bootmem_alloc(10, 1), 502);
    ASSERT_RANGES({ 16, 64 }, { 256, 502 });
    assert_int_equal(bootmem_alloc(246, 1), 256);     /* exactly the rest of the range */
    ASSERT_RANGES({ 16, 64 });
    assert_int_equal(bootmem_alloc(48, 1), 16);
    assert_no_ranges();
    assert_int_equal(bootmem_alloc(1, 1), 0);
}

static void test_alloc_honours_alignment_and_splits(void **state)
{
    unsigned long mfn;

    (void)state;
    bootmem_add(16, 64);
    bootmem_add(256, 512);
    mfn = bootmem_alloc(10, 64);
    assert_int_equal(mfn, 448);
    ASSERT_RANGES({ 16, 64 }, { 256, 448 }, { 458, 512 });

    /* Too aligned for the upper ranges: falls through to the lowest one that has an aligned slot. */
    mfn = bootmem_alloc(8, 512);
    assert_int_equal(mfn, 0);
    mfn = bootmem_alloc(8, 32);
    assert_int_equal(mfn, 480);
    mfn = bootmem_alloc(40, 32);
    assert_int_equal(mfn, 384);
    assert_true(IS_ALIGNED(mfn, 32));
    mfn = bootmem_alloc(32, 32);
    assert_int_equal(mfn, 352);
    mfn = bootmem_alloc(64, 32);
    assert_int_equal(mfn, 288);
    ASSERT_RANGES({ 16, 64 }, { 256, 288 }, { 424, 448 }, { 458, 480 }, { 488, 512 });
    mfn = bootmem_alloc(32, 32);            /* exactly [256, 288) */
    assert_int_equal(mfn, 256);
    mfn = bootmem_alloc(32, 16);            /* [16, 64) is the only range left with room */
    assert_int_equal(mfn, 32);
    ASSERT_RANGES({ 16, 32 }, { 424, 448 }, { 458, 480 }, { 488, 512 });
}

static void test_alloc_larger_than_any_range_fails(void **state)
{
    (void)state;
    bootmem_add(100, 200);
    bootmem_add(300, 400);
    assert_int_equal(bootmem_alloc(101, 1), 0);
    ASSERT_RANGES({ 100, 200 }, { 300, 400 });
    assert_int_equal(bootmem_alloc(100, 1), 300);
}

static void test_alloc_never_returns_frame_zero(void **state)
{
    (void)state;
    bootmem_add(0, 4);
    assert_int_equal(bootmem_alloc(1, 1), 3);
    assert_int_equal(bootmem_alloc(2, 1), 1);
    assert_int_equal(bootmem_alloc(1, 1), 0);         /* only frame 0 left */
    ASSERT_RANGES({ 0, 1 });

    bootmem_add(0, 8);
    assert_int_equal(bootmem_alloc(4, 8), 0);         /* the only aligned slot is frame 0 */
    ASSERT_RANGES({ 0, 8 });
}

static void test_alloc_bad_arguments_fail(void **state)
{
    (void)state;
    bootmem_add(100, 200);
    assert_int_equal(bootmem_alloc(0, 1), 0);
    assert_int_equal(bootmem_alloc(1, 0), 0);
    assert_int_equal(bootmem_alloc(1, 3), 0);
    assert_non_null(strstr(harness_log, "bad allocation"));
    ASSERT_RANGES({ 100, 200 });
}

/* ---- a full range array ---- */

/* Fill the array with ranges [10i + 10, 10i + 15), i < BOOTMEM_MAX_RANGES. */
static void fill_ranges(void)
{
    unsigned long s, e;
    unsigned int i;

    for ( i = 0; i < BOOTMEM_MAX_RANGES; i++ )
        bootmem_add(10 * i + 10, 10 * i + 15);
    assert_true(bootmem_range(BOOTMEM_MAX_RANGES - 1, &s, &e));
    assert_int_equal(s, 10 * BOOTMEM_MAX_RANGES);
    assert_int_equal(bootmem_free_count(), 5 * BOOTMEM_MAX_RANGES);
    assert_string_equal(harness_log, "");
}

static void test_overflowing_add_is_dropped_and_reported(void **state)
{
    unsigned long s, e;
    unsigned int i;

    (void)state;
    fill_ranges();
    bootmem_add(5000, 5100);
    bootmem_add(1, 3);
    assert_non_null(strstr(harness_log, "dropping frames 0x1388-0x13eb"));
    assert_non_null(strstr(harness_log, "dropping frames 0x1-0x2"));
    assert_int_equal(bootmem_free_count(), 5 * BOOTMEM_MAX_RANGES);
    for ( i = 0; i < BOOTMEM_MAX_RANGES; i++ )
    {
        assert_true(bootmem_range(i, &s, &e));
        assert_int_equal(s, 10 * i + 10);
        assert_int_equal(e, 10 * i + 15);
    }
    assert_false(bootmem_range(BOOTMEM_MAX_RANGES, &s, &e));

    /* Adds that merge need no new slot and still work. */
    harness_log_clear();
    bootmem_add(15, 17);
    assert_true(bootmem_range(0, &s, &e));
    assert_int_equal(e, 17);
    bootmem_add(17, 20);                    /* joins ranges 0 and 1: frees a slot */
    assert_true(bootmem_range(0, &s, &e));
    assert_int_equal(e, 25);
    bootmem_add(5000, 5100);
    assert_string_equal(harness_log, "");
    assert_true(bootmem_range(BOOTMEM_MAX_RANGES - 1, &s, &e));
    assert_int_equal(s, 5000);
}

static void test_overflowing_split_keeps_larger_piece(void **state)
{
    unsigned long s, e, before;

    (void)state;
    fill_ranges();
    bootmem_add(10 * BOOTMEM_MAX_RANGES + 5, 10 * BOOTMEM_MAX_RANGES + 100);    /* last: [1280, 1380) */
    assert_string_equal(harness_log, "");
    before = bootmem_free_count();

    bootmem_reserve(1290, 1300);            /* keeps [1300, 1380), drops [1280, 1290) */
    assert_non_null(strstr(harness_log, "dropping frames 0x500-0x509"));
    assert_true(bootmem_range(BOOTMEM_MAX_RANGES - 1, &s, &e));
    assert_int_equal(s, 1300);
    assert_int_equal(e, 1380);
    assert_int_equal(bootmem_free_count(), before - 20);

    harness_log_clear();
    bootmem_reserve(1370, 1375);            /* keeps [1300, 1370), drops [1375, 1380) */
    assert_non_null(strstr(harness_log, "dropping frames 0x55f-0x563"));
    assert_true(bootmem_range(BOOTMEM_MAX_RANGES - 1, &s, &e));
    assert_int_equal(s, 1300);
    assert_int_equal(e, 1370);
    assert_false(bootmem_range(BOOTMEM_MAX_RANGES, &s, &e));
}

static void test_overflowing_alloc_still_returns_its_frames(void **state)
{
    unsigned long s, e, mfn;

    (void)state;
    fill_ranges();
    bootmem_reserve(10 * BOOTMEM_MAX_RANGES, 10 * BOOTMEM_MAX_RANGES + 5);
    bootmem_add(2000, 2100);                /* the highest range, in the freed slot */
    mfn = bootmem_alloc(10, 64);            /* 2048: leaves [2000, 2048) and [2058, 2100) */
    assert_int_equal(mfn, 2048);
    assert_non_null(strstr(harness_log, "dropping frames 0x80a-0x833"));
    assert_true(bootmem_range(BOOTMEM_MAX_RANGES - 1, &s, &e));
    assert_int_equal(s, 2000);
    assert_int_equal(e, 2048);
}

/* ---- the end: runs last ---- */

#define NR_FRAMES 1024UL

static void test_end_gives_ranges_to_heap_and_closes(void **state)
{
    struct page_info *table = calloc(NR_FRAMES, sizeof(*table));
    unsigned long i, free_before, total_before = heap_total_count();

    (void)state;
    assert_non_null(table);
    for ( i = 0; i < NR_FRAMES; i++ )
        table[i].count_info = PGC_state_reserved;
    frame_table = table;
    max_page = NR_FRAMES;

    bootmem_add(1, 160);
    bootmem_add(256, NR_FRAMES);
    bootmem_reserve(100, 120);
    assert_int_equal(bootmem_alloc(16, 16), NR_FRAMES - 16);
    free_before = bootmem_free_count();
    assert_int_equal(free_before, 159 - 20 + NR_FRAMES - 256 - 16);

    bootmem_end();
    assert_int_equal(heap_free_count(), free_before);
    assert_int_equal(heap_total_count() - total_before, free_before);
    for ( i = 0; i < NR_FRAMES; i++ )
    {
        bool want_free = (i >= 1 && i < 100) || (i >= 120 && i < 160) || (i >= 256 && i < NR_FRAMES - 16);

        assert_int_equal(page_is_free(&table[i]), want_free);
    }
    assert_no_ranges();

    /* Closed: allocations fail and say so, adds are ignored. */
    harness_log_clear();
    assert_int_equal(bootmem_alloc(1, 1), 0);
    assert_non_null(strstr(harness_log, "after bootmem_end"));
    harness_log_clear();
    bootmem_add(2000, 3000);
    assert_non_null(strstr(harness_log, "after bootmem_end"));
    assert_no_ranges();

    /* The heap really owns the frames. */
    for ( i = 0; i < free_before; i++ )
        assert_non_null(heap_alloc_pages(0, 0));
    assert_null(heap_alloc_pages(0, 0));
    frame_table = NULL;
    max_page = 0;
    free(table);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_add_keeps_ranges_sorted),
        T(test_add_merges_touching_and_overlapping_ranges),
        T(test_add_empty_or_inverted_range_is_ignored),
        T(test_reserve_trims_splits_and_removes),
        T(test_reserve_outside_ranges_changes_nothing),
        T(test_alloc_is_top_down_from_highest_range),
        T(test_alloc_honours_alignment_and_splits),
        T(test_alloc_larger_than_any_range_fails),
        T(test_alloc_never_returns_frame_zero),
        T(test_alloc_bad_arguments_fail),
        T(test_overflowing_add_is_dropped_and_reported),
        T(test_overflowing_split_keeps_larger_piece),
        T(test_overflowing_alloc_still_returns_its_frames),
        T(test_end_gives_ranges_to_heap_and_closes),  /* must stay last */
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
