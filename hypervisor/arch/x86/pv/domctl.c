/*
 * domctl.c (pv) - the x86 PV part of HYPERVISOR_domctl (common/domctl.c's arch_do_domctl): what a
 * domain builder in dom0 needs to start a PV domain it has filled in, as libxc's does.
 *
 *   XEN_DOMCTL_setvcpucontext   a vCPU's first context (registers, page-table root, callbacks),
 *                               checked and referenced as VCPUOP_initialise does; VGCF_online
 *                               brings the vCPU up (it runs once the domain is unpaused)
 *   XEN_DOMCTL_hypercall_init   fill a frame of the domain with the hypercall page (a frame it
 *                               owns that may be writable: not one of its page tables)
 *   XEN_DOMCTL_set_address_size 64 only (Parva runs no 32-bit PV guests)
 *   XEN_DOMCTL_get_address_size 64
 *
 * The context is copied into a heap buffer once (it is 5 KiB), then checked and applied by
 * pv_vcpu_initialise; nothing is held on failure.
 */
#include <parva/domain.h>
#include <parva/domctl.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

long arch_do_domctl(struct xen_domctl *op, struct domain *d, bool *copyback)
{
    switch ( op->cmd )
    {
    case XEN_DOMCTL_setvcpucontext:
    {
        struct vcpu_guest_context *c;
        struct vcpu *v;
        long rc;

        if ( d == current->domain || op->u.vcpucontext.vcpu >= d->max_vcpus || d->vcpus_hidden ||
             !(v = d->vcpu[op->u.vcpucontext.vcpu]) )
            return -EINVAL;
        if ( !op->u.vcpucontext.ctxt.p )
            return -EOPNOTSUPP;         /* a vCPU reset: not for Parva's builders yet */
        c = xmalloc(struct vcpu_guest_context);
        if ( !c )
            return -ENOMEM;
        rc = copy_from_guest_va(c, (unsigned long)op->u.vcpucontext.ctxt.p, sizeof(*c)) ? -EFAULT
             : pv_vcpu_initialise(v, c);
        if ( !rc && (c->flags & VGCF_online) && (v->pause_flags & VPF_down) )
            vcpu_up(v);
        xfree(c);
        return rc;
    }

    case XEN_DOMCTL_hypercall_init:
    {
        unsigned long mfn = op->u.hypercall_init.gmfn;
        struct page_info *pg;

        /* As Xen: not d's frame is -EINVAL; one that cannot be writable (a page table) -EPERM. */
        if ( !mfn_valid(mfn) || !get_page(pg = mfn_to_page(mfn), d) )
            return -EINVAL;
        if ( !get_page_type(pg, PGT_writable_page) )
        {
            put_page(pg);
            return -EPERM;
        }
        pv_fill_hypercall_page(mfn_to_virt(mfn));
        d->arch.has_hypercall_page = true;
        put_page_and_type(pg);
        return 0;
    }

    case XEN_DOMCTL_set_address_size:
        return op->u.address_size.size == 64 ? 0 : -EINVAL;

    case XEN_DOMCTL_get_address_size:
        op->u.address_size.size = 64;
        *copyback = true;
        return 0;

    default:
        return -ENOSYS;
    }
}
