/*
 * timer-accuracy - how well the vCPU timers keep time, and the clocks a PV guest reads.
 *
 * - Single-shot timers (VCPUOP_set_singleshot_timer, VIRQ_TIMER, waiting in SCHEDOP_block) at +1 ms
 *   .. +100 ms fire once, never before their deadline (pvclock time in the upcall), with a median
 *   lateness of at most 20 ms and none later than 100 ms (generous: TCG on a loaded host stalls a
 *   CPU thread now and then); the lateness of each is logged. A deadline
 *   in the past fires at once. Re-arming replaces the deadline (one event, at the new one);
 *   VCPUOP_stop_singleshot_timer and HYPERVISOR_set_timer_op(0) cancel it.
 * - The periodic timer (VCPUOP_set_periodic_timer, 10 ms; the vCPU spins with events enabled, as the
 *   periodic tick only runs while the vCPU runs): 20 ticks take 200 ms +-10%, never less, and no two
 *   come closer than 5 ms; a late tick is not replayed (Xen's rule), so when the host stalls QEMU and
 *   ticks go missing, the median interval must be 10 ms +-10% instead. A period below 1 ms is
 *   -EINVAL; after VCPUOP_stop_periodic_timer no tick comes.
 * - pvclock: two time records the hypervisor wrote at least 100 ms apart (the vCPU reads the clock
 *   for 150 ms or more, blocking 1 ms every 10 ms, until the record changed; Xen rewrites it after
 *   its once-a-second time calibration): their system_time difference matches their tsc_timestamp
 *   difference scaled by tsc_to_system_mul/tsc_shift within 1%; the system time read through them
 *   never goes backwards.
 * - The wall clock in shared_info: wc_version even, wc_nsec < 10^9, and wc + system time is a date
 *   from 2024 on (and before 2100).
 */
#include "guest.h"

const char test_title[] = "single-shot and periodic timer accuracy, pvclock against the TSC, wall clock";

#define MS          1000000ul
#define US          1000ul
#define LATE_MAX    (100 * MS)    /* any one timer: TCG on a loaded host may stall a CPU thread */
#define LATE_MEDIAN (20 * MS)     /* the median of the seven */
#define TICKS       20

static volatile unsigned int fired;
static volatile uint64_t fired_at;
static evtchn_port_t timer_port;

static void timer_handler(evtchn_port_t port, void *arg)
{
    fired_at = guest_system_time();
    fired++;
}

static long singleshot(uint64_t deadline)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };

    return hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

static long set_timer_op(uint64_t deadline)
{
    return hypercall1(__HYPERVISOR_set_timer_op, deadline);
}

/* Blocks until the timer fired (or the 2 s safety deadline passes); whether it fired. */
static bool wait_fired(void)
{
    uint64_t end = guest_system_time() + 2000 * MS;

    for ( ;; )
    {
        evtchn_disable();
        if ( fired || guest_system_time() > end )
            break;
        hypercall_sched_op(SCHEDOP_block, NULL);
    }
    evtchn_enable();
    return fired;
}

static void singleshot_checks(void)
{
    static const unsigned int ms[] = { 1, 2, 5, 10, 20, 50, 100 };
    uint64_t t0, deadline, worst = 0, late[ARRAY_SIZE(ms)];
    unsigned int nl = 0;

    for ( unsigned int i = 0; i < ARRAY_SIZE(ms); i++ )
    {
        fired = 0;
        t0 = guest_system_time();
        deadline = t0 + ms[i] * MS;
        if ( !check_rc("set_singleshot_timer", singleshot(deadline), 0) )
            continue;
        if ( !check(wait_fired(), "a +%u ms single-shot timer did not fire within 2 s", ms[i]) )
            continue;
        printf("single-shot +%u ms: fired %ld us after its deadline\n", ms[i],
               (long)(fired_at - deadline) / (long)US);
        check(fired_at >= deadline, "a +%u ms single-shot timer fired %lu ns before its deadline", ms[i],
              deadline - fired_at);
        check(fired_at <= deadline + LATE_MAX, "a +%u ms single-shot timer fired %lu us late", ms[i],
              (fired_at - deadline) / US);
        if ( fired_at > deadline && fired_at - deadline > worst )
            worst = fired_at - deadline;
        if ( fired_at >= deadline )
            late[nl++] = fired_at - deadline;
        smp_spin_ns(2 * MS);
        check_eq("events of one single-shot timer", fired, 1);
    }
    for ( unsigned int i = 1; i < nl; i++ )         /* sort for the median */
        for ( unsigned int j = i; j > 0 && late[j - 1] > late[j]; j-- )
        {
            uint64_t x = late[j];

            late[j] = late[j - 1];
            late[j - 1] = x;
        }
    if ( nl )
    {
        printf("single-shot: median lateness %lu us, worst %lu us\n", late[nl / 2] / US, worst / US);
        check(late[nl / 2] <= LATE_MEDIAN, "single-shot timers: median lateness %lu us", late[nl / 2] / US);
    }

    /* In the past: at once. */
    fired = 0;
    t0 = guest_system_time();
    if ( check_rc("set_singleshot_timer in the past", singleshot(t0 - 5 * MS), 0) &&
         check(wait_fired(), "a single-shot timer in the past did not fire") )
    {
        printf("single-shot 5 ms in the past: fired %lu us after the call\n", (fired_at - t0) / US);
        check(fired_at - t0 <= LATE_MAX, "a single-shot timer in the past fired %lu us after the call",
              (fired_at - t0) / US);
    }

    /* Re-arming replaces the deadline: one event, at the new (earlier) one. */
    fired = 0;
    t0 = guest_system_time();
    singleshot(t0 + 300 * MS);
    deadline = t0 + 10 * MS;
    if ( check_rc("set_singleshot_timer again (earlier)", singleshot(deadline), 0) &&
         check(wait_fired(), "a re-armed single-shot timer did not fire") )
    {
        check(fired_at >= deadline && fired_at <= deadline + LATE_MAX,
              "a re-armed single-shot timer fired at %ld us from its new deadline",
              (long)(fired_at - deadline) / (long)US);
        smp_spin_ns(350 * MS);
        check_eq("events after re-arming (the first deadline must be gone)", fired, 1);
    }

    /* Cancelled: VCPUOP_stop_singleshot_timer, and set_timer_op(0). */
    fired = 0;
    singleshot(guest_system_time() + 5 * MS);
    check_rc("stop_singleshot_timer", hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
    smp_spin_ns(30 * MS);
    check_eq("events of a stopped single-shot timer", fired, 0);
    fired = 0;
    check_rc("set_timer_op(+5 ms)", set_timer_op(guest_system_time() + 5 * MS), 0);
    check_rc("set_timer_op(0)", set_timer_op(0), 0);
    smp_spin_ns(30 * MS);
    check_eq("events of a timer cancelled with set_timer_op(0)", fired, 0);
    /* set_timer_op is the same one-shot timer. */
    fired = 0;
    deadline = guest_system_time() + 5 * MS;
    if ( check_rc("set_timer_op(+5 ms)", set_timer_op(deadline), 0) &&
         check(wait_fired(), "a set_timer_op timer did not fire") )
        check(fired_at >= deadline && fired_at <= deadline + LATE_MAX,
              "a set_timer_op timer fired at %ld us from its deadline", (long)(fired_at - deadline) / (long)US);
}

static void periodic_checks(void)
{
    struct vcpu_set_periodic_timer p = { .period_ns = 10 * MS };
    uint64_t t[TICKS + 1], d[TICKS], end, min = ~0ul, max = 0, total, median;
    unsigned int n = 0;

    p.period_ns = MS / 2;
    check_rc("set_periodic_timer(0.5 ms)", hypercall_vcpu_op(VCPUOP_set_periodic_timer, 0, &p), -EINVAL);
    p.period_ns = 10 * MS;
    fired = 0;
    if ( !check_rc("set_periodic_timer(10 ms)", hypercall_vcpu_op(VCPUOP_set_periodic_timer, 0, &p), 0) )
        return;
    /* Spin: a blocked vCPU's periodic tick stops (Xen and Parva alike). */
    end = guest_system_time() + (TICKS + 10) * 10 * MS * 3;
    while ( n <= TICKS && guest_system_time() < end )
    {
        unsigned int f = ACCESS_ONCE(fired);

        if ( f > n )
        {
            t[n] = fired_at;
            n = f;
        }
        asm volatile ( "pause" ::: "memory" );
    }
    check_rc("stop_periodic_timer", hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    if ( !check(n > TICKS, "only %u periodic ticks of 10 ms in %u ms", n, (TICKS + 10) * 30) )
        return;
    if ( !check(fired == n, "two ticks came so close together that one was not timed") )
        return;
    for ( unsigned int i = 0; i < TICKS; i++ )
    {
        d[i] = t[i + 1] - t[i];
        min = d[i] < min ? d[i] : min;
        max = d[i] > max ? d[i] : max;
    }
    total = t[TICKS] - t[0];
    for ( unsigned int i = 1; i < TICKS; i++ )         /* sort for the median */
        for ( unsigned int j = i; j > 0 && d[j - 1] > d[j]; j-- )
        {
            uint64_t x = d[j];

            d[j] = d[j - 1];
            d[j - 1] = x;
        }
    median = d[TICKS / 2];
    printf("periodic 10 ms: %u ticks in %lu us (intervals %lu..%lu us, median %lu us)\n", TICKS, total / US,
           min / US, max / US, median / US);
    check(total >= TICKS * 10 * MS * 9 / 10, "%u periodic ticks of 10 ms came in %lu us", TICKS, total / US);
    check(min >= 5 * MS, "two periodic ticks %lu us apart", min / US);
    if ( total > TICKS * 10 * MS * 11 / 10 )
    {
        /* Late ticks are not replayed (Xen's rule): a host that stalls QEMU makes some go missing. The
           tick rate is still right if most intervals are. */
        printf("periodic 10 ms: ticks went missing (%lu us for %u): judged by the median interval\n",
               total / US, TICKS);
        check(median >= 9 * MS && median <= 11 * MS, "periodic ticks of 10 ms: %u took %lu us, the median "
              "interval is %lu us", TICKS, total / US, median / US);
    }
    fired = 0;
    smp_spin_ns(50 * MS);
    check_eq("periodic ticks after stop_periodic_timer", fired, 0);
}

/* A consistent copy of the vCPU's time record. */
static void time_record(vcpu_time_info_t *out)
{
    const volatile vcpu_time_info_t *t = &vcpu0_info->time;
    uint32_t v;

    do
    {
        v = t->version;
        barrier();
        memcpy(out, (const void *)t, sizeof(*out));
        barrier();
    } while ( (v & 1) || v != t->version );
}

static uint64_t scale(uint64_t delta, const vcpu_time_info_t *t)
{
    if ( t->tsc_shift < 0 )
        delta >>= -t->tsc_shift;
    else
        delta <<= t->tsc_shift;
    return (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

/* The TSC frequency the record implies: ns = (ticks << shift) * mul / 2^32. */
static unsigned long tsc_khz(const vcpu_time_info_t *t)
{
    uint64_t khz;

    if ( !t->tsc_to_system_mul )
        return 0;
    khz = (1000000ull << 32) / t->tsc_to_system_mul;
    return t->tsc_shift >= 0 ? khz >> t->tsc_shift : khz << -t->tsc_shift;
}

static void block_ms(unsigned int ms)
{
    fired = 0;
    singleshot(guest_system_time() + ms * MS);
    wait_fired();
}

static void pvclock_checks(void)
{
    vcpu_time_info_t a, b;
    uint64_t dsys, dtsc, scaled, prev = 0, now, backwards = 0, start;
    unsigned int updates = 0;
    uint32_t last_version;

    block_ms(1);
    time_record(&a);
    printf("pvclock: version %u, system_time %lu, tsc_timestamp %lu, mul %u, shift %d (TSC %lu kHz)\n",
           a.version, a.system_time, a.tsc_timestamp, a.tsc_to_system_mul, a.tsc_shift, tsc_khz(&a));
    check(a.tsc_to_system_mul != 0, "pvclock: tsc_to_system_mul is 0");
    check(a.tsc_shift >= -8 && a.tsc_shift <= 8, "pvclock: tsc_shift %d", a.tsc_shift);

    /*
     * At least 150 ms of reading the clock, with a 1 ms block every 10 ms, until the hypervisor wrote a
     * new record (at most 3 s: Xen rewrites it after its once-a-second time calibration).
     */
    start = guest_system_time();
    last_version = a.version;
    while ( (now = guest_system_time()) < start + 150 * MS ||
            (vcpu0_info->time.tsc_timestamp == a.tsc_timestamp && now < start + 3000 * MS) )
    {
        if ( now < prev )
            backwards++;
        prev = now;
        if ( (now / MS) % 10 == 0 )
        {
            block_ms(1);
            if ( vcpu0_info->time.version != last_version )
                updates++;
            last_version = vcpu0_info->time.version;
            prev = guest_system_time();
        }
    }
    block_ms(1);
    time_record(&b);
    check(backwards == 0, "pvclock: the system time went backwards %lu times", backwards);
    printf("pvclock: the record was rewritten at %u of the blocks\n", updates);
    if ( !check(b.tsc_timestamp != a.tsc_timestamp, "pvclock: the time record was not rewritten in 3 s") )
        return;
    dsys = b.system_time - a.system_time;
    dtsc = b.tsc_timestamp - a.tsc_timestamp;
    scaled = scale(dtsc, &a);
    printf("pvclock: records %lu us apart in system time, %lu TSC ticks = %lu us scaled\n", dsys / US, dtsc,
           scaled / US);
    check(dsys >= 100 * MS, "pvclock: records only %lu us apart", dsys / US);
    check(scaled <= dsys + dsys / 100 && scaled + dsys / 100 >= dsys,
          "pvclock: %lu TSC ticks scale to %lu ns, but system time advanced %lu ns", dtsc, scaled, dsys);
}

static void wallclock_checks(void)
{
    uint32_t v, sec, nsec, hi;
    uint64_t now, wall;
    unsigned long days, y = 1970;

    do
    {
        v = ACCESS_ONCE(shared_info->wc_version);
        barrier();
        sec = shared_info->wc_sec;
        nsec = shared_info->wc_nsec;
        hi = shared_info->wc_sec_hi;
        now = guest_system_time();
        barrier();
    } while ( (v & 1) || v != ACCESS_ONCE(shared_info->wc_version) );
    check(!(v & 1), "wc_version %u is odd", v);
    check(nsec < 1000000000u, "wc_nsec %u", nsec);
    wall = ((uint64_t)hi << 32 | sec) + (nsec + now) / 1000000000ull;
    for ( days = wall / 86400; ; y++ )
    {
        unsigned long len = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;

        if ( days < len )
            break;
        days -= len;
    }
    printf("wall clock: wc_version %u, wc_sec %u, wc_nsec %u, wc_sec_hi %u: %lu s since 1970, in %lu\n", v, sec,
           nsec, hi, wall, y);
    check(y >= 2024 && y < 2100, "the wall clock says the year is %lu", y);
}

void test_main(start_info_t *si)
{
    long rc;

    evtchn_init();
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, timer_handler, NULL);
    if ( rc < 0 )
        report_fatal("bind VIRQ_TIMER: %ld (%s)", rc, errno_name(rc));
    timer_port = rc;
    /* Every vCPU starts with a 10 ms periodic timer: stop it so that only the timers under test tick. */
    check_rc("stop_periodic_timer", hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    evtchn_enable();

    singleshot_checks();
    periodic_checks();
    pvclock_checks();
    wallclock_checks();
}
