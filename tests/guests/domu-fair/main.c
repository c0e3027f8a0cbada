/*
 * domu-fair - the credit scheduler shares a CPU by weight, and a cap is held.
 *
 * Three boot-time domUs, no dom0, on a 2-CPU machine (`domains`): "light" (weight=256) and "heavy"
 * (weight=512) are both pinned to CPU 1 and spin, so on that CPU they must get 1:2 of the time;
 * "capped" (cap=50) has CPU 0 to itself and must still get no more than half of it.
 *
 * Every domain measures over the same window of system time (from=, to= on its command line, in ms of
 * the hypervisor's system time, which all domains share), so the figures of two domains can be
 * compared: the check script divides heavy's running time by light's (1:2 within 5%).  A domain
 * notices the start and the end of the window only when it runs, possibly a time slice late; the
 * runstate makes that exact: at the moment t of VCPUOP_get_runstate_info the vCPU is running, and it
 * has been since state_entry_time, so its running time at the boundary B <= t was
 *     time[running] - (t - max(B, state_entry_time)).
 * Each domain also checks its own share of the window against share= (per mille) +- tol=.
 * With `crash` on its command line the kernel instead prints its result and crashes at once
 * (domu-busy-crash: a domain that crashes while every CPU is busy is still destroyed at once).
 * Parva-only: Xen 4.17 builds no domUs from boot modules.
 */
#include "guest.h"
#include "domu.h"
#include <xen/vcpu.h>

const char test_title[] = "credit scheduler: weights 256:512 share a CPU 1:2, a cap of 50% is held";

#define MS  1000000ull

/* Running time (ns) of vCPU 0 at system time b, read at the first moment we run at or after b. */
static bool running_at(uint64_t b, uint64_t *ran)
{
    struct vcpu_runstate_info r;
    uint64_t now, since;

    while ( guest_system_time() < b )
        ;
    if ( !check_rc("VCPUOP_get_runstate_info", hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, &r), 0) )
        return false;
    now = guest_system_time();
    if ( !check(r.state == RUNSTATE_running, "runstate %d while running", r.state) )
        return false;
    since = r.state_entry_time > b ? r.state_entry_time : b;
    /* The hypervisor's NOW() in the hypercall precedes our reading: never subtract more than ran. */
    *ran = r.time[RUNSTATE_running] - (now > since ? now - since : 0);
    return true;
}

void test_main(start_info_t *si)
{
    uint64_t from = guest_cmdline_number("from", 4000) * MS, to = guest_cmdline_number("to", 10000) * MS;
    unsigned long share = guest_cmdline_number("share", 0), tol = guest_cmdline_number("tol", 0), pm;
    uint64_t start = guest_system_time(), r0, r1, ran;

    (void)si;
    if ( guest_is_dom0() )
        report_fatal("this test runs as boot-time domUs (see its domains file), not as dom0");
    if ( guest_cmdline_option("crash", NULL, 0) )
    {
        printf("crashing on purpose at %lu ms of system time (no trap table, ud2)\n",
               (unsigned long)(start / MS));
        test_print_result();
        hypercall_set_trap_table(NULL);
        asm volatile ( "ud2" );
        report_fatal("still running after ud2 without a trap table");
    }
    printf("started at %lu ms of system time; window %lu-%lu ms\n", (unsigned long)(start / MS),
           (unsigned long)(from / MS), (unsigned long)(to / MS));
    if ( start + 500 * MS > from )
    {
        report_error("started at %lu ms, too late for the window from %lu ms", (unsigned long)(start / MS),
                     (unsigned long)(from / MS));
        return;
    }
    if ( !running_at(from, &r0) || !running_at(to, &r1) )
        return;
    ran = r1 - r0;
    pm = (unsigned long)(ran * 1000 / (to - from));
    /* The check script reads this line of every domain. */
    printf("FAIR ran %lu us of the %lu us window: %lu per mille (expected %lu +- %lu)\n",
           (unsigned long)(ran / 1000), (unsigned long)((to - from) / 1000), pm, share, tol);
    check(pm + tol >= share && pm <= share + tol, "ran %lu per mille of the window, expected %lu +- %lu", pm,
          share, tol);
}
