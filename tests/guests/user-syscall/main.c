/*
 * user-syscall - `syscall` from guest user mode is not a hypercall: it is bounced to the registered
 * syscall callback with the frame { RCX, R11, RIP, CS, RFLAGS, RSP, SS } on kernel_sp, where RCX and
 * R11 hold what the CPU put there (the return rip and the rflags), CS/SS are Xen's flat user selectors,
 * and the upcall mask is set while the handler runs only if the callback was registered with
 * CALLBACKF_mask_events. HYPERVISOR_iret returns to user mode right after the syscall.
 */
#include "guest.h"

const char test_title[] = "syscall from user mode bounced to the syscall callback";

extern char entry_syscall[];

asm ( ".pushsection .user.text, \"ax\", @progbits\n"
      "user_syscall:\n"
      "    mov %rdi, %rax\n"
      "    mov %rsp, %rdx\n"
      "    syscall\n"
      "user_syscall_ret:\n"
      "    ret\n"
      ".popsection" );
extern char user_syscall[], user_syscall_ret[];

static uint64_t hook_rax;
static uint8_t hook_mask;

static bool syscall_handler(struct cpu_regs *regs)
{
    hook_rax = regs->rax;
    hook_mask = vcpu0_info->evtchn_upcall_mask;
    regs->rax = 0x5678;
    return true;
}

static void one_syscall(const char *what, long nr, unsigned int flags, uint8_t mask_in)
{
    long ret = 0;
    unsigned int count = syscall_count;
    char buf[96];

    if ( !exec_user_flags((long (*)(long))user_syscall, nr, &ret, flags) )
    {
        report_fail("%s: the user function faulted (%s at %#lx)", what, vector_name(ex_last.vector),
                    ex_last.rip);
        return;
    }
    /* Two syscalls: ours and exec_user's exit; syscall_last is the exit one, so use the hook's copy. */
    snprintf(buf, sizeof(buf), "%s: syscalls seen", what);
    check_eq(buf, syscall_count - count, 2);
    snprintf(buf, sizeof(buf), "%s: rax at the callback (not run as a hypercall)", what);
    check_eq(buf, hook_rax, nr);
    snprintf(buf, sizeof(buf), "%s: value returned to user mode", what);
    check_eq(buf, ret, 0x5678);
    snprintf(buf, sizeof(buf), "%s: mask in the callback", what);
    check_eq(buf, hook_mask, mask_in);
}

void test_main(start_info_t *si)
{
    struct callback_register cb = { .type = CALLBACKTYPE_syscall, .address = (unsigned long)entry_syscall };
    volatile struct exinfo first;
    long ret;

    syscall_hook = syscall_handler;

    /* The framework registers the callback with CALLBACKF_mask_events. */
    one_syscall("mask_events, events masked", 0x1234, 0, 1);
    one_syscall("mask_events, events on", __HYPERVISOR_xen_version, USER_EVENTS_ON, 1);

    /* The frame, word by word: a run whose one syscall is exec_user's exit (rax = the magic). */
    syscall_hook = NULL;
    ex_reset();
    if ( exec_user((long (*)(long))user_syscall, USER_EXIT_MAGIC, &ret) )
    {
        memcpy((void *)&first, (const void *)&syscall_last, sizeof(first));
        check_eq("frame rip (after the syscall)", first.rip, (unsigned long)user_syscall_ret);
        check_eq("frame cs (flat user CS, saved mask 1)", first.cs, (1ull << 32) | FLAT_USER_CS);
        check_eq("frame ss", first.ss, FLAT_USER_SS);
        check_eq("frame rsp (the user rsp)", first.rsp, first.regs.rdx);
        check_eq("frame rcx (= return rip, from the CPU)", first.regs.rcx, (unsigned long)user_syscall_ret);
        check_eq("frame r11 (= rflags, from the CPU) low bits", first.regs.r11 & 0x3cd5,
                 first.rflags & 0x3cd5);
        check_eq("frame rflags.IF (= !mask)", first.rflags & X86_EFLAGS_IF, 0);
        check_eq("frame on kernel_sp", first.frame, (user_entry_sp() & ~15ul) - 7 * 8);
    }
    syscall_hook = syscall_handler;

    /* Without CALLBACKF_mask_events the mask stays as it was in user mode. */
    cb.flags = 0;
    if ( check_rc("register the syscall callback without mask_events",
                  hypercall_callback_op(CALLBACKOP_register, &cb), 0) )
    {
        one_syscall("no mask_events, events on", 0x99, USER_EVENTS_ON, 0);
        one_syscall("no mask_events, events masked", 0x98, 0, 1);
        vcpu0_info->evtchn_upcall_mask = 1;
    }
    cb.flags = CALLBACKF_mask_events;
    check_rc("restore the syscall callback", hypercall_callback_op(CALLBACKOP_register, &cb), 0);
}
