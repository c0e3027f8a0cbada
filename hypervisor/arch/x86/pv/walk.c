/*
 * walk.c (pv) - reading a PV guest's page tables from the hypervisor: the L1 entry behind a guest
 * address, through the hypervisor's own mappings of each table frame (never through guest memory).
 */
#include <parva/domain.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

bool pv_walk_l1e(unsigned long root_mfn, unsigned long va, uint64_t *l1e)
{
    uint64_t e = pfn_to_paddr(root_mfn) | _PAGE_PRESENT;
    unsigned int level;

    for ( level = 4; level >= 1; level-- )
    {
        const uint64_t *t;

        if ( !(e & _PAGE_PRESENT) || (level < 4 && (e & _PAGE_PSE)) || !mfn_valid(pte_mfn(e)) )
            return false;
        t = mfn_to_virt(pte_mfn(e));
        e = t[(va >> (L1_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1)];
    }
    *l1e = e;
    return (e & _PAGE_PRESENT) != 0;
}

unsigned long pv_guest_va_to_mfn(const struct vcpu *v, unsigned long va)
{
    uint64_t e;

    if ( !v->arch.guest_table || !pv_walk_l1e(v->arch.guest_table, va, &e) )
        return ~0UL;
    return pte_mfn(e);
}
