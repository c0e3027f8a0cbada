/*
 * xen_linux.c - the platform of xenstored in a Linux dom0, on Xen or on Parva: the devices
 * of Linux's Xen drivers, as Xen's own xenstored uses them.
 *
 *   event channels   /dev/xen/evtchn (module xen-evtchn): a bound port is read() from the
 *                    device when it fires, masked until its number is written back
 *   dom0's own ring  /proc/xen/xsd_kva and /proc/xen/xsd_port (xenfs): a dom0 kernel that
 *                    was given no xenstore (start_info's store_evtchn 0) allocates a page and an
 *                    unbound port for a xenstored of its own and shows them there; xenstored
 *                    maps the page and binds the port (master_port, then domain_introduce)
 *   other rings      the machine frame INTRODUCE names, mapped read-write through
 *                    /dev/xen/privcmd (IOCTL_PRIVCMD_MMAPBATCH_V2: a foreign mapping)
 *   domain states    XEN_DOMCTL_getdomaininfo through privcmd; a hypervisor that does not
 *                    answer it (-ENOSYS) leaves every introduced domain "running", and its
 *                    end is then seen only through RELEASE
 *   VIRQ_DOM_EXC     bound at start: a domain shut down or died, look at them all
 *
 * Nothing here blocks: the evtchn device is opened O_NONBLOCK and polled by main.c.
 */
#define __XEN_TOOLS__ 1              /* domctl.h is the toolstack's interface */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/privcmd.h>
#include "core.h"

#define XEN_PAGE_SIZE   4096

static int evtchn_fd = -1, privcmd_fd = -1;
static long virq_port = -1;

static int xen_init(void)
{
    struct ioctl_evtchn_bind_virq bv = { .virq = VIRQ_DOM_EXC };
    int err;

    evtchn_fd = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (evtchn_fd < 0)
        return errno;
    privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);     /* optional: dom0's ring only */
    virq_port = ioctl(evtchn_fd, IOCTL_EVTCHN_BIND_VIRQ, &bv);
    if (virq_port < 0) {
        err = errno;
        close(evtchn_fd);
        evtchn_fd = -1;
        return err;
    }
    return 0;
}

static int xen_fd(void)
{
    return evtchn_fd;
}

static long xen_pending(void)
{
    uint32_t port;

    if (evtchn_fd < 0 || read(evtchn_fd, &port, sizeof(port)) != sizeof(port))
        return -1;
    /* Unmask it again at once: events that come meanwhile are seen at the next poll. */
    if (write(evtchn_fd, &port, sizeof(port)) != sizeof(port))
        xsd_log(LOG_WARN_L, "evtchn: cannot unmask port %u: %s", port, strerror(errno));
    return (long)port == virq_port ? PLATFORM_VIRQ : (long)port;
}

/* The number in a one-line file of xenfs, or -1. */
static long read_number(const char *path)
{
    char buf[32];
    ssize_t n;
    char *end;
    long v;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    v = strtol(buf, &end, 10);
    return end == buf || v <= 0 ? -1 : v;
}

static long xen_master_port(void)
{
    return read_number("/proc/xen/xsd_port");
}

static void *xen_map(unsigned int domid, unsigned long mfn)
{
    privcmd_mmapbatch_v2_t batch;
    xen_pfn_t frame = mfn;
    int err = 0, fd;
    void *p;

    if (domid == master_domid && mfn == 0) {
        /* Our own domain's ring: the page the kernel set aside for a local xenstored. */
        fd = open("/proc/xen/xsd_kva", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return NULL;
        p = mmap(NULL, XEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        return p == MAP_FAILED ? NULL : p;
    }
    if (privcmd_fd < 0) {
        errno = ENODEV;
        return NULL;
    }
    p = mmap(NULL, XEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, privcmd_fd, 0);
    if (p == MAP_FAILED)
        return NULL;
    batch = (privcmd_mmapbatch_v2_t){ .num = 1, .dom = domid, .addr = (uintptr_t)p, .arr = &frame,
                                      .err = &err };
    if (ioctl(privcmd_fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch) < 0 || err) {
        int e = err ? -err : errno;

        munmap(p, XEN_PAGE_SIZE);
        errno = e;
        return NULL;
    }
    return p;
}

static void xen_unmap(unsigned int domid, void *intf)
{
    (void)domid;
    munmap(intf, XEN_PAGE_SIZE);
}

static long xen_bind(unsigned int domid, unsigned int remote)
{
    struct ioctl_evtchn_bind_interdomain bi = { .remote_domain = domid, .remote_port = remote };

    return ioctl(evtchn_fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bi);
}

static void xen_unbind(unsigned int port)
{
    struct ioctl_evtchn_unbind u = { .port = port };

    if (ioctl(evtchn_fd, IOCTL_EVTCHN_UNBIND, &u) < 0)
        xsd_log(LOG_WARN_L, "evtchn: cannot unbind port %u: %s", port, strerror(errno));
}

static void xen_notify(unsigned int port)
{
    struct ioctl_evtchn_notify n = { .port = port };

    ioctl(evtchn_fd, IOCTL_EVTCHN_NOTIFY, &n);
}

static int xen_domain_state(unsigned int domid)
{
    struct xen_domctl dc = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = domid,
                             .interface_version = XEN_DOMCTL_INTERFACE_VERSION };
    privcmd_hypercall_t hc = { .op = __HYPERVISOR_domctl, .arg = { (uintptr_t)&dc } };

    if (domid == master_domid || privcmd_fd < 0)
        return 0;
    if (ioctl(privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
        return errno == ESRCH ? 2 : 0;      /* ENOSYS and the like: no news, still running */
    if (dc.domain != domid || (dc.u.getdomaininfo.flags & XEN_DOMINF_dying))
        return 2;
    return (dc.u.getdomaininfo.flags & XEN_DOMINF_shutdown) ? 1 : 0;
}

const struct platform_ops xen_platform = {
    .name = "xen",
    .init = xen_init,
    .fd = xen_fd,
    .pending = xen_pending,
    .master_port = xen_master_port,
    .map = xen_map,
    .unmap = xen_unmap,
    .bind = xen_bind,
    .unbind = xen_unbind,
    .notify = xen_notify,
    .domain_state = xen_domain_state,
};
