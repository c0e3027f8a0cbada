/* test_memmap.c - unit tests for memory map sanitising and queries (common/memmap.c). */
#include <stdio.h>
#include <string.h>
#include <parva/lib.h>
#include <parva/memmap.h>

#define RAM     E820_RAM
#define RES     E820_RESERVED
#define ACPI    E820_ACPI
#define NVS     E820_NVS
#define UNUSE   E820_UNUSABLE

#define E(a, s, t) { (a), (s), (t) }

static void print_map(const char *what, const struct memmap_entry *m, unsigned int nr)
{
    unsigned int i;

    fprintf(stderr, "%s (%u entries):\n", what, nr);
    for ( i = 0; i < nr; i++ )
        fprintf(stderr, "  [%#lx, %#lx) type %u\n", m[i].addr, m[i].addr + m[i].size, m[i].type);
}

static void check_map(const struct memmap_entry *got, unsigned int nr_got,
                      const struct memmap_entry *want, unsigned int nr_want)
{
    unsigned int i;
    bool same = nr_got == nr_want;

    for ( i = 0; same && i < nr_got; i++ )
        same = got[i].addr == want[i].addr && got[i].size == want[i].size && got[i].type == want[i].type;
    if ( !same )
    {
        print_map("got", got, nr_got);
        print_map("want", want, nr_want);
    }
    assert_true(same);
}

/* Sanitise a copy of in (with room for max entries) and compare with want. */
#define SANITIZE_EXPECT(in, max, want)                                              \
    do {                                                                            \
        struct memmap_entry m_[64];                                                 \
        const struct memmap_entry want_[] = want;                                   \
        unsigned int n_ = ARRAY_SIZE(in);                                           \
        BUILD_BUG_ON((max) > ARRAY_SIZE(m_));                                       \
        memcpy(m_, in, sizeof(in));                                                 \
        assert_int_equal(memmap_sanitize(m_, &n_, (max)), 0);                       \
        check_map(m_, n_, want_, ARRAY_SIZE(want_));                                \
    } while ( 0 )

#define LIST(...) { __VA_ARGS__ }

static void test_sorts_disjoint_entries_by_address(void **state)
{
    const struct memmap_entry in[] = {
        E(0x100000, 0x7ff00000, RAM), E(0xf0000, 0x10000, RES), E(0, 0x9fc00, RAM),
        E(0xfffc0000, 0x40000, RES), E(0x9fc00, 0x400, RES),
    };

    (void)state;
    SANITIZE_EXPECT(in, 8, LIST(E(0, 0x9fc00, RAM), E(0x9fc00, 0x400, RES), E(0xf0000, 0x10000, RES),
                                E(0x100000, 0x7ff00000, RAM), E(0xfffc0000, 0x40000, RES)));
}

static void test_leaves_a_clean_qemu_map_unchanged(void **state)
{
    const struct memmap_entry in[] = {
        E(0, 0x9fc00, RAM), E(0x9fc00, 0x400, RES), E(0xf0000, 0x10000, RES),
        E(0x100000, 0x7fee0000, RAM), E(0x7ffe0000, 0x20000, RES), E(0xfffc0000, 0x40000, RES),
        E(0x100000000ULL, 0x80000000ULL, RAM),
    };
    struct memmap_entry m[8];
    unsigned int n = ARRAY_SIZE(in);

    (void)state;
    memcpy(m, in, sizeof(in));
    assert_int_equal(memmap_sanitize(m, &n, ARRAY_SIZE(m)), 0);
    check_map(m, n, in, ARRAY_SIZE(in));
    assert_int_equal(memmap_total(m, n, RAM), 0x9fc00 + 0x7fee0000 + 0x80000000ULL);
    assert_int_equal(memmap_total(m, n, RES), 0x400 + 0x10000 + 0x20000 + 0x40000);
}

static void test_drops_zero_size_entries(void **state)
{
    const struct memmap_entry in[] = {
        E(0x5000, 0, RES), E(0, 0x1000, RAM), E(0x800, 0, RES), E(0x1000, 0x1000, RES), E(0, 0, RAM),
    };

    (void)state;
    SANITIZE_EXPECT(in, 8, LIST(E(0, 0x1000, RAM), E(0x1000, 0x1000, RES)));
}

static void test_drops_and_reports_entries_ending_beyond_64_bits(void **state)
{
    const struct memmap_entry in[] = {
        E(0xfffffffffffff000ULL, 0x2000, RES),      /* wraps */
        E(0, 0x1000, RAM),
        E(0xfffffffffffff000ULL, 0x1000, RES),      /* ends exactly at 2^64: no exclusive end */
        E(0xffffffff00000000ULL, 0xfff, RAM),       /* ends below the top: kept */
    };

    (void)state;
    harness_log_clear();
    SANITIZE_EXPECT(in, 8, LIST(E(0, 0x1000, RAM), E(0xffffffff00000000ULL, 0xfff, RAM)));
    assert_non_null(strstr(harness_log, "end beyond 64 bits"));
}

static void test_empty_map_stays_empty(void **state)
{
    struct memmap_entry m[1];
    unsigned int n = 0;

    (void)state;
    assert_int_equal(memmap_sanitize(m, &n, 0), 0);
    assert_int_equal(n, 0);
    assert_int_equal(memmap_total(m, n, RAM), 0);
    assert_false(memmap_is_type(m, n, 0, 1, RAM));
}

static void test_merges_adjacent_entries_of_one_type(void **state)
{
    const struct memmap_entry in[] = {
        E(0x3000, 0x1000, RAM), E(0x1000, 0x1000, RAM), E(0x2000, 0x1000, RAM), E(0x4000, 0x1000, RES),
        E(0x5000, 0x1000, RES),
    };

    (void)state;
    SANITIZE_EXPECT(in, 8, LIST(E(0x1000, 0x3000, RAM), E(0x4000, 0x2000, RES)));
}

static void test_merges_overlapping_and_contained_entries_of_one_type(void **state)
{
    const struct memmap_entry in[] = {
        E(0x1000, 0x3000, RAM), E(0x2000, 0x4000, RAM),     /* partial overlap */
        E(0x3000, 0x1000, RAM),                             /* contained */
        E(0x1000, 0x3000, RAM),                             /* duplicate */
        E(0x10000, 0x1000, RES), E(0x10000, 0x2000, RES),   /* same start */
    };

    (void)state;
    SANITIZE_EXPECT(in, 8, LIST(E(0x1000, 0x5000, RAM), E(0x10000, 0x2000, RES)));
}

static void test_keeps_adjacent_entries_of_different_types_apart(void **state)
{
    const struct memmap_entry in[] = { E(0x1000, 0x1000, RES), E(0, 0x1000, RAM), E(0x2000, 0x1000, ACPI) };

    (void)state;
    SANITIZE_EXPECT(in, 4, LIST(E(0, 0x1000, RAM), E(0x1000, 0x1000, RES), E(0x2000, 0x1000, ACPI)));
}

static void test_reserved_inside_ram_splits_ram_into_three(void **state)
{
    const struct memmap_entry in[] = { E(0, 0x10000, RAM), E(0x4000, 0x1000, RES) };

    (void)state;
    SANITIZE_EXPECT(in, 3, LIST(E(0, 0x4000, RAM), E(0x4000, 0x1000, RES), E(0x5000, 0xb000, RAM)));
}

static void test_ram_inside_reserved_vanishes(void **state)
{
    const struct memmap_entry in[] = { E(0x4000, 0x1000, RAM), E(0, 0x10000, RES) };

    (void)state;
    SANITIZE_EXPECT(in, 2, LIST(E(0, 0x10000, RES)));
}

static void test_partial_overlaps_go_to_the_non_ram_type(void **state)
{
    const struct memmap_entry ram_first[] = { E(0, 0x3000, RAM), E(0x2000, 0x3000, RES) };
    const struct memmap_entry res_first[] = { E(0, 0x3000, RES), E(0x2000, 0x3000, RAM) };

    (void)state;
    SANITIZE_EXPECT(ram_first, 2, LIST(E(0, 0x2000, RAM), E(0x2000, 0x3000, RES)));
    SANITIZE_EXPECT(res_first, 2, LIST(E(0, 0x3000, RES), E(0x3000, 0x2000, RAM)));
}

static void test_overlaps_sharing_a_start_or_an_end(void **state)
{
    const struct memmap_entry same_start[] = { E(0x1000, 0x4000, RAM), E(0x1000, 0x1000, NVS) };
    const struct memmap_entry same_start2[] = { E(0x1000, 0x1000, NVS), E(0x1000, 0x4000, RAM) };
    const struct memmap_entry same_end[] = { E(0x1000, 0x4000, RAM), E(0x4000, 0x1000, ACPI) };
    const struct memmap_entry identical[] = { E(0x1000, 0x1000, RAM), E(0x1000, 0x1000, UNUSE) };

    (void)state;
    SANITIZE_EXPECT(same_start, 2, LIST(E(0x1000, 0x1000, NVS), E(0x2000, 0x3000, RAM)));
    SANITIZE_EXPECT(same_start2, 2, LIST(E(0x1000, 0x1000, NVS), E(0x2000, 0x3000, RAM)));
    SANITIZE_EXPECT(same_end, 2, LIST(E(0x1000, 0x3000, RAM), E(0x4000, 0x1000, ACPI)));
    SANITIZE_EXPECT(identical, 2, LIST(E(0x1000, 0x1000, UNUSE)));
}

static void test_higher_non_ram_type_wins_an_overlap(void **state)
{
    const struct memmap_entry acpi_res[] = { E(0, 0x2000, ACPI), E(0x1000, 0x2000, RES) };
    const struct memmap_entry nvs_acpi[] = { E(0, 0x3000, ACPI), E(0x1000, 0x1000, NVS) };
    const struct memmap_entry unknown[] = {
        E(0, 0x2000, UNUSE), E(0x1000, 0x2000, 20), E(0x2800, 0x1000, RAM),
    };
    const struct memmap_entry type0[] = { E(0, 0x2000, RAM), E(0x1000, 0x1000, 0) };

    (void)state;
    SANITIZE_EXPECT(acpi_res, 2, LIST(E(0, 0x2000, ACPI), E(0x2000, 0x1000, RES)));
    SANITIZE_EXPECT(nvs_acpi, 3, LIST(E(0, 0x1000, ACPI), E(0x1000, 0x1000, NVS), E(0x2000, 0x1000, ACPI)));
    SANITIZE_EXPECT(unknown, 3, LIST(E(0, 0x1000, UNUSE), E(0x1000, 0x2000, 20), E(0x3000, 0x800, RAM)));
    /* Type 0 is not RAM, so it beats RAM. */
    SANITIZE_EXPECT(type0, 2, LIST(E(0, 0x1000, RAM), E(0x1000, 0x1000, 0)));
}

static void test_holes_in_ram_are_punched_in_address_order(void **state)
{
    const struct memmap_entry in[] = {
        E(0, 0x100000, RAM), E(0x50000, 0x10000, ACPI), E(0x10000, 0x10000, RES), E(0x30000, 0x10000, RES),
    };

    (void)state;
    SANITIZE_EXPECT(in, 7, LIST(E(0, 0x10000, RAM), E(0x10000, 0x10000, RES), E(0x20000, 0x10000, RAM),
                                E(0x30000, 0x10000, RES), E(0x40000, 0x10000, RAM),
                                E(0x50000, 0x10000, ACPI), E(0x60000, 0xa0000, RAM)));
}

static void test_ram_overlapping_a_run_of_reserved_merges_back(void **state)
{
    /* RAM over two touching reserved ranges and beyond; RAM pieces rejoin the RAM after them. */
    const struct memmap_entry in[] = {
        E(0x1000, 0x1000, RES), E(0x2000, 0x1000, RES), E(0, 0x8000, RAM), E(0x8000, 0x8000, RAM),
    };

    (void)state;
    SANITIZE_EXPECT(in, 4, LIST(E(0, 0x1000, RAM), E(0x1000, 0x2000, RES), E(0x3000, 0xd000, RAM)));
}

static void test_reports_enospc_and_leaves_the_map_alone(void **state)
{
    const struct memmap_entry in[] = { E(0, 0x10000, RAM), E(0x4000, 0x1000, RES) };
    struct memmap_entry m[3];
    unsigned int n = 2;

    (void)state;
    memcpy(m, in, sizeof(in));
    harness_log_clear();
    assert_int_equal(memmap_sanitize(m, &n, 2), -ENOSPC);
    assert_non_null(strstr(harness_log, "more than 2 entries"));
    check_map(m, n, in, ARRAY_SIZE(in));

    /* With one more slot it succeeds. */
    assert_int_equal(memmap_sanitize(m, &n, 3), 0);
    assert_int_equal(n, 3);
}

static void test_exact_fit_needs_no_temporary_room(void **state)
{
    /* RAM split around a run of reserved ranges: three in, three out, max 3 is enough. */
    const struct memmap_entry in[] = { E(0, 0x8000, RAM), E(0x1000, 0x1000, RES), E(0x2000, 0x1000, RES) };

    (void)state;
    SANITIZE_EXPECT(in, 3, LIST(E(0, 0x1000, RAM), E(0x1000, 0x2000, RES), E(0x3000, 0x5000, RAM)));
}

static void test_many_entries_merge_into_one(void **state)
{
    static struct memmap_entry m[MEMMAP_MAX_ENTRIES];
    unsigned int n = ARRAY_SIZE(m), i;

    (void)state;
    /* Reverse order, every entry touching the next: one RAM range. */
    for ( i = 0; i < n; i++ )
        m[i] = (struct memmap_entry)E((uint64_t)(n - 1 - i) * 0x1000, 0x1000, RAM);
    assert_int_equal(memmap_sanitize(m, &n, n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].addr, 0);
    assert_int_equal(m[0].size, (uint64_t)MEMMAP_MAX_ENTRIES * 0x1000);
}

static void test_rejects_more_entries_than_room(void **state)
{
    struct memmap_entry m[2] = { E(0, 0x1000, RAM), E(0x1000, 0x1000, RAM) };
    unsigned int n = 2;

    (void)state;
    assert_int_equal(memmap_sanitize(m, &n, 1), -EINVAL);
    assert_int_equal(n, 2);
}

/*
 * Property test: random maps on a small address grid, compared with a
 * per-address reference (the highest-priority type covering each unit).
 */
#define GRID        48
#define GRID_UNIT   0x1000ULL

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245U + 12345U;
    return rng_state >> 8;
}

static int priority(uint32_t t)
{
    return t == RAM ? 0 : (int)t + 1;
}

static void test_random_maps_match_a_reference(void **state)
{
    static const uint32_t types[] = { RAM, RAM, RAM, RES, ACPI, NVS, UNUSE, 9 };
    unsigned int iter;

    (void)state;
    for ( iter = 0; iter < 4000; iter++ )
    {
        struct memmap_entry m[64];
        int ref[GRID];
        unsigned int n = 1 + rng() % 10, i, g;

        for ( g = 0; g < GRID; g++ )
            ref[g] = -1;
        for ( i = 0; i < n; i++ )
        {
            unsigned int start = rng() % GRID, len = rng() % 12;
            uint32_t type = types[rng() % ARRAY_SIZE(types)];

            if ( start + len > GRID )
                len = GRID - start;
            m[i] = (struct memmap_entry)E(start * GRID_UNIT, len * GRID_UNIT, type);
            for ( g = start; g < start + len; g++ )
                if ( ref[g] < 0 || priority(m[i].type) > priority((uint32_t)ref[g]) )
                    ref[g] = (int)m[i].type;
        }

        assert_int_equal(memmap_sanitize(m, &n, ARRAY_SIZE(m)), 0);

        for ( i = 0; i < n; i++ )
        {
            assert_true(m[i].size > 0);
            if ( i > 0 )
            {
                /* Sorted, disjoint, and touching neighbours differ in type. */
                assert_true(m[i - 1].addr + m[i - 1].size <= m[i].addr);
                if ( m[i - 1].addr + m[i - 1].size == m[i].addr )
                    assert_int_not_equal(m[i - 1].type, m[i].type);
            }
        }
        for ( g = 0; g < GRID; g++ )
        {
            int got = -1;

            for ( i = 0; i < n; i++ )
                if ( g * GRID_UNIT >= m[i].addr && g * GRID_UNIT < m[i].addr + m[i].size )
                    got = (int)m[i].type;
            if ( got != ref[g] )
            {
                print_map("result", m, n);
                fprintf(stderr, "iteration %u, unit %u: got type %d, want %d\n", iter, g, got, ref[g]);
            }
            assert_int_equal(got, ref[g]);
        }
    }
}

static void test_total_sums_entries_of_one_type(void **state)
{
    const struct memmap_entry m[] = {
        E(0, 0x9fc00, RAM), E(0x9fc00, 0x400, RES), E(0x100000, 0x100000, RAM), E(0x200000, 0x1000, ACPI),
        E(0x300000, 0x2000, ACPI),
    };

    (void)state;
    assert_int_equal(memmap_total(m, ARRAY_SIZE(m), RAM), 0x9fc00 + 0x100000);
    assert_int_equal(memmap_total(m, ARRAY_SIZE(m), RES), 0x400);
    assert_int_equal(memmap_total(m, ARRAY_SIZE(m), ACPI), 0x3000);
    assert_int_equal(memmap_total(m, ARRAY_SIZE(m), NVS), 0);
}

static void test_is_type_needs_the_whole_range(void **state)
{
    const struct memmap_entry m[] = {
        E(0, 0x9f000, RAM), E(0x9f000, 0x1000, RES), E(0x100000, 0x100000, RAM), E(0x200000, 0x100000, RAM),
        E(0xfffffffffffff000ULL, 0xfff, RES),
    };
    unsigned int n = ARRAY_SIZE(m);

    (void)state;
    assert_true(memmap_is_type(m, n, 0, 0x9f000, RAM));
    assert_true(memmap_is_type(m, n, 0x1000, 0x1000, RAM));
    assert_true(memmap_is_type(m, n, 0x9e000, 0x1000, RAM));
    assert_false(memmap_is_type(m, n, 0x9e000, 0x2000, RAM));        /* runs into reserved */
    assert_true(memmap_is_type(m, n, 0x9f000, 0x1000, RES));
    assert_false(memmap_is_type(m, n, 0x9f000, 0x2000, RES));        /* runs into a hole */
    assert_false(memmap_is_type(m, n, 0xa0000, 0x1000, RAM));        /* hole */
    assert_true(memmap_is_type(m, n, 0x1ff000, 0x2000, RAM));        /* spans two adjacent entries */
    assert_true(memmap_is_type(m, n, 0x100000, 0x200000, RAM));
    assert_false(memmap_is_type(m, n, 0x100000, 0x200001, RAM));     /* one byte past the end */
    assert_false(memmap_is_type(m, n, 0xfffff, 0x2, RAM));           /* starts in the hole */
    assert_false(memmap_is_type(m, n, 0x1000, 0, RAM));              /* empty range */
    assert_false(memmap_is_type(m, n, 0xfffffffffffff000ULL, 0x2000, RES)); /* wraps */
    assert_true(memmap_is_type(m, n, 0xfffffffffffff000ULL, 0xfff, RES));
}

static void test_type_names_follow_xen(void **state)
{
    (void)state;
    assert_string_equal(memmap_type_name(RAM), "usable");
    assert_string_equal(memmap_type_name(RES), "reserved");
    assert_string_equal(memmap_type_name(ACPI), "ACPI data");
    assert_string_equal(memmap_type_name(NVS), "ACPI NVS");
    assert_string_equal(memmap_type_name(UNUSE), "unusable");
    assert_string_equal(memmap_type_name(0), "unknown");
    assert_string_equal(memmap_type_name(12), "unknown");
}

static void test_print_uses_xen_style_lines(void **state)
{
    const struct memmap_entry m[] = {
        E(0, 0x9fc00, RAM), E(0x9fc00, 0x400, RES), E(0xfed00000, 0x1000, 12), E(0x100000000ULL, 0, ACPI),
    };

    (void)state;
    harness_log_clear();
    memmap_print(m, ARRAY_SIZE(m));
    assert_non_null(strstr(harness_log, " [0000000000000000, 000000000009fbff] (usable)\n"));
    assert_non_null(strstr(harness_log, " [000000000009fc00, 000000000009ffff] (reserved)\n"));
    assert_non_null(strstr(harness_log, " [00000000fed00000, 00000000fed00fff] (type 12)\n"));
    assert_non_null(strstr(harness_log, "[0000000100000000, empty"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorts_disjoint_entries_by_address),
        cmocka_unit_test(test_leaves_a_clean_qemu_map_unchanged),
        cmocka_unit_test(test_drops_zero_size_entries),
        cmocka_unit_test(test_drops_and_reports_entries_ending_beyond_64_bits),
        cmocka_unit_test(test_empty_map_stays_empty),
        cmocka_unit_test(test_merges_adjacent_entries_of_one_type),
        cmocka_unit_test(test_merges_overlapping_and_contained_entries_of_one_type),
        cmocka_unit_test(test_keeps_adjacent_entries_of_different_types_apart),
        cmocka_unit_test(test_reserved_inside_ram_splits_ram_into_three),
        cmocka_unit_test(test_ram_inside_reserved_vanishes),
        cmocka_unit_test(test_partial_overlaps_go_to_the_non_ram_type),
        cmocka_unit_test(test_overlaps_sharing_a_start_or_an_end),
        cmocka_unit_test(test_higher_non_ram_type_wins_an_overlap),
        cmocka_unit_test(test_holes_in_ram_are_punched_in_address_order),
        cmocka_unit_test(test_ram_overlapping_a_run_of_reserved_merges_back),
        cmocka_unit_test(test_reports_enospc_and_leaves_the_map_alone),
        cmocka_unit_test(test_exact_fit_needs_no_temporary_room),
        cmocka_unit_test(test_many_entries_merge_into_one),
        cmocka_unit_test(test_rejects_more_entries_than_room),
        cmocka_unit_test(test_random_maps_match_a_reference),
        cmocka_unit_test(test_total_sums_entries_of_one_type),
        cmocka_unit_test(test_is_type_needs_the_whole_range),
        cmocka_unit_test(test_type_names_follow_xen),
        cmocka_unit_test(test_print_uses_xen_style_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
