# test_irq_override.mk - ISA IRQ to GSI mapping with MADT interrupt source overrides.
test_irq_override_SRCS := hypervisor/common/acpi_madt.c
