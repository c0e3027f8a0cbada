/*
 * pirq.c - physical interrupts of the hardware domain: the pirq table, GSI ownership and modes, the
 * bound event channel, the ack/EOI state machine and the guest's EOI bitmap, as Xen 4.17 has them
 * for a PV dom0.
 *
 * Design: a GSI is an IO-APIC pin (Parva's "irq" is the GSI, as Xen's is
 * for IO-APIC pins).  The privileged domain maps a GSI to a pirq of its
 * own (PHYSDEVOP_map_pirq), may give the GSI its trigger and polarity
 * (PHYSDEVOP_setup_gsi, from its ACPI tables; otherwise the ISA defaults
 * and MADT overrides apply, and level/active-low above them), and binds the
 * pirq to an event channel (EVTCHNOP_bind_pirq).  Binding routes the pin to
 * pirq_gsi_interrupt() and unmasks it; its ack type is fixed then:
 *   - edge (PIRQ_ACK_NONE): the interrupt raises the port; the local APIC
 *     EOI follows at once (irq.c).  The guest's EOI bitmap bit is clear, so
 *     Linux does not call PHYSDEVOP_eoi for it.
 *   - level (PIRQ_ACK_UNMASK): the pin is masked, the pirq marked in flight
 *     and the port raised; the local APIC EOI follows.  The bitmap bit is
 *     set; the guest's PHYSDEVOP_eoi (or PHYSDEVOP_IRQ_UNMASK_NOTIFY) ends
 *     the flight and unmasks the pin, which then fires again if the device
 *     still asserts it.
 * A GSI the hypervisor drives (its serial port's, the PIT's) can be mapped,
 * as in Xen, but binding it is -EBUSY.  Unmapping a bound pirq unbinds it
 * (masks the pin); its port stays a pirq port until the guest closes it.
 *
 * Locking: pirq_lock (irq-safe) protects the GSI table, every domain's
 * pirq table and the bits this file writes in EOI bitmaps.  Order: a
 * domain's event lock, then pirq_lock, then irq_lock and ioapic_lock (the
 * hardware hooks).  The interrupt path takes only pirq_lock and raises the
 * port under it (evtchn_raise_pirq_port(): atomic bit operations): a pirq
 * port is never freed without pirq_guest_unbind(), which needs pirq_lock,
 * so the port, its domain and its event buckets stay valid meanwhile.
 */
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/spinlock.h>
#include <asm/irq.h>
#include <asm/pirq.h>
#include <xen/physdev.h>

#define PIRQ_UNUSED     (-1)    /* no GSI */
#define PIRQ_RESERVED   (-2)    /* handed out by PHYSDEVOP_get_free_pirq, not mapped yet */
#define BITS_PER_LONG   64

struct pirq_entry {
    int16_t gsi;                /* PIRQ_UNUSED, PIRQ_RESERVED or the GSI mapped to it */
    uint16_t port;              /* the event channel bound to it, 0 if none */
    bool in_flight;             /* delivered, the guest's EOI is awaited (Xen's pirq->masked) */
};

struct pirq_domain {
    struct pirq_entry p[PIRQ_NR];
    unsigned long *eoi_map;     /* the guest's EOI bitmap (PHYSDEVOP_pirq_eoi_gmfn), or NULL */
    unsigned long eoi_mfn;
    bool auto_unmask;           /* v1 bitmap: PHYSDEVOP_eoi also unmasks the port */
};

struct gsi_state {
    struct domain *d;           /* the domain the GSI is mapped to, or NULL */
    int16_t pirq;
    uint8_t mode;               /* IRQ_TRIGGER_LEVEL | IRQ_POLARITY_LOW */
    uint8_t ack;                /* enum pirq_ack, fixed when bound */
    bool set_up;                /* PHYSDEVOP_setup_gsi gave the mode */
    bool bound;                 /* routed and unmasked for the guest */
    unsigned int in_flight;     /* level: deliveries awaiting the guest's EOI (0 or 1: one guest) */
};

static struct gsi_state gsis[NR_GSIS];
static DEFINE_SPINLOCK(pirq_lock);

/* ---- tables ---- */

static struct pirq_domain *pirq_table(struct domain *d)
{
    return __atomic_load_n(&d->arch.pirq, __ATOMIC_ACQUIRE);
}

/* d's table, allocated at its first use (hypercall context). */
static struct pirq_domain *pirq_table_get(struct domain *d)
{
    struct pirq_domain *pd = pirq_table(d), *expect = NULL;
    unsigned int i;

    if ( pd )
        return pd;
    pd = xzalloc(struct pirq_domain);
    if ( !pd )
        return NULL;
    for ( i = 0; i < PIRQ_NR; i++ )
        pd->p[i].gsi = PIRQ_UNUSED;
    if ( !__atomic_compare_exchange_n(&d->arch.pirq, &expect, pd, false, __ATOMIC_ACQ_REL,
                                      __ATOMIC_ACQUIRE) )
    {
        xfree(pd);                      /* another vCPU installed one first */
        return expect;
    }
    return pd;
}

static bool pirq_valid(int pirq)
{
    return pirq >= 0 && pirq < PIRQ_NR;
}

/* Does the guest know this pirq (mapped, reserved or still bound)?  Xen: pirq_info() != NULL. */
static bool pirq_known(const struct pirq_entry *pe)
{
    return pe->gsi != PIRQ_UNUSED || pe->port;
}

static void eoi_bit(struct pirq_domain *pd, unsigned int pirq, bool set)
{
    unsigned long bit = 1UL << (pirq % BITS_PER_LONG);

    if ( !pd->eoi_map )
        return;
    if ( set )
        __atomic_fetch_or(&pd->eoi_map[pirq / BITS_PER_LONG], bit, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&pd->eoi_map[pirq / BITS_PER_LONG], ~bit, __ATOMIC_SEQ_CST);
}

/* End pirq's flight: the pin is unmasked when no delivery awaits an EOI.  pirq_lock held. */
static void end_flight(struct pirq_entry *pe)
{
    struct gsi_state *g;

    if ( !pe->in_flight )
        return;
    pe->in_flight = false;
    if ( pe->gsi < 0 )
        return;
    g = &gsis[pe->gsi];
    if ( g->in_flight && --g->in_flight == 0 && g->bound )
        pirq_hw_mask(pe->gsi, false);
}

/* Stop delivering pe's GSI: mask the pin and forget the flight.  pirq_lock held. */
static void unbind_locked(struct pirq_domain *pd, unsigned int pirq)
{
    struct pirq_entry *pe = &pd->p[pirq];
    struct gsi_state *g;

    eoi_bit(pd, pirq, false);
    pe->in_flight = false;
    if ( pe->gsi < 0 )
        return;
    g = &gsis[pe->gsi];
    if ( g->bound )
    {
        pirq_hw_mask(pe->gsi, true);
        g->bound = false;
        g->in_flight = 0;
    }
}

/* ---- PHYSDEVOP_setup_gsi, map_pirq, unmap_pirq, get_free_pirq ---- */

int pirq_setup_gsi(int gsi, int level, int active_low)
{
    struct gsi_state *g;
    unsigned long flags;
    int rc = 0;

    if ( gsi < 0 || (unsigned int)gsi >= pirq_hw_nr_gsis() )
        return -EINVAL;
    g = &gsis[gsi];
    spin_lock_irqsave(&pirq_lock, flags);
    /* As Xen's mp_register_gsi(): a pin already in use or programmed is left as it is. */
    if ( pirq_hw_gsi_reserved(gsi) || g->set_up || g->bound )
        rc = -EEXIST;
    else
    {
        g->mode = (level ? IRQ_TRIGGER_LEVEL : 0) | (active_low ? IRQ_POLARITY_LOW : 0);
        g->set_up = true;
    }
    spin_unlock_irqrestore(&pirq_lock, flags);
    return rc;
}

/* The lowest unused pirq: GSI type from 16 below the GSIs' end, then any from the top down. */
static int free_pirq_locked(struct pirq_domain *pd, int type)
{
    unsigned int nr_gsis = pirq_hw_nr_gsis();
    int i;

    if ( type == MAP_PIRQ_TYPE_GSI )
        for ( i = 16; i < (int)nr_gsis && i < PIRQ_NR; i++ )
            if ( !pirq_known(&pd->p[i]) )
                return i;
    for ( i = PIRQ_NR - 1; i >= (int)nr_gsis; i-- )
        if ( !pirq_known(&pd->p[i]) )
            return i;
    return -ENOSPC;
}

int pirq_get_free(struct domain *d, int type)
{
    struct pirq_domain *pd = pirq_table_get(d);
    unsigned long flags;
    int pirq;

    if ( !pd )
        return -ENOMEM;
    spin_lock_irqsave(&pirq_lock, flags);
    pirq = free_pirq_locked(pd, type);
    if ( pirq >= 0 )
        pd->p[pirq].gsi = PIRQ_RESERVED;
    spin_unlock_irqrestore(&pirq_lock, flags);
    return pirq;
}

/*
 * Xen's allocate_and_map_gsi_pirq(): the GSI (its "irq") must exist and not be 0 (Xen keeps IRQ 0
 * and never lets dom0 have it); a GSI already mapped keeps its pirq (asking for another one is
 * -EEXIST); a pirq already mapped to another GSI is left alone and the call still succeeds, as in
 * Xen's map_domain_pirq().
 */
int pirq_map_gsi(struct domain *d, int index, int *pirq_p)
{
    struct pirq_domain *pd;
    struct gsi_state *g;
    unsigned long flags;
    int pirq = *pirq_p, rc = 0;

    if ( index < 0 || (unsigned int)index >= pirq_hw_nr_gsis() )
        return -EINVAL;
    if ( index == 0 )
        return -EPERM;
    if ( !(pd = pirq_table_get(d)) )
        return -ENOMEM;
    g = &gsis[index];
    spin_lock_irqsave(&pirq_lock, flags);
    if ( g->d && g->d != d )
        rc = -EBUSY;                        /* another domain has it (not possible yet) */
    else if ( pirq < 0 )
        pirq = g->d ? g->pirq : free_pirq_locked(pd, MAP_PIRQ_TYPE_GSI);
    else if ( g->d && g->pirq != pirq )
        rc = -EEXIST;
    if ( !rc && pirq < 0 )
        rc = pirq;                          /* no free pirq */
    if ( !rc && !pirq_valid(pirq) )
        rc = -EINVAL;
    if ( !rc && !g->d && pd->p[pirq].gsi < 0 )
    {
        pd->p[pirq].gsi = (int16_t)index;
        g->d = d;
        g->pirq = (int16_t)pirq;
        if ( !g->set_up )
            g->mode = (uint8_t)pirq_hw_default_mode(index);
    }
    /* else: already mapped like this, or the pirq is taken by another GSI: nothing (Xen says 0) */
    spin_unlock_irqrestore(&pirq_lock, flags);
    if ( !rc )
        *pirq_p = pirq;
    return rc;
}

int pirq_unmap(struct domain *d, int pirq)
{
    struct pirq_domain *pd = pirq_table(d);
    struct pirq_entry *pe;
    unsigned long flags;
    int rc = -EINVAL;

    if ( !pirq_valid(pirq) || !pd )
        return -EINVAL;
    pe = &pd->p[pirq];
    spin_lock_irqsave(&pirq_lock, flags);
    if ( pe->gsi >= 0 )
    {
        if ( gsis[pe->gsi].bound )
            printk(XENLOG_WARNING "d%u: forcing unbind of pirq %d\n", d->domain_id, pirq);
        unbind_locked(pd, pirq);            /* the port stays a pirq port until closed */
        gsis[pe->gsi].d = NULL;
        gsis[pe->gsi].pirq = 0;
        pe->gsi = PIRQ_UNUSED;
        rc = 0;
    }
    spin_unlock_irqrestore(&pirq_lock, flags);
    return rc;
}

/* ---- binding (event_channel.c) ---- */

int pirq_guest_bind(struct domain *d, unsigned int pirq, unsigned int port, bool will_share)
{
    struct pirq_domain *pd = pirq_table(d);
    struct pirq_entry *pe;
    struct gsi_state *g;
    unsigned long flags;
    int rc;

    (void)will_share;                       /* one guest per GSI: nobody to share with */
    if ( !d->is_privileged )
        return -EPERM;
    if ( pirq >= PIRQ_NR )
        return -EINVAL;
    if ( !pd || pd->p[pirq].gsi < 0 )
        return -EPERM;                      /* Xen: !pirq_access_permitted() */
    pe = &pd->p[pirq];
    spin_lock_irqsave(&pirq_lock, flags);
    if ( pe->gsi < 0 )
        rc = -EPERM;
    else if ( pe->port )
        rc = -EEXIST;
    else if ( pirq_hw_gsi_reserved(pe->gsi) )
        rc = -EBUSY;                        /* Xen: "Cannot bind IRQ%d to dom%d. In use by '...'" */
    else
    {
        g = &gsis[pe->gsi];
        g->ack = (g->mode & IRQ_TRIGGER_LEVEL) ? PIRQ_ACK_UNMASK : PIRQ_ACK_NONE;
        g->in_flight = 0;
        pe->in_flight = false;
        pe->port = (uint16_t)port;
        g->bound = true;
        rc = pirq_hw_route(pe->gsi, g->mode);
        if ( rc )
        {
            g->bound = false;
            pe->port = 0;
        }
        else
            eoi_bit(pd, pirq, g->ack != PIRQ_ACK_NONE);
    }
    spin_unlock_irqrestore(&pirq_lock, flags);
    return rc;
}

void pirq_guest_unbind(struct domain *d, unsigned int pirq, unsigned int port)
{
    struct pirq_domain *pd = pirq_table(d);
    struct pirq_entry *pe;
    unsigned long flags;

    if ( !pd || pirq >= PIRQ_NR )
        return;
    pe = &pd->p[pirq];
    spin_lock_irqsave(&pirq_lock, flags);
    if ( pe->port == port )
    {
        unbind_locked(pd, pirq);
        pe->port = 0;
    }
    spin_unlock_irqrestore(&pirq_lock, flags);
}

/* ---- the interrupt and the guest's EOI ---- */

void pirq_gsi_interrupt(unsigned int gsi, void *data)
{
    struct gsi_state *g = &gsis[gsi];
    struct pirq_entry *pe;

    (void)data;
    spin_lock(&pirq_lock);                  /* interrupts are off */
    if ( !g->bound || !g->d )
    {
        pirq_hw_mask(gsi, true);            /* unbound meanwhile: keep it quiet */
        spin_unlock(&pirq_lock);
        return;
    }
    pe = &pirq_table(g->d)->p[g->pirq];
    if ( g->ack == PIRQ_ACK_UNMASK )
    {
        pirq_hw_mask(gsi, true);            /* before the local APIC EOI: no second delivery */
        if ( !pe->in_flight )
        {
            pe->in_flight = true;
            g->in_flight++;
        }
    }
    evtchn_raise_pirq_port(g->d, pe->port);
    spin_unlock(&pirq_lock);
}

int pirq_guest_eoi(struct domain *d, int pirq)
{
    struct pirq_domain *pd = pirq_table(d);
    unsigned long flags;
    int rc = -EINVAL;

    if ( !pirq_valid(pirq) || !pd )
        return -EINVAL;
    spin_lock_irqsave(&pirq_lock, flags);
    if ( pirq_known(&pd->p[pirq]) )
    {
        end_flight(&pd->p[pirq]);
        rc = 0;
    }
    spin_unlock_irqrestore(&pirq_lock, flags);
    return rc;
}

unsigned int pirq_auto_unmask_port(struct domain *d, int pirq)
{
    struct pirq_domain *pd = pirq_table(d);

    return pd && pirq_valid(pirq) && pd->auto_unmask ? __atomic_load_n(&pd->p[pirq].port, __ATOMIC_RELAXED) : 0;
}

int pirq_unmask_notify(struct domain *d)
{
    struct pirq_domain *pd = pirq_table(d);
    unsigned long flags;
    unsigned int i;

    if ( !pd )
        return 0;
    spin_lock_irqsave(&pirq_lock, flags);
    for ( i = 0; i < PIRQ_NR; i++ )
        if ( pd->p[i].in_flight && !evtchn_2l_is_masked(d, pd->p[i].port) )
            end_flight(&pd->p[i]);
    spin_unlock_irqrestore(&pirq_lock, flags);
    return 0;
}

int pirq_status(struct domain *d, int pirq, uint32_t *flags)
{
    (void)d;
    if ( !pirq_valid(pirq) )
        return -EINVAL;
    /*
     * As Xen for PV guests: always "needs EOI" (a guest without the EOI bitmap must EOI every
     * pirq); never shared, as a GSI has one guest.
     */
    *flags = XENIRQSTAT_needs_eoi;
    return 0;
}

int pirq_set_eoi_map(struct domain *d, unsigned long *map, unsigned long mfn, bool v1)
{
    struct pirq_domain *pd = pirq_table_get(d);
    unsigned long flags;
    unsigned int i;
    int rc = 0;

    if ( !pd )
        return -ENOMEM;
    spin_lock_irqsave(&pirq_lock, flags);
    if ( pd->eoi_map )
        rc = -EBUSY;
    else
    {
        pd->eoi_map = map;
        pd->eoi_mfn = mfn;
        pd->auto_unmask = v1;
        for ( i = 0; i < PIRQ_NR; i++ )     /* pirqs bound before: their bits now */
            if ( pd->p[i].port && pd->p[i].gsi >= 0 && gsis[pd->p[i].gsi].bound )
                eoi_bit(pd, i, gsis[pd->p[i].gsi].ack != PIRQ_ACK_NONE);
    }
    spin_unlock_irqrestore(&pirq_lock, flags);
    return rc;
}

/* ---- lifetime ---- */

unsigned long pirq_domain_destroy(struct domain *d)
{
    struct pirq_domain *pd = pirq_table(d);
    unsigned long mfn;
    unsigned int i;

    if ( !pd )
        return 0;
    for ( i = 0; i < PIRQ_NR; i++ )
        if ( pd->p[i].gsi >= 0 )
            pirq_unmap(d, (int)i);
    mfn = pd->eoi_map ? pd->eoi_mfn : 0;
    d->arch.pirq = NULL;
    xfree(pd);
    return mfn;
}

void pirq_dump(void)
{
    unsigned int gsi;

    printk("Physical interrupts of guests (GSI -> domain pirq, port, mode, state):\n");
    for ( gsi = 0; gsi < NR_GSIS; gsi++ )
    {
        const struct gsi_state *g = &gsis[gsi];

        if ( !g->d )
            continue;
        printk("   GSI %3u -> d%u pirq %3d  port %4u  %-5s %-4s  %s%s\n", gsi, g->d->domain_id, g->pirq,
               pirq_table(g->d)->p[g->pirq].port, (g->mode & IRQ_TRIGGER_LEVEL) ? "level" : "edge",
               (g->mode & IRQ_POLARITY_LOW) ? "low" : "high", g->bound ? "bound" : "unbound",
               g->in_flight ? ", in flight (EOI awaited)" : "");
    }
}
