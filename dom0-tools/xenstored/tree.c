/*
 * tree.c - the xenstore tree as a connection sees it: path rules, permissions, implicit
 * parents, recursive removal, and the per-domain node counts.
 *
 * Every access goes through a view: the global store, or the connection's current
 * transaction (txn.c), which reads through to the store and keeps its own copies.
 * Each handler decodes and checks first; what follows the checks cannot fail outside a
 * transaction (inside one, a failure marks the transaction failed, as Xen does).
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

struct store global_store;
uint64_t generation;

static struct node *view_get(struct conn *c, const char *name)
{
    struct node *n;

    if (c && c->cur_txn)
        return txn_get(c, c->cur_txn, name);
    n = store_get(&global_store, name);
    if (!n)
        errno = ENOENT;
    return n;
}

/* Account an ownership change: old_owner < 0 for a new node, new_owner < 0 for a removal. */
static void view_account(struct conn *c, long old_owner, long new_owner)
{
    if (old_owner == new_owner)
        return;
    if (c && c->cur_txn) {
        if (old_owner >= 0)
            txn_account(c->cur_txn, old_owner, -1, false);
        if (new_owner >= 0)
            txn_account(c->cur_txn, new_owner, 1, old_owner < 0);
        return;
    }
    if (old_owner >= 0)
        domain_nodes_add(old_owner, -1);
    if (new_owner >= 0)
        domain_nodes_add(new_owner, 1);
}

/* Store n (taking ownership) with a new generation count. */
static int view_put(struct conn *c, struct node *n, long old_owner)
{
    int ret = 0;

    n->generation = ++generation;
    view_account(c, old_owner, n->perms[0].id);
    if (c && c->cur_txn)
        ret = txn_put(c, c->cur_txn, n);
    else
        store_put(&global_store, n);
    return ret;
}

static int view_del(struct conn *c, const char *name, long owner)
{
    view_account(c, owner, -1);
    if (c && c->cur_txn)
        return txn_del(c, c->cur_txn, name);
    store_del(&global_store, name);
    return 0;
}

static char *parent_name(const char *name)
{
    const char *slash = strrchr(name + 1, '/');
    char *p;

    if (!slash)
        return strdup("/");
    p = strndup(name, slash - name);
    return p;
}

static const char *basename_of(const char *name)
{
    return strrchr(name, '/') + 1;
}

static const char *implicit_path(const struct conn *c, char *buf, size_t len)
{
    snprintf(buf, len, "/local/domain/%u", c && c->domain ? c->domain->domid : 0);
    return buf;
}

char *tree_canonicalize(struct conn *c, const char *path, bool allow_special)
{
    char home[32], *name;
    unsigned int domid;
    int local_off = 0;
    size_t len;

    if (!path || !xsu_valid_chars(path) || (path[0] == '@' && !allow_special)) {
        errno = EINVAL;
        return NULL;
    }
    if (path[0] != '/' && path[0] != '@') {
        implicit_path(c, home, sizeof(home));
        name = malloc(strlen(home) + strlen(path) + 2);
        if (name)
            sprintf(name, "%s/%s", home, path);
    } else {
        name = strdup(path);
    }
    if (!name) {
        errno = ENOMEM;
        return NULL;
    }
    if (sscanf(name, "/local/domain/%5u/%n", &domid, &local_off) != 1)
        local_off = 0;
    len = strlen(name);
    if ((len > 1 && name[len - 1] == '/') || strstr(name, "//") ||
        quota_exceeded(c, Q_PATHLEN, len - local_off)) {
        free(name);
        errno = EINVAL;
        return NULL;
    }
    return name;
}

static bool perm_ignored(const struct xs_permissions *p, uint64_t gen)
{
    return (p->perms & XS_PERM_IGNORE) || !domain_perm_valid(p->id, gen);
}

unsigned int perm_for_conn(const struct conn *c, const struct xs_permissions *p,
                           unsigned int n, uint64_t gen)
{
    unsigned int mask = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER, i;
    unsigned int tid = c && c->target ? c->target->id : ~0u;

    if (c && !c->can_write)
        mask &= ~XS_PERM_WRITE;
    if (!domain_is_unprivileged(c) || p[0].id == c->id || p[0].id == tid)
        return (XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER) & mask;
    for (i = 1; i < n; i++)
        if (!perm_ignored(&p[i], gen) && (p[i].id == c->id || p[i].id == tid))
            return p[i].perms & mask;
    return p[0].perms & mask;
}

static unsigned int node_perm(const struct conn *c, const struct node *n)
{
    return perm_for_conn(c, n->perms, n->nperms, n->generation);
}

/* A node could not be reached: say ENOENT only to those who may see the parents. */
static int errno_from_parents(struct conn *c, const char *name, int err, unsigned int perm)
{
    char *p = strdup(name);
    struct node *n = NULL;

    if (!p)
        return ENOMEM;
    while (!n && strcmp(p, "/") != 0) {
        char *q = parent_name(p);

        free(p);
        p = q;
        if (!p)
            return ENOMEM;
        n = view_get(c, p);
        if (!n && (errno == ENOMEM || errno == ENOSPC)) {
            free(p);
            return errno;
        }
    }
    free(p);
    if (!n)
        return EACCES;
    return (node_perm(c, n) & perm) ? err : EACCES;
}

const struct node *tree_read(struct conn *c, const char *name)
{
    return view_get(c, name);
}

const struct node *tree_get(struct conn *c, const char *name, unsigned int perm)
{
    struct node *n = view_get(c, name);

    if (n && (node_perm(c, n) & perm) != perm) {
        errno = EACCES;
        n = NULL;
    }
    if (!n && errno != ENOMEM && errno != ENOSPC)
        errno = errno_from_parents(c, name, errno, perm);
    return n;
}

static bool size_ok(const struct conn *c, const struct node *n)
{
    /* Xen refuses a record of node-size bytes or more. */
    return !quota_exceeded(c, Q_NODESIZE, node_acc_size(n) + 1);
}

/* Create name and its missing parents (inheriting the parent's permissions). */
static int create_node(struct conn *c, const char *name, const void *data, unsigned int len)
{
    unsigned int maxlev = 1, levels = 0, i;
    struct node **chain = NULL, *parent = NULL, *pcopy = NULL;
    char **names = NULL, *cur;
    const char *s;
    int ret = 0;

    for (s = name; *s; s++)
        maxlev += *s == '/';
    names = calloc(maxlev, sizeof(*names));
    chain = calloc(maxlev, sizeof(*chain));
    cur = strdup(name);
    if (!names || !chain || !cur) {
        free(cur);
        ret = ENOMEM;
        goto out;
    }
    /* Decode: walk up to the first existing node. */
    while (!parent) {
        char *pn;

        names[levels++] = cur;
        pn = parent_name(cur);
        if (!pn) {
            ret = ENOMEM;
            goto out;
        }
        parent = view_get(c, pn);
        if (!parent && (errno != ENOENT || strcmp(pn, "/") == 0 || levels == maxlev)) {
            ret = errno == ENOENT ? EIO : errno;
            free(pn);
            goto out;
        }
        if (parent)
            free(pn);
        else
            cur = pn;
    }
    /* Build the changed parent and the new nodes, checking the quotas. */
    if (domain_is_unprivileged(c) &&
        quota_exceeded(c, Q_NODES, domain_nodes(c->id) +
                       (c->cur_txn ? txn_delta(c->cur_txn, c->id) : 0) + levels)) {
        ret = ENOSPC;
        goto out;
    }
    pcopy = node_clone(parent);
    if (!pcopy || node_add_child(pcopy, basename_of(names[levels - 1]))) {
        ret = ENOMEM;
        goto out;
    }
    for (i = levels; i-- > 0;) {
        const struct node *from = i == levels - 1 ? parent : chain[i + 1];

        chain[i] = node_new(names[i], from->perms, from->nperms,
                            i == 0 ? data : NULL, i == 0 ? len : 0, NULL, 0);
        if (!chain[i] || (i > 0 && node_add_child(chain[i], basename_of(names[i - 1])))) {
            ret = ENOMEM;
            goto out;
        }
        /* Unprivileged domains own what they create. */
        if (domain_is_unprivileged(c))
            chain[i]->perms[0].id = c->id;
    }
    for (i = 0; i < levels; i++)
        if (!size_ok(c, chain[i]))
            ret = ENOSPC;
    if (!size_ok(c, pcopy))
        ret = ENOSPC;
    if (ret)
        goto out;
    /* Act: the parent, then the new nodes from the top. */
    ret = view_put(c, pcopy, pcopy->perms[0].id);
    pcopy = NULL;
    for (i = levels; i-- > 0;) {
        int r = ret ? 0 : view_put(c, chain[i], -1);

        if (ret)
            node_free(chain[i]);
        chain[i] = NULL;
        ret = ret ? ret : r;
    }
out:
    node_free(pcopy);
    for (i = 0; i < levels; i++) {
        free(names[i]);
        if (chain)
            node_free(chain[i]);
    }
    free(names);
    free(chain);
    return ret;
}

int tree_write(struct conn *c, const char *name, const void *data, unsigned int len)
{
    const struct node *n = tree_get(c, name, XS_PERM_WRITE);
    struct node *copy;
    int ret;

    if (!n) {
        if (errno != ENOENT)
            return errno;
        ret = create_node(c, name, data, len);
    } else {
        copy = node_clone(n);
        if (!copy || node_set_data(copy, data, len)) {
            node_free(copy);
            return ENOMEM;
        }
        if (!size_ok(c, copy)) {
            node_free(copy);
            return ENOSPC;
        }
        ret = view_put(c, copy, copy->perms[0].id);
    }
    if (!ret)
        fire_watches(c, name, false, NULL, 0);
    return ret;
}

int tree_mkdir(struct conn *c, const char *name)
{
    int ret;

    if (tree_get(c, name, XS_PERM_WRITE))
        return 0;
    if (errno != ENOENT)
        return errno;
    ret = create_node(c, name, NULL, 0);
    if (!ret)
        fire_watches(c, name, false, NULL, 0);
    return ret;
}

struct frame {
    char *name;
    const char *children;
    unsigned int childlen, off;
    long owner;
};

/* Remove name and everything below it, children first, firing watches as Xen does:
 * the subtree's root for its watchers and their parents, the rest exactly. */
static int rm_subtree(struct conn *c, const char *root)
{
    struct frame *st = NULL;
    unsigned int depth = 0, cap = 0;
    const struct node *n;
    int ret = 0;

    n = view_get(c, root);
    if (!n)
        return errno;
    cap = 16;
    st = malloc(cap * sizeof(*st));
    if (!st)
        return ENOMEM;
    st[0] = (struct frame){ strdup(root), n->children, n->childlen, 0, n->perms[0].id };
    if (!st[0].name) {
        free(st);
        return ENOMEM;
    }
    depth = 1;
    while (depth) {
        struct frame *f = &st[depth - 1];

        if (!ret && f->off < f->childlen) {
            const char *child = f->children + f->off;
            size_t l = strlen(f->name) + strlen(child) + 2;
            char *cn = malloc(l);

            f->off += strlen(child) + 1;
            if (!cn) {
                ret = ENOMEM;
                continue;
            }
            snprintf(cn, l, "%s/%s", strcmp(f->name, "/") ? f->name : "", child);
            n = view_get(c, cn);
            if (!n) {
                if (errno != ENOENT)
                    ret = errno;
                free(cn);
                continue;
            }
            if (depth == cap) {
                struct frame *ns = realloc(st, 2 * cap * sizeof(*st));

                if (!ns) {
                    free(cn);
                    ret = ENOMEM;
                    continue;
                }
                st = ns;
                cap *= 2;
                f = &st[depth - 1];
            }
            st[depth++] = (struct frame){ cn, n->children, n->childlen, 0, n->perms[0].id };
            continue;
        }
        /* All children done: this node goes. */
        if (!ret) {
            fire_watches(c, f->name, depth != 1, NULL, 0);
            ret = view_del(c, f->name, f->owner);
        }
        free(f->name);
        depth--;
    }
    free(st);
    return ret;
}

int tree_rm(struct conn *c, const char *name)
{
    const struct node *n = tree_get(c, name, XS_PERM_WRITE);
    char *pn;
    struct node *parent;
    int ret;

    if (!n) {
        if (errno != ENOENT)
            return errno;
        /* Not there: fine, if the parent is. */
        pn = parent_name(name);
        if (!pn)
            return ENOMEM;
        parent = view_get(c, pn);
        ret = parent ? 0 : (errno == ENOMEM || errno == ENOSPC) ? errno : ENOENT;
        free(pn);
        return ret;
    }
    if (strcmp(name, "/") == 0)
        return EINVAL;
    pn = parent_name(name);
    if (!pn)
        return ENOMEM;
    parent = view_get(c, pn);
    free(pn);
    if (!parent)
        return (errno == ENOMEM || errno == ENOSPC) ? errno : EINVAL;
    parent = node_clone(parent);
    if (!parent)
        return ENOMEM;
    ret = rm_subtree(c, name);
    if (!ret && node_del_child(parent, basename_of(name)) == ENOMEM)
        ret = ENOMEM;
    if (ret) {
        node_free(parent);
        return ret;
    }
    return view_put(c, parent, parent->perms[0].id);
}

int tree_set_perms(struct conn *c, const char *name, struct xs_permissions *p, unsigned int num)
{
    const struct node *n;
    struct node *copy;
    struct xs_permissions *old;
    unsigned int oldn, i;
    int ret;

    /* Permission entries for domains that do not exist are kept but ignored. */
    for (i = 0; i < num; i++) {
        p[i].perms &= XS_PERM_READ | XS_PERM_WRITE;
        if (!domain_find(p[i].id)) {
            if (p[i].id >= DOMID_LIMIT || platform->domain_state(p[i].id) == 2)
                p[i].perms |= XS_PERM_IGNORE;
            else if (!domain_find_or_alloc(p[i].id))
                return ENOMEM;
        }
    }
    if (p[0].perms & XS_PERM_IGNORE)
        return ENOENT;
    n = tree_get(c, name, XS_PERM_WRITE | XS_PERM_OWNER);
    if (!n)
        return errno;
    if (domain_is_unprivileged(c) && p[0].id != n->perms[0].id)
        return EPERM;
    oldn = n->nperms;
    old = malloc(oldn * sizeof(*old));
    copy = node_clone(n);
    if (!old || !copy || node_set_perms(copy, p, num)) {
        free(old);
        node_free(copy);
        return ENOMEM;
    }
    memcpy(old, n->perms, oldn * sizeof(*old));
    if (!size_ok(c, copy)) {
        free(old);
        node_free(copy);
        return ENOSPC;
    }
    ret = view_put(c, copy, old[0].id);
    if (!ret)
        fire_watches(c, name, false, old, oldn);
    free(old);
    return ret;
}


/* ---- removal of a domain's nodes ---- */

struct owned {
    char **names;
    unsigned int n, cap;
};

static int collect_owned(const char *root, unsigned int domid, struct owned *o)
{
    const struct node *n = store_get(&global_store, root);
    unsigned int off;

    if (!n)
        return 0;
    if (n->perms[0].id == domid && strcmp(root, "/") != 0) {
        if (o->n == o->cap) {
            unsigned int cap = o->cap ? 2 * o->cap : 16;
            char **nn = realloc(o->names, cap * sizeof(*nn));

            if (!nn)
                return ENOMEM;
            o->names = nn;
            o->cap = cap;
        }
        o->names[o->n] = strdup(root);
        return o->names[o->n++] ? 0 : ENOMEM;
    }
    for (off = 0; off < n->childlen; off += strlen(n->children + off) + 1) {
        size_t l = strlen(root) + strlen(n->children + off) + 2;
        char *cn = malloc(l);
        int ret;

        if (!cn)
            return ENOMEM;
        snprintf(cn, l, "%s/%s", strcmp(root, "/") ? root : "", n->children + off);
        ret = collect_owned(cn, domid, o);
        free(cn);
        if (ret)
            return ret;
        n = store_get(&global_store, root);   /* unchanged, but be careful */
        if (!n)
            return 0;
    }
    return 0;
}

void tree_remove_domain_nodes(unsigned int domid)
{
    struct owned o = { NULL, 0, 0 };
    unsigned int i;

    if (!domain_nodes(domid))
        return;
    if (collect_owned("/", domid, &o))
        xsd_log(LOG_ERROR_L, "out of memory looking for nodes of domain %u", domid);
    for (i = 0; i < o.n; i++) {
        struct node *n = store_get(&global_store, o.names[i]);

        if (n && keep_orphans) {
            struct node *copy = node_clone(n);

            if (copy) {
                copy->perms[0].id = priv_domid;
                view_put(NULL, copy, domid);
                xsd_log(LOG_INFO_L, "orphaned node %s moved to domain %u", o.names[i], priv_domid);
            }
        } else if (n && tree_rm(NULL, o.names[i])) {
            xsd_log(LOG_ERROR_L, "error when deleting orphaned node %s", o.names[i]);
        }
        free(o.names[i]);
    }
    free(o.names);
}

int tree_init(void)
{
    static const struct xs_permissions p0 = { 0, XS_PERM_NONE };
    static const struct { const char *name, *children; unsigned int clen; } init[] = {
        { "/", "tool", 5 },
        { "/tool", "xenstored", 10 },
        { "/tool/xenstored", NULL, 0 },
        { "@releaseDomain", NULL, 0 },
        { "@introduceDomain", NULL, 0 },
    };
    unsigned int i;

    if (store_init(&global_store, 1024))
        return ENOMEM;
    for (i = 0; i < XSU_ARRAY_SIZE(init); i++) {
        struct node *n = node_new(init[i].name, &p0, 1, NULL, 0, init[i].children, init[i].clen);

        if (!n)
            return ENOMEM;
        n->generation = ++generation;
        store_put(&global_store, n);
        domain_nodes_add(0, 1);
    }
    return 0;
}

void tree_fini(void)
{
    store_destroy(&global_store);
}
