/* test_symbols.c - the stack-trace symbol lookup: containing function, offsets, sizes, aliases, bounds. */
#include <string.h>
#include <parva/symbols.h>

static const unsigned long addrs[] = { 0x1000, 0x1010, 0x1010, 0x1080, 0x2000 };
static const uint32_t offs[] = { 0, 6, 12, 18, 24 };
static const char names[] = "start\0alpha\0alias\0bravo\0last_";
static const struct symbol_table table = {
    .nr = 5, .addr = addrs, .name_off = offs, .names = names, .text_end = 0x2040,
};

static void describe(unsigned long a, const char *want)
{
    char buf[64];

    symbols_describe_in(&table, a, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_inside_functions(void **state)
{
    (void)state;
    describe(0x1000, "start+0/0x10");
    describe(0x100f, "start+0xf/0x10");
    describe(0x1080, "bravo+0/0xf80");
    describe(0x1fff, "bravo+0xf7f/0xf80");
}

static void test_alias_reports_first_name(void **state)
{
    (void)state;
    describe(0x1010, "alpha+0/0x70");
    describe(0x107f, "alpha+0x6f/0x70");
}

static void test_last_function_ends_at_text_end(void **state)
{
    (void)state;
    describe(0x2000, "last_+0/0x40");
    describe(0x203f, "last_+0x3f/0x40");
    describe(0x2040, "??");
}

static void test_outside_text(void **state)
{
    const char *name = NULL;
    unsigned long off, size;

    (void)state;
    describe(0xfff, "??");
    describe(0, "??");
    describe(~0UL, "??");
    assert_false(symbols_lookup_in(&table, 0xfff, &name, &off, &size));
}

static void test_empty_table(void **state)
{
    const struct symbol_table empty = { .nr = 0, .text_end = 0x2000 };
    char buf[16];

    (void)state;
    symbols_describe_in(&empty, 0x1000, buf, sizeof(buf));
    assert_string_equal(buf, "??");
}

static void test_truncates_to_buffer(void **state)
{
    char buf[8];

    (void)state;
    memset(buf, 'x', sizeof(buf));
    symbols_describe_in(&table, 0x1001, buf, sizeof(buf));
    assert_string_equal(buf, "start+0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inside_functions),
        cmocka_unit_test(test_alias_reports_first_name),
        cmocka_unit_test(test_last_function_ends_at_text_end),
        cmocka_unit_test(test_outside_text),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_truncates_to_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
