/*
 * probe.S - a round trip to ring 3 for the boot-time CPU errata probe (cpu_errata.c).
 *
 * probe_enter_user(rip, rsp) saves the callee-saved registers and RSP, then
 * IRETQs to rip in ring 3 (flat user selectors, interrupts off).  Whatever
 * exception brings the CPU back, probe_exception() records it and calls
 * probe_return(), which restores that state and returns from
 * probe_enter_user() as if nothing happened.
 */
        .text
        .globl  probe_enter_user
probe_enter_user:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, probe_saved_rsp(%rip)
        pushq   $0xe02b                         /* SS: FLAT_RING3_SS64 */
        pushq   %rsi                            /* RSP */
        pushq   $0x2                            /* RFLAGS: interrupts off */
        pushq   $0xe033                         /* CS: FLAT_RING3_CS64 */
        pushq   %rdi                            /* RIP */
        iretq

        .globl  probe_return
probe_return:
        movq    probe_saved_rsp(%rip), %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret

        .data
        .balign 8
probe_saved_rsp:
        .quad   0
