/*
 * vcpu-time-area - VCPUOP_register_vcpu_time_memory_area: a second copy of the vCPU's pvclock in
 * guest memory (Linux's vDSO reads it from user mode), kept as the one in vcpu_info.
 *
 *   - registering it fills it at once: an even version, the same scale as vcpu_info's, a system
 *     time and TSC stamp no later than now;
 *   - after the vCPU blocked for 1.1 s, its system time has moved on, still with an even version
 *     (Parva refreshes both copies whenever the vCPU starts running; Xen when it recalibrates,
 *     once a second, or switches between vCPUs);
 *   - an address in the hypervisor's range is -EFAULT, and leaves the registration as it was;
 *   - registering 0 stops the updates (the copy keeps its last values).
 */
#include "guest.h"

const char test_title[] = "VCPUOP_register_vcpu_time_memory_area";

#define MS      1000000ull

static struct vcpu_time_info area __attribute__((aligned(64)));

static long reg(unsigned long addr)
{
    struct vcpu_register_time_memory_area a = { .addr.p = addr };

    return hypercall_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &a);
}

static evtchn_port_t timer_port;

/* Wait blocked for ns (SCHEDOP_poll's timeout on the VIRQ_TIMER port): the vCPU runs again after. */
static void nap(uint64_t ns)
{
    uint64_t end = guest_system_time() + ns;

    while ( guest_system_time() < end )
    {
        struct sched_poll poll = { .nr_ports = 1, .timeout = end };

        /* The periodic tick leaves the port pending, and a pending port ends a poll at once. */
        __atomic_and_fetch(&shared_info->evtchn_pending[timer_port / 64], ~(1ul << (timer_port % 64)),
                           __ATOMIC_SEQ_CST);
        set_xen_guest_handle(poll.ports, &timer_port);
        hypercall_sched_op(SCHEDOP_poll, &poll);
    }
}

void test_main(start_info_t *si)
{
    const vcpu_time_info_t *t = &vcpu0_info->time;
    uint64_t first, now;
    uint32_t v1;

    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };

    (void)si;
    if ( !check_rc("bind VIRQ_TIMER", hypercall_event_channel_op(EVTCHNOP_bind_virq, &bv), 0) )
        return;
    timer_port = bv.port;
    memset(&area, 0, sizeof(area));
    if ( !check_rc("register", reg((unsigned long)&area), 0) )
        return;
    now = guest_system_time();
    v1 = __atomic_load_n(&area.version, __ATOMIC_SEQ_CST);
    check(v1 && !(v1 & 1), "version %u right after registering", v1);
    check_eq("tsc_to_system_mul", area.tsc_to_system_mul, t->tsc_to_system_mul);
    check_eq("tsc_shift", area.tsc_shift, t->tsc_shift);
    check_eq("flags", area.flags, t->flags);
    check(area.system_time && area.system_time <= now, "system_time %lu, now %lu",
          (unsigned long)area.system_time, (unsigned long)now);
    check(area.tsc_timestamp && area.tsc_timestamp <= rdtsc(), "tsc_timestamp %lu in the future",
          (unsigned long)area.tsc_timestamp);
    first = area.system_time;

    nap(1100 * MS);
    check(!(area.version & 1), "version %u after a reschedule", area.version);
    check(area.system_time > first, "system_time did not move on (%lu) after blocking 1.1 s",
          (unsigned long)area.system_time);

    check_rc("register a hypervisor address", reg(0xffff830000000000ul), -EFAULT);
    first = area.system_time;
    nap(1100 * MS);
    check(area.system_time > first, "a refused registration stopped the updates");

    check_rc("unregister (0)", reg(0), 0);
    first = area.system_time;
    v1 = area.version;
    nap(1100 * MS);
    check(area.system_time == first && area.version == v1, "updates went on after unregistering");
}
