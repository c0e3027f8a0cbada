/* test_dom0_params.c - unit tests for dom0_mem= and dom0_max_vcpus= (common/dom0_params.c) via the parser. */
#include <stdio.h>
#include <string.h>
#include <parva/dom0.h>
#include <parva/param.h>
#include <asm/page.h>

#define MIB(x)      ((unsigned long)(x) << (20 - PAGE_SHIFT))   /* pages in x MiB */
#define GIB(x)      MIB((unsigned long)(x) << 10)

static int setup(void **state)
{
    (void)state;
    dom0_params_reset();
    harness_log_clear();
    return 0;
}

static bool log_has(const char *s)
{
    return strstr(harness_log, s) != NULL;
}

static const char *describe(void)
{
    static char buf[160];

    dom0_params_describe(buf, sizeof(buf));
    return buf;
}

/* Parse one line that must be accepted without any report. */
static void parse_ok(const char *line)
{
    assert_int_equal(param_parse_cmdline(line), 0);
    assert_string_equal(harness_log, "");
}

/* ---- The table ---- */

static void test_table_holds_the_two_dom0_options(void **state)
{
    const struct param_desc *d;
    bool mem = false, vcpus = false;

    (void)state;
    assert_int_equal((uintptr_t)__stop_param_table - (uintptr_t)__start_param_table,
                     2 * sizeof(struct param_desc));
    for ( d = __start_param_table; d < __stop_param_table; d++ )
    {
        assert_int_equal(d->type, PARAM_CUSTOM);
        assert_non_null(d->u.func);
        if ( !strcmp(d->name, "dom0_mem") )
            mem = true;
        else if ( !strcmp(d->name, "dom0_max_vcpus") )
            vcpus = true;
        else
            fail_msg("unexpected option %s", d->name);
    }
    assert_true(mem);
    assert_true(vcpus);
}

/* ---- dom0_mem: defaults ---- */

static void test_default_memory_reserves_a_sixteenth_up_to_128m(void **state)
{
    (void)state;
    assert_int_equal(dom0_compute_nr_pages(GIB(1)), GIB(1) - MIB(64));     /* 1/16 */
    assert_int_equal(dom0_compute_nr_pages(GIB(2)), GIB(2) - MIB(128));    /* exactly the cap */
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), GIB(4) - MIB(128));    /* capped */
    assert_int_equal(dom0_compute_nr_pages(GIB(1024)), GIB(1024) - MIB(128));
    assert_int_equal(dom0_compute_nr_pages(0), 0);
    assert_int_equal(dom0_compute_nr_pages(15), 15);                      /* reserve rounds to 0 */
    assert_int_equal(dom0_compute_nr_pages(16), 15);
    assert_int_equal(dom0_compute_nr_pages(33), 31);
    assert_true(dom0_compute_max_pages(GIB(4)) == DOM0_MAX_PAGES_UNLIMITED);
    assert_string_equal(describe(), "dom0: memory default (min 0, max all), vcpus 1..unlimited");
}

/* ---- dom0_mem: forms ---- */

static void test_absolute_amount(void **state)
{
    (void)state;
    parse_ok("dom0_mem=512M");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), MIB(512));
    assert_int_equal(dom0_compute_nr_pages(MIB(512)), MIB(512));
    assert_int_equal(dom0_compute_nr_pages(MIB(100)), MIB(100));          /* not more than there is */
    assert_string_equal(describe(), "dom0: memory 512 MiB (min 0, max all), vcpus 1..unlimited");
}

static void test_amount_units(void **state)
{
    static const struct {
        const char *line;
        unsigned long pages;
    } cases[] = {
        { "dom0_mem=524288", MIB(512) },        /* no suffix: KiB */
        { "dom0_mem=524288k", MIB(512) },
        { "dom0_mem=2G", GIB(2) },
        { "dom0_mem=2g", GIB(2) },
        { "dom0_mem=1T", GIB(1024) },
        { "dom0_mem=0x200m", MIB(512) },
        { "dom0_mem=8192b", 2 },
        { "dom0_mem=4097", 1024 },              /* rounded down to whole pages */
        { "dom0_mem=12287B", 2 },
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        dom0_params_reset();
        parse_ok(cases[i].line);
        assert_int_equal(dom0_compute_nr_pages(GIB(4096)), cases[i].pages);
    }
}

static void test_negative_amount_leaves_that_much(void **state)
{
    (void)state;
    parse_ok("dom0_mem=-1G");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), GIB(3));
    assert_int_equal(dom0_compute_nr_pages(GIB(1) + 1), 1);
    /* As much as there is or more: nothing (not everything, as Xen's wrap-around would give). */
    assert_int_equal(dom0_compute_nr_pages(GIB(1)), 0);
    assert_int_equal(dom0_compute_nr_pages(MIB(512)), 0);
    assert_int_equal(dom0_compute_nr_pages(0), 0);
    assert_string_equal(describe(), "dom0: memory all but 1 GiB (min 0, max all), vcpus 1..unlimited");
}

static void test_negative_amount_below_zero_gives_the_min(void **state)
{
    (void)state;
    parse_ok("dom0_mem=-8G,min:256M");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), MIB(256));
    assert_int_equal(dom0_compute_nr_pages(GIB(10)), GIB(2));
    assert_int_equal(dom0_compute_nr_pages(MIB(100)), MIB(100));          /* min is still capped */
}

static void test_min_raises_the_amount(void **state)
{
    (void)state;
    parse_ok("dom0_mem=min:1G");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), GIB(4) - MIB(128));   /* default above min */
    assert_int_equal(dom0_compute_nr_pages(GIB(1) + MIB(32)), GIB(1));    /* default below min */
    assert_int_equal(dom0_compute_nr_pages(MIB(768)), MIB(768));          /* min above avail */
    assert_true(dom0_compute_max_pages(GIB(4)) == DOM0_MAX_PAGES_UNLIMITED);
    assert_string_equal(describe(), "dom0: memory default (min 1 GiB, max all), vcpus 1..unlimited");
}

static void test_max_lowers_the_amount_and_sets_the_limit(void **state)
{
    (void)state;
    parse_ok("dom0_mem=max:2G");
    assert_int_equal(dom0_compute_nr_pages(GIB(8)), GIB(2));
    assert_int_equal(dom0_compute_nr_pages(GIB(1)), GIB(1) - MIB(64));
    assert_int_equal(dom0_compute_max_pages(GIB(8)), GIB(2));
    assert_int_equal(dom0_compute_max_pages(GIB(1)), GIB(2));             /* a balloon limit, not capped */
}

static void test_max_wins_over_min(void **state)
{
    (void)state;
    parse_ok("dom0_mem=min:2G,max:1G");
    assert_int_equal(dom0_compute_nr_pages(GIB(8)), GIB(1));
    parse_ok("dom0_mem=min:2G,max:1G,4G");
    assert_int_equal(dom0_compute_nr_pages(GIB(8)), GIB(1));
}

static void test_negative_min_and_max(void **state)
{
    (void)state;
    parse_ok("dom0_mem=512M,min:-1G");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), GIB(3));
    assert_int_equal(dom0_compute_nr_pages(GIB(1)), MIB(512));            /* min resolves to 0 */

    dom0_params_reset();
    parse_ok("dom0_mem=max:-1G");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), GIB(3));
    assert_int_equal(dom0_compute_max_pages(GIB(4)), GIB(3));
    assert_int_equal(dom0_compute_nr_pages(GIB(1)), 0);                   /* nothing may be left */
    assert_int_equal(dom0_compute_max_pages(MIB(512)), 0);
    assert_string_equal(describe(), "dom0: memory default (min 0, max all but 1 GiB), vcpus 1..unlimited");
}

static void test_items_in_any_order_and_last_wins(void **state)
{
    (void)state;
    parse_ok("dom0_mem=512M,max:1G,min:256M");
    assert_string_equal(describe(), "dom0: memory 512 MiB (min 256 MiB, max 1 GiB), vcpus 1..unlimited");
    dom0_params_reset();
    parse_ok("dom0_mem=min:256M,max:1G,512M");
    assert_string_equal(describe(), "dom0: memory 512 MiB (min 256 MiB, max 1 GiB), vcpus 1..unlimited");
    dom0_params_reset();
    parse_ok("dom0_mem=1G,2G,max:8G,max:3G");
    assert_int_equal(dom0_compute_nr_pages(GIB(16)), GIB(2));
    assert_int_equal(dom0_compute_max_pages(GIB(16)), GIB(3));
}

static void test_later_words_keep_items_they_do_not_mention(void **state)
{
    (void)state;
    parse_ok("dom0_mem=1G dom0_mem=max:768M");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), MIB(768));
    assert_string_equal(describe(), "dom0: memory 1 GiB (min 0, max 768 MiB), vcpus 1..unlimited");
}

static void test_zero_amount_means_default(void **state)
{
    (void)state;
    parse_ok("dom0_mem=0");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), GIB(4) - MIB(128));
    parse_ok("dom0_mem=max:0");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), 0);
}

static void test_dashes_in_the_option_name(void **state)
{
    (void)state;
    parse_ok("dom0-mem=256M dom0-max-vcpus=2");
    assert_int_equal(dom0_compute_nr_pages(GIB(4)), MIB(256));
    assert_int_equal(dom0_compute_max_vcpus(8, 128), 2);
}

static void test_malformed_memory_is_rejected_unchanged(void **state)
{
    static const char *const bad[] = {
        "dom0_mem", "dom0_mem=", "dom0_mem=abc", "dom0_mem=512M,", "dom0_mem=,512M",
        "dom0_mem=512M,,1G", "dom0_mem=min:", "dom0_mem=max:", "dom0_mem=min:x", "dom0_mem=512Q",
        "dom0_mem=512MB", "dom0_mem=25%", "dom0_mem=1G+25%", "dom0_mem=--1G", "dom0_mem=-",
        "dom0_mem=min;1G", "dom0_mem=MIN:1G", "dom0_mem=mid:1G", "dom0_mem=max:1G,min:2G,x",
        "dom0_mem=99999999999999999999T", "dom0_mem=+1G", "dom0_mem=1G;max:2G", "no-dom0_mem",
        "dom0_mem=min:-", "dom0_mem= 1G",
    };
    unsigned int i;

    (void)state;
    parse_ok("dom0_mem=1G,min:512M,max:2G");
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        harness_log_clear();
        assert_int_not_equal(param_parse_cmdline(bad[i]), 0);
        assert_true(log_has("has invalid value") || log_has("unknown"));
        assert_string_equal(describe(),
                            "dom0: memory 1 GiB (min 512 MiB, max 2 GiB), vcpus 1..unlimited");
        assert_int_equal(dom0_compute_nr_pages(GIB(8)), GIB(1));
        assert_int_equal(dom0_compute_max_pages(GIB(8)), GIB(2));
    }
}

static void test_overflowing_size_reports_eoverflow(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("dom0_mem=max:99999999999999999999999"), 1);
    assert_true(log_has("rc=-75!"));
    assert_true(dom0_compute_max_pages(GIB(8)) == DOM0_MAX_PAGES_UNLIMITED);
}

/* Invariants over a grid of settings and machine sizes. */
static void test_memory_result_is_always_within_bounds(void **state)
{
    static const char *const specs[] = {
        "", "512M", "-512M", "-64G", "min:1G", "min:-1G", "max:3G", "max:-2G", "max:-64G",
        "2G,min:1G,max:4G", "-1G,min:6G", "min:8G,max:2G", "1,min:4,max:8",
    };
    static const unsigned long avails[] = {
        0, 1, 15, 16, 17, MIB(1), MIB(100), MIB(511), GIB(1), GIB(2) - 1, GIB(2), GIB(3) + 7,
        GIB(8), GIB(64), GIB(4096),
    };
    unsigned int i, j;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(specs); i++ )
    {
        char line[64];

        dom0_params_reset();
        if ( specs[i][0] )
        {
            sprintf(line, "dom0_mem=%s", specs[i]);
            parse_ok(line);
        }
        for ( j = 0; j < ARRAY_SIZE(avails); j++ )
        {
            unsigned long avail = avails[j];
            unsigned long nr = dom0_compute_nr_pages(avail);
            unsigned long maxp = dom0_compute_max_pages(avail);

            assert_true(nr <= avail);
            assert_true(nr <= maxp);
            /* Repeatable: the functions do not change the settings. */
            assert_int_equal(dom0_compute_nr_pages(avail), nr);
        }
    }
}

/* ---- dom0_max_vcpus ---- */

static void test_default_vcpus_is_one_per_pcpu(void **state)
{
    (void)state;
    assert_int_equal(dom0_compute_max_vcpus(1, 128), 1);
    assert_int_equal(dom0_compute_max_vcpus(8, 128), 8);
    assert_int_equal(dom0_compute_max_vcpus(200, 128), 128);
    assert_int_equal(dom0_compute_max_vcpus(0, 128), 1);
    assert_int_equal(dom0_compute_max_vcpus(8, 1), 1);
}

static void test_exact_vcpu_count(void **state)
{
    (void)state;
    parse_ok("dom0_max_vcpus=4");
    assert_int_equal(dom0_compute_max_vcpus(2, 128), 4);                  /* more than pcpus */
    assert_int_equal(dom0_compute_max_vcpus(16, 128), 4);
    assert_int_equal(dom0_compute_max_vcpus(16, 3), 3);
    assert_string_equal(describe(), "dom0: memory default (min 0, max all), vcpus 4..4");
}

static void test_vcpu_range_follows_xen_table(void **state)
{
    static const unsigned int table[][2] = { { 2, 4 }, { 4, 4 }, { 6, 6 }, { 8, 8 }, { 10, 8 } };
    unsigned int i;

    (void)state;
    parse_ok("dom0_max_vcpus=4-8");
    for ( i = 0; i < ARRAY_SIZE(table); i++ )
        assert_int_equal(dom0_compute_max_vcpus(table[i][0], 128), table[i][1]);
    assert_string_equal(describe(), "dom0: memory default (min 0, max all), vcpus 4..8");
}

static void test_open_ended_vcpu_ranges(void **state)
{
    (void)state;
    parse_ok("dom0_max_vcpus=4-");
    assert_int_equal(dom0_compute_max_vcpus(2, 128), 4);
    assert_int_equal(dom0_compute_max_vcpus(16, 128), 16);
    assert_string_equal(describe(), "dom0: memory default (min 0, max all), vcpus 4..unlimited");

    parse_ok("dom0_max_vcpus=-2");
    assert_int_equal(dom0_compute_max_vcpus(1, 128), 1);
    assert_int_equal(dom0_compute_max_vcpus(8, 128), 2);
    assert_string_equal(describe(), "dom0: memory default (min 0, max all), vcpus 1..2");
}

static void test_zero_min_means_one(void **state)
{
    (void)state;
    parse_ok("dom0_max_vcpus=0");
    assert_int_equal(dom0_compute_max_vcpus(8, 128), 1);
    parse_ok("dom0_max_vcpus=0-4");
    assert_int_equal(dom0_compute_max_vcpus(1, 128), 1);
    assert_int_equal(dom0_compute_max_vcpus(8, 128), 4);
}

static void test_vcpu_numbers_take_hex_and_octal(void **state)
{
    (void)state;
    parse_ok("dom0_max_vcpus=0x10");
    assert_int_equal(dom0_compute_max_vcpus(2, 128), 16);
    parse_ok("dom0_max_vcpus=010-0x20");
    assert_int_equal(dom0_compute_max_vcpus(2, 128), 8);
    assert_int_equal(dom0_compute_max_vcpus(64, 128), 32);
}

static void test_each_vcpu_word_is_a_complete_setting(void **state)
{
    (void)state;
    parse_ok("dom0_max_vcpus=2-4 dom0_max_vcpus=-8");
    assert_int_equal(dom0_compute_max_vcpus(1, 128), 1);
    assert_int_equal(dom0_compute_max_vcpus(16, 128), 8);
}

static void test_malformed_vcpus_are_rejected_unchanged(void **state)
{
    static const struct {
        const char *line;
        int rc;
    } bad[] = {
        { "dom0_max_vcpus", -EINVAL }, { "dom0_max_vcpus=", -EINVAL }, { "dom0_max_vcpus=x", -EINVAL },
        { "dom0_max_vcpus=4-x", -EINVAL }, { "dom0_max_vcpus=4-8-", -EINVAL },
        { "dom0_max_vcpus=8-4", -EINVAL }, { "dom0_max_vcpus=-0", -EINVAL },
        { "dom0_max_vcpus=4-0", -EINVAL }, { "dom0_max_vcpus=--4", -EINVAL },
        { "dom0_max_vcpus=-", -EINVAL }, { "dom0_max_vcpus=4x", -EINVAL },
        { "dom0_max_vcpus=4,8", -EINVAL }, { "dom0_max_vcpus=+4", -EINVAL },
        { "dom0_max_vcpus=4--8", -EINVAL }, { "dom0_max_vcpus=08", -EINVAL },
        { "dom0_max_vcpus=4294967296", -EOVERFLOW }, { "dom0_max_vcpus=1-4294967296", -EOVERFLOW },
        { "dom0_max_vcpus=-99999999999999999999999", -EOVERFLOW }, { "no-dom0_max_vcpus", -EINVAL },
    };
    unsigned int i;

    (void)state;
    parse_ok("dom0_max_vcpus=2-6");
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        char expect[32];

        harness_log_clear();
        assert_int_equal(param_parse_cmdline(bad[i].line), 1);
        sprintf(expect, "rc=%d!", bad[i].rc);
        assert_true(log_has(expect));
        assert_int_equal(dom0_compute_max_vcpus(1, 128), 2);
        assert_int_equal(dom0_compute_max_vcpus(16, 128), 6);
        assert_string_equal(describe(), "dom0: memory default (min 0, max all), vcpus 2..6");
    }
}

static void test_zero_limit_is_a_caller_bug(void **state)
{
    (void)state;
    expect_assert_failure(dom0_compute_max_vcpus(4, 0));
}

/* Invariants over many pcpu counts, settings and limits. */
static void test_vcpu_result_is_clamped_in_order(void **state)
{
    static const struct {
        const char *value;
        unsigned int lo, hi;
    } specs[] = {
        { NULL, 1, ~0U }, { "1", 1, 1 }, { "3", 3, 3 }, { "2-5", 2, 5 }, { "6-", 6, ~0U },
        { "-3", 1, 3 }, { "64-64", 64, 64 }, { "0-1", 1, 1 },
    };
    static const unsigned int limits[] = { 1, 2, 4, 32, 128, ~0U };
    unsigned int i, l, pcpus;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(specs); i++ )
    {
        dom0_params_reset();
        if ( specs[i].value )
        {
            char line[64];

            sprintf(line, "dom0_max_vcpus=%s", specs[i].value);
            parse_ok(line);
        }
        for ( l = 0; l < ARRAY_SIZE(limits); l++ )
            for ( pcpus = 0; pcpus <= 300; pcpus++ )
            {
                unsigned int n = dom0_compute_max_vcpus(pcpus, limits[l]);
                unsigned int expect = pcpus ? pcpus : 1;

                expect = expect < specs[i].lo ? specs[i].lo : expect;
                expect = expect > specs[i].hi ? specs[i].hi : expect;
                expect = expect > limits[l] ? limits[l] : expect;
                assert_int_equal(n, expect);
                assert_true(n >= 1 && n <= limits[l]);
            }
    }
}

/* ---- describe ---- */

static void test_describe_formats_sizes_and_fits_the_buffer(void **state)
{
    char small[10];
    char one[1] = { 'x' };

    (void)state;
    parse_ok("dom0_mem=4100,min:-1536M,max:3G dom0_max_vcpus=1-4");
    assert_string_equal(describe(),
                        "dom0: memory 4100 KiB (min all but 1536 MiB, max 3 GiB), vcpus 1..4");

    dom0_params_describe(small, sizeof(small));
    assert_string_equal(small, "dom0: mem");
    dom0_params_describe(one, sizeof(one));
    assert_int_equal(one[0], '\0');
    dom0_params_describe(NULL, 0);      /* nothing written */
}

static void test_brief_example_line(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("console=com1 com1=115200,8n1 dom0_mem=512M loglvl=all "
                                         "noreboot dom0_max_vcpus=1-4"), 4);
    assert_true(log_has("parameter \"console\" unknown!"));
    assert_string_equal(describe(), "dom0: memory 512 MiB (min 0, max all), vcpus 1..4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_table_holds_the_two_dom0_options, setup),
        cmocka_unit_test_setup(test_default_memory_reserves_a_sixteenth_up_to_128m, setup),
        cmocka_unit_test_setup(test_absolute_amount, setup),
        cmocka_unit_test_setup(test_amount_units, setup),
        cmocka_unit_test_setup(test_negative_amount_leaves_that_much, setup),
        cmocka_unit_test_setup(test_negative_amount_below_zero_gives_the_min, setup),
        cmocka_unit_test_setup(test_min_raises_the_amount, setup),
        cmocka_unit_test_setup(test_max_lowers_the_amount_and_sets_the_limit, setup),
        cmocka_unit_test_setup(test_max_wins_over_min, setup),
        cmocka_unit_test_setup(test_negative_min_and_max, setup),
        cmocka_unit_test_setup(test_items_in_any_order_and_last_wins, setup),
        cmocka_unit_test_setup(test_later_words_keep_items_they_do_not_mention, setup),
        cmocka_unit_test_setup(test_zero_amount_means_default, setup),
        cmocka_unit_test_setup(test_dashes_in_the_option_name, setup),
        cmocka_unit_test_setup(test_malformed_memory_is_rejected_unchanged, setup),
        cmocka_unit_test_setup(test_overflowing_size_reports_eoverflow, setup),
        cmocka_unit_test_setup(test_memory_result_is_always_within_bounds, setup),
        cmocka_unit_test_setup(test_default_vcpus_is_one_per_pcpu, setup),
        cmocka_unit_test_setup(test_exact_vcpu_count, setup),
        cmocka_unit_test_setup(test_vcpu_range_follows_xen_table, setup),
        cmocka_unit_test_setup(test_open_ended_vcpu_ranges, setup),
        cmocka_unit_test_setup(test_zero_min_means_one, setup),
        cmocka_unit_test_setup(test_vcpu_numbers_take_hex_and_octal, setup),
        cmocka_unit_test_setup(test_each_vcpu_word_is_a_complete_setting, setup),
        cmocka_unit_test_setup(test_malformed_vcpus_are_rejected_unchanged, setup),
        cmocka_unit_test_setup(test_zero_limit_is_a_caller_bug, setup),
        cmocka_unit_test_setup(test_vcpu_result_is_clamped_in_order, setup),
        cmocka_unit_test_setup(test_describe_formats_sizes_and_fits_the_buffer, setup),
        cmocka_unit_test_setup(test_brief_example_line, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
