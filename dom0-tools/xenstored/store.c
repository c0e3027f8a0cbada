/*
 * store.c - the node store: nodes keyed by full path in a chained hash table.
 *
 * A node is two allocations: the struct with its name, and a blob holding its
 * permissions, value and children (nul-separated leaf names in creation order, as
 * Xen's DIRECTORY returns them).  Changing a node rebuilds the blob.
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;               /* FNV-1a */

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

int store_init(struct store *s, unsigned int nbuckets)
{
    s->buckets = calloc(nbuckets, sizeof(*s->buckets));
    if (!s->buckets)
        return ENOMEM;
    s->nbuckets = nbuckets;
    s->count = 0;
    s->bytes = 0;
    return 0;
}

static size_t node_bytes(const struct node *n)
{
    return sizeof(*n) + strlen(n->name) + 1 + node_acc_size(n) - XSD_NODE_HDR;
}

void store_destroy(struct store *s)
{
    unsigned int i;

    for (i = 0; i < s->nbuckets; i++) {
        struct node *n = s->buckets[i], *next;

        for (; n; n = next) {
            next = n->hnext;
            node_free(n);
        }
    }
    free(s->buckets);
    s->buckets = NULL;
    s->nbuckets = s->count = 0;
    s->bytes = 0;
}

struct node *store_get(const struct store *s, const char *name)
{
    uint32_t h = hash_str(name);
    struct node *n;

    for (n = s->buckets[h % s->nbuckets]; n; n = n->hnext)
        if (n->hash == h && strcmp(n->name, name) == 0)
            return n;
    return NULL;
}

static void store_grow(struct store *s)
{
    unsigned int nb = s->nbuckets * 2, i;
    struct node **b = calloc(nb, sizeof(*b));

    if (!b)
        return;             /* keep working with longer chains */
    for (i = 0; i < s->nbuckets; i++) {
        struct node *n = s->buckets[i], *next;

        for (; n; n = next) {
            next = n->hnext;
            n->hnext = b[n->hash % nb];
            b[n->hash % nb] = n;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = nb;
}

void store_put(struct store *s, struct node *n)
{
    struct node **pp;

    n->hash = hash_str(n->name);
    for (pp = &s->buckets[n->hash % s->nbuckets]; *pp; pp = &(*pp)->hnext) {
        struct node *old = *pp;

        if (old->hash == n->hash && strcmp(old->name, n->name) == 0) {
            n->hnext = old->hnext;
            *pp = n;
            s->bytes += node_bytes(n) - node_bytes(old);
            node_free(old);
            return;
        }
    }
    n->hnext = s->buckets[n->hash % s->nbuckets];
    s->buckets[n->hash % s->nbuckets] = n;
    s->count++;
    s->bytes += node_bytes(n);
    if (s->count > s->nbuckets * 2)
        store_grow(s);
}

bool store_del(struct store *s, const char *name)
{
    uint32_t h = hash_str(name);
    struct node **pp;

    for (pp = &s->buckets[h % s->nbuckets]; *pp; pp = &(*pp)->hnext) {
        struct node *n = *pp;

        if (n->hash == h && strcmp(n->name, name) == 0) {
            *pp = n->hnext;
            s->count--;
            s->bytes -= node_bytes(n);
            node_free(n);
            return true;
        }
    }
    return false;
}

int store_iterate(struct store *s, int (*fn)(struct node *, void *), void *arg)
{
    unsigned int i;
    int ret;

    for (i = 0; i < s->nbuckets; i++) {
        struct node *n, *next;

        for (n = s->buckets[i]; n; n = next) {
            next = n->hnext;
            ret = fn(n, arg);
            if (ret)
                return ret;
        }
    }
    return 0;
}

/* Build a blob for the given parts and install it in n (freeing the old one). */
static int node_rebuild(struct node *n, const struct xs_permissions *perms, unsigned int nperms,
                        const void *data, unsigned int datalen,
                        const char *children, unsigned int childlen)
{
    size_t size = nperms * sizeof(*perms) + datalen + childlen;
    char *blob = malloc(size ? size : 1);

    if (!blob)
        return ENOMEM;
    if (nperms)
        memcpy(blob, perms, nperms * sizeof(*perms));
    if (datalen)
        memcpy(blob + nperms * sizeof(*perms), data, datalen);
    if (childlen)
        memcpy(blob + nperms * sizeof(*perms) + datalen, children, childlen);
    free(n->blob);
    n->blob = blob;
    n->perms = (struct xs_permissions *)blob;
    n->nperms = nperms;
    n->data = blob + nperms * sizeof(*perms);
    n->datalen = datalen;
    n->children = n->data + datalen;
    n->childlen = childlen;
    return 0;
}

struct node *node_new(const char *name, const struct xs_permissions *perms, unsigned int nperms,
                      const void *data, unsigned int datalen,
                      const char *children, unsigned int childlen)
{
    size_t len = strlen(name) + 1;
    struct node *n = calloc(1, sizeof(*n) + len);

    if (!n) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(n->name, name, len);
    if (node_rebuild(n, perms, nperms, data, datalen, children, childlen)) {
        free(n);
        errno = ENOMEM;
        return NULL;
    }
    return n;
}

struct node *node_clone(const struct node *o)
{
    struct node *n = node_new(o->name, o->perms, o->nperms, o->data, o->datalen,
                              o->children, o->childlen);

    if (n)
        n->generation = o->generation;
    return n;
}

void node_free(struct node *n)
{
    if (!n)
        return;
    free(n->blob);
    free(n);
}

int node_set_data(struct node *n, const void *data, unsigned int len)
{
    return node_rebuild(n, n->perms, n->nperms, data, len, n->children, n->childlen);
}

int node_set_perms(struct node *n, const struct xs_permissions *p, unsigned int num)
{
    return node_rebuild(n, p, num, n->data, n->datalen, n->children, n->childlen);
}

int node_add_child(struct node *n, const char *base)
{
    size_t blen = strlen(base) + 1;
    char *c = malloc(n->childlen + blen);
    int ret;

    if (!c)
        return ENOMEM;
    memcpy(c, n->children, n->childlen);
    memcpy(c + n->childlen, base, blen);
    ret = node_rebuild(n, n->perms, n->nperms, n->data, n->datalen, c, n->childlen + blen);
    free(c);
    return ret;
}

int node_del_child(struct node *n, const char *base)
{
    unsigned int off;

    for (off = 0; off < n->childlen; off += strlen(n->children + off) + 1) {
        if (strcmp(n->children + off, base) == 0) {
            unsigned int l = strlen(base) + 1;
            char *c = malloc(n->childlen - l + 1);
            int ret;

            if (!c)
                return ENOMEM;
            memcpy(c, n->children, off);
            memcpy(c + off, n->children + off + l, n->childlen - off - l);
            ret = node_rebuild(n, n->perms, n->nperms, n->data, n->datalen, c, n->childlen - l);
            free(c);
            return ret;
        }
    }
    return ENOENT;
}

unsigned int node_acc_size(const struct node *n)
{
    return XSD_NODE_HDR + n->nperms * sizeof(struct xs_permissions) + n->datalen + n->childlen;
}
