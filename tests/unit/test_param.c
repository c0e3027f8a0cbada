/* test_param.c - unit tests for the command-line parser (common/param.c) with options registered here. */
#include <stdio.h>
#include <string.h>
#include <parva/param.h>
#include <parva/printk.h>

/* ---- Options registered in this binary's param_table ---- */

static bool opt_flag;
boolean_param("test_flag", opt_flag);

static bool opt_dashed = true;
boolean_param("test-dashed-bool", opt_dashed);

static bool opt_noreboot;
boolean_param("noreboot", opt_noreboot);        /* a real name that starts with "no" */

static unsigned int opt_uint = 7;
integer_param("test_uint", opt_uint);

static unsigned long opt_ulong;
integer_param("test-ulong", opt_ulong);

static unsigned char opt_u8;
integer_param("test_u8", opt_u8);

static uint64_t opt_size;
size_param("test_size", opt_size);

static unsigned int opt_size32;
size_param("test_size32", opt_size32);

static char opt_str[8] = "init";
string_param("test_str", opt_str);

static int custom_calls;
static int custom_rc;
static char custom_last[64];

static int parse_test_custom(const char *value)
{
    custom_calls++;
    strncpy(custom_last, value, sizeof(custom_last) - 1);
    custom_last[sizeof(custom_last) - 1] = '\0';
    return custom_rc;
}
custom_param("test_custom", parse_test_custom);

/* Two options sharing one name: both are applied. */
static bool opt_shared_a, opt_shared_b;
boolean_param("test_shared", opt_shared_a);
boolean_param("test_shared", opt_shared_b);

#define NR_REGISTERED 12

static int setup(void **state)
{
    (void)state;
    opt_flag = false;
    opt_dashed = true;
    opt_noreboot = false;
    opt_uint = 7;
    opt_ulong = 0;
    opt_u8 = 0;
    opt_size = 0;
    opt_size32 = 0;
    strcpy(opt_str, "init");
    custom_calls = 0;
    custom_rc = 0;
    custom_last[0] = '\0';
    opt_shared_a = opt_shared_b = false;
    harness_log_clear();
    return 0;
}

static bool log_has(const char *s)
{
    return strstr(harness_log, s) != NULL;
}

/* ---- The table itself ---- */

static void test_table_holds_every_registered_param_once(void **state)
{
    static const char *const names[] = {
        "test_flag", "test-dashed-bool", "noreboot", "test_uint", "test-ulong", "test_u8",
        "test_size", "test_size32", "test_str", "test_custom",
    };
    const struct param_desc *d;
    unsigned int seen[ARRAY_SIZE(names)] = { 0 }, shared = 0, count = 0, i;

    (void)state;
    assert_int_equal((uintptr_t)__start_param_table % PARAM_DESC_ALIGN, 0);
    assert_int_equal((uintptr_t)__stop_param_table - (uintptr_t)__start_param_table,
                     NR_REGISTERED * sizeof(struct param_desc));
    assert_int_equal(sizeof(struct param_desc), PARAM_DESC_ALIGN);

    for ( d = __start_param_table; d < __stop_param_table; d++ )
    {
        bool known = false;

        count++;
        assert_non_null(d->name);
        assert_true(d->type >= PARAM_BOOL && d->type <= PARAM_CUSTOM);
        if ( !strcmp(d->name, "test_shared") )
        {
            shared++;
            assert_int_equal(d->type, PARAM_BOOL);
            continue;
        }
        for ( i = 0; i < ARRAY_SIZE(names); i++ )
            if ( !strcmp(d->name, names[i]) )
            {
                seen[i]++;
                known = true;
            }
        assert_true(known);
        if ( !strcmp(d->name, "test_str") )
        {
            assert_int_equal(d->type, PARAM_STRING);
            assert_int_equal(d->len, sizeof(opt_str));
            assert_ptr_equal(d->u.var, opt_str);
        }
        if ( !strcmp(d->name, "test_uint") )
        {
            assert_int_equal(d->type, PARAM_UINT);
            assert_int_equal(d->len, sizeof(unsigned int));
            assert_ptr_equal(d->u.var, &opt_uint);
        }
        if ( !strcmp(d->name, "test_custom") )
        {
            assert_int_equal(d->type, PARAM_CUSTOM);
            assert_ptr_equal(d->u.func, parse_test_custom);
        }
    }
    assert_int_equal(count, NR_REGISTERED);
    assert_int_equal(shared, 2);
    for ( i = 0; i < ARRAY_SIZE(names); i++ )
        assert_int_equal(seen[i], 1);
}

/* ---- Lines without options ---- */

static void test_empty_and_whitespace_lines_change_nothing(void **state)
{
    static const char *const lines[] = { "", " ", "     ", "\t", " \t \t  ", "\n", " \r\n" };
    unsigned int i;

    (void)state;
    assert_int_equal(param_parse_cmdline(NULL), 0);
    assert_string_equal(param_saved_cmdline(), "");
    for ( i = 0; i < ARRAY_SIZE(lines); i++ )
    {
        assert_int_equal(param_parse_cmdline(lines[i]), 0);
        assert_string_equal(param_saved_cmdline(), lines[i]);
    }
    assert_string_equal(harness_log, "");
    assert_false(opt_flag);
    assert_int_equal(opt_uint, 7);
    assert_string_equal(opt_str, "init");
    assert_int_equal(custom_calls, 0);
}

static void test_words_split_on_spaces_and_tabs(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("\t test_flag\t\ttest_uint=12   test_str=ab \t"), 0);
    assert_true(opt_flag);
    assert_int_equal(opt_uint, 12);
    assert_string_equal(opt_str, "ab");
    assert_string_equal(harness_log, "");
}

/* ---- Booleans ---- */

static void test_bare_boolean_is_true_and_no_prefix_false(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test_flag"), 0);
    assert_true(opt_flag);
    assert_int_equal(param_parse_cmdline("no-test_flag"), 0);
    assert_false(opt_flag);
    assert_int_equal(param_parse_cmdline("no-test-dashed-bool"), 0);
    assert_false(opt_dashed);
    assert_string_equal(harness_log, "");
}

static void test_boolean_values_follow_xen_words(void **state)
{
    static const struct {
        const char *line;
        bool value;
    } cases[] = {
        { "test_flag=1", true }, { "test_flag=0", false },
        { "test_flag=yes", true }, { "test_flag=no", false },
        { "test_flag=on", true }, { "test_flag=off", false },
        { "test_flag=true", true }, { "test_flag=false", false },
        { "test_flag=enable", true }, { "test_flag=disable", false },
        { "test_flag=", true },     /* empty value: true, as Xen */
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        opt_flag = !cases[i].value;
        assert_int_equal(param_parse_cmdline(cases[i].line), 0);
        assert_int_equal(opt_flag, cases[i].value);
    }
    assert_string_equal(harness_log, "");
}

static void test_bad_boolean_value_is_rejected_unchanged(void **state)
{
    static const char *const bad[] = {
        "test_flag=YES", "test_flag=On", "test_flag=2", "test_flag=yess", "test_flag=y",
        "test_flag=enabled", "test_flag=-1", "test_flag=truefalse", "test_flag==1",
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        harness_log_clear();
        opt_flag = true;
        assert_int_equal(param_parse_cmdline(bad[i]), 1);
        assert_true(opt_flag);
        assert_true(log_has("parameter \"test_flag\" has invalid value"));
        assert_true(log_has("rc=-22"));
    }
}

static void test_no_prefix_with_value_is_rejected(void **state)
{
    (void)state;
    opt_flag = true;
    assert_int_equal(param_parse_cmdline("no-test_flag=1"), 1);
    assert_true(opt_flag);
    assert_int_equal(param_parse_cmdline("no-test_flag=0"), 1);
    assert_true(opt_flag);
    assert_true(log_has("parameter \"no-test_flag\" has invalid value \"1\", rc=-22!"));
}

static void test_option_named_no_something_matches_exactly(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("noreboot"), 0);
    assert_true(opt_noreboot);
    assert_int_equal(param_parse_cmdline("no-noreboot"), 0);
    assert_false(opt_noreboot);
    assert_int_equal(param_parse_cmdline("noreboot=true"), 0);
    assert_true(opt_noreboot);
    /* "no" without the dash is not a negation prefix. */
    assert_int_equal(param_parse_cmdline("notest_flag"), 1);
    assert_true(log_has("parameter \"notest_flag\" unknown!"));
}

static void test_shared_name_applies_every_option(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test-shared"), 0);
    assert_true(opt_shared_a);
    assert_true(opt_shared_b);
    assert_int_equal(param_parse_cmdline("no-test_shared"), 0);
    assert_false(opt_shared_a);
    assert_false(opt_shared_b);
    assert_int_equal(param_parse_cmdline("test_shared=maybe"), 1);
    assert_false(opt_shared_a);
    assert_false(opt_shared_b);
}

/* ---- '-' and '_' ---- */

static void test_dash_and_underscore_are_equal_in_names(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test-flag test_dashed_bool=0 test-u8=3 test_ulong=9"), 0);
    assert_true(opt_flag);
    assert_false(opt_dashed);
    assert_int_equal(opt_u8, 3);
    assert_int_equal(opt_ulong, 9);
    assert_int_equal(param_parse_cmdline("no-test_flag test-dashed_bool"), 0);
    assert_false(opt_flag);
    assert_true(opt_dashed);
    /* Only in names: the value is taken as written. */
    assert_int_equal(param_parse_cmdline("test_str=a-b_c"), 0);
    assert_string_equal(opt_str, "a-b_c");
    assert_string_equal(harness_log, "");
}

static void test_names_match_whole_words_only(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test_fla test_flagx test_flag_ Test_flag"), 4);
    assert_false(opt_flag);
    assert_true(log_has("parameter \"test_fla\" unknown!"));
    assert_true(log_has("parameter \"test_flagx\" unknown!"));
    assert_true(log_has("parameter \"test_flag_\" unknown!"));
    assert_true(log_has("parameter \"Test_flag\" unknown!"));
}

/* ---- Integers ---- */

static void test_integer_accepts_decimal_hex_and_octal(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test_uint=42"), 0);
    assert_int_equal(opt_uint, 42);
    assert_int_equal(param_parse_cmdline("test_uint=0x1F"), 0);
    assert_int_equal(opt_uint, 31);
    assert_int_equal(param_parse_cmdline("test_uint=010"), 0);
    assert_int_equal(opt_uint, 8);
    assert_int_equal(param_parse_cmdline("test_uint=0"), 0);
    assert_int_equal(opt_uint, 0);
    assert_int_equal(param_parse_cmdline("test_uint=4294967295"), 0);
    assert_int_equal(opt_uint, 4294967295U);
    assert_int_equal(param_parse_cmdline("test-ulong=0xffffffffffffffff"), 0);
    assert_true(opt_ulong == ~0UL);
    assert_int_equal(param_parse_cmdline("test_u8=255"), 0);
    assert_int_equal(opt_u8, 255);
    assert_string_equal(harness_log, "");
}

static void test_integer_later_word_wins(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test_uint=1 test_uint=2 test-uint=3"), 0);
    assert_int_equal(opt_uint, 3);
}

static void test_bad_integer_is_rejected_unchanged(void **state)
{
    static const struct {
        const char *line;
        int rc;
    } bad[] = {
        { "test_uint", -EINVAL },           /* no value */
        { "test_uint=", -EINVAL },
        { "test_uint=12abc", -EINVAL },     /* trailing garbage */
        { "test_uint=12 ", 0 },             /* (a trailing space is a separator: accepted) */
        { "test_uint=0x", -EINVAL },
        { "test_uint=08", -EINVAL },        /* octal */
        { "test_uint=-1", -EINVAL },
        { "test_uint=+1", -EINVAL },
        { "test_uint=1k", -EINVAL },        /* sizes are not integers */
        { "test_uint=4294967296", -EOVERFLOW },
        { "test_uint=99999999999999999999999", -EOVERFLOW },
        { "test_u8=256", -EOVERFLOW },
        { "no-test_uint=1", -EINVAL },
        { "no-test_uint", -EINVAL },
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        char expect[64];

        harness_log_clear();
        opt_uint = 7;
        opt_u8 = 5;
        if ( bad[i].rc == 0 )
        {
            assert_int_equal(param_parse_cmdline(bad[i].line), 0);
            assert_int_equal(opt_uint, 12);
            continue;
        }
        assert_int_equal(param_parse_cmdline(bad[i].line), 1);
        assert_int_equal(opt_uint, 7);
        assert_int_equal(opt_u8, 5);
        sprintf(expect, "rc=%d!", bad[i].rc);
        assert_true(log_has(expect));
        assert_true(log_has("has invalid value"));
    }
}

/* ---- Sizes ---- */

static void test_size_suffixes_and_kib_default(void **state)
{
    static const struct {
        const char *line;
        uint64_t bytes;
    } cases[] = {
        { "test_size=512M", 512ULL << 20 }, { "test_size=512m", 512ULL << 20 },
        { "test_size=4", 4096 },            /* no suffix: KiB */
        { "test_size=1G", 1ULL << 30 }, { "test_size=3t", 3ULL << 40 },
        { "test_size=10b", 10 }, { "test_size=7K", 7168 }, { "test_size=0x10M", 16ULL << 20 },
        { "test_size=0", 0 },
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        opt_size = 12345;
        assert_int_equal(param_parse_cmdline(cases[i].line), 0);
        assert_true(opt_size == cases[i].bytes);
    }
    assert_int_equal(param_parse_cmdline("test_size32=4095M"), 0);
    assert_int_equal(opt_size32, 4095U << 20);
    assert_string_equal(harness_log, "");
}

static void test_bad_size_is_rejected_unchanged(void **state)
{
    static const char *const bad[] = {
        "test_size", "test_size=", "test_size=M", "test_size=5X", "test_size=5MB", "test_size=-1G",
        "test_size=1G+25%", "test_size=99999999999999999999T", "test_size=16777216T",
        "test_size32=4G", "no-test_size",
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        harness_log_clear();
        opt_size = 777;
        opt_size32 = 888;
        assert_int_equal(param_parse_cmdline(bad[i]), 1);
        assert_true(opt_size == 777);
        assert_int_equal(opt_size32, 888);
        assert_true(log_has("has invalid value"));
    }
}

/* ---- Strings ---- */

static void test_string_is_copied(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test_str=com1"), 0);
    assert_string_equal(opt_str, "com1");
    assert_int_equal(param_parse_cmdline("test_str=1234567"), 0);    /* exactly fits 8 bytes */
    assert_string_equal(opt_str, "1234567");
    assert_int_equal(param_parse_cmdline("test_str="), 0);
    assert_string_equal(opt_str, "");
    assert_int_equal(param_parse_cmdline("test_str=a=b"), 0);        /* split at the first '=' */
    assert_string_equal(opt_str, "a=b");
    assert_string_equal(harness_log, "");
}

static void test_string_truncation_is_reported(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test_str=12345678 test_flag"), 1);
    assert_string_equal(opt_str, "1234567");
    assert_true(opt_flag);
    assert_true(log_has("parameter \"test_str\": value \"12345678\" truncated"));
}

static void test_no_prefix_on_string_is_rejected(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("no-test_str"), 1);
    assert_string_equal(opt_str, "init");
}

/* ---- Custom ---- */

static void test_custom_gets_the_value(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("test_custom=a,b:c=d"), 0);
    assert_int_equal(custom_calls, 1);
    assert_string_equal(custom_last, "a,b:c=d");
    assert_int_equal(param_parse_cmdline("test-custom"), 0);
    assert_int_equal(custom_calls, 2);
    assert_string_equal(custom_last, "");
    assert_int_equal(param_parse_cmdline("no-test_custom"), 0);
    assert_int_equal(custom_calls, 3);
    assert_string_equal(custom_last, "no");
    assert_string_equal(harness_log, "");
}

static void test_custom_errors_are_reported(void **state)
{
    (void)state;
    custom_rc = -ERANGE;
    assert_int_equal(param_parse_cmdline("test_custom=xyz"), 1);
    assert_int_equal(custom_calls, 1);
    assert_true(log_has("parameter \"test_custom\" has invalid value \"xyz\", rc=-34!"));

    /* A positive return is not success either. */
    harness_log_clear();
    custom_rc = 3;
    assert_int_equal(param_parse_cmdline("test_custom=1"), 1);
    assert_true(log_has("rc=-22"));

    /* `no-name=value` does not reach the function. */
    custom_rc = 0;
    assert_int_equal(param_parse_cmdline("no-test_custom=1"), 1);
    assert_int_equal(custom_calls, 2);
}

/* ---- Unknown options and counting ---- */

static void test_unknown_options_are_reported_and_skipped(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("console=com1 test_flag com1=115200,8n1 no-bogus test_uint=9"), 3);
    assert_true(opt_flag);
    assert_int_equal(opt_uint, 9);
    assert_true(log_has(XENLOG_WARNING "parameter \"console\" unknown!\n"));
    assert_true(log_has(XENLOG_WARNING "parameter \"com1\" unknown!\n"));
    assert_true(log_has(XENLOG_WARNING "parameter \"no-bogus\" unknown!\n"));
    assert_false(log_has("test_flag"));
}

static void test_degenerate_words_are_unknown(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("= =1 no- no-=1 -"), 5);
    assert_true(log_has("parameter \"\" unknown!"));
    assert_true(log_has("parameter \"no-\" unknown!"));
    assert_true(log_has("parameter \"-\" unknown!"));
}

static void test_problems_are_counted_and_parsing_continues(void **state)
{
    (void)state;
    assert_int_equal(param_parse_cmdline("a test_uint=x test_flag=maybe test_str=toolongvalue "
                                         "test_size=1M test_custom=ok"), 4);
    assert_int_equal(opt_uint, 7);
    assert_false(opt_flag);
    assert_true(opt_size == 1ULL << 20);
    assert_string_equal(custom_last, "ok");
}

/* ---- Bounds ---- */

static void test_overlong_words_are_reported_not_overflowed(void **state)
{
    char line[PARAM_WORD_MAX + 64];
    char big[5000];
    size_t n;

    (void)state;
    /* PARAM_WORD_MAX - 1 characters fit: the string option gets its first 7. */
    n = (size_t)sprintf(line, "test_str=");
    memset(line + n, 'x', PARAM_WORD_MAX - 1 - n);
    line[PARAM_WORD_MAX - 1] = '\0';
    assert_int_equal(param_parse_cmdline(line), 1);
    assert_string_equal(opt_str, "xxxxxxx");
    assert_true(log_has("truncated"));

    /* One more and the whole word is refused, the next one still parsed. */
    harness_log_clear();
    strcpy(opt_str, "init");
    n = (size_t)sprintf(line, "test_str=");
    memset(line + n, 'y', PARAM_WORD_MAX - n);
    strcpy(line + PARAM_WORD_MAX, " test_flag");
    assert_int_equal(param_parse_cmdline(line), 1);
    assert_string_equal(opt_str, "init");
    assert_true(opt_flag);
    assert_true(log_has("longer than 127 characters, ignored"));
    assert_true(log_has("parameter \"test_str=yyyy"));

    /* A very long word, alone and between others. */
    harness_log_clear();
    opt_flag = false;
    memcpy(big, "test_uint=", 10);
    memset(big + 10, '9', sizeof(big) - 10);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(param_parse_cmdline(big), 1);
    assert_int_equal(opt_uint, 7);
    big[2000] = ' ';
    memcpy(big + 2001, "test_flag ", 10);
    assert_int_equal(param_parse_cmdline(big), 2);
    assert_true(opt_flag);
}

static void test_saved_cmdline_keeps_the_line(void **state)
{
    static const char line[] = "console=com1 com1=115200,8n1 dom0_mem=512M loglvl=all noreboot";
    char big[PARAM_CMDLINE_MAX + 500];

    (void)state;
    param_parse_cmdline(line);
    assert_string_equal(param_saved_cmdline(), line);
    assert_true(opt_noreboot);

    /* Longer than the saved copy: truncated there (and said so), parsed in full. */
    harness_log_clear();
    memset(big, ' ', sizeof(big));
    memcpy(big + sizeof(big) - 20, "test_uint=55", 12);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(param_parse_cmdline(big), 0);
    assert_int_equal(opt_uint, 55);
    assert_int_equal(strlen(param_saved_cmdline()), PARAM_CMDLINE_MAX - 1);
    assert_true(log_has("saved copy truncated"));
}

/* ---- parse_bool ---- */

static void test_parse_bool_contract(void **state)
{
    static const char *const yes[] = { "1", "on", "yes", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };
    static const char *const neither[] = { "", "2", "y", "n", "ON", "Yes", "enabled", "of", "disabl",
                                           " yes", "yes " };
    const char *s = "yesno";
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(yes); i++ )
    {
        assert_int_equal(parse_bool(yes[i], NULL), 1);
        assert_int_equal(parse_bool(yes[i], yes[i] + strlen(yes[i])), 1);
    }
    for ( i = 0; i < ARRAY_SIZE(no); i++ )
    {
        assert_int_equal(parse_bool(no[i], NULL), 0);
        assert_int_equal(parse_bool(no[i], no[i] + strlen(no[i])), 0);
    }
    for ( i = 0; i < ARRAY_SIZE(neither); i++ )
        assert_int_equal(parse_bool(neither[i], NULL), -1);

    /* e bounds the word inside a longer string. */
    assert_int_equal(parse_bool(s, s + 3), 1);
    assert_int_equal(parse_bool(s + 3, s + 5), 0);
    assert_int_equal(parse_bool(s, s + 2), -1);         /* "ye" */
    assert_int_equal(parse_bool(s, s), -1);             /* empty */
    assert_int_equal(parse_bool(s, NULL), -1);          /* "yesno" */
    assert_int_equal(parse_bool(s + 3, s + 2), -1);     /* e before s */
    assert_int_equal(parse_bool("o\0n", "o\0n" + 2), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_table_holds_every_registered_param_once, setup),
        cmocka_unit_test_setup(test_empty_and_whitespace_lines_change_nothing, setup),
        cmocka_unit_test_setup(test_words_split_on_spaces_and_tabs, setup),
        cmocka_unit_test_setup(test_bare_boolean_is_true_and_no_prefix_false, setup),
        cmocka_unit_test_setup(test_boolean_values_follow_xen_words, setup),
        cmocka_unit_test_setup(test_bad_boolean_value_is_rejected_unchanged, setup),
        cmocka_unit_test_setup(test_no_prefix_with_value_is_rejected, setup),
        cmocka_unit_test_setup(test_option_named_no_something_matches_exactly, setup),
        cmocka_unit_test_setup(test_shared_name_applies_every_option, setup),
        cmocka_unit_test_setup(test_dash_and_underscore_are_equal_in_names, setup),
        cmocka_unit_test_setup(test_names_match_whole_words_only, setup),
        cmocka_unit_test_setup(test_integer_accepts_decimal_hex_and_octal, setup),
        cmocka_unit_test_setup(test_integer_later_word_wins, setup),
        cmocka_unit_test_setup(test_bad_integer_is_rejected_unchanged, setup),
        cmocka_unit_test_setup(test_size_suffixes_and_kib_default, setup),
        cmocka_unit_test_setup(test_bad_size_is_rejected_unchanged, setup),
        cmocka_unit_test_setup(test_string_is_copied, setup),
        cmocka_unit_test_setup(test_string_truncation_is_reported, setup),
        cmocka_unit_test_setup(test_no_prefix_on_string_is_rejected, setup),
        cmocka_unit_test_setup(test_custom_gets_the_value, setup),
        cmocka_unit_test_setup(test_custom_errors_are_reported, setup),
        cmocka_unit_test_setup(test_unknown_options_are_reported_and_skipped, setup),
        cmocka_unit_test_setup(test_degenerate_words_are_unknown, setup),
        cmocka_unit_test_setup(test_problems_are_counted_and_parsing_continues, setup),
        cmocka_unit_test_setup(test_overlong_words_are_reported_not_overflowed, setup),
        cmocka_unit_test_setup(test_saved_cmdline_keeps_the_line, setup),
        cmocka_unit_test_setup(test_parse_bool_contract, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
