/*
 * apic.c - the local APIC: xAPIC (MMIO) or x2APIC (MSRs) mode, IPIs, and its timer.
 *
 * Design: x2APIC mode is used when the CPU has it (x2apic=0 turns it off);
 * every CPU runs its APIC in the same mode.  The timer's input rate is
 * measured against the TSC, then checked over a longer window, and its
 * periodic interrupts are checked to arrive (lapic_timer_selftest).
 *
 * Locking: none; each CPU touches only its own APIC.  xAPIC IPIs are sent
 * with interrupts off (ICR high then low must not be split by an interrupt).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/timer.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <asm/apic.h>
#include <asm/iomem.h>
#include <asm/cpufeature.h>
#include <asm/current.h>
#include <asm/irq.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/system.h>
#include <asm/time.h>

#define APIC_ID         0x020
#define APIC_VERSION    0x030
#define APIC_TPR        0x080
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_ESR        0x280
#define APIC_ICR        0x300
#define APIC_ICR2       0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_THERM  0x330
#define APIC_LVT_PMC    0x340
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_TMICT      0x380
#define APIC_TMCCT      0x390
#define APIC_TDCR       0x3e0
#define APIC_LVT_TSC_DEADLINE (2U << 17)  /* timer mode field: TSC-deadline */

#define APIC_SVR_ENABLE     0x100
#define APIC_LVT_MASKED     (1U << 16)
#define APIC_LVT_PERIODIC   (1U << 17)
#define APIC_DM_NMI         (4U << 8)
#define APIC_DM_EXTINT      (7U << 8)
#define APIC_ICR_BUSY       (1U << 12)
#define APIC_TDCR_DIV16     0x3

#define APIC_BASE_X2APIC    (1UL << 10)
#define APIC_BASE_ENABLE    (1UL << 11)

static bool opt_x2apic = true;
boolean_param("x2apic", opt_x2apic);
/* The software timers' one-shot uses the TSC-deadline mode when the CPU has it (Xen's default too). */
static bool opt_tsc_deadline = true;
boolean_param("tdt", opt_tsc_deadline);
static bool use_tsc_deadline;

bool x2apic_mode;
static volatile uint8_t *apic_mmio;
static uint64_t apic_timer_khz;     /* timer input rate (after the /16 divider) */

static uint32_t apic_read(unsigned int reg)
{
    if ( x2apic_mode )
        return (uint32_t)rdmsr(0x800 + (reg >> 4));
    return mmio_read32(apic_mmio + reg);
}

static void apic_write(unsigned int reg, uint32_t v)
{
    if ( x2apic_mode )
        wrmsr(0x800 + (reg >> 4), v);
    else
        mmio_write32(apic_mmio + reg, v);
}

uint32_t lapic_id(void)
{
    uint32_t id = apic_read(APIC_ID);

    return x2apic_mode ? id : id >> 24;
}

void lapic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr)
{
    unsigned long flags;

    local_irq_save(flags);
    if ( x2apic_mode )
        wrmsr(0x830, ((uint64_t)apic_id << 32) | icr);
    else
    {
        unsigned int spins = 0;

        while ( (apic_read(APIC_ICR) & APIC_ICR_BUSY) && ++spins < 1000000 )
            cpu_relax();
        apic_write(APIC_ICR2, apic_id << 24);
        apic_write(APIC_ICR, icr);
    }
    local_irq_restore(flags);
}

/* Map the xAPIC registers (boot CPU, before any other APIC use). */
void __init lapic_init_bsp(paddr_t mmio_base)
{
    x2apic_mode = cpu_features.x2apic && opt_x2apic;
    iomem_reserve(mmio_base, PAGE_SIZE);        /* in x2APIC mode too: the page still reaches the APIC */
    if ( !x2apic_mode )
    {
        apic_mmio = ioremap(mmio_base, PAGE_SIZE, PAGE_HV_UC);
        if ( !apic_mmio )
            panic("cannot map the local APIC at %#lx\n", (unsigned long)mmio_base);
    }
    printk("Local APIC: %s mode%s\n", x2apic_mode ? "x2APIC" : "xAPIC",
           cpu_features.x2apic && !x2apic_mode ? " (x2apic=0)" : "");
}

/* Enable this CPU's APIC: all local interrupt sources masked except errors; LINT1 is NMI. */
void lapic_setup_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

    if ( x2apic_mode )
        base |= APIC_BASE_X2APIC;
    wrmsr(MSR_APIC_BASE, base);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_APIC_VECTOR);
    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
    apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED | APIC_DM_EXTINT);
    apic_write(APIC_LVT_LINT1, APIC_DM_NMI);
    apic_write(APIC_LVT_ERROR, ERROR_APIC_VECTOR);
    if ( ((apic_read(APIC_VERSION) >> 16) & 0xff) >= 4 )
        apic_write(APIC_LVT_PMC, APIC_LVT_MASKED);
    if ( ((apic_read(APIC_VERSION) >> 16) & 0xff) >= 5 )
        apic_write(APIC_LVT_THERM, APIC_LVT_MASKED);
    apic_write(APIC_ESR, 0);
    apic_write(APIC_ESR, 0);
    lapic_eoi();
}

void lapic_error_interrupt(void)
{
    uint32_t esr;

    apic_write(APIC_ESR, 0);
    esr = apic_read(APIC_ESR);
    printk(XENLOG_WARNING "APIC error on CPU %u: %02x\n", smp_processor_id(), esr);
}

/* Measure the timer's rate (divider 16) over 50 ms of TSC. */
void __init lapic_timer_calibrate(void)
{
    uint64_t t0, t_end;
    uint32_t left;

    apic_write(APIC_TDCR, APIC_TDCR_DIV16);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
    t0 = rdtsc_ordered();
    apic_write(APIC_TMICT, 0xffffffff);
    t_end = t0 + ns_to_tsc(50000000);
    while ( rdtsc_ordered() < t_end )
        cpu_relax();
    left = apic_read(APIC_TMCCT);
    apic_write(APIC_TMICT, 0);
    apic_timer_khz = (0xffffffffULL - left) / 50;
    if ( !apic_timer_khz )
        panic("the local APIC timer does not count\n");
    printk("APIC timer: %lu.%03lu MHz (bus %lu.%03lu MHz)\n",
           (unsigned long)(apic_timer_khz / 1000), (unsigned long)(apic_timer_khz % 1000),
           (unsigned long)(apic_timer_khz * 16 / 1000), (unsigned long)(apic_timer_khz * 16 % 1000));
}

void lapic_timer_periodic(unsigned long period_us)
{
    apic_write(APIC_TDCR, APIC_TDCR_DIV16);
    apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | LOCAL_TIMER_VECTOR);
    apic_write(APIC_TMICT, (uint32_t)(apic_timer_khz * period_us / 1000));
}

void lapic_timer_stop(void)
{
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
    apic_write(APIC_TMICT, 0);
}

/* While the boot self-check runs the timer periodically, its ticks are only counted. */
static bool selftest_running;

void lapic_timer_interrupt(void)
{
    this_pcpu()->timer_ticks++;
    if ( !selftest_running )
        timer_interrupt();
}

/*
 * The software timers' one-shot: interrupt at (or just after) deadline, system time in ns.  With
 * TSC-deadline mode the local APIC fires when the TSC reaches the deadline's TSC value (0 disarms);
 * otherwise the count-down timer is loaded with the distance, at most 10 s at a time (the timer
 * code re-arms an early interrupt), so the count fits in 32 bits.
 */
void arch_timer_program(uint64_t deadline)
{
    uint64_t now, delta, count;

    if ( use_tsc_deadline )
    {
        wrmsr(MSR_TSC_DEADLINE, deadline ? ns_to_tsc_deadline(deadline) : 0);
        return;
    }
    if ( !deadline )
    {
        apic_write(APIC_TMICT, 0);
        return;
    }
    now = now_ns();
    delta = deadline > now ? deadline - now : 0;
    if ( delta > 10000000000ULL )
        delta = 10000000000ULL;
    count = delta * apic_timer_khz / 1000000;
    if ( count == 0 )
        count = 1;
    if ( count > 0xffffffffULL )
        count = 0xffffffffULL;
    apic_write(APIC_TDCR, APIC_TDCR_DIV16);
    apic_write(APIC_LVT_TIMER, LOCAL_TIMER_VECTOR);     /* one-shot, unmasked */
    apic_write(APIC_TMICT, (uint32_t)count);
}

/* After the boot check, on every CPU: the timer's mode for the software timers. */
void lapic_timer_oneshot_setup(void)
{
    use_tsc_deadline = cpu_features.tsc_deadline && opt_tsc_deadline;
    if ( smp_processor_id() == 0 )
        printk("APIC timer: %s mode for the software timers\n",
               use_tsc_deadline ? "TSC-deadline" : "one-shot");
    if ( use_tsc_deadline )
    {
        apic_write(APIC_LVT_TIMER, LOCAL_TIMER_VECTOR | APIC_LVT_TSC_DEADLINE);
        /* The mode switch must reach the APIC before any deadline write (SDM 10.5.4.1). */
        __asm__ __volatile__("mfence" ::: "memory");
        wrmsr(MSR_TSC_DEADLINE, 0);
    }
    else
    {
        apic_write(APIC_TDCR, APIC_TDCR_DIV16);
        apic_write(APIC_LVT_TIMER, LOCAL_TIMER_VECTOR);
        apic_write(APIC_TMICT, 0);
    }
}

void arch_timer_kick(unsigned int cpu)
{
    lapic_send_ipi(pcpus[cpu].apic_id, APIC_DM_FIXED | EVENT_CHECK_VECTOR);
}

/* Wake a vCPU blocked on cpu: any interrupt ends its halt; EVENT_CHECK is the one that does nothing else. */
void arch_kick_cpu(unsigned int cpu)
{
    lapic_send_ipi(pcpus[cpu].apic_id, APIC_DM_FIXED | EVENT_CHECK_VECTOR);
}

/*
 * Check the timer against the TSC, in two parts.  Its rate: count down from
 * 0xffffffff and compare the counts consumed with the TSC over 200 ms (reading
 * both counters at the same moment, so interrupt latency cannot skew it);
 * they must agree within 2%.  Its interrupts: in periodic mode at 100 Hz, 10
 * ticks must arrive, within at most four times their 100 ms (QEMU may run a
 * busy host's vCPUs late, which delays delivery but not the counters).
 * Returns the rate disagreement in parts per ten thousand.
 */
long __init lapic_timer_selftest(void)
{
    const unsigned long period_us = 10000, ticks = 10, window_us = 200000;
    struct pcpu *p = this_pcpu();
    unsigned long start_ticks, flags;
    uint64_t t0, t1, limit, elapsed_us;
    uint32_t c0, c1;
    long err, counted_khz;
    bool irqs_ok;

    /* 1. The rate, from the counter. */
    apic_write(APIC_TDCR, APIC_TDCR_DIV16);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
    apic_write(APIC_TMICT, 0xffffffff);
    c0 = apic_read(APIC_TMCCT);
    t0 = rdtsc_ordered();
    limit = t0 + ns_to_tsc(window_us * 1000);
    while ( rdtsc_ordered() < limit )
        cpu_relax();
    c1 = apic_read(APIC_TMCCT);
    t1 = rdtsc_ordered();
    apic_write(APIC_TMICT, 0);
    elapsed_us = tsc_to_ns(t1 - t0) / 1000;
    counted_khz = (long)((uint64_t)(c0 - c1) * 1000 / elapsed_us);
    err = (counted_khz - (long)apic_timer_khz) * 10000 / (long)apic_timer_khz;

    /* 2. The interrupts. */
    selftest_running = true;
    local_irq_save(flags);
    start_ticks = p->timer_ticks;
    lapic_timer_periodic(period_us);
    local_irq_enable();
    t0 = rdtsc_ordered();
    limit = t0 + ns_to_tsc(period_us * ticks * 1000 * 4);
    while ( p->timer_ticks - start_ticks < ticks && rdtsc_ordered() < limit )
        halt();
    t1 = rdtsc_ordered();
    lapic_timer_stop();
    local_irq_restore(flags);
    selftest_running = false;
    irqs_ok = p->timer_ticks - start_ticks >= ticks;

    printk("APIC timer check: %ld kHz counted over %lu ms of TSC against %lu kHz calibrated (%s%ld.%02ld%%) %s; "
           "%lu of %lu periodic interrupts in %lu ms\n",
           counted_khz, window_us / 1000, (unsigned long)apic_timer_khz, err < 0 ? "-" : "+",
           (err < 0 ? -err : err) / 100, (err < 0 ? -err : err) % 100,
           (err < 200 && err > -200) ? "ok" : "MISMATCH", p->timer_ticks - start_ticks, ticks,
           (unsigned long)(tsc_to_ns(t1 - t0) / 1000000));
    if ( err >= 200 || err <= -200 )
        printk(XENLOG_WARNING "The local APIC timer and the TSC disagree: timekeeping will drift\n");
    if ( !irqs_ok )
        printk(XENLOG_ERR "The local APIC timer's interrupts do not arrive\n");
    return irqs_ok ? err : 10000;
}
