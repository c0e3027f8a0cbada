/* shutdown.c - machine power-off, reboot and halt, the noreboot option, and stopping after a panic. */
#include <parva/console.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <parva/public.h>
#include <parva/shutdown.h>
#include <xen/sched.h>
#include <asm/system.h>

/* noreboot: after a panic or a dom0 crash keep the machine halted so its console can be read */
bool opt_noreboot;
boolean_param("noreboot", opt_noreboot);

__noreturn void machine_halt(void)
{
    local_irq_disable();
    smp_send_stop();
    for ( ; ; )
        halt();
}

__noreturn void machine_power_off(void)
{
    local_irq_disable();
    smp_send_stop();
    printk("Powering off.\n");
    arch_power_off();
}

__noreturn void machine_restart(unsigned int delay_ms)
{
    local_irq_disable();
    smp_send_stop();
    if ( delay_ms )
        mdelay(delay_ms);
    printk("Rebooting.\n");
    arch_restart();
}

__noreturn void machine_panic_stop(void)
{
    if ( opt_noreboot )
    {
        printk("Manual reset required ('noreboot' specified)\n");
        machine_halt();
    }
    printk("Reboot in five seconds...\n");
    machine_restart(5000);
}

__noreturn void hwdom_shutdown(unsigned int reason)
{
    switch ( reason )
    {
    case SHUTDOWN_poweroff:
        printk("Hardware Dom0 halted: powering off\n");
        machine_power_off();
    case SHUTDOWN_reboot:
        printk("Hardware Dom0 shutdown: rebooting machine\n");
        machine_restart(0);
    case SHUTDOWN_crash:
    default:
        if ( opt_noreboot )
        {
            printk("Hardware Dom0 crashed: 'noreboot' set - not rebooting.\n");
            machine_halt();
        }
        printk("Hardware Dom0 crashed: rebooting machine in 5 seconds.\n");
        machine_restart(5000);
    }
}
