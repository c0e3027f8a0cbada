/*
 * smp.c - calls across CPUs: run a function on other CPUs (IPI), and stopping all CPUs (NMI).
 *
 * Design: one call is in flight at a time (call_lock).  The caller fills
 * call_data, sends CALL_FUNCTION_VECTOR to the targets and spins until each
 * has started (and, with wait, finished) the function.  Stopping uses NMIs,
 * which get through even to a CPU spinning with interrupts off.
 *
 * Each target also gets a per-CPU "call pending" flag, set before its IPI
 * and cleared by whoever runs the call for it: the IPI handler, or the CPU
 * itself while it waits for call_lock with interrupts off (a TLB flush from
 * an emulated CR3 write, a debug key).  Such a CPU cannot take the IPI, and
 * the lock holder may be waiting for exactly that answer, so it polls its
 * flag while it spins: no call is ever skipped and none deadlocks.
 *
 * Locking: call_lock serialises cross-CPU calls.  Callers must not hold
 * spinlocks that the called function takes.
 */
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/shutdown.h>
#include <parva/spinlock.h>
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/irq.h>
#include <asm/smp.h>
#include <asm/system.h>
#include <asm/traps.h>

static DEFINE_SPINLOCK(call_lock);
static struct {
    void (*fn)(void *info);
    void *info;
    bool wait;
    volatile unsigned int started, finished;
} call_data;

static volatile bool stopping;
static bool call_pending[NR_CPUS];

static void run_call(void)
{
    void (*fn)(void *) = call_data.fn;
    void *info = call_data.info;
    bool wait = call_data.wait;

    this_pcpu()->ipis_received++;
    if ( !wait )
        __atomic_add_fetch(&call_data.started, 1, __ATOMIC_SEQ_CST);
    fn(info);
    if ( wait )
    {
        __atomic_add_fetch(&call_data.started, 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&call_data.finished, 1, __ATOMIC_SEQ_CST);
    }
}

/* CALL_FUNCTION_VECTOR: run the call meant for this CPU, unless it already ran it while spinning. */
void smp_call_function_interrupt(void)
{
    if ( __atomic_exchange_n(&call_pending[smp_processor_id()], false, __ATOMIC_ACQ_REL) )
        run_call();
}

static void call_on(const unsigned int *cpus, unsigned int n, void (*fn)(void *), void *info, bool wait)
{
    unsigned int i;

    if ( !n )
        return;
    if ( !local_irq_is_enabled() )
    {
        unsigned int me = smp_processor_id();

        while ( !spin_trylock(&call_lock) )
        {
            if ( __atomic_exchange_n(&call_pending[me], false, __ATOMIC_ACQ_REL) )
                run_call();
            cpu_relax();
        }
    }
    else
        spin_lock(&call_lock);
    call_data.fn = fn;
    call_data.info = info;
    call_data.wait = wait;
    call_data.started = call_data.finished = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for ( i = 0; i < n; i++ )
    {
        __atomic_store_n(&call_pending[cpus[i]], true, __ATOMIC_RELEASE);
        lapic_send_ipi(pcpus[cpus[i]].apic_id, APIC_DM_FIXED | CALL_FUNCTION_VECTOR);
    }
    while ( call_data.started < n )
        cpu_relax();
    if ( wait )
        while ( call_data.finished < n )
            cpu_relax();
    spin_unlock(&call_lock);
}

void smp_call_function(void (*fn)(void *info), void *info, bool wait)
{
    unsigned int cpus[NR_CPUS], n = 0, c, me = smp_processor_id();

    for_each_online_cpu ( c )
        if ( c != me )
            cpus[n++] = c;
    call_on(cpus, n, fn, info, wait);
}

int smp_call_function_single(unsigned int cpu, void (*fn)(void *info), void *info, bool wait)
{
    unsigned long flags;

    if ( cpu >= nr_cpus_possible || !pcpus[cpu].online )
        return -EINVAL;
    if ( cpu == smp_processor_id() )
    {
        local_irq_save(flags);
        fn(info);
        local_irq_restore(flags);
        return 0;
    }
    call_on(&cpu, 1, fn, info, wait);
    return 0;
}

void smp_send_stop(void)
{
    unsigned int c, me = smp_processor_id();

    stopping = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for_each_online_cpu ( c )
        if ( c != me )
            lapic_send_ipi(pcpus[c].apic_id, APIC_DM_NMI_IPI);
    mdelay(10);
}

void do_nmi(struct cpu_user_regs *regs)
{
    if ( stopping )
    {
        this_pcpu()->online = false;
        for ( ; ; )
            halt();             /* NMIs stay blocked: we never iret */
    }
    /* No printk here: the interrupted code may hold the console lock. */
    this_pcpu()->nmis_unknown++;
}
