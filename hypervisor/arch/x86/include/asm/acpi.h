/* acpi.h (x86) - the parsed ACPI tables and access to ACPI registers. */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <parva/acpi.h>

extern struct acpi_info acpi_info;

int acpi_gas_read(const struct acpi_gas *g, uint32_t *val);
int acpi_gas_write(const struct acpi_gas *g, uint32_t val);

#endif /* ASM_ACPI_H */
