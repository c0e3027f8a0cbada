/*
 * domain.c - domains as xenstored knows them: introduction and release, the special
 * @introduceDomain / @releaseDomain events, SET_TARGET, per-domain accounting and the
 * quotas (which bind unprivileged domains only, as in Xen).
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

struct quota hard_quotas[Q_COUNT] = {
    [Q_NODES]        = { "nodes", "Nodes per domain", 1000 },
    [Q_WATCHES]      = { "watches", "Watches per domain", 128 },
    [Q_OUTSTANDING]  = { "outstanding", "Outstanding requests per domain", 20 },
    [Q_MEMORY]       = { "memory", "Total Xenstore memory per domain (error level, not enforced)",
                         2 * 1024 * 1024 + 512 * 1024 },
    [Q_TRANSACTIONS] = { "transactions", "Active transactions per domain", 10 },
    [Q_TRANS_NODES]  = { "transaction-nodes", "Max. number of accessed nodes per transaction", 1024 },
    [Q_PERMS]        = { "node-permissions", "Max. number of permissions per node", 5 },
    [Q_PATHLEN]      = { "path-max", "Max. length of a node path", XENSTORE_REL_PATH_MAX },
    [Q_NODESIZE]     = { "node-size", "Max. size of a node", 2048 },
};
struct quota soft_quotas[Q_COUNT] = {
    [Q_MEMORY] = { "memory", "Total Xenstore memory per domain (warning level, not enforced)",
                   2 * 1024 * 1024 },
};

unsigned int priv_domid;
unsigned int master_domid;
bool keep_orphans;
static struct domain *domains[DOMID_LIMIT];

bool domain_is_unprivileged(const struct conn *c)
{
    return c && c->domain && c->domain->domid != 0 && c->domain->domid != priv_domid;
}

bool quota_exceeded(const struct conn *c, enum quota_item q, unsigned int val)
{
    return domain_is_unprivileged(c) && hard_quotas[q].val && val > hard_quotas[q].val;
}

struct domain *domain_find(unsigned int domid)
{
    return domid < DOMID_LIMIT ? domains[domid] : NULL;
}

struct domain *domain_find_or_alloc(unsigned int domid)
{
    struct domain *d;

    if (domid >= DOMID_LIMIT)
        return NULL;
    if (domains[domid])
        return domains[domid];
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    d->generation = generation;
    domains[domid] = d;
    return d;
}

bool domain_perm_valid(unsigned int domid, uint64_t node_gen)
{
    const struct domain *d = domain_find(domid);

    return d && d->generation <= node_gen;
}

void domain_nodes_add(unsigned int domid, int delta)
{
    struct domain *d = domain_find_or_alloc(domid);

    if (!d)
        return;
    if (delta < 0 && (unsigned int)-delta > d->nodes)
        d->nodes = 0;
    else
        d->nodes += delta;
    if (d->nodes > d->max_nodes)
        d->max_nodes = d->nodes;
}

unsigned int domain_nodes(unsigned int domid)
{
    const struct domain *d = domain_find(domid);

    return d ? d->nodes : 0;
}

bool domain_is_introduced(unsigned int domid)
{
    const struct domain *d = domain_find(domid);

    return d && d->introduced;
}

void domain_setup(void)
{
    struct domain *d0 = domain_find_or_alloc(0);

    if (d0)
        d0->generation = 0;
    if (priv_domid)
        domain_find_or_alloc(priv_domid);
}

/* The domain is gone (released, destroyed): drop its connection and nodes. */
static void domain_destroy(struct domain *d, bool fire)
{
    struct conn *c = d->conn;
    bool was_introduced = d->introduced;

    d->introduced = false;
    if (c) {
        d->conn = NULL;
        watch_remove_all(c);          /* no events for its own nodes going */
        c->domain = NULL;
        c->priv = NULL;
        c->ignored = false;
        conn_kill(c, "domain released");
    }
    if (d->port)
        platform->unbind(d->port);
    if (d->interface)
        platform->unmap(d->domid, d->interface);
    d->port = 0;
    d->interface = NULL;
    tree_remove_domain_nodes(d->domid);
    if (was_introduced && fire)
        fire_watches_now("@releaseDomain", true, NULL, 0);
    if (d->domid != 0 && d->domid != priv_domid && d->nodes == 0) {
        domains[d->domid] = NULL;
        free(d);
    }
}

void domain_teardown(void)
{
    unsigned int i;

    for (i = 0; i < DOMID_LIMIT; i++)
        if (domains[i]) {
            if (domains[i]->conn) {
                domains[i]->conn->domain = NULL;
                domains[i]->conn->priv = NULL;
            }
            if (domains[i]->interface)
                platform->unmap(i, domains[i]->interface);
            if (domains[i]->port)
                platform->unbind(domains[i]->port);
            free(domains[i]);
            domains[i] = NULL;
        }
}

struct conn *ring_conn_new(struct domain *d);
void ring_reset(struct domain *d);

int domain_introduce(unsigned int domid, unsigned long mfn, unsigned int port)
{
    struct domain *d;
    long local;

    if (port == 0 || domid >= DOMID_LIMIT)
        return EINVAL;
    d = domain_find_or_alloc(domid);
    if (!d)
        return ENOMEM;
    if (!d->introduced) {
        void *intf = platform->map(domid, mfn);

        if (!intf)
            return errno ? errno : EINVAL;
        local = platform->bind(domid, port);
        if (local < 0) {
            int err = errno ? errno : EINVAL;

            platform->unmap(domid, intf);
            return err;
        }
        d->interface = intf;
        d->port = local;
        d->shutdown = false;
        d->conn = ring_conn_new(d);
        if (!d->conn) {
            platform->unbind(d->port);
            platform->unmap(domid, intf);
            d->interface = NULL;
            d->port = 0;
            return ENOMEM;
        }
        d->introduced = true;
        xsd_log(LOG_INFO_L, "domain %u introduced (port %ld)", domid, local);
        if (domid != 0)
            fire_watches_now("@introduceDomain", true, NULL, 0);
    } else {
        /* Re-introduction re-binds the event channel. */
        if (d->port)
            platform->unbind(d->port);
        local = platform->bind(domid, port);
        d->port = local < 0 ? 0 : local;
    }
    ring_reset(d);
    return 0;
}

static int connected_domain(unsigned int domid, struct domain **out)
{
    struct domain *d = domain_find(domid);

    if (!d || !d->introduced)
        return ENOENT;
    if (!d->conn)
        return EINVAL;
    *out = d;
    return 0;
}

int domain_release(unsigned int domid)
{
    struct domain *d;
    int ret;

    if (domid == 0)
        return EINVAL;
    ret = connected_domain(domid, &d);
    if (ret)
        return ret;
    xsd_log(LOG_INFO_L, "domain %u released", domid);
    domain_destroy(d, true);
    return 0;
}

int domain_resume(unsigned int domid)
{
    struct domain *d;
    int ret;

    if (domid == 0)
        return EINVAL;
    ret = connected_domain(domid, &d);
    if (!ret)
        d->shutdown = false;
    return ret;
}

int domain_set_target(unsigned int domid, unsigned int tdomid)
{
    struct domain *d, *t;
    int ret = connected_domain(domid, &d);

    if (!ret)
        ret = connected_domain(tdomid, &t);
    if (!ret)
        d->conn->target = t->conn;
    return ret;
}

void domain_conn_closed(struct conn *c)
{
    struct conn *i;

    for (i = connections; i; i = i->next)
        if (i->target == c)
            i->target = NULL;
}

void domain_check_all(void)
{
    bool notify = false;
    unsigned int i;

    for (i = 1; i < DOMID_LIMIT; i++) {
        struct domain *d = domains[i];
        int state;

        if (!d || !d->introduced)
            continue;
        state = platform->domain_state(i);
        if (state == 1 && !d->shutdown) {
            d->shutdown = true;
            notify = true;
        } else if (state == 2) {
            xsd_log(LOG_INFO_L, "domain %u is gone", i);
            domain_destroy(d, true);
        }
    }
    if (notify)
        fire_watches_now("@releaseDomain", true, NULL, 0);
}

void domain_handle_event(void)
{
    long port;

    while ((port = platform->pending()) != -1) {
        if (port == PLATFORM_VIRQ)
            domain_check_all();
        /* Ring ports need nothing: every ring is looked at after each poll. */
    }
}

char *domain_quota_report(unsigned int domid)
{
    const struct domain *d = domain_find(domid);
    const struct conn *c = d ? d->conn : NULL;
    char *buf;
    size_t len = 512;

    if (!d) {
        errno = ENOENT;
        return NULL;
    }
    buf = malloc(len);
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    snprintf(buf, len,
             "Domain %u:\n"
             "%-17s: %8u (max %8u)\n"
             "%-17s: %8u (max %8u)\n"
             "%-17s: %8u (max %8u)\n"
             "%-17s: %8u\n",
             domid,
             hard_quotas[Q_NODES].name, d->nodes, d->max_nodes,
             hard_quotas[Q_WATCHES].name, c ? c->nwatches : 0, d->max_watches,
             hard_quotas[Q_TRANSACTIONS].name, c ? c->ntxns : 0, d->max_trans,
             hard_quotas[Q_OUTSTANDING].name, c ? c->out_replies : 0);
    return buf;
}
