/*
 * fuzz_wire.c - libFuzzer target for xenstored's message parser and request handlers:
 * the input is a byte stream from one client (the first byte chooses a privileged
 * socket client, an unprivileged domain or the read-only socket), fed through the real
 * input state machine into a fresh store.  ASan/UBSan catch memory errors; an
 * invariant check catches a reply that breaks the wire rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../xenstored/core.h"

static int f_init(void) { return 0; }
static int f_fd(void) { return -1; }
static long f_pending(void) { return -1; }
static void *f_map(unsigned int domid, unsigned long mfn) { (void)domid; (void)mfn; return calloc(1, 4096); }
static void f_unmap(unsigned int domid, void *p) { (void)domid; free(p); }
static long f_bind(unsigned int domid, unsigned int port) { (void)domid; return port; }
static void f_unbind(unsigned int port) { (void)port; }
static void f_notify(unsigned int port) { (void)port; }
static int f_state(unsigned int domid) { return domid < 16 ? 0 : 2; }

static const struct platform_ops fuzz_platform = {
    .name = "fuzz", .init = f_init, .fd = f_fd, .pending = f_pending, .map = f_map, .unmap = f_unmap,
    .bind = f_bind, .unbind = f_unbind, .notify = f_notify, .domain_state = f_state,
};
const struct platform_ops *platform = &fuzz_platform;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conn *c, *other;
    struct msg *m;
    unsigned int kind;

    if (!size)
        return 0;
    log_open(NULL, false, false);
    domain_setup();
    if (tree_init())
        abort();
    kind = data[0] % 3;
    c = conn_new(&mem_conn_ops, -1, kind == 1 ? 5 : 0, kind != 2);
    other = conn_new(&mem_conn_ops, -1, 0, true);
    if (kind == 1)
        c->domain = domain_find_or_alloc(5);
    /* another client watches everything, so that events are generated */
    conn_feed(other, "\x04\0\0\0\0\0\0\0\0\0\0\0\x04\0\0\0/\0t\0", 20);
    conn_feed(c, data + 1, size - 1);
    while ((m = conn_pop(c))) {
        if (m->hdr.len > XENSTORE_PAYLOAD_MAX)
            abort();
        free(m);
    }
    while ((m = conn_pop(other))) {
        if (m->hdr.type != XS_WATCH_EVENT && m->hdr.type != XS_WATCH)
            abort();
        free(m);
    }
    while (connections)
        conn_free(connections);
    domain_teardown();
    tree_fini();
    return 0;
}
