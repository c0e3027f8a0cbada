/*
 * parva.lds.S - linker script: the hypervisor runs at HV_VIRT_START + its load address.
 *
 * GRUB loads each segment at its physical address (p_paddr, the AT() below)
 * and enters at the physical address of `start` in 32-bit protected mode.
 * Three segments give the page-granular protections the hypervisor maps
 * itself with: text (read+execute), rodata (read), data and bss (read+write).
 */
#include <asm/config.h>

#undef i386
OUTPUT_FORMAT("elf64-x86-64", "elf64-x86-64", "elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start_phys)

PHDRS
{
    text PT_LOAD FLAGS(5);
    rodata PT_LOAD FLAGS(4);
    data PT_LOAD FLAGS(6);
}

#define PHYS(sec) AT(ADDR(sec) - HV_VIRT_START)

SECTIONS
{
    . = HV_VIRT_START + HV_LOAD_PADDR;
    _start = .;

    .text : PHYS(.text)
    {
        _stext = .;
        KEEP(*(.multiboot2))        /* must lie in the first 32 KiB of the file */
        *(.text.head)
        *(.text .text.*)
        *(.init.text)
        _etext = .;
    } :text

    . = ALIGN(4096);
    .rodata : PHYS(.rodata)
    {
        _srodata = .;
        *(.rodata .rodata.* .init.rodata)
        . = ALIGN(32);              /* param.h: 32-byte descriptors */
        __start_param_table = .;
        KEEP(*(param_table))
        __stop_param_table = .;
        . = ALIGN(8);
        __start_ex_table = .;
        KEEP(*(.ex_table))
        __stop_ex_table = .;
        . = ALIGN(8);
        __start_smap_stac_sites = .;
        KEEP(*(.smap_stac_sites))
        __stop_smap_stac_sites = .;
        __start_smap_clac_sites = .;
        KEEP(*(.smap_clac_sites))
        __stop_smap_clac_sites = .;
        . = ALIGN(4);
        __note_build_id_start = .;
        KEEP(*(.note.gnu.build-id))
        __note_build_id_end = .;
        . = ALIGN(8);
        KEEP(*(.hvsymbols))    /* last: its size may change between link passes */
        _erodata = .;
    } :rodata

    . = ALIGN(4096);
    .data : PHYS(.data)
    {
        _sdata = .;
        *(.data.page_aligned)
        *(.data .data.* .init.data)
        _edata = .;
    } :data

    . = ALIGN(4096);
    .bss : PHYS(.bss)
    {
        __bss_start = .;
        *(.bss.stack_aligned)
        *(.bss.page_aligned)
        *(.bss .bss.* COMMON)
        . = ALIGN(4096);
        __bss_end = .;
    } :data

    _end = .;
    start_phys = start - HV_VIRT_START;

    /DISCARD/ :
    {
        *(.eh_frame) *(.eh_frame_hdr) *(.note) *(.note.*) *(.comment) *(.interp)
        *(.dynamic) *(.dynsym) *(.dynstr) *(.hash) *(.gnu.hash) *(.rela.*)
    }
}

ASSERT(_end - HV_VIRT_START <= 0x40000000, "hypervisor image exceeds its 1 GiB window")
ASSERT(start_phys < 0x100000000, "entry point must be below 4 GiB for GRUB")
