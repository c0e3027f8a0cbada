/* mm.c - start_info/shared_info setup, page-table walks, scratch mappings and the page pool. */
#include "guest.h"

start_info_t *start_info;
shared_info_t *shared_info;
vcpu_info_t *vcpu0_info;
unsigned long virt_base;
unsigned long region_end;
unsigned long pool_start;

static unsigned long pool_next, pool_end;
static uint8_t shared_info_page[PAGE_SIZE] __page_aligned_bss;

unsigned long cur_l4_mfn(void)
{
    return read_cr3() >> 12;
}

unsigned long scratch_va(unsigned int slot)
{
    return region_end - (MM_SCRATCH_SLOTS - slot) * PAGE_SIZE;
}

static unsigned long region_pfns(void)
{
    return (region_end - virt_base) >> 12;
}

static void *map_window(unsigned int slot, unsigned long mfn, uint64_t flags)
{
    unsigned long va = scratch_va(slot);

    if ( slot >= MM_SCRATCH_SLOTS || !region_end )
        return NULL;
    if ( hypercall_update_va_mapping(va, ((uint64_t)mfn << 12) | flags, UVMF_INVLPG | UVMF_LOCAL) )
        return NULL;
    return (void *)va;
}

const uint64_t *pt_view(unsigned long mfn, unsigned int window)
{
    unsigned long pfn = mfn_to_pfn(mfn);

    if ( pfn < region_pfns() && pfn_to_mfn(pfn) == mfn && region_end )
        return pfn_to_virt(pfn);
    return map_window(window, mfn, PTE_RO_FLAGS);
}

bool pt_lookup(unsigned long l4_mfn, unsigned long va, unsigned int level, uint64_t *entry,
               uint64_t *maddr)
{
    unsigned long mfn = l4_mfn;

    for ( unsigned int l = 4; ; l-- )
    {
        const uint64_t *table = pt_view(mfn, l - 1);
        unsigned int idx = pt_index(va, l);
        uint64_t e;

        if ( !table )
            return false;
        e = table[idx];
        if ( l == level )
        {
            *entry = e;
            if ( maddr )
                *maddr = ((uint64_t)mfn << 12) + idx * 8;
            return true;
        }
        if ( !(e & _PAGE_PRESENT) || (e & _PAGE_PSE) )
            return false;
        mfn = PTE_MFN(e);
    }
}

uint64_t pte_get(unsigned long va)
{
    uint64_t e;

    return pt_lookup(cur_l4_mfn(), va, 1, &e, NULL) ? e : 0;
}

uint64_t pte_maddr(unsigned long va)
{
    uint64_t e, maddr;

    return pt_lookup(cur_l4_mfn(), va, 1, &e, &maddr) ? maddr : 0;
}

void *map_frame(unsigned int slot, unsigned long mfn, uint64_t flags)
{
    if ( slot < MM_PT_WINDOWS )
        return NULL;
    return map_window(slot, mfn, flags);
}

void *alloc_page(void)
{
    void *p;

    if ( pool_next >= pool_end )
        report_fatal("alloc_page: the pool (%#lx-%#lx) is exhausted", pool_start, pool_end);
    p = (void *)pool_next;
    pool_next += PAGE_SIZE;
    memset(p, 0, PAGE_SIZE);
    return p;
}

long set_page_writable(void *va, bool writable)
{
    uint64_t pte = ((uint64_t)virt_to_mfn(va) << 12) | (writable ? PTE_RW_FLAGS : PTE_RO_FLAGS);

    return hypercall_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG | UVMF_LOCAL);
}

static unsigned long max_ul(unsigned long a, unsigned long b)
{
    return a > b ? a : b;
}

long mm_init(void)
{
    const start_info_t *si = start_info;
    unsigned long l4 = cur_l4_mfn(), va, end, pt_first = virt_to_pfn((void *)si->pt_base);
    long rc;

    rc = hypercall_update_va_mapping((unsigned long)shared_info_page, si->shared_info | PTE_RW_FLAGS,
                                     UVMF_INVLPG | UVMF_LOCAL);
    if ( rc )
        return rc;
    shared_info = (shared_info_t *)shared_info_page;
    vcpu0_info = &shared_info->vcpu_info[0];

    /*
     * The region's end: the first page from virt_base on that is not mapped. Bootstrap page tables
     * are inside the region, so pt_view() must not need scratch windows yet (region_end == 0).
     */
    for ( va = virt_base; va - virt_base < (1ul << 30); va += PAGE_SIZE )
    {
        uint64_t e;
        unsigned long mfn;
        const uint64_t *table;
        unsigned int l;

        /* Walk by hand with the region mapping, which is valid for the bootstrap tables. */
        mfn = l4;
        for ( l = 4; l >= 1; l-- )
        {
            unsigned long pfn = mfn_to_pfn(mfn);

            if ( pfn < pt_first || pfn >= pt_first + si->nr_pt_frames || pfn_to_mfn(pfn) != mfn )
                break;
            table = pfn_to_virt(pfn);
            e = table[pt_index(va, l)];
            if ( !(e & _PAGE_PRESENT) || (l > 1 && (e & _PAGE_PSE)) )
                break;
            mfn = PTE_MFN(e);
        }
        if ( l != 0 )
            break;
    }
    region_end = va;

    /* The pool starts after everything the builder placed in the region. */
    end = (unsigned long)_end;
    end = max_ul(end, si->pt_base + (si->nr_pt_frames + 1) * PAGE_SIZE);
    end = max_ul(end, (unsigned long)si + PAGE_SIZE);
    if ( si->mfn_list >= virt_base && si->mfn_list < region_end )
        end = max_ul(end, si->mfn_list + si->nr_pages * 8);
    if ( si->mod_len && !(si->flags & SIF_MOD_START_PFN) )
        end = max_ul(end, si->mod_start + si->mod_len);
    pool_start = PAGE_ALIGN(end);
    pool_next = pool_start;
    pool_end = scratch_va(0);
    if ( pool_end < pool_next + 16 * PAGE_SIZE )
        return -ENOMEM;
    return 0;
}

unsigned long pt_free_2m_va(void)
{
    uint64_t e;

    /* The 2 MiB after the region: its L2 table exists (the region's own), the entry is empty. */
    if ( !pt_lookup(cur_l4_mfn(), region_end, 2, &e, NULL) || (e & _PAGE_PRESENT) )
        return 0;
    return region_end;
}

uint64_t *pt_hook_l1(unsigned long va)
{
    uint64_t e, l2e_maddr;
    uint64_t *l1;

    if ( !pt_lookup(cur_l4_mfn(), va, 2, &e, &l2e_maddr) || (e & _PAGE_PRESENT) )
        return NULL;
    l1 = alloc_page();
    if ( set_page_writable(l1, false) )
        return NULL;
    if ( mmu_update_one(l2e_maddr, virt_to_maddr(l1) | PDE_FLAGS) )
    {
        set_page_writable(l1, true);
        return NULL;
    }
    return l1;
}

long pt_unhook_l1(unsigned long va, uint64_t *l1)
{
    uint64_t e, l2e_maddr;
    long rc;

    if ( !pt_lookup(cur_l4_mfn(), va, 2, &e, &l2e_maddr) )
        return -EINVAL;
    rc = mmu_update_one(l2e_maddr, 0);
    if ( rc )
        return rc;
    rc = mmuext_one(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    if ( rc )
        return rc;
    return set_page_writable(l1, true);
}

long invlpg_local(unsigned long va)
{
    return mmuext_one(MMUEXT_INVLPG_LOCAL, va, 0);
}
