/*
 * watch.c - watches: registration (with the initial event), matching changed paths,
 * and the permission rule for delivering an event (the node, its old permissions or
 * its parent must be readable by the watcher).
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

struct watch {
    struct watch *next;
    unsigned int prefix_len;     /* relative watch: strip "/local/domain/<id>/" */
    char *node;                  /* canonical path */
    char token[];
};

unsigned int watch_count(const struct conn *c)
{
    return c->nwatches;
}

int watch_add(struct conn *c, const char *path, const char *token)
{
    bool relative = path[0] != '/' && path[0] != '@';
    char *node = tree_canonicalize(c, path, true);
    struct watch *w, **pp;
    size_t tlen = strlen(token) + 1;

    if (!node)
        return errno;
    for (pp = &c->watches; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->node, node) == 0 && strcmp((*pp)->token, token) == 0) {
            free(node);
            return EEXIST;
        }
    if (quota_exceeded(c, Q_WATCHES, c->nwatches)) {
        free(node);
        return E2BIG;
    }
    w = calloc(1, sizeof(*w) + tlen);
    if (!w) {
        free(node);
        return ENOMEM;
    }
    w->node = node;
    memcpy(w->token, token, tlen);
    w->prefix_len = relative ? strlen(node) - strlen(path) : 0;
    *pp = w;                                   /* at the tail */
    c->nwatches++;
    if (c->domain && c->nwatches > c->domain->max_watches)
        c->domain->max_watches = c->nwatches;
    return 0;
}

/* The event a new watch fires at once (the last one added). */
void watch_initial_event(struct conn *c)
{
    struct watch *w = c->watches;

    while (w && w->next)
        w = w->next;
    if (w)
        send_event(c, w->node + w->prefix_len, w->token);
}

int watch_remove(struct conn *c, const char *path, const char *token)
{
    char *node = tree_canonicalize(c, path, true);
    struct watch **pp;

    if (!node)
        return errno;
    for (pp = &c->watches; *pp; pp = &(*pp)->next) {
        struct watch *w = *pp;

        if (strcmp(w->node, node) == 0 && strcmp(w->token, token) == 0) {
            *pp = w->next;
            free(w->node);
            free(w);
            c->nwatches--;
            free(node);
            return 0;
        }
    }
    free(node);
    return ENOENT;
}

void watch_remove_all(struct conn *c)
{
    while (c->watches) {
        struct watch *w = c->watches;

        c->watches = w->next;
        free(w->node);
        free(w);
    }
    c->nwatches = 0;
}

static bool watch_permitted(struct conn *c, const char *name,
                            const struct xs_permissions *oldp, unsigned int oldn)
{
    const struct node *n;
    char *pn;
    const char *slash;
    bool ok;

    if (!domain_is_unprivileged(c))
        return true;
    if (oldp && (perm_for_conn(c, oldp, oldn, NO_GENERATION - 1) & XS_PERM_READ))
        return true;
    n = store_get(&global_store, name);
    if (!n)
        return false;
    if (perm_for_conn(c, n->perms, n->nperms, n->generation) & XS_PERM_READ)
        return true;
    slash = strrchr(name + 1, '/');
    pn = slash ? strndup(name, slash - name) : strdup("/");
    if (!pn)
        return false;
    n = store_get(&global_store, pn);
    ok = n && (perm_for_conn(c, n->perms, n->nperms, n->generation) & XS_PERM_READ);
    free(pn);
    return ok;
}

void fire_watches_now(const char *name, bool exact,
                      const struct xs_permissions *oldp, unsigned int oldn)
{
    struct conn *c;

    for (c = connections; c; c = c->next) {
        struct watch *w;
        int permitted = -1;

        if (c->dead)
            continue;
        for (w = c->watches; w; w = w->next) {
            bool match = exact ? strcmp(name, w->node) == 0 : xsu_is_child(name, w->node);

            if (!match)
                continue;
            if (permitted < 0)
                permitted = watch_permitted(c, name, oldp, oldn);
            if (!permitted)
                break;
            send_event(c, name + w->prefix_len, w->token);
        }
    }
}

void fire_watches(struct conn *c, const char *name, bool exact,
                  const struct xs_permissions *oldp, unsigned int oldn)
{
    if (c && c->cur_txn) {
        txn_queue_watch(c->cur_txn, name, exact);
        return;
    }
    fire_watches_now(name, exact, oldp, oldn);
}
