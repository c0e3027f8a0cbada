/*
 * domctl.h - the toolstack's hypercalls: HYPERVISOR_domctl (common/domctl.c) and
 * HYPERVISOR_sysctl (common/sysctl.c), for the control domain only.
 */
#ifndef PARVA_DOMCTL_H
#define PARVA_DOMCTL_H

#include <parva/public.h>

/*
 * The public domctl.h pulls in hvm/save.h, which with __XEN__ wants Xen's own <xen/lib.h>:
 * read both headers as the toolstack does (__XEN_TOOLS__), which gives the same structures.
 */
#pragma push_macro("__XEN__")
#undef __XEN__
#define __XEN_TOOLS__ 1
#include <xen/domctl.h>
#include <xen/sysctl.h>
#undef __XEN_TOOLS__
#pragma pop_macro("__XEN__")

struct domain;

long do_domctl(unsigned long arg);
long do_sysctl(unsigned long arg);

/* XEN_DOMCTL_getdomaininfo's record of d (also for XEN_SYSCTL_getdomaininfolist). */
void domain_get_info(struct domain *d, struct xen_domctl_getdomaininfo *info);

/* Arch hooks: the arch's domctl commands (-ENOSYS for unknown ones; *copyback for output); a
   domain's guest-physical address width; the machine's part of physinfo. */
long arch_do_domctl(struct xen_domctl *op, struct domain *d, bool *copyback);
unsigned int arch_domain_gpaddr_bits(const struct domain *d);
void arch_physinfo(struct xen_sysctl_physinfo *pi);

#endif /* PARVA_DOMCTL_H */
