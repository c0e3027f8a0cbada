/*
 * xc.h - the toolstack's hypercalls from dom0's user space: a small library over Linux's
 * /dev/xen/privcmd (IOCTL_PRIVCMD_HYPERCALL), for xl and the domain builder.  Not libxenctrl's
 * ABI: only what Parva's tools use, with the same hypercall structures (Xen's public domctl.h,
 * sysctl.h, version.h).
 *
 * Design: every hypercall argument the hypervisor reads or writes lives in a "hypercall
 * buffer": memory mapped for this purpose, locked (mlock) and touched, so that the hypervisor
 * never meets an unmapped page of ours (it would answer -EFAULT).  xc_domctl and xc_sysctl copy
 * the caller's structure into such a buffer, make the call, and copy it back; functions that
 * pass further buffers (lists, bitmaps, the console text) allocate them with xc_buf_alloc.
 *
 * Errors: -1 with errno set (from the hypervisor's -errno, or the ioctl's own), 0 or a
 * non-negative value on success, as libxenctrl does.
 */
#ifndef XC_H
#define XC_H

#define __XEN_TOOLS__ 1
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/version.h>

struct xc {
    int fd;                         /* /dev/xen/privcmd */
};

/* Open /dev/xen/privcmd (or the path in $XC_PRIVCMD, for tests); -1/errno if it cannot. */
int xc_open(struct xc *xc);
void xc_close(struct xc *xc);

/* A locked, zeroed buffer of at least len bytes for hypercall arguments; NULL/errno. */
void *xc_buf_alloc(size_t len);
void xc_buf_free(void *p, size_t len);

/* One hypercall with up to five arguments: its result (>= 0), or -1/errno. */
long xc_hypercall(struct xc *xc, unsigned int op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                  uint64_t a4);

/* HYPERVISOR_domctl / sysctl on *op (interface version filled in); op is updated from the answer. */
int xc_domctl(struct xc *xc, struct xen_domctl *op);
int xc_sysctl(struct xc *xc, struct xen_sysctl *op);

/* getdomaininfo records of up to max domains from first on: how many, or -1/errno. */
int xc_domain_list(struct xc *xc, domid_t first, unsigned int max, struct xen_domctl_getdomaininfo *out);
/* One domain's record (exactly that domain: ESRCH if it does not exist). */
int xc_domain_info(struct xc *xc, domid_t dom, struct xen_domctl_getdomaininfo *out);
int xc_physinfo(struct xc *xc, struct xen_sysctl_physinfo *out);
int xc_sched_id(struct xc *xc, uint32_t *id);
/* XENVER_* sub-op into buf (len bytes); the hypercall's result. */
long xc_version(struct xc *xc, int cmd, void *buf, size_t len);
/* The console ring from *index on (incremental when *index != 0... see xl_dmesg.c), up to len bytes
   into buf; the bytes read, and *index past them; clear: forget what was read. */
long xc_readconsole(struct xc *xc, char *buf, uint32_t len, uint32_t *index, int incremental, int clear);
/* Hard/soft affinity of a vCPU as 64-bit masks (XEN_DOMCTL_get/setvcpuaffinity). */
int xc_vcpu_getaffinity(struct xc *xc, domid_t dom, uint32_t vcpu, uint64_t *hard, uint64_t *soft);
int xc_vcpu_setaffinity(struct xc *xc, domid_t dom, uint32_t vcpu, const uint64_t *hard, const uint64_t *soft);

#endif /* XC_H */
