# test_elf_xen.mk - Xen ELF notes: parsing, loadability checks, the kernel layout.
test_elf_xen_SRCS := hypervisor/common/elf.c hypervisor/common/elf_xen.c
