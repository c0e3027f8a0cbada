/*
 * entry.S - exception, syscall, event and failsafe entry stubs, the return path through HYPERVISOR_iret,
 * and the switch to guest user mode for exec_user().
 *
 * Design: Xen's bounce frame is, from low to high addresses, { RCX, R11, [error code,] RIP, CS, RFLAGS,
 * RSP, SS }. Each stub pops RCX and R11 back into their registers, pushes a dummy error code where
 * the CPU has none and the vector, then common code saves the other registers as a struct cpu_regs
 * (traps.h) and calls trap_dispatch(). The return restores everything and leaves { RIP, CS, RFLAGS,
 * RSP, SS } on the stack, then pushes flags = 0, RCX, R11, RAX and makes the iret hypercall (directly
 * with `syscall`, or through stub 23 of the hypercall page).
 */
#include <xen/xen.h>
#include "asm-defs.h"

/* HYPERVISOR_iret with { RIP, CS, RFLAGS, RSP, SS } on top of the stack; does not return. */
.macro HYPERCALL_IRET
    pushq $0                    /* flags: not VGCF_in_syscall, so RCX and R11 come from the frame */
#ifdef GUEST_HYPERCALL_PAGE
    jmp hypercall_page + __HYPERVISOR_iret * 32
#else
    push %rcx
    push %r11
    push %rax
    mov $__HYPERVISOR_iret, %eax
    syscall
    ud2
#endif
.endm

    .text

.macro ENTRY_NOEC vec
    .balign 16
entry_\vec:
    pop %rcx
    pop %r11
    pushq $0
    pushq $\vec
    jmp handle_entry
.endm

.macro ENTRY_EC vec
    .balign 16
entry_\vec:
    pop %rcx
    pop %r11
    pushq $\vec
    jmp handle_entry
.endm

    ENTRY_NOEC 0
    ENTRY_NOEC 1
    ENTRY_NOEC 2
    ENTRY_NOEC 3
    ENTRY_NOEC 4
    ENTRY_NOEC 5
    ENTRY_NOEC 6
    ENTRY_NOEC 7
    ENTRY_EC   8
    ENTRY_NOEC 9
    ENTRY_EC   10
    ENTRY_EC   11
    ENTRY_EC   12
    ENTRY_EC   13
    ENTRY_EC   14
    ENTRY_NOEC 15
    ENTRY_NOEC 16
    ENTRY_EC   17
    ENTRY_NOEC 18
    ENTRY_NOEC 19
    ENTRY_NOEC 20
    ENTRY_EC   21
    ENTRY_NOEC 22
    ENTRY_NOEC 23
    ENTRY_NOEC 24
    ENTRY_NOEC 25
    ENTRY_NOEC 26
    ENTRY_NOEC 27
    ENTRY_NOEC 28
    ENTRY_EC   29
    ENTRY_EC   30
    ENTRY_NOEC 31

    /* Syscall from guest user mode: the frame has no error code; CS/SS are Xen's flat user ones. */
    .balign 16
    .globl entry_syscall
entry_syscall:
    pop %rcx
    pop %r11
    pushq $0
    pushq $VEC_SYSCALL
    jmp handle_entry

    /* Event upcall: no error code. */
    .balign 16
    .globl entry_event
entry_event:
    pop %rcx
    pop %r11
    pushq $0
    pushq $VEC_EVENT
    jmp handle_entry

    /* Failsafe: { RCX, R11, DS, ES, FS, GS, RIP, ... }; skip the selectors (the test ends anyway). */
    .balign 16
    .globl entry_failsafe
entry_failsafe:
    pop %rcx
    pop %r11
    add $32, %rsp
    pushq $0
    pushq $VEC_FAILSAFE
    jmp handle_entry

handle_entry:
    push %rdi
    push %rsi
    push %rdx
    push %rcx
    push %rax
    push %r8
    push %r9
    push %r10
    push %r11
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    cld
    mov %rsp, %rdi
    mov %rsp, %rbx              /* callee-saved: the regs pointer */
    and $~15, %rsp              /* the C ABI wants a 16-byte aligned stack at calls */
    call trap_dispatch
    mov %rbx, %rsp

    .globl trap_return
trap_return:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rax
    pop %rcx
    pop %rdx
    pop %rsi
    pop %rdi
    add $16, %rsp               /* vector, error code */
    HYPERCALL_IRET

/* void hypercall_iret_frame(const struct iret_context *frame) */
    .globl hypercall_iret_frame
hypercall_iret_frame:
#ifdef GUEST_HYPERCALL_PAGE
    mov 0(%rdi), %rax
    mov 8(%rdi), %r11
    mov 16(%rdi), %rcx
    lea 24(%rdi), %rsp
    jmp hypercall_page + __HYPERVISOR_iret * 32
#else
    mov %rdi, %rsp
    mov $__HYPERVISOR_iret, %eax
    syscall
    ud2
#endif

/*
 * long exec_user_asm(fn, arg, user_sp, rflags): runs fn(arg) in guest user mode. Returns when user
 * code (or trap_dispatch on its behalf) calls user_return(value).
 */
    .globl exec_user_asm
exec_user_asm:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, user_ctx + UCTX_rsp(%rip)
    movq $1, user_ctx + UCTX_active(%rip)
    pushq $GUEST_USER_SS
    push %rdx
    push %rcx
    pushq $GUEST_USER_CS
    lea user_trampoline(%rip), %rax
    push %rax
    /* %rdi = fn and %rsi = arg reach user mode unchanged: iret loads only RAX, RCX and R11. */
    xor %eax, %eax
    xor %ecx, %ecx
    xor %r11d, %r11d
    HYPERCALL_IRET

/* void user_return(long value): back to exec_user_asm's caller, in guest kernel mode. */
    .globl user_return
user_return:
    mov user_ctx + UCTX_rsp(%rip), %rsp
    movq $0, user_ctx + UCTX_active(%rip)
    mov %rdi, %rax
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .section .user.text, "ax", @progbits
    .globl user_trampoline
user_trampoline:
    mov %rdi, %rax
    mov %rsi, %rdi
    call *%rax
    mov %rax, %rdi
    movabs $USER_EXIT_MAGIC, %rax
    syscall
    ud2

    .section .bss
    .balign 16
    .globl user_ctx
user_ctx:
    .skip 16

    .section .rodata
    .balign 8
    .globl entry_table
entry_table:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad entry_\v
    .endr
