/*
 * ringtest.c - domains over the shared ring, on the host: two processes (this one as
 * both the toolstack and the guest, and xenstored) share each guest's page.  Needs a
 * running xenstored started with --ring-dir RINGDIR and -E 40 (nodes per domain).
 *   ringtest RINGDIR
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "xenstore.h"
#include "ringclient.h"
#include "tap.h"

static struct xsd_sockmsg hdr;
static char buf[8192];

static bool call(struct ring_guest *g, uint32_t type, const char *payload, unsigned int len,
                 const char *expect_type_or_err)
{
    if (rg_call(g, type, 0, payload, len, &hdr, buf, sizeof(buf)))
        return false;
    if (hdr.type == XS_ERROR)
        return strcmp(buf, expect_type_or_err) == 0;
    return expect_type_or_err == NULL || strcmp(buf, expect_type_or_err) == 0;
}

/* The next watch event on the dom0 handle, within 3 s. */
static char **dom0_event(struct xs_handle *h)
{
    struct pollfd p = { xs_fileno(h), POLLIN, 0 };

    if (poll(&p, 1, 3000) <= 0)
        return NULL;
    return xs_check_watch(h);
}

static bool expect_dom0_event(struct xs_handle *h, const char *path)
{
    char **v = dom0_event(h);
    bool ok = v && strcmp(v[XS_WATCH_PATH], path) == 0;

    if (v && !ok)
        printf("# got event %s\n", v[XS_WATCH_PATH]);
    free(v);
    return ok;
}

static bool introduce(struct xs_handle *h, struct ring_guest *g, unsigned int domid)
{
    char path[64];
    struct xs_permissions p = { domid, XS_PERM_NONE };

    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    return xs_mkdir(h, XBT_NULL, path) && xs_set_permissions(h, XBT_NULL, path, &p, 1) &&
           xs_introduce_domain(h, domid, 0, g->port);
}

int main(int argc, char **argv)
{
    struct ring_guest g5, g6, g7;
    struct xs_handle *h;
    char *v;
    unsigned int len, i;
    char path[64];

    if (argc != 2) {
        fprintf(stderr, "usage: %s RINGDIR\n", argv[0]);
        return 2;
    }
    TAP_PLAN(26);
    h = xs_open(0);
    OK(h, "dom0 connects through libxenstore");
    if (!h)
        return 1;
    OK(xs_watch(h, "@introduceDomain", "in") && xs_watch(h, "@releaseDomain", "out"),
       "dom0 watches @introduceDomain and @releaseDomain");
    OK(expect_dom0_event(h, "@introduceDomain") && expect_dom0_event(h, "@releaseDomain"),
       "initial events of the special watches");

    OK(rg_create(&g5, argv[1], 5, 11) == 0, "guest 5 sets up its ring page and event channel");
    OK(introduce(h, &g5, 5), "INTRODUCE domain 5");
    OK(expect_dom0_event(h, "@introduceDomain"), "@introduceDomain fires");
    OK(xs_is_domain_introduced(h, 5) && !xs_is_domain_introduced(h, 6),
       "IS_DOMAIN_INTRODUCED: 5 yes, 6 no");
    OK(g5.intf->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION,
       "server features advertised in the page");

    OK(call(&g5, XS_WRITE, "data/x\0hello", 12, "OK"), "guest writes a relative path over the ring");
    v = xs_read(h, XBT_NULL, "/local/domain/5/data/x", &len);
    OK(v && len == 5 && !memcmp(v, "hello", 5), "dom0 reads what the guest wrote");
    free(v);
    OK(call(&g5, XS_READ, "/tool", 6, "EACCES"), "guest may not read dom0's nodes (EACCES)");
    OK(call(&g5, XS_INTRODUCE, "9\0" "0\0" "1", 6, "EACCES"), "guest may not INTRODUCE");
    OK(call(&g5, XS_WATCH, "data\0w", 7, "OK"), "guest sets a relative watch");
    OK(rg_recv(&g5, &hdr, buf, sizeof(buf), 3000) == 0 && hdr.type == XS_WATCH_EVENT &&
       !strcmp(buf, "data"), "its initial event arrives, relative");
    OK(xs_write(h, XBT_NULL, "/local/domain/5/data/y", "1", 1) &&
       rg_recv(&g5, &hdr, buf, sizeof(buf), 3000) == 0 && hdr.type == XS_WATCH_EVENT &&
       !strcmp(buf, "data/y"), "a change by dom0 fires the guest's watch");

    /* quotas: the daemon runs with -E 40 */
    for (i = 0; i < 60; i++) {
        snprintf(path, sizeof(path), "q/n%u", i);
        if (!call(&g5, XS_WRITE, path, strlen(path) + 1, "OK"))
            break;
    }
    OK(hdr.type == XS_ERROR && !strcmp(buf, "ENOSPC") && i < 40,
       "node quota: ENOSPC after %u nodes", i);
    OK(call(&g5, XS_READ, "data/x", 7, "hello"), "the guest is still served after ENOSPC");
    v = xs_read(h, XBT_NULL, "/tool", &len);
    OK(v != NULL, "and so is dom0");
    free(v);

    /* a guest that breaks the protocol is cut off; others carry on */
    {
        struct xsd_sockmsg bad = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

        rg_write(&g5, &bad, sizeof(bad));
        for (i = 0; i < 50 && g5.intf->error == XENSTORE_ERROR_NONE; i++)
            usleep(20000);
        OK(g5.intf->error == XENSTORE_ERROR_PROTO, "oversized payload on the ring: error field PROTO");
    }
    OK(xs_release_domain(h, 5) && expect_dom0_event(h, "@releaseDomain"),
       "RELEASE domain 5 fires @releaseDomain");
    v = xs_read(h, XBT_NULL, "/local/domain/5/data/x", &len);
    OK(!v && errno == ENOENT, "the released domain's nodes are gone");
    free(v);

    OK(rg_create(&g6, argv[1], 6, 12) == 0 && introduce(h, &g6, 6) &&
       expect_dom0_event(h, "@introduceDomain"), "domain 6 introduced");
    g6.intf->req_prod = g6.intf->req_cons + 3 * XENSTORE_RING_SIZE;   /* nonsense indexes */
    rg_kick(&g6);
    for (i = 0; i < 50 && g6.intf->error == XENSTORE_ERROR_NONE; i++)
        usleep(20000);
    OK(g6.intf->error == XENSTORE_ERROR_RINGIDX, "bad ring indexes: error field RINGIDX");

    OK(rg_create(&g7, argv[1], 7, 13) == 0 && introduce(h, &g7, 7) &&
       expect_dom0_event(h, "@introduceDomain") && call(&g7, XS_WRITE, "x\0" "1", 3, "OK"),
       "domain 7 introduced and working");
    rg_destroy(&g7);
    OK(expect_dom0_event(h, "@releaseDomain"), "domain 7 disappears: @releaseDomain fires");
    OK(!xs_is_domain_introduced(h, 7), "and it is no longer introduced");
    xs_release_domain(h, 6);
    rg_destroy(&g6);
    rg_destroy(&g5);
    xs_close(h);
    return TAP_DONE();
}
