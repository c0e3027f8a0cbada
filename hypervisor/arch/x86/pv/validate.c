/*
 * validate.c (pv) - the rules for guest page-table entries, and validating or un-validating whole tables.
 *
 * Design (Xen's get_page_from_l1e..l4e, promote/demote_lN_table for 64-bit
 * PV, without shadow paging or preemption; grant mappings: grant_mm.c):
 *  - Flags: L1 entries may use P RW US A D, the software bits 9-11 and
 *    52-61, NX and G; PWT/PCD/PAT only with I/O rights; never bit 62.
 *    L2-L4 entries the same without G and never PWT/PCD/PSE.
 *  - An L1 entry maps a frame of pg_owner (the table owner, or a foreign
 *    domain a privileged caller named), taking a general reference, plus a
 *    writable type reference when RW; or an I/O frame (not heap RAM) if
 *    pv_iomem_permitted, without references, made uncached when the guest
 *    asked for a cacheable mapping.
 *  - An L2/L3/L4 entry takes an L1/L2/L3 type reference on a frame of the
 *    table owner, or is a read-only linear entry (page_type.c).
 *  - Validation writes back each entry adjusted (asm/pv_mm.h) and ignores
 *    whatever the guest left in L4 slots 256-271, which are then filled by
 *    pv_init_hv_l4_slots.  On failure everything taken so far is dropped.
 *
 * Locking: the caller holds the owner's mm_lock for page tables (page_type.c).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/mm.h>
#include <asm/pv_mm.h>
#include "mm_internal.h"

/* Not heap RAM: outside the frame table, or never given to the heap (device memory, firmware...). */
static bool is_io_frame(unsigned long mfn)
{
    return !mfn_valid(mfn) || page_state(mfn_to_page(mfn)) == PGC_state_reserved;
}

int get_page_from_l1e(uint64_t *l1e, struct domain *l1e_owner, struct domain *pg_owner)
{
    uint64_t e = *l1e;
    unsigned long mfn = pte_mfn(e);
    struct page_info *pg;

    if ( !(e & _PAGE_PRESENT) )
        return 0;
    if ( e & (l1e_owner->is_privileged ? PV_L1_DISALLOW_IO : PV_L1_DISALLOW) )
    {
        pv_mm_log("d%u: bad L1 flags %lx\n", l1e_owner->domain_id, (unsigned long)(e & PTE_FLAGS_MASK));
        return -EINVAL;
    }

    if ( is_io_frame(mfn) )
    {
        /* RAM outside the heap is the hypervisor's own (or a boot module): never anyone's to map. */
        if ( pv_mfn_is_ram(mfn) )
        {
            pv_mm_log("d%u: mapping hypervisor RAM frame %lx refused\n", l1e_owner->domain_id, mfn);
            return -EBUSY;
        }
        if ( !pv_iomem_permitted(pg_owner, mfn) ||
             (pg_owner != l1e_owner && !pv_iomem_permitted(l1e_owner, mfn)) )
        {
            pv_mm_log("d%u: mapping I/O frame %lx refused\n", l1e_owner->domain_id, mfn);
            return -EPERM;
        }
        /* Registers the hypervisor relies on (the HPET) are only readable, as Xen's mmio_ro_ranges. */
        if ( (e & _PAGE_RW) && pv_iomem_read_only(mfn) )
        {
            pv_mm_log("d%u: forcing read-only access to MFN %lx\n", l1e_owner->domain_id, mfn);
            e &= ~(uint64_t)_PAGE_RW;
        }
        /* Device memory must not be cached: WB becomes UC, WT and WP gain PCD (Xen's PAT layout). */
        switch ( e & PAGE_CACHE_ATTRS )
        {
        case 0:
            e |= _PAGE_PWT | _PAGE_PCD;
            break;
        case _PAGE_PWT:
        case _PAGE_PWT | _PAGE_PAT:
            e |= _PAGE_PCD;
            break;
        }
        *l1e = e;
        return 0;
    }

    pg = mfn_to_page(mfn);
    if ( !get_page(pg, pg_owner) )
    {
        pv_mm_log("d%u: L1 entry maps mfn %lx, not d%u's\n", l1e_owner->domain_id, mfn, pg_owner->domain_id);
        return -EBUSY;
    }
    if ( (e & _PAGE_RW) && !get_page_type(pg, PGT_writable_page) )
    {
        pv_mm_log("d%u: mfn %lx (type_info %lx) cannot be mapped writable\n", l1e_owner->domain_id, mfn,
                  pg->u.inuse.type_info);
        put_page(pg);
        return -EBUSY;
    }
    return 0;
}

void put_page_from_l1e(uint64_t l1e)
{
    unsigned long mfn = pte_mfn(l1e);

    /* A grant mapping's references belong to its grant (arch/x86/pv/grant_mm.c), not to the entry. */
    if ( !(l1e & _PAGE_PRESENT) || is_io_frame(mfn) || (l1e & _PAGE_GNTTAB) )
        return;
    if ( l1e & _PAGE_RW )
        put_page_and_type(mfn_to_page(mfn));
    else
        put_page(mfn_to_page(mfn));
}

int pv_get_page_from_lne(uint64_t e, unsigned int level, unsigned long table_mfn, struct domain *d)
{
    unsigned long mfn = pte_mfn(e);

    ASSERT(level >= 2 && level <= 4 && (e & _PAGE_PRESENT));
    if ( e & PV_L2_DISALLOW )
    {
        pv_mm_log("d%u: bad L%u flags %lx\n", d->domain_id, level, (unsigned long)(e & PTE_FLAGS_MASK));
        return -EINVAL;
    }
    if ( mfn_valid(mfn) && get_page_and_type(mfn_to_page(mfn), d, pv_level_type(level - 1)) )
        return 0;
    if ( pv_get_linear_pagetable(e, table_mfn, d, pv_level_type(level)) )
        return 0;
    pv_mm_log("d%u: L%u entry to mfn %lx refused\n", d->domain_id, level, mfn);
    return -EINVAL;
}

void pv_put_page_from_lne(uint64_t e, unsigned long table_mfn)
{
    unsigned long mfn = pte_mfn(e);

    /* A normal or a linear entry: both hold a general and a type reference, unless it maps itself. */
    if ( (e & _PAGE_PRESENT) && mfn != table_mfn )
        put_page_and_type(mfn_to_page(mfn));
}

static bool is_guest_slot(unsigned int level, unsigned int slot)
{
    return level != 4 || pv_is_guest_l4_slot(slot);
}

static void put_entry(uint64_t e, unsigned int level, unsigned long mfn)
{
    if ( level == 1 )
        put_page_from_l1e(e);
    else
        pv_put_page_from_lne(e, mfn);
}

static int promote_table(struct page_info *pg, unsigned int level)
{
    struct domain *d = page_get_owner(pg);
    unsigned long mfn = page_to_mfn(pg);
    uint64_t *t = mfn_to_virt(mfn);
    unsigned int i;
    int rc = 0;

    for ( i = 0; i < PT_ENTRIES; i++ )
    {
        uint64_t e = READ_ONCE(t[i]);

        if ( !is_guest_slot(level, i) || !(e & _PAGE_PRESENT) )
            continue;
        rc = level == 1 ? get_page_from_l1e(&e, d, d) : pv_get_page_from_lne(e, level, mfn, d);
        if ( rc )
            break;
        WRITE_ONCE(t[i], level == 1 ? adjust_guest_l1e(e) : adjust_guest_lne(e, level));
    }
    if ( rc )
    {
        pv_mm_log("d%u: mfn %lx is not a valid L%u table (slot %u: %d)\n", d->domain_id, mfn, level, i, rc);
        while ( i-- > 0 )
            if ( is_guest_slot(level, i) )
                put_entry(READ_ONCE(t[i]), level, mfn);
        return rc;
    }
    if ( level == 4 )
        pv_init_hv_l4_slots(t);
    return 0;
}

static int validate_segdesc_page(struct page_info *pg)
{
    const struct domain *d = page_get_owner(pg);
    uint64_t *descs = mfn_to_virt(page_to_mfn(pg));
    unsigned int i;

    for ( i = 0; i < PAGE_SIZE / sizeof(*descs); i++ )
        if ( !pv_check_descriptor(d, &descs[i]) )
        {
            pv_mm_log("d%u: bad descriptor %u in mfn %lx\n", d->domain_id, i, page_to_mfn(pg));
            return -EINVAL;
        }
    return 0;
}

int pv_validate_page(struct page_info *pg, unsigned long type)
{
    if ( type == PGT_seg_desc_page )
        return validate_segdesc_page(pg);
    BUG_ON(!pv_is_pt_type(type));
    return promote_table(pg, (unsigned int)(type >> PGT_type_shift));
}

void pv_devalidate_page(struct page_info *pg, unsigned long type)
{
    unsigned int level = (unsigned int)(type >> PGT_type_shift), i;
    unsigned long mfn = page_to_mfn(pg);
    const uint64_t *t = mfn_to_virt(mfn);

    BUG_ON(!pv_is_pt_type(type));
    for ( i = 0; i < PT_ENTRIES; i++ )
        if ( is_guest_slot(level, i) )
            put_entry(READ_ONCE(t[i]), level, mfn);
}
