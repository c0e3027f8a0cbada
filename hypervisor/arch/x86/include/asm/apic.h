/* apic.h - the local APIC: identity, EOI, IPIs and the timer. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <parva/types.h>

/* ICR delivery modes and shorthands */
#define APIC_DM_FIXED       (0U << 8)
#define APIC_DM_NMI_IPI     (4U << 8)
#define APIC_DM_INIT        (5U << 8)
#define APIC_DM_STARTUP     (6U << 8)
#define APIC_INT_ASSERT     (1U << 14)
#define APIC_INT_LEVELTRIG  (1U << 15)

extern bool x2apic_mode;

void lapic_init_bsp(paddr_t mmio_base);
void lapic_setup_cpu(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t icr);
void lapic_error_interrupt(void);

void lapic_timer_calibrate(void);
void lapic_timer_periodic(unsigned long period_us);
void lapic_timer_stop(void);
void lapic_timer_interrupt(void);
/* Returns the disagreement between the APIC timer and the TSC, in 1/10000. */
long lapic_timer_selftest(void);
/* Put this CPU's timer in the mode the software timers use (TSC-deadline when present). */
void lapic_timer_oneshot_setup(void);

#endif /* ASM_APIC_H */
