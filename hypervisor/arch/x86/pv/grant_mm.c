/*
 * grant_mm.c (pv) - grant mappings in a PV guest's page tables: the L1 entry of a host mapping
 * (GNTMAP_host_map), written and removed for the grant-table code (Xen 4.17's
 * create_grant_pv_mapping and replace_grant_pv_mapping), and the other arch hooks of
 * parva/grant_table.h.
 *
 * Design: the mapping domain names the slot either by a linear address in its kernel page tables
 * (the tables are walked through the hypervisor's own mappings, as update_va_mapping does) or, with
 * GNTMAP_contains_pte, by the machine address of the entry itself (8-byte aligned, else
 * GNTST_general_error); either way the slot must be in a validated L1 table the domain owns.  The
 * entry is Xen's: present, accessed, dirty, no-execute, writable unless readonly, user-accessible
 * with application_map, the guest_avail bits in bits 9-11, adjusted as any guest L1 entry
 * (adjust_guest_l1e) -- plus _PAGE_GNTTAB (bit 62), which no guest entry may carry (validate.c).
 * The mark tells the PV MMU that the entry holds no references of its own: the mapping's
 * references belong to the grant (common/grant_map.c).  So put_page_from_l1e() drops nothing for it,
 * and a guest that overwrites it with mmu_update or a trapped write (an "implicit unmap", which Xen
 * allows) loses the mapping but not the references: the grant stays active until the handle is
 * unmapped or the domain dies, and no frame is ever freed while a translation may use it.
 * Removing a mapping checks that the slot still holds a grant entry of the frame, present and
 * writable exactly as mapped; anything else is GNTST_general_error and changes nothing.
 *
 * Locking: the mapping domain's mm_lock around each look-up and change, as for mmu_update.
 * Flushing the TLB after a removal is the caller's (grant_map.c batches it).
 */
#include <parva/domain.h>
#include <parva/grant_table.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/cpufeature.h>
#include <asm/mm.h>
#include <asm/pv_mm.h>
#include <xen/grant_table.h>
#include "mm_internal.h"

/* Canonical and outside the hypervisor's slots (Xen's __addr_ok). */
static bool guest_va_ok(unsigned long va)
{
    return va < (1UL << 47) || va >= HV_AREA_END;
}

/* The frame of the L1 table mapping va in v's kernel root, or ~0UL. */
static unsigned long l1_table_of(const struct vcpu *v, unsigned long va)
{
    static const unsigned int shift[] = { [2] = L2_SHIFT, [3] = L3_SHIFT, [4] = L4_SHIFT };
    unsigned long mfn = v->arch.guest_table;
    unsigned int level;

    for ( level = 4; level > 1; level-- )
    {
        uint64_t e;

        if ( !mfn || !mfn_valid(mfn) )
            return ~0UL;
        e = READ_ONCE(((const uint64_t *)mfn_to_virt(mfn))[(va >> shift[level]) & (PT_ENTRIES - 1)]);
        if ( (e & (_PAGE_PRESENT | _PAGE_PSE)) != _PAGE_PRESENT )
            return ~0UL;
        mfn = pte_mfn(e);
    }
    return mfn;
}

/*
 * The L1 slot addr names (a linear address, or the entry's machine address with contains_pte) in a
 * validated L1 table of d, with a general reference held on the table (*l1pg); NULL if there is none.
 * Caller holds d's mm_lock.
 */
static uint64_t *find_slot(struct vcpu *v, uint64_t addr, bool contains_pte, struct page_info **l1pg)
{
    struct domain *d = v->domain;
    unsigned long mfn;
    unsigned int idx;

    if ( contains_pte )
    {
        if ( !IS_ALIGNED(addr, sizeof(uint64_t)) )
        {
            pv_mm_log("d%u: grant: misaligned PTE address %lx\n", d->domain_id, (unsigned long)addr);
            return NULL;
        }
        mfn = (unsigned long)(addr >> PAGE_SHIFT);
        idx = (unsigned int)((addr & ~PAGE_MASK) / sizeof(uint64_t));
    }
    else
    {
        if ( !guest_va_ok(addr) || (mfn = l1_table_of(v, addr)) == ~0UL )
        {
            pv_mm_log("d%u: grant: no L1 table maps %lx\n", d->domain_id, (unsigned long)addr);
            return NULL;
        }
        idx = l1_index(addr);
    }
    if ( !mfn_valid(mfn) || !get_page(mfn_to_page(mfn), d) )
    {
        pv_mm_log("d%u: grant: L1 frame %lx is not its own\n", d->domain_id, mfn);
        return NULL;
    }
    if ( pv_validated_level(mfn_to_page(mfn)) != 1 )
    {
        pv_mm_log("d%u: grant: frame %lx is not an L1 table\n", d->domain_id, mfn);
        put_page(mfn_to_page(mfn));
        return NULL;
    }
    *l1pg = mfn_to_page(mfn);
    return (uint64_t *)mfn_to_virt(mfn) + idx;
}

/* The entry of a host mapping of mfn (Xen's grant_to_pte_flags, then adjust_guest_l1e). */
static uint64_t grant_entry(unsigned long mfn, uint32_t flags)
{
    uint64_t e = pfn_to_paddr(mfn) | _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GNTTAB;

    if ( cpu_features.nx )
        e |= _PAGE_NX;
    if ( flags & GNTMAP_application_map )
        e |= _PAGE_USER;
    if ( !(flags & GNTMAP_readonly) )
        e |= _PAGE_RW;
    e |= ((uint64_t)(flags >> _GNTMAP_guest_avail0) << 9) & _PAGE_AVAIL;
    return adjust_guest_l1e(e);
}

int gnttab_arch_create_mapping(struct vcpu *v, uint64_t addr, unsigned long mfn, uint32_t flags)
{
    struct domain *d = v->domain;
    struct page_info *l1pg;
    uint64_t *slot, old;

    pv_mm_lock(d);
    if ( !(slot = find_slot(v, addr, flags & GNTMAP_contains_pte, &l1pg)) )
    {
        pv_mm_unlock(d);
        return GNTST_general_error;
    }
    old = __atomic_exchange_n(slot, grant_entry(mfn, flags), __ATOMIC_ACQ_REL);
    put_page(l1pg);
    pv_mm_unlock(d);
    /* What the slot held goes, as if the guest had cleared it (a grant entry keeps its grant's references). */
    if ( old & _PAGE_GNTTAB )
        pv_mm_log("d%u: grant mapping %lx at %lx replaced by another\n", d->domain_id, (unsigned long)old,
                  (unsigned long)addr);
    put_page_from_l1e(old);
    return GNTST_okay;
}

/* Take the entry mapping linear away from there (unmap_and_replace's new_addr); false if none. */
static bool steal_linear(struct vcpu *v, unsigned long linear, uint64_t *out)
{
    struct page_info *l1pg;
    uint64_t *slot;

    if ( !(slot = find_slot(v, linear, false, &l1pg)) )
        return false;
    *out = __atomic_exchange_n(slot, 0, __ATOMIC_ACQ_REL);
    put_page(l1pg);
    return true;
}

int gnttab_arch_replace_mapping(struct vcpu *v, uint64_t addr, unsigned long mfn, uint64_t new_addr, uint32_t flags)
{
    struct domain *d = v->domain;
    uint64_t want = grant_entry(mfn, flags), nl1e = 0, old;
    bool contains_pte = flags & GNTMAP_contains_pte;
    struct page_info *l1pg;
    uint64_t *slot;
    int rc = GNTST_general_error;

    pv_mm_lock(d);
    if ( new_addr && (contains_pte || !steal_linear(v, new_addr, &nl1e)) )
        goto out;
    if ( !(slot = find_slot(v, addr, contains_pte, &l1pg)) )
        goto out;
    old = READ_ONCE(*slot);
    for ( ; ; )
    {
        /* The frame, the grant mark, present and writable must be as mapped; A/D and the rest may differ. */
        if ( pte_mfn(old) != mfn || ((old ^ want) & (_PAGE_PRESENT | _PAGE_RW | _PAGE_GNTTAB)) )
        {
            pv_mm_log("d%u: grant: entry %lx at %lx does not match the mapping (%lx)\n", d->domain_id,
                      (unsigned long)old, (unsigned long)addr, (unsigned long)want);
            break;
        }
        if ( __atomic_compare_exchange_n(slot, &old, nl1e, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) )
        {
            rc = GNTST_okay;
            break;
        }
        /* Only the hardware writes it under the lock (A/D): look again. */
    }
    put_page(l1pg);
 out:
    pv_mm_unlock(d);
    /* A stolen entry that could not be put in place loses its mapping (as Xen). */
    if ( rc != GNTST_okay && nl1e )
        put_page_from_l1e(nl1e);
    return rc;
}

void gnttab_arch_flush_tlb(struct domain *d)
{
    pv_flush_tlb_domain(d);
}

bool gnttab_arch_get_writable(struct page_info *pg)
{
    return get_page_type(pg, PGT_writable_page);
}

void gnttab_arch_put_writable(struct page_info *pg)
{
    put_page_type(pg);
}

void gnttab_arch_copy(void *dst, const void *src, size_t n)
{
    unsigned long words = n / 8, rest = n % 8;

    if ( (uintptr_t)dst < (uintptr_t)src + n && (uintptr_t)src < (uintptr_t)dst + n )
    {
        memmove(dst, src, n);           /* within one frame */
        return;
    }
    /* The CPU's string move: as fast as anything on hardware, one instruction per word under icount. */
    __asm__ __volatile__("rep movsq\n\t"
                         "mov %[rest], %%rcx\n\t"
                         "rep movsb"
                         : "+D"(dst), "+S"(src), "+c"(words)
                         : [rest] "r"(rest)
                         : "memory");
}

void gnttab_arch_set_gpfn(unsigned long mfn, unsigned long gpfn)
{
    set_gpfn_from_mfn(mfn, gpfn);
}
