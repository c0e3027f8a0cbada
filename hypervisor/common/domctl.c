/*
 * domctl.c - HYPERVISOR_domctl: the toolstack's control of domains (Xen 4.17's XEN_DOMCTL_*,
 * interface version 0x15), for the control domain (dom0) only.
 *
 * What is here: getdomaininfo (Xen 4.17's "this domain or the next one" lookup), pausedomain
 * and unpausedomain (the controller's pause count), destroydomain (from a tasklet; boot-time
 * domains as after a shutdown), max_mem, getvcpuinfo, get/setvcpuaffinity (hard and soft),
 * scheduler_op for the credit scheduler (weight, cap), and what a domain builder needs:
 * createdomain and max_vcpus here, setvcpucontext and hypercall_init in the arch part
 * (arch_do_domctl).  Every command Parva does not know is -ENOSYS.
 *
 * The whole struct xen_domctl is copied in once, checked (interface version: -EACCES, as Xen),
 * acted on, and copied back out whole when the command has output (Xen's copyback).
 *
 * Locking: none of its own.  Domains are looked up with a reference (domain_lookup*); the
 * controller pause count is atomic; affinity and scheduling parameters go through the
 * scheduler's own interfaces and locks.
 */
#include <parva/boot_domains.h>
#include <parva/domain.h>
#include <parva/domctl.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/sched.h>
#include <parva/timer.h>
#include <asm/guest_access.h>
#include <asm/pv.h>                 /* current */

/* A vCPU's running time so far (ns); read without its scheduler lock (a consistent-enough sum). */
static uint64_t vcpu_cpu_time(const struct vcpu *v, uint64_t now)
{
    uint64_t t = v->runstate_time[VCPU_RUNNING];

    if ( v->runstate == VCPU_RUNNING && now > v->runstate_entry )
        t += now - v->runstate_entry;
    return t;
}

void domain_get_info(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint64_t now = timer_now(), cpu_time = 0;
    unsigned int online = 0, blocked = 0, running = 0;
    unsigned int nr_vcpus = d->vcpus_hidden ? 0 : d->max_vcpus;    /* none before max_vcpus */

    memset(info, 0, sizeof(*info));
    info->domain = d->domain_id;
    for ( unsigned int i = 0; i < nr_vcpus; i++ )
    {
        const struct vcpu *v = d->vcpu[i];
        unsigned int pf;

        if ( !v )
            continue;
        pf = __atomic_load_n(&v->pause_flags, __ATOMIC_RELAXED);

        cpu_time += vcpu_cpu_time(v, now);
        if ( !v->is_up || (pf & VPF_down) )
            continue;
        online++;
        if ( pf & VPF_blocked )
            blocked++;
        if ( sched_curr(v->processor) == v )
            running++;
    }
    if ( d->is_dying )
        info->flags |= XEN_DOMINF_dying;
    if ( d->is_shut_down )
        info->flags |= XEN_DOMINF_shutdown;
    /* As Xen 4.17: the shutdown code shifted in whole, ~0 (SHUTDOWN_CODE_INVALID) until set. */
    info->flags |= d->shutdown_code << XEN_DOMINF_shutdownshift;
    if ( __atomic_load_n(&d->controller_pause_count, __ATOMIC_RELAXED) )
        info->flags |= XEN_DOMINF_paused;
    /* As Xen: blocked when every online vCPU is, running when one is on a CPU. */
    if ( online && blocked == online )
        info->flags |= XEN_DOMINF_blocked;
    if ( running )
        info->flags |= XEN_DOMINF_running;
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = d->shared_info_mfn;
    info->cpu_time = cpu_time;
    info->nr_online_vcpus = online;
    info->max_vcpu_id = nr_vcpus ? nr_vcpus - 1 : XEN_INVALID_MAX_VCPU_ID;
    memcpy(info->handle, d->handle, sizeof(info->handle));
    info->cpupool = 0;
    info->gpaddr_bits = arch_domain_gpaddr_bits(d);
}

/* Pause by the controller: every vCPU stops and is off its CPU when this returns. */
static int domain_pause_by_controller(struct domain *d)
{
    unsigned int old = __atomic_load_n(&d->controller_pause_count, __ATOMIC_RELAXED);
    struct vcpu *v;

    do {
        if ( old >= 255 )
            return -EOVERFLOW;                  /* Xen's limit on nested controller pauses */
    } while ( !__atomic_compare_exchange_n(&d->controller_pause_count, &old, old + 1, false,
                                           __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) );
    if ( old == 0 )
    {
        for_each_vcpu ( d, v )
            vcpu_pause_flag_set(v, VPF_paused);
    }
    for_each_vcpu ( d, v )
    {
        while ( sched_curr(__atomic_load_n(&v->processor, __ATOMIC_RELAXED)) == v &&
                (__atomic_load_n(&v->pause_flags, __ATOMIC_RELAXED) & VPF_paused) )
            cpu_relax();
    }
    return 0;
}

static int domain_unpause_by_controller(struct domain *d)
{
    unsigned int old = __atomic_load_n(&d->controller_pause_count, __ATOMIC_RELAXED);
    struct vcpu *v;

    do {
        if ( old == 0 )
            return -EINVAL;                     /* not paused by the controller */
    } while ( !__atomic_compare_exchange_n(&d->controller_pause_count, &old, old - 1, false,
                                           __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) );
    if ( old == 1 )
    {
        for_each_vcpu ( d, v )
            vcpu_pause_flag_clear(v, VPF_paused);
    }
    return 0;
}

/* The vCPU of d named by a domctl: -EINVAL beyond max_vcpus, -ESRCH if not created (as Xen). */
static struct vcpu *domctl_vcpu(struct domain *d, uint32_t id, long *rc)
{
    *rc = id >= d->max_vcpus ? -EINVAL : !d->vcpu[id] || d->vcpus_hidden ? -ESRCH : 0;
    return *rc ? NULL : d->vcpu[id];
}

/* xenctl_bitmap <-> cpumask_t: bytes of CPUs 0, 8, ... (bit i of byte j is CPU 8j + i). */
/* The bytes of a bitmap of nr_bits bits that we read or write: at most the first limit. */
static unsigned int bitmap_bytes(uint32_t nr_bits, unsigned int limit)
{
    uint32_t bytes = nr_bits / 8 + (nr_bits % 8 != 0);

    return bytes < limit ? bytes : limit;
}

static int bitmap_to_mask(const struct xenctl_bitmap *b, cpumask_t *m)
{
    uint8_t bytes[sizeof(cpumask_t)] = { 0 };
    unsigned int n = bitmap_bytes(b->nr_bits, sizeof(bytes));

    if ( n && copy_from_guest_va(bytes, (unsigned long)b->bitmap.p, n) )
        return -EFAULT;
    if ( n && b->nr_bits < 8 * n )
        bytes[n - 1] &= (1U << (b->nr_bits % 8)) - 1;    /* bits past nr_bits are not ours */
    *m = 0;
    for ( unsigned int i = 0; i < sizeof(bytes); i++ )
        *m |= (cpumask_t)bytes[i] << (8 * i);
    return 0;
}

static int mask_to_bitmap(cpumask_t m, const struct xenctl_bitmap *b)
{
    uint8_t bytes[64];
    unsigned int n = bitmap_bytes(b->nr_bits, sizeof(bytes));

    memset(bytes, 0, sizeof(bytes));
    if ( !n )
        return 0;
    for ( unsigned int i = 0; i < sizeof(cpumask_t) && i < n; i++ )
        bytes[i] = (uint8_t)(m >> (8 * i));
    if ( b->nr_bits < 8 * n )
        bytes[n - 1] &= (1U << (b->nr_bits % 8)) - 1;
    return copy_to_guest_va((unsigned long)b->bitmap.p, bytes, n) ? -EFAULT : 0;
}

static long vcpu_affinity(struct domain *d, struct xen_domctl *op)
{
    struct xen_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
    long vrc;
    struct vcpu *v = domctl_vcpu(d, a->vcpu, &vrc);
    cpumask_t hard, soft;
    int rc;

    if ( !v )
        return vrc;
    if ( !(a->flags & (XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT)) ||
         (a->flags & ~(XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT | XEN_VCPUAFFINITY_FORCE)) )
        return -EINVAL;
    if ( op->cmd == XEN_DOMCTL_getvcpuaffinity )
    {
        if ( (a->flags & XEN_VCPUAFFINITY_HARD) && (rc = mask_to_bitmap(v->hard_affinity, &a->cpumap_hard)) )
            return rc;
        if ( (a->flags & XEN_VCPUAFFINITY_SOFT) && (rc = mask_to_bitmap(v->soft_affinity, &a->cpumap_soft)) )
            return rc;
        return 0;
    }
    hard = v->hard_affinity;
    soft = v->soft_affinity;
    if ( (a->flags & XEN_VCPUAFFINITY_HARD) && (rc = bitmap_to_mask(&a->cpumap_hard, &hard)) )
        return rc;
    if ( (a->flags & XEN_VCPUAFFINITY_SOFT) && (rc = bitmap_to_mask(&a->cpumap_soft, &soft)) )
        return rc;
    rc = vcpu_set_affinity(v, hard, soft);
    if ( rc )
        return rc;
    /* OUT: the effective masks (with the online CPUs; soft also within hard). */
    if ( (a->flags & XEN_VCPUAFFINITY_HARD) &&
         (rc = mask_to_bitmap(hard & sched_online_cpus(), &a->cpumap_hard)) )
        return rc;
    if ( (a->flags & XEN_VCPUAFFINITY_SOFT) &&
         (rc = mask_to_bitmap(soft & hard & sched_online_cpus(), &a->cpumap_soft)) )
        return rc;
    return 0;
}

static long scheduler_op(struct domain *d, struct xen_domctl_scheduler_op *s)
{
    struct sched_params p = d->sched_params;
    unsigned int limit = 100 * d->max_vcpus;
    int rc;

    if ( s->sched_id != sched_xen_id() )
        return -EINVAL;
    switch ( s->cmd )
    {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        s->u.credit.weight = (uint16_t)p.weight;
        s->u.credit.cap = (uint16_t)p.cap;
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo:
        /* As Xen's credit: weight 0 and cap 0xffff leave them as they are. */
        if ( s->u.credit.weight )
            p.weight = s->u.credit.weight;
        if ( s->u.credit.cap != (uint16_t)~0U )
            p.cap = s->u.credit.cap;
        /* A cap the vCPUs cannot reach is no cap (Xen accepts any); getinfo returns it as set. */
        {
            struct sched_params eff = p;
            unsigned int cap = p.cap;

            if ( eff.cap >= limit )
                eff.cap = 0;
            rc = sched_adjust(d, &eff);
            if ( !rc )
                d->sched_params.cap = cap;
        }
        return rc;
    default:
        return -EINVAL;
    }
}

/*
 * XEN_DOMCTL_createdomain: an unprivileged PV domain with config->max_vcpus vCPUs (all down),
 * paused by the controller (as Xen: the toolstack builds it, then unpauses it), no memory
 * (max_mem comes next).  op->domain 0 (or a reserved id) picks a free one; another is -EEXIST if
 * taken.  HVM, HAP, an IOMMU, nested virtualisation and vPMU are Xen's alone: -EINVAL.  The
 * event-channel, grant and maptrack limits are taken as Parva's defaults.
 */
static long create_domain(struct xen_domctl *op)
{
    const struct xen_domctl_createdomain *c = &op->u.createdomain;
    domid_t id = op->domain;
    struct domain *d;
    struct vcpu *v;
    int rc;

    if ( c->flags & (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap | XEN_DOMCTL_CDF_iommu |
                     XEN_DOMCTL_CDF_nested_virt | XEN_DOMCTL_CDF_vpmu | ~(XEN_DOMCTL_CDF_MAX * 2 - 1)) )
        return -EINVAL;
    if ( c->max_vcpus == 0 || c->max_vcpus > MAX_VIRT_CPUS || c->iommu_opts || c->vmtrace_size ||
         c->cpupool_id || (c->grant_opts & ~XEN_DOMCTL_GRANT_version_mask) )
        return -EINVAL;
    if ( id == 0 || id >= DOMID_FIRST_RESERVED )
    {
        id = domain_next_free_id();
        if ( !id )
            return -ENOMEM;
    }
    d = domain_create(id, c->max_vcpus, false, &rc);
    if ( !d )
        return rc;
    memcpy(d->handle, c->handle, sizeof(d->handle));
    d->vcpus_hidden = true;         /* Xen 4.17: the vCPUs come with XEN_DOMCTL_max_vcpus */
    d->controller_pause_count = 1;
    for_each_vcpu ( d, v )
        vcpu_pause_flag_set(v, VPF_paused);
    printk(XENLOG_INFO "Domain %u created by the control domain: %u vCPU%s, paused\n", id, c->max_vcpus,
           c->max_vcpus == 1 ? "" : "s");
    op->domain = id;
    return 0;
}

long do_domctl(unsigned long arg)
{
    struct xen_domctl op;
    struct domain *d = NULL;
    bool copyback = false;
    long rc;

    if ( copy_from_guest_va(&op, arg, sizeof(op)) )
        return -EFAULT;
    if ( op.interface_version != XEN_DOMCTL_INTERFACE_VERSION )
        return -EACCES;

    if ( op.cmd == XEN_DOMCTL_getdomaininfo )
    {
        /* Xen 4.17: the domain named, or the first one after it. */
        d = domain_lookup_from(op.domain);
        if ( !d )
            return -ESRCH;
        domain_get_info(d, &op.u.getdomaininfo);
        op.domain = d->domain_id;
        put_domain(d);
        return copy_to_guest_va(arg, &op, sizeof(op)) ? -EFAULT : 0;
    }

    if ( op.cmd == XEN_DOMCTL_createdomain )
    {
        rc = create_domain(&op);
        if ( !rc && copy_to_guest_va(arg, &op, sizeof(op)) )
            rc = -EFAULT;                   /* as Xen: the domain stays, paused, for destroydomain */
        return rc;
    }

    d = domain_lookup(op.domain);
    if ( !d )
        return -ESRCH;
    switch ( op.cmd )
    {
    case XEN_DOMCTL_pausedomain:
        rc = d == current->domain ? -EINVAL : domain_pause_by_controller(d);
        break;
    case XEN_DOMCTL_unpausedomain:
        rc = d == current->domain ? -EINVAL : domain_unpause_by_controller(d);
        break;
    case XEN_DOMCTL_destroydomain:
        rc = d == current->domain || d->is_privileged ? -EINVAL : domain_destroy_by_controller(d);
        break;
    case XEN_DOMCTL_max_vcpus:
        /* Xen 4.17 still wants it after createdomain, with the same count, to make the vCPUs. */
        rc = op.u.max_vcpus.max == d->max_vcpus ? 0 : -EINVAL;
        if ( !rc )
            d->vcpus_hidden = false;
        break;
    case XEN_DOMCTL_max_mem:
        /* As Xen: any value, even below what the domain holds (it cannot grow until under it). */
        d->max_pages = op.u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
        rc = 0;
        break;
    case XEN_DOMCTL_getvcpuinfo:
    {
        struct vcpu *v = domctl_vcpu(d, op.u.getvcpuinfo.vcpu, &rc);

        if ( !v )
            break;
        op.u.getvcpuinfo.online = v->is_up && !(v->pause_flags & VPF_down);
        op.u.getvcpuinfo.blocked = !!(v->pause_flags & VPF_blocked);
        op.u.getvcpuinfo.running = sched_curr(v->processor) == v;
        op.u.getvcpuinfo.cpu_time = vcpu_cpu_time(v, timer_now());
        op.u.getvcpuinfo.cpu = v->processor;
        rc = 0;
        copyback = true;
        break;
    }
    case XEN_DOMCTL_setvcpuaffinity:
    case XEN_DOMCTL_getvcpuaffinity:
        rc = vcpu_affinity(d, &op);
        copyback = !rc;
        break;
    case XEN_DOMCTL_scheduler_op:
        rc = scheduler_op(d, &op.u.scheduler_op);
        copyback = !rc;
        break;
    default:
        rc = arch_do_domctl(&op, d, &copyback);
        break;
    }
    put_domain(d);
    if ( copyback && copy_to_guest_va(arg, &op, sizeof(op)) )
        rc = -EFAULT;
    return rc;
}
