/*
 * domu-options - boot-time domU modules with bad options are refused one by one, with a message
 * naming the module and the option, and the others are built; a domU's start_info, vCPUs and
 * command line follow its options.  `domains` lists refused domUs (a malformed size, one that does
 * not fit in memory, a name used twice, CPUs that are not online, an unknown option) around one that
 * must run: domain 3, "ok" (ids follow module order, built or not), memory=8M vcpus=3 -- x=1 y.
 * No dom0: the machine powers off after "ok" ends.  Parva-only.
 */
#include "guest.h"
#include "domu.h"

const char test_title[] = "options of boot-time domains, good and bad";

void test_main(start_info_t *si)
{
    char val[16];

    if ( guest_is_dom0() )
        report_fatal("this test runs as a boot-time domU (see its domains file), not as dom0");
    check_eq("nr_pages (memory=8M)", si->nr_pages, 2048);
    check_eq("start_info flags", si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN), 0);
    check(!strcmp((const char *)si->cmd_line, "x=1 y"), "cmd_line \"%s\", expected \"x=1 y\"",
          (const char *)si->cmd_line);
    check(guest_cmdline_option("x", val, sizeof(val)) && !strcmp(val, "1"), "option x=1 not found");
    check(guest_cmdline_option("y", val, sizeof(val)) && !val[0], "option y not found");
    /* vcpus=3: vCPU 0 runs, 1 and 2 exist but are down, 3 does not exist. */
    check_rc("VCPUOP_is_up(0)", hypercall_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    check_rc("VCPUOP_is_up(1)", hypercall_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    check_rc("VCPUOP_is_up(2)", hypercall_vcpu_op(VCPUOP_is_up, 2, NULL), 0);
    check_rc("VCPUOP_is_up(3)", hypercall_vcpu_op(VCPUOP_is_up, 3, NULL), -ENOENT);
}
