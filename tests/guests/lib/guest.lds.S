/*
 * guest.lds.S - linker script of the test kernels (run through cpp once per link shape).
 *
 * Design: one RWX PT_LOAD segment (a PV kernel's bootstrap mapping is read-write anyway) plus a PT_NOTE
 * segment for the Xen notes. The default shape is linked at virtual address 0 with paddr == vaddr; the
 * Linux shape (GUEST_SHAPE_LINUX) is linked at 0xffffffff80000000 with paddr = vaddr - VIRT_BASE, like
 * Linux's vmlinux. The .user.* sections hold what guest user mode may touch; they are page aligned so
 * that exec_user() can give exactly those pages _PAGE_USER.
 */
#ifdef GUEST_SHAPE_LINUX
#define VIRT_BASE 0xffffffff80000000
#else
#define VIRT_BASE 0
#endif

OUTPUT_FORMAT("elf64-x86-64", "elf64-x86-64", "elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
#ifdef GUEST_SHAPE_LINUX
ENTRY(_start_phys)
#else
ENTRY(_start)
#endif

PHDRS
{
    text PT_LOAD FLAGS(7);
    note PT_NOTE FLAGS(4);
}

SECTIONS
{
    . = VIRT_BASE;
    _text = .;
    .text : AT(ADDR(.text) - VIRT_BASE)
    {
        *(.text.head)
        *(.text .text.*)
    } :text

    . = ALIGN(4096);
    __user_start = .;
    .user.text : AT(ADDR(.user.text) - VIRT_BASE) { *(.user.text) } :text
    . = ALIGN(4096);
    .user.data : AT(ADDR(.user.data) - VIRT_BASE) { *(.user.data) } :text
    . = ALIGN(4096);
    .user.bss : AT(ADDR(.user.bss) - VIRT_BASE) { *(.user.bss) } :text
    . = ALIGN(4096);
    __user_end = .;

    .rodata : AT(ADDR(.rodata) - VIRT_BASE) { *(.rodata .rodata.*) } :text

    . = ALIGN(8);
    .ex_table : AT(ADDR(.ex_table) - VIRT_BASE)
    {
        __start_ex_table = .;
        *(.ex_table)
        __stop_ex_table = .;
    } :text

    .note.Xen : AT(ADDR(.note.Xen) - VIRT_BASE) { *(.note.Xen) } :text :note

    . = ALIGN(4096);
    .data : AT(ADDR(.data) - VIRT_BASE) { *(.data .data.*) } :text

    . = ALIGN(4096);
    __bss_start = .;
    .bss : AT(ADDR(.bss) - VIRT_BASE)
    {
        *(.bss.page_aligned)
        *(.bss.stack)
        *(.bss .bss.* COMMON)
        . = ALIGN(4096);
    } :text
    __bss_end = .;
    _end = .;

    /DISCARD/ : { *(.comment) *(.eh_frame) *(.note.gnu.property) *(.note.GNU-stack) }
}

#ifdef GUEST_SHAPE_LINUX
_start_phys = _start - VIRT_BASE;
#endif
