/*
 * test_xl_format.c - xl's output lines and CPU lists (xl/xl_format.c) against Xen 4.17's xl:
 * the expected strings are lines Xen's xl prints for the same data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "xl.h"
#include <xen/sched.h>

static struct xen_domctl_getdomaininfo dom(domid_t id, uint32_t flags, uint64_t pages, uint32_t vcpus,
                                           uint64_t cpu_ns)
{
    struct xen_domctl_getdomaininfo i;

    memset(&i, 0, sizeof(i));
    i.domain = id;
    i.flags = flags | (0xffffu << XEN_DOMINF_shutdownshift);    /* no shutdown code yet, as Xen 4.17 */
    i.tot_pages = pages;
    i.nr_online_vcpus = vcpus;
    i.cpu_time = cpu_ns;
    return i;
}

static void test_list_lines(void **state)
{
    struct xen_domctl_getdomaininfo i;
    char buf[256];

    (void)state;
    /* The reference run of Xen 4.17 (../shared/anchors/xen-ref): dom0 with 512 MiB, 1 vCPU. */
    i = dom(0, XEN_DOMINF_running, 131072, 1, 22800000000ull);
    xl_format_list_line(buf, sizeof(buf), &i, "Domain-0");
    assert_string_equal(buf, "Domain-0                                     0   512     1     r-----      22.8\n");
    i = dom(3, XEN_DOMINF_blocked | XEN_DOMINF_paused, 4096, 2, 150000000ull);
    xl_format_list_line(buf, sizeof(buf), &i, NULL);
    assert_string_equal(buf, "(null)                                       3    16     2     -bp---       0.1\n");
    /* Shut down: the reason's letter (poweroff '-', reboot 'r', suspend 's', crash 'c', watchdog 'w'). */
    i = dom(7, XEN_DOMINF_shutdown, 256, 1, 0);
    i.flags = (i.flags & 0xffff) | (SHUTDOWN_crash << XEN_DOMINF_shutdownshift);
    xl_format_list_line(buf, sizeof(buf), &i, "guest");
    assert_string_equal(buf, "guest                                        7     1     1     ---sc-       0.0\n");
    i.flags = XEN_DOMINF_shutdown | XEN_DOMINF_dying | (SHUTDOWN_poweroff << XEN_DOMINF_shutdownshift);
    assert_int_equal(xl_shutdown_letter(&i), '-');
    xl_format_list_line(buf, sizeof(buf), &i, "guest");
    assert_string_equal(buf, "guest                                        7     1     1     ---s-d       0.0\n");
    i.flags = XEN_DOMINF_shutdown | (9u << XEN_DOMINF_shutdownshift);
    assert_int_equal(xl_shutdown_letter(&i), '?');
    i.flags = SHUTDOWN_crash << XEN_DOMINF_shutdownshift;      /* a code set, not shut down yet */
    assert_int_equal(xl_shutdown_letter(&i), '-');
}

static void test_cpumaps(void **state)
{
    char buf[64];

    (void)state;
    xl_format_cpumap(buf, sizeof(buf), 0x3, 2);
    assert_string_equal(buf, "all");
    xl_format_cpumap(buf, sizeof(buf), ~0ull, 4);
    assert_string_equal(buf, "all");
    xl_format_cpumap(buf, sizeof(buf), 0x1, 2);
    assert_string_equal(buf, "0");
    xl_format_cpumap(buf, sizeof(buf), 0x2d, 8);
    assert_string_equal(buf, "0,2-3,5");
    xl_format_cpumap(buf, sizeof(buf), 0, 4);
    assert_string_equal(buf, "none");
    xl_format_cpumap(buf, sizeof(buf), 1ull << 63 | 1, 64);
    assert_string_equal(buf, "0,63");
    /* A short buffer is cut, never overrun. */
    memset(buf, 'x', sizeof(buf));
    xl_format_cpumap(buf, 4, 0x2d, 8);
    assert_int_equal(strlen(buf), 3);
}

static void test_vcpu_lines(void **state)
{
    struct xen_domctl_getvcpuinfo vi = { .online = 1, .blocked = 1, .cpu = 1, .cpu_time = 271100000000ull };
    char buf[256];

    (void)state;
    xl_format_vcpu_line(buf, sizeof(buf), "Domain-0", 0, 0, &vi, "all", "all");
    assert_string_equal(buf, "Domain-0                             0     0    1   -b-     271.1  all / all\n");
    vi = (struct xen_domctl_getvcpuinfo){ .online = 1, .running = 1, .cpu = 2, .cpu_time = 12500000000ull };
    xl_format_vcpu_line(buf, sizeof(buf), "mica-test", 7, 0, &vi, "2", "2");
    assert_string_equal(buf, "mica-test                            7     0    2   r--      12.5  2 / 2\n");
    vi = (struct xen_domctl_getvcpuinfo){ .online = 0 };
    xl_format_vcpu_line(buf, sizeof(buf), "Domain-0", 0, 2, &vi, "all", "all");
    assert_string_equal(buf, "Domain-0                             0     2    -   --p       0.0  all / all\n");
}

static void test_cpulists(void **state)
{
    uint64_t m;

    (void)state;
    assert_int_equal(xl_parse_cpulist("all", 4, &m), 0);
    assert_int_equal(m, 0xf);
    assert_int_equal(xl_parse_cpulist("1", 4, &m), 0);
    assert_int_equal(m, 0x2);
    assert_int_equal(xl_parse_cpulist("0-1,3", 4, &m), 0);
    assert_int_equal(m, 0xb);
    assert_int_equal(xl_parse_cpulist("^1", 4, &m), 0);
    assert_int_equal(m, 0xd);
    assert_int_equal(xl_parse_cpulist("0-3,^2", 4, &m), 0);
    assert_int_equal(m, 0xb);
    assert_int_equal(xl_parse_cpulist("0-63", 64, &m), 0);
    assert_true(m == ~0ull);
    /* Refused: beyond the CPUs, reversed ranges, junk, empty results, empty strings. */
    assert_int_equal(xl_parse_cpulist("4", 4, &m), -1);
    assert_int_equal(xl_parse_cpulist("3-1", 4, &m), -1);
    assert_int_equal(xl_parse_cpulist("1x", 4, &m), -1);
    assert_int_equal(xl_parse_cpulist("1-", 4, &m), -1);
    assert_int_equal(xl_parse_cpulist("-1", 4, &m), -1);
    assert_int_equal(xl_parse_cpulist("^0-3", 4, &m), -1);
    assert_int_equal(xl_parse_cpulist("", 4, &m), -1);
    assert_int_equal(xl_parse_cpulist("1,,2", 4, &m), 0);    /* strtok: empty items are skipped */
    assert_int_equal(m, 0x6);
    assert_int_equal(xl_parse_cpulist("99999999999999999999", 4, &m), -1);
}

static void test_scheduler_names(void **state)
{
    (void)state;
    assert_string_equal(xl_scheduler_name(XEN_SCHEDULER_CREDIT), "credit");
    assert_string_equal(xl_scheduler_name(XEN_SCHEDULER_CREDIT2), "credit2");
    assert_string_equal(xl_scheduler_name(0), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_lines),
        cmocka_unit_test(test_cpumaps),
        cmocka_unit_test(test_vcpu_lines),
        cmocka_unit_test(test_cpulists),
        cmocka_unit_test(test_scheduler_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
