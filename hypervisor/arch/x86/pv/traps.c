/*
 * traps.c (pv) - exceptions raised by a PV guest: emulate what a ring-3 kernel cannot do, bounce the rest.
 *
 * Design: every exception from guest mode comes here.  #GP in guest kernel
 * mode may be a privileged instruction (emulate.c), or a software interrupt
 * the guest's trap table allows (int $n with a DPL-3 entry); #UD may be the
 * forced-emulation CPUID prefix; a write #PF on a read-only L1 page-table
 * page is the writable-page-table emulation (ptwr.c).  Anything else is
 * delivered to the guest's handler from its trap table through a bounce
 * frame (bounce.c), with CR2 stored in vcpu_info.arch.cr2 and the #PF error
 * code's U bit describing the guest's own mode.  A guest without a handler
 * for a fault it takes is crashed, with a report.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/cpu_errata.h>
#include <asm/guest_access.h>
#include <asm/processor.h>
#include <asm/system.h>
#include <asm/pv.h>
#include <asm/pv_emul.h>
#include <asm/traps.h>

/* Exceptions whose frame carries an error code. */
static bool has_error_code(unsigned int vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

static void inject(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error_code)
{
    const struct trap_info *ti = &v->arch.trap_ctxt[vector];
    struct trap_bounce *tb = &v->arch.trap_bounce;

    if ( !ti->address )
    {
        char why[96];

        snprintf(why, sizeof(why), "d%uv%u Unhandled: vec %u, %s[%04x]", v->domain->domain_id, v->vcpu_id,
                 vector, trap_name(vector), has_error ? error_code : 0);
        domain_crash(v->domain, why);
        return;
    }
    tb->vector = vector;
    tb->eip = ti->address;
    tb->error_code = error_code;
    tb->flags = TBF_EXCEPTION | (has_error ? TBF_EXCEPTION_ERRCODE : 0) |
                ((ti->flags & 4) ? TBF_INTERRUPT : 0);  /* trap_info flag bit 2: an "interrupt gate" */
}

void pv_inject_trap(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error_code)
{
    inject(v, vector, has_error, error_code);
}

void pv_inject_page_fault(struct vcpu *v, unsigned long cr2, uint32_t error_code)
{
    v->vcpu_info->arch.cr2 = cr2;
    v->arch.ctrlreg[2] = cr2;           /* what an emulated mov from %cr2 returns */
    /* The U bit describes the guest's mode, not the CPU's (always ring 3). */
    if ( v->arch.kernel_mode )
        error_code &= ~PFEC_user;
    else
        error_code |= PFEC_user;
    inject(v, TRAP_page_fault, true, error_code);
}

/*
 * int $n from the guest hit one of the hypervisor's DPL-0 gates (#GP with an IDT error code).
 * Deliver vector n if the guest's own trap table lets it: DPL >= 1 for the guest kernel, DPL 3 for
 * its user space (Xen's permit_softint).  The vector is read from the instruction (CD nn) rather
 * than the error code, which QEMU's TCG gets wrong in 64-bit mode (n * 16 + 2).
 */
static bool software_interrupt(struct vcpu *v, struct cpu_user_regs *regs)
{
    const struct trap_info *ti;
    uint8_t insn[2];

    if ( (regs->error_code & 7) != 2 || copy_from_guest_va(insn, regs->rip, sizeof(insn)) || insn[0] != 0xcd )
        return false;
    ti = &v->arch.trap_ctxt[insn[1]];
    if ( !ti->address || (ti->flags & 3) < (v->arch.kernel_mode ? 1 : 3) )
        return false;
    regs->rip += 2;                     /* int imm8: the frame resumes after it */
    inject(v, insn[1], false, 0);
    return true;
}

/*
 * The QEMU IRET erratum (cpu_errata.c): a ring-3 IRETQ whose stack read the emulator wrongly did
 * as a supervisor access.  Carry it out as the CPU should have: pop RIP, CS, RFLAGS, RSP, SS from
 * the guest's stack, keeping the flags an IRET at CPL 3 may not change (IF, IOPL, VM).  The new
 * CS and SS are loaded by the hypervisor's own IRETQ into the guest, which checks them.
 */
static bool emulate_iret_erratum(struct vcpu *v, struct cpu_user_regs *regs)
{
    static const uint8_t iretq[] = { 0x48, 0xcf };
    const uint64_t keep = X86_EFLAGS_IF | X86_EFLAGS_IOPL | X86_EFLAGS_VM | 0x100000 /* VIP */ |
                          0x80000 /* VIF */;
    uint8_t insn[2];
    uint64_t frame[5];

    if ( !cpu_errata.iret_smap || (regs->error_code & (PFEC_user | PFEC_insn_fetch | PFEC_reserved)) )
        return false;
    if ( copy_from_guest_va(insn, regs->rip, sizeof(insn)) || memcmp(insn, iretq, sizeof(iretq)) ||
         copy_from_guest_va(frame, regs->rsp, sizeof(frame)) )
        return false;
    if ( (frame[1] & 3) != 3 || (frame[4] & 3) != 3 ||
         (uint64_t)((int64_t)(frame[0] << 16) >> 16) != frame[0] )
        return false;                   /* not a same-privilege return: let the guest see the fault */
    regs->rip = frame[0];
    regs->cs = frame[1];
    regs->rflags = (frame[2] & ~keep) | (regs->rflags & keep) | X86_EFLAGS_MBS;
    regs->rsp = frame[3];
    regs->ss = frame[4];
    return true;
}

void pv_do_trap(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    unsigned int vector = regs->entry_vector;

    if ( !v )
        panic("guest-mode exception %u with no current vCPU\n", vector);
    switch ( vector )
    {
    case TRAP_gp_fault:
        if ( regs->error_code == 0 && pv_emulate_privileged(v, regs) )
            return;
        if ( software_interrupt(v, regs) )
            return;
        break;
    case 6:                             /* #UD */
        if ( pv_emulate_forced_cpuid(v, regs) )
            return;
        break;
    case TRAP_page_fault:
    {
        unsigned long cr2 = read_cr2();
        bool handled;

        /* With CR2 read, interrupts may come: emulating a write may need TLB-flush IPIs. */
        local_irq_enable();
        handled = pv_ptwr_fault(v, regs, cr2) || emulate_iret_erratum(v, regs);
        local_irq_disable();
        if ( !handled )
            pv_inject_page_fault(v, cr2, regs->error_code);
        return;
    }
    case 1:                             /* #DB: the guest sees its DR6 */
        v->arch.debugreg[6] = pv_take_dr6();
        break;
    case 7:                             /* #NM: the guest's virtual CR0.TS was set; delivering it clears it */
        inject(v, 7, false, 0);
        v->arch.ctrlreg[0] &= ~X86_CR0_TS;
        __asm__ __volatile__("clts" ::: "memory");
        return;
    default:
        break;
    }
    inject(v, vector, has_error_code(vector), regs->error_code);
}
