/*
 * vcpu-op - HYPERVISOR_vcpu_op for dom0's single vCPU: is_up (1 for vCPU 0, -ENOENT for vCPUs that do
 * not exist), register_runstate_memory_area (filled at once: running, with times) and
 * get_runstate_info, register_vcpu_info (an offset that crosses the page end is -ENXIO; the area takes
 * over vcpu_info, keeping the upcall mask; a second registration is -EINVAL), the periodic and
 * single-shot timer calls (Xen 4.17 ignores VCPU_SSHOTTMR_future: a past deadline is accepted, as
 * Linux needs), unknown commands.
 */
#include "guest.h"

const char test_title[] = "vcpu_op";

static struct vcpu_runstate_info runstate;

void test_main(start_info_t *si)
{
    struct vcpu_register_runstate_memory_area area;
    struct vcpu_runstate_info info;
    struct vcpu_register_vcpu_info vi;
    struct vcpu_set_singleshot_timer sst;
    uint64_t *page = alloc_page();
    uint64_t before;
    long rc;

    check_eq("VCPUOP_is_up(0)", hypercall_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    check_rc("VCPUOP_is_up(1) (dom0 has one vCPU here)", hypercall_vcpu_op(VCPUOP_is_up, 1, NULL), -ENOENT);
    check_rc("VCPUOP_is_up(8191)", hypercall_vcpu_op(VCPUOP_is_up, 8191, NULL), -ENOENT);
    check_rc("VCPUOP_is_up(0x10000)", hypercall_vcpu_op(VCPUOP_is_up, 0x10000, NULL), -ENOENT);

    memset(&runstate, 0xff, sizeof(runstate));
    area.addr.v = &runstate;
    if ( check_rc("register_runstate_memory_area", hypercall_vcpu_op(VCPUOP_register_runstate_memory_area, 0,
                                                                     &area), 0) )
    {
        check_eq("runstate.state", runstate.state, RUNSTATE_running);
        check(runstate.state_entry_time && !(runstate.state_entry_time >> 62),
              "runstate.state_entry_time %#lx", runstate.state_entry_time);
        /* time[] only accumulates finished stints: the current one may still be all there is. */
        check(runstate.time[RUNSTATE_running] < (1ull << 62), "runstate.time[running] %#lx",
              runstate.time[RUNSTATE_running]);
    }
    check_rc("register_runstate_memory_area for vCPU 1",
             hypercall_vcpu_op(VCPUOP_register_runstate_memory_area, 1, &area), -ENOENT);

    if ( check_rc("get_runstate_info", hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, &info), 0) )
    {
        check_eq("get_runstate_info: state", info.state, RUNSTATE_running);
        before = info.time[RUNSTATE_running];
        hypercall_sched_op(SCHEDOP_yield, NULL);
        hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, &info);
        check(info.time[RUNSTATE_running] >= before, "time[running] went backwards");
    }
    check_rc("get_runstate_info to a bad pointer",
             hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)0x0000100000000000ul), -EFAULT);

    check_rc("stop_periodic_timer", hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    /* Xen 4.17 ignores VCPU_SSHOTTMR_future: a past deadline is accepted and fires at once. */
    sst.timeout_abs_ns = 1000;
    sst.flags = VCPU_SSHOTTMR_future;
    check_rc("set_singleshot_timer in the past with VCPU_SSHOTTMR_future",
             hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst), 0);
    check_rc("stop_singleshot_timer", hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);

    /* register_vcpu_info: a bad offset first (only one registration succeeds). */
    vi.mfn = virt_to_mfn(page);
    vi.offset = PAGE_SIZE - sizeof(vcpu_info_t) + 8;
    vi.rsvd = 0;
    check_rc("register_vcpu_info crossing the page end", hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi),
             -ENXIO);
    vi.offset = 0x40;
    if ( check_rc("register_vcpu_info", hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), 0) )
    {
        vcpu_info_t *nvi = (vcpu_info_t *)((char *)page + 0x40);

        vcpu0_info = nvi;
        check_eq("the new vcpu_info's upcall mask", nvi->evtchn_upcall_mask, 1);
        check(nvi->time.tsc_to_system_mul != 0, "the new vcpu_info has no time info");
        check_rc("register_vcpu_info again", hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), -EINVAL);
        /* Page faults now report cr2 in the new area. */
        ex_reset();
        check(!read64_safe((void *)0x0000100000000040ul, &before), "unmapped read did not fault");
        check_eq("cr2 in the new vcpu_info", ex_last.cr2, 0x0000100000000040ul);
    }

    rc = hypercall_vcpu_op(99, 0, NULL);
    check_rc("vcpu_op 99", rc, -ENOSYS);
}
