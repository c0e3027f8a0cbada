/*
 * mem_exchange.c (pv) - XENMEM_exchange: trade some of a domain's frames for others, typically
 * machine-contiguous ones below an address limit for DMA (Linux's xen_create_contiguous_region,
 * behind swiotlb-xen).
 *
 * As Xen's memory_exchange: the input list names the domain's frames (machine frame numbers for a
 * PV guest), the output list the guest frame numbers the new frames will stand for; both cover
 * the same number of pages.  Work goes in chunks of the larger extent: the chunk's input frames
 * are stolen from the domain (each must be unused: no mapping, no page-table or descriptor use),
 * its output extents allocated (below out.address_bits), then the input frames freed, the M2P
 * entries of the new frames set to the guest frame numbers, and their machine frame numbers
 * written back over the output list.  A chunk that fails gives the stolen frames back; the call
 * reports in nr_exchanged how many input extents were exchanged.  Long calls continue in a
 * re-issued hypercall every EXCHANGE_PAGES_PER_CALL pages, their progress in nr_exchanged.
 *
 * Locking: none of its own; frame ownership changes under the domain's page_alloc_lock
 * (steal_domain_page, return_stolen_page, alloc_domheap_pages).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <xen/memory.h>

#define EXCHANGE_PAGES_PER_CALL 1024
#define MAX_ORDER_UNPRIV        9       /* as Xen's multipage_allocation_permitted */
#define MAX_ORDER_EXCHANGE      10      /* 4 MiB: more than Linux's swiotlb asks; bounds the chunk arrays */

static bool order_ok(const struct domain *d, unsigned int order)
{
    return order <= MAX_ORDER_EXCHANGE && (d->is_privileged || order <= MAX_ORDER_UNPRIV);
}

static int write_progress(unsigned long arg, const struct xen_memory_exchange *x)
{
    return copy_to_guest_va(arg + offsetof(struct xen_memory_exchange, nr_exchanged), &x->nr_exchanged,
                            sizeof(x->nr_exchanged)) ? -EFAULT : 0;
}

/* Give back the n stolen frames of a failed chunk. */
static void unsteal(struct domain *d, struct page_info **stolen, unsigned long n)
{
    while ( n-- )
        return_stolen_page(d, stolen[n]);
}

/* One chunk: in_n input extents of in_order, out_n output extents of out_order, at list positions. */
static int exchange_chunk(struct domain *d, const struct xen_memory_exchange *x, unsigned long in_pos,
                          unsigned long out_pos, unsigned long in_n, unsigned long out_n,
                          struct page_info **stolen, struct page_info **out)
{
    unsigned long in_list = (unsigned long)x->in.extent_start.p, out_list = (unsigned long)x->out.extent_start.p;
    unsigned long nr = 0, i, k, in_pages = 1UL << x->in.extent_order, out_pages = 1UL << x->out.extent_order;
    unsigned int bits = XENMEMF_get_address_bits(x->out.mem_flags);
    int rc = 0;

    /* 1. Steal the input frames. */
    for ( i = 0; i < in_n; i++ )
    {
        xen_pfn_t gmfn;

        if ( copy_from_guest_va(&gmfn, in_list + (in_pos + i) * sizeof(gmfn), sizeof(gmfn)) )
        {
            rc = -EFAULT;
            goto fail;
        }
        for ( k = 0; k < in_pages; k++ )
        {
            unsigned long mfn = gmfn + k;

            /* Not the domain's, or still in use (mapped, a page table...): Xen's -EINVAL too. */
            if ( mfn < gmfn || !mfn_valid(mfn) || !steal_domain_page(d, mfn_to_page(mfn)) )
            {
                rc = -EINVAL;
                goto fail;
            }
            stolen[nr++] = mfn_to_page(mfn);
        }
    }

    /* 2. The output extents. */
    for ( i = 0; i < out_n; i++ )
    {
        out[i] = alloc_domheap_pages(d, x->out.extent_order, bits ? MEMF_bits(bits) : 0);
        if ( !out[i] )
        {
            while ( i-- )
                for ( k = 0; k < out_pages; k++ )
                    relinquish_page(d, out[i] + k);
            rc = -ENOMEM;
            goto fail;
        }
    }

    /* 3. Commit: the old frames go, the new ones take their guest frame numbers (from here on, a
     *    fault writing the list back is -EFAULT for a chunk that was exchanged anyway, as Xen). */
    for ( i = 0; i < nr; i++ )
    {
        set_gpfn_from_mfn(page_to_mfn(stolen[i]), ~0UL);
        free_stolen_page(stolen[i]);
    }
    for ( i = 0; i < out_n; i++ )
    {
        xen_pfn_t gpfn = 0, mfn = page_to_mfn(out[i]);

        /* As Xen, errors reading the output list are ignored; writing it back is -EFAULT. */
        (void)copy_from_guest_va(&gpfn, out_list + (out_pos + i) * sizeof(gpfn), sizeof(gpfn));
        for ( k = 0; k < out_pages; k++ )
            set_gpfn_from_mfn(mfn + k, gpfn + k);
        if ( copy_to_guest_va(out_list + (out_pos + i) * sizeof(mfn), &mfn, sizeof(mfn)) )
            rc = -EFAULT;
    }
    return rc;

 fail:
    unsteal(d, stolen, nr);
    return rc;
}

long pv_memory_exchange(unsigned long arg)
{
    struct domain *d = current->domain;
    struct xen_memory_exchange x;
    unsigned long in_chunk, out_chunk, chunk_pages, i, done = 0;
    struct page_info **stolen, **out;
    long rc = 0;

    if ( copy_from_guest_va(&x, arg, sizeof(x)) )
        return -EFAULT;
    if ( !order_ok(d, x.in.extent_order) || !order_ok(d, x.out.extent_order) )
        return -EPERM;
    if ( x.nr_exchanged > x.in.nr_extents || x.in.domid != x.out.domid ||
         (~0UL >> x.in.extent_order) < x.in.nr_extents || (~0UL >> x.out.extent_order) < x.out.nr_extents ||
         (x.in.nr_extents << x.in.extent_order) != (x.out.nr_extents << x.out.extent_order) )
    {
        rc = -EINVAL;
        goto out;
    }
    /* Only a domain's own frames (Xen lets a privileged caller name another: not needed yet). */
    if ( x.in.domid != DOMID_SELF && x.in.domid != d->domain_id )
        return -EPERM;
    if ( x.nr_exchanged == x.in.nr_extents )
        return 0;

    /* Extents per chunk on each side: the chunk is the larger extent. */
    in_chunk = x.in.extent_order <= x.out.extent_order ? 1UL << (x.out.extent_order - x.in.extent_order) : 1;
    out_chunk = x.in.extent_order <= x.out.extent_order ? 1 : 1UL << (x.in.extent_order - x.out.extent_order);
    chunk_pages = in_chunk << x.in.extent_order;
    if ( x.nr_exchanged % in_chunk || x.in.nr_extents % in_chunk )
    {
        rc = -EINVAL;
        goto out;
    }
    if ( !guest_range_ok((unsigned long)x.in.extent_start.p, x.in.nr_extents * sizeof(xen_pfn_t)) ||
         !guest_range_ok((unsigned long)x.out.extent_start.p, x.out.nr_extents * sizeof(xen_pfn_t)) )
    {
        rc = -EFAULT;
        goto out;
    }
    stolen = xzalloc_array(struct page_info *, chunk_pages);
    out = xzalloc_array(struct page_info *, out_chunk);
    if ( !stolen || !out )
    {
        xfree(stolen);
        xfree(out);
        return -ENOMEM;
    }

    for ( i = x.nr_exchanged / in_chunk; i < x.in.nr_extents / in_chunk; i++ )
    {
        if ( done >= EXCHANGE_PAGES_PER_CALL )
        {
            xfree(stolen);
            xfree(out);
            x.nr_exchanged = i * in_chunk;
            if ( write_progress(arg, &x) )
                return -EFAULT;
            return hypercall_create_continuation(__HYPERVISOR_memory_op, XENMEM_exchange, arg, 0, 0, 0);
        }
        rc = exchange_chunk(d, &x, i * in_chunk, i * out_chunk, in_chunk, out_chunk, stolen, out);
        if ( rc )
            break;
        done += chunk_pages;
    }
    xfree(stolen);
    xfree(out);
    x.nr_exchanged = i * in_chunk;
 out:
    if ( write_progress(arg, &x) )
        rc = -EFAULT;
    return rc;
}
