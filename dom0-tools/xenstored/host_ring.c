/*
 * host_ring.c - the platform of an ordinary host, for tests: a "domain" is a process
 * that shares a 4 KiB page file with xenstored and talks event channels over Unix
 * datagram sockets, all in one directory (--ring-dir, default <rundir>/rings):
 *
 *   dom<N>.page      the xenstore_domain_interface page (created by the guest)
 *   dom<N>.sock      the guest's event-channel socket (it binds it)
 *   dom<N>.shutdown  present while the domain is "shut down"
 *   xenstored.sock   xenstored's event-channel socket
 *
 * An event is an 8-byte datagram {domid, port} naming the sender's domain and the
 * port the guest uses; {~0, ~0} is VIRQ_DOM_EXC ("domain state changed").  A domain
 * exists while its page file exists.  The "mfn" of INTRODUCE is not used.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "core.h"

char *host_ring_dir;
static int evfd = -1;

struct binding {
    unsigned int domid, remote;
    bool used;
};
#define MAX_BINDINGS 4096
static struct binding bindings[MAX_BINDINGS];     /* index = local port */

static void path_of(char *buf, size_t len, unsigned int domid, const char *what)
{
    snprintf(buf, len, "%s/dom%u.%s", host_ring_dir, domid, what);
}

static int host_init(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (!host_ring_dir) {
        const char *rd = xsu_rundir();

        host_ring_dir = malloc(strlen(rd) + 7);
        if (!host_ring_dir)
            return ENOMEM;
        sprintf(host_ring_dir, "%s/rings", rd);
    }
    mkdir(host_ring_dir, 0700);
    if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/xenstored.sock", host_ring_dir) >=
        (int)sizeof(sa.sun_path))
        return ENAMETOOLONG;
    evfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (evfd < 0)
        return errno;
    unlink(sa.sun_path);
    if (bind(evfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int err = errno;

        close(evfd);
        evfd = -1;
        return err;
    }
    return 0;
}

static int host_fd(void)
{
    return evfd;
}

static long host_pending(void)
{
    uint32_t m[2];
    unsigned int p;

    for (;;) {
        ssize_t n = recv(evfd, m, sizeof(m), 0);

        if (n < 0)
            return -1;
        if (n != sizeof(m))
            continue;
        if (m[0] == ~0u)
            return PLATFORM_VIRQ;
        for (p = 1; p < MAX_BINDINGS; p++)
            if (bindings[p].used && bindings[p].domid == m[0] && bindings[p].remote == m[1])
                return p;
    }
}

static void *host_map(unsigned int domid, unsigned long mfn)
{
    char path[256];
    void *p;
    int fd;

    (void)mfn;
    path_of(path, sizeof(path), domid, "page");
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

static void host_unmap(unsigned int domid, void *intf)
{
    (void)domid;
    munmap(intf, 4096);
}

static long host_bind(unsigned int domid, unsigned int remote)
{
    unsigned int p;

    for (p = 1; p < MAX_BINDINGS; p++)
        if (!bindings[p].used) {
            bindings[p] = (struct binding){ domid, remote, true };
            return p;
        }
    errno = ENOSPC;
    return -1;
}

static void host_unbind(unsigned int port)
{
    if (port < MAX_BINDINGS)
        bindings[port].used = false;
}

static void host_notify(unsigned int port)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    uint32_t m[2];

    if (port >= MAX_BINDINGS || !bindings[port].used)
        return;
    path_of(sa.sun_path, sizeof(sa.sun_path), bindings[port].domid, "sock");
    m[0] = bindings[port].domid;
    m[1] = bindings[port].remote;
    /* Best effort, never blocks: a guest that is not listening misses a kick. */
    sendto(evfd, m, sizeof(m), MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
}

static int host_domain_state(unsigned int domid)
{
    char path[256];

    if (domid == 0)
        return 0;
    path_of(path, sizeof(path), domid, "page");
    if (access(path, F_OK) != 0)
        return 2;
    path_of(path, sizeof(path), domid, "shutdown");
    return access(path, F_OK) == 0 ? 1 : 0;
}

const struct platform_ops host_platform = {
    .name = "host",
    .init = host_init,
    .fd = host_fd,
    .pending = host_pending,
    .map = host_map,
    .unmap = host_unmap,
    .bind = host_bind,
    .unbind = host_unbind,
    .notify = host_notify,
    .domain_state = host_domain_state,
};

const struct platform_ops *platform = &host_platform;
