/* panic.c - fatal hypervisor errors: panic() and failed BUG_ON/ASSERT checks. */
#include <parva/console.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/shutdown.h>
#include <asm/current.h>
#include <asm/system.h>

static int panicking = -1;      /* CPU that is panicking, -1 for none */

__noreturn void panic(const char *fmt, ...)
{
    char buf[256];
    va_list args;
    int me = smp_processor_id(), none = -1;

    local_irq_disable();
    /* Only one CPU reports; any other one that panics at the same time just stops. */
    if ( !__atomic_compare_exchange_n(&panicking, &none, me, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) &&
         panicking != me )
        for ( ; ; )
            halt();

    console_force_unlock();
    va_start(args, fmt);
    vscnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);

    printk(XENLOG_ERR "****************************************\n");
    printk(XENLOG_ERR "Panic on CPU %d:\n", me);
    printk(XENLOG_ERR "%s", buf);
    if ( buf[0] && buf[strlen(buf) - 1] != '\n' )
        printk(XENLOG_ERR "\n");
    printk(XENLOG_ERR "****************************************\n");
    machine_panic_stop();
}

__noreturn void bug_fail(const char *cond, const char *file, int line)
{
    console_force_unlock();
    printk(XENLOG_ERR "Hypervisor BUG at %s:%d\n", file, line);
    dump_execution_state();
    panic("Assertion '%s' failed at %s:%d\n", cond, file, line);
}
