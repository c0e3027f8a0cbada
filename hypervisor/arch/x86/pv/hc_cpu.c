/*
 * hc_cpu.c (pv) - hypercalls that stand in for the CPU state a ring-3 kernel cannot set itself:
 * its trap table, kernel stack, segment bases, FPU switch, debug registers, callbacks, I/O
 * privilege, and the return from an exception (HYPERVISOR_iret).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/asm_defns.h>
#include <asm/pirq.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_bounce.h>
#include <xen/callback.h>
#include <xen/physdev.h>

#define MAX_TRAPS_PER_CALL 64

static bool is_canonical(unsigned long a)
{
    return (unsigned long)((long)(a << 16) >> 16) == a;
}

long do_set_trap_table(unsigned long traps)
{
    struct vcpu *v = current;
    struct trap_info t;
    unsigned int n;

    /* A null list clears the whole table. */
    if ( !traps )
    {
        memset(v->arch.trap_ctxt, 0, sizeof(v->arch.trap_ctxt));
        return 0;
    }
    for ( n = 0; ; n++ )
    {
        if ( n == MAX_TRAPS_PER_CALL )
            return hypercall_create_continuation(__HYPERVISOR_set_trap_table, traps, 0, 0, 0, 0);
        if ( copy_from_guest_va(&t, traps, sizeof(t)) )
            return -EFAULT;
        if ( t.address == 0 )
            return 0;
        /* A handler the CPU could not return to would fault in the hypervisor's IRETQ: refuse it (Xen). */
        if ( !is_canonical(t.address) )
            return -EINVAL;
        /* On 64-bit the code selector is only sanitised: handlers always run with FLAT_KERNEL_CS. */
        t.cs = FLAT_KERNEL_CS;
        v->arch.trap_ctxt[t.vector] = t;
        traps += sizeof(t);
    }
}

long do_stack_switch(unsigned long ss, unsigned long sp)
{
    struct vcpu *v = current;

    v->arch.kernel_ss = ss | 3;         /* the guest kernel runs in ring 3 */
    v->arch.kernel_sp = sp;
    return 0;
}

long do_set_segment_base(unsigned long which, unsigned long base)
{
    struct vcpu *v = current;

    if ( which != SEGBASE_GS_USER_SEL && !is_canonical(base) )
        return -EINVAL;
    switch ( which )
    {
    case SEGBASE_FS:
        v->arch.fs_base = base;
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        /* In kernel mode the user's base waits in the shadow MSR (SWAPGS swaps them). */
        v->arch.gs_base_user = base;
        wrmsr(v->arch.kernel_mode ? MSR_SHADOW_GS_BASE : MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_KERNEL:
        v->arch.gs_base_kernel = base;
        wrmsr(v->arch.kernel_mode ? MSR_GS_BASE : MSR_SHADOW_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
    {
        /* Load the user's %gs selector: swap to the user base, load it (a bad selector loads 0). */
        unsigned int sel = base & 0xffff;

        __asm__ __volatile__("swapgs\n"
                             "1: movl %k0, %%gs\n"
                             "2: swapgs\n"
                             "  .pushsection .text.fixup, \"ax\"\n"
                             "3: xorl %k0, %k0\n"
                             "  movl %k0, %%gs\n"
                             "  jmp 2b\n"
                             "  .popsection\n"
                             _ASM_EXTABLE(1b, 3b)
                             : "+r"(sel) :: "memory");
        v->arch.gs_base_user = rdmsr(MSR_SHADOW_GS_BASE);
        return 0;
    }
    default:
        return -EINVAL;
    }
}

long do_fpu_taskswitch(unsigned long set)
{
    struct vcpu *v = current;

    /* Virtual CR0.TS; the real one follows so that the guest's next FPU use raises #NM. */
    if ( set )
    {
        v->arch.ctrlreg[0] |= X86_CR0_TS;
        write_cr0(read_cr0() | X86_CR0_TS);
    }
    else
    {
        v->arch.ctrlreg[0] &= ~X86_CR0_TS;
        __asm__ __volatile__("clts" ::: "memory");
    }
    return 0;
}

/* DR7 bits a guest may set: local/global enables, R/W and LEN of DR0-3 (no I/O breakpoints, GD). */
#define DR7_GUEST_MASK  0xffff00ffUL
#define DR6_DEFAULT     0xffff0ff0UL
#define DR7_DEFAULT     0x400UL

#define DEFINE_DR_ACCESS(n)                                                     \
static inline void write_dr##n(unsigned long v) { __asm__ __volatile__("mov %0, %%db" #n :: "r"(v)); } \
static inline unsigned long read_dr##n(void) { unsigned long v; __asm__ __volatile__("mov %%db" #n ", %0" : "=r"(v)); return v; }
DEFINE_DR_ACCESS(0)
DEFINE_DR_ACCESS(1)
DEFINE_DR_ACCESS(2)
DEFINE_DR_ACCESS(3)
DEFINE_DR_ACCESS(6)
DEFINE_DR_ACCESS(7)
#undef DEFINE_DR_ACCESS

/* Put v's breakpoints in the hardware (v about to run here), or none (the CPU goes idle). */
void pv_load_debugregs(const struct vcpu *v)
{
    if ( !v || !(v->arch.debugreg[7] & 0xff) )
    {
        write_dr7(DR7_DEFAULT);
        return;
    }
    write_dr7(DR7_DEFAULT);
    write_dr0(v->arch.debugreg[0]);
    write_dr1(v->arch.debugreg[1]);
    write_dr2(v->arch.debugreg[2]);
    write_dr3(v->arch.debugreg[3]);
    write_dr6(DR6_DEFAULT);
    write_dr7(v->arch.debugreg[7]);
}

/* A #DB: DR6 as the guest should see it (then reset in hardware). */
unsigned long pv_take_dr6(void)
{
    unsigned long dr6 = read_dr6();

    write_dr6(DR6_DEFAULT);
    return dr6;
}

void pv_init_debugregs(struct vcpu *v)
{
    v->arch.debugreg[6] = DR6_DEFAULT;
    v->arch.debugreg[7] = DR7_DEFAULT;
}

/* DR4 and DR5 are DR6 and DR7 unless the guest set CR4.DE; anything else does not exist (Xen). */
static int dr_alias(const struct vcpu *v, unsigned long reg)
{
    if ( reg == 4 || reg == 5 )
        return (v->arch.ctrlreg[4] & X86_CR4_DE) ? -ENODEV : (int)reg + 2;
    return reg > 7 ? -ENODEV : (int)reg;
}

long do_set_debugreg(unsigned long reg, unsigned long value)
{
    return pv_set_debugreg(current, reg, value);
}

int pv_set_debugreg(struct vcpu *v, unsigned long reg, unsigned long value)
{
    int r = dr_alias(v, reg);
    unsigned int i;

    if ( r < 0 )
        return r;
    switch ( r )
    {
    case 0: case 1: case 2: case 3:
        /* A breakpoint on the hypervisor's addresses would fire inside it. */
        if ( !is_canonical(value) || !guest_range_ok(value, 8) )
            return -EPERM;
        break;
    case 6:
        value = (value & 0xe00f) | DR6_DEFAULT;     /* reserved bits read as 1 */
        break;
    case 7:
        if ( value & ~DR7_GUEST_MASK & ~DR7_DEFAULT )
            return -EPERM;
        for ( i = 0; i < 4; i++ )                   /* R/W = 10b (I/O) only with CR4.DE: refuse */
            if ( ((value >> (16 + 4 * i)) & 3) == 2 )
                return -EPERM;
        value |= DR7_DEFAULT;
        break;
    default:
        return -EINVAL;
    }
    v->arch.debugreg[r] = value;
    if ( v == current )
        pv_load_debugregs(v);
    return 0;
}

bool pv_read_debugreg(struct vcpu *v, unsigned int reg, unsigned long *val)
{
    int r = dr_alias(v, reg);

    if ( r < 0 )
        return false;
    *val = v->arch.debugreg[r];
    return true;
}

long do_get_debugreg(unsigned long reg)
{
    struct vcpu *v = current;
    int r = dr_alias(v, reg);

    return r < 0 ? r : (long)v->arch.debugreg[r];
}

long do_callback_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current;

    switch ( cmd )
    {
    case CALLBACKOP_register:
    {
        struct callback_register r;

        if ( copy_from_guest_va(&r, arg, sizeof(r)) )
            return -EFAULT;
        switch ( r.type )
        {
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall:
        case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
        case CALLBACKTYPE_nmi:
            break;
        default:
            return -ENOSYS;
        }
        if ( !is_canonical(r.address) )
            return -EINVAL;
        v->arch.callbacks[r.type].eip = r.address;
        v->arch.callbacks[r.type].mask_events = r.flags & CALLBACKF_mask_events;
        return 0;
    }
    case CALLBACKOP_unregister:
    {
        struct callback_unregister u;

        if ( copy_from_guest_va(&u, arg, sizeof(u)) )
            return -EFAULT;
        /* As Xen: only the NMI callback can be removed; the others stay once set. */
        switch ( u.type )
        {
        case CALLBACKTYPE_nmi:
            v->arch.callbacks[u.type].eip = 0;
            return 0;
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall:
        case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
            return -EINVAL;
        default:
            return -ENOSYS;
        }
    }
    default:
        return -ENOSYS;
    }
}

long do_physdev_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current;

    switch ( cmd )
    {
    case PHYSDEVOP_set_iopl:
    {
        struct physdev_set_iopl s;

        if ( copy_from_guest_va(&s, arg, sizeof(s)) )
            return -EFAULT;
        if ( s.iopl > 3 )
            return -EINVAL;
        v->arch.iopl = s.iopl;
        return 0;
    }
    default:
        return physdev_pirq_op((unsigned int)cmd, arg);    /* interrupts and PCI: pv/physdev.c */
    }
}

long do_iret(void)
{
    struct vcpu *v = current;
    struct cpu_user_regs *regs = &get_cpu_info()->guest_cpu_user_regs;
    struct iret_context f;
    bool to_user;
    uint8_t mask;

    if ( copy_from_guest_va(&f, regs->rsp, sizeof(f)) || pv_iret_frame(&f, regs, &to_user, &mask) )
    {
        domain_crash(v->domain, "HYPERVISOR_iret with an unreadable or non-canonical frame");
        return -EFAULT;
    }
    if ( to_user && v->arch.kernel_mode )
        pv_toggle_guest_mode(v);
    v->vcpu_info->evtchn_upcall_mask = mask;
    return regs->rax;
}
