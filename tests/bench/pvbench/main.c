/*
 * pvbench - micro-benchmarks of the PV paths a guest uses most, in guest TSC cycles: `make bench` boots
 * it on Parva and on Xen 4.17 under QEMU with -icount shift=0 (one instruction = one ns of virtual
 * time, so the figures count instructions and do not depend on the host) and prints both.
 *
 * Each figure is the median of many iterations, printed as one line
 *     BENCH <key> median=<cycles> min=<cycles> max=<cycles> n=<iterations> <description>
 * which tests/bench/run.sh collects into its table. Two vCPUs (hv-args: dom0_max_vcpus=2) on two CPUs.
 *
 *   rdtsc        two back-to-back rdtsc (the measuring overhead, included in every figure)
 *   null-hc      HYPERVISOR_xen_version(XENVER_version): a null hypercall round trip
 *   mmu-update   HYPERVISOR_mmu_update of one L1 entry (alternately a mapping and an empty entry)
 *   ptwr         the same L1 write done as a plain store to the read-only L1 (writable page tables:
 *                a #PF the hypervisor emulates)
 *   evtchn-rtt   event-channel round trip between two vCPUs: vCPU 1 waits blocked in SCHEDOP_block
 *                (its runstate says "blocked"); vCPU 0 reads the TSC (t0), sends on vCPU 1's IPI port
 *                and blocks; vCPU 1's upcall reads the TSC (t1) and sends back; vCPU 0's upcall reads
 *                the TSC (t2): t2 - t0
 *   wakeup       in the same exchanges, t1 - t0: from the send to the upcall of the blocked vCPU
 *
 * Under -icount QEMU runs one virtual CPU at a time and moves to the next when the running one halts
 * or its slice (up to the next timer deadline) ends: an IPI does not preempt the sender's CPU. Both
 * vCPUs therefore wait blocked (their CPUs halt), as a spinning one would hold the other off for up
 * to a timer period; the figures include the sender's way into SCHEDOP_block up to its CPU's halt.
 *   timer-10ms   lateness of a 10 ms single-shot timer (VIRQ_TIMER upcall after its deadline, the vCPU
 *                blocked), converted to TSC cycles with the pvclock scale
 *
 * The kernel ends with "Test result: SUCCESS" (SKIP/ERROR if a figure could not be taken).
 */
#include "guest.h"

const char test_title[] = "PV micro-benchmarks (guest TSC cycles)";

#define MS          1000000ul
#define MAX_N       1000

static uint64_t samples[MAX_N];

static void sort(uint64_t *a, unsigned int n)
{
    for ( unsigned int i = 1; i < n; i++ )
    {
        uint64_t v = a[i];
        unsigned int j = i;

        for ( ; j > 0 && a[j - 1] > v; j-- )
            a[j] = a[j - 1];
        a[j] = v;
    }
}

static void result(const char *key, unsigned int n, const char *desc)
{
    sort(samples, n);
    printf("BENCH %s median=%lu min=%lu max=%lu n=%u %s\n", key, samples[n / 2], samples[0], samples[n - 1], n,
           desc);
}

/* --- 1. rdtsc, null hypercall --- */

static void bench_hypercall(void)
{
    for ( unsigned int i = 0; i < MAX_N; i++ )
    {
        uint64_t t0 = rdtsc();

        samples[i] = rdtsc() - t0;
    }
    result("rdtsc", MAX_N, "two back-to-back rdtsc (included in every figure)");

    for ( unsigned int i = 0; i < MAX_N; i++ )
    {
        uint64_t t0 = rdtsc();

        hypercall_xen_version(XENVER_version, NULL);
        samples[i] = rdtsc() - t0;
    }
    result("null-hc", MAX_N, "null hypercall: xen_version(XENVER_version)");
}

/* --- 2. page-table updates --- */

static void bench_pt(void)
{
    unsigned long va = pt_free_2m_va();
    volatile uint64_t *l1 = va ? pt_hook_l1(va) : NULL;
    uint64_t pte, maddr;
    const unsigned int n = 500;

    if ( !l1 )
    {
        report_error("cannot link a test L1 table");
        return;
    }
    pte = virt_to_maddr(alloc_page()) | PTE_RW_FLAGS;
    maddr = virt_to_maddr((void *)l1) + 8;

    for ( unsigned int i = 0; i < n; i++ )
    {
        uint64_t t0 = rdtsc();
        long rc = mmu_update_one(maddr, (i & 1) ? 0 : pte);

        samples[i] = rdtsc() - t0;
        if ( rc )
        {
            report_error("mmu_update: %ld (%s)", rc, errno_name(rc));
            return;
        }
    }
    result("mmu-update", n, "mmu_update of one L1 entry");

    /* Writable page tables: dom0's stores to a read-only L1 are emulated (Xen: even without the assist). */
    hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
    for ( unsigned int i = 0; i < n; i++ )
    {
        uint64_t t0 = rdtsc();
        bool ok = write64_safe(&l1[1], (i & 1) ? 0 : pte);

        samples[i] = rdtsc() - t0;
        if ( !ok )
        {
            report_error("ptwr: a store to the L1 faulted into the guest");
            return;
        }
    }
    result("ptwr", n, "the same L1 write as a store to the read-only L1 (ptwr emulation)");
    pt_unhook_l1(va, (uint64_t *)l1);
}

/* --- 3. event channels between two vCPUs --- */

static evtchn_port_t ping_port, pong_port;      /* bound to vCPU 1 / vCPU 0 */
static volatile uint64_t pong_tsc, wake_tsc;
static volatile unsigned int pongs, wakes;
static volatile bool running;

/* vCPU 1: woken by a ping, reads the TSC and answers. */
static void ping_handler(evtchn_port_t port, void *arg)
{
    wake_tsc = rdtsc();
    wakes++;
    evtchn_send(pong_port);
}

static void pong_handler(evtchn_port_t port, void *arg)
{
    pong_tsc = rdtsc();
    pongs++;
}

/* vCPU 1: blocked in SCHEDOP_block between pings, until vCPU 0 clears `running` (and pings). */
static void responder_job(void *arg)
{
    while ( ACCESS_ONCE(running) )
    {
        unsigned int w = wakes;

        smp_wait_until(wakes != w || !ACCESS_ONCE(running));
    }
}

static void bench_evtchn(void)
{
    const unsigned int n = 200, warm = 10;
    static uint64_t wake[MAX_N];
    long rc;

    rc = smp_init();
    if ( rc || smp_nr_vcpus < 2 )
    {
        report_error("smp_init: %ld, %u vCPUs (hv-args: dom0_max_vcpus=2)", rc, smp_nr_vcpus);
        return;
    }
    evtchn_enable();
    if ( !smp_bring_up(1, false) )
        return;
    ping_port = evtchn_bind_ipi(1, ping_handler, NULL);
    pong_port = evtchn_bind_ipi(0, pong_handler, NULL);

    running = true;
    smp_post(1, responder_job, NULL);
    for ( unsigned int i = 0; i < n + warm; i++ )
    {
        struct vcpu_runstate_info ri;
        unsigned int p = pongs;
        uint64_t end = guest_system_time() + 1000 * MS, t0;

        /* Only once vCPU 1 is really blocked. */
        do
            smp_runstate(1, &ri);
        while ( ri.state != RUNSTATE_blocked && guest_system_time() < end );
        if ( ri.state != RUNSTATE_blocked )
        {
            report_error("event round trip %u: vCPU 1 does not block", i);
            return;
        }
        t0 = rdtsc();
        evtchn_send(ping_port);
        /* Wait blocked, as vCPU 1 does (under -icount a spinning vCPU would hold the other one off). */
        smp_wait_until(pongs != p);
        if ( i >= warm )
        {
            samples[i - warm] = pong_tsc - t0;
            wake[i - warm] = wake_tsc - t0;
        }
    }
    running = false;
    evtchn_send(ping_port);
    smp_wait_idle(1);
    result("evtchn-rtt", n, "event-channel round trip between two vCPUs (each waits in SCHEDOP_block)");
    memcpy(samples, wake, n * sizeof(*wake));
    result("wakeup", n, "wake-up latency: IPI to a vCPU blocked in SCHEDOP_block, to its upcall");
}

/* --- 4. timer lateness --- */

static volatile uint64_t timer_ns, timer_tsc;
static volatile unsigned int timer_fired;

static void timer_handler(evtchn_port_t port, void *arg)
{
    timer_tsc = rdtsc();
    timer_ns = guest_system_time();
    timer_fired++;
}

static void bench_timer(void)
{
    const vcpu_time_info_t *t = &vcpu0_info->time;
    const unsigned int n = 20;
    uint64_t tsc_khz;
    long rc;

    /* ns = (ticks << shift) * mul / 2^32 */
    tsc_khz = (1000000ull << 32) / t->tsc_to_system_mul;
    tsc_khz = t->tsc_shift >= 0 ? tsc_khz >> t->tsc_shift : tsc_khz << -t->tsc_shift;
    printf("BENCH-INFO TSC %lu kHz (pvclock)\n", tsc_khz);

    hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, timer_handler, NULL);
    if ( rc < 0 )
    {
        report_error("bind VIRQ_TIMER: %ld (%s)", rc, errno_name(rc));
        return;
    }
    for ( unsigned int i = 0; i < n; i++ )
    {
        struct vcpu_set_singleshot_timer st;
        unsigned int f = timer_fired;
        uint64_t late_ns;

        st.timeout_abs_ns = guest_system_time() + 10 * MS;
        st.flags = 0;
        hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, &st);
        smp_wait_until(timer_fired != f);
        late_ns = timer_ns > st.timeout_abs_ns ? timer_ns - st.timeout_abs_ns : 0;
        /* ns to TSC cycles, with the TSC frequency the pvclock scale implies. */
        samples[i] = late_ns * tsc_khz / 1000000;
    }
    result("timer-10ms", n, "lateness of a 10 ms single-shot timer (blocked vCPU), in TSC cycles");
}

void test_main(start_info_t *si)
{
    const vcpu_time_info_t *t = &vcpu0_info->time;

    printf("BENCH-INFO pvclock mul %u shift %d\n", t->tsc_to_system_mul, t->tsc_shift);
    bench_hypercall();
    bench_pt();
    bench_evtchn();
    bench_timer();
    /* Hook for an inter-domain figure (a boot-time domU answering on an interdomain port) once
       domains besides dom0 can be started: see tests/bench/run.sh. */
}
