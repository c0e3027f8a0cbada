/*
 * event.h - event channels (Xen 4.17's 2-level ABI): ports, the EVTCHNOP_* hypercall, VIRQs, and the
 * pending/mask/selector bits in shared_info and vcpu_info.
 *
 * A domain has up to EVTCHN_NR_PORTS ports; port 0 is reserved.  A port is
 * free, unbound (waiting for a given domain to bind to it), interdomain
 * (connected to a port of another domain or of the same one), bound to a
 * VIRQ or an IPI of one of the domain's vCPUs.  Raising a port sets its bit
 * in shared_info->evtchn_pending and, unless it is masked, its selector bit
 * in the notified vCPU's vcpu_info and evtchn_upcall_pending, then kicks
 * that vCPU (vcpu_kick()).
 *
 * Locking (details in common/event_channel.c): each domain has an event
 * lock, always taken with interrupts off (VIRQs are sent from timer
 * interrupts); two domains' event locks are taken lower domain id first.
 * vcpu_kick() is called with event locks held and interrupts off: it must
 * not take an event lock.
 */
#ifndef PARVA_EVENT_H
#define PARVA_EVENT_H

#include <parva/public.h>
#include <xen/event_channel.h>

struct domain;
struct vcpu;

#define EVTCHN_NR_PORTS     EVTCHN_2L_NR_CHANNELS   /* 4096: 64 selector bits x 64 ports */

/* Set up and tear down a domain's ports (domain_create / domain_destroy). */
int evtchn_init(struct domain *d);
/*
 * Close every port (the remote end of an interdomain channel becomes unbound
 * again, as when the guest closes it) and free the domain's event state.
 * Call it before the vCPUs, shared_info or any registered vcpu_info go
 * away, and once nothing sends VIRQs to the domain any more (timers
 * stopped).  Does nothing if evtchn_init() did not succeed.
 */
void evtchn_destroy(struct domain *d);

/* HYPERVISOR_event_channel_op(cmd, arg), for current's domain. */
long do_event_channel_op(unsigned long cmd, unsigned long arg);

/*
 * Hypervisor event sources.  VIRQs not bound by the guest are dropped.
 * virq must be below NR_VIRQS and of the right kind (per-vCPU: TIMER, DEBUG,
 * XENOPROF, XENPMU; every other one is global), or it is a BUG.  The caller
 * keeps the domain alive (holds a reference, or is the domain's own timer).
 */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
void send_guest_global_virq(struct domain *d, unsigned int virq);   /* to the vCPU the port is bound to */
bool evtchn_virq_is_global(unsigned int virq);
/* Raise d's port for its notified vCPU (a backend inside the hypervisor); -EINVAL if it is not in use. */
int evtchn_send_port(struct domain *d, unsigned int port);

/*
 * Hypervisor-side ports ("Xen ports"): a port of d whose other end is not
 * another domain but a function of the hypervisor, for backends the
 * hypervisor serves itself (a boot-time domain's console ring,
 * common/console_ring.c).  When the guest sends on it (EVTCHNOP_send),
 * fn(d, port, data) runs on the sending vCPU, inside that hypercall, with no
 * event lock held and interrupts as the hypercall has them (on); the
 * hypervisor raises the guest's end with evtchn_send_port().  To the guest
 * the port is bound: EVTCHNOP_status says interdomain, to DOMID_XEN, remote
 * port 0; it may move it to another vCPU (bind_vcpu) or close it (close,
 * reset), after which fn is never called for it again.  Only d's own vCPUs
 * can make fn run: data must stay valid until evtchn_free_xen_port() or
 * until none of d's vCPUs can run any more (domain destruction, which also
 * closes the port).  A domain has at most EVTCHN_XEN_PORTS of them.
 */
#define EVTCHN_XEN_PORTS    4
typedef void (*evtchn_xen_fn_t)(struct domain *d, unsigned int port, void *data);
/* A new port of d, notifying vCPU vcpu, served by fn: the port (> 0), or -ENOENT (no such vCPU),
 * -ENOSPC (no free port, or EVTCHN_XEN_PORTS in use), -ENOMEM, -EINVAL (d is dying). */
int evtchn_alloc_xen_port(struct domain *d, unsigned int vcpu, evtchn_xen_fn_t fn, void *data);
/* Close d's port from the hypervisor's side, if it is still the Xen port served with data. */
void evtchn_free_xen_port(struct domain *d, unsigned int port, void *data);

/* Raise a bound pirq port from its interrupt (arch/x86/pirq.c, which holds pirq_lock; no event lock). */
void evtchn_raise_pirq_port(struct domain *d, unsigned int port);
/* EVTCHNOP_unmask on d's behalf (PHYSDEVOP_eoi with the v1 EOI bitmap): -EINVAL for a bad port. */
int evtchn_unmask_port(struct domain *d, unsigned int port);

/* SCHEDOP_poll: is the port's pending bit set?  False for port >= EVTCHN_NR_PORTS. */
bool evtchn_port_pending(const struct domain *d, unsigned int port);
/*
 * SCHEDOP_poll: mark v as polling one port (or any port: EVTCHN_POLL_ANY).
 * Until the mark is cleared, a port of v's domain becoming pending (masked
 * or not) clears it and kicks v.  Set the mark before checking the ports,
 * so that an event in between is not missed.
 */
#define EVTCHN_POLL_ANY     (-1)
void evtchn_poll_start(struct vcpu *v, int port);
/* Clear v's poll mark; false if an event already cleared it (and kicked v). */
bool evtchn_poll_stop(struct vcpu *v);

/*
 * The 2-level bit logic (common/event_2l.c), over d->shared_info and
 * v->vcpu_info (a vCPU without vcpu_info gets its pending bits only; its
 * selector and upcall are set when it registers one).  Atomic, lock-free
 * against the guest; the callers serialise port state changes.
 */
/* Raise port on v: true if its pending bit was newly set (pollers may need waking). */
bool evtchn_2l_set_pending(struct vcpu *v, unsigned int port);
void evtchn_2l_clear_pending(struct domain *d, unsigned int port);
/* Clear the mask bit; if it was set and the port is pending, raise the selector and upcall on v. */
void evtchn_2l_unmask(struct vcpu *v, unsigned int port);
bool evtchn_2l_is_pending(const struct domain *d, unsigned int port);
bool evtchn_2l_is_masked(const struct domain *d, unsigned int port);
/* Set v's evtchn_upcall_pending; kick v if it was clear (Xen's vcpu_mark_events_pending). */
void evtchn_mark_events_pending(struct vcpu *v);

#endif /* PARVA_EVENT_H */
