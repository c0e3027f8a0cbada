/*
 * bounce.c (pv) - the exception frame a PV guest's kernel receives (Xen's "bounce frame"), and its
 * inverse, the frame HYPERVISOR_iret consumes.  Pure computations, unit-tested on the host.
 *
 * Design: delivering a trap, an event upcall or a user-mode SYSCALL to the
 * guest kernel writes, on the guest kernel's stack (the current one if the
 * guest was in kernel mode, the stack_switch one otherwise, 16-byte aligned),
 * from higher to lower addresses: SS, RSP, RFLAGS, CS, RIP, [error code],
 * R11, RCX -- the native frame Linux expects after its `pop %rcx; pop %r11`.
 * CS carries the vCPU's saved event mask in bits 32-39 and has its RPL
 * cleared when the guest was in kernel mode (Linux's user_mode() relies on
 * this); RFLAGS.IF shows the virtual interrupt flag (!upcall mask) and IOPL
 * the virtual IOPL.  The guest then runs the handler with CS/SS = the flat
 * kernel selectors and TF, NT, RF, AC and VM clear.
 */
#include <parva/lib.h>
#include <asm/processor.h>
#include <asm/pv_bounce.h>

unsigned int pv_bounce_frame(const struct cpu_user_regs *regs, const struct pv_bounce *b,
                             uint64_t frame[PV_BOUNCE_MAX_WORDS], uint64_t *frame_va,
                             struct cpu_user_regs *out)
{
    uint64_t sp = (b->guest_kernel_mode ? regs->rsp : b->kernel_sp) & ~0xfUL;
    uint64_t cs = regs->cs, rflags = regs->rflags;
    unsigned int n = 0, i;
    uint64_t words[PV_BOUNCE_MAX_WORDS];

    if ( b->guest_kernel_mode )
        cs &= ~3UL;
    cs |= (uint64_t)b->upcall_mask << 32;
    rflags &= ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL);
    rflags |= (b->upcall_mask ? 0 : X86_EFLAGS_IF) | ((uint64_t)(b->iopl & 3) << 12);

    /* Built high to low, stored low to high. */
    words[n++] = regs->ss;
    words[n++] = regs->rsp;
    words[n++] = rflags;
    words[n++] = cs;
    words[n++] = regs->rip;
    if ( b->has_error )
        words[n++] = b->error_code;
    words[n++] = regs->r11;
    words[n++] = regs->rcx;
    for ( i = 0; i < n; i++ )
        frame[i] = words[n - 1 - i];

    *frame_va = sp - n * 8;
    *out = *regs;
    out->rsp = *frame_va;
    out->rip = b->handler;
    out->cs = FLAT_KERNEL_CS;
    out->ss = FLAT_KERNEL_SS;
    out->rflags = (regs->rflags & ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_AC |
                                    X86_EFLAGS_VM | X86_EFLAGS_IOPL)) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    out->entry_vector = regs->entry_vector;
    return n;
}

int pv_iret_frame(const struct iret_context *f, struct cpu_user_regs *regs, bool *to_user, uint8_t *upcall_mask)
{
    /* The guest cannot return to a non-canonical address or stack: IRETQ would fault in ring 0. */
    if ( (uint64_t)((int64_t)(f->rip << 16) >> 16) != f->rip ||
         (uint64_t)((int64_t)(f->rsp << 16) >> 16) != f->rsp )
        return -EINVAL;
    *to_user = (f->cs & 3) == 3;
    regs->rip = f->rip;
    regs->cs = f->cs | 3;
    regs->rflags = (f->rflags & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    regs->rsp = f->rsp;
    regs->ss = f->ss | 3;
    if ( f->flags & VGCF_in_syscall )
    {
        /* A return from a system call: the registers as SYSRET leaves them. */
        regs->r11 = regs->rflags;
        regs->rcx = regs->rip;
    }
    else
    {
        regs->r11 = f->r11;
        regs->rcx = f->rcx;
    }
    regs->rax = f->rax;
    *upcall_mask = !(f->rflags & X86_EFLAGS_IF);
    return 0;
}
