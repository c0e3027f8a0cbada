/*
 * entry_macros.h - assembly macros that save and restore a struct cpu_user_regs on the stack
 * (Xen's public layout: r15 at the lowest address, then up to the hardware frame).
 */
#ifndef ASM_ENTRY_MACROS_H
#define ASM_ENTRY_MACROS_H

#ifdef __ASSEMBLY__

#define UREGS_rax       80                      /* offsets in struct cpu_user_regs, checked in traps.c */
#define UREGS_error_code 120
#define UREGS_entry_vector 124
#define UREGS_rip       128
#define UREGS_cs        136
#define UREGS_rflags    144
#define UREGS_rsp       152
#define UREGS_ss        160
#define UREGS_es        168

.macro SAVE_ALL
        cld
        pushq   %rdi
        pushq   %rsi
        pushq   %rdx
        pushq   %rcx
        pushq   %rax
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %rbx
        pushq   %rbp
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
.endm

.macro RESTORE_ALL
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbp
        popq    %rbx
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rax
        popq    %rcx
        popq    %rdx
        popq    %rsi
        popq    %rdi
        addq    $8, %rsp                        /* error code / entry vector */
.endm

#endif /* __ASSEMBLY__ */

#endif /* ASM_ENTRY_MACROS_H */
