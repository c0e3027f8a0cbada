/*
 * run.c (pv) - running a PV vCPU on this CPU: loading its state, switching its kernel/user mode,
 * and the last step before every return to the guest.
 *
 * Design: a PV vCPU owns the CPU it runs on until it blocks or its domain
 * stops (there is no scheduler yet: one vCPU per CPU).  The hypervisor never
 * uses the GS base, so the guest's bases live in the MSRs while it runs:
 * in guest kernel mode MSR_GS_BASE holds the kernel's base and
 * MSR_SHADOW_GS_BASE the user's; switching mode is SWAPGS plus a CR3
 * change to the other root table.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_bounce.h>
#include <asm/guest_access.h>
#include <asm/system.h>
#include <xen/callback.h>
#include <asm/time.h>
#include <asm/sched.h>
#include <parva/sched.h>

void pv_load_root(struct vcpu *v)
{
    unsigned long mfn = v->arch.guest_table;

    if ( !v->arch.kernel_mode && v->arch.guest_table_user )
        mfn = v->arch.guest_table_user;
    write_cr3(pfn_to_paddr(mfn));
}

void pv_toggle_guest_mode(struct vcpu *v)
{
    v->arch.kernel_mode = !v->arch.kernel_mode;
    __asm__ __volatile__("swapgs" ::: "memory");
    pv_load_root(v);
}

static void load_segment_bases(const struct vcpu *v)
{
    wrmsr(MSR_FS_BASE, v->arch.fs_base);
    wrmsr(MSR_GS_BASE, v->arch.kernel_mode ? v->arch.gs_base_kernel : v->arch.gs_base_user);
    wrmsr(MSR_SHADOW_GS_BASE, v->arch.kernel_mode ? v->arch.gs_base_user : v->arch.gs_base_kernel);
}

/* ---- Context switches (the arch half of common/schedule.c) ---- */

static void fpu_save(struct vcpu *v)
{
    __asm__ __volatile__("clts; fxsave64 %0" : "=m"(v->arch.fpu) :: "memory");
    v->arch.fpu_initialised = true;
}

/* The vCPU's FPU state, or a clean one the first time; then its virtual CR0.TS becomes real. */
static void fpu_load(const struct vcpu *v)
{
    static const uint32_t mxcsr_default = 0x1f80;

    if ( v->arch.fpu_initialised )
        __asm__ __volatile__("clts; fxrstor64 %0" :: "m"(v->arch.fpu) : "memory");
    else
        __asm__ __volatile__("clts; fninit; ldmxcsr %0" :: "m"(mxcsr_default) : "memory");
    if ( v->arch.ctrlreg[0] & X86_CR0_TS )
        write_cr0(read_cr0() | X86_CR0_TS);
}

void arch_save_vcpu(struct vcpu *v)
{
    v->arch.regs = get_cpu_info()->guest_cpu_user_regs;
    fpu_save(v);
    pv_update_runstate_area(v);         /* still in v's address space */
}

void arch_load_vcpu(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned int cpu = smp_processor_id();

    ci->current_vcpu = v;
    __atomic_or_fetch(&v->domain->arch.dirty_cpus, 1ULL << cpu, __ATOMIC_RELEASE);
    ci->guest_cpu_user_regs = v->arch.regs;
    pv_load_root(v);
    load_segment_bases(v);
    gdt_load_guest_frames(cpu, v->arch.gdt_frames, DIV_ROUND_UP(v->arch.gdt_ents, 512));
    ldt_load_guest_frames(cpu, v->arch.ldt_frames, v->arch.ldt_nr_frames, v->arch.ldt_ents);
    pv_load_debugregs(v);
    fpu_load(v);
    pv_time_update(v);
    pv_update_runstate_area(v);
    vcpu_timers_migrate(v, cpu);
    vcpu_timers_start(v);
}

static __noreturn void enter_idle(void)
{
    sched_idle_loop();
}

__noreturn void arch_enter_idle(void)
{
    unsigned int cpu = smp_processor_id();

    get_cpu_info()->current_vcpu = NULL;
    pv_load_debugregs(NULL);
    write_cr3(virt_to_maddr(idle_pg_table));
    /* No guest frame stays mapped in this CPU's descriptor-table window while it idles. */
    gdt_load_guest_frames(cpu, NULL, 0);
    ldt_load_guest_frames(cpu, NULL, 0, 0);
    reset_stack_and_jump(enter_idle);
}

__noreturn void arch_run_current(void)
{
    struct cpu_user_regs *regs = &get_cpu_info()->guest_cpu_user_regs;

    pv_exit_to_guest(regs);
    pv_resume_guest(regs);
}

/* Deliver a pending exception frame; false if the guest's stack cannot take it. */
static bool deliver_bounce(struct vcpu *v, struct cpu_user_regs *regs)
{
    struct trap_bounce *tb = &v->arch.trap_bounce;
    struct pv_bounce b = {
        .guest_kernel_mode = v->arch.kernel_mode,
        .kernel_sp = v->arch.kernel_sp,
        .upcall_mask = v->vcpu_info->evtchn_upcall_mask,
        /* The virtual IOPL shows in the frame only with the architectural_iopl assist (Xen). */
        .iopl = (v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl)) ? v->arch.iopl : 0,
        .has_error = tb->flags & TBF_EXCEPTION_ERRCODE,
        .error_code = tb->error_code,
        .handler = tb->eip,
    };
    uint64_t frame[PV_BOUNCE_MAX_WORDS], va;
    struct cpu_user_regs out;
    unsigned int n = pv_bounce_frame(regs, &b, frame, &va, &out);

    tb->flags = 0;
    if ( !v->arch.kernel_mode )
        pv_toggle_guest_mode(v);        /* the frame goes on the kernel's stack, in its address space */
    if ( copy_to_guest_va(va, frame, n * 8) )
    {
        printk(XENLOG_ERR "d%uv%u: cannot write an exception frame (vector %u) at %#lx\n",
               v->domain->domain_id, v->vcpu_id, tb->vector, (unsigned long)va);
        return false;
    }
    *regs = out;
    return true;
}

/*
 * The last step before every return to a guest: switch vCPUs if this CPU must reschedule, then
 * deliver what is pending for the vCPU that will run: an exception frame, then an event upcall
 * (Xen's test_all_events).  A frame the guest's stack cannot take crashes its domain, whose
 * vCPUs then stop, and the loop starts over with whatever this CPU runs next.
 */
void pv_exit_to_guest(struct cpu_user_regs *regs)
{
    /* Interrupts stay off from here to the IRETQ: a wake-up or an event cannot slip in between. */
    local_irq_disable();
    for ( ; ; )
    {
        struct vcpu *v;

        if ( sched_need_resched() )
            schedule();                 /* may switch to another vCPU, or go idle for good */
        v = current;
        if ( v->arch.trap_bounce.flags & TBF_EXCEPTION )
        {
            bool mask = v->arch.trap_bounce.flags & TBF_INTERRUPT;

            if ( !deliver_bounce(v, regs) )
            {
                domain_crash(v->domain, "bad kernel stack for an exception frame");
                continue;
            }
            if ( mask )
                v->vcpu_info->evtchn_upcall_mask = 1;
        }
        if ( v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask &&
             v->arch.callbacks[CALLBACKTYPE_event].eip )
        {
            struct trap_bounce *tb = &v->arch.trap_bounce;

            tb->vector = 0;
            tb->eip = v->arch.callbacks[CALLBACKTYPE_event].eip;
            tb->error_code = 0;
            tb->flags = TBF_EXCEPTION | TBF_INTERRUPT;
            if ( !deliver_bounce(v, regs) )
            {
                domain_crash(v->domain, "bad kernel stack for an event upcall frame");
                continue;
            }
            v->vcpu_info->evtchn_upcall_mask = 1;
        }
        if ( !sched_need_resched() )
            return;
    }
}

/*
 * IRETQ to the guest faulted: the frame held a selector the CPU refused.  As Xen, the guest's
 * failsafe callback gets a frame with the segment registers (low to high: RCX, R11, DS, ES, FS,
 * GS, RIP, CS, RFLAGS, RSP, SS) on its kernel stack and runs with flat selectors; without one,
 * the domain is crashed.
 */
__noreturn void pv_bad_iret(void);
__noreturn void pv_bad_iret(void)
{
    struct vcpu *v = current;
    struct cpu_user_regs *regs = &get_cpu_info()->guest_cpu_user_regs;
    const struct pv_callback *cb;
    uint64_t frame[11], sp;
    uint16_t ds, es, fs, gs;

    BUG_ON(!v);
    cb = &v->arch.callbacks[CALLBACKTYPE_failsafe];
    if ( !cb->eip )
    {
        domain_crash(v->domain, "returning to the guest faulted (bad CS/SS/RIP in its frame), "
                     "and it has no failsafe callback");
        arch_run_current();             /* the crash switched this CPU to other work */
    }
    __asm__ __volatile__("movw %%ds, %0; movw %%es, %1; movw %%fs, %2; movw %%gs, %3"
                         : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
    /* The interrupted mode picks the stack (its own in kernel mode, stack_switch's from user). */
    sp = (v->arch.kernel_mode ? regs->rsp : v->arch.kernel_sp) & ~0xfUL;
    if ( !v->arch.kernel_mode )
        pv_toggle_guest_mode(v);
    frame[0] = regs->rcx;
    frame[1] = regs->r11;
    frame[2] = ds;
    frame[3] = es;
    frame[4] = fs;
    frame[5] = gs;
    frame[6] = regs->rip;
    frame[7] = regs->cs | ((uint64_t)v->vcpu_info->evtchn_upcall_mask << 32);
    frame[8] = regs->rflags;
    frame[9] = regs->rsp;
    frame[10] = regs->ss;
    sp -= sizeof(frame);
    if ( copy_to_guest_va(sp, frame, sizeof(frame)) )
    {
        domain_crash(v->domain, "cannot write the failsafe frame on the guest's kernel stack");
        arch_run_current();
    }
    if ( cb->mask_events )
        v->vcpu_info->evtchn_upcall_mask = 1;
    regs->rsp = sp;
    regs->rip = cb->eip;
    regs->cs = FLAT_KERNEL_CS;
    regs->ss = FLAT_KERNEL_SS;
    regs->rflags = (regs->rflags & ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_AC)) |
                   X86_EFLAGS_IF | X86_EFLAGS_MBS;
    /* The selectors that failed stay in the frame, not in the registers. */
    __asm__ __volatile__("movw %w0, %%ds; movw %w0, %%es" :: "r"(0));
    pv_resume_guest(regs);
}
