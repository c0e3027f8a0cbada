/*
 * pirq.h - physical interrupts routed to the hardware domain as event channels (Xen's "pirqs"): the
 * PHYSDEVOP_* interrupt operations, the binding of a pirq to an event channel port, the interrupt
 * path and the guest's EOI.  Design and locking: docs/design/physical-interrupts.md and the top of
 * arch/x86/pirq.c.
 *
 * A pirq is a domain's name for a physical interrupt; for a GSI it is the number the guest asks
 * for in PHYSDEVOP_map_pirq (Linux asks for pirq == GSI).  Only the privileged domain has pirqs;
 * every other domain gets -EPERM.  MSI and MSI-X are not offered (-EPERM, what Xen answers when MSI
 * is disabled), so Linux drives its devices with their INTx lines.
 */
#ifndef ASM_PIRQ_H
#define ASM_PIRQ_H

#include <parva/types.h>

struct domain;

/* Pirqs a domain may name: 0 .. PIRQ_NR - 1 (Xen: nr_pirqs). */
#define PIRQ_NR             256

/*
 * How an interrupt is acknowledged (Xen's ACKTYPE_*): an edge-triggered GSI is acknowledged at the
 * local APIC at once (NONE: the guest need not EOI); a level-triggered one is masked at the
 * IO-APIC and acknowledged, and unmasked when the guest EOIs (UNMASK).
 */
enum pirq_ack { PIRQ_ACK_NONE, PIRQ_ACK_UNMASK };

/* ---- for physdev.c (the PHYSDEVOP_* hypercalls), all with d privileged ---- */

/* PHYSDEVOP_setup_gsi: trigger (1 level) and polarity (1 active low) for a GSI, before it is bound. */
int pirq_setup_gsi(int gsi, int level, int active_low);
/* PHYSDEVOP_map_pirq, MAP_PIRQ_TYPE_GSI: map GSI index to *pirq (< 0: choose one); *pirq is the result. */
int pirq_map_gsi(struct domain *d, int index, int *pirq);
int pirq_unmap(struct domain *d, int pirq);
/* PHYSDEVOP_get_free_pirq: reserve an unused pirq (GSI type: from 16 up; others from the top down). */
int pirq_get_free(struct domain *d, int type);
/* PHYSDEVOP_eoi: the guest handled pirq; -EINVAL if d has no such pirq. */
int pirq_guest_eoi(struct domain *d, int pirq);
/* PHYSDEVOP_irq_status_query: XENIRQSTAT_* flags of pirq into *flags. */
int pirq_status(struct domain *d, int pirq, uint32_t *flags);
/* PHYSDEVOP_IRQ_UNMASK_NOTIFY: EOI every pirq in flight whose port the guest has unmasked. */
int pirq_unmask_notify(struct domain *d);
/*
 * PHYSDEVOP_pirq_eoi_gmfn_v1/v2: the guest's EOI bitmap (map: the frame mfn, which the caller holds
 * a writable reference to; v1 also unmasks the port on EOI).  -EBUSY if d has one already.
 */
int pirq_set_eoi_map(struct domain *d, unsigned long *map, unsigned long mfn, bool v1);
/* With the v1 bitmap, PHYSDEVOP_eoi unmasks the pirq's port first: the port, or 0. */
unsigned int pirq_auto_unmask_port(struct domain *d, int pirq);

/* ---- for event_channel.c, with d's event lock held ---- */

/*
 * EVTCHNOP_bind_pirq: bind pirq to the (free, not yet used) port of d: -EINVAL pirq out of range,
 * -EPERM not mapped (or d unprivileged), -EEXIST already bound, -EBUSY the hypervisor uses the GSI.
 * From here on the GSI is unmasked and its interrupts raise the port.
 */
int pirq_guest_bind(struct domain *d, unsigned int pirq, unsigned int port, bool will_share);
/* EVTCHNOP_close of a pirq port (also after the pirq was unmapped: then there is nothing to do). */
void pirq_guest_unbind(struct domain *d, unsigned int pirq, unsigned int port);

/* ---- pv/physdev.c ---- */

/* HYPERVISOR_physdev_op's interrupt and PCI operations (set_iopl is hc_cpu.c's): -ENOSYS if unknown. */
long physdev_pirq_op(unsigned int cmd, unsigned long arg);
/* pirq_domain_destroy(), and the EOI bitmap frame's reference dropped (arch_domain_destroy()). */
void physdev_domain_destroy(struct domain *d);

/* ---- lifetime ---- */

/* Unmap every pirq and free d's table (after evtchn_destroy()); the EOI bitmap's frame, or 0. */
unsigned long pirq_domain_destroy(struct domain *d);

/* ---- the pure core, exported for the unit tests and the debug key ---- */

/* The interrupt of a guest GSI (interrupt context; the local APIC EOI follows it). */
void pirq_gsi_interrupt(unsigned int gsi, void *data);
void pirq_dump(void);

/*
 * Hardware hooks (arch/x86/irq.c; the unit tests stand in for them).  pirq_lock is held around
 * each call, so they must not take it.
 */
unsigned int pirq_hw_nr_gsis(void);                         /* GSIs with an IO-APIC pin */
bool pirq_hw_gsi_reserved(unsigned int gsi);                /* the hypervisor drives it itself */
unsigned int pirq_hw_default_mode(unsigned int gsi);        /* ISA defaults/overrides, else level low */
int pirq_hw_route(unsigned int gsi, unsigned int mode);     /* route to pirq_gsi_interrupt, unmasked */
void pirq_hw_mask(unsigned int gsi, bool masked);

#endif /* ASM_PIRQ_H */
