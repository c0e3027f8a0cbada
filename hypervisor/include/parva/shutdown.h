/* shutdown.h - stopping the machine: power-off, reboot, halt, and what happens after a panic. */
#ifndef PARVA_SHUTDOWN_H
#define PARVA_SHUTDOWN_H

#include <parva/compiler.h>
#include <parva/types.h>

extern bool opt_noreboot;

/* Power off; falls back to halting if the firmware offers no way.  Never returns. */
__noreturn void machine_power_off(void);
/* Reboot after delay_ms milliseconds.  Never returns. */
__noreturn void machine_restart(unsigned int delay_ms);
/* Stop all CPUs with interrupts off.  Never returns. */
__noreturn void machine_halt(void);
/* After a panic: reboot in five seconds, or halt with noreboot. */
__noreturn void machine_panic_stop(void);

/* dom0 shut down (SHUTDOWN_* reason): power off, reboot, or on a crash reboot/halt as noreboot says. */
__noreturn void hwdom_shutdown(unsigned int reason);

/* Arch hooks (arch/x86/shutdown.c). */
__noreturn void arch_power_off(void);
__noreturn void arch_restart(void);
/* Stop every other CPU (NMI or IPI); safe from any context. */
void smp_send_stop(void);
void mdelay(unsigned int ms);

#endif /* PARVA_SHUTDOWN_H */
