/*
 * event_channel.c - event channel ports and HYPERVISOR_event_channel_op: allocating, binding (other
 * domains, VIRQs, IPIs), closing, sending, status, vCPU binding, unmasking and reset, as Xen 4.17.
 *
 * Design: a domain's ports live in buckets of PORTS_PER_BUCKET struct
 * evtchn, taken from xmalloc when every port of the existing buckets is in
 * use (bucket 0, holding the reserved port 0, comes with evtchn_init()).
 * Ports inside allocated buckets are "valid" (a free one has status
 * closed); any other port number is -EINVAL, as in Xen.  Buckets are freed
 * only by evtchn_destroy().  Each vCPU has a VIRQ-to-port table; a global
 * VIRQ must be bound with vcpu 0, is recorded in vCPU 0's table, and is
 * delivered to whichever vCPU its port notifies (EVTCHNOP_bind_vcpu may
 * move it).  An interdomain port points at the other end's domain without
 * holding a reference: both ends change together under both domains'
 * locks, and a domain closes all its ports (its peers' ends become unbound
 * again) before it is freed.  An ECS_XEN port's other end is a function of
 * the hypervisor, kept in a small per-domain table (evtchn_alloc_xen_port);
 * a send calls it after dropping the event lock.  FIFO event channels are
 * not offered: EVTCHNOP_init_control and expand_array fail with -EOPNOTSUPP,
 * what Xen answers when built without them, and Linux then uses the 2-level
 * ABI.
 * The bit logic is in common/event_2l.c.
 *
 * Locking: d->evtchn->lock is the domain's event lock.  It protects the
 * port states, the bucket table, the VIRQ tables and the reset flag, and is
 * always taken with interrupts off (VIRQs are sent from timer interrupts).
 * Two domains' event locks are taken lower domain id first.  Closing an
 * interdomain port whose peer has the lower id drops the lock and takes
 * both in order, holding a reference to the peer in between (if the peer
 * is already being destroyed, its own destruction will unbind the port, so
 * we retry).  Sending on an interdomain port holds only the sender's lock:
 * the binding cannot change without it, raising the peer's port is atomic
 * bit operations on the peer's shared pages, and the peer's notify vCPU is
 * read atomically.  Poll marks are atomic and need no lock.  vcpu_kick() is
 * called with event locks held.  Event locks are taken inside no other
 * lock; xmalloc_lock nests inside them (bucket allocation), and so does
 * pirq_lock (binding and closing pirq ports, arch/x86/pirq.c), whose holder
 * raises pirq ports without an event lock (evtchn_raise_pirq_port()).
 */
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/spinlock.h>
#include <asm/guest_access.h>
#include <asm/pirq.h>
#include <asm/pv.h>

#define PORTS_PER_BUCKET    64
#define NR_BUCKETS          (EVTCHN_NR_PORTS / PORTS_PER_BUCKET)
#define BITS_PER_LONG       64

enum evtchn_state {
    ECS_FREE = 0,
    ECS_RESERVED,                   /* port 0 */
    ECS_UNBOUND,                    /* waiting for u.remote_domid to bind to it */
    ECS_INTERDOMAIN,
    ECS_VIRQ,
    ECS_IPI,
    ECS_XEN,                        /* served by the hypervisor: evtchn_alloc_xen_port() */
    ECS_PIRQ,                       /* a physical interrupt (arch/x86/pirq.c) */
};

struct evtchn {
    uint8_t state;                  /* enum evtchn_state */
    uint16_t notify_vcpu;           /* the vCPU told about it (atomic: peers' senders read it) */
    union {
        domid_t remote_domid;       /* ECS_UNBOUND */
        uint16_t remote_port;       /* ECS_INTERDOMAIN */
        uint16_t virq;              /* ECS_VIRQ */
        uint16_t pirq;              /* ECS_PIRQ */
    } u;
    struct domain *remote;          /* ECS_INTERDOMAIN: the other end's domain */
};

/* The hypervisor's end of an ECS_XEN port (a slot is free when port is 0). */
struct evtchn_xen_port {
    unsigned int port;
    evtchn_xen_fn_t fn;
    void *data;
};

struct evtchn_vcpu {
    uint16_t virq_to_port[NR_VIRQS];    /* 0: not bound */
    int poll_port;                  /* while polling: EVTCHN_POLL_ANY or the port */
};

struct evtchn_domain {
    spinlock_t lock;                /* the event lock */
    bool closing;                   /* evtchn_destroy() began: no new ports */
    bool resetting;                 /* an EVTCHNOP_reset is closing the ports */
    unsigned int nr_buckets;        /* ports below nr_buckets * PORTS_PER_BUCKET are valid */
    unsigned int nr_active;         /* ports in use (port 0 not counted) */
    unsigned long poll_mask[MAX_VIRT_CPUS / BITS_PER_LONG];    /* polling vCPUs (atomic) */
    struct evtchn *bucket[NR_BUCKETS];
    struct evtchn_xen_port xen_port[EVTCHN_XEN_PORTS];     /* ECS_XEN ports' hypervisor ends */
    struct evtchn_vcpu vcpu[];      /* max_vcpus of them */
};

BUILD_BUG_ON(MAX_VIRT_CPUS % BITS_PER_LONG != 0);
BUILD_BUG_ON(EVTCHN_NR_PORTS > 65536);  /* ports fit the 16-bit fields */
BUILD_BUG_ON(MAX_VIRT_CPUS > 65536);

/* ---- ports ---- */

static bool port_valid(const struct evtchn_domain *ed, unsigned int port)
{
    return port < ed->nr_buckets * PORTS_PER_BUCKET;
}

static struct evtchn *port_chn(const struct evtchn_domain *ed, unsigned int port)
{
    return &ed->bucket[port / PORTS_PER_BUCKET][port % PORTS_PER_BUCKET];
}

static struct vcpu *domain_vcpu(const struct domain *d, unsigned int id)
{
    return id < d->max_vcpus ? d->vcpu[id] : NULL;
}

static unsigned int notify_vcpu(const struct evtchn *chn)
{
    return __atomic_load_n(&chn->notify_vcpu, __ATOMIC_RELAXED);
}

static void set_notify_vcpu(struct evtchn *chn, unsigned int id)
{
    __atomic_store_n(&chn->notify_vcpu, (uint16_t)id, __ATOMIC_RELAXED);
}

/* The lowest free port, in a new bucket if all are in use.  Event lock held. */
static int get_free_port(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;
    struct evtchn *bucket;
    unsigned int port;

    if ( d->is_dying || ed->closing )
        return -EINVAL;
    for ( port = 1; port_valid(ed, port); port++ )
        if ( port_chn(ed, port)->state == ECS_FREE )
            return port;
    if ( ed->nr_buckets == NR_BUCKETS )
        return -ENOSPC;
    bucket = xzalloc_array(struct evtchn, PORTS_PER_BUCKET);
    if ( !bucket )
        return -ENOMEM;
    ed->bucket[ed->nr_buckets++] = bucket;
    return port;
}

static struct evtchn *use_port(struct evtchn_domain *ed, unsigned int port, enum evtchn_state state,
                               unsigned int vcpu)
{
    struct evtchn *chn = port_chn(ed, port);

    chn->state = state;
    set_notify_vcpu(chn, vcpu);
    ed->nr_active++;
    return chn;
}

/* Back to free, its pending bit cleared so a new binding starts clean.  Event lock held. */
static void free_port(struct domain *d, unsigned int port)
{
    struct evtchn *chn = port_chn(d->evtchn, port);

    evtchn_2l_clear_pending(d, port);
    chn->state = ECS_FREE;
    set_notify_vcpu(chn, 0);
    chn->remote = NULL;
    chn->u.remote_port = 0;
    d->evtchn->nr_active--;
}

/* ---- raising ---- */

/* A port of d became pending: wake the vCPUs polling it (or polling any port). */
static void wake_pollers(struct domain *d, unsigned int port)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned int w;

    for ( w = 0; w < ARRAY_SIZE(ed->poll_mask); w++ )
    {
        unsigned long pending = __atomic_load_n(&ed->poll_mask[w], __ATOMIC_SEQ_CST);

        while ( pending )
        {
            unsigned int id = w * BITS_PER_LONG + ffs_long(pending) - 1;
            unsigned long bit = pending & -pending;
            int want = __atomic_load_n(&ed->vcpu[id].poll_port, __ATOMIC_SEQ_CST);

            pending &= ~bit;
            if ( (want == EVTCHN_POLL_ANY || want == (int)port) &&
                 (__atomic_fetch_and(&ed->poll_mask[w], ~bit, __ATOMIC_SEQ_CST) & bit) )
                vcpu_kick(d->vcpu[id]);
        }
    }
}

static void raise_on(struct vcpu *v, unsigned int port)
{
    if ( evtchn_2l_set_pending(v, port) )
        wake_pollers(v->domain, port);
}

/* Raise d's port for the vCPU it notifies.  Its binding must be stable (an event lock held). */
static void raise_port(struct domain *d, unsigned int port)
{
    raise_on(d->vcpu[notify_vcpu(port_chn(d->evtchn, port))], port);
}

/* ---- locking ---- */

static void lock_two(struct domain *a, struct domain *b, unsigned long *flags)
{
    local_irq_save(*flags);
    if ( a == b )
        spin_lock(&a->evtchn->lock);
    else if ( a->domain_id < b->domain_id )
    {
        spin_lock(&a->evtchn->lock);
        spin_lock(&b->evtchn->lock);
    }
    else
    {
        spin_lock(&b->evtchn->lock);
        spin_lock(&a->evtchn->lock);
    }
}

static void unlock_two(struct domain *a, struct domain *b, unsigned long flags)
{
    if ( a != b )
        spin_unlock(&b->evtchn->lock);
    spin_unlock(&a->evtchn->lock);
    local_irq_restore(flags);
}

/* The domain a guest names, referenced (DOMID_SELF: the caller itself); NULL if there is none. */
static struct domain *get_target(struct domain *cur, domid_t id)
{
    if ( id == DOMID_SELF || id == cur->domain_id )
        return get_domain(cur) ? cur : NULL;
    return domain_lookup(id);
}

/* XSM's default "target" policy: a domain may name itself; a privileged one, any domain. */
static bool may_target(const struct domain *cur, const struct domain *d)
{
    return d == cur || cur->is_privileged;
}

/* The hypervisor's end of ECS_XEN port `port`.  Event lock held. */
static struct evtchn_xen_port *xen_port_slot(struct evtchn_domain *ed, unsigned int port)
{
    unsigned int i;

    for ( i = 0; i < EVTCHN_XEN_PORTS; i++ )
        if ( ed->xen_port[i].port == port )
            return &ed->xen_port[i];
    BUG();
}

/* ---- closing ---- */

/*
 * Close port1 of d1.  Event locks held: d1's and, if not NULL, peer's (the
 * domain of the port's other end when we looked).  An interdomain port
 * whose other end is not in peer was re-bound while we were not holding
 * d1's lock: -EINVAL, as if we had found it closed (it was, in between).
 */
static int close_locked(struct domain *d1, unsigned int port1, struct domain *peer)
{
    struct evtchn_domain *ed = d1->evtchn;
    struct evtchn *chn1 = port_chn(ed, port1), *chn2;
    unsigned int owner;

    switch ( chn1->state )
    {
    case ECS_FREE:
    case ECS_RESERVED:
        return -EINVAL;
    case ECS_UNBOUND:
    case ECS_IPI:
        break;
    case ECS_XEN:
        xen_port_slot(ed, port1)->port = 0;
        break;
    case ECS_VIRQ:
        owner = evtchn_virq_is_global(chn1->u.virq) ? 0 : notify_vcpu(chn1);
        BUG_ON(ed->vcpu[owner].virq_to_port[chn1->u.virq] != port1);
        ed->vcpu[owner].virq_to_port[chn1->u.virq] = 0;
        break;
    case ECS_INTERDOMAIN:
        if ( chn1->remote != peer )
            return -EINVAL;
        chn2 = port_chn(peer->evtchn, chn1->u.remote_port);
        BUG_ON(chn2->state != ECS_INTERDOMAIN || chn2->remote != d1 || chn2->u.remote_port != port1);
        chn2->state = ECS_UNBOUND;
        chn2->remote = NULL;
        chn2->u.remote_domid = d1->domain_id;
        break;
    case ECS_PIRQ:
        pirq_guest_unbind(d1, chn1->u.pirq, port1);     /* the pin is masked before the port goes */
        break;
    default:
        BUG();
    }
    free_port(d1, port1);
    return 0;
}

static int close_port(struct domain *d1, unsigned int port1)
{
    struct evtchn_domain *ed = d1->evtchn;
    struct domain *peer;
    unsigned long flags;
    const struct evtchn *chn1;
    bool have_ref;
    int rc;

    for ( ; ; )
    {
        spin_lock_irqsave(&ed->lock, flags);
        if ( !port_valid(ed, port1) )
        {
            spin_unlock_irqrestore(&ed->lock, flags);
            return -EINVAL;
        }
        chn1 = port_chn(ed, port1);
        peer = chn1->state == ECS_INTERDOMAIN ? chn1->remote : NULL;
        if ( !peer || peer == d1 || peer->domain_id > d1->domain_id )
        {
            /* Our lock comes first (or is the only one): take the peer's under it. */
            if ( peer && peer != d1 )
                spin_lock(&peer->evtchn->lock);
            rc = close_locked(d1, port1, peer);
            if ( peer && peer != d1 )
                spin_unlock(&peer->evtchn->lock);
            spin_unlock_irqrestore(&ed->lock, flags);
            return rc;
        }
        /* The peer's lock comes first: let go of ours, keeping the peer alive with a reference. */
        have_ref = get_domain(peer);
        spin_unlock_irqrestore(&ed->lock, flags);
        if ( have_ref )
            break;
        cpu_relax();            /* the peer is being destroyed, and unbinds this port */
    }
    lock_two(d1, peer, &flags);
    rc = close_locked(d1, port1, peer);     /* whatever became of the port meanwhile */
    unlock_two(d1, peer, flags);
    put_domain(peer);
    return rc;
}

/* ---- the operations ---- */

static int evtchn_alloc_unbound(struct domain *cur, struct evtchn_alloc_unbound *a)
{
    struct domain *d = get_target(cur, a->dom);
    struct evtchn *chn;
    unsigned long flags;
    int port;

    if ( !d )
        return -ESRCH;
    spin_lock_irqsave(&d->evtchn->lock, flags);
    port = get_free_port(d);
    if ( port >= 0 && !may_target(cur, d) )
        port = -EPERM;
    if ( port >= 0 )
    {
        chn = use_port(d->evtchn, port, ECS_UNBOUND, 0);
        chn->u.remote_domid = a->remote_dom == DOMID_SELF ? cur->domain_id : a->remote_dom;
        a->port = port;
    }
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    put_domain(d);
    return port < 0 ? port : 0;
}

static int evtchn_bind_interdomain(struct domain *ld, struct evtchn_bind_interdomain *b)
{
    struct domain *rd = get_target(ld, b->remote_dom);
    struct evtchn *lchn, *rchn;
    unsigned long flags;
    int lport, rc = -EINVAL;

    if ( !rd )
        return -ESRCH;
    lock_two(ld, rd, &flags);
    lport = get_free_port(ld);
    if ( lport < 0 )
        rc = lport;
    else if ( port_valid(rd->evtchn, b->remote_port) )
    {
        rchn = port_chn(rd->evtchn, b->remote_port);
        if ( rchn->state == ECS_UNBOUND && rchn->u.remote_domid == ld->domain_id )
        {
            lchn = use_port(ld->evtchn, lport, ECS_INTERDOMAIN, 0);
            lchn->remote = rd;
            lchn->u.remote_port = (uint16_t)b->remote_port;
            rchn->state = ECS_INTERDOMAIN;
            rchn->remote = ld;
            rchn->u.remote_port = (uint16_t)lport;
            /* Notifications sent to the unbound end were dropped: flag the new end, as Xen. */
            raise_port(ld, lport);
            b->local_port = lport;
            rc = 0;
        }
    }
    unlock_two(ld, rd, flags);
    put_domain(rd);
    return rc;
}

static int evtchn_bind_virq(struct domain *d, struct evtchn_bind_virq *b)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags;
    uint16_t *slot;
    int port;

    if ( b->virq >= NR_VIRQS || (evtchn_virq_is_global(b->virq) && b->vcpu != 0) )
        return -EINVAL;
    if ( !domain_vcpu(d, b->vcpu) )
        return -ENOENT;
    spin_lock_irqsave(&ed->lock, flags);
    slot = &ed->vcpu[b->vcpu].virq_to_port[b->virq];
    port = *slot ? -EEXIST : get_free_port(d);
    if ( port >= 0 )
    {
        use_port(ed, port, ECS_VIRQ, b->vcpu)->u.virq = (uint16_t)b->virq;
        *slot = (uint16_t)port;
        b->port = port;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return port < 0 ? port : 0;
}

static int evtchn_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
    unsigned long flags;
    int port;

    if ( !domain_vcpu(d, b->vcpu) )
        return -ENOENT;
    spin_lock_irqsave(&d->evtchn->lock, flags);
    port = get_free_port(d);
    if ( port >= 0 )
    {
        use_port(d->evtchn, port, ECS_IPI, b->vcpu);
        b->port = port;
    }
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    return port < 0 ? port : 0;
}

/* A physical interrupt's port, notifying vCPU 0 (as Xen); the pirq checks are arch/x86/pirq.c's. */
static int evtchn_bind_pirq(struct domain *d, struct evtchn_bind_pirq *b)
{
    unsigned long flags;
    int port, rc;

    spin_lock_irqsave(&d->evtchn->lock, flags);
    port = get_free_port(d);
    rc = port < 0 ? port : pirq_guest_bind(d, b->pirq, port, b->flags & BIND_PIRQ__WILL_SHARE);
    if ( rc == 0 )
    {
        use_port(d->evtchn, port, ECS_PIRQ, 0)->u.pirq = (uint16_t)b->pirq;
        b->port = port;
    }
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    return rc;
}

static int evtchn_send(struct domain *ld, unsigned int lport)
{
    struct evtchn_domain *ed = ld->evtchn;
    struct evtchn *chn;
    unsigned long flags;
    evtchn_xen_fn_t xen_fn = NULL;
    void *xen_data = NULL;
    int rc = 0;

    spin_lock_irqsave(&ed->lock, flags);
    if ( !port_valid(ed, lport) )
        rc = -EINVAL;
    else
    {
        chn = port_chn(ed, lport);
        switch ( chn->state )
        {
        case ECS_INTERDOMAIN:
            raise_port(chn->remote, chn->u.remote_port);
            break;
        case ECS_IPI:
            raise_port(ld, lport);
            break;
        case ECS_XEN:
            xen_fn = xen_port_slot(ed, lport)->fn;      /* called once the lock is dropped */
            xen_data = xen_port_slot(ed, lport)->data;
            break;
        case ECS_UNBOUND:
            break;              /* nobody to tell: dropped, as Xen */
        default:
            rc = -EINVAL;
            break;
        }
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    if ( xen_fn )
        xen_fn(ld, lport, xen_data);
    return rc;
}

static int evtchn_status(struct domain *cur, struct evtchn_status *st)
{
    struct domain *d = get_target(cur, st->dom);
    const struct evtchn *chn;
    unsigned long flags;
    int rc = 0;

    if ( !d )
        return -ESRCH;
    spin_lock_irqsave(&d->evtchn->lock, flags);
    if ( !port_valid(d->evtchn, st->port) )
        rc = -EINVAL;
    else if ( !may_target(cur, d) )
        rc = -EPERM;
    else
    {
        chn = port_chn(d->evtchn, st->port);
        switch ( chn->state )
        {
        case ECS_FREE:
        case ECS_RESERVED:
            st->status = EVTCHNSTAT_closed;
            break;
        case ECS_UNBOUND:
            st->status = EVTCHNSTAT_unbound;
            st->u.unbound.dom = chn->u.remote_domid;
            break;
        case ECS_INTERDOMAIN:
            st->status = EVTCHNSTAT_interdomain;
            st->u.interdomain.dom = chn->remote->domain_id;
            st->u.interdomain.port = chn->u.remote_port;
            break;
        case ECS_VIRQ:
            st->status = EVTCHNSTAT_virq;
            st->u.virq = chn->u.virq;
            break;
        case ECS_IPI:
            st->status = EVTCHNSTAT_ipi;
            break;
        case ECS_PIRQ:
            st->status = EVTCHNSTAT_pirq;
            st->u.pirq = chn->u.pirq;
            break;
        case ECS_XEN:
            st->status = EVTCHNSTAT_interdomain;    /* to the hypervisor itself */
            st->u.interdomain.dom = DOMID_XEN;
            st->u.interdomain.port = 0;
            break;
        default:
            BUG();
        }
        st->vcpu = notify_vcpu(chn);
    }
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    put_domain(d);
    return rc;
}

static int evtchn_bind_vcpu(struct domain *d, unsigned int port, unsigned int vcpu)
{
    struct evtchn_domain *ed = d->evtchn;
    struct evtchn *chn;
    unsigned long flags;
    int rc = -EINVAL;

    if ( !domain_vcpu(d, vcpu) )
        return -ENOENT;
    spin_lock_irqsave(&ed->lock, flags);
    if ( port_valid(ed, port) )
    {
        chn = port_chn(ed, port);
        /* Xen moves global VIRQs and interdomain channels only; per-vCPU VIRQs and IPIs stay. */
        if ( chn->state == ECS_UNBOUND || chn->state == ECS_INTERDOMAIN || chn->state == ECS_XEN ||
             chn->state == ECS_PIRQ ||
             (chn->state == ECS_VIRQ && evtchn_virq_is_global(chn->u.virq)) )
        {
            set_notify_vcpu(chn, vcpu);
            rc = 0;
        }
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

static int evtchn_unmask(struct domain *d, unsigned int port)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags;
    int rc = -EINVAL;

    spin_lock_irqsave(&ed->lock, flags);
    if ( port_valid(ed, port) )
    {
        evtchn_2l_unmask(d->vcpu[notify_vcpu(port_chn(ed, port))], port);
        rc = 0;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

/* Are there ports at or above port still to close? */
static bool reset_has_more(struct evtchn_domain *ed, unsigned int port)
{
    unsigned long flags;
    bool more;

    spin_lock_irqsave(&ed->lock, flags);
    more = port_valid(ed, port) && ed->nr_active;
    spin_unlock_irqrestore(&ed->lock, flags);
    return more;
}

/*
 * Close every port of d.  Parva finishes in one go and never leaves a reset
 * to continue, so EVTCHNOP_reset_cont always finds none in progress:
 * -EBUSY, as Xen answers then.  -EBUSY too while another reset runs, and
 * -EAGAIN if ports were bound meanwhile.
 */
static int reset_ports(struct domain *d, bool cont)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags;
    unsigned int port;
    bool busy;
    int rc;

    spin_lock_irqsave(&ed->lock, flags);
    busy = cont || ed->resetting;
    if ( !busy )
        ed->resetting = true;
    spin_unlock_irqrestore(&ed->lock, flags);
    if ( busy )
        return -EBUSY;
    for ( port = 1; reset_has_more(ed, port); port++ )
        close_port(d, port);
    spin_lock_irqsave(&ed->lock, flags);
    ed->resetting = false;
    rc = ed->nr_active ? -EAGAIN : 0;
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

static int evtchn_reset(struct domain *cur, domid_t dom, bool cont)
{
    struct domain *d = get_target(cur, dom);
    int rc;

    if ( !d )
        return -ESRCH;
    if ( !may_target(cur, d) )
        rc = -EPERM;
    else if ( d != cur && !d->is_shut_down )
        rc = -EINVAL;   /* Xen wants another domain paused by its controller; Parva's stand-in: shut down */
    else
        rc = reset_ports(d, cont);
    put_domain(d);
    return rc;
}

static int evtchn_set_priority(struct domain *d, unsigned int port)
{
    unsigned long flags;
    bool valid;

    spin_lock_irqsave(&d->evtchn->lock, flags);
    valid = port_valid(d->evtchn, port);
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    return valid ? -ENOSYS : -EINVAL;   /* priorities are a FIFO feature: 2-level has none */
}

union evtchn_op_args {
    struct evtchn_alloc_unbound alloc_unbound;
    struct evtchn_bind_interdomain bind_interdomain;
    struct evtchn_bind_virq bind_virq;
    struct evtchn_bind_pirq bind_pirq;
    struct evtchn_bind_ipi bind_ipi;
    struct evtchn_close close;
    struct evtchn_send send;
    struct evtchn_status status;
    struct evtchn_bind_vcpu bind_vcpu;
    struct evtchn_unmask unmask;
    struct evtchn_reset reset;
    struct evtchn_init_control init_control;
    struct evtchn_expand_array expand_array;
    struct evtchn_set_priority set_priority;
};

/* Each operation's argument: its size, and whether it is copied back on success. */
static const struct {
    uint8_t size;
    bool copy_back;
} op_args[] = {
    [EVTCHNOP_bind_interdomain] = { sizeof(struct evtchn_bind_interdomain), true },
    [EVTCHNOP_bind_virq]        = { sizeof(struct evtchn_bind_virq), true },
    [EVTCHNOP_bind_pirq]        = { sizeof(struct evtchn_bind_pirq), true },
    [EVTCHNOP_close]            = { sizeof(struct evtchn_close), false },
    [EVTCHNOP_send]             = { sizeof(struct evtchn_send), false },
    [EVTCHNOP_status]           = { sizeof(struct evtchn_status), true },
    [EVTCHNOP_alloc_unbound]    = { sizeof(struct evtchn_alloc_unbound), true },
    [EVTCHNOP_bind_ipi]         = { sizeof(struct evtchn_bind_ipi), true },
    [EVTCHNOP_bind_vcpu]        = { sizeof(struct evtchn_bind_vcpu), false },
    [EVTCHNOP_unmask]           = { sizeof(struct evtchn_unmask), false },
    [EVTCHNOP_reset]            = { sizeof(struct evtchn_reset), false },
    [EVTCHNOP_init_control]     = { sizeof(struct evtchn_init_control), true },
    [EVTCHNOP_expand_array]     = { sizeof(struct evtchn_expand_array), false },
    [EVTCHNOP_set_priority]     = { sizeof(struct evtchn_set_priority), false },
    [EVTCHNOP_reset_cont]       = { sizeof(struct evtchn_reset), false },
};

long do_event_channel_op(unsigned long op, unsigned long arg)
{
    struct domain *d = current->domain;
    unsigned int cmd = (unsigned int)op;    /* Xen's handler takes an int: the upper half is ignored */
    union evtchn_op_args a;
    long rc;

    if ( cmd >= ARRAY_SIZE(op_args) || !op_args[cmd].size )
        return -ENOSYS;
    if ( copy_from_guest_va(&a, arg, op_args[cmd].size) )
        return -EFAULT;

    switch ( cmd )
    {
    case EVTCHNOP_alloc_unbound:
        rc = evtchn_alloc_unbound(d, &a.alloc_unbound);
        break;
    case EVTCHNOP_bind_interdomain:
        rc = evtchn_bind_interdomain(d, &a.bind_interdomain);
        break;
    case EVTCHNOP_bind_virq:
        rc = evtchn_bind_virq(d, &a.bind_virq);
        break;
    case EVTCHNOP_bind_ipi:
        rc = evtchn_bind_ipi(d, &a.bind_ipi);
        break;
    case EVTCHNOP_bind_pirq:
        rc = evtchn_bind_pirq(d, &a.bind_pirq);
        break;
    case EVTCHNOP_close:
        rc = close_port(d, a.close.port);
        break;
    case EVTCHNOP_send:
        rc = evtchn_send(d, a.send.port);
        break;
    case EVTCHNOP_status:
        rc = evtchn_status(d, &a.status);
        break;
    case EVTCHNOP_bind_vcpu:
        rc = evtchn_bind_vcpu(d, a.bind_vcpu.port, a.bind_vcpu.vcpu);
        break;
    case EVTCHNOP_unmask:
        rc = evtchn_unmask(d, a.unmask.port);
        break;
    case EVTCHNOP_reset:
    case EVTCHNOP_reset_cont:
        rc = evtchn_reset(d, a.reset.dom, cmd == EVTCHNOP_reset_cont);
        break;
    case EVTCHNOP_init_control:
    case EVTCHNOP_expand_array:
        rc = -EOPNOTSUPP;       /* no FIFO ABI: the guest keeps the 2-level one */
        break;
    case EVTCHNOP_set_priority:
        rc = evtchn_set_priority(d, a.set_priority.port);
        break;
    default:
        BUG();
    }

    if ( rc == 0 && op_args[cmd].copy_back && copy_to_guest_va(arg, &a, op_args[cmd].size) )
        rc = -EFAULT;           /* the port stays bound, as in Xen */
    return rc;
}

/* ---- hypervisor event sources ---- */

bool evtchn_virq_is_global(unsigned int virq)
{
    switch ( virq )
    {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return false;
    default:
        return true;            /* VIRQ_ARCH_* included: x86 has no per-vCPU ones */
    }
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    struct evtchn_domain *ed = v->domain->evtchn;
    unsigned long flags;
    unsigned int port;

    BUG_ON(virq >= NR_VIRQS || evtchn_virq_is_global(virq));
    if ( !ed )
        return;
    spin_lock_irqsave(&ed->lock, flags);
    port = ed->vcpu[v->vcpu_id].virq_to_port[virq];
    if ( port )
        raise_on(v, port);
    spin_unlock_irqrestore(&ed->lock, flags);
}

void send_guest_global_virq(struct domain *d, unsigned int virq)
{
    struct evtchn_domain *ed;
    unsigned long flags;
    unsigned int port;

    BUG_ON(virq >= NR_VIRQS || !evtchn_virq_is_global(virq));
    if ( !d || !(ed = d->evtchn) )
        return;
    spin_lock_irqsave(&ed->lock, flags);
    port = ed->vcpu[0].virq_to_port[virq];
    if ( port )
        raise_port(d, port);
    spin_unlock_irqrestore(&ed->lock, flags);
}

int evtchn_send_port(struct domain *d, unsigned int port)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags;
    int rc = -EINVAL;

    if ( !ed )
        return -EINVAL;
    spin_lock_irqsave(&ed->lock, flags);
    if ( port_valid(ed, port) && port_chn(ed, port)->state != ECS_FREE &&
         port_chn(ed, port)->state != ECS_RESERVED )
    {
        raise_port(d, port);
        rc = 0;
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return rc;
}

int evtchn_alloc_xen_port(struct domain *d, unsigned int vcpu, evtchn_xen_fn_t fn, void *data)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags;
    unsigned int i;
    int port;

    if ( !ed || !fn )
        return -EINVAL;
    if ( !domain_vcpu(d, vcpu) )
        return -ENOENT;
    spin_lock_irqsave(&ed->lock, flags);
    for ( i = 0; i < EVTCHN_XEN_PORTS && ed->xen_port[i].port; i++ )
        ;
    port = i == EVTCHN_XEN_PORTS ? -ENOSPC : get_free_port(d);
    if ( port > 0 )
    {
        use_port(ed, port, ECS_XEN, vcpu);
        ed->xen_port[i] = (struct evtchn_xen_port){ .port = port, .fn = fn, .data = data };
    }
    spin_unlock_irqrestore(&ed->lock, flags);
    return port;
}

void evtchn_free_xen_port(struct domain *d, unsigned int port, void *data)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags;

    if ( !ed )
        return;
    spin_lock_irqsave(&ed->lock, flags);
    if ( port_valid(ed, port) && port_chn(ed, port)->state == ECS_XEN && xen_port_slot(ed, port)->data == data )
        close_locked(d, port, NULL);
    spin_unlock_irqrestore(&ed->lock, flags);
}

/*
 * Raise a pirq port from its interrupt (arch/x86/pirq.c, under pirq_lock).  No event lock: a pirq
 * port is not freed before pirq_guest_unbind() has run, which waits for pirq_lock, so the port, its
 * bucket and its domain are stable; the notify vCPU is read atomically, as senders do.
 */
void evtchn_raise_pirq_port(struct domain *d, unsigned int port)
{
    if ( d->evtchn && port_valid(d->evtchn, port) )
        raise_port(d, port);
}

int evtchn_unmask_port(struct domain *d, unsigned int port)
{
    return evtchn_unmask(d, port);
}

bool evtchn_port_pending(const struct domain *d, unsigned int port)
{
    return evtchn_2l_is_pending(d, port);
}

void evtchn_poll_start(struct vcpu *v, int port)
{
    struct evtchn_domain *ed = v->domain->evtchn;

    __atomic_store_n(&ed->vcpu[v->vcpu_id].poll_port, port, __ATOMIC_SEQ_CST);
    __atomic_fetch_or(&ed->poll_mask[v->vcpu_id / BITS_PER_LONG], 1UL << (v->vcpu_id % BITS_PER_LONG),
                      __ATOMIC_SEQ_CST);
}

bool evtchn_poll_stop(struct vcpu *v)
{
    struct evtchn_domain *ed = v->domain->evtchn;
    unsigned long bit = 1UL << (v->vcpu_id % BITS_PER_LONG);

    return __atomic_fetch_and(&ed->poll_mask[v->vcpu_id / BITS_PER_LONG], ~bit, __ATOMIC_SEQ_CST) & bit;
}

/* ---- lifetime ---- */

int evtchn_init(struct domain *d)
{
    struct evtchn_domain *ed;

    ASSERT(d->max_vcpus > 0 && d->max_vcpus <= MAX_VIRT_CPUS);
    ed = xzalloc_bytes(sizeof(*ed) + d->max_vcpus * sizeof(ed->vcpu[0]));
    if ( !ed )
        return -ENOMEM;
    ed->bucket[0] = xzalloc_array(struct evtchn, PORTS_PER_BUCKET);
    if ( !ed->bucket[0] )
    {
        xfree(ed);
        return -ENOMEM;
    }
    spin_lock_init(&ed->lock);
    ed->nr_buckets = 1;
    ed->bucket[0][0].state = ECS_RESERVED;
    d->evtchn = ed;
    return 0;
}

void evtchn_destroy(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags;
    unsigned int port, nr_ports, b;

    if ( !ed )
        return;
    spin_lock_irqsave(&ed->lock, flags);
    ed->closing = true;         /* from here on the bucket table cannot grow */
    nr_ports = ed->nr_buckets * PORTS_PER_BUCKET;
    spin_unlock_irqrestore(&ed->lock, flags);
    for ( port = 1; port < nr_ports; port++ )
        close_port(d, port);
    BUG_ON(ed->nr_active != 0);
    for ( b = 0; b < ed->nr_buckets; b++ )
        xfree(ed->bucket[b]);
    d->evtchn = NULL;
    xfree(ed);
}
