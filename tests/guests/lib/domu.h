/*
 * domu.h - helpers for tests that run as boot-time domains (tests/guests/<name>/domains): the
 * guest's own command line, waiting on a port, and finding the port a peer offered without xenstore.
 *
 * The rendezvous (docs/boot-time-domains.md): domain A offers domain B a port with
 * EVTCHNOP_alloc_unbound(remote_dom = B); B learns A's id from its command line (peer=A) but not the
 * port number, so it tries EVTCHNOP_bind_interdomain(A, p) for p = 1, 2, ... 63: only the port
 * offered to B binds, any other answers -EINVAL; A may not have offered it yet, so B sweeps again,
 * yielding in between, until a deadline.  Nothing depends on which numbers either side's ports get.
 */
#ifndef GUEST_DOMU_H
#define GUEST_DOMU_H

#include "types.h"
#include <xen/xen.h>
#include <xen/event_channel.h>

/* The domain was built as dom0 (start_info: SIF_INITDOMAIN). */
bool guest_is_dom0(void);
/* Option `name` of the guest's own command line (start_info->cmd_line): "name=value" gives value,
   a bare "name" gives "".  False if absent. */
bool guest_cmdline_option(const char *name, char *val, size_t size);
/* The decimal value of option `name`, or dflt. */
unsigned long guest_cmdline_number(const char *name, unsigned long dflt);

/* Waits (SCHEDOP_poll) until port is pending, at most timeout_ns; clears it.  False on timeout. */
bool domu_wait_port(evtchn_port_t port, uint64_t timeout_ns);
/* The rendezvous above, as B: the local port bound to the one remote offered us (its number in
   *remote_port), or -ETIMEDOUT after timeout_ns, or another error of bind_interdomain. */
long domu_bind_offered_port(domid_t remote, uint64_t timeout_ns, evtchn_port_t *remote_port);
/* EVTCHNOP_send on port. */
long domu_send(evtchn_port_t port);

#endif /* GUEST_DOMU_H */
