/*
 * vcpu_context.c (pv) - VCPUOP_initialise: the first context of a vCPU the guest brings up itself.
 *
 * Linux starts its secondary CPUs this way (arch/x86/xen/smp_pv.c): a struct
 * vcpu_guest_context with the entry registers, the kernel stack, the GDT
 * frames, the page-table root, the callbacks and the segment bases, then
 * VCPUOP_up.  As Xen's arch_set_info_guest for a 64-bit PV vCPU: every
 * address must be canonical, selectors get their RPL fixed up to the guest
 * kernel's, the virtual IOPL comes out of RFLAGS (which keeps IF set), and
 * the root table, the GDT frames and the LDT take the same references and
 * validation as the hypercalls that set them.  A vCPU is initialised once
 * (-EEXIST after); a failure leaves it uninitialised, with nothing held.
 *
 * Locking: init_lock serialises initialisations (two vCPUs initialising a
 * third); below it, the PV MMU lock through the root and descriptor calls.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/spinlock.h>
#include <asm/guest_access.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <xen/callback.h>

static DEFINE_SPINLOCK(init_lock);

static bool canonical(unsigned long a)
{
    return (unsigned long)((long)(a << 16) >> 16) == a;
}

/* Xen's fixup_guest_{stack,code}_selector: a ring-0 selector becomes the guest kernel's (RPL 3). */
static uint16_t guest_selector(uint16_t sel)
{
    return (sel & 3) ? sel : sel | 3;
}

static int check(const struct vcpu_guest_context *c)
{
    unsigned int i;

    if ( !canonical(c->user_regs.rip) || !canonical(c->user_regs.rsp) || !canonical(c->kernel_sp) ||
         (c->ldt_ents && !canonical(c->ldt_base)) || !canonical(c->fs_base) ||
         !canonical(c->gs_base_kernel) || !canonical(c->gs_base_user) ||
         !canonical(c->event_callback_eip) || !canonical(c->syscall_callback_eip) ||
         !canonical(c->failsafe_callback_eip) )
        return -EINVAL;
    for ( i = 0; i < ARRAY_SIZE(c->trap_ctxt); i++ )
        if ( !canonical(c->trap_ctxt[i].address) )
            return -EINVAL;
    if ( (c->ldt_base & (PAGE_SIZE - 1)) || c->ldt_ents > 8192 || c->gdt_ents > 16 * 512 )
        return -EINVAL;
    if ( !(c->ctrlreg[3] >> PAGE_SHIFT) )
        return -EINVAL;                 /* no page tables to run on */
    return 0;
}

/* Undo what a failed initialisation took (roots, GDT). */
static void release(struct vcpu *v)
{
    pv_release_descriptor_frames(v);
    pv_new_user_baseptr(v, 0);
    pv_drop_baseptr(v);
}

int pv_vcpu_initialise(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct arch_vcpu *a = &v->arch;
    unsigned long flags;
    unsigned int i;
    int rc;

    spin_lock_irqsave(&init_lock, flags);
    /* As Xen: an initialised vCPU is -EEXIST, whatever the context says. */
    rc = v->is_initialised ? -EEXIST : check(c);
    if ( rc )
    {
        spin_unlock_irqrestore(&init_lock, flags);
        return rc;
    }

    /* The references first: the root tables, then the GDT and LDT found through them. */
    if ( (rc = pv_new_baseptr(v, c->ctrlreg[3] >> PAGE_SHIFT)) != 0 ||
         (c->ctrlreg[1] && (rc = pv_new_user_baseptr(v, c->ctrlreg[1] >> PAGE_SHIFT)) != 0) ||
         (rc = pv_set_gdt(v, c->gdt_frames, c->gdt_ents)) != 0 ||
         (rc = pv_set_ldt(v, c->ldt_base, c->ldt_ents)) != 0 )
        goto fail;
    for ( i = 0; i < 8; i++ )
        if ( i != 4 && i != 5 && (rc = pv_set_debugreg(v, i, c->debugreg[i])) != 0 )
            goto fail;

    a->regs = c->user_regs;
    a->regs.cs = guest_selector(a->regs.cs);
    a->regs.ss = guest_selector(a->regs.ss);
    a->iopl = (a->regs.rflags & X86_EFLAGS_IOPL) >> 12;
    a->regs.rflags = (a->regs.rflags & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    a->regs.entry_vector = 0;
    a->regs.error_code = 0;
    a->kernel_mode = c->flags & VGCF_in_kernel;
    for ( i = 0; i < ARRAY_SIZE(c->trap_ctxt); i++ )
    {
        a->trap_ctxt[i] = c->trap_ctxt[i];
        a->trap_ctxt[i].cs = FLAT_KERNEL_CS;
    }
    a->kernel_ss = guest_selector(c->kernel_ss);
    a->kernel_sp = c->kernel_sp;
    a->ctrlreg[0] = c->ctrlreg[0] & X86_CR0_TS;     /* only TS is the guest's to set */
    a->callbacks[CALLBACKTYPE_event].eip = c->event_callback_eip;
    a->callbacks[CALLBACKTYPE_event].mask_events = true;
    a->callbacks[CALLBACKTYPE_failsafe].eip = c->failsafe_callback_eip;
    a->callbacks[CALLBACKTYPE_failsafe].mask_events = c->flags & VGCF_failsafe_disables_events;
    a->callbacks[CALLBACKTYPE_syscall].eip = c->syscall_callback_eip;
    a->callbacks[CALLBACKTYPE_syscall].mask_events = c->flags & VGCF_syscall_disables_events;
    a->fs_base = c->fs_base;
    a->gs_base_kernel = c->gs_base_kernel;
    a->gs_base_user = c->gs_base_user;
    if ( c->flags & VGCF_i387_valid )
    {
        memcpy(a->fpu, &c->fpu_ctxt, sizeof(a->fpu));
        a->fpu_initialised = true;
    }
    v->is_initialised = true;
    spin_unlock_irqrestore(&init_lock, flags);
    return 0;

 fail:
    release(v);
    spin_unlock_irqrestore(&init_lock, flags);
    return rc;
}
