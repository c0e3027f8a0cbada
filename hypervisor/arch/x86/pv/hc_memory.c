/*
 * hc_memory.c (pv) - HYPERVISOR_memory_op: a PV domain's memory reservation and what it may know
 * about memory.
 *
 * A PV guest sees machine frame numbers: increase_reservation and
 * populate_physmap hand it frames (populate also records their guest frame
 * numbers in the M2P), decrease_reservation takes frames back (the guest
 * names them by machine frame; a frame still mapped or used as a page table
 * is only freed when its last reference goes).  Long batches stop after a
 * bounded number of extents and continue in a re-issued hypercall, their
 * progress kept in the upper bits of the command (Xen's convention).
 */
#include <parva/bootinfo.h>
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <xen/memory.h>

#define MEMOP_EXTENT_SHIFT  6
#define MEMOP_CMD_MASK      ((1UL << MEMOP_EXTENT_SHIFT) - 1)
#define EXTENTS_PER_CALL    256
#define MAX_ORDER_UNPRIV    9           /* 2 MiB extents for unprivileged domains, as Xen's default */

struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __packed;

/* Give an extent back: every frame must be the domain's own RAM (not a shared hypervisor page). */
static int pv_remove_extent(struct domain *d, unsigned long mfn, unsigned int order)
{
    unsigned long j, n = 1UL << order;

    if ( !mfn_valid(mfn) || mfn + n > max_page || !IS_ALIGNED(mfn, n) )
        return -EINVAL;
    for ( j = 0; j < n; j++ )
    {
        struct page_info *pg = mfn_to_page(mfn + j);

        if ( (pg->count_info & PGC_xen_heap) || !get_page(pg, d) )
            return -EINVAL;
        put_page(pg);
    }
    for ( j = 0; j < n; j++ )
    {
        struct page_info *pg = mfn_to_page(mfn + j);

        if ( !get_page(pg, d) )
            continue;                       /* went away concurrently */
        set_gpfn_from_mfn(mfn + j, ~0UL);
        relinquish_page(d, pg);
        put_page(pg);
    }
    return 0;
}

/* The domain a memory op is about: the caller, or (privileged callers only) another one. */
static struct domain *target_domain(domid_t id)
{
    struct domain *d = current->domain;

    if ( id == DOMID_SELF || id == d->domain_id )
        return get_domain(d) ? d : NULL;
    if ( !d->is_privileged )
        return NULL;
    return domain_lookup(id);
}

static long reservation_op(unsigned long cmd, unsigned long arg)
{
    unsigned long op = cmd & MEMOP_CMD_MASK, start = cmd >> MEMOP_EXTENT_SHIFT, i;
    struct xen_memory_reservation r;
    unsigned long list;
    unsigned int bits;
    struct domain *d;
    long rc;

    if ( copy_from_guest_va(&r, arg, sizeof(r)) )
        return -EFAULT;
    list = (unsigned long)r.extent_start.p;
    if ( start > r.nr_extents )
        return -EINVAL;
    if ( r.extent_order > MAX_ORDER || (r.extent_order > MAX_ORDER_UNPRIV && !current->domain->is_privileged) )
        return -EPERM;
    if ( r.nr_extents > (~0UL >> 4) / sizeof(xen_pfn_t) || !guest_range_ok(list, r.nr_extents * sizeof(xen_pfn_t)) )
        return -EFAULT;
    bits = XENMEMF_get_address_bits(r.mem_flags);
    d = target_domain(r.domid);
    if ( !d )
        return -ESRCH;

    for ( i = start; i < r.nr_extents; i++ )
    {
        xen_pfn_t pfn_or_mfn;
        struct page_info *pg;
        unsigned long j, mfn;

        if ( i - start == EXTENTS_PER_CALL )
        {
            put_domain(d);
            return hypercall_create_continuation(__HYPERVISOR_memory_op, op | (i << MEMOP_EXTENT_SHIFT), arg,
                                                 0, 0, 0);
        }
        if ( op != XENMEM_increase_reservation &&
             copy_from_guest_va(&pfn_or_mfn, list + i * sizeof(xen_pfn_t), sizeof(pfn_or_mfn)) )
            break;
        if ( op == XENMEM_decrease_reservation )
        {
            if ( pv_remove_extent(d, pfn_or_mfn, r.extent_order) )
                break;
            continue;
        }
        pg = alloc_domheap_pages(d, r.extent_order, bits ? MEMF_bits(bits) : 0);
        if ( !pg )
            break;
        mfn = page_to_mfn(pg);
        if ( op == XENMEM_populate_physmap )
            for ( j = 0; j < (1UL << r.extent_order); j++ )
                set_gpfn_from_mfn(mfn + j, pfn_or_mfn + j);
        pfn_or_mfn = mfn;
        if ( copy_to_guest_va(list + i * sizeof(xen_pfn_t), &pfn_or_mfn, sizeof(pfn_or_mfn)) )
        {
            for ( j = 0; j < (1UL << r.extent_order); j++ )
            {
                set_gpfn_from_mfn(mfn + j, ~0UL);
                relinquish_page(d, pg + j);
            }
            break;
        }
    }
    rc = i;
    put_domain(d);
    return rc;
}

static long copy_e820(unsigned long arg, const struct memmap_entry *map, unsigned int nr)
{
    struct xen_memory_map mm;
    unsigned int i;

    if ( copy_from_guest_va(&mm, arg, sizeof(mm)) )
        return -EFAULT;
    if ( mm.nr_entries < nr )
        return -EINVAL;                 /* as Xen: the whole map or nothing */
    for ( i = 0; i < nr; i++ )
    {
        struct e820_entry e = { map[i].addr, map[i].size, map[i].type };

        if ( copy_to_guest_va((unsigned long)mm.buffer.p + i * sizeof(e), &e, sizeof(e)) )
            return -EFAULT;
    }
    mm.nr_entries = i;
    return copy_to_guest_va(arg, &mm, sizeof(mm)) ? -EFAULT : 0;
}

long do_memory_op(unsigned long cmd, unsigned long arg)
{
    struct domain *cd = current->domain;

    switch ( cmd & MEMOP_CMD_MASK )
    {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation_op(cmd, arg);

    case XENMEM_maximum_ram_page:
        return max_page;

    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    {
        domid_t id;
        struct domain *d;
        long rc;

        if ( copy_from_guest_va(&id, arg, sizeof(id)) )
            return -EFAULT;
        if ( !(d = target_domain(id)) )
            return -ESRCH;
        rc = (cmd & MEMOP_CMD_MASK) == XENMEM_current_reservation ? d->tot_pages : d->max_pages;
        put_domain(d);
        return rc;
    }
    case XENMEM_exchange:
        return pv_memory_exchange(arg);

    case XENMEM_machphys_mapping:
    {
        /* As Xen: the whole window for others (reads beyond RAM fault and read as invalid). */
        struct xen_machphys_mapping m = {
            .v_start = RO_MPT_VIRT_START,
            .v_end = RO_MPT_VIRT_END,
            .max_mfn = cd->is_privileged ? max_page - 1 : MACH2PHYS_NR_ENTRIES - 1,
        };

        return copy_to_guest_va(arg, &m, sizeof(m)) ? -EFAULT : 0;
    }
    case XENMEM_memory_map:
        /* No pseudo-physical map was set for this domain: Linux then assumes one RAM range. */
        if ( !cd->arch.nr_e820 )
            return -ENOSYS;
        return copy_e820(arg, cd->arch.e820, cd->arch.nr_e820);

    case XENMEM_machine_memory_map:
        if ( !cd->is_privileged )
            return -EPERM;
    {
        unsigned int nr;
        const struct memmap_entry *map = machine_memmap(&nr);

        return copy_e820(arg, map, nr);
    }

    default:
        return -ENOSYS;
    }
}
