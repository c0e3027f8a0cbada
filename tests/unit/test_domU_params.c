/*
 * test_domU_params.c - unit tests for the boot-time domain convention (common/domU_params.c): which
 * module is whose, and the options of a domU module.
 */
#include <string.h>
#include <parva/domU_params.h>
#include <parva/lib.h>

#define MIB(x)      ((unsigned long)(x) << 8)       /* 4 KiB pages in x MiB */

static char err[160];

static struct domU_params parse_ok(const char *line, unsigned int id)
{
    struct domU_params p;

    err[0] = 'x';
    assert_int_equal(domU_params_parse(line, id, &p, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    return p;
}

/* The line is refused, and the reason names `word` (the option as written) and contains `why`. */
static void parse_bad(const char *line, const char *word, const char *why)
{
    struct domU_params p;
    char want[96];

    assert_int_equal(domU_params_parse(line, 1, &p, err, sizeof(err)), -EINVAL);
    snprintf(want, sizeof(want), "option \"%s\"", word);
    if ( !strstr(err, want) || !strstr(err, why) )
        fail_msg("for \"%s\": got \"%s\", want %s and \"%s\"", line, err, want, why);
}

/* ---- words ---- */

static void test_starts_with_a_whole_word(void **state)
{
    (void)state;
    assert_true(domU_cmdline_starts_with("domU", "domU"));
    assert_true(domU_cmdline_starts_with("  domU name=a", "domU"));
    assert_true(domU_cmdline_starts_with("\tdomU\t--", "domU"));
    assert_true(domU_cmdline_starts_with("/boot/guest.elf domU name=a", "domU"));
    assert_false(domU_cmdline_starts_with("domUx", "domU"));
    assert_false(domU_cmdline_starts_with("domu", "domU"));
    assert_false(domU_cmdline_starts_with("name=a domU", "domU"));
    assert_false(domU_cmdline_starts_with("", "domU"));
    assert_false(domU_cmdline_starts_with("/boot/guest.elf", "domU"));
    assert_true(domU_cmdline_starts_with("initrd", "initrd"));
    assert_false(domU_cmdline_starts_with("initrd-marker=42", "initrd"));
}

/* ---- options ---- */

static void test_defaults(void **state)
{
    struct domU_params p;

    (void)state;
    p = parse_ok("domU", 3);
    assert_int_equal(p.id, 3);
    assert_string_equal(p.name, "domU3");
    assert_int_equal(p.nr_pages, MIB(128));
    assert_int_equal(p.vcpus, 1);
    assert_int_equal(p.weight, 256);
    assert_int_equal(p.cap, 0);
    assert_true(p.cpus == DOMU_CPUS_ALL);
    assert_string_equal(p.cmdline, "");
}

static void test_every_option_and_the_guest_command_line(void **state)
{
    struct domU_params p;
    const char *line = "domU name=ping memory=64M vcpus=2 weight=512 cap=150 cpus=0-1 -- console=hvc0  peer=2";

    (void)state;
    p = parse_ok(line, 1);
    assert_string_equal(p.name, "ping");
    assert_int_equal(p.nr_pages, MIB(64));
    assert_int_equal(p.vcpus, 2);
    assert_int_equal(p.weight, 512);
    assert_int_equal(p.cap, 150);
    assert_true(p.cpus == 3);
    assert_string_equal(p.cmdline, "console=hvc0  peer=2");
    assert_ptr_equal(p.cmdline, strstr(line, "console="));     /* points into the module's string */
}

static void test_memory_uses_xen_size_syntax(void **state)
{
    static const struct {
        const char *line;
        unsigned long pages;
    } cases[] = {
        { "domU memory=65536", MIB(64) },           /* no suffix: KiB */
        { "domU memory=65536k", MIB(64) },
        { "domU memory=64M", MIB(64) },
        { "domU memory=64m", MIB(64) },
        { "domU memory=1G", MIB(1024) },
        { "domU memory=1T", MIB(1024 * 1024) },
        { "domU memory=8192B", 2 },
        { "domU memory=6143B", 1 },                 /* rounded down to pages */
        { "domU memory=0x10000", MIB(64) },         /* hexadecimal, KiB */
    };
    unsigned int i;

    (void)state;
    for ( i = 0; i < sizeof(cases) / sizeof(cases[0]); i++ )
        assert_int_equal(parse_ok(cases[i].line, 1).nr_pages, cases[i].pages);
}

static void test_cpus_lists(void **state)
{
    (void)state;
    assert_true(parse_ok("domU cpus=0", 1).cpus == 1);
    assert_true(parse_ok("domU cpus=3", 1).cpus == 8);
    assert_true(parse_ok("domU cpus=0-1", 1).cpus == 3);
    assert_true(parse_ok("domU cpus=0,2-3,5", 1).cpus == 0x2d);
    assert_true(parse_ok("domU cpus=63", 1).cpus == 1ULL << 63);
    assert_true(parse_ok("domU cpus=0-63", 1).cpus == ~0ULL);
    assert_true(parse_ok("domU cpus=all", 1).cpus == DOMU_CPUS_ALL);
    assert_true(parse_ok("domU cpus=2-2", 1).cpus == 4);
}

static void test_later_options_override_earlier_ones(void **state)
{
    struct domU_params p;

    (void)state;
    p = parse_ok("domU name=a memory=16M name=b memory=32M vcpus=4 vcpus=1", 1);
    assert_string_equal(p.name, "b");
    assert_int_equal(p.nr_pages, MIB(32));
    assert_int_equal(p.vcpus, 1);
}

static void test_limits_are_accepted(void **state)
{
    struct domU_params p;

    (void)state;
    p = parse_ok("domU name=abcdefghijklmno vcpus=128 weight=65535 cap=12800", 1);
    assert_string_equal(p.name, "abcdefghijklmno");
    assert_int_equal(p.vcpus, 128);
    assert_int_equal(p.weight, 65535);
    assert_int_equal(p.cap, 12800);
    p = parse_ok("domU weight=1 cap=0 name=A.b-c_9", 1);
    assert_int_equal(p.weight, 1);
    assert_string_equal(p.name, "A.b-c_9");
}

static void test_blanks_and_dashes(void **state)
{
    (void)state;
    assert_string_equal(parse_ok("  domU\tname=x  --   a b  ", 1).cmdline, "a b  ");
    assert_string_equal(parse_ok("domU --", 1).cmdline, "");
    assert_string_equal(parse_ok("domU -- -- x=1", 1).cmdline, "-- x=1");     /* only the first "--" */
    assert_string_equal(parse_ok("domU name=x", 1).cmdline, "");
    assert_string_equal(parse_ok("/boot/k.elf domU name=x -- y", 1).name, "x");
}

static void test_bad_options_are_named(void **state)
{
    (void)state;
    parse_bad("domU memory=12Q", "memory=12Q", "not a size");
    parse_bad("domU memory=", "memory=", "not a size");
    parse_bad("domU memory=M", "memory=M", "not a size");
    parse_bad("domU memory=-1M", "memory=-1M", "not a size");
    parse_bad("domU memory=1K", "memory=1K", "less than one page");
    parse_bad("domU memory=0", "memory=0", "less than one page");
    parse_bad("domU memory=99999999999999999999999", "memory=99999999999999999999999", "too large");
    parse_bad("domU vcpus=0", "vcpus=0", "1-128");
    parse_bad("domU vcpus=129", "vcpus=129", "1-128");
    parse_bad("domU vcpus=two", "vcpus=two", "1-128");
    parse_bad("domU vcpus=2x", "vcpus=2x", "1-128");
    parse_bad("domU vcpus=", "vcpus=", "1-128");
    parse_bad("domU weight=0", "weight=0", "1-65535");
    parse_bad("domU weight=65536", "weight=65536", "1-65535");
    parse_bad("domU cap=-1", "cap=-1", "percentage");
    parse_bad("domU cap=12801", "cap=12801", "percentage");
    parse_bad("domU cpus=", "cpus=", "CPU list");
    parse_bad("domU cpus=64", "cpus=64", "CPU list");
    parse_bad("domU cpus=1-0", "cpus=1-0", "CPU list");
    parse_bad("domU cpus=0,", "cpus=0,", "CPU list");
    parse_bad("domU cpus=,0", "cpus=,0", "CPU list");
    parse_bad("domU cpus=0-", "cpus=0-", "CPU list");
    parse_bad("domU cpus=a", "cpus=a", "CPU list");
    parse_bad("domU name=", "name=", "1-15");
    parse_bad("domU name=abcdefghijklmnop", "name=abcdefghijklmnop", "1-15");
    parse_bad("domU name=a/b", "name=a/b", "1-15");
    parse_bad("domU colour=blue", "colour=blue", "unknown");
    parse_bad("domU name=a console=hvc0", "console=hvc0", "unknown");
    parse_bad("domU console", "console", "not key=value");
    parse_bad("domU name=a -x", "-x", "not key=value");
}

static void test_cap_is_checked_against_the_vcpus(void **state)
{
    struct domU_params p;

    (void)state;
    assert_int_equal(domU_params_parse("domU cap=150", 1, &p, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "cap=150"));
    assert_int_equal(parse_ok("domU cap=150 vcpus=2", 1).cap, 150);
    assert_int_equal(parse_ok("domU vcpus=2 cap=200", 1).cap, 200);
    assert_int_equal(parse_ok("domU cap=100", 1).cap, 100);
}

static void test_not_a_domU_line(void **state)
{
    struct domU_params p;

    (void)state;
    assert_int_equal(domU_params_parse("console=hvc0", 1, &p, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "does not start with \"domU\""));
    assert_int_equal(domU_params_parse("name=x", 1, &p, NULL, 0), -EINVAL);     /* err may be NULL */
    assert_int_equal(domU_params_parse("domU name=", 1, &p, NULL, 0), -EINVAL);
}

static void test_long_words_are_cut_in_the_message(void **state)
{
    char line[400];
    struct domU_params p;

    (void)state;
    memset(line, 'x', sizeof(line));
    memcpy(line, "domU name=", 10);
    line[sizeof(line) - 1] = '\0';
    assert_int_equal(domU_params_parse(line, 1, &p, err, sizeof(err)), -EINVAL);
    assert_true(strlen(err) < sizeof(err) - 1);
    assert_non_null(strstr(err, "1-15"));
}

/* ---- which module is whose ---- */

static struct boot_plan plan_of(const char *const *lines, unsigned int n)
{
    struct boot_plan p;

    boot_plan_modules(lines, n, &p);
    return p;
}

static void test_no_modules(void **state)
{
    struct boot_plan p = plan_of(NULL, 0);

    (void)state;
    assert_int_equal(p.dom0_kernel, -1);
    assert_int_equal(p.dom0_initrd, -1);
    assert_int_equal(p.nr_domUs, 0);
}

static void test_dom0_alone_as_before(void **state)
{
    static const char *const one[] = { "console=hvc0" };
    static const char *const two[] = { "console=hvc0", "" };
    static const char *const three[] = { "console=hvc0", "initrd-marker=42", "something" };
    struct boot_plan p;

    (void)state;
    p = plan_of(one, 1);
    assert_int_equal(p.dom0_kernel, 0);
    assert_int_equal(p.dom0_initrd, -1);
    assert_int_equal(p.nr_domUs, 0);
    p = plan_of(two, 2);
    assert_int_equal(p.dom0_initrd, 1);
    assert_int_equal(p.role[1], BOOT_MOD_DOM0_INITRD);
    p = plan_of(three, 3);
    assert_int_equal(p.dom0_initrd, 1);
    assert_int_equal(p.role[2], BOOT_MOD_UNUSED);
    assert_int_equal(p.nr_domUs, 0);
}

static void test_dom0_and_domUs(void **state)
{
    static const char *const lines[] = {
        "console=hvc0", "", "domU name=a", "initrd", "domU name=b", "domU name=c", "initrd x=1",
    };
    struct boot_plan p = plan_of(lines, 7);

    (void)state;
    assert_int_equal(p.dom0_kernel, 0);
    assert_int_equal(p.dom0_initrd, 1);
    assert_int_equal(p.nr_domUs, 3);
    assert_int_equal(p.domU[0].kernel, 2);
    assert_int_equal(p.domU[0].initrd, 3);
    assert_int_equal(p.domU[0].id, 1);
    assert_int_equal(p.domU[1].kernel, 4);
    assert_int_equal(p.domU[1].initrd, -1);
    assert_int_equal(p.domU[1].id, 2);
    assert_int_equal(p.domU[2].kernel, 5);
    assert_int_equal(p.domU[2].initrd, 6);
    assert_int_equal(p.domU[2].id, 3);
    assert_int_equal(p.role[0], BOOT_MOD_DOM0_KERNEL);
    assert_int_equal(p.role[3], BOOT_MOD_DOMU_INITRD);
    assert_int_equal(p.role[5], BOOT_MOD_DOMU_KERNEL);
}

static void test_dom0_without_initrd_then_domU(void **state)
{
    static const char *const lines[] = { "console=hvc0", "domU name=a", "initrd" };
    struct boot_plan p = plan_of(lines, 3);

    (void)state;
    assert_int_equal(p.dom0_kernel, 0);
    assert_int_equal(p.dom0_initrd, -1);
    assert_int_equal(p.nr_domUs, 1);
    assert_int_equal(p.domU[0].kernel, 1);
    assert_int_equal(p.domU[0].initrd, 2);
}

static void test_domUs_alone(void **state)
{
    static const char *const lines[] = { "domU name=a", "domU name=b", "initrd", "initrd", "junk" };
    struct boot_plan p = plan_of(lines, 5);

    (void)state;
    assert_int_equal(p.dom0_kernel, -1);
    assert_int_equal(p.dom0_initrd, -1);
    assert_int_equal(p.nr_domUs, 2);
    assert_int_equal(p.domU[0].initrd, -1);
    assert_int_equal(p.domU[1].kernel, 1);
    assert_int_equal(p.domU[1].initrd, 2);
    assert_int_equal(p.role[3], BOOT_MOD_STRAY_INITRD);
    assert_int_equal(p.role[4], BOOT_MOD_UNUSED);
    assert_string_equal(boot_module_role_name(p.role[3]), "initrd with no domU before it: not used");
    assert_string_equal(boot_module_role_name(p.role[4]), "extra: not used");
    assert_string_equal(boot_module_role_name(BOOT_MOD_DOMU_KERNEL), "domU kernel");
}

static void test_dom0_initrd_may_be_called_initrd(void **state)
{
    static const char *const lines[] = { "console=hvc0", "initrd", "initrd" };
    struct boot_plan p = plan_of(lines, 3);

    (void)state;
    assert_int_equal(p.dom0_initrd, 1);
    assert_int_equal(p.role[2], BOOT_MOD_STRAY_INITRD);
}

static void test_at_most_sixteen_modules(void **state)
{
    const char *lines[20];
    struct boot_plan p;
    unsigned int i;

    (void)state;
    for ( i = 0; i < 20; i++ )
        lines[i] = "domU";
    p = plan_of(lines, 20);
    assert_int_equal(p.nr_domUs, DOMU_MAX_MODULES);
    assert_int_equal(p.domU[15].id, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_with_a_whole_word),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option_and_the_guest_command_line),
        cmocka_unit_test(test_memory_uses_xen_size_syntax),
        cmocka_unit_test(test_cpus_lists),
        cmocka_unit_test(test_later_options_override_earlier_ones),
        cmocka_unit_test(test_limits_are_accepted),
        cmocka_unit_test(test_blanks_and_dashes),
        cmocka_unit_test(test_bad_options_are_named),
        cmocka_unit_test(test_cap_is_checked_against_the_vcpus),
        cmocka_unit_test(test_not_a_domU_line),
        cmocka_unit_test(test_long_words_are_cut_in_the_message),
        cmocka_unit_test(test_no_modules),
        cmocka_unit_test(test_dom0_alone_as_before),
        cmocka_unit_test(test_dom0_and_domUs),
        cmocka_unit_test(test_dom0_without_initrd_then_domU),
        cmocka_unit_test(test_domUs_alone),
        cmocka_unit_test(test_dom0_initrd_may_be_called_initrd),
        cmocka_unit_test(test_at_most_sixteen_modules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
