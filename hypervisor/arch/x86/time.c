/*
 * time.c - the TSC as the hypervisor's clock: calibration against the HPET or PIT, and conversions.
 *
 * Design: the TSC rate is measured once, on the boot CPU, against the HPET
 * main counter when ACPI lists one (its period is exact, in femtoseconds),
 * else against PIT channel 2 (1.193182 MHz).  System time in nanoseconds
 * is (tsc - boot_tsc) scaled by a 32.32 fixed-point multiplier.  All CPUs
 * are assumed to share one TSC rate (invariant TSC; QEMU's is).
 */
#include <parva/acpi.h>
#include <parva/console.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/public.h>
#include <parva/shutdown.h>
#include <parva/timer.h>
#include <asm/paging.h>
#include <asm/current.h>
#include <asm/processor.h>
#include <asm/rtc.h>
#include <asm/system.h>
#include <asm/time.h>
#include <asm/iomem.h>

#define PIT_HZ              1193182UL
#define CALIBRATE_MS        50

#define HPET_CAPS           0x000
#define HPET_CONFIG         0x010
#define HPET_COUNTER        0x0f0
#define HPET_CFG_ENABLE     0x1

uint64_t tsc_khz;
static uint64_t boot_tsc;
static uint64_t ns_mul;             /* ns = (delta * ns_mul) >> 32 */
static bool calibrated;
static uint64_t wallclock_at_zero;  /* ns since 1970 at system time 0 */
static volatile uint8_t *hpet_base;
static uint64_t hpet_period_fs;

uint64_t tsc_to_ns(uint64_t delta)
{
    return (uint64_t)(((unsigned __int128)delta * ns_mul) >> 32);
}

uint64_t ns_to_tsc(uint64_t ns)
{
    return ns / 1000000 * tsc_khz + ns % 1000000 * tsc_khz / 1000000;
}

/* The TSC value at which now_ns() first reaches ns (what a TSC-deadline timer is armed with). */
uint64_t ns_to_tsc_deadline(uint64_t ns)
{
    uint64_t delta = ns_to_tsc(ns);

    /* tsc_to_ns() rounds down: step up until it agrees, so the interrupt never comes early. */
    while ( tsc_to_ns(delta) < ns )
        delta += tsc_khz / 1000000 + 1;
    return boot_tsc + delta;
}

uint64_t now_ns(void)
{
    return calibrated ? tsc_to_ns(rdtsc_ordered() - boot_tsc) : 0;
}

uint64_t console_clock_ns(void)
{
    return now_ns();
}

void udelay(unsigned long us)
{
    uint64_t start = rdtsc_ordered(), ticks;

    /* Before calibration, assume a fast (4 GHz) TSC: delays can only be longer than asked. */
    ticks = (calibrated ? tsc_khz : 4000000) * us / 1000;
    while ( rdtsc_ordered() - start < ticks )
        cpu_relax();
}

void mdelay(unsigned int ms)
{
    while ( ms-- )
        udelay(1000);
}

/* TSC ticks during CALIBRATE_MS of the HPET main counter. */
static uint64_t calibrate_hpet(const struct acpi_info *ai)
{
    uint64_t caps, target, t0, t1, c0;

    iomem_reserve_read_only(ai->hpet.address, 0x400);     /* the hypervisor's clock: guests may only read it */
    hpet_base = ioremap(ai->hpet.address, 0x400, PAGE_HV_UC);
    if ( !hpet_base )
        return 0;
    caps = mmio_read64(hpet_base + HPET_CAPS);
    hpet_period_fs = caps >> 32;
    if ( hpet_period_fs == 0 || hpet_period_fs > 100000000 )   /* spec: at most 100 ns */
        return 0;
    mmio_write64(hpet_base + HPET_CONFIG, mmio_read64(hpet_base + HPET_CONFIG) | HPET_CFG_ENABLE);
    target = (uint64_t)CALIBRATE_MS * 1000000000000ULL / hpet_period_fs;
    c0 = mmio_read64(hpet_base + HPET_COUNTER);
    t0 = rdtsc_ordered();
    while ( mmio_read64(hpet_base + HPET_COUNTER) - c0 < target )
    {
        /* A stopped HPET must not hang the boot: give up after ~50x the time (at <= 10 GHz). */
        if ( rdtsc_ordered() - t0 > 10ULL * 1000000 * CALIBRATE_MS * 50 )
            return 0;
        cpu_relax();
    }
    t1 = rdtsc_ordered();
    printk("Platform timer is %lu.%03luMHz HPET\n",
           (unsigned long)(1000000000ULL / hpet_period_fs),
           (unsigned long)(1000000000000ULL / hpet_period_fs % 1000));
    return t1 - t0;
}

/* TSC ticks during CALIBRATE_MS of PIT channel 2 counting down in mode 0. */
static uint64_t calibrate_pit(void)
{
    unsigned long count = PIT_HZ * CALIBRATE_MS / 1000;
    uint64_t t0, t1;
    unsigned long spins = 0;

    outb((inb(0x61) & ~0x02) | 0x01, 0x61);     /* gate on, speaker off */
    outb(0xb0, 0x43);                           /* channel 2, lobyte/hibyte, mode 0, binary */
    outb(count & 0xff, 0x42);
    outb(count >> 8, 0x42);
    t0 = rdtsc_ordered();
    while ( !(inb(0x61) & 0x20) && ++spins < 100000000UL )
        cpu_relax();
    t1 = rdtsc_ordered();
    if ( !(inb(0x61) & 0x20) )
        return 0;
    printk("Platform timer is PIT (%lu Hz)\n", PIT_HZ);
    return t1 - t0;
}

void __init time_init(const struct acpi_info *ai)
{
    uint64_t ticks = 0;

    if ( ai->hpet.valid )
        ticks = calibrate_hpet(ai);
    if ( !ticks )
        ticks = calibrate_pit();
    if ( !ticks )
        panic("cannot calibrate the TSC: no working HPET or PIT\n");
    tsc_khz = ticks / CALIBRATE_MS;
    ns_mul = (1000000ULL << 32) / tsc_khz;
    boot_tsc = rdtsc_ordered() - ns_to_tsc(1);
    calibrated = true;
    printk("Detected %lu.%03lu MHz processor.\n", (unsigned long)(tsc_khz / 1000),
           (unsigned long)(tsc_khz % 1000));
    wallclock_at_zero = rtc_seconds_since_epoch() * 1000000000ULL - now_ns();
    printk(XENLOG_INFO "Wall clock: %lu s since 1970 (CMOS RTC)\n",
           (unsigned long)((wallclock_at_zero + now_ns()) / 1000000000ULL));
}

/* The wall clock at system time 0 into a domain's shared_info (Xen's version protocol: odd = changing). */
void time_set_wallclock(struct shared_info *s)
{
    uint64_t sec = wallclock_at_zero / 1000000000ULL;

    s->wc_version++;
    if ( !(s->wc_version & 1) )
        s->wc_version++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    s->wc_nsec = (uint32_t)(wallclock_at_zero % 1000000000ULL);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    s->wc_version++;
}

/*
 * The pvclock scale of the TSC (Xen's set_time_scale): ns = ((tsc << shift) * mul) >> 32, shifting
 * right for a negative shift, with mul in [2^31, 2^32) for the best precision.
 */
void tsc_pvclock_scale(int8_t *shift, uint32_t *mul)
{
    uint64_t tps64 = tsc_khz * 1000;
    uint32_t tps32;
    int s = 0;

    while ( tps64 > 2000000000ULL )
    {
        tps64 >>= 1;
        s--;
    }
    tps32 = (uint32_t)tps64;
    while ( tps32 <= 1000000000U )
    {
        tps32 <<= 1;
        s++;
    }
    *shift = s;
    *mul = (uint32_t)((1000000000ULL << 32) / tps32);
}

uint64_t timer_now(void)
{
    return now_ns();
}

unsigned int timer_this_cpu(void)
{
    return smp_processor_id();
}
