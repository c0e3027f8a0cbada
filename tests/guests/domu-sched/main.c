/*
 * domu-sched - a boot-time domain's scheduling options take effect: weight, cap and cpus= (hard
 * affinity).  Two domUs, both pinned to CPU 1 of a 2-CPU machine (cpus=1; CPU 0 is left to idle),
 * spin for 3 s of system time and measure the share of that time they ran (VCPUOP_get_runstate_info):
 * "capped" has cap=30 and must get 15-40%; "free" has no cap and must get 50-85%: it cannot have a
 * CPU to itself (which affinity forbids), and takes what the cap leaves.  No dom0.
 * Parva-only: Xen 4.17 builds no domUs from boot modules.
 */
#include "guest.h"
#include "domu.h"
#include <xen/vcpu.h>

const char test_title[] = "weight, cap and cpus= of boot-time domains";

#define SPIN_NS     (3ull * 1000 * 1000 * 1000)

void test_main(start_info_t *si)
{
    struct vcpu_runstate_info r0, r1;
    unsigned long lo = guest_cmdline_number("min", 0), hi = guest_cmdline_number("max", 100), pct;
    uint64_t t0, t1, ran;

    (void)si;
    if ( guest_is_dom0() )
        report_fatal("this test runs as boot-time domUs (see its domains file), not as dom0");
    if ( !check_rc("runstate", hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, &r0), 0) )
        return;
    t0 = guest_system_time();
    do
        t1 = guest_system_time();
    while ( t1 - t0 < SPIN_NS );
    if ( !check_rc("runstate", hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, &r1), 0) )
        return;
    ran = r1.time[RUNSTATE_running] - r0.time[RUNSTATE_running];
    pct = (unsigned long)(ran * 100 / (t1 - t0));
    printf("ran %lu ms of %lu ms: %lu%% (expected %lu-%lu%%); runnable %lu ms\n", (unsigned long)(ran / 1000000),
           (unsigned long)((t1 - t0) / 1000000), pct, lo, hi,
           (unsigned long)((r1.time[RUNSTATE_runnable] - r0.time[RUNSTATE_runnable]) / 1000000));
    check(pct >= lo && pct <= hi, "ran %lu%% of the time, expected %lu-%lu%%", pct, lo, hi);
}
