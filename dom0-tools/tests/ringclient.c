/* ringclient.c - the guest side of a xenstore ring for host tests (see ringclient.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "ringclient.h"

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rg_create(struct ring_guest *g, const char *dir, unsigned int domid, unsigned int port)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char path[256];
    int fd;

    memset(g, 0, sizeof(*g));
    g->domid = domid;
    g->port = port;
    snprintf(g->dir, sizeof(g->dir), "%s", dir);
    snprintf(path, sizeof(path), "%s/dom%u.page", dir, domid);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 4096) < 0)
        return -1;
    g->intf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (g->intf == MAP_FAILED)
        return -1;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dom%u.sock", dir, domid);
    unlink(sa.sun_path);
    g->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (g->sock < 0 || bind(g->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -1;
    return 0;
}

static void send_to_xenstored(const char *dir, uint32_t a, uint32_t b)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    uint32_t m[2] = { a, b };
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/xenstored.sock", dir);
    sendto(s, m, sizeof(m), 0, (struct sockaddr *)&sa, sizeof(sa));
    close(s);
}

void rg_kick(struct ring_guest *g)
{
    send_to_xenstored(g->dir, g->domid, g->port);
}

void rg_virq(const char *dir)
{
    send_to_xenstored(dir, ~0u, ~0u);
}

static void wait_event(struct ring_guest *g, int ms)
{
    struct pollfd p = { g->sock, POLLIN, 0 };
    char buf[64];

    if (poll(&p, 1, ms) > 0)
        while (recv(g->sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
            ;
}

int rg_write(struct ring_guest *g, const void *data, unsigned int len)
{
    const char *p = data;
    long deadline = now_ms() + 2000;

    while (len) {
        XENSTORE_RING_IDX cons = __atomic_load_n(&g->intf->req_cons, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX prod = g->intf->req_prod;
        unsigned int space = XENSTORE_RING_SIZE - (prod - cons), chunk;

        chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
        if (chunk > space)
            chunk = space;
        if (chunk > len)
            chunk = len;
        if (!chunk) {
            rg_kick(g);
            if (now_ms() > deadline)
                return -1;
            wait_event(g, 50);
            continue;
        }
        memcpy(g->intf->req + MASK_XENSTORE_IDX(prod), p, chunk);
        __atomic_store_n(&g->intf->req_prod, prod + chunk, __ATOMIC_RELEASE);
        p += chunk;
        len -= chunk;
    }
    rg_kick(g);
    return 0;
}

int rg_send(struct ring_guest *g, uint32_t type, uint32_t tx, const void *payload, unsigned int len)
{
    static uint32_t req;
    struct xsd_sockmsg h = { type, ++req, tx, len };

    if (rg_write(g, &h, sizeof(h)))
        return -1;
    return len ? rg_write(g, payload, len) : 0;
}

static int ring_read(struct ring_guest *g, void *data, unsigned int len, long deadline)
{
    char *p = data;

    while (len) {
        XENSTORE_RING_IDX prod = __atomic_load_n(&g->intf->rsp_prod, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX cons = g->intf->rsp_cons;
        unsigned int avail = prod - cons, chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);

        if (chunk > avail)
            chunk = avail;
        if (chunk > len)
            chunk = len;
        if (!chunk) {
            long left = deadline - now_ms();

            if (left <= 0)
                return -1;
            wait_event(g, left > 50 ? 50 : (int)left);
            continue;
        }
        memcpy(p, g->intf->rsp + MASK_XENSTORE_IDX(cons), chunk);
        __atomic_store_n(&g->intf->rsp_cons, cons + chunk, __ATOMIC_RELEASE);
        p += chunk;
        len -= chunk;
        rg_kick(g);
    }
    return 0;
}

int rg_recv(struct ring_guest *g, struct xsd_sockmsg *hdr, char *buf, unsigned int cap, int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;

    if (ring_read(g, hdr, sizeof(*hdr), deadline))
        return -1;
    if (hdr->len >= cap || ring_read(g, buf, hdr->len, deadline + 2000))
        return -1;
    buf[hdr->len] = '\0';
    return 0;
}

int rg_call(struct ring_guest *g, uint32_t type, uint32_t tx, const void *payload, unsigned int len,
            struct xsd_sockmsg *hdr, char *buf, unsigned int cap)
{
    if (rg_send(g, type, tx, payload, len))
        return -1;
    do {
        if (rg_recv(g, hdr, buf, cap, 5000))
            return -1;
    } while (hdr->type == XS_WATCH_EVENT);
    return 0;
}

void rg_destroy(struct ring_guest *g)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/dom%u.page", g->dir, g->domid);
    unlink(path);
    munmap(g->intf, 4096);
    close(g->sock);
    snprintf(path, sizeof(path), "%s/dom%u.sock", g->dir, g->domid);
    unlink(path);
    rg_virq(g->dir);
}
