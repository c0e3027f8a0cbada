/*
 * sysctl.c - HYPERVISOR_sysctl: the toolstack's view of the machine (Xen 4.17's XEN_SYSCTL_*,
 * interface version 0x15), for the control domain (dom0) only.
 *
 * What is here: readconsole (`xl dmesg`: the console ring, read whole or from an index, and
 * cleared), physinfo (`xl info`), getdomaininfolist (`xl list`), sched_id and debug_keys
 * (`xl debug-keys`: keys handled as if typed on the console).  Every other command is -ENOSYS.
 *
 * As in domctl.c the struct is copied in once, checked (interface version: -EACCES), and copied
 * back out whole.  readconsole copies to the guest in chunks and reads at most the console
 * ring's size per call; getdomaininfolist takes a reference on each domain in turn (never two
 * at once) and writes one record at a time, at most max_domains.
 *
 * Locking: none of its own (the console lock inside console_ring_read/discard, the domain
 * list's lock inside domain_lookup_from).
 */
#include <parva/console.h>
#include <parva/keyhandler.h>
#include <parva/domain.h>
#include <parva/domctl.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/sched.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>

#define READ_CHUNK  512

static long readconsole(struct xen_sysctl_readconsole *rc)
{
    uint64_t oldest, idx;
    uint32_t done = 0;
    char buf[READ_CHUNK];

    /*
     * Xen's index is the low 32 bits of a free-running byte count: read from the oldest byte
     * held, or (incremental) from the given index when it is newer.
     */
    console_ring_bounds(&oldest, NULL);
    idx = oldest;
    if ( rc->incremental && (int32_t)(rc->index - (uint32_t)oldest) > 0 )
        idx = oldest + (uint32_t)(rc->index - (uint32_t)oldest);
    while ( done < rc->count )
    {
        size_t n = console_ring_read(&idx, buf, min(rc->count - done, (uint32_t)sizeof(buf)));

        if ( !n )
            break;
        if ( copy_to_guest_va((unsigned long)rc->buffer.p + done, buf, n) )
            return -EFAULT;
        done += n;
    }
    if ( rc->clear )
        console_ring_discard(idx);
    rc->count = done;
    rc->index = (uint32_t)idx;
    return 0;
}

static void physinfo(struct xen_sysctl_physinfo *pi)
{
    cpumask_t online = sched_online_cpus();

    memset(pi, 0, sizeof(*pi));
    pi->threads_per_core = 1;
    pi->cores_per_socket = cpumask_weight(online);
    pi->nr_cpus = cpumask_weight(online);
    pi->max_cpu_id = online ? 63 - __builtin_clzll(online) : 0;
    pi->nr_nodes = 1;
    pi->max_node_id = 0;
    pi->capabilities = XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_gnttab_v1 | XEN_SYSCTL_PHYSCAP_gnttab_v2;
    pi->total_pages = heap_total_count();
    pi->free_pages = heap_free_count();
    pi->max_mfn = max_page ? max_page - 1 : 0;
    arch_physinfo(pi);                      /* cpu_khz, hw_cap, directio */
}

static long getdomaininfolist(struct xen_sysctl_getdomaininfolist *l)
{
    struct xen_domctl_getdomaininfo info;
    unsigned int n = 0;
    domid_t next = l->first_domain;
    struct domain *d;

    while ( n < l->max_domains && (d = domain_lookup_from(next)) != NULL )
    {
        domain_get_info(d, &info);
        next = d->domain_id + 1;
        put_domain(d);
        if ( copy_to_guest_va((unsigned long)l->buffer.p + n * sizeof(info), &info, sizeof(info)) )
            return -EFAULT;
        n++;
        if ( next == 0 || next >= DOMID_FIRST_RESERVED )
            break;
    }
    l->num_domains = n;
    return 0;
}

#define KEYS_PER_CALL   64

/*
 * XEN_SYSCTL_debug_keys (`xl debug-keys`): each key as if typed on the hypervisor's console.  A
 * key's handler may print a lot, so at most KEYS_PER_CALL keys are handled per call: the rest
 * continue in a re-issued hypercall, the structure in guest memory moved past the keys done.
 */
static long debug_keys(unsigned long arg, struct xen_sysctl *op)
{
    struct xen_sysctl_debug_keys *k = &op->u.debug_keys;
    char buf[32];
    uint32_t done = 0;

    while ( done < k->nr_keys )
    {
        uint32_t n = min(k->nr_keys - done, (uint32_t)sizeof(buf));

        if ( done == KEYS_PER_CALL )
        {
            k->keys.p += done;
            k->nr_keys -= done;
            if ( copy_to_guest_va(arg, op, sizeof(*op)) )
                return -EFAULT;
            return hypercall_create_continuation(__HYPERVISOR_sysctl, arg, 0, 0, 0, 0);
        }
        if ( copy_from_guest_va(buf, (unsigned long)k->keys.p + done, n) )
            return -EFAULT;
        for ( uint32_t i = 0; i < n; i++ )
            handle_keypress((unsigned char)buf[i]);
        done += n;
    }
    return 0;
}

long do_sysctl(unsigned long arg)
{
    struct xen_sysctl op;
    long rc;

    if ( copy_from_guest_va(&op, arg, sizeof(op)) )
        return -EFAULT;
    if ( op.interface_version != XEN_SYSCTL_INTERFACE_VERSION )
        return -EACCES;
    switch ( op.cmd )
    {
    case XEN_SYSCTL_readconsole:
        rc = readconsole(&op.u.readconsole);
        break;
    case XEN_SYSCTL_physinfo:
        physinfo(&op.u.physinfo);
        rc = 0;
        break;
    case XEN_SYSCTL_getdomaininfolist:
        rc = getdomaininfolist(&op.u.getdomaininfolist);
        break;
    case XEN_SYSCTL_sched_id:
        op.u.sched_id.sched_id = sched_xen_id();
        rc = 0;
        break;
    case XEN_SYSCTL_debug_keys:
        return debug_keys(arg, &op);
    default:
        return -ENOSYS;
    }
    if ( !rc && copy_to_guest_va(arg, &op, sizeof(op)) )
        rc = -EFAULT;
    return rc;
}
