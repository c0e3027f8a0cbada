/*
 * mm.c - the hypervisor's own page tables: image, direct map, frame table, vmap area.
 *
 * Design: one set of tables, rooted at idle_pg_table, maps the hypervisor
 * (see asm/config.h for the address map).  All sixteen L4 slots the
 * hypervisor owns are populated with L3 tables at boot and never change, so
 * a guest's L4 can later share them by copying those sixteen entries.  The
 * image is mapped with 4 KiB pages and W^X (text read-only and executable,
 * rodata read-only, data and bss non-executable), with the boot CPU's stack
 * guard page left out; the direct map uses the largest pages that fit.
 * Hypervisor mappings are global, so guest CR3 switches keep them cached.
 *
 * Locking: map_lock protects page-table updates and the vmap cursor.  Only
 * the boot CPU maps before the other CPUs run; afterwards changes to existing
 * mappings would need a TLB shootdown, which nothing needs yet: vmap space is
 * only ever added to.
 */
#include <parva/bootinfo.h>
#include <parva/memmap.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/spinlock.h>
#include <asm/cpufeature.h>
#include <asm/current.h>
#include <asm/mm.h>
#include <asm/paging.h>
#include <asm/processor.h>

uint64_t *idle_pg_table;
static bool heap_up;
static bool use_gigapages;
static DEFINE_SPINLOCK(map_lock);
static unsigned long vmap_cursor = VMAP_VIRT_START;

extern char _stext[], _etext[], _srodata[], _erodata[], _sdata[], __bss_end[];
extern char cpu0_stack[];

/* A zeroed page for a page table: from the boot allocator until the heap exists. */
static uint64_t *pt_alloc(void)
{
    uint64_t *pt;

    if ( heap_up )
        pt = alloc_xenheap_pages(0);
    else
    {
        unsigned long mfn = bootmem_alloc(1, 1);

        pt = mfn ? mfn_to_virt(mfn) : NULL;
        if ( pt )
            memset(pt, 0, PAGE_SIZE);
    }
    if ( !pt )
        panic("out of memory for hypervisor page tables\n");
    return pt;
}

static uint64_t *pt_next(uint64_t *entry, uint64_t table_flags)
{
    if ( !(*entry & _PAGE_PRESENT) )
        *entry = virt_to_maddr(pt_alloc()) | table_flags;
    else if ( table_flags & _PAGE_USER )
        *entry |= _PAGE_USER;   /* a guest-visible mapping below (the RO M2P): open the path to it */
    return maddr_to_virt(*entry & PADDR_MASK);
}

/* Split a present superpage entry at `level` (2 or 3) into a table of the next level down. */
static void shatter(uint64_t *entry, unsigned int level)
{
    uint64_t *t = pt_alloc(), e = *entry;
    uint64_t size = level == 3 ? GIGAPAGE_SIZE : SUPERPAGE_SIZE, step = size / PT_ENTRIES;
    uint64_t base = e & PADDR_MASK & ~(size - 1);
    uint64_t attrs = e & ~PADDR_MASK;       /* includes PSE and NX */
    unsigned int i;

    if ( level == 3 )
        attrs |= e & _PAGE_PSE_PAT;         /* children are 2 MiB pages: same encoding */
    else
        attrs = (attrs & ~(uint64_t)_PAGE_PSE) | ((e & _PAGE_PSE_PAT) ? _PAGE_PAT : 0);
    for ( i = 0; i < PT_ENTRIES; i++ )
        t[i] = (base + i * step) | attrs;
    *entry = virt_to_maddr(t) | PAGE_TABLE_HV | (e & _PAGE_USER);
}

static bool fits(unsigned long va, paddr_t pa, unsigned long nr, unsigned long size, uint64_t flags)
{
    return !(flags & (MAP_SMALL | _PAGE_PAT)) && IS_ALIGNED(va, size) && IS_ALIGNED(pa, size) &&
           nr >= size / PAGE_SIZE;
}

int map_pages(unsigned long va, unsigned long mfn, unsigned long nr, uint64_t flags)
{
    uint64_t table_flags = PAGE_TABLE_HV | (flags & _PAGE_USER);
    uint64_t leaf = flags & ~(uint64_t)MAP_SMALL;
    unsigned long irqf;

    if ( va >= HV_AREA_START && va < HV_AREA_END && !(flags & _PAGE_USER) )
        leaf |= _PAGE_GLOBAL;
    if ( !cpu_features.nx )
        leaf &= ~_PAGE_NX;          /* a reserved bit without EFER.NXE */
    spin_lock_irqsave(&map_lock, irqf);
    while ( nr )
    {
        paddr_t pa = pfn_to_paddr(mfn);
        uint64_t *l3 = pt_next(&idle_pg_table[l4_index(va)], table_flags), *l2, *l1;
        uint64_t *l3e = &l3[l3_index(va)], *l2e;
        unsigned long done;

        if ( use_gigapages && fits(va, pa, nr, GIGAPAGE_SIZE, flags) &&
             (!(*l3e & _PAGE_PRESENT) || (*l3e & _PAGE_PSE)) )
        {
            /* A superpage replaces nothing but (maybe) another superpage, never a table. */
            *l3e = pa | leaf | _PAGE_PSE;
            done = GIGAPAGE_SIZE / PAGE_SIZE;
            goto next;
        }
        if ( (*l3e & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE) )
            shatter(l3e, 3);
        l2 = pt_next(l3e, table_flags);
        l2e = &l2[l2_index(va)];
        if ( fits(va, pa, nr, SUPERPAGE_SIZE, flags) && (!(*l2e & _PAGE_PRESENT) || (*l2e & _PAGE_PSE)) )
        {
            *l2e = pa | leaf | _PAGE_PSE;
            done = SUPERPAGE_SIZE / PAGE_SIZE;
            goto next;
        }
        if ( (*l2e & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE) )
            shatter(l2e, 2);
        l1 = pt_next(l2e, table_flags);
        l1[l1_index(va)] = pa | leaf;
        done = 1;
    next:
        invlpg((void *)va);     /* also drops cached paging structures after a shatter */
        va += done * PAGE_SIZE;
        mfn += done;
        nr -= done;
    }
    spin_unlock_irqrestore(&map_lock, irqf);
    return 0;
}

void unmap_pages(unsigned long va, unsigned long nr)
{
    unsigned long irqf;

    spin_lock_irqsave(&map_lock, irqf);
    for ( ; nr; nr--, va += PAGE_SIZE )
    {
        uint64_t *e = &idle_pg_table[l4_index(va)];
        unsigned int level;

        for ( level = 4; level > 1; level-- )
        {
            uint64_t *t;
            unsigned int shift = L1_SHIFT + 9 * (level - 1);

            if ( !(*e & _PAGE_PRESENT) )
                break;
            if ( *e & _PAGE_PSE )
                shatter(e, level);
            t = maddr_to_virt(*e & PADDR_MASK);
            e = &t[(va >> (shift - 9)) & (PT_ENTRIES - 1)];
        }
        if ( level == 1 )
        {
            *e = 0;
            invlpg((void *)va);
        }
    }
    spin_unlock_irqrestore(&map_lock, irqf);
}

static void pt_free_tree(uint64_t *t, unsigned int level)
{
    unsigned int i;

    for ( i = 0; level > 1 && i < PT_ENTRIES; i++ )
        if ( (t[i] & _PAGE_PRESENT) && !(t[i] & _PAGE_PSE) )
            pt_free_tree(maddr_to_virt(t[i] & PADDR_MASK), level - 1);
    free_xenheap_pages(t, 0);
}

/* Drop everything mapped through a guest-half L4 slot of the idle tables (heap-allocated tables only). */
void pt_free_guest_slot(unsigned int slot)
{
    uint64_t e = idle_pg_table[slot];
    unsigned long irqf;

    if ( slot >= HYPERVISOR_SLOT_FIRST && slot <= HYPERVISOR_SLOT_LAST )
        return;
    spin_lock_irqsave(&map_lock, irqf);
    idle_pg_table[slot] = 0;
    flush_tlb_local();
    spin_unlock_irqrestore(&map_lock, irqf);
    if ( e & _PAGE_PRESENT )
        pt_free_tree(maddr_to_virt(e & PADDR_MASK), 3);
}

/* Reserve nr pages of vmap address space aligned to align bytes (a power of two, >= PAGE_SIZE). */
unsigned long vmap_reserve(unsigned long nr, unsigned long align)
{
    unsigned long irqf, va;

    spin_lock_irqsave(&map_lock, irqf);
    va = ROUNDUP(vmap_cursor, align);
    if ( va + nr * PAGE_SIZE > VMAP_VIRT_END || va + nr * PAGE_SIZE < va )
        va = 0;
    else
        vmap_cursor = va + nr * PAGE_SIZE;
    spin_unlock_irqrestore(&map_lock, irqf);
    return va;
}

void *ioremap(paddr_t pa, size_t size, uint64_t flags)
{
    paddr_t base = ROUNDDOWN(pa, PAGE_SIZE);
    unsigned long nr = PFN_UP(pa + size) - PFN_DOWN(base), va;

    if ( !size || pa + size < pa )
        return NULL;
    va = vmap_reserve(nr, PAGE_SIZE);
    if ( !va )
        return NULL;
    map_pages(va, PFN_DOWN(base), nr, flags | MAP_SMALL);
    return (void *)(va + (pa - base));
}

unsigned long alloc_stack_block(void)
{
    struct page_info *pg = heap_alloc_pages(STACK_ORDER, 0);
    unsigned long va, i;

    if ( !pg )
        return 0;
    va = vmap_reserve(1UL << STACK_ORDER, STACK_SIZE);
    if ( !va )
    {
        heap_free_pages(pg, STACK_ORDER);
        return 0;
    }
    for ( i = 0; i < (1UL << STACK_ORDER); i++ )
    {
        pg[i].count_info |= PGC_xen_heap;
        if ( i != STACK_GUARD )
            map_pages(va + i * PAGE_SIZE, page_to_mfn(pg) + i, 1, PAGE_HV_RW | MAP_SMALL);
    }
    return va;
}

static void map_image(void)
{
    unsigned long guard = (unsigned long)cpu0_stack + STACK_GUARD * PAGE_SIZE;
    unsigned long va;

    for ( va = (unsigned long)_start; va < (unsigned long)_end; va += PAGE_SIZE )
    {
        uint64_t f = PAGE_HV_RW;

        if ( va < (unsigned long)_etext )
            f = PAGE_HV_RX;
        else if ( va < (unsigned long)_erodata )
            f = PAGE_HV_RO;
        if ( va == guard )
            continue;
        map_pages(va, PFN_DOWN(va - HV_VIRT_START), 1, f | MAP_SMALL);
    }
}

/*
 * Build idle_pg_table and switch to it.  Needs the boot allocator to hold
 * memory below 4 GiB (reachable through the boot page tables).
 */
void __init paging_init(const struct boot_info *bi, unsigned long trampoline_mfn)
{
    unsigned int i, slot;
    struct cpuid_regs r;

    cpuid_count(0x80000001, 0, &r);
    use_gigapages = r.edx & (1U << 26);

    idle_pg_table = pt_alloc();
    /* Populate every hypervisor L4 slot now: guest L4s will share them by copying. */
    for ( slot = HYPERVISOR_SLOT_FIRST; slot <= HYPERVISOR_SLOT_LAST; slot++ )
        pt_next(&idle_pg_table[slot], PAGE_TABLE_HV);

    map_image();

    /* The direct map: the first MiB (firmware data), then RAM and ACPI regions. */
    map_pages(DIRECTMAP_VIRT_START, 0, PFN_DOWN(MB(1)), PAGE_HV_RW);
    for ( i = 0; i < bi->nr_memmap; i++ )
    {
        const struct memmap_entry *e = &bi->memmap[i];
        unsigned long s = PFN_UP(e->addr), end = PFN_DOWN(e->addr + e->size);

        if ( e->type != E820_RAM && e->type != E820_ACPI && e->type != E820_NVS )
            continue;
        if ( end > PFN_DOWN(DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START) )
            end = PFN_DOWN(DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START);
        if ( s < end )
            map_pages(DIRECTMAP_VIRT_START + pfn_to_paddr(s), s, end - s, PAGE_HV_RW);
    }

    /* The AP trampoline runs with paging on before it can jump high: map it 1:1 (not global). */
    map_pages(pfn_to_paddr(trampoline_mfn), trampoline_mfn, 1, PAGE_HV_RX | MAP_SMALL);

    write_cr3(virt_to_maddr(idle_pg_table));
    printk(XENLOG_INFO "Paging: hypervisor image W^X with 4 KiB pages, direct map with %s pages\n",
           use_gigapages ? "1 GiB" : "2 MiB");
}

/*
 * The frame table: a struct page_info for every frame below max_page,
 * mapped at FRAMETABLE_VIRT_START from boot-allocator memory; every frame
 * starts reserved until the boot allocator hands free RAM to the heap.
 */
void __init frametable_init(unsigned long nr_frames)
{
    unsigned long bytes = ROUNDUP(nr_frames * sizeof(struct page_info), PAGE_SIZE);
    unsigned long va = FRAMETABLE_VIRT_START, left = bytes >> PAGE_SHIFT, i;

    if ( bytes > FRAMETABLE_VIRT_END - FRAMETABLE_VIRT_START )
        panic("frame table for %lu frames does not fit its area\n", nr_frames);
    while ( left )
    {
        /* Prefer 2 MiB chunks (fewer page tables, superpage mappings). */
        unsigned long chunk = left >= 512 ? 512 : left;
        unsigned long mfn = bootmem_alloc(chunk, chunk == 512 ? 512 : 1);

        if ( !mfn && chunk == 512 )
        {
            chunk = 1;
            mfn = bootmem_alloc(1, 1);
        }
        if ( !mfn )
            panic("out of memory for the frame table\n");
        map_pages(va, mfn, chunk, PAGE_HV_RW);
        va += chunk * PAGE_SIZE;
        left -= chunk;
    }
    frame_table = (struct page_info *)FRAMETABLE_VIRT_START;
    max_page = nr_frames;
    for ( i = 0; i < nr_frames; i++ )
        frame_table[i] = (struct page_info){
            .list = { PAGE_LIST_NULL, PAGE_LIST_NULL },
            .count_info = PGC_state_reserved,
        };
    printk(XENLOG_INFO "Frame table: %lu frames, %lu KiB\n", nr_frames, bytes >> 10);
}

void heap_is_up(void)
{
    heap_up = true;
}
