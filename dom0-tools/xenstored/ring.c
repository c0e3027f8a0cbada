/*
 * ring.c - domain connections: the shared page (struct xenstore_domain_interface of
 * xs_wire.h) read and written as Xen's xenstored does, with the event channel of the
 * platform (platform_ops) for notifications.  Indexes are read once, checked, and a
 * bad one ends the connection (XENSTORE_ERROR_RINGIDX in the page's error field).
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

static struct xenstore_domain_interface *intf_of(struct conn *c)
{
    return c->domain ? c->domain->interface : NULL;
}

static bool check_indexes(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod)
{
    return (prod - cons) <= XENSTORE_RING_SIZE;
}

static int ring_write(struct conn *c, const void *data, unsigned int len)
{
    struct xenstore_domain_interface *intf = intf_of(c);
    XENSTORE_RING_IDX cons, prod;
    unsigned int avail;

    if (!intf)
        return -1;
    cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_ACQUIRE);
    prod = intf->rsp_prod;
    if (!check_indexes(cons, prod)) {
        intf->error = XENSTORE_ERROR_RINGIDX;
        return -1;
    }
    avail = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
    if (XENSTORE_RING_SIZE - (prod - cons) < avail)
        avail = XENSTORE_RING_SIZE - (prod - cons);
    if (avail < len)
        len = avail;
    memcpy(intf->rsp + MASK_XENSTORE_IDX(prod), data, len);
    __atomic_store_n(&intf->rsp_prod, prod + len, __ATOMIC_RELEASE);
    if (len)
        platform->notify(c->domain->port);
    return len;
}

static int ring_read(struct conn *c, void *data, unsigned int len)
{
    struct xenstore_domain_interface *intf = intf_of(c);
    XENSTORE_RING_IDX cons, prod;
    unsigned int avail;

    if (!intf)
        return -1;
    cons = intf->req_cons;
    prod = __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE);
    if (!check_indexes(cons, prod)) {
        intf->error = XENSTORE_ERROR_RINGIDX;
        return -1;
    }
    avail = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
    if (prod - cons < avail)
        avail = prod - cons;
    if (avail < len)
        len = avail;
    memcpy(data, intf->req + MASK_XENSTORE_IDX(cons), len);
    __atomic_store_n(&intf->req_cons, cons + len, __ATOMIC_RELEASE);
    if (len)
        platform->notify(c->domain->port);
    return len;
}

static bool ring_can_read(struct conn *c)
{
    struct xenstore_domain_interface *intf = intf_of(c);

    if (!intf)
        return false;
    if (domain_is_unprivileged(c) && hard_quotas[Q_OUTSTANDING].val &&
        c->out_replies >= hard_quotas[Q_OUTSTANDING].val)
        return false;        /* Xen's flow control: answer the queued ones first */
    return intf->req_cons != __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE);
}

static bool ring_can_write(struct conn *c)
{
    struct xenstore_domain_interface *intf = intf_of(c);

    return intf && intf->rsp_prod - __atomic_load_n(&intf->rsp_cons, __ATOMIC_ACQUIRE) !=
                   XENSTORE_RING_SIZE;
}

static void ring_destroy(struct conn *c)
{
    if (c->domain && c->domain->conn == c)
        c->domain->conn = NULL;
}

static const struct conn_ops ring_ops = {
    .read = ring_read,
    .write = ring_write,
    .can_read = ring_can_read,
    .can_write = ring_can_write,
    .destroy = ring_destroy,
};

struct conn *ring_conn_new(struct domain *d)
{
    struct conn *c = conn_new(&ring_ops, -1, d->domid, true);

    if (c)
        c->domain = d;
    return c;
}

/* (Re-)introduction: forget the connection's state and start the ring afresh. */
void ring_reset(struct domain *d)
{
    struct xenstore_domain_interface *intf = d->interface;
    struct conn *c = d->conn;

    if (c) {
        struct msg *m;

        watch_remove_all(c);
        txn_destroy_all(c);
        while ((m = conn_pop(c)))
            free(m);
        free(c->in_buf);
        c->in_buf = NULL;
        c->in_used = 0;
        c->in_body = false;
        c->ignored = false;           /* re-introduction starts afresh */
    }
    if (!intf)
        return;
    intf->req_cons = intf->req_prod = 0;
    intf->rsp_cons = intf->rsp_prod = 0;
    intf->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR;
    intf->error = XENSTORE_ERROR_NONE;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (intf->connection == XENSTORE_RECONNECT) {
        intf->connection = XENSTORE_CONNECTED;
        platform->notify(d->port);
    }
}
