/*
 * m2p.c - the machine-to-physical (M2P) table, and the hypervisor's part of every guest L4.
 *
 * Design: one 8-byte entry per machine frame gives the guest pseudo-physical
 * frame number that frame holds (or INVALID_M2P_ENTRY).  The same frames
 * are mapped twice: writable for the hypervisor at RDWR_MPT_VIRT_START, and
 * read-only for every PV guest at RO_MPT_VIRT_START (0xffff800000000000,
 * MACH2PHYS_VIRT_START of the public ABI), where Linux reads it directly.
 * The guest-readable window is the only part of the hypervisor's L4 slots
 * with _PAGE_USER set.
 *
 * Every L4 a guest uses gets the hypervisor's sixteen slots (256-271)
 * copied in when it is validated (pv_init_hv_l4_slots); the L3 tables behind
 * them are shared, so later hypervisor mappings appear everywhere at once.
 *
 * Locking: none; an entry is written by the code that owns the frame
 * (builder, memory hypercalls, the frame's domain via MMU_MACHPHYS_UPDATE).
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/public.h>
#include <asm/mm.h>
#include <asm/paging.h>
#include <asm/m2p.h>

static unsigned long *m2p_rw = (unsigned long *)RDWR_MPT_VIRT_START;
static unsigned long m2p_entries;

BUILD_BUG_ON(MACH2PHYS_VIRT_START != RO_MPT_VIRT_START);

void __init m2p_init(void)
{
    unsigned long bytes = ROUNDUP(max_page * sizeof(unsigned long), PAGE_SIZE);
    unsigned long nr = bytes >> PAGE_SHIFT, done = 0, i;

    if ( bytes > RDWR_MPT_VIRT_END - RDWR_MPT_VIRT_START )
        panic("M2P table for %lu frames does not fit its area\n", max_page);
    while ( done < nr )
    {
        unsigned int order = (nr - done) >= 512 ? 9 : 0;
        struct page_info *pg = heap_alloc_pages(order, 0);

        if ( !pg && order )
            pg = heap_alloc_pages(order = 0, 0);
        if ( !pg )
            panic("out of memory for the M2P table\n");
        for ( i = 0; i < (1UL << order); i++ )
            pg[i].count_info |= PGC_xen_heap;
        map_pages(RDWR_MPT_VIRT_START + done * PAGE_SIZE, page_to_mfn(pg), 1UL << order, PAGE_HV_RW);
        map_pages(RO_MPT_VIRT_START + done * PAGE_SIZE, page_to_mfn(pg), 1UL << order,
                  _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX);
        done += 1UL << order;
    }
    m2p_entries = bytes / sizeof(unsigned long);
    for ( i = 0; i < m2p_entries; i++ )
        m2p_rw[i] = INVALID_M2P_ENTRY;
    printk(XENLOG_INFO "M2P table: %lu entries (%lu KiB), guest-readable at %#lx\n", m2p_entries,
           bytes >> 10, RO_MPT_VIRT_START);
}

unsigned long m2p_max_mfn(void)
{
    return m2p_entries;
}

void set_gpfn_from_mfn(unsigned long mfn, unsigned long pfn)
{
    if ( mfn < m2p_entries )
        m2p_rw[mfn] = pfn;
}

unsigned long get_gpfn_from_mfn(unsigned long mfn)
{
    return mfn < m2p_entries ? m2p_rw[mfn] : INVALID_M2P_ENTRY;
}

void pv_init_hv_l4_slots(uint64_t *l4)
{
    unsigned int slot;

    for ( slot = HYPERVISOR_SLOT_FIRST; slot <= HYPERVISOR_SLOT_LAST; slot++ )
        l4[slot] = idle_pg_table[slot];
}
