/*
 * console_ring.h - the hypervisor as the console backend of a boot-time domain.
 *
 * A domU's console is a shared page (struct xencons_interface, Xen's public io/console.h) given in
 * start_info.console.domU.mfn, and an event channel port, start_info.console.domU.evtchn.  The guest
 * (Linux's hvc0, console=hvc0) writes its output into the page's `out` ring, advances out_prod and
 * notifies the port.  Here that port is a hypervisor-side port (evtchn_alloc_xen_port): the
 * notification runs console_ring's reader on the guest's vCPU, which prints every complete line on
 * the hypervisor's console as "(name) line", advances out_cons and notifies the guest back (as Xen's
 * xenconsoled does).  Output is line-buffered per domain (a line longer than CONSOLE_RING_LINE is
 * cut); carriage returns and NULs are dropped.  Input: bytes typed on the serial console while
 * input is switched to the domain (Ctrl-A three times cycles Parva, dom0, the boot-time domains;
 * console_input.c) go into the page's `in` ring, and the port is notified.
 */
#ifndef PARVA_CONSOLE_RING_H
#define PARVA_CONSOLE_RING_H

#include <parva/types.h>

#define CONSOLE_RING_LINE   256     /* characters of one output line, at most (longer ones are cut) */

struct domain;
struct console_ring;

/*
 * Serve d's console page, mapped by the hypervisor at `page` (it is one of d's frames), for a domain
 * called name; the guest's port notifies vCPU 0.  The console, with its port in *port; or NULL and
 * -errno in *port.
 */
struct console_ring *console_ring_create(struct domain *d, void *page, const char *name, int *port);
/* Print a last unfinished line, close the port and free it; none of d's vCPUs may run any more. */
void console_ring_destroy(struct console_ring *c);
/* One byte typed for the domain: into `in` if there is room (else dropped), and a notification. */
void console_ring_input(struct console_ring *c, char ch);
/* The domain the ring serves (for console_input.c's messages). */
unsigned int console_ring_domid(const struct console_ring *c);

#endif /* PARVA_CONSOLE_RING_H */
