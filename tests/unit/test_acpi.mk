# test_acpi.mk - ACPI table discovery and parsing (RSDP, RSDT/XSDT, FADT, MADT, HPET, \_S5_).
test_acpi_SRCS := hypervisor/common/acpi_tables.c hypervisor/common/acpi_rsdp.c \
                  hypervisor/common/acpi_madt.c hypervisor/common/acpi_fadt.c \
                  hypervisor/common/acpi_hpet.c hypervisor/common/acpi_aml_s5.c
