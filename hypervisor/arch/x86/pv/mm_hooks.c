/*
 * mm_hooks.c (pv) - what the PV MMU needs from the rest of the x86 code: TLB flushes, loading a
 * vCPU's root, which non-RAM frames a domain may map, and the descriptor check.
 *
 * TLB flushes.  Guest user pages are mapped global (pv_mm.h), so every flush
 * here is a full one: CR4.PGE off and on again.  A domain's mappings may be
 * cached on every CPU one of its vCPUs ran on since (d->arch.dirty_cpus);
 * those CPUs are flushed by IPI.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/memmap.h>
#include <asm/iomem.h>
#include <asm/m2p.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/smp.h>
#include <asm/system.h>

/* Flush this CPU's TLB, global entries included. */
void flush_tlb_local_global(void)
{
    unsigned long cr4 = read_cr4(), flags;

    local_irq_save(flags);
    if ( cr4 & X86_CR4_PGE )
    {
        write_cr4(cr4 & ~X86_CR4_PGE);
        write_cr4(cr4);
    }
    else
        write_cr3(read_cr3());
    local_irq_restore(flags);
}

static void flush_ipi(void *info)
{
    flush_tlb_local_global();
}

void arch_flush_tlb_all(void)
{
    flush_tlb_local_global();
    smp_call_function(flush_ipi, NULL, true);
}

void pv_flush_tlb_domain(struct domain *d)
{
    uint64_t mask = __atomic_load_n(&d->arch.dirty_cpus, __ATOMIC_ACQUIRE);
    unsigned int me = smp_processor_id(), c;

    if ( mask & (1ULL << me) )
        flush_tlb_local_global();
    for ( c = 0; c < nr_cpus_possible; c++ )
        if ( c != me && (mask & (1ULL << c)) )
            smp_call_function_single(c, flush_ipi, NULL, true);
}

void pv_switch_root(struct vcpu *v)
{
    if ( v != current )
        return;
    pv_load_root(v);
    /* A new address space: drop the old one's global (user) entries too. */
    flush_tlb_local_global();
}

bool pv_mfn_is_ram(unsigned long mfn)
{
    unsigned int nr;
    const struct memmap_entry *map = machine_memmap(&nr);

    return mfn < (1UL << (52 - PAGE_SHIFT)) && memmap_is_type(map, nr, pfn_to_paddr(mfn), PAGE_SIZE, E820_RAM);
}

bool pv_iomem_permitted(const struct domain *d, unsigned long mfn)
{
    /* Only the privileged domain; never RAM (the hypervisor's, a module, a future heap page). */
    if ( !d->is_privileged || mfn >= (1UL << (52 - PAGE_SHIFT)) )
        return false;
    if ( pv_mfn_is_ram(mfn) || (mfn_valid(mfn) && page_state(mfn_to_page(mfn)) != PGC_state_reserved) )
        return false;
    return iomem_guest_may_map(mfn);    /* nor the hypervisor's interrupt hardware (arch/x86/iomem.c) */
}

bool pv_iomem_read_only(unsigned long mfn)
{
    return iomem_guest_read_only(mfn);
}

/*
 * A descriptor a guest may put in its GDT or LDT (Xen's check_descriptor, 64-bit PV): anything
 * not present; code and data segments, with their DPL raised to 3 (the guest kernel's ring);
 * no system segments (TSS, LDT, gates), which could reach ring 0.
 */
bool pv_check_descriptor(const struct domain *d, uint64_t *desc)
{
    uint64_t v = *desc;
    bool present = v & (1ULL << 47), system = !(v & (1ULL << 44));
    unsigned int dpl = (v >> 45) & 3;

    if ( !present )
        return true;
    if ( system )
        return false;
    if ( (v & (1ULL << 43)) && (v & (1ULL << 53)) && (v & (1ULL << 54)) )
        return false;                       /* code with both L and D set is reserved */
    if ( dpl != 3 )
        *desc = v | (3ULL << 45);
    return true;
}
