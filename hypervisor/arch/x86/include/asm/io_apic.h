/* io_apic.h - IO-APIC redirection entries. */
#ifndef ASM_IO_APIC_H
#define ASM_IO_APIC_H

#include <parva/types.h>

struct acpi_madt_info;

void pic_disable(void);
void ioapic_init(const struct acpi_madt_info *madt);
bool ioapic_has_gsi(unsigned int gsi);
/* Deliver gsi as vector to the local APIC dest_apic_id; mode is IRQ_TRIGGER_LEVEL|IRQ_POLARITY_LOW. */
int ioapic_route(unsigned int gsi, uint8_t vector, uint32_t dest_apic_id, unsigned int mode);
void ioapic_mask(unsigned int gsi, bool masked);
/* Read register reg of the IO-APIC at physbase (PHYSDEVOP_apic_read); -EINVAL if there is none. */
int ioapic_guest_read(unsigned long physbase, unsigned int reg, uint32_t *val);

#endif /* ASM_IO_APIC_H */
