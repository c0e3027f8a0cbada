/*
 * control.c - CONTROL requests (xenstore-control): check, log, logfile, memreport,
 * print, quota, quota-soft, help.  The reply formats follow Xen's xenstored.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"

struct outbuf {
    char *p;
    size_t len, cap;
};

static void outf(struct outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct outbuf *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!o->p && o->cap == (size_t)-1)
        return;
    for (;;) {
        size_t room = o->cap - o->len;

        va_start(ap, fmt);
        n = vsnprintf(o->p ? o->p + o->len : NULL, o->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (o->p && (size_t)n < room) {
            o->len += n;
            return;
        }
        o->cap = o->len + n + 256;
        o->p = realloc(o->p, o->cap);
        if (!o->p) {
            o->cap = (size_t)-1;
            return;
        }
    }
}

static int reply_out(struct conn *c, const struct xsd_sockmsg *h, struct outbuf *o)
{
    if (!o->p)
        return ENOMEM;
    send_reply(c, h, XS_CONTROL, o->p, o->len + 1);
    free(o->p);
    return 0;
}

static int ack(struct conn *c, const struct xsd_sockmsg *h)
{
    send_reply(c, h, XS_CONTROL, "OK", 3);
    return 0;
}

static int count_nodes(struct node *n, void *arg)
{
    (void)n;
    ++*(unsigned int *)arg;
    return 0;
}

static int ctl_check(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n)
{
    unsigned int count = 0;

    (void)v;
    if (n)
        return EINVAL;
    store_iterate(&global_store, count_nodes, &count);
    xsd_log(LOG_INFO_L, "check: %u nodes", count);
    return ack(c, h);
}

static int ctl_log(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n)
{
    if (n == 0) {
        struct outbuf o = { 0 };

        outf(&o, "Log switch settings:\n%-8s: %s\n", "io", tracefd >= 0 ? "on" : "off");
        return reply_out(c, h, &o);
    }
    if (n != 1)
        return EINVAL;
    if (!strcmp(v[0], "on"))
        trace_open();
    else if (!strcmp(v[0], "off"))
        trace_close();
    else
        return EINVAL;
    return ack(c, h);
}

static int ctl_logfile(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n)
{
    char *f;

    if (n != 1)
        return EINVAL;
    f = strdup(v[0]);
    if (!f)
        return ENOMEM;
    trace_close();
    free(tracefile);
    tracefile = f;
    trace_open();
    return ack(c, h);
}

static int ctl_memreport(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n)
{
    unsigned int nconn = 0, nwatch = 0, ntxn = 0;
    const struct conn *i;
    FILE *f;

    if (n > 1)
        return EINVAL;
    for (i = connections; i; i = i->next) {
        nconn++;
        nwatch += i->nwatches;
        ntxn += i->ntxns;
    }
    if (n == 1)
        f = fopen(v[0], "a");
    else
        f = tracefile ? fopen(tracefile, "a") : NULL;
    if (!f) {
        xsd_log(LOG_INFO_L, "memreport: %u nodes, %zu bytes; %u connections, %u watches, "
                "%u transactions", global_store.count, global_store.bytes, nconn, nwatch, ntxn);
        if (n == 1)
            return EBADF;
        return ack(c, h);
    }
    fprintf(f, "memreport: %u nodes, %zu bytes of node data; %u connections, %u watches, "
            "%u transactions\n", global_store.count, global_store.bytes, nconn, nwatch, ntxn);
    fclose(f);
    return ack(c, h);
}

static int ctl_print(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n)
{
    if (n != 1)
        return EINVAL;
    xsd_log(LOG_ERROR_L, "control: %s", v[0]);
    return ack(c, h);
}

static int quota_show(struct conn *c, const struct xsd_sockmsg *h, const struct quota *q)
{
    struct outbuf o = { 0 };
    unsigned int i;

    outf(&o, "Quota settings:\n");
    for (i = 0; i < Q_COUNT; i++)
        if (q[i].name)
            outf(&o, "%-17s: %8u %s\n", q[i].name, q[i].val, q[i].descr);
    return reply_out(c, h, &o);
}

static int quota_set(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n,
                     struct quota *q)
{
    unsigned int i;
    int val;

    if (n != 2)
        return EINVAL;
    val = atoi(v[1]);
    if (val < 1)
        return EINVAL;
    for (i = 0; i < Q_COUNT; i++)
        if (q[i].name && !strcmp(v[0], q[i].name)) {
            q[i].val = val;
            if (q == hard_quotas && i == Q_PATHLEN && q[i].val > XENSTORE_REL_PATH_MAX)
                q[i].val = XENSTORE_REL_PATH_MAX;
            return ack(c, h);
        }
    return EINVAL;
}

static int ctl_quota(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n)
{
    char *r;

    if (n == 0)
        return quota_show(c, h, hard_quotas);
    if (!strcmp(v[0], "set"))
        return quota_set(c, h, v + 1, n - 1, hard_quotas);
    if (n != 1)
        return EINVAL;
    r = domain_quota_report(atoi(v[0]));
    if (!r)
        return errno;
    send_reply(c, h, XS_CONTROL, r, strlen(r) + 1);
    free(r);
    return 0;
}

static int ctl_quota_soft(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n)
{
    if (n == 0)
        return quota_show(c, h, soft_quotas);
    if (!strcmp(v[0], "set"))
        return quota_set(c, h, v + 1, n - 1, soft_quotas);
    return EINVAL;
}

static int ctl_help(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n);

static const struct {
    const char *cmd;
    int (*fn)(struct conn *, const struct xsd_sockmsg *, const char **, int);
    const char *pars;
} cmds[] = {
    { "check", ctl_check, "" },
    { "log", ctl_log, "[on|off]" },
    { "logfile", ctl_logfile, "<file>" },
    { "memreport", ctl_memreport, "[<file>]" },
    { "print", ctl_print, "<string>" },
    { "quota", ctl_quota, "[set <name> <val>|<domid>]" },
    { "quota-soft", ctl_quota_soft, "[set <name> <val>]" },
    { "help", ctl_help, "" },
};

static int ctl_help(struct conn *c, const struct xsd_sockmsg *h, const char **v, int n)
{
    struct outbuf o = { 0 };
    unsigned int i;

    (void)v;
    if (n)
        return EINVAL;
    outf(&o, "%s", "");
    for (i = 0; i < XSU_ARRAY_SIZE(cmds); i++)
        outf(&o, "%-15s %s\n", cmds[i].cmd, cmds[i].pars);
    return reply_out(c, h, &o);
}

int do_control(struct conn *c, const struct xsd_sockmsg *h, const char *body)
{
    const char *vec[64];
    unsigned int num, i;

    num = wire_strings(body, h->len, vec, XSU_ARRAY_SIZE(vec));
    if (num == 0)
        return EINVAL;
    if (num > XSU_ARRAY_SIZE(vec))
        return E2BIG;
    for (i = 0; i < XSU_ARRAY_SIZE(cmds); i++)
        if (!strcmp(vec[0], cmds[i].cmd))
            return cmds[i].fn(c, h, vec + 1, num - 1);
    return EINVAL;
}
