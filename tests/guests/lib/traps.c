/*
 * traps.c - the virtual IDT, the callbacks, and the C side of exception/syscall/event entry.
 *
 * Design: see traps.h. trap_dispatch() runs on whatever stack Xen delivered the frame to: the current
 * one for faults in guest kernel mode, kernel_sp (stack_switch) for anything raised in guest user mode.
 * A fault inside trap_dispatch itself is caught by a depth counter and ends the test at once.
 */
#include "guest.h"

BUILD_BUG_ON(offsetof(struct cpu_regs, rax) != REGS_rax);
BUILD_BUG_ON(offsetof(struct cpu_regs, rdi) != REGS_rdi);
BUILD_BUG_ON(offsetof(struct cpu_regs, vector) != REGS_vector);
BUILD_BUG_ON(offsetof(struct cpu_regs, ss) != REGS_ss);
BUILD_BUG_ON(sizeof(struct cpu_regs) != REGS_SIZE);

extern const unsigned long entry_table[32];
extern char entry_syscall[], entry_event[], entry_failsafe[];
extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

volatile struct exinfo ex_last = { .vector = EX_NONE };
volatile unsigned int ex_count;
volatile struct exinfo syscall_last = { .vector = EX_NONE };
volatile unsigned int syscall_count;
volatile unsigned int event_count;
trap_hook_t ex_hook, syscall_hook, event_hook;
struct trap_info trap_table[33];

static const char *const names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP",
    "#PF", "#SPV", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27",
    "#HV", "#VC", "#SX", "#31",
};

const char *vector_name(unsigned int vector)
{
    if ( vector < 32 )
        return names[vector];
    if ( vector == VEC_SYSCALL )
        return "syscall";
    if ( vector == VEC_EVENT )
        return "event";
    if ( vector == VEC_FAILSAFE )
        return "failsafe";
    return "?";
}

bool vector_has_error_code(unsigned int vector)
{
    return vector < 32 && ((1u << vector) & 0x60227d00u);
}

unsigned long traps_entry(unsigned int vector)
{
    return vector < 32 ? entry_table[vector] : 0;
}

void ex_reset(void)
{
    memset((void *)&ex_last, 0, sizeof(ex_last));
    ex_last.vector = EX_NONE;
    ex_count = 0;
    barrier();
}

static void record(volatile struct exinfo *ex, const struct cpu_regs *regs)
{
    const vcpu_info_t *vi = this_vcpu_info();
    unsigned int vector = regs->vector;

    ex->vector = vector;
    ex->has_error_code = vector_has_error_code(vector);
    ex->error_code = regs->error_code;
    ex->rip = regs->rip;
    ex->cs = regs->cs;
    ex->rflags = regs->rflags;
    ex->rsp = regs->rsp;
    ex->ss = regs->ss;
    ex->cr2 = vi ? vi->arch.cr2 : 0;
    ex->upcall_mask = vi ? vi->evtchn_upcall_mask : 0xff;
    ex->frame = (uint64_t)&regs->rip - (ex->has_error_code ? 24 : 16);
    memcpy((void *)&ex->regs, regs, sizeof(*regs));
}

static unsigned long extable_find(unsigned long rip)
{
    const struct extable_entry *e;

    for ( e = __start_ex_table; e < __stop_ex_table; e++ )
    {
        if ( e->insn == rip )
            return e->fixup;
    }
    return 0;
}

static void __noreturn unhandled(const struct cpu_regs *regs, const char *what)
{
    const vcpu_info_t *vi = this_vcpu_info();

    printf("Unhandled %s %s: rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx error %#lx cr2 %#lx\n",
           what, vector_name(regs->vector), regs->rip, regs->cs, regs->rflags, regs->rsp, regs->ss,
           regs->error_code, vi ? vi->arch.cr2 : 0);
    printf("  rax %#lx rbx %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx rbp %#lx\n",
           regs->rax, regs->rbx, regs->rcx, regs->rdx, regs->rsi, regs->rdi, regs->rbp);
    printf("  r8 %#lx r9 %#lx r10 %#lx r11 %#lx r12 %#lx r13 %#lx r14 %#lx r15 %#lx\n",
           regs->r8, regs->r9, regs->r10, regs->r11, regs->r12, regs->r13, regs->r14, regs->r15);
    report_fatal("unhandled %s %s[%04lx] at rip %#lx (cs %#lx, rsp %#lx, cr2 %#lx)", what,
                 vector_name(regs->vector), regs->error_code, regs->rip, regs->cs, regs->rsp,
                 vi ? vi->arch.cr2 : 0);
}

static void handle_event(struct cpu_regs *regs)
{
    vcpu_info_t *vi = this_vcpu_info();
    unsigned long sel;

    __atomic_add_fetch(&event_count, 1, __ATOMIC_RELAXED);
    if ( event_hook && event_hook(regs) )
        return;

    /* Nobody asked for events: acknowledge and mask whatever is pending so it cannot storm. */
    vi->evtchn_upcall_pending = 0;
    sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    for ( unsigned int w = 0; sel; w++, sel >>= 1 )
    {
        if ( !(sel & 1) )
            continue;
        __atomic_or_fetch(&shared_info->evtchn_mask[w], shared_info->evtchn_pending[w], __ATOMIC_SEQ_CST);
        __atomic_and_fetch(&shared_info->evtchn_pending[w], 0, __ATOMIC_SEQ_CST);
    }
}

void trap_dispatch(struct cpu_regs *regs)
{
    unsigned int *depth = &smp_this()->dispatch_depth;     /* per vCPU */
    unsigned long fixup;

    if ( ++*depth > 2 )
    {
        printf("Test result: ERROR recursive exception %s at rip %#lx\n",
               vector_name(regs->vector), regs->rip);
        guest_shutdown(SHUTDOWN_crash);
    }

    switch ( regs->vector )
    {
    case VEC_EVENT:
        handle_event(regs);
        goto out;

    case VEC_FAILSAFE:
        unhandled(regs, "failsafe callback");

    case VEC_SYSCALL:
        record(&syscall_last, regs);
        syscall_count++;
        if ( user_ctx.active && regs->rax == USER_EXIT_MAGIC )
        {
            (*depth)--;
            user_return(regs->rdi);
        }
        if ( syscall_hook && syscall_hook(regs) )
            goto out;
        unhandled(regs, "syscall");
    }

    record(&ex_last, regs);
    if ( ex_hook && ex_hook(regs) )
        goto out;

    fixup = extable_find(regs->rip);
    if ( fixup )
    {
        ex_count++;
        regs->rip = fixup;
        goto out;
    }

    if ( (regs->cs & 3) == 3 && user_ctx.active )
    {
        user_faulted = true;
        (*depth)--;
        user_return(USER_FAULTED);
    }

    unhandled(regs, "exception");

 out:
    (*depth)--;
}

long traps_init(void)
{
    struct callback_register cb = { .flags = CALLBACKF_mask_events };
    long rc;

    for ( unsigned int v = 0; v < 32; v++ )
    {
        trap_table[v].vector = v;
        /* int3 may be used from user mode; every other vector only by hardware. */
        trap_table[v].flags = v == 3 ? 3 : 0;
        trap_table[v].cs = GUEST_KERNEL_CS;
        trap_table[v].address = entry_table[v];
    }
    memset(&trap_table[32], 0, sizeof(trap_table[32]));

    rc = hypercall_set_trap_table(trap_table);
    if ( rc )
        return rc;

    cb.type = CALLBACKTYPE_event;
    cb.address = (unsigned long)entry_event;
    rc = hypercall_callback_op(CALLBACKOP_register, &cb);
    if ( rc )
        return rc;

    cb.type = CALLBACKTYPE_failsafe;
    cb.address = (unsigned long)entry_failsafe;
    rc = hypercall_callback_op(CALLBACKOP_register, &cb);
    if ( rc )
        return rc;

    cb.type = CALLBACKTYPE_syscall;
    cb.address = (unsigned long)entry_syscall;
    return hypercall_callback_op(CALLBACKOP_register, &cb);
}

long traps_set_flags(unsigned int vector, unsigned int flags)
{
    struct trap_info ti[2] = { { 0 } };

    if ( vector >= 32 )
        return -EINVAL;
    trap_table[vector].flags = flags;
    ti[0] = trap_table[vector];
    return hypercall_set_trap_table(ti);
}
