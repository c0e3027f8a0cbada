/*
 * request.c - one handler per message type, in one table with who may send it.
 * xsd_process() checks the type, the sender's privilege and the transaction id, then
 * calls the handler; a handler returns 0 once it has queued its reply, or an errno
 * that becomes an ERROR reply carrying Xen's name for it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"

#define F_NOTID 1u      /* the transaction id is ignored */
#define F_PRIV  2u      /* privileged connections only */

typedef int handler_fn(struct conn *c, const struct xsd_sockmsg *h, const char *body);

static int ack(struct conn *c, const struct xsd_sockmsg *h)
{
    send_reply(c, h, h->type, "OK", 3);
    return 0;
}

/* The canonical path of a request's single argument, or NULL + errno. */
static char *arg_path(struct conn *c, const struct xsd_sockmsg *h, const char *body, bool special)
{
    const char *a = wire_onearg(body, h->len);

    if (!a) {
        errno = EINVAL;
        return NULL;
    }
    return tree_canonicalize(c, a, special);
}

static int do_read(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    char *name = arg_path(c, h, body, false);
    const struct node *n;

    if (!name)
        return errno;
    n = tree_get(c, name, XS_PERM_READ);
    free(name);
    if (!n)
        return errno;
    send_reply(c, h, XS_READ, n->data, n->datalen);
    return 0;
}

static int do_directory(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    char *name = arg_path(c, h, body, false);
    const struct node *n;

    if (!name)
        return errno;
    n = tree_get(c, name, XS_PERM_READ);
    free(name);
    if (!n)
        return errno;
    send_reply(c, h, XS_DIRECTORY, n->children, n->childlen);
    return 0;
}

static int do_directory_part(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const struct node *n;
    char gen[24], *name, *data;
    unsigned int off, len = 0, genlen, maxlen;
    const char *child;

    if (xsu_count_strings(body, h->len) != 2)
        return EINVAL;
    name = tree_canonicalize(c, body, false);
    if (!name)
        return errno;
    n = tree_get(c, name, XS_PERM_READ);
    free(name);
    if (!n)
        return errno;
    off = atoi(body + strlen(body) + 1);
    genlen = snprintf(gen, sizeof(gen), "%" PRIu64, n->generation) + 1;
    if (off >= n->childlen) {
        char reply[26];

        memcpy(reply, gen, genlen);
        reply[genlen] = '\0';
        send_reply(c, h, XS_DIRECTORY_PART, reply, genlen + 1);
        return 0;
    }
    maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
    child = n->children + off;
    while (len + strlen(child) < maxlen) {
        len += strlen(child) + 1;
        child += strlen(child) + 1;
        if (off + len == n->childlen)
            break;
    }
    data = malloc(genlen + len + 1);
    if (!data)
        return ENOMEM;
    memcpy(data, gen, genlen);
    memcpy(data + genlen, n->children + off, len);
    if (off + len == n->childlen)
        data[genlen + len++] = '\0';
    send_reply(c, h, XS_DIRECTORY_PART, data, genlen + len);
    free(data);
    return 0;
}

static int do_get_perms(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    char *name = arg_path(c, h, body, true), *out, buf[MAX_STRLEN(unsigned int) + 1];
    const struct node *n;
    unsigned int i, len = 0;

    if (!name)
        return errno;
    n = tree_get(c, name, XS_PERM_READ);
    free(name);
    if (!n)
        return errno;
    out = malloc(n->nperms * sizeof(buf));
    if (!out)
        return ENOMEM;
    for (i = 0; i < n->nperms; i++) {
        if (!xsu_perm_to_string(&n->perms[i], buf, sizeof(buf))) {
            free(out);
            return EINVAL;
        }
        strcpy(out + len, buf);
        len += strlen(buf) + 1;
    }
    send_reply(c, h, XS_GET_PERMS, out, len);
    free(out);
    return 0;
}

static int do_write(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *vec[1];
    unsigned int off;
    char *name;
    int ret;

    if (wire_strings(body, h->len, vec, 1) < 1)
        return EINVAL;
    off = strlen(vec[0]) + 1;
    name = tree_canonicalize(c, vec[0], false);
    if (!name)
        return errno;
    ret = tree_write(c, name, body + off, h->len - off);
    free(name);
    return ret ? ret : ack(c, h);
}

static int do_mkdir(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    char *name = arg_path(c, h, body, false);
    int ret;

    if (!name)
        return errno;
    ret = tree_mkdir(c, name);
    free(name);
    return ret ? ret : ack(c, h);
}

static int do_rm(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    char *name = arg_path(c, h, body, false);
    int ret;

    if (!name)
        return errno;
    ret = tree_rm(c, name);
    free(name);
    return ret ? ret : ack(c, h);
}

static int do_set_perms(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    unsigned int num = xsu_count_strings(body, h->len);
    struct xs_permissions *p;
    char *name;
    int ret;

    if (num < 2)
        return EINVAL;
    num--;
    if (quota_exceeded(c, Q_PERMS, num))
        return ENOSPC;
    p = calloc(num, sizeof(*p));
    if (!p)
        return ENOMEM;
    if (!xsu_strings_to_perms(p, num, body + strlen(body) + 1)) {
        free(p);
        return EINVAL;
    }
    name = tree_canonicalize(c, body, true);
    ret = name ? tree_set_perms(c, name, p, num) : errno;
    free(name);
    free(p);
    return ret ? ret : ack(c, h);
}

static int do_watch(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *vec[2];
    int ret;

    if (wire_strings(body, h->len, vec, 2) != 2)
        return EINVAL;
    ret = watch_add(c, vec[0], vec[1]);
    if (ret)
        return ret;
    ack(c, h);
    watch_initial_event(c);      /* fired at once, after the reply */
    return 0;
}

static int do_unwatch(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *vec[2];
    int ret;

    if (wire_strings(body, h->len, vec, 2) != 2)
        return EINVAL;
    ret = watch_remove(c, vec[0], vec[1]);
    return ret ? ret : ack(c, h);
}

static int do_reset_watches(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    (void)body;
    watch_remove_all(c);
    txn_destroy_all(c);
    return ack(c, h);
}

static int do_transaction_start(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    uint32_t id;
    char buf[16];
    int ret;

    (void)body;
    ret = txn_start(c, &id);
    if (ret)
        return ret;
    snprintf(buf, sizeof(buf), "%u", id);
    send_reply(c, h, XS_TRANSACTION_START, buf, strlen(buf) + 1);
    return 0;
}

static int do_transaction_end(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *arg = wire_onearg(body, h->len);
    struct txn *t = c->cur_txn;
    int ret;

    if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
        return EINVAL;
    if (!t)
        return ENOENT;
    c->cur_txn = NULL;
    ret = txn_end(c, t, arg[0] == 'T');
    return ret ? ret : ack(c, h);
}

static int do_introduce(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *vec[3];
    int port, ret;

    if (wire_strings(body, h->len, vec, 3) < 3)
        return EINVAL;
    port = atoi(vec[2]);
    if (port <= 0)
        return EINVAL;
    ret = domain_introduce(wire_domid(vec[0]), strtoul(vec[1], NULL, 10), port);
    return ret ? ret : ack(c, h);
}

static int do_release(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *a = wire_onearg(body, h->len);
    int ret;

    if (!a)
        return EINVAL;
    ret = domain_release(wire_domid(a));
    return ret ? ret : ack(c, h);
}

static int do_resume(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *a = wire_onearg(body, h->len);
    int ret;

    if (!a)
        return EINVAL;
    ret = domain_resume(wire_domid(a));
    return ret ? ret : ack(c, h);
}

static int do_set_target(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *vec[2];
    int ret;

    if (wire_strings(body, h->len, vec, 2) < 2)
        return EINVAL;
    ret = domain_set_target(wire_domid(vec[0]), wire_domid(vec[1]));
    return ret ? ret : ack(c, h);
}

static int do_get_domain_path(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *a = wire_onearg(body, h->len);
    char path[40];

    if (!a)
        return EINVAL;
    snprintf(path, sizeof(path), "/local/domain/%u", wire_domid(a));
    send_reply(c, h, XS_GET_DOMAIN_PATH, path, strlen(path) + 1);
    return 0;
}

static int do_is_domain_introduced(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *a = wire_onearg(body, h->len);
    unsigned int domid;
    bool yes;

    if (!a)
        return EINVAL;
    domid = wire_domid(a);
    yes = domid == 0x7ff0 /* DOMID_SELF */ || domain_is_introduced(domid);
    send_reply(c, h, XS_IS_DOMAIN_INTRODUCED, yes ? "T" : "F", 2);
    return 0;
}

static const struct {
    handler_fn *fn;
    unsigned int flags;
} handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL]              = { do_control, F_PRIV },
    [XS_DIRECTORY]            = { do_directory, 0 },
    [XS_READ]                 = { do_read, 0 },
    [XS_GET_PERMS]            = { do_get_perms, 0 },
    [XS_WATCH]                = { do_watch, F_NOTID },
    [XS_UNWATCH]              = { do_unwatch, F_NOTID },
    [XS_TRANSACTION_START]    = { do_transaction_start, 0 },
    [XS_TRANSACTION_END]      = { do_transaction_end, 0 },
    [XS_INTRODUCE]            = { do_introduce, F_PRIV },
    [XS_RELEASE]              = { do_release, F_PRIV },
    [XS_GET_DOMAIN_PATH]      = { do_get_domain_path, 0 },
    [XS_WRITE]                = { do_write, 0 },
    [XS_MKDIR]                = { do_mkdir, 0 },
    [XS_RM]                   = { do_rm, 0 },
    [XS_SET_PERMS]            = { do_set_perms, 0 },
    [XS_IS_DOMAIN_INTRODUCED] = { do_is_domain_introduced, F_PRIV },
    [XS_RESUME]               = { do_resume, F_PRIV },
    [XS_SET_TARGET]           = { do_set_target, F_PRIV },
    [XS_RESET_WATCHES]        = { do_reset_watches, 0 },
    [XS_DIRECTORY_PART]       = { do_directory_part, 0 },
};

void xsd_process(struct conn *c, const struct xsd_sockmsg *hdr, char *body)
{
    uint32_t type = hdr->type;
    struct txn *t = NULL;
    int ret;

    trace_io(c, "IN", hdr, body);
    if (verbose)
        xsd_log(LOG_DEBUG_L, "domain %u: %s req %u tx %u len %u", c->id, wire_type_name(type),
                hdr->req_id, hdr->tx_id, hdr->len);
    if (type >= XS_TYPE_COUNT || !handlers[type].fn) {
        xsd_log(LOG_DEBUG_L, "domain %u: unknown operation %u", c->id, type);
        send_error(c, hdr, ENOSYS);
        return;
    }
    if ((handlers[type].flags & F_PRIV) && domain_is_unprivileged(c)) {
        send_error(c, hdr, EACCES);
        return;
    }
    if (!(handlers[type].flags & F_NOTID) && hdr->tx_id) {
        t = txn_lookup(c, hdr->tx_id);
        if (!t) {
            send_error(c, hdr, ENOENT);
            return;
        }
    }
    c->cur_txn = t;
    ret = handlers[type].fn(c, hdr, body);
    c->cur_txn = NULL;
    if (ret)
        send_error(c, hdr, ret);
}
