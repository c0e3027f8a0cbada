/*
 * irq.h - interrupt vectors and the routing of device interrupts (GSIs).
 *
 * Vector map: 0x00-0x1f exceptions; 0x30-0xdf device interrupts, given out
 * by the routing table; 0xf0-0xff the local APIC's own sources and IPIs.
 */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include <parva/types.h>

#define FIRST_DYNAMIC_VECTOR    0x30
#define LAST_DYNAMIC_VECTOR     0xdf
#define LOCAL_TIMER_VECTOR      0xf0
#define CALL_FUNCTION_VECTOR    0xfb
#define EVENT_CHECK_VECTOR      0xfc
#define ERROR_APIC_VECTOR       0xfe
#define SPURIOUS_APIC_VECTOR    0xff

#define NR_GSIS                 256

typedef void (*irq_handler_t)(unsigned int gsi, void *data);

/* Trigger/polarity of a GSI, from ACPI interrupt source overrides or bus defaults. */
#define IRQ_TRIGGER_LEVEL       0x1
#define IRQ_POLARITY_LOW        0x2

/* Route a GSI to a fresh vector on the boot CPU and call handler on each interrupt. */
int request_gsi(unsigned int gsi, unsigned int mode, irq_handler_t handler, void *data, const char *name);
/* The same for a legacy ISA IRQ, through the ACPI overrides (e.g. ISA 0 -> GSI 2). */
int request_isa_irq(unsigned int isa_irq, irq_handler_t handler, void *data, const char *name);
/* Print the routing table (boot log, debug key 'i'). */
void irq_dump_routing(void);
/* ISA IRQ -> GSI and mode, with overrides applied; for reporting and tests. */
unsigned int isa_irq_to_gsi(unsigned int isa_irq, unsigned int *mode);

struct acpi_madt_info;
/* Record the MADT interrupt source overrides (before any request_isa_irq). */
void irq_init_overrides(const struct acpi_madt_info *madt);

#endif /* ASM_IRQ_H */
