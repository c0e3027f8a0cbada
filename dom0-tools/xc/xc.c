/*
 * xc.c - hypercalls from dom0's user space through /dev/xen/privcmd (see xc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "xc.h"                 /* before privcmd.h, which uses the Xen types */
#include <xen/sys/privcmd.h>

int xc_open(struct xc *xc)
{
    const char *path = getenv("XC_PRIVCMD");

    xc->fd = open(path ? path : "/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    return xc->fd < 0 ? -1 : 0;
}

void xc_close(struct xc *xc)
{
    if (xc->fd >= 0)
        close(xc->fd);
    xc->fd = -1;
}

void *xc_buf_alloc(size_t len)
{
    size_t size = (len + 4095) & ~(size_t)4095;
    void *p;

    if (!size)
        size = 4096;
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Locked and touched: the hypervisor must find every page present. */
    if (mlock(p, size) < 0 && errno != EPERM) {
        int e = errno;

        munmap(p, size);
        errno = e;
        return NULL;
    }
    memset(p, 0, size);
    return p;
}

void xc_buf_free(void *p, size_t len)
{
    size_t size = (len + 4095) & ~(size_t)4095;

    if (p)
        munmap(p, size ? size : 4096);
}

long xc_hypercall(struct xc *xc, unsigned int op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                  uint64_t a4)
{
    privcmd_hypercall_t hc = { .op = op, .arg = { a0, a1, a2, a3, a4 } };

    /* privcmd returns the hypervisor's result, and a negative one as -1 with errno set. */
    return ioctl(xc->fd, IOCTL_PRIVCMD_HYPERCALL, &hc);
}

static int bounce_call(struct xc *xc, unsigned int hc, void *op, size_t size)
{
    void *buf = xc_buf_alloc(size);
    long rc;
    int e;

    if (!buf)
        return -1;
    memcpy(buf, op, size);
    rc = xc_hypercall(xc, hc, (uintptr_t)buf, 0, 0, 0, 0);
    e = errno;
    memcpy(op, buf, size);
    xc_buf_free(buf, size);
    errno = e;
    return rc < 0 ? -1 : 0;
}

int xc_domctl(struct xc *xc, struct xen_domctl *op)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return bounce_call(xc, __HYPERVISOR_domctl, op, sizeof(*op));
}

int xc_sysctl(struct xc *xc, struct xen_sysctl *op)
{
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return bounce_call(xc, __HYPERVISOR_sysctl, op, sizeof(*op));
}

int xc_domain_list(struct xc *xc, domid_t first, unsigned int max, struct xen_domctl_getdomaininfo *out)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_getdomaininfolist };
    size_t size = (size_t)max * sizeof(*out);
    void *buf = xc_buf_alloc(size);
    int rc;

    if (!buf)
        return -1;
    op.u.getdomaininfolist.first_domain = first;
    op.u.getdomaininfolist.max_domains = max;
    set_xen_guest_handle(op.u.getdomaininfolist.buffer, buf);
    rc = xc_sysctl(xc, &op);
    if (!rc) {
        rc = op.u.getdomaininfolist.num_domains > max ? (int)max : (int)op.u.getdomaininfolist.num_domains;
        memcpy(out, buf, (size_t)rc * sizeof(*out));
    }
    xc_buf_free(buf, size);
    return rc;
}

int xc_domain_info(struct xc *xc, domid_t dom, struct xen_domctl_getdomaininfo *out)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = dom };

    if (xc_domctl(xc, &op))
        return -1;
    if (op.domain != dom) {             /* Xen 4.17 answers for the next domain */
        errno = ESRCH;
        return -1;
    }
    *out = op.u.getdomaininfo;
    return 0;
}

int xc_physinfo(struct xc *xc, struct xen_sysctl_physinfo *out)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_physinfo };

    if (xc_sysctl(xc, &op))
        return -1;
    *out = op.u.physinfo;
    return 0;
}

int xc_sched_id(struct xc *xc, uint32_t *id)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_sched_id };

    if (xc_sysctl(xc, &op))
        return -1;
    *id = op.u.sched_id.sched_id;
    return 0;
}

long xc_version(struct xc *xc, int cmd, void *out, size_t len)
{
    void *buf = NULL;
    long rc;
    int e;

    if (len && !(buf = xc_buf_alloc(len)))
        return -1;
    if (len)
        memcpy(buf, out, len);          /* some sub-ops read it too (XENVER_build_id's len) */
    rc = xc_hypercall(xc, __HYPERVISOR_xen_version, (uint64_t)cmd, (uintptr_t)buf, 0, 0, 0);
    e = errno;
    if (rc >= 0 && len)
        memcpy(out, buf, len);
    xc_buf_free(buf, len);
    errno = e;
    return rc;
}

long xc_readconsole(struct xc *xc, char *out, uint32_t len, uint32_t *index, int incremental, int clear)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_readconsole };
    char *buf = xc_buf_alloc(len);
    long rc;

    if (!buf)
        return -1;
    op.u.readconsole.clear = !!clear;
    op.u.readconsole.incremental = !!incremental;
    op.u.readconsole.index = *index;
    op.u.readconsole.count = len;
    set_xen_guest_handle(op.u.readconsole.buffer, buf);
    rc = xc_sysctl(xc, &op);
    if (!rc) {
        rc = op.u.readconsole.count > len ? len : op.u.readconsole.count;
        memcpy(out, buf, (size_t)rc);
        *index = op.u.readconsole.index;
    }
    xc_buf_free(buf, len);
    return rc;
}

static int affinity(struct xc *xc, uint32_t cmd, domid_t dom, uint32_t vcpu, uint64_t *hard, uint64_t *soft)
{
    struct xen_domctl op = { .cmd = cmd, .domain = dom };
    uint64_t *maps = xc_buf_alloc(2 * sizeof(uint64_t));
    int rc;

    if (!maps)
        return -1;
    op.u.vcpuaffinity.vcpu = vcpu;
    if (hard) {
        op.u.vcpuaffinity.flags |= XEN_VCPUAFFINITY_HARD;
        maps[0] = *hard;
        set_xen_guest_handle(op.u.vcpuaffinity.cpumap_hard.bitmap, (uint8_t *)&maps[0]);
        op.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    }
    if (soft) {
        op.u.vcpuaffinity.flags |= XEN_VCPUAFFINITY_SOFT;
        maps[1] = *soft;
        set_xen_guest_handle(op.u.vcpuaffinity.cpumap_soft.bitmap, (uint8_t *)&maps[1]);
        op.u.vcpuaffinity.cpumap_soft.nr_bits = 64;
    }
    rc = xc_domctl(xc, &op);
    if (!rc) {
        if (hard)
            *hard = maps[0];
        if (soft)
            *soft = maps[1];
    }
    xc_buf_free(maps, 2 * sizeof(uint64_t));
    return rc;
}

int xc_vcpu_getaffinity(struct xc *xc, domid_t dom, uint32_t vcpu, uint64_t *hard, uint64_t *soft)
{
    return affinity(xc, XEN_DOMCTL_getvcpuaffinity, dom, vcpu, hard, soft);
}

int xc_vcpu_setaffinity(struct xc *xc, domid_t dom, uint32_t vcpu, const uint64_t *hard, const uint64_t *soft)
{
    uint64_t h = hard ? *hard : 0, s = soft ? *soft : 0;

    return affinity(xc, XEN_DOMCTL_setvcpuaffinity, dom, vcpu, hard ? &h : NULL, soft ? &s : NULL);
}
