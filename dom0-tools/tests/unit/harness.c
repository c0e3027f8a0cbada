/* harness.c - the fake platform and request helpers of the xenstored unit tests. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

int fake_domain_state[DOMID_LIMIT];
unsigned int fake_notifications;
static unsigned int next_port = 1;

static int f_init(void) { return 0; }
static int f_fd(void) { return -1; }
static long f_pending(void) { return -1; }
static void *f_map(unsigned int domid, unsigned long mfn)
{
    (void)mfn;
    if (fake_domain_state[domid] == 2) {
        errno = ENOENT;
        return NULL;
    }
    return calloc(1, 4096);
}
static void f_unmap(unsigned int domid, void *p) { (void)domid; free(p); }
static long f_bind(unsigned int domid, unsigned int port) { (void)domid; (void)port; return next_port++; }
static void f_unbind(unsigned int port) { (void)port; }
static void f_notify(unsigned int port) { (void)port; fake_notifications++; }
static int f_state(unsigned int domid) { return domid == 0 ? 0 : fake_domain_state[domid]; }

static const struct platform_ops fake_platform = {
    .name = "fake", .init = f_init, .fd = f_fd, .pending = f_pending, .map = f_map, .unmap = f_unmap,
    .bind = f_bind, .unbind = f_unbind, .notify = f_notify, .domain_state = f_state,
};
const struct platform_ops *platform = &fake_platform;

static struct quota saved_hard[Q_COUNT];

int h_setup(void **state)
{
    static bool saved;
    unsigned int i;

    (void)state;
    if (!saved) {
        memcpy(saved_hard, hard_quotas, sizeof(saved_hard));
        saved = true;
    }
    memcpy(hard_quotas, saved_hard, sizeof(saved_hard));
    for (i = 0; i < DOMID_LIMIT; i++)
        fake_domain_state[i] = 2;
    fake_notifications = 0;
    generation = 0;
    priv_domid = 0;
    keep_orphans = false;
    log_open(NULL, false, getenv("XSD_TEST_LOG") != NULL);
    domain_setup();
    assert_int_equal(tree_init(), 0);
    return 0;
}

int h_teardown(void **state)
{
    (void)state;
    while (connections)
        conn_free(connections);
    domain_teardown();
    tree_fini();
    return 0;
}

struct conn *h_priv(void)
{
    struct conn *c = conn_new(&mem_conn_ops, -1, 0, true);

    assert_non_null(c);
    return c;
}

struct conn *h_ro(void)
{
    struct conn *c = conn_new(&mem_conn_ops, -1, 0, false);

    assert_non_null(c);
    return c;
}

struct conn *h_dom(unsigned int domid)
{
    struct conn *c = conn_new(&mem_conn_ops, -1, domid, true);
    struct domain *d = domain_find_or_alloc(domid);

    assert_non_null(c);
    assert_non_null(d);
    fake_domain_state[domid] = 0;
    c->domain = d;
    return c;
}

void h_send(struct conn *c, uint32_t type, uint32_t tx, const void *payload, unsigned int len)
{
    static uint32_t req;
    char buf[sizeof(struct xsd_sockmsg) + 8192];
    struct xsd_sockmsg h = { type, ++req, tx, len };

    assert_true(len <= 8192);
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), payload, len);
    conn_feed(c, buf, sizeof(h) + len);
}

struct msg *h_next(struct conn *c)
{
    return conn_pop(c);
}

static void dump(const char *what, const char *p, unsigned int len)
{
    unsigned int i;

    fprintf(stderr, "%s: \"", what);
    for (i = 0; i < len; i++)
        fputc(p[i] ? p[i] : '|', stderr);
    fprintf(stderr, "\"\n");
}

void h_expect(struct conn *c, uint32_t type, uint32_t tx, const char *payload, unsigned int plen,
              const char *reply, unsigned int rlen)
{
    struct msg *m;

    h_send(c, type, tx, payload, plen);
    m = h_next(c);
    assert_non_null(m);
    if (m->hdr.type != type || m->hdr.len != rlen || memcmp(m->body, reply, rlen)) {
        dump("request", payload, plen);
        dump("expected", reply, rlen);
        dump("got", m->body, m->hdr.len);
        fprintf(stderr, "type %u (expected %u)\n", m->hdr.type, type);
    }
    assert_int_equal(m->hdr.type, type);
    assert_int_equal(m->hdr.tx_id, tx);
    assert_int_equal(m->hdr.len, rlen);
    assert_memory_equal(m->body, reply, rlen);
    free(m);
}

void h_expect_err(struct conn *c, uint32_t type, uint32_t tx, const char *payload,
                  unsigned int plen, const char *err)
{
    struct msg *m;

    h_send(c, type, tx, payload, plen);
    m = h_next(c);
    assert_non_null(m);
    if (m->hdr.type != XS_ERROR) {
        dump("request", payload, plen);
        dump("got", m->body, m->hdr.len);
    }
    assert_int_equal(m->hdr.type, XS_ERROR);
    assert_string_equal(m->body, err);
    free(m);
}

struct msg *h_ok(struct conn *c, uint32_t type, uint32_t tx, const char *payload, unsigned int plen)
{
    struct msg *m;

    h_send(c, type, tx, payload, plen);
    m = h_next(c);
    assert_non_null(m);
    if (m->hdr.type == XS_ERROR) {
        dump("request", payload, plen);
        dump("error", m->body, m->hdr.len);
    }
    assert_int_equal(m->hdr.type, type);
    return m;
}

void h_expect_event(struct conn *c, const char *path, const char *token)
{
    struct msg *m = h_next(c);

    assert_non_null(m);
    assert_int_equal(m->hdr.type, XS_WATCH_EVENT);
    assert_string_equal(m->body, path);
    assert_string_equal(m->body + strlen(m->body) + 1, token);
    free(m);
}

void h_expect_nothing(struct conn *c)
{
    struct msg *m = h_next(c);

    if (m)
        dump("unexpected message", m->body, m->hdr.len);
    assert_null(m);
}

void h_write(struct conn *c, uint32_t tx, const char *path, const char *value)
{
    char buf[4096];
    size_t pl = strlen(path) + 1, vl = strlen(value);

    memcpy(buf, path, pl);
    memcpy(buf + pl, value, vl);
    free(h_ok(c, XS_WRITE, tx, buf, pl + vl));
}

char *h_read(struct conn *c, uint32_t tx, const char *path)
{
    struct msg *m;
    char *s;

    h_send(c, XS_READ, tx, path, strlen(path) + 1);
    m = h_next(c);
    assert_non_null(m);
    if (m->hdr.type != XS_READ) {
        free(m);
        return NULL;
    }
    s = strndup(m->body, m->hdr.len);
    free(m);
    return s;
}

uint32_t h_txn_start(struct conn *c)
{
    struct msg *m = h_ok(c, XS_TRANSACTION_START, 0, "", 1);
    uint32_t id = strtoul(m->body, NULL, 10);

    free(m);
    assert_true(id != 0);
    return id;
}
