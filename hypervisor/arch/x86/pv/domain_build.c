/*
 * domain_build.c (pv) - building a PV domain from a kernel image and an optional initrd, as Xen
 * 4.17's PV builders do: same start-of-day state, same virtual layout.  dom0 (pv/dom0_build.c) and
 * the boot-time domUs (common/boot_domains.c) are built here; pv_build.h has the interface.
 *
 * Design.  The kernel's Xen ELF notes give its virtual layout (elf_xen.c).
 * The domain gets nr_pages frames (dom0_mem=, or a domU's memory=),
 * numbered 0..nr_pages-1 in allocation order; frame n is mapped at
 * VIRT_BASE + n pages.  The bootstrap region, a single mapping from
 * VIRT_BASE, holds in order: the kernel, the initrd (unless the kernel takes
 * it as a PFN: MOD_START_PFN), the p2m list (unless the kernel asks for it at
 * INIT_P2M), start_info, a domU's console ring page, the page tables and
 * one boot-stack page; it ends on a 4 MiB boundary with at least 512 KiB of
 * mapped padding.  Everything is mapped writable except the page-table
 * frames; the tables are validated and the L4 is pinned and installed as
 * the root, exactly as if the guest had done it with hypercalls.  Frames
 * after the region hold the p2m list mapped at INIT_P2M (with its own page
 * tables) and then the unmapped initrd.  Every frame gets its M2P entry.
 * vCPU 0 starts at the entry point with RSI = start_info, RSP = the top of
 * the boot stack, events masked; every vCPU is left down (the caller brings
 * vCPU 0 up).  What differs between dom0 and a domU is in the spec: the
 * privilege (start_info flags, the XENFEAT_dom0 check), the size, the
 * vCPUs, and a domU's console page (start_info.console.domU), whose port the
 * caller's console backend provides; store_mfn/store_evtchn stay 0 (there is
 * no xenstore).
 *
 * A bzImage (Debian's vmlinuz) is unwrapped first: an ELF payload is used in
 * place; an xz payload is decompressed (common/xz.c) into one contiguous,
 * direct-mapped block of heap frames, because the output buffer is the xz
 * decoder's dictionary.  Its size is the little-endian u32 the Linux build
 * appends to the payload (as Xen's bzimage.c reads it).  The block is taken
 * as 2^order frames from the buddy heap (a 63 MiB vmlinux: order 14, far
 * below MAX_ORDER) and its unused tail given back at once; the rest is freed
 * when the build is over.  The domain's memory is sized while the block is
 * held, as it is while the boot modules are.
 */
#include <parva/boot_domains.h>
#include <parva/bootinfo.h>
#include <parva/console.h>
#include <parva/domain.h>
#include <parva/elf.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/xz.h>
#include <asm/guest_access.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <asm/pv_build.h>
#include <asm/pv_mm.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <xen/features.h>

#define L1_PROT         (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)
#define LN_PROT         (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER)
#define HV_RESERVE      PV_BUILD_HV_RESERVE_PAGES   /* heap the hypervisor keeps for itself */
#define VMLINUX_MAX     GB(1)                       /* a bigger decompressed size is a corrupt one */

struct builder {
    const struct pv_build_spec *spec;
    struct domain *d;
    unsigned long nr_pages;
    unsigned long *p2m;             /* pfn -> mfn, in hypervisor memory while building */
    uint64_t v_start, v_end;        /* the bootstrap region */
    uint64_t next_pt_va;            /* next free page-table page in the region */
};

/* [start, end) is canonical guest address space (outside the hypervisor's slots). */
static bool guest_va_range_ok(uint64_t start, uint64_t end)
{
    return end > start && (uint64_t)((int64_t)(start << 16) >> 16) == start &&
           (uint64_t)((int64_t)((end - 1) << 16) >> 16) == end - 1 && guest_range_ok(start, end - start);
}

/* Number of 2^shift-sized slots [lo, hi) touches. */
static unsigned long nr_slots(uint64_t lo, uint64_t hi, unsigned int shift)
{
    return ((ROUNDUP(hi, 1ULL << shift) - ROUNDDOWN(lo, 1ULL << shift)) >> shift);
}

static void *pfn_va(const struct builder *b, unsigned long pfn)
{
    return mfn_to_virt(b->p2m[pfn]);
}

static unsigned long va_pfn(const struct builder *b, uint64_t va)
{
    return (va - b->v_start) >> PAGE_SHIFT;
}

/* elf_load callbacks: write guest virtual addresses of the region through the hypervisor's mapping. */
static int copy_to_region(void *ctx, uint64_t va, const void *src, size_t n)
{
    const struct builder *b = ctx;

    while ( n )
    {
        size_t off = va & ~PAGE_MASK, chunk = min(n, (size_t)(PAGE_SIZE - off));

        if ( va < b->v_start || va_pfn(b, va) >= b->nr_pages )
            return -EINVAL;
        if ( src )
        {
            memcpy((char *)pfn_va(b, va_pfn(b, va)) + off, src, chunk);
            src = (const char *)src + chunk;
        }
        else
            memset((char *)pfn_va(b, va_pfn(b, va)) + off, 0, chunk);
        va += chunk;
        n -= chunk;
    }
    return 0;
}

static int zero_region(void *ctx, uint64_t va, size_t n)
{
    return copy_to_region(ctx, va, NULL, n);
}

/* Allocate the domain's memory in the largest blocks available; p2m[pfn] in allocation order. */
static int allocate_memory(struct builder *b)
{
    unsigned long pfn = 0;
    unsigned int order = MAX_ORDER;

    b->p2m = alloc_xenheap_pages(flsl((b->nr_pages * sizeof(unsigned long) - 1) >> PAGE_SHIFT));
    if ( !b->p2m )
        return -ENOMEM;
    while ( pfn < b->nr_pages )
    {
        struct page_info *pg;
        unsigned long i;

        while ( order && (1UL << order) > b->nr_pages - pfn )
            order--;
        pg = alloc_domheap_pages(b->d, order, 0);
        if ( !pg )
        {
            if ( !order )
                return -ENOMEM;
            order--;
            continue;
        }
        for ( i = 0; i < (1UL << order); i++, pfn++ )
        {
            b->p2m[pfn] = page_to_mfn(pg) + i;
            set_gpfn_from_mfn(b->p2m[pfn], pfn);
        }
    }
    return 0;
}

/* The entry at level `level` (1-4) for va in the tables rooted at the L4, allocating tables as needed. */
static uint64_t *pt_entry(struct builder *b, uint64_t *l4, uint64_t va, unsigned int level,
                          uint64_t *next_pt_va, uint64_t pt_end)
{
    uint64_t *t = l4;
    unsigned int lvl;

    for ( lvl = 4; lvl > level; lvl-- )
    {
        uint64_t *e = &t[(va >> (L1_SHIFT + 9 * (lvl - 1))) & (PT_ENTRIES - 1)];

        if ( !(*e & _PAGE_PRESENT) )
        {
            unsigned long pfn = va_pfn(b, *next_pt_va);

            BUG_ON(*next_pt_va >= pt_end);
            *next_pt_va += PAGE_SIZE;
            memset(pfn_va(b, pfn), 0, PAGE_SIZE);
            *e = pfn_to_paddr(b->p2m[pfn]) | LN_PROT;
        }
        t = mfn_to_virt(pte_mfn(*e));
    }
    return &t[(va >> (L1_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1)];
}

/* Map [va, va + n pages) to pfns starting at pfn, read-write unless a page-table page. */
static void map_range(struct builder *b, uint64_t *l4, uint64_t va, unsigned long pfn, unsigned long n,
                      uint64_t pt_start_pfn, uint64_t pt_end_pfn, uint64_t *next_pt_va, uint64_t pt_end)
{
    unsigned long i;

    for ( i = 0; i < n; i++ )
    {
        uint64_t *e = pt_entry(b, l4, va + i * PAGE_SIZE, 1, next_pt_va, pt_end);
        uint64_t flags = L1_PROT;

        if ( pfn + i >= pt_start_pfn && pfn + i < pt_end_pfn )
            flags &= ~_PAGE_RW;         /* page-table pages are never writable by the guest */
        *e = pfn_to_paddr(b->p2m[pfn + i]) | flags;
    }
}

/* Build the domain from the ELF kernel img[0, size) (the module itself, or what its bzImage held). */
static int build(const struct pv_build_spec *spec, const void *img, size_t size, struct domain **out)
{
    const struct boot_module *initrd = spec->initrd;
    const char *who = spec->who;
    struct builder b = { .spec = spec };
    struct elf_image ei;
    struct xen_elf_notes notes;
    struct pv_kernel_layout lay;
    char why[96];
    uint64_t vkern_end, vinitrd_start = 0, vinitrd_end, vphysmap_start, vphysmap_end, vstartinfo_start, vconsole = 0;
    uint64_t vpt_start, vpt_end = 0, vstack_end = 0, next_pt, p2m_va = 0;
    unsigned long nr_pt_pages, region_pages, after, p2m_frames = 0, p2m_pt_pages = 0, initrd_pfn = 0;
    unsigned long initrd_len = initrd ? initrd->end - initrd->start : 0, i;
    unsigned long avail;
    struct start_info *si;
    struct vcpu *v;
    uint64_t *l4;
    int rc;

    if ( (rc = elf_parse(img, size, &ei)) || (rc = xen_notes_parse(&ei, &notes)) )
    {
        printk(XENLOG_ERR "%s kernel: not a usable ELF64 PV kernel (%d)\n", who, rc);
        return rc;
    }
    if ( xen_notes_check(&notes, spec->privileged, XEN_NOTES_FEATURES_XEN417, why, sizeof(why)) ||
         (rc = xen_kernel_layout(&ei, &notes, &lay)) )
    {
        printk(XENLOG_ERR "%s kernel refused: %s\n", who, rc ? "its layout is unusable" : why);
        return -EINVAL;
    }

    avail = heap_free_count() > HV_RESERVE ? heap_free_count() - HV_RESERVE : 0;
    b.nr_pages = spec->size ? spec->size(avail, spec) : spec->nr_pages;
    if ( b.nr_pages > avail )
    {
        printk(XENLOG_ERR "%s does not fit: it needs %lu MiB, and only %lu MiB of memory is available\n",
               who, (b.nr_pages << PAGE_SHIFT) >> 20, (avail << PAGE_SHIFT) >> 20);
        return -ENOMEM;
    }

    /* The virtual layout (as Xen's dom0 builder, in the same order). */
    b.v_start = lay.virt_base;
    vkern_end = ROUNDUP(lay.virt_kend, PAGE_SIZE);
    vinitrd_end = vkern_end;
    if ( initrd && !lay.mod_start_pfn )
    {
        vinitrd_start = vkern_end;
        vinitrd_end = ROUNDUP(vinitrd_start + initrd_len, PAGE_SIZE);
    }
    vphysmap_start = vphysmap_end = vinitrd_end;
    if ( !lay.has_init_p2m )
        vphysmap_end = ROUNDUP(vphysmap_start + b.nr_pages * sizeof(unsigned long), PAGE_SIZE);
    vstartinfo_start = vphysmap_end;
    vpt_start = vstartinfo_start + PAGE_SIZE;
    if ( spec->console )
    {
        vconsole = vpt_start;               /* Xen's domU order: start_info, (xenstore,) console */
        vpt_start += PAGE_SIZE;
    }
    for ( nr_pt_pages = 2; ; nr_pt_pages++ )
    {
        vpt_end = vpt_start + nr_pt_pages * PAGE_SIZE;
        vstack_end = vpt_end + PAGE_SIZE;
        b.v_end = ROUNDUP(vstack_end, 4UL << 20);
        if ( b.v_end - vstack_end < (512UL << 10) )
            b.v_end += 4UL << 20;
        if ( 1 + nr_slots(b.v_start, b.v_end, L4_SHIFT) + nr_slots(b.v_start, b.v_end, L3_SHIFT) +
             nr_slots(b.v_start, b.v_end, L2_SHIFT) <= nr_pt_pages )
            break;
    }
    region_pages = (b.v_end - b.v_start) >> PAGE_SHIFT;
    after = region_pages;
    if ( lay.has_init_p2m )
    {
        uint64_t end;

        p2m_va = lay.init_p2m;
        p2m_frames = DIV_ROUND_UP(b.nr_pages * sizeof(unsigned long), PAGE_SIZE);
        end = p2m_va + p2m_frames * PAGE_SIZE;
        if ( !guest_va_range_ok(p2m_va, end) || (p2m_va < b.v_end && end > b.v_start) )
        {
            printk(XENLOG_ERR "%s kernel: its INIT_P2M area overlaps the bootstrap region or the "
                   "hypervisor\n", who);
            return -EINVAL;
        }
        /* Its own L3 (unless it shares the region's L4 slot), L2s and L1s. */
        p2m_pt_pages = nr_slots(p2m_va, end, L4_SHIFT) + nr_slots(p2m_va, end, L3_SHIFT) +
                       nr_slots(p2m_va, end, L2_SHIFT);
        after += p2m_frames + p2m_pt_pages;
    }
    if ( initrd && lay.mod_start_pfn )
    {
        initrd_pfn = after;
        after += DIV_ROUND_UP(initrd_len, PAGE_SIZE);
    }
    if ( !guest_va_range_ok(b.v_start, b.v_end) )
    {
        printk(XENLOG_ERR "%s kernel: its bootstrap region %#lx-%#lx is not guest address space\n",
               who, (unsigned long)b.v_start, (unsigned long)b.v_end);
        return -EINVAL;
    }
    if ( after > b.nr_pages )
    {
        printk(XENLOG_ERR "%s needs at least %lu MiB for its kernel, initrd and tables; it has %lu MiB "
               "(%s)\n", who, (after << PAGE_SHIFT) >> 20, (b.nr_pages << PAGE_SHIFT) >> 20, spec->mem_option);
        return -ENOMEM;
    }

    b.d = domain_create((domid_t)spec->domid, spec->max_vcpus, spec->privileged, &rc);
    if ( !b.d )
    {
        printk(XENLOG_ERR "%s: cannot create the domain (%d)\n", who, rc);
        return rc;
    }
    b.d->max_pages = b.nr_pages;
    if ( (rc = allocate_memory(&b)) )
    {
        printk(XENLOG_ERR "%s: no memory for %lu pages\n", who, b.nr_pages);
        goto fail;
    }

    printk("PHYSICAL MEMORY ARRANGEMENT:\n %s:   %lu pages (%lu MiB)\n", spec->alloc_label, b.nr_pages,
           (b.nr_pages << PAGE_SHIFT) >> 20);
    printk("VIRTUAL MEMORY ARRANGEMENT:\n");
    printk(" Loaded kernel: %016lx->%016lx\n", (unsigned long)lay.virt_kstart, (unsigned long)vkern_end);
    if ( vinitrd_start )
        printk(" Init. ramdisk: %016lx->%016lx\n", (unsigned long)vinitrd_start, (unsigned long)vinitrd_end);
    printk(" Phys-Mach map: %016lx->%016lx\n", (unsigned long)(p2m_va ? p2m_va : vphysmap_start),
           (unsigned long)(p2m_va ? p2m_va + b.nr_pages * 8 : vphysmap_end));
    printk(" Start info:    %016lx->%016lx\n", (unsigned long)vstartinfo_start,
           (unsigned long)vstartinfo_start + sizeof(struct start_info));
    if ( vconsole )
        printk(" Console ring:  %016lx->%016lx\n", (unsigned long)vconsole, (unsigned long)vconsole + PAGE_SIZE);
    printk(" Page tables:   %016lx->%016lx\n", (unsigned long)vpt_start, (unsigned long)vpt_end);
    printk(" Boot stack:    %016lx->%016lx\n", (unsigned long)vpt_end, (unsigned long)vstack_end);
    printk(" TOTAL:         %016lx->%016lx\n", (unsigned long)b.v_start, (unsigned long)b.v_end);
    printk(" ENTRY ADDRESS: %016lx\n", (unsigned long)lay.virt_entry);

    /* The kernel, and the initrd inside the region or after it. */
    if ( (rc = elf_load(&ei, lay.virt_offset, copy_to_region, zero_region, &b)) )
        goto fail;
    if ( initrd && vinitrd_start )
        copy_to_region(&b, vinitrd_start, maddr_to_virt(initrd->start), initrd_len);
    else if ( initrd )
        for ( i = 0; i < initrd_len; i += PAGE_SIZE )
        {
            size_t n = min(initrd_len - i, (unsigned long)PAGE_SIZE);

            memcpy(pfn_va(&b, initrd_pfn + i / PAGE_SIZE), (const char *)maddr_to_virt(initrd->start) + i, n);
        }
    if ( lay.has_hypercall_page )
    {
        pv_fill_hypercall_page(pfn_va(&b, va_pfn(&b, lay.virt_hypercall)));
        b.d->arch.has_hypercall_page = true;
    }

    /*
     * Page tables from vpt_start, each allocated when the walk first needs it: [L4][L3][L2][L1...],
     * the domU builder's order, only while the region lies within one 1 GiB-aligned range; a larger
     * one interleaves further L2s (and L3s) among the L1s.
     */
    next_pt = vpt_start + PAGE_SIZE;
    l4 = pfn_va(&b, va_pfn(&b, vpt_start));
    memset(l4, 0, PAGE_SIZE);
    map_range(&b, l4, b.v_start, 0, region_pages, va_pfn(&b, vpt_start), va_pfn(&b, vpt_end), &next_pt,
              vpt_end);
    if ( p2m_va )
    {
        /* The p2m frames right after the region, their page tables after them. */
        uint64_t pt_va = b.v_start + ((region_pages + p2m_frames) << PAGE_SHIFT);
        uint64_t pt_end_va = pt_va + (p2m_pt_pages << PAGE_SHIFT);

        /* These tables are not inside the region's mapping: account them by pfn directly. */
        map_range(&b, l4, p2m_va, region_pages, p2m_frames, va_pfn(&b, pt_va), va_pfn(&b, pt_end_va), &pt_va,
                  pt_end_va);
        b.d->arch.p2m_va = p2m_va;
    }
    /* The p2m list itself, then the tail Linux expects to be writable. */
    for ( i = 0; i < b.nr_pages; i++ )
    {
        unsigned long pfn = p2m_va ? region_pages + i / 512 : va_pfn(&b, vphysmap_start) + i / 512;

        ((unsigned long *)pfn_va(&b, pfn))[i % 512] = b.p2m[i];
    }

    /* start_info */
    si = pfn_va(&b, va_pfn(&b, vstartinfo_start));
    memset(si, 0, PAGE_SIZE);
    /* As Xen: a "p" suffix when the kernel declares PAE support (PAE_MODE "yes..." or "bimodal"). */
    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64%s",
             !strncmp(notes.pae_mode, "yes", 3) || !strcmp(notes.pae_mode, "bimodal") ? "p" : "");
    si->nr_pages = b.nr_pages;
    si->shared_info = pfn_to_paddr(b.d->shared_info_mfn);
    si->flags = spec->privileged ? SIF_INITDOMAIN | SIF_PRIVILEGED : 0;
    si->pt_base = vpt_start;
    si->nr_pt_frames = nr_pt_pages;
    si->mfn_list = p2m_va ? p2m_va : vphysmap_start;
    if ( p2m_va )
    {
        si->first_p2m_pfn = region_pages;
        si->nr_p2m_frames = p2m_frames + p2m_pt_pages;
    }
    if ( initrd )
    {
        si->mod_len = initrd_len;
        if ( vinitrd_start )
            si->mod_start = vinitrd_start;
        else
        {
            si->mod_start = initrd_pfn;
            si->flags |= SIF_MOD_START_PFN;
        }
    }
    strlcpy((char *)si->cmd_line, spec->cmdline, sizeof(si->cmd_line));

    /* vCPU 0: pin and install the boot L4, start at the entry point. */
    v = b.d->vcpu[0];
    if ( (rc = pv_pin_table(v, b.p2m[va_pfn(&b, vpt_start)], 4, b.d)) ||
         (rc = pv_new_baseptr(v, b.p2m[va_pfn(&b, vpt_start)])) )
    {
        printk(XENLOG_ERR "%s: its initial page tables do not validate (%d)\n", who, rc);
        goto fail;
    }
    if ( vconsole )
    {
        /* The console page, empty; the backend gives the port.  Nothing after this can fail. */
        void *page = pfn_va(&b, va_pfn(&b, vconsole));

        memset(page, 0, PAGE_SIZE);
        rc = spec->console(b.d, page, spec->console_arg);
        if ( rc < 0 )
        {
            printk(XENLOG_ERR "%s: no console for it (%d)\n", who, rc);
            goto fail;
        }
        si->console.domU.mfn = b.p2m[va_pfn(&b, vconsole)];
        si->console.domU.evtchn = (uint32_t)rc;
    }
    v->arch.regs.rip = lay.virt_entry;
    v->arch.regs.rsp = vstack_end;
    v->arch.regs.rsi = vstartinfo_start;
    v->arch.kernel_sp = vstack_end;
    v->is_initialised = true;           /* brought up by the caller (vcpu_up) */
    free_xenheap_pages(b.p2m, flsl((b.nr_pages * sizeof(unsigned long) - 1) >> PAGE_SHIFT));
    *out = b.d;
    return 0;

 fail:
    if ( b.p2m )
        free_xenheap_pages(b.p2m, flsl((b.nr_pages * sizeof(unsigned long) - 1) >> PAGE_SHIFT));
    domain_kill(b.d);
    return rc ? rc : -EINVAL;
}

/* Give frames [mfn, mfn + nr) back to the heap, as the largest aligned blocks they hold. */
static void free_frames(unsigned long mfn, unsigned long nr)
{
    while ( nr )
    {
        unsigned int order = min(flsl(nr) - 1, mfn ? ffs_long(mfn) - 1 : (unsigned int)MAX_ORDER);

        order = min(order, (unsigned int)MAX_ORDER);
        heap_free_pages(mfn_to_page(mfn), order);
        mfn += 1UL << order;
        nr -= 1UL << order;
    }
}

/*
 * Decompress the xz payload[0, plen) of a bzImage into *nr frames from *mfn (see Design above);
 * the ELF image is the first *size bytes.  Nothing is held on failure.
 */
static int bzimage_decompress(const char *who, const void *payload, size_t plen, unsigned long *mfn,
                              unsigned long *nr, size_t *size)
{
    uint32_t vsize;
    unsigned int order;
    struct page_info *pg;
    uint64_t t0;
    int rc;

    /* The Linux build appends the decompressed size to the xz stream (scripts/Makefile.lib). */
    if ( plen < 4 )
        return -EINVAL;
    memcpy(&vsize, (const uint8_t *)payload + plen - 4, sizeof(vsize));
    if ( vsize < plen || vsize > VMLINUX_MAX )
    {
        printk(XENLOG_ERR "%s kernel: its xz payload of %zu bytes claims %u bytes decompressed: "
               "not a Linux bzImage payload\n", who, plen, vsize);
        return -EINVAL;
    }
    *nr = PFN_UP(vsize);
    order = flsl(*nr - 1);
    pg = heap_alloc_pages(order, 0);
    if ( !pg )
    {
        printk(XENLOG_ERR "%s kernel: no %lu MiB block of memory to decompress it into\n", who,
               (PAGE_SIZE << order) >> 20);
        return -ENOMEM;
    }
    *mfn = page_to_mfn(pg);
    free_frames(*mfn + *nr, (1UL << order) - *nr);

    t0 = now_ns();
    rc = xz_decompress(payload, plen - 4, mfn_to_virt(*mfn), vsize, size);
    if ( !rc && *size != vsize )
        rc = -EINVAL;
    if ( rc )
    {
        printk(XENLOG_ERR "%s kernel: its xz payload does not decompress (%d%s)\n", who, rc,
               rc == -EOPNOTSUPP ? ": a check or filter Parva lacks" : rc == -ENOSPC ||
               rc == -EINVAL ? ": corrupt, or not the size appended to it" : "");
        free_frames(*mfn, *nr);
        return rc;
    }
    printk("%s kernel: xz payload decompressed, %zu KiB to %u KiB, in %lu ms\n", who, plen >> 10, vsize >> 10,
           (unsigned long)((now_ns() - t0) / 1000000));
    return 0;
}

int pv_build_domain(const struct pv_build_spec *spec, struct domain **out)
{
    const struct boot_module *kernel = spec->kernel;
    const void *img = maddr_to_virt(kernel->start), *payload;
    size_t size = kernel->end - kernel->start, plen;
    unsigned long mfn = 0, nr = 0;
    const char *format;
    int rc;

    if ( bzimage_is(img, size) )
    {
        rc = bzimage_payload(img, size, &payload, &plen, &format);
        if ( rc )
        {
            printk(XENLOG_ERR "%s kernel: a bzImage with a malformed or unknown payload\n", spec->who);
            return -EOPNOTSUPP;
        }
        if ( !strcmp(format, "xz") )
        {
            if ( (rc = bzimage_decompress(spec->who, payload, plen, &mfn, &nr, &size)) )
                return rc;
            img = mfn_to_virt(mfn);
        }
        else if ( !strcmp(format, "none") )
        {
            img = payload;
            size = plen;
        }
        else
        {
            printk(XENLOG_ERR "%s kernel: a bzImage with a %s payload: Parva decompresses only xz "
                   "(Debian's vmlinuz); give it a vmlinux or an xz bzImage\n", spec->who, format);
            return -EOPNOTSUPP;
        }
    }
    rc = build(spec, img, size, out);
    free_frames(mfn, nr);
    return rc;
}

/* ---- boot-time domUs (common/boot_domains.c) ---- */

int arch_boot_domain_build(const struct domU_params *p, const char *who, const struct boot_module *kernel,
                           const struct boot_module *initrd, int (*console)(struct domain *d, void *page, void *arg),
                           void *arg, struct domain **d)
{
    struct pv_build_spec spec = {
        .domid = p->id,
        .privileged = false,
        .who = who,
        .alloc_label = "DomU alloc.",
        .mem_option = "memory=",
        .kernel = kernel,
        .initrd = initrd,
        .cmdline = p->cmdline,
        .max_vcpus = p->vcpus,
        .nr_pages = p->nr_pages,
        .console = console,
        .console_arg = arg,
    };

    return pv_build_domain(&spec, d);
}

unsigned long arch_boot_domain_build_extra(const struct boot_module *kernel)
{
    const void *img = maddr_to_virt(kernel->start), *payload;
    size_t size = kernel->end - kernel->start, plen;
    const char *format;
    uint32_t vsize;

    if ( !bzimage_is(img, size) || bzimage_payload(img, size, &payload, &plen, &format) ||
         strcmp(format, "xz") || plen < 4 )
        return 0;
    memcpy(&vsize, (const uint8_t *)payload + plen - 4, sizeof(vsize));
    if ( vsize < plen || vsize > VMLINUX_MAX )
        return 0;
    return 1UL << flsl(PFN_UP(vsize) - 1);      /* the block bzimage_decompress() takes */
}
