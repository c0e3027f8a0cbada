/*
 * hypercall.c (pv) - the one hypercall table, dispatch of a PV guest's SYSCALL, and the hypercall page.
 *
 * Design: a SYSCALL from guest kernel mode is a hypercall: RAX is the
 * number, RDI, RSI, RDX, R10, R8 the arguments, RAX the result (Xen's
 * 64-bit PV convention).  The table says, for each number, the handler and
 * whether only the privileged domain may call it; anything not in the table
 * returns -ENOSYS.  Handlers copy guest memory in once through the guest
 * accessors, check, act, and copy results out.  A SYSCALL from guest user
 * mode is the guest's own system call: it goes to the syscall callback the
 * kernel registered (callback_op), as a bounce frame.
 *
 * A handler that must stop part-way (a long batch) returns -ERESTART after
 * hypercall_create_continuation(): the guest's RIP is wound back over the
 * SYSCALL, so the guest re-issues it with the updated arguments.
 */
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/domctl.h>
#include <parva/grant_table.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/hypercall.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/system.h>
#include <xen/callback.h>

#define SYSCALL_INSN_LEN 2

typedef long (*hypercall_fn_t)(unsigned long, unsigned long, unsigned long, unsigned long, unsigned long);

struct hypercall_entry {
    hypercall_fn_t fn;
    bool privileged;            /* only the hardware/control domain may call it */
};

/* The handlers take fewer unsigned long arguments than five: all are passed in registers (SysV ABI). */
#define HC(nr, fn_, priv) \
    [__HYPERVISOR_##nr] = { .fn = (hypercall_fn_t)(void (*)(void))(fn_), .privileged = (priv) }

static const struct hypercall_entry hypercall_table[64] = {
    HC(set_trap_table,      do_set_trap_table,      false),
    HC(mmu_update,          do_mmu_update,          false),
    HC(set_gdt,             do_set_gdt,             false),
    HC(stack_switch,        do_stack_switch,        false),
    HC(fpu_taskswitch,      do_fpu_taskswitch,      false),
    HC(set_debugreg,        do_set_debugreg,        false),
    HC(get_debugreg,        do_get_debugreg,        false),
    HC(set_timer_op,        do_set_timer_op,        false),
    HC(update_descriptor,   do_update_descriptor,   false),
    HC(memory_op,           do_memory_op,           false),
    HC(multicall,           do_multicall,           false),
    HC(update_va_mapping,   do_update_va_mapping,   false),
    HC(xen_version,         do_xen_version,         false),
    HC(console_io,          do_console_io,          false),
    HC(vm_assist,           do_vm_assist,           false),
    HC(iret,                do_iret,                false),
    HC(vcpu_op,             do_vcpu_op,             false),
    HC(set_segment_base,    do_set_segment_base,    false),
    HC(mmuext_op,           do_mmuext_op,           false),
    HC(sched_op,            do_sched_op,            false),
    HC(callback_op,         do_callback_op,         false),
    HC(event_channel_op,    do_event_channel_op,    false),
    HC(physdev_op,          do_physdev_op,          false),
    HC(grant_table_op,      do_grant_table_op,      false),
    HC(domctl,              do_domctl,              true),
    HC(sysctl,              do_sysctl,              true),
};

long hypercall_dispatch(unsigned long nr, const unsigned long args[5])
{
    const struct hypercall_entry *e;

    if ( nr >= ARRAY_SIZE(hypercall_table) || !hypercall_table[nr].fn )
        return -ENOSYS;
    e = &hypercall_table[nr];
    if ( e->privileged && !current->domain->is_privileged )
        return -EPERM;
    return e->fn(args[0], args[1], args[2], args[3], args[4]);
}

void pv_hypercall(struct cpu_user_regs *regs)
{
    unsigned long nr = regs->rax;
    const unsigned long args[5] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8 };
    long rc;

    /* Hypercalls run with interrupts on: they may take long, and the console must stay responsive. */
    local_irq_enable();
    rc = hypercall_dispatch(nr, args);
    domain_page_release_pending();
    local_irq_disable();
    /* iret restores RAX itself; a continuation leaves the registers as it set them. */
    if ( nr != __HYPERVISOR_iret && rc != -ERESTART )
        regs->rax = rc;
}

long hypercall_create_continuation(unsigned int op, unsigned long a1, unsigned long a2, unsigned long a3,
                                   unsigned long a4, unsigned long a5)
{
    struct cpu_user_regs *regs = &get_cpu_info()->guest_cpu_user_regs;

    regs->rax = op;
    regs->rip -= SYSCALL_INSN_LEN;
    regs->rdi = a1;
    regs->rsi = a2;
    regs->rdx = a3;
    regs->r10 = a4;
    regs->r8 = a5;
    return -ERESTART;
}

void do_guest_syscall(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    const struct pv_callback *cb = &v->arch.callbacks[CALLBACKTYPE_syscall];

    if ( regs->cs == FLAT_USER_CS32 )
    {
        /*
         * SYSCALL from 32-bit code (CSTAR; AMD only): from guest user mode it goes to the
         * syscall32 callback, or the 64-bit one without it, as in Xen.  Never a hypercall.
         */
        if ( v->arch.callbacks[CALLBACKTYPE_syscall32].eip )
            cb = &v->arch.callbacks[CALLBACKTYPE_syscall32];
        if ( v->arch.kernel_mode )
            cb = NULL;
    }
    else if ( v->arch.kernel_mode )
    {
        pv_hypercall(regs);
        pv_exit_to_guest(regs);
        return;
    }
    if ( cb && cb->eip )
    {
        struct trap_bounce *tb = &v->arch.trap_bounce;

        tb->vector = 0;
        tb->eip = cb->eip;
        tb->error_code = 0;
        tb->flags = TBF_EXCEPTION | (cb->mask_events ? TBF_INTERRUPT : 0);
    }
    else
        pv_inject_trap(v, 6, false, 0);     /* no syscall callback: #UD, as Xen */
    pv_exit_to_guest(regs);
}

/*
 * The legacy hypercall page (only for kernels with the HYPERCALL_PAGE note):
 * 32-byte stubs "push %rcx; push %r11; mov $nr,%eax; syscall; pop %r11; pop %rcx; ret",
 * except iret, which leaves its frame on the stack for HYPERVISOR_iret.
 */
void pv_fill_hypercall_page(void *page)
{
    uint8_t *p = page;
    unsigned int i;

    memset(page, 0xcc, PAGE_SIZE);          /* int3 between stubs */
    for ( i = 0; i < PAGE_SIZE / 32; i++, p += 32 )
    {
        if ( i == __HYPERVISOR_iret )
        {
            static const uint8_t iret_stub[] = { 0x51, 0x41, 0x53, 0x50, 0xb8, __HYPERVISOR_iret, 0, 0, 0,
                                                 0x0f, 0x05 };

            memcpy(p, iret_stub, sizeof(iret_stub));
            continue;
        }
        p[0] = 0x51;                        /* push %rcx */
        p[1] = 0x41; p[2] = 0x53;           /* push %r11 */
        p[3] = 0xb8;                        /* mov $i, %eax */
        p[4] = i; p[5] = 0; p[6] = 0; p[7] = 0;
        p[8] = 0x0f; p[9] = 0x05;           /* syscall */
        p[10] = 0x41; p[11] = 0x5b;         /* pop %r11 */
        p[12] = 0x59;                       /* pop %rcx */
        p[13] = 0xc3;                       /* ret */
    }
}
