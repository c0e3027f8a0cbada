/*
 * mm.h - memory helpers for the test kernels: start_info/shared_info, p2m and M2P lookups, page-table
 * walks, scratch mappings of arbitrary frames, and a page allocator for the bootstrap region's padding.
 *
 * Design: the bootstrap region maps pseudo-physical frame n at virt_base + n * PAGE_SIZE. mm_init()
 * finds its end by walking the boot page tables; the pages between the boot stack and the end (the
 * >= 512 KiB padding the builder must leave) are used as a bump allocator, and the last MM_SCRATCH_SLOTS
 * pages as windows that map_frame() points at any frame with update_va_mapping.
 */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include "types.h"
#include <xen/xen.h>

#define _PAGE_PRESENT       0x001ull
#define _PAGE_RW            0x002ull
#define _PAGE_USER          0x004ull
#define _PAGE_PWT           0x008ull
#define _PAGE_PCD           0x010ull
#define _PAGE_ACCESSED      0x020ull
#define _PAGE_DIRTY         0x040ull
#define _PAGE_PSE           0x080ull
#define _PAGE_PAT           0x080ull
#define _PAGE_GLOBAL        0x100ull
#define _PAGE_AVAIL0        0x200ull
#define _PAGE_NX            (1ull << 63)
#define PTE_ADDR_MASK       0x000ffffffffff000ull
#define PTE_MFN(e)          (((e) & PTE_ADDR_MASK) >> 12)
/* What a guest writes for an ordinary writable data page. */
#define PTE_RW_FLAGS        (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_RO_FLAGS        (_PAGE_PRESENT | _PAGE_ACCESSED)
/* Flags of a present page-table (non-leaf) entry. */
#define PDE_FLAGS           (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER)

#define pt_index(va, level) (((unsigned long)(va) >> (12 + 9 * ((level) - 1))) & 511)
#define PAGE_ALIGN(x)       (((x) + PAGE_SIZE - 1) & ~(unsigned long)(PAGE_SIZE - 1))

#define M2P                 ((volatile const unsigned long *)MACH2PHYS_VIRT_START)

extern start_info_t *start_info;
extern shared_info_t *shared_info;      /* NULL until mm_init() mapped it */
extern vcpu_info_t *vcpu0_info;         /* vCPU 0's vcpu_info (moves with VCPUOP_register_vcpu_info) */
extern unsigned long virt_base;         /* VA of pseudo-physical frame 0 */
extern unsigned long region_end;        /* first VA after the bootstrap mapping */
extern unsigned long pool_start;        /* first VA after everything the builder placed */
extern char _text[], _end[], __user_start[], __user_end[];

static inline unsigned long pfn_to_mfn(unsigned long pfn)
{
    return ((const unsigned long *)start_info->mfn_list)[pfn];
}

static inline unsigned long mfn_to_pfn(unsigned long mfn)
{
    return M2P[mfn];
}

static inline unsigned long virt_to_pfn(const void *va)
{
    return ((unsigned long)va - virt_base) >> 12;
}

static inline unsigned long virt_to_mfn(const void *va)
{
    return pfn_to_mfn(virt_to_pfn(va));
}

static inline uint64_t virt_to_maddr(const void *va)
{
    return ((uint64_t)virt_to_mfn(va) << 12) | ((unsigned long)va & (PAGE_SIZE - 1));
}

static inline void *pfn_to_virt(unsigned long pfn)
{
    return (void *)(virt_base + pfn * PAGE_SIZE);
}

/* Maps shared_info, finds the bootstrap region's end and the allocation pool. */
long mm_init(void);

/* The current L4 (kernel page-table base) as an MFN, read with the emulated mov from %cr3. */
unsigned long cur_l4_mfn(void);

/*
 * Reads the page-table entry of the given level (4..1) that maps va in the tables rooted at l4_mfn.
 * Returns false if a higher-level entry is not present (or is a superpage); *maddr (if not NULL) gets
 * the entry's machine address.
 */
bool pt_lookup(unsigned long l4_mfn, unsigned long va, unsigned int level, uint64_t *entry,
               uint64_t *maddr);
/* The L1 entry mapping va in the current tables (0 if there is none). */
uint64_t pte_get(unsigned long va);
/* The machine address of the L1 entry mapping va in the current tables (0 if there is none). */
uint64_t pte_maddr(unsigned long va);
/* A read-only view of a page-table (or any) frame: its region address or a scratch window. */
const uint64_t *pt_view(unsigned long mfn, unsigned int window);

#define MM_SCRATCH_SLOTS    16
#define MM_PT_WINDOWS       4       /* slots 0-3 are used by pt_view() */
/* Maps mfn with the given PTE flags at scratch slot `slot` (>= MM_PT_WINDOWS); NULL on failure. */
void *map_frame(unsigned int slot, unsigned long mfn, uint64_t flags);
/* The VA of a scratch slot. */
unsigned long scratch_va(unsigned int slot);

/* A zeroed, writable page from the pool (reports a fatal error when the pool is empty). */
void *alloc_page(void);
/* Remaps a region page read-only (e.g. before using it as a page table) or read-write again. */
long set_page_writable(void *va, bool writable);

/* A 2 MiB-aligned VA (right after the region) whose L2 entry is empty; 0 if there is none. */
unsigned long pt_free_2m_va(void);
/*
 * Takes a page from the pool, remaps it read-only and links it with mmu_update as the L1 table of the
 * empty 2 MiB at va. Returns the table (read-only), or NULL.
 */
uint64_t *pt_hook_l1(unsigned long va);
/* Unlinks it again (and remaps it writable). */
long pt_unhook_l1(unsigned long va, uint64_t *l1);
/* MMUEXT_INVLPG_LOCAL. */
long invlpg_local(unsigned long va);

#endif /* GUEST_MM_H */
