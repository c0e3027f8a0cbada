/*
 * user-mode - HYPERVISOR_iret to guest user mode (CS RPL 3) and back: a function runs in user mode and
 * returns through the syscall callback; the upcall mask follows RFLAGS.IF of the iret frame; a
 * privileged instruction in user mode is not emulated but raises #GP(0) with CS RPL 3; page faults in
 * user mode carry the U bit; every entry from user mode lands on the stack_switch stack.
 */
#include "guest.h"

const char test_title[] = "guest user mode: iret to user, exceptions back to kernel";

#define UNMAPPED_VA 0x0000100000000000ul

static long __user_text user_compute(long arg)
{
    return arg * 3 + 1;
}

static long __user_text user_read_cs(long arg)
{
    long cs = 0;

    asm volatile ( "mov %%cs, %k0" : "+r" (cs) );
    return cs;
}

/* Hand-written user functions with labels at their faulting instructions. */
asm ( ".pushsection .user.text, \"ax\", @progbits\n"
      "user_cr0:\n"
      "user_cr0_insn: mov %cr0, %rax\n"
      "    ret\n"
      "user_read_unmapped:\n"
      "user_read_unmapped_insn: mov (%rdi), %rax\n"
      "    ret\n"
      "user_write:\n"
      "user_write_insn: movq $7, (%rdi)\n"
      "    ret\n"
      ".popsection" );
extern char user_cr0[], user_cr0_insn[], user_read_unmapped[], user_read_unmapped_insn[];
extern char user_write[], user_write_insn[];

static void expect_user_fault(const char *what, unsigned int vector, uint64_t ec, uint64_t rip, uint64_t cr2)
{
    char buf[96];

    snprintf(buf, sizeof(buf), "%s: vector", what);
    if ( !check_eq(buf, ex_last.vector, vector) )
        return;
    snprintf(buf, sizeof(buf), "%s: error code", what);
    check_eq(buf, ex_last.error_code, ec);
    snprintf(buf, sizeof(buf), "%s: rip", what);
    check_eq(buf, ex_last.rip, rip);
    snprintf(buf, sizeof(buf), "%s: cs (RPL 3 kept, saved mask 1)", what);
    check_eq(buf, ex_last.cs, (1ull << 32) | FLAT_USER_CS);
    snprintf(buf, sizeof(buf), "%s: ss", what);
    check_eq(buf, ex_last.ss, FLAT_USER_SS);
    snprintf(buf, sizeof(buf), "%s: frame on the kernel stack (kernel_sp)", what);
    check_eq(buf, ex_last.frame, (user_entry_sp() & ~15ul) - 8 * 8);
    if ( vector == 14 )
    {
        snprintf(buf, sizeof(buf), "%s: cr2", what);
        check_eq(buf, ex_last.cr2, cr2);
    }
}

void test_main(start_info_t *si)
{
    long ret = 0;
    uint64_t *ro;

    if ( check(exec_user(user_compute, 14, &ret), "user_compute faulted (%s at %#lx)",
               vector_name(ex_last.vector), ex_last.rip) )
        check_eq("user_compute(14) returned through the syscall callback", ret, 43);
    check_eq("upcall mask after the user run (syscall callback masks events)",
             vcpu0_info->evtchn_upcall_mask, 1);

    if ( exec_user(user_read_cs, 0, &ret) )
        check_eq("%cs in user mode", ret, FLAT_USER_CS);

    /* With RFLAGS.IF = 1 in the iret frame, user mode runs with events unmasked. */
    if ( exec_user_flags(user_compute, 1, &ret, USER_EVENTS_ON) )
    {
        check_eq("user_compute(1) with events on", ret, 4);
        check_eq("saved mask of the exit syscall (cs[39:32])", syscall_last.cs >> 32, 0);
        check(syscall_last.rflags & X86_EFLAGS_IF, "rflags.IF of the exit syscall is clear");
    }
    check_eq("upcall mask after the run with events on", vcpu0_info->evtchn_upcall_mask, 1);

    ex_reset();
    check(!exec_user((long (*)(long))user_cr0, 0, &ret), "mov from %%cr0 in user mode did not fault");
    expect_user_fault("mov from %cr0 in user mode", 13, 0, (unsigned long)user_cr0_insn, 0);

    ex_reset();
    check(!exec_user((long (*)(long))user_read_unmapped, UNMAPPED_VA + 8, &ret), "user read did not fault");
    expect_user_fault("user read of an unmapped page", 14, 4, (unsigned long)user_read_unmapped_insn,
                      UNMAPPED_VA + 8);

    ex_reset();
    check(!exec_user((long (*)(long))user_write, UNMAPPED_VA + 16, &ret), "user write did not fault");
    expect_user_fault("user write to an unmapped page", 14, 6, (unsigned long)user_write_insn,
                      UNMAPPED_VA + 16);

    ro = alloc_page();
    if ( check_rc("remap a page read-only", set_page_writable(ro, false), 0) )
    {
        ex_reset();
        check(!exec_user((long (*)(long))user_write, (long)ro, &ret),
              "user write to a read-only page did not fault");
        expect_user_fault("user write to a read-only page", 14, 7, (unsigned long)user_write_insn,
                          (unsigned long)ro);
    }

    /* The kernel still works after all that. */
    if ( exec_user(user_compute, 100, &ret) )
        check_eq("user_compute(100) at the end", ret, 301);
}
