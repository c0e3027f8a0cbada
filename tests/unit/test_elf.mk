# test_elf.mk - ELF64 parsing, note walking and segment loading.
test_elf_SRCS := hypervisor/common/elf.c
