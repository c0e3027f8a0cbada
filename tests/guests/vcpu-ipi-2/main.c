/*
 * vcpu-ipi-2 (and vcpu-ipi-4, the same kernel with dom0_max_vcpus=4): secondary vCPUs brought up as
 * Linux does, event-channel IPIs between every pair of vCPUs, VCPUOP_up/down/is_up, and runstates.
 * The hypervisor runs with dom0_max_vcpus=N (hv-args) on a 2-CPU machine (qemu-args -smp 2), with
 * sched=credit: Xen 4.17's default, credit2, sometimes leaves a woken vCPU queued while both CPUs idle
 * under TCG on a loaded host (the test then hangs); credit1 is also what Parva's scheduler models.
 *
 * - Bring-up: N vCPUs exist (VCPUOP_is_up: 0 for the secondaries, -ENOENT at N); VCPUOP_up before
 *   VCPUOP_initialise is -EINVAL; initialise is accepted once (-EEXIST after, and for vCPU 0; Xen
 *   says -EEXIST before it looks at the context, even a bad one); the new vCPU starts at the
 *   context's %rip with its %rsp, %rdi and kernel GS base; is_up is then 1.
 *   With N > 2 the vcpu_infos move out of shared_info (VCPUOP_register_vcpu_info, Linux's way):
 *   vCPU 0 for itself and for secondaries that are still down; for one that is already up, only
 *   that vCPU itself may (Xen: -EINVAL from another vCPU), and a misaligned offset is -ENXIO.
 * - IPIs: a ping port bound to b for every ordered pair (a, b) and a pong port bound to a; every vCPU
 *   at once plays 1000 rounds of ping-pong with every other (waiting blocked in SCHEDOP_block), then
 *   200 broadcasts (a ping to all others, then wait for all pongs). Every send is delivered exactly
 *   once, on the vCPU the port is bound to (counted per port and per pair).
 * - A port masked in shared_info: three sends while masked deliver nothing and do not set the bound
 *   vCPU's selector; EVTCHNOP_unmask from another vCPU delivers it there exactly once.
 * - Runstates: over an interval with vCPUs running and blocked, each vCPU's running + runnable +
 *   blocked + offline times grow by the elapsed system time (10% + 1 ms: under TCG on a loaded host
 *   the CPUs' system times drift apart by a few percent, on Xen too); the secondaries have offline
 *   time (before they came up) and blocked time; the registered runstate areas agree.
 * - VCPUOP_down: of another running vCPU (it stops: runstate offline; an IPI sent meanwhile is
 *   delivered after VCPUOP_up), of itself (the hypercall returns 0 once another vCPU brought it up
 *   again), of vCPU 0 by vCPU 1 (and up again).
 * - The end: all secondaries down, the result line, then VCPUOP_down of the last vCPU that is up.
 *   Xen 4.17 does not refuse it: it shuts the domain down with SHUTDOWN_poweroff (common/domain.c),
 *   which the `expect` file checks ("Hardware Dom0 halted").
 * A watchdog (vCPU 0's single-shot timer, 120 s) turns a hang of the IPI phases into an ERROR with a
 * dump of every vCPU's event state.
 */
#include "guest.h"

const char test_title[] = "secondary vCPUs, IPIs between all vCPUs, VCPUOP_up/down, runstates";

#define ROUNDS      1000        /* per ordered pair: 2000 round trips with 2 vCPUs, 12000 with 4 */
#define BROUNDS     200
#define MS          1000000ul

static unsigned int nr;
static evtchn_port_t ping[SMP_MAX_VCPUS][SMP_MAX_VCPUS];   /* [a][b]: bound to b, a sends */
static evtchn_port_t pong[SMP_MAX_VCPUS][SMP_MAX_VCPUS];   /* [b][a]: bound to a, b sends */
static volatile uint32_t pings_sent[SMP_MAX_VCPUS][SMP_MAX_VCPUS];     /* [a][b] */
static volatile uint32_t pings_recv[SMP_MAX_VCPUS][SMP_MAX_VCPUS];     /* [b][a]: b got from a */
static volatile uint32_t pongs_recv[SMP_MAX_VCPUS][SMP_MAX_VCPUS];     /* [a][b]: a got from b */
static volatile uint32_t send_errors;
static struct vcpu_runstate_info areas[SMP_MAX_VCPUS];
static struct vcpu_guest_context bad_ctx;

#define PAIR(a, b)  ((void *)(unsigned long)((a) << 8 | (b)))
#define PAIR_A(p)   (((unsigned long)(p) >> 8) & 0xff)
#define PAIR_B(p)   ((unsigned long)(p) & 0xff)

/* Spins (yielding) until cond holds or ns passed; whether it holds. */
#define spin_until(cond, ns) ({                                             \
    uint64_t end_ = guest_system_time() + (ns);                             \
    bool ok_;                                                               \
    while ( !(ok_ = (cond)) && guest_system_time() < end_ )                 \
        hypercall_sched_op(SCHEDOP_yield, NULL);                            \
    ok_; })

static void ping_handler(evtchn_port_t port, void *arg)
{
    unsigned int a = PAIR_A(arg), b = PAIR_B(arg);

    __atomic_add_fetch(&pings_recv[b][a], 1, __ATOMIC_SEQ_CST);
    if ( evtchn_send(pong[b][a]) )
        __atomic_add_fetch(&send_errors, 1, __ATOMIC_SEQ_CST);
}

static void pong_handler(evtchn_port_t port, void *arg)
{
    unsigned int a = PAIR_A(arg), b = PAIR_B(arg);

    __atomic_add_fetch(&pongs_recv[a][b], 1, __ATOMIC_SEQ_CST);
}

static void send_ping(unsigned int a, unsigned int b)
{
    pings_sent[a][b]++;
    if ( evtchn_send(ping[a][b]) )
        __atomic_add_fetch(&send_errors, 1, __ATOMIC_SEQ_CST);
}

/* Every vCPU at once: ping-pong with every other vCPU, one round trip at a time. */
static void pingpong_job(void *arg)
{
    unsigned int a = smp_id();

    for ( unsigned int r = 0; r < ROUNDS; r++ )
        for ( unsigned int b = 0; b < nr; b++ )
        {
            uint32_t want;

            if ( b == a )
                continue;
            want = pongs_recv[a][b] + 1;
            send_ping(a, b);
            smp_wait_until(ACCESS_ONCE(pongs_recv[a][b]) >= want);
        }
}

static bool all_pongs(unsigned int a, const uint32_t *want)
{
    for ( unsigned int b = 0; b < nr; b++ )
        if ( b != a && ACCESS_ONCE(pongs_recv[a][b]) < want[b] )
            return false;
    return true;
}

/* Every vCPU at once: ping all others, then wait for all their pongs. */
static void broadcast_job(void *arg)
{
    unsigned int a = smp_id();
    uint32_t want[SMP_MAX_VCPUS];

    for ( unsigned int r = 0; r < BROUNDS; r++ )
    {
        for ( unsigned int b = 0; b < nr; b++ )
            if ( b != a )
            {
                want[b] = pongs_recv[a][b] + 1;
                send_ping(a, b);
            }
        smp_wait_until(all_pongs(a, want));
    }
}

/*
 * A watchdog on vCPU 0's single-shot timer (VIRQ_TIMER bound to vCPU 0): if a phase hangs (every vCPU
 * blocked, an event lost), it dumps the event state and ends the test with an ERROR.
 */
static const char *phase = "start";

static void watchdog(evtchn_port_t port, void *arg)
{
    printf("watchdog: phase \"%s\" still running after 120 s; the event state:\n", phase);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        struct smp_vcpu *sv = &smp_vcpus[i];
        struct vcpu_runstate_info ri = { 0 };

        smp_runstate(i, &ri);
        printf("  vCPU %u: runstate %u, online %u, work %p, upcalls %lu (%lu empty), upcall_pending %u, "
               "mask %u, pending_sel %#lx\n", i, ri.state, sv->online, (void *)sv->work, sv->upcalls, sv->spurious,
               sv->info->evtchn_upcall_pending, sv->info->evtchn_upcall_mask, sv->info->evtchn_pending_sel);
    }
    printf("  evtchn_pending[0] %#lx, evtchn_mask[0] %#lx\n", shared_info->evtchn_pending[0],
           shared_info->evtchn_mask[0]);
    for ( unsigned int a = 0; a < nr; a++ )
        for ( unsigned int b = 0; b < nr; b++ )
            if ( a != b )
                printf("  %u->%u: pings sent %u (port %u, got %u), pongs (port %u) got %u\n", a, b,
                       pings_sent[a][b], ping[a][b], pings_recv[b][a], pong[b][a], pongs_recv[a][b]);
    report_fatal("phase \"%s\" hung (no progress for 120 s): see the dump above", phase);
}

static void watchdog_arm(const char *what)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = guest_system_time() + 120000 * MS };

    phase = what;
    hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

static void watchdog_disarm(void)
{
    hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
}

static bool check_counts(const char *phase)
{
    bool ok = true;

    for ( unsigned int a = 0; a < nr; a++ )
        for ( unsigned int b = 0; b < nr; b++ )
        {
            if ( a == b )
                continue;
            ok &= check(pings_recv[b][a] == pings_sent[a][b], "%s: vCPU %u sent %u pings to vCPU %u, "
                        "which got %u", phase, a, pings_sent[a][b], b, pings_recv[b][a]);
            ok &= check(pongs_recv[a][b] == pings_sent[a][b], "%s: vCPU %u got %u pongs from vCPU %u "
                        "for %u pings", phase, a, pongs_recv[a][b], b, pings_sent[a][b]);
            /* The framework runs a port's handler only on its own vCPU: exact counts mean the
               hypervisor raised every event on the right vCPU. */
            ok &= check(evtchn_ports[ping[a][b]].count == pings_recv[b][a], "%s: port counts disagree", phase);
        }
    ok &= check(send_errors == 0, "%s: %u EVTCHNOP_send failed", phase, send_errors);
    return ok;
}

static void bind_pairs(void)
{
    for ( unsigned int a = 0; a < nr; a++ )
        for ( unsigned int b = 0; b < nr; b++ )
        {
            long rc;

            if ( a == b )
                continue;
            rc = evtchn_bind_ipi(b, ping_handler, PAIR(a, b));
            if ( rc < 0 )
                report_fatal("bind_ipi(vcpu %u): %ld (%s)", b, rc, errno_name(rc));
            ping[a][b] = rc;
            rc = evtchn_bind_ipi(a, pong_handler, PAIR(a, b));
            if ( rc < 0 )
                report_fatal("bind_ipi(vcpu %u): %ld (%s)", a, rc, errno_name(rc));
            pong[b][a] = rc;
        }
}

static void ipi_phases(void)
{
    uint64_t t0, t1;
    unsigned int pairs = nr * (nr - 1);

    watchdog_arm("ping-pong");
    t0 = guest_system_time();
    smp_run_all(pingpong_job, NULL);
    t1 = guest_system_time();
    watchdog_disarm();
    printf("ping-pong: %u round trips (%u pairs x %u) in %lu ms, %lu us each on average\n",
           pairs * ROUNDS, pairs, ROUNDS, (t1 - t0) / MS, (t1 - t0) / 1000 / (pairs * ROUNDS));
    if ( !check_counts("ping-pong") )
        return;

    watchdog_arm("broadcast");
    t0 = guest_system_time();
    smp_run_all(broadcast_job, NULL);
    t1 = guest_system_time();
    watchdog_disarm();
    printf("broadcast: %u rounds on %u vCPUs in %lu ms\n", BROUNDS, nr, (t1 - t0) / MS);
    check_counts("broadcast");
    for ( unsigned int i = 0; i < nr; i++ )
        printf("vCPU %u: %lu upcalls (%lu found nothing to do)\n", i, smp_vcpus[i].upcalls,
               smp_vcpus[i].spurious);
}

/* A port masked in shared_info: nothing delivered, no selector; EVTCHNOP_unmask from vCPU 0. */
static void masked_phase(void)
{
    evtchn_port_t p = ping[0][1];
    uint32_t got = pings_recv[1][0], pongs = pongs_recv[0][1];
    unsigned long selbit = 1ul << (p / 64);

    evtchn_mask(p);
    for ( unsigned int i = 0; i < 3; i++ )
        send_ping(0, 1);
    pings_sent[0][1] -= 2;              /* three sends on a masked port count as one event */
    smp_spin_ns(20 * MS);
    check(pings_recv[1][0] == got, "masked port: delivered %u times to vCPU 1", pings_recv[1][0] - got);
    check(evtchn_is_pending(p), "masked port: not pending after the sends");
    check(!(smp_vcpus[1].info->evtchn_pending_sel & selbit), "masked port: vCPU 1's selector bit was set");
    check_rc("EVTCHNOP_unmask of vCPU 1's port from vCPU 0", evtchn_unmask_hypercall(p), 0);
    if ( !spin_until(ACCESS_ONCE(pongs_recv[0][1]) > pongs, 2000 * MS) )
    {
        report_fail("masked port: not delivered to vCPU 1 after EVTCHNOP_unmask");
        return;
    }
    smp_spin_ns(10 * MS);
    check_eq("masked port: deliveries after unmask", pings_recv[1][0] - got, 1);
    check(!evtchn_is_masked(p), "masked port: still masked");
}

static uint64_t rs_sum(const struct vcpu_runstate_info *ri)
{
    return ri->time[0] + ri->time[1] + ri->time[2] + ri->time[3];
}

static volatile bool spin_flag;
static void spin_job(void *arg)
{
    while ( ACCESS_ONCE(spin_flag) )
        asm volatile ( "pause" );
}

static void runstate_phase(void)
{
    struct vcpu_runstate_info r0[SMP_MAX_VCPUS], r1[SMP_MAX_VCPUS], area[SMP_MAX_VCPUS];
    uint64_t a0[SMP_MAX_VCPUS], b0[SMP_MAX_VCPUS], a1[SMP_MAX_VCPUS], b1[SMP_MAX_VCPUS];
    static const char *const st[] = { "running", "runnable", "blocked", "offline" };

    /* vCPU 1 spins, the others (but vCPU 0) are blocked waiting for work. */
    spin_flag = true;
    smp_post(1, spin_job, NULL);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        a0[i] = guest_system_time();
        check_rc("VCPUOP_get_runstate_info", smp_runstate(i, &r0[i]), 0);
        b0[i] = guest_system_time();
    }
    smp_spin_ns(50 * MS);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        /* The area first (a stable copy: the hypervisor may be writing it), then the hypercall. */
        do
            memcpy(&area[i], (void *)&areas[i], sizeof(area[i]));
        while ( memcmp(&area[i], (void *)&areas[i], sizeof(area[i])) );
        a1[i] = guest_system_time();
        check_rc("VCPUOP_get_runstate_info", smp_runstate(i, &r1[i]), 0);
        b1[i] = guest_system_time();
    }
    spin_flag = false;
    smp_wait_idle(1);

    for ( unsigned int i = 0; i < nr; i++ )
    {
        uint64_t d = rs_sum(&r1[i]) - rs_sum(&r0[i]), lo = a1[i] - b0[i], hi = b1[i] - a0[i];
        /* Generous: under TCG the CPUs' system times (each extrapolated from the TSC with its own
           calibration) differ by a few percent on a loaded host. */
        uint64_t tol = hi / 10 + 1000000;

        printf("vCPU %u: state %s; running %lu us, runnable %lu us, blocked %lu us, offline %lu us; "
               "+%lu us over %lu us\n", i, r1[i].state < 4 ? st[r1[i].state] : "?", r1[i].time[0] / 1000,
               r1[i].time[1] / 1000, r1[i].time[2] / 1000, r1[i].time[3] / 1000, d / 1000, lo / 1000);
        check(d + tol >= lo && d <= hi + tol, "vCPU %u: runstate times grew by %lu ns over %lu..%lu ns", i, d,
              lo, hi);
        check(rs_sum(&r1[i]) <= b1[i] + tol, "vCPU %u: runstate times sum to %lu ns, more than the system "
              "time %lu ns", i, rs_sum(&r1[i]), b1[i]);
        check(r1[i].state_entry_time <= b1[i] + tol, "vCPU %u: state_entry_time %lu is in the future (%lu)",
              i, r1[i].state_entry_time, b1[i]);
        check(r1[i].time[RUNSTATE_running] > 0, "vCPU %u: never ran", i);
        if ( i == 0 || i == 1 )
            check(r1[i].time[RUNSTATE_running] - r0[i].time[RUNSTATE_running] > 10 * MS,
                  "vCPU %u: spinning, but only %lu ns more running time over %lu ns", i,
                  r1[i].time[RUNSTATE_running] - r0[i].time[RUNSTATE_running], lo);
        if ( i > 0 )
        {
            check(r1[i].time[RUNSTATE_offline] > 0, "vCPU %u: no offline time (it was down before VCPUOP_up)",
                  i);
            check(r1[i].time[RUNSTATE_blocked] > 0, "vCPU %u: no blocked time", i);
        }
        if ( i > 1 )
            check(r1[i].state == RUNSTATE_blocked || r1[i].state == RUNSTATE_runnable,
                  "vCPU %u: waits blocked, but its runstate is %u", i, r1[i].state);
        /* The area is written when the vCPU is switched: it never runs ahead of a later
           get_runstate_info. */
        for ( unsigned int s = 0; s < 4; s++ )
            check(area[i].time[s] <= r1[i].time[s], "vCPU %u: runstate area time[%u] %lu > %lu from "
                  "get_runstate_info after it", i, s, area[i].time[s], r1[i].time[s]);
        check(rs_sum(&area[i]) > 0, "vCPU %u: the runstate area was never written", i);
    }
}

/* --- VCPUOP_down and up --- */

static volatile long job_rc, job_rc2, job_isup;
static volatile bool job_flag;

static void down_self_job(void *arg)
{
    job_flag = false;
    job_rc = smp_vcpu_down(smp_id());
    job_flag = true;                    /* runs only once someone brought us up again */
}

static void down_vcpu0_job(void *arg)
{
    struct vcpu_runstate_info ri;

    job_rc = smp_vcpu_down(0);
    job_flag = spin_until(smp_runstate(0, &ri) == 0 && ri.state == RUNSTATE_offline, 2000 * MS);
    job_isup = smp_is_up(0);
    job_rc2 = smp_vcpu_up(0);
}

static bool offline(unsigned int id)
{
    struct vcpu_runstate_info ri;

    return smp_runstate(id, &ri) == 0 && ri.state == RUNSTATE_offline;
}

static void down_up_phase(void)
{
    uint32_t got, pongs;

    /* 1. vCPU 0 takes vCPU 1 down while it runs; an IPI sent meanwhile waits for VCPUOP_up. */
    spin_flag = true;
    smp_post(1, spin_job, NULL);
    smp_spin_ns(5 * MS);
    check_rc("VCPUOP_down(1) from vCPU 0", smp_vcpu_down(1), 0);
    check_eq("VCPUOP_is_up(1) after VCPUOP_down", smp_is_up(1), 0);
    check(spin_until(offline(1), 2000 * MS), "vCPU 1 taken down while running: its runstate is not offline");
    got = pings_recv[1][0];
    pongs = pongs_recv[0][1];
    send_ping(0, 1);
    smp_spin_ns(20 * MS);
    check(pings_recv[1][0] == got, "an IPI was delivered to vCPU 1 while it was down");
    check_rc("VCPUOP_up(1)", smp_vcpu_up(1), 0);
    check_eq("VCPUOP_is_up(1) after VCPUOP_up", smp_is_up(1), 1);
    check(spin_until(ACCESS_ONCE(pongs_recv[0][1]) > pongs, 2000 * MS),
          "the IPI sent while vCPU 1 was down was not delivered after VCPUOP_up");
    spin_flag = false;
    smp_wait_idle(1);
    check_eq("deliveries of the IPI sent while down", pings_recv[1][0] - got, 1);

    /* 2. vCPU 1 takes itself down; the hypercall returns when vCPU 0 brings it up again. */
    job_flag = false;
    job_rc = -1;
    smp_post(1, down_self_job, NULL);
    check(spin_until(smp_is_up(1) == 0, 2000 * MS), "vCPU 1 did VCPUOP_down(1): is_up stays 1");
    check(spin_until(offline(1), 2000 * MS), "vCPU 1 took itself down: its runstate is not offline");
    check(!job_flag, "VCPUOP_down(self) returned before VCPUOP_up");
    check_rc("VCPUOP_up(1) after its own VCPUOP_down", smp_vcpu_up(1), 0);
    smp_wait_idle(1);
    check(job_flag, "vCPU 1 did not resume after VCPUOP_up");
    check_rc("VCPUOP_down(self) once up again", job_rc, 0);

    /* 3. vCPU 1 takes vCPU 0 (running) down, sees it offline, and brings it up. */
    job_flag = false;
    job_rc = job_rc2 = job_isup = -1;
    smp_post(1, down_vcpu0_job, NULL);
    spin_until(!ACCESS_ONCE(smp_vcpus[1].work), 10000 * MS);
    check(!ACCESS_ONCE(smp_vcpus[1].work), "vCPU 1's job (down and up vCPU 0) did not finish");
    check_rc("VCPUOP_down(0) from vCPU 1", job_rc, 0);
    check(job_flag, "vCPU 0, taken down by vCPU 1, was not seen offline");
    check_eq("VCPUOP_is_up(0) seen by vCPU 1 while vCPU 0 was down", job_isup, 0);
    check_rc("VCPUOP_up(0) from vCPU 1", job_rc2, 0);
    check_eq("VCPUOP_is_up(0)", smp_is_up(0), 1);
}

/* --- register_vcpu_info for a vCPU that is up (N > 2) --- */

static volatile long reg_misaligned, reg_ok;

static void register_self_job(void *arg)
{
    uint8_t *page = arg;
    struct vcpu_register_vcpu_info r = { .mfn = virt_to_mfn(page), .offset = 0x84 };
    unsigned int me = smp_id();

    reg_misaligned = hypercall_vcpu_op(VCPUOP_register_vcpu_info, me, &r);
    r.offset = 0x80;
    evtchn_disable();
    reg_ok = hypercall_vcpu_op(VCPUOP_register_vcpu_info, me, &r);
    if ( reg_ok == 0 )
        smp_vcpus[me].info = (vcpu_info_t *)(page + 0x80);
    evtchn_enable();
}

static bool register_up_vcpu(unsigned int id)
{
    uint8_t *page = alloc_page();
    struct vcpu_register_vcpu_info r = { .mfn = virt_to_mfn(page), .offset = 0x80 };

    if ( !check_rc("register_vcpu_info for a vCPU that is up, from another vCPU",
                   hypercall_vcpu_op(VCPUOP_register_vcpu_info, id, &r), -EINVAL) )
    {
        /* It moved under a vCPU that is blocked: its selector is all ones, no event would wake it. */
        smp_vcpus[id].info = (vcpu_info_t *)(page + 0x80);
        return false;
    }
    smp_run(id, register_self_job, page);
    check_rc("register_vcpu_info at a misaligned offset (0x84)", reg_misaligned, -ENXIO);
    return check_rc("register_vcpu_info by the vCPU itself", reg_ok, 0);
}

void test_main(start_info_t *si)
{
    char opt[16];
    unsigned int want;
    bool own = false;
    long rc;

    if ( !hv_cmdline_option("dom0_max_vcpus", opt, sizeof(opt)) )
        report_fatal("the hypervisor has no dom0_max_vcpus= option (see hv-args)");
    want = 0;
    for ( const char *c = opt; *c >= '0' && *c <= '9'; c++ )
        want = want * 10 + (*c - '0');
    rc = smp_init();
    if ( rc )
        report_fatal("smp_init: %ld (%s)", rc, errno_name(rc));
    nr = smp_nr_vcpus;
    printf("dom0 has %u vCPUs (dom0_max_vcpus=%s)\n", nr, opt);
    if ( !check_eq("vCPUs of dom0", nr, want) || nr < 2 )
        return;
    check_rc("VCPUOP_is_up(N)", smp_is_up(nr), -ENOENT);
    check_rc("VCPUOP_initialise(0) (vCPU 0 runs)", smp_initialise(0), -EEXIST);

    if ( nr > 2 )
    {
        /* Linux's way: every vcpu_info in its per-CPU area, registered while the vCPU is down. */
        uint8_t *page = alloc_page();
        struct vcpu_register_vcpu_info r = { .mfn = virt_to_mfn(page), .offset = 0x80 };

        if ( check_rc("register_vcpu_info(0)", hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), 0) )
            vcpu0_info = (vcpu_info_t *)(page + 0x80);
        own = true;
    }
    evtchn_enable();

    for ( unsigned int i = 0; i < nr; i++ )
    {
        struct vcpu_register_runstate_memory_area area = { .addr.v = &areas[i] };

        check_rc("register_runstate_memory_area",
                 hypercall_vcpu_op(VCPUOP_register_runstate_memory_area, i, &area), 0);
    }

    for ( unsigned int i = 1; i < nr; i++ )
    {
        struct vcpu_runstate_info ri;

        check_eq("VCPUOP_is_up of a secondary vCPU at boot", smp_is_up(i), 0);
        check_rc("VCPUOP_up before VCPUOP_initialise", smp_vcpu_up(i), -EINVAL);
        if ( check_rc("get_runstate_info of a vCPU never up", smp_runstate(i, &ri), 0) )
            check_eq("runstate of a vCPU never up", ri.state, RUNSTATE_offline);
        rc = smp_prepare(i, own && i < nr - 1);
        if ( rc )
            report_fatal("smp_prepare(%u): %ld (%s)", i, rc, errno_name(rc));
        if ( !check_rc("VCPUOP_initialise", smp_initialise(i), 0) )
            return;
        check_rc("VCPUOP_initialise again", smp_initialise(i), -EEXIST);
        check_eq("VCPUOP_is_up after initialise, before up", smp_is_up(i), 0);
        rc = smp_up(i);
        if ( !check_rc("VCPUOP_up (and the vCPU running its entry)", rc, 0) )
            return;
        check(smp_vcpus[i].entry_ok, "vCPU %u: its GS base does not lead to its per-vCPU data", i);
        check_eq("VCPUOP_is_up after up", smp_is_up(i), 1);
        check_rc("VCPUOP_up of a vCPU that is up", smp_vcpu_up(i), 0);
        printf("vCPU %u is up (upcall mask at entry %u)\n", i, smp_vcpus[i].entry_upcall_mask);
    }
    if ( report_failed() )
        return;
    /* -EEXIST comes before any check of the context (Xen: default_initialise_vcpu). */
    smp_fill_context(1, &bad_ctx);
    bad_ctx.user_regs.rip = 0x8000000000000000ul;
    check_rc("VCPUOP_initialise of a vCPU that is up, with a non-canonical %rip",
             hypercall_vcpu_op(VCPUOP_initialise, 1, &bad_ctx), -EEXIST);
    if ( own && !register_up_vcpu(nr - 1) )
        return;

    /* vCPU 0's timers: the default periodic tick off, VIRQ_TIMER for the watchdog. */
    hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, watchdog, NULL);
    if ( rc < 0 )
        report_fatal("bind VIRQ_TIMER: %ld (%s)", rc, errno_name(rc));
    bind_pairs();
    ipi_phases();
    masked_phase();
    runstate_phase();
    down_up_phase();
    smp_finish_by_last_down();
}
