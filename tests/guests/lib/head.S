/*
 * head.S - the Xen ELF notes of a test kernel and its entry point: record the registers, switch to our
 * own stack, clear .bss and call guest_start(start_info).
 *
 * Design: the notes depend on the build variant (set by guests.mk per test):
 *   default              linked at virtual address 0; no VIRT_BASE and no ENTRY note (the loader uses
 *                        e_entry);
 *   GUEST_SHAPE_LINUX    linked like Linux: VIRT_BASE 0xffffffff80000000, PADDR_OFFSET 0, an ENTRY note,
 *                        the p2m list at INIT_P2M 0x8000000000, PAE_MODE "yes", and e_entry set to the
 *                        *physical* address of _start (a loader that wrongly uses e_entry jumps to an
 *                        unmapped address);
 *   GUEST_HYPERCALL_PAGE a HYPERCALL_PAGE note naming hypercall_page;
 *   GUEST_MOD_START_PFN  a MOD_START_PFN note (the initrd may be left unmapped and passed as a PFN).
 */
#include <xen/elfnote.h>
#include <xen/features.h>
#include "asm-defs.h"

#define ELFNOTE(type, desc...)                          \
    .pushsection .note.Xen, "a", @note;                 \
    .balign 4;                                          \
    .long 2f - 1f;                                      \
    .long 4f - 3f;                                      \
    .long type;                                         \
1:  .asciz "Xen";                                       \
2:  .balign 4;                                          \
3:  desc;                                               \
4:  .balign 4;                                          \
    .popsection

    ELFNOTE(XEN_ELFNOTE_GUEST_OS,       .asciz "Parva-test")
    ELFNOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz "1")
    ELFNOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0")
    ELFNOTE(XEN_ELFNOTE_LOADER,         .asciz "generic")
    ELFNOTE(XEN_ELFNOTE_FEATURES,       .asciz "!writable_page_tables|pae_pgdir_above_4gb")
    ELFNOTE(XEN_ELFNOTE_SUPPORTED_FEATURES,
            .long (1 << XENFEAT_writable_page_tables) | (1 << XENFEAT_dom0))
#ifdef GUEST_SHAPE_LINUX
    /* Like Linux; on 64-bit it only makes Xen append "p" to start_info.magic. */
    ELFNOTE(XEN_ELFNOTE_PAE_MODE,       .asciz "yes")
    ELFNOTE(XEN_ELFNOTE_VIRT_BASE,      .quad 0xffffffff80000000)
    ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET,   .quad 0)
    ELFNOTE(XEN_ELFNOTE_ENTRY,          .quad _start)
    ELFNOTE(XEN_ELFNOTE_INIT_P2M,       .quad 0x8000000000)
#endif
#ifdef GUEST_HYPERCALL_PAGE
    ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
#endif
#ifdef GUEST_MOD_START_PFN
    ELFNOTE(XEN_ELFNOTE_MOD_START_PFN,  .long 1)
#endif

    .section .text.head, "ax", @progbits
    .code64
    .globl _start
_start:
    /* Record every register before touching any (the layout test checks them). */
    mov %rax, boot_regs + BOOT_rax(%rip)
    mov %rbx, boot_regs + BOOT_rbx(%rip)
    mov %rcx, boot_regs + BOOT_rcx(%rip)
    mov %rdx, boot_regs + BOOT_rdx(%rip)
    mov %rsi, boot_regs + BOOT_rsi(%rip)
    mov %rdi, boot_regs + BOOT_rdi(%rip)
    mov %rbp, boot_regs + BOOT_rbp(%rip)
    mov %rsp, boot_regs + BOOT_rsp(%rip)
    mov %r8,  boot_regs + BOOT_r8(%rip)
    mov %r9,  boot_regs + BOOT_r9(%rip)
    mov %r10, boot_regs + BOOT_r10(%rip)
    mov %r11, boot_regs + BOOT_r11(%rip)
    mov %r12, boot_regs + BOOT_r12(%rip)
    mov %r13, boot_regs + BOOT_r13(%rip)
    mov %r14, boot_regs + BOOT_r14(%rip)
    mov %r15, boot_regs + BOOT_r15(%rip)
    /* pushf uses the hypervisor's boot stack, which is ours to use. */
    pushfq
    popq boot_regs + BOOT_rflags(%rip)
    xor %eax, %eax
    mov %cs, %ax
    mov %rax, boot_regs + BOOT_cs(%rip)
    mov %ss, %ax
    mov %rax, boot_regs + BOOT_ss(%rip)
    mov %ds, %ax
    mov %rax, boot_regs + BOOT_ds(%rip)
    mov %es, %ax
    mov %rax, boot_regs + BOOT_es(%rip)
    mov %fs, %ax
    mov %rax, boot_regs + BOOT_fs(%rip)
    mov %gs, %ax
    mov %rax, boot_regs + BOOT_gs(%rip)

    cld
    lea boot_stack_top(%rip), %rsp

    /* Clear .bss (the loader should have done it; do not rely on that). */
    lea __bss_start(%rip), %rdi
    lea __bss_end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb

    mov boot_regs + BOOT_rsi(%rip), %rdi
    call guest_start
    ud2

#ifdef GUEST_HYPERCALL_PAGE
    /* Filled in by the domain builder: 128 stubs of 32 bytes. Pre-filled with a marker byte. */
    .section .text.hypercall_page, "ax", @progbits
    .balign PAGE_SIZE
    .globl hypercall_page
hypercall_page:
    .fill PAGE_SIZE, 1, 0xa5
#endif

    .section .data, "aw", @progbits
    .balign 8
    .globl boot_regs
boot_regs:
    .fill BOOT_SIZE, 1, 0

    .section .bss.stack, "aw", @nobits
    .balign PAGE_SIZE
    .globl boot_stack, boot_stack_top
boot_stack:
    .skip 4 * PAGE_SIZE
boot_stack_top:
