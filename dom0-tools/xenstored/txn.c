/*
 * txn.c - transactions with optimistic conflict detection.
 *
 * Design: a transaction keeps, for each node it touches, a private copy and the
 * generation count the node had in the global store at its first access (NO_GENERATION
 * if it did not exist).  Reads and writes in the transaction see the copies.  At commit
 * every touched node's generation in the store must still be the recorded one; if any
 * differs, another client changed (or created, or deleted) it meanwhile and the commit
 * fails with EAGAIN.  Otherwise the modified copies replace the store's nodes in access
 * order, the node counts change, and the watches queued during the transaction fire,
 * once per changed node.  Whatever the outcome, TRANSACTION_END ends the transaction.
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

struct txn_entry {
    struct txn_entry *next, *hnext;
    uint64_t gen_seen;
    struct node *node;                /* content inside the transaction; NULL: absent */
    struct xs_permissions *oldp;      /* permissions at first access (watch checks) */
    unsigned int oldn;
    bool modified, fire, exact;
    char name[];
};

struct acc_delta {
    unsigned int domid;
    int delta;
};

struct txn {
    struct txn *next;
    struct conn *conn;
    uint32_t id;
    struct txn_entry *head, *tail, **buckets;
    unsigned int nentries, nbuckets;
    struct acc_delta *acc;
    unsigned int nacc;
    bool created, failed;
};

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static struct txn_entry *entry_find(struct txn *t, const char *name)
{
    struct txn_entry *e;

    for (e = t->buckets[hash_name(name) % t->nbuckets]; e; e = e->hnext)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

static void rehash(struct txn *t)
{
    unsigned int nb = t->nbuckets * 4;
    struct txn_entry **b = calloc(nb, sizeof(*b)), *e;

    if (!b)
        return;
    for (e = t->head; e; e = e->next) {
        unsigned int i = hash_name(e->name) % nb;

        e->hnext = b[i];
        b[i] = e;
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = nb;
}

/* First access to name in t: record the store's generation and copy the node. */
static struct txn_entry *entry_new(struct conn *c, struct txn *t, const char *name)
{
    const struct node *g;
    struct txn_entry *e;
    size_t len = strlen(name) + 1;
    unsigned int i;

    if (quota_exceeded(c, Q_TRANS_NODES, t->nentries + 1)) {
        t->failed = true;
        errno = ENOSPC;
        return NULL;
    }
    e = calloc(1, sizeof(*e) + len);
    if (!e)
        goto nomem;
    memcpy(e->name, name, len);
    g = store_get(&global_store, name);
    e->gen_seen = g ? g->generation : NO_GENERATION;
    if (g) {
        e->node = node_clone(g);
        e->oldn = g->nperms;
        e->oldp = malloc(g->nperms * sizeof(*e->oldp));
        if (!e->node || !e->oldp) {
            node_free(e->node);
            free(e->oldp);
            free(e);
            goto nomem;
        }
        memcpy(e->oldp, g->perms, g->nperms * sizeof(*e->oldp));
    }
    if (t->tail)
        t->tail->next = e;
    else
        t->head = e;
    t->tail = e;
    i = hash_name(name) % t->nbuckets;
    e->hnext = t->buckets[i];
    t->buckets[i] = e;
    if (++t->nentries > 2 * t->nbuckets)
        rehash(t);
    return e;
nomem:
    t->failed = true;
    errno = ENOMEM;
    return NULL;
}

struct node *txn_get(struct conn *c, struct txn *t, const char *name)
{
    struct txn_entry *e = entry_find(t, name);

    if (!e)
        e = entry_new(c, t, name);
    if (!e)
        return NULL;
    if (!e->node)
        errno = ENOENT;
    return e->node;
}

int txn_put(struct conn *c, struct txn *t, struct node *n)
{
    struct txn_entry *e = entry_find(t, n->name);

    if (!e)
        e = entry_new(c, t, n->name);
    if (!e) {
        node_free(n);
        return errno;
    }
    node_free(e->node);
    e->node = n;
    e->modified = true;
    return 0;
}

int txn_del(struct conn *c, struct txn *t, const char *name)
{
    struct txn_entry *e = entry_find(t, name);

    if (!e)
        e = entry_new(c, t, name);
    if (!e)
        return errno;
    node_free(e->node);
    e->node = NULL;
    e->modified = true;
    return 0;
}

/* A non-exact event replaces an exact one, not the other way round (as Xen). */
void txn_queue_watch(struct txn *t, const char *name, bool exact)
{
    struct txn_entry *e = entry_find(t, name);

    if (!e) {
        t->failed = true;
        return;
    }
    if (!e->fire) {
        e->fire = true;
        e->exact = exact;
    } else if (!exact) {
        e->exact = false;
    }
}

void txn_account(struct txn *t, unsigned int domid, int delta, bool created)
{
    unsigned int i;
    struct acc_delta *a;

    if (created)
        t->created = true;
    for (i = 0; i < t->nacc; i++)
        if (t->acc[i].domid == domid) {
            t->acc[i].delta += delta;
            return;
        }
    a = realloc(t->acc, (t->nacc + 1) * sizeof(*a));
    if (!a) {
        t->failed = true;
        return;
    }
    t->acc = a;
    t->acc[t->nacc++] = (struct acc_delta){ domid, delta };
}

int txn_delta(struct txn *t, unsigned int domid)
{
    unsigned int i;

    for (i = 0; i < t->nacc; i++)
        if (t->acc[i].domid == domid)
            return t->acc[i].delta;
    return 0;
}

struct txn *txn_lookup(struct conn *c, uint32_t id)
{
    struct txn *t;

    for (t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

int txn_start(struct conn *c, uint32_t *id)
{
    struct txn *t;

    if (c->cur_txn)
        return EBUSY;                /* no nested transactions */
    if (quota_exceeded(c, Q_TRANSACTIONS, c->ntxns))
        return ENOSPC;
    t = calloc(1, sizeof(*t));
    if (!t)
        return ENOMEM;
    t->nbuckets = 16;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    if (!t->buckets) {
        free(t);
        return ENOMEM;
    }
    do {
        t->id = c->next_txn_id++;
    } while (t->id == 0 || txn_lookup(c, t->id));
    t->conn = c;
    t->next = c->txns;
    c->txns = t;
    c->ntxns++;
    if (c->domain && c->ntxns > c->domain->max_trans)
        c->domain->max_trans = c->ntxns;
    *id = t->id;
    return 0;
}

static void txn_free(struct txn *t)
{
    struct txn_entry *e, *next;

    for (e = t->head; e; e = next) {
        next = e->next;
        node_free(e->node);
        free(e->oldp);
        free(e);
    }
    free(t->buckets);
    free(t->acc);
    free(t);
}

static void txn_unlink(struct conn *c, struct txn *t)
{
    struct txn **pp;

    for (pp = &c->txns; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            c->ntxns--;
            return;
        }
}

static int txn_commit(struct conn *c, struct txn *t)
{
    struct txn_entry *e;
    unsigned int i;

    if (t->failed)
        return ENOMEM;
    if (t->created && domain_is_unprivileged(c))
        for (i = 0; i < t->nacc; i++)
            if (t->acc[i].delta > 0 &&
                quota_exceeded(c, Q_NODES, domain_nodes(t->acc[i].domid) + t->acc[i].delta))
                return ENOSPC;
    for (e = t->head; e; e = e->next) {
        const struct node *g = store_get(&global_store, e->name);

        if ((g ? g->generation : NO_GENERATION) != e->gen_seen)
            return EAGAIN;
    }
    /* No conflict: publish. */
    for (e = t->head; e; e = e->next) {
        if (!e->modified)
            continue;
        if (e->node) {
            e->node->generation = ++generation;
            store_put(&global_store, e->node);
            e->node = NULL;
        } else {
            store_del(&global_store, e->name);
        }
    }
    for (i = 0; i < t->nacc; i++)
        domain_nodes_add(t->acc[i].domid, t->acc[i].delta);
    for (e = t->head; e; e = e->next)
        if (e->fire)
            fire_watches_now(e->name, e->exact, e->oldp, e->oldn);
    return 0;
}

int txn_end(struct conn *c, struct txn *t, bool commit)
{
    int ret = 0;

    txn_unlink(c, t);
    if (commit)
        ret = txn_commit(c, t);
    txn_free(t);
    return ret;
}

void txn_destroy_all(struct conn *c)
{
    while (c->txns) {
        struct txn *t = c->txns;

        c->txns = t->next;
        txn_free(t);
    }
    c->ntxns = 0;
    c->cur_txn = NULL;
}
