/*
 * trap-frame - the bounce frame of an exception raised in guest kernel mode, checked word by word:
 * { RCX, R11, RIP, CS, RFLAGS, RSP, SS } from low to high, 16-byte aligned below the interrupted
 * %rsp, CS with its RPL cleared (kernel context) and the saved upcall mask in bits 32-39, RFLAGS.IF
 * = !saved mask, the interrupted RCX/R11 values in the frame, and every register intact after the
 * return through HYPERVISOR_iret. An exception with an error code puts it between R11 and RIP.
 */
#include "guest.h"

const char test_title[] = "exception bounce frame layout (kernel mode)";

#define RCX_VAL 0x1111111111111111ul
#define R11_VAL 0x2222222222222222ul
#define RBX_VAL 0x3333333333333333ul
#define R15_VAL 0x4444444444444444ul

void test_main(start_info_t *si)
{
    uint64_t sp, insn, rcx_after, r11_after, rbx_after, r15_after, flags_after;

    ex_reset();
    asm volatile ( "mov %%rsp, %[sp]\n\t"
                   "lea 1f(%%rip), %[insn]\n\t"
                   "mov %[rcxv], %%rcx\n\t"
                   "mov %[r11v], %%r11\n\t"
                   "mov %[rbxv], %%rbx\n\t"
                   "mov %[r15v], %%r15\n\t"
                   "stc\n\t"
                   "1: ud2\n\t"
                   "2:\n\t"
                   "pushf\n\t"
                   "pop %[fl]\n\t"
                   "mov %%rcx, %[rcxa]\n\t"
                   "mov %%r11, %[r11a]\n\t"
                   "mov %%rbx, %[rbxa]\n\t"
                   "mov %%r15, %[r15a]\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [sp] "=&r" (sp), [insn] "=&r" (insn), [rcxa] "=m" (rcx_after), [r11a] "=m" (r11_after),
                     [rbxa] "=m" (rbx_after), [r15a] "=m" (r15_after), [fl] "=&r" (flags_after)
                   : [rcxv] "i" (RCX_VAL), [r11v] "i" (R11_VAL), [rbxv] "i" (RBX_VAL), [r15v] "i" (R15_VAL)
                   : "rcx", "r11", "rbx", "r15", "memory", "cc" );

    check_eq("#UD: vector", ex_last.vector, 6);
    check_eq("#UD: rip", ex_last.rip, insn);
    check_eq("#UD: cs (RPL cleared, saved upcall mask 1 in bits 32-39)", ex_last.cs,
             (1ull << 32) | (FLAT_KERNEL_CS & ~3));
    check_eq("#UD: rflags CF (stc), IF (= !mask = 0), IOPL, TF", ex_last.rflags &
             (X86_EFLAGS_MBS | X86_EFLAGS_CF | X86_EFLAGS_IF | X86_EFLAGS_IOPL | X86_EFLAGS_TF),
             X86_EFLAGS_MBS | X86_EFLAGS_CF);
    check_eq("#UD: rsp", ex_last.rsp, sp);
    check_eq("#UD: ss", ex_last.ss, FLAT_KERNEL_SS);
    check_eq("#UD: frame address ((rsp & ~15) - 7 words)", ex_last.frame, (sp & ~15ul) - 7 * 8);
    check_eq("#UD: frame rcx", ex_last.regs.rcx, RCX_VAL);
    check_eq("#UD: frame r11", ex_last.regs.r11, R11_VAL);
    check_eq("#UD: rbx at the handler", ex_last.regs.rbx, RBX_VAL);
    check_eq("#UD: upcall mask at the handler", ex_last.upcall_mask, 1);
    check_eq("after iret: rcx", rcx_after, RCX_VAL);
    check_eq("after iret: r11", r11_after, R11_VAL);
    check_eq("after iret: rbx", rbx_after, RBX_VAL);
    check_eq("after iret: r15", r15_after, R15_VAL);
    check(flags_after & X86_EFLAGS_CF, "after iret: CF is lost (rflags %#lx)", flags_after);
    check_eq("after iret: upcall mask", vcpu0_info->evtchn_upcall_mask, 1);

    /* With an error code: #GP(0) from a non-canonical load; the frame is one word lower. */
    ex_reset();
    asm volatile ( "mov %%rsp, %[sp]\n\t"
                   "lea 1f(%%rip), %[insn]\n\t"
                   "sub $8, %%rsp\n\t"         /* an rsp that is not 16-byte aligned */
                   "1: movabs 0x8000000000000000, %%rax\n\t"
                   "2:\n\t"
                   "add $8, %%rsp\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [sp] "=&r" (sp), [insn] "=&r" (insn)
                   :
                   : "rax", "memory" );
    sp -= 8;
    check_eq("#GP: vector", ex_last.vector, 13);
    check_eq("#GP: error code", ex_last.error_code, 0);
    check_eq("#GP: rip", ex_last.rip, insn);
    check_eq("#GP: rsp", ex_last.rsp, sp);
    check_eq("#GP: frame address ((rsp & ~15) - 8 words)", ex_last.frame, (sp & ~15ul) - 8 * 8);
    check_eq("#GP: cs", ex_last.cs, (1ull << 32) | (FLAT_KERNEL_CS & ~3));
}
