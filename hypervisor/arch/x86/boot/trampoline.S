/*
 * trampoline.S - where application processors start: real mode -> protected mode -> long mode -> C.
 *
 * An AP wakes (STARTUP IPI) in real mode at CS:IP = T>>4:0, T being the
 * page below 1 MiB the boot CPU copied this code to.  The code is position
 * independent: it finds T from CS, patches its own GDT pointer and far-jump
 * targets, turns on protected mode, PAE, long mode (with NX, as the page
 * tables use it) and paging with the hypervisor's page tables (which map
 * this page 1:1), then jumps to start_secondary() on the stack the boot CPU
 * left in tramp_stack.  The boot CPU fills tramp_cr3/stack/entry per AP.
 */
#include <asm/processor.h>

#define OFF(sym)    ((sym) - trampoline_start)

        .section .rodata, "a"
        .balign 16
        .globl  trampoline_start, trampoline_end
        .globl  tramp_cr3, tramp_efer, tramp_stack, tramp_entry

        .code16
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        xor     %ebx, %ebx
        mov     %cs, %bx
        shl     $4, %ebx                        /* ebx = T */

        lea     OFF(tramp_gdt)(%ebx), %eax
        mov     %eax, OFF(tramp_gdtr) + 2
        lea     OFF(pm_entry)(%ebx), %eax
        mov     %eax, OFF(pm_ptr)
        lea     OFF(lm_entry)(%ebx), %eax
        mov     %eax, OFF(lm_ptr)

        lgdtl   OFF(tramp_gdtr)
        mov     %cr0, %eax
        or      $X86_CR0_PE, %eax
        mov     %eax, %cr0
        ljmpl   *OFF(pm_ptr)

        .code32
pm_entry:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %cr4, %eax
        or      $X86_CR4_PAE, %eax
        mov     %eax, %cr4
        mov     OFF(tramp_cr3)(%ebx), %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      OFF(tramp_efer)(%ebx), %eax
        wrmsr
        mov     $(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_MP | X86_CR0_PE), %eax
        mov     %eax, %cr0
        ljmpl   *OFF(lm_ptr)(%ebx)

        .code64
lm_entry:
        mov     %ebx, %ebx                      /* zero-extend T */
        mov     OFF(tramp_stack)(%rbx), %rsp
        mov     OFF(tramp_entry)(%rbx), %rax
        xor     %ebp, %ebp
        jmp     *%rax

        .balign 8
tramp_gdt:
        .quad   0
        .quad   0x00cf9b000000ffff              /* 0x08: 32-bit code */
        .quad   0x00cf93000000ffff              /* 0x10: data */
        .quad   0x00af9b000000ffff              /* 0x18: 64-bit code */
tramp_gdt_end:
        .balign 8
tramp_gdtr:
        .short  tramp_gdt_end - tramp_gdt - 1
        .long   0                               /* patched: T + OFF(tramp_gdt) */
        .balign 8
pm_ptr:
        .long   0                               /* patched: T + OFF(pm_entry) */
        .short  0x08
        .balign 8
lm_ptr:
        .long   0                               /* patched: T + OFF(lm_entry) */
        .short  0x18
        .balign 8
tramp_cr3:      .long 0                         /* idle page tables (below 4 GiB) */
tramp_efer:     .long 0                         /* EFER bits: LME, and NXE if the CPU has NX */
tramp_stack:    .quad 0                         /* initial rsp (virtual) */
tramp_entry:    .quad 0                         /* start_secondary (virtual) */
trampoline_end:
