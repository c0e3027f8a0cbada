/*
 * conn.c - connections: the input state machine that frames requests (header, then
 * at most XENSTORE_PAYLOAD_MAX bytes of payload), the output queue of replies and
 * watch events, and the limits that keep one client from hurting the others.
 *
 * A client sending a longer payload is dropped (as Xen does: the stream cannot be
 * resynchronised).  A client that does not read its replies stops being read once
 * IN_QUEUE_PAUSE bytes wait for it, and is dropped past OUT_QUEUE_LIMIT (watch events
 * can still pile up while it is paused).  A client disconnecting mid-message is freed
 * with whatever it had half sent.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core.h"

struct conn *connections;

struct conn *conn_new(const struct conn_ops *ops, int fd, unsigned int id, bool can_write)
{
    struct conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->ops = ops;
    c->fd = fd;
    c->id = id;
    c->can_write = can_write;
    c->next_txn_id = 1;
    c->next = connections;
    if (connections)
        connections->prev = c;
    connections = c;
    return c;
}

struct msg *conn_pop(struct conn *c)
{
    struct msg *m = c->out_head;

    if (!m)
        return NULL;
    c->out_head = m->next;
    if (!c->out_head)
        c->out_tail = NULL;
    c->out_bytes -= sizeof(m->hdr) + m->hdr.len;
    if (!m->event && c->out_replies)
        c->out_replies--;
    return m;
}

void conn_free(struct conn *c)
{
    struct msg *m;

    watch_remove_all(c);
    txn_destroy_all(c);
    while ((m = conn_pop(c)))
        free(m);
    free(c->in_buf);
    if (c->domain && c->domain->conn == c)
        c->domain->conn = NULL;
    if (c->ops->destroy)
        c->ops->destroy(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        connections = c->next;
    if (c->next)
        c->next->prev = c->prev;
    domain_conn_closed(c);
    free(c);
}

void conn_kill(struct conn *c, const char *why)
{
    struct msg *m;

    if (c->dead || c->ignored)
        return;
    if (c->domain) {
        /* A domain cannot reconnect: keep its connection (RELEASE and the domain's
         * death still work) but serve it no more, as Xen's ignore_connection(). */
        xsd_log(LOG_WARN_L, "domain %u ignored from now on: %s", c->id, why);
        c->ignored = true;
        watch_remove_all(c);
        txn_destroy_all(c);
        while ((m = conn_pop(c)))
            free(m);
        return;
    }
    xsd_log(LOG_DEBUG_L, "connection %p (domain %u) closed: %s", (void *)c, c->id, why);
    c->dead = true;
    watch_remove_all(c);
}

void conn_reap(void)
{
    struct conn *c = connections, *next;

    for (; c; c = next) {
        next = c->next;
        if (c->dead)
            conn_free(c);
    }
}

bool conn_wants_read(struct conn *c)
{
    return !c->dead && !c->ignored && c->out_bytes < IN_QUEUE_PAUSE && c->ops->can_read(c);
}

static void queue(struct conn *c, struct msg *m)
{
    m->next = NULL;
    if (c->out_tail)
        c->out_tail->next = m;
    else
        c->out_head = m;
    c->out_tail = m;
    c->out_bytes += sizeof(m->hdr) + m->hdr.len;
    if (c->out_bytes > OUT_QUEUE_LIMIT) {
        xsd_log(LOG_WARN_L, "domain %u: more than %u bytes unread, dropping the connection",
                c->id, OUT_QUEUE_LIMIT);
        conn_kill(c, "output queue overflow");
    }
}

void send_reply(struct conn *c, const struct xsd_sockmsg *req, enum xsd_sockmsg_type type,
                const void *data, unsigned int len)
{
    struct msg *m;

    if (c->dead || c->ignored)
        return;
    if (len > XENSTORE_PAYLOAD_MAX) {
        send_error(c, req, E2BIG);
        return;
    }
    m = malloc(sizeof(*m) + len);
    if (!m) {
        xsd_log(LOG_ERROR_L, "out of memory for a reply to domain %u", c->id);
        conn_kill(c, "out of memory");
        return;
    }
    m->used = 0;
    m->event = false;
    m->hdr.type = type;
    m->hdr.req_id = req->req_id;
    m->hdr.tx_id = req->tx_id;
    m->hdr.len = len;
    if (len)
        memcpy(m->body, data, len);
    c->out_replies++;
    queue(c, m);
}

void send_error(struct conn *c, const struct xsd_sockmsg *req, int err)
{
    const char *s = wire_errno_name(err);

    send_reply(c, req, XS_ERROR, s, strlen(s) + 1);
}

void send_event(struct conn *c, const char *path, const char *token)
{
    unsigned int plen = strlen(path) + 1, len = plen + strlen(token) + 1;
    struct msg *m;

    if (len > XENSTORE_PAYLOAD_MAX || c->dead || c->ignored)
        return;
    /* An identical event still waiting (not started) makes this one redundant. */
    if (path[0] != '@')
        for (m = c->out_head; m; m = m->next)
            if (m->event && !m->used && m->hdr.len == len && memcmp(m->body, path, plen) == 0 &&
                strcmp(m->body + plen, token) == 0)
                return;
    m = malloc(sizeof(*m) + len);
    if (!m)
        return;
    m->used = 0;
    m->event = true;
    m->hdr = (struct xsd_sockmsg){ XS_WATCH_EVENT, 0, 0, len };
    memcpy(m->body, path, plen);
    strcpy(m->body + plen, token);
    queue(c, m);
}

void conn_handle_output(struct conn *c)
{
    while (!c->dead && !c->ignored && c->out_head && c->ops->can_write(c)) {
        struct msg *m = c->out_head;
        unsigned int total = sizeof(m->hdr) + m->hdr.len;
        int n = c->ops->write(c, (char *)&m->hdr + m->used, total - m->used);

        if (n < 0) {
            conn_kill(c, "write failed");
            return;
        }
        if (n == 0)
            return;
        m->used += n;
        if (m->used < total)
            continue;
        trace_io(c, "OUT", &m->hdr, m->body);
        free(conn_pop(c));
    }
}

void conn_handle_input(struct conn *c)
{
    unsigned int done = 0;

    while (!c->dead && !c->ignored) {
        int n;

        if (!c->in_body) {
            n = c->ops->read(c, (char *)&c->in_hdr + c->in_used, sizeof(c->in_hdr) - c->in_used);
            if (n < 0) {
                conn_kill(c, c->in_used ? "closed inside a header" : "closed");
                return;
            }
            if (n == 0)
                return;
            c->in_used += n;
            if (c->in_used < sizeof(c->in_hdr))
                continue;
            if (c->in_hdr.len > XENSTORE_PAYLOAD_MAX) {
                xsd_log(LOG_WARN_L, "domain %u tried to feed us %u bytes", c->id, c->in_hdr.len);
                if (c->domain && c->domain->interface)
                    ((struct xenstore_domain_interface *)c->domain->interface)->error =
                        XENSTORE_ERROR_PROTO;
                conn_kill(c, "oversized payload");
                return;
            }
            c->in_buf = malloc(c->in_hdr.len + 1);
            if (!c->in_buf) {
                conn_kill(c, "out of memory");
                return;
            }
            c->in_body = true;
            c->in_used = 0;
        }
        if (c->in_used < c->in_hdr.len) {
            n = c->ops->read(c, c->in_buf + c->in_used, c->in_hdr.len - c->in_used);
            if (n < 0) {
                conn_kill(c, "closed inside a message");
                return;
            }
            if (n == 0)
                return;
            c->in_used += n;
            if (c->in_used < c->in_hdr.len)
                continue;
        }
        c->in_buf[c->in_hdr.len] = '\0';      /* a guard, not part of the payload */
        c->requests++;
        xsd_process(c, &c->in_hdr, c->in_buf);
        free(c->in_buf);
        c->in_buf = NULL;
        c->in_body = false;
        c->in_used = 0;
        /* Fairness: a few requests per round; and answer before reading on. */
        if (++done == 16 || !conn_wants_read(c))
            return;
    }
}

/* ---- the in-memory transport ---- */
struct memsrc {
    const char *p;
    size_t left;
};

static int mem_read(struct conn *c, void *buf, unsigned int len)
{
    struct memsrc *s = c->priv;

    if (!s)
        return 0;
    if (len > s->left)
        len = s->left;
    memcpy(buf, s->p, len);
    s->p += len;
    s->left -= len;
    return len;
}

static int mem_write(struct conn *c, const void *buf, unsigned int len)
{
    (void)c;
    (void)buf;
    return len;
}

static bool mem_can_read(struct conn *c)
{
    struct memsrc *s = c->priv;

    return s && s->left;
}

static bool mem_can_write(struct conn *c)
{
    (void)c;
    return false;         /* replies stay queued for the test to look at */
}

const struct conn_ops mem_conn_ops = {
    .read = mem_read,
    .write = mem_write,
    .can_read = mem_can_read,
    .can_write = mem_can_write,
};

int conn_feed(struct conn *c, const void *data, size_t len)
{
    struct memsrc s = { data, len };
    const struct conn_ops *saved_ops = c->ops;
    void *saved = c->priv;

    c->ops = &mem_conn_ops;          /* whatever the transport, read from memory */
    c->priv = &s;
    while (!c->dead && !c->ignored && s.left) {
        size_t before = s.left;

        conn_handle_input(c);
        if (s.left == before)
            break;
    }
    c->priv = saved;
    c->ops = saved_ops;
    return c->dead || c->ignored ? -1 : 0;
}
