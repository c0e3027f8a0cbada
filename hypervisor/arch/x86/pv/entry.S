/*
 * entry.S (pv) - SYSCALL from a PV guest, resuming a guest, and starting over on a fresh stack.
 *
 * SYSCALL does not switch stacks, so MSR_LSTAR points at a small per-CPU
 * stub (pv/syscall.c) that saves RAX, moves to this CPU's guest register
 * frame in cpu_info, pushes a hardware-like frame (SS, RSP, RFLAGS from R11,
 * CS, RIP from RCX) and jumps here.  From then on a SYSCALL looks exactly
 * like an exception from the guest, with entry_vector TRAP_syscall.
 */
#include <asm/asm_defns.h>
#include <asm/current.h>
#include <asm/entry_macros.h>
#include <asm/pv.h>

        .text
        .globl  lstar_common
lstar_common:
        movl    $TRAP_syscall, 4(%rsp)
        SAVE_ALL
        movq    %rsp, %rdi
        xorl    %ebp, %ebp                      /* the guest's rbp is not a hypervisor frame */
        call    do_guest_syscall
        jmp     restore_guest

/* void pv_resume_guest(struct cpu_user_regs *regs): regs is this CPU's guest frame in cpu_info */
        .globl  pv_resume_guest
pv_resume_guest:
        movq    %rdi, %rsp
restore_guest:
        RESTORE_ALL
1:      iretq
        _ASM_EXTABLE 1b, bad_iret

/*
 * IRETQ to the guest faulted.  The exception came and went on this stack, overwriting the guest
 * registers saved below the IRET frame; the registers themselves hold the guest's values again
 * and RSP points at the IRET frame, so saving them now rebuilds the whole frame in cpu_info.
 */
        .globl  bad_iret
bad_iret:
        testb   $3, 8(%rsp)                     /* CS in the frame: only a return to a guest may fault */
        jz      1f
        pushq   $0
        SAVE_ALL
        subq    $8, %rsp                        /* keep calls 16-byte aligned */
        call    pv_bad_iret
        ud2
1:      ud2                                     /* IRETQ within the hypervisor faulted: a bug */

/* void reset_stack_and_jump(void (*fn)(void)): discard this CPU's stack and call fn on a fresh one. */
        .globl  reset_stack_and_jump
reset_stack_and_jump:
        movq    %rsp, %rax
        andq    $~(STACK_SIZE - 1), %rax
        addq    $STACK_START_OFFSET, %rax
        movq    %rax, %rsp
        xorl    %ebp, %ebp
        call    *%rdi
        ud2
