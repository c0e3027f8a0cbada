/*
 * event_2l.c - the 2-level event channel ABI: pending, mask and selector bits in shared_info and
 * vcpu_info, and the upcall.
 *
 * Design: port p is bit p of shared_info->evtchn_pending[] and
 * evtchn_mask[]; its selector is bit p / 64 of the notified vCPU's
 * vcpu_info->evtchn_pending_sel.  Raising a port walks down the levels and
 * stops as soon as one was already set, or at a masked port:
 *   1. set pending[p]; already set: stop (the guest has yet to see it);
 *   2. mask[p] set: stop (EVTCHNOP_unmask delivers it later);
 *   3. set pending_sel bit p / 64; already set: stop (an upcall is due);
 *   4. set evtchn_upcall_pending; if it was clear, kick the vCPU.
 * The guest clears these bits itself while we set them, so every step is
 * an atomic read-modify-write, in this order (each is a full barrier).
 *
 * Locking: none here.  The callers (common/event_channel.c) hold the event
 * lock that keeps the port bound to v while they call in.
 */
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/printk.h>

#define BITS_PER_WORD   (8 * sizeof(xen_ulong_t))

BUILD_BUG_ON(EVTCHN_NR_PORTS != BITS_PER_WORD * BITS_PER_WORD);

/* Set bit nr of the bitmap at words; was it set before? */
static bool test_and_set(xen_ulong_t *words, unsigned int nr)
{
    xen_ulong_t bit = (xen_ulong_t)1 << (nr % BITS_PER_WORD);

    return __atomic_fetch_or(&words[nr / BITS_PER_WORD], bit, __ATOMIC_SEQ_CST) & bit;
}

static bool test_and_clear(xen_ulong_t *words, unsigned int nr)
{
    xen_ulong_t bit = (xen_ulong_t)1 << (nr % BITS_PER_WORD);

    return __atomic_fetch_and(&words[nr / BITS_PER_WORD], ~bit, __ATOMIC_SEQ_CST) & bit;
}

static bool test(const xen_ulong_t *words, unsigned int nr)
{
    xen_ulong_t bit = (xen_ulong_t)1 << (nr % BITS_PER_WORD);

    return __atomic_load_n(&words[nr / BITS_PER_WORD], __ATOMIC_SEQ_CST) & bit;
}

void evtchn_mark_events_pending(struct vcpu *v)
{
    struct vcpu_info *vi = READ_ONCE(v->vcpu_info);

    if ( vi && !__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) )
        vcpu_kick(v);
}

/* Steps 3 and 4: the selector for port on v, then the upcall. */
static void raise_selector(struct vcpu *v, unsigned int port)
{
    struct vcpu_info *vi = READ_ONCE(v->vcpu_info);

    if ( vi && !test_and_set(&vi->evtchn_pending_sel, port / BITS_PER_WORD) )
        evtchn_mark_events_pending(v);
}

bool evtchn_2l_set_pending(struct vcpu *v, unsigned int port)
{
    struct shared_info *s = v->domain->shared_info;

    ASSERT(port < EVTCHN_NR_PORTS);
    if ( test_and_set(s->evtchn_pending, port) )
        return false;
    if ( !test(s->evtchn_mask, port) )
        raise_selector(v, port);
    return true;
}

void evtchn_2l_clear_pending(struct domain *d, unsigned int port)
{
    ASSERT(port < EVTCHN_NR_PORTS);
    test_and_clear(d->shared_info->evtchn_pending, port);
}

void evtchn_2l_unmask(struct vcpu *v, unsigned int port)
{
    struct shared_info *s = v->domain->shared_info;

    ASSERT(port < EVTCHN_NR_PORTS);
    if ( test_and_clear(s->evtchn_mask, port) && test(s->evtchn_pending, port) )
        raise_selector(v, port);
}

bool evtchn_2l_is_pending(const struct domain *d, unsigned int port)
{
    return port < EVTCHN_NR_PORTS && test(d->shared_info->evtchn_pending, port);
}

bool evtchn_2l_is_masked(const struct domain *d, unsigned int port)
{
    return port >= EVTCHN_NR_PORTS || test(d->shared_info->evtchn_mask, port);
}
