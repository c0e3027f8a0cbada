/* smp.c - per-vCPU data, secondary vCPU bring-up and work posting (see smp.h). */
#include "guest.h"

struct smp_vcpu smp_vcpus[SMP_MAX_VCPUS];
unsigned int smp_nr_vcpus = 1;
bool smp_ready;

/* One context at a time (vCPU 0 brings the others up); too big for the stack. */
static struct vcpu_guest_context smp_ctx;

extern char entry_event[], entry_failsafe[], entry_syscall[];

vcpu_info_t *this_vcpu_info(void)
{
    unsigned int id = smp_id();

    return id ? smp_vcpus[id].info : vcpu0_info;
}

long smp_is_up(unsigned int id)
{
    return hypercall_vcpu_op(VCPUOP_is_up, id, NULL);
}

long smp_vcpu_up(unsigned int id)
{
    return hypercall_vcpu_op(VCPUOP_up, id, NULL);
}

long smp_vcpu_down(unsigned int id)
{
    return hypercall_vcpu_op(VCPUOP_down, id, NULL);
}

long smp_runstate(unsigned int id, struct vcpu_runstate_info *ri)
{
    return hypercall_vcpu_op(VCPUOP_get_runstate_info, id, ri);
}

void smp_spin_ns(uint64_t ns)
{
    uint64_t end = guest_system_time() + ns;

    while ( guest_system_time() < end )
        asm volatile ( "pause" ::: "memory" );
}

static void kick_handler(evtchn_port_t port, void *arg)
{
    /* Nothing to do: the event only ends a SCHEDOP_block; the waiter re-checks its condition. */
}

long smp_init(void)
{
    unsigned int n;
    long rc;

    if ( smp_ready )
        return 0;
    for ( n = 1; n < SMP_MAX_VCPUS; n++ )
    {
        rc = smp_is_up(n);
        if ( rc == -ENOENT )
            break;
        if ( rc < 0 )
            return rc;
    }
    smp_nr_vcpus = n;
    for ( n = 0; n < SMP_MAX_VCPUS; n++ )
    {
        smp_vcpus[n].self = &smp_vcpus[n];
        smp_vcpus[n].id = n;
        smp_vcpus[n].info = n < XEN_LEGACY_MAX_VCPUS ? &shared_info->vcpu_info[n] : NULL;
    }
    smp_vcpus[0].online = true;
    rc = hypercall_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&smp_vcpus[0]);
    if ( rc )
        return rc;
    __atomic_store_n(&smp_ready, true, __ATOMIC_SEQ_CST);
    if ( smp_id() != 0 || smp_this() != &smp_vcpus[0] )
        return -EINVAL;
    evtchn_init();
    for ( n = 0; n < smp_nr_vcpus; n++ )
    {
        rc = evtchn_bind_ipi(n, kick_handler, NULL);
        if ( rc < 0 )
            return rc;
        smp_vcpus[n].kick_port = rc;
    }
    return 0;
}

long smp_prepare(unsigned int id, bool own_vcpu_info)
{
    struct smp_vcpu *sv = &smp_vcpus[id];
    unsigned long first = 0;
    long rc;

    if ( id == 0 || id >= smp_nr_vcpus )
        return -EINVAL;
    if ( !sv->stack_top )
    {
        for ( unsigned int i = 0; i < SMP_STACK_PAGES; i++ )
        {
            unsigned long p = (unsigned long)alloc_page();

            if ( i == 0 )
                first = p;
            else if ( p != first + i * PAGE_SIZE )
                return -ENOMEM;         /* the pool is a bump allocator: cannot happen */
        }
        sv->stack_top = first + SMP_STACK_PAGES * PAGE_SIZE;
    }
    if ( !sv->gdt )
    {
        uint64_t *gdt = alloc_page();

        /* A GDT frame must not be writable anywhere (Xen validates it as a descriptor page). */
        rc = set_page_writable(gdt, false);
        if ( rc )
            return rc;
        sv->gdt = gdt;
    }
    if ( own_vcpu_info )
    {
        /* One page per vCPU, the vcpu_info at an offset as Linux's per-CPU xen_vcpu_info. */
        uint8_t *page = alloc_page();
        struct vcpu_register_vcpu_info r = { .mfn = virt_to_mfn(page), .offset = 0x80 };

        rc = hypercall_vcpu_op(VCPUOP_register_vcpu_info, id, &r);
        if ( rc )
            return rc;
        sv->info = (vcpu_info_t *)(page + 0x80);
    }
    return 0;
}

static void __noreturn smp_secondary_entry(struct smp_vcpu *me);

void smp_fill_context(unsigned int id, struct vcpu_guest_context *ctx)
{
    struct smp_vcpu *sv = &smp_vcpus[id];

    memset(ctx, 0, sizeof(*ctx));
    ctx->flags = VGCF_in_kernel | VGCF_failsafe_disables_events | VGCF_syscall_disables_events;
    ctx->user_regs.rip = (unsigned long)smp_secondary_entry;
    /* As after a call: the C ABI wants %rsp + 8 16-byte aligned at a function's first instruction. */
    ctx->user_regs.rsp = sv->stack_top - 8;
    ctx->user_regs.rdi = (unsigned long)sv;
    ctx->user_regs.cs = GUEST_KERNEL_CS;
    ctx->user_regs.ss = GUEST_KERNEL_SS;
    ctx->user_regs.rflags = X86_EFLAGS_MBS;
    /* The framework's virtual IDT, indexed by vector as Xen's trap_ctxt is. */
    for ( unsigned int v = 0; v < 32; v++ )
        ctx->trap_ctxt[v] = trap_table[v];
    if ( sv->gdt )
    {
        ctx->gdt_frames[0] = virt_to_mfn(sv->gdt);
        ctx->gdt_ents = 16;
    }
    ctx->kernel_ss = GUEST_KERNEL_SS;
    ctx->kernel_sp = sv->stack_top;
    ctx->ctrlreg[3] = xen_pfn_to_cr3(cur_l4_mfn());
    ctx->event_callback_eip = (unsigned long)entry_event;
    ctx->failsafe_callback_eip = (unsigned long)entry_failsafe;
    ctx->syscall_callback_eip = (unsigned long)entry_syscall;
    ctx->gs_base_kernel = (unsigned long)sv;
}

long smp_initialise(unsigned int id)
{
    smp_fill_context(id, &smp_ctx);
    return hypercall_vcpu_op(VCPUOP_initialise, id, &smp_ctx);
}

long smp_up(unsigned int id)
{
    long rc = smp_vcpu_up(id);
    uint64_t end = guest_system_time() + 5000000000ull;

    if ( rc )
        return rc;
    while ( !ACCESS_ONCE(smp_vcpus[id].online) )
    {
        if ( guest_system_time() > end )
            return -ETIMEDOUT;
        hypercall_sched_op(SCHEDOP_yield, NULL);
    }
    return 0;
}

bool smp_bring_up(unsigned int id, bool own_vcpu_info)
{
    long rc;

    if ( (rc = smp_prepare(id, own_vcpu_info)) != 0 )
    {
        report_error("smp: preparing vCPU %u: %ld (%s)", id, rc, errno_name(rc));
        return false;
    }
    if ( (rc = smp_initialise(id)) != 0 )
    {
        report_fail("smp: VCPUOP_initialise(%u): %ld (%s)", id, rc, errno_name(rc));
        return false;
    }
    if ( (rc = smp_up(id)) != 0 )
    {
        report_fail("smp: bringing vCPU %u up: %ld (%s)", id, rc, errno_name(rc));
        return false;
    }
    if ( !smp_vcpus[id].entry_ok )
        report_fail("smp: vCPU %u did not find its per-vCPU data through its GS base", id);
    return true;
}

void smp_post(unsigned int id, smp_work_t fn, void *arg)
{
    struct smp_vcpu *sv = &smp_vcpus[id];

    sv->work_from = smp_id();
    sv->work_arg = arg;
    __atomic_store_n(&sv->work, fn, __ATOMIC_SEQ_CST);
    evtchn_send(sv->kick_port);
}

void smp_wait_idle(unsigned int id)
{
    smp_wait_until(!ACCESS_ONCE(smp_vcpus[id].work));
}

void smp_run(unsigned int id, smp_work_t fn, void *arg)
{
    if ( id == smp_id() )
    {
        fn(arg);
        return;
    }
    smp_post(id, fn, arg);
    smp_wait_idle(id);
}

void smp_run_all(smp_work_t fn, void *arg)
{
    unsigned int me = smp_id();

    for ( unsigned int i = 0; i < smp_nr_vcpus; i++ )
        if ( i != me && smp_vcpus[i].online )
            smp_post(i, fn, arg);
    fn(arg);
    for ( unsigned int i = 0; i < smp_nr_vcpus; i++ )
        if ( i != me && smp_vcpus[i].online )
            smp_wait_idle(i);
}

/* A secondary vCPU's first instruction (VCPUOP_initialise's %rip): %rdi is its struct smp_vcpu. */
static void __noreturn smp_secondary_entry(struct smp_vcpu *me)
{
    vcpu_info_t *vi = me->info;

    me->entry_upcall_mask = vi ? vi->evtchn_upcall_mask : 0xff;
    if ( vi )
        vi->evtchn_upcall_mask = 1;
    me->entry_ok = smp_this() == me && smp_id() == me->id;
    __atomic_store_n(&me->online, true, __ATOMIC_SEQ_CST);
    if ( !me->entry_ok )
        report_fatal("smp: vCPU %lu: %%gs does not lead to its per-vCPU data", me->id);

    for ( ;; )
    {
        smp_work_t fn;

        smp_wait_until((fn = ACCESS_ONCE(me->work)) != NULL);
        fn(me->work_arg);
        me->work_done++;
        __atomic_store_n(&me->work, NULL, __ATOMIC_SEQ_CST);
        evtchn_send(smp_vcpus[me->work_from].kick_port);
    }
}

void smp_finish_by_last_down(void)
{
    unsigned int me = smp_id();
    long rc;

    for ( unsigned int i = 0; i < smp_nr_vcpus; i++ )
    {
        uint64_t end = guest_system_time() + 2000000000ull;

        if ( i == me || smp_is_up(i) != 1 )
            continue;
        rc = smp_vcpu_down(i);
        if ( rc )
            report_fail("VCPUOP_down(%u) from vCPU %u: %ld (%s)", i, me, rc, errno_name(rc));
        while ( smp_is_up(i) == 1 && guest_system_time() < end )
            hypercall_sched_op(SCHEDOP_yield, NULL);
    }
    test_print_result();
    printf("smp: vCPU %u is the last vCPU up: VCPUOP_down(%u) (Xen 4.17 powers the domain off)\n", me, me);
    rc = smp_vcpu_down(me);
    printf("smp: VCPUOP_down of the last vCPU up returned %ld (%s): the domain was not shut down\n", rc,
           errno_name(rc));
    guest_shutdown(SHUTDOWN_poweroff);
}
