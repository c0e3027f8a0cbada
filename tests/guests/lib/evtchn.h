/*
 * evtchn.h - 2-level event channels for the test kernels, the way Linux uses them: ports with
 * handlers bound to a vCPU, and one upcall per vCPU that scans its evtchn_pending_sel.
 *
 * Design: evtchn_upcall() (installed as traps.c's event_hook by evtchn_init) runs on the vCPU the
 * event was delivered to, with events masked: it clears evtchn_upcall_pending, swaps
 * evtchn_pending_sel to 0, and for each selected word takes the ports that are pending, not masked
 * and bound to this vCPU (the framework records the vCPU of every port it binds), clears their
 * pending bit and calls their handler; it repeats while evtchn_upcall_pending is set again. Ports of
 * other vCPUs and masked ports are left alone, so an event the hypervisor raised on the wrong
 * vCPU's selector never reaches its handler (that vCPU counts an upcall that found nothing, and the
 * delivery count of the port stays short). Ports at or above EVTCHN_MAX_PORTS cannot have handlers. evtchn_unmask() is Linux's: a local port is unmasked in shared_info and re-raised by the
 * guest itself (selector bit, upcall_pending); a port of another vCPU goes through EVTCHNOP_unmask.
 */
#ifndef GUEST_EVTCHN_H
#define GUEST_EVTCHN_H

#include "types.h"
#include <xen/xen.h>
#include <xen/event_channel.h>
#include "traps.h"

#define EVTCHN_MAX_PORTS    1024

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

/* Per-port bookkeeping: handler, the vCPU it is bound to, deliveries. */
struct evtchn_port_info
{
    evtchn_handler_t handler;
    void *arg;
    uint16_t vcpu;
    bool bound;
    volatile uint32_t count;        /* deliveries (on vCPU `vcpu`, the only one that handles it) */
};
extern struct evtchn_port_info evtchn_ports[EVTCHN_MAX_PORTS];

/* Installs evtchn_upcall() as the event hook (idempotent). */
void evtchn_init(void);
/* The upcall (an event_hook). */
bool evtchn_upcall(struct cpu_regs *regs);

/* EVTCHNOP_bind_ipi / bind_virq for `vcpu` with a handler (may be NULL: counted only). Returns the
   port (> 0) or the hypercall's error. */
long evtchn_bind_ipi(unsigned int vcpu, evtchn_handler_t h, void *arg);
long evtchn_bind_virq(unsigned int virq, unsigned int vcpu, evtchn_handler_t h, void *arg);
/* Records a handler for a port bound some other way (or after EVTCHNOP_bind_vcpu). */
void evtchn_set_handler(evtchn_port_t port, unsigned int vcpu, evtchn_handler_t h, void *arg);
/* EVTCHNOP_send / EVTCHNOP_close / EVTCHNOP_unmask. */
long evtchn_send(evtchn_port_t port);
long evtchn_close(evtchn_port_t port);
long evtchn_unmask_hypercall(evtchn_port_t port);

/* The port's bits in shared_info. */
bool evtchn_is_pending(evtchn_port_t port);
bool evtchn_is_masked(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);
void evtchn_clear_pending(evtchn_port_t port);
/* Linux's unmask (see above). */
void evtchn_unmask(evtchn_port_t port);

/* The calling vCPU's upcall mask (virtual IF): enable delivers what is pending at once. */
void evtchn_enable(void);
void evtchn_disable(void);

#endif /* GUEST_EVTCHN_H */
