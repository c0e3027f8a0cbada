/* ringclient.h - a "guest" for tests on the host: the domain side of a xenstore ring,
 * in the layout of xenstored's host platform (see xenstored/host_ring.c). */
#ifndef RINGCLIENT_H
#define RINGCLIENT_H
#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

struct ring_guest {
    unsigned int domid, port;
    int sock;
    char dir[200];
    struct xenstore_domain_interface *intf;
};

int rg_create(struct ring_guest *g, const char *dir, unsigned int domid, unsigned int port);
void rg_kick(struct ring_guest *g);
/* Raw bytes onto the request ring (waits for room up to 2 s); 0 or -1. */
int rg_write(struct ring_guest *g, const void *data, unsigned int len);
int rg_send(struct ring_guest *g, uint32_t type, uint32_t tx, const void *payload, unsigned int len);
/* Next message from the response ring within timeout_ms; 0, or -1 on timeout. */
int rg_recv(struct ring_guest *g, struct xsd_sockmsg *hdr, char *buf, unsigned int cap, int timeout_ms);
/* Send and receive the reply (skipping watch events into *events if not NULL). */
int rg_call(struct ring_guest *g, uint32_t type, uint32_t tx, const void *payload, unsigned int len,
            struct xsd_sockmsg *hdr, char *buf, unsigned int cap);
/* The domain goes away: its page file disappears and xenstored gets VIRQ_DOM_EXC. */
void rg_destroy(struct ring_guest *g);
void rg_virq(const char *dir);
#endif
