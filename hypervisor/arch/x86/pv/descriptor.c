/*
 * descriptor.c (pv) - a PV guest's own GDT (set_gdt), single descriptor updates
 * (update_descriptor) and its LDT (MMUEXT_SET_LDT).
 *
 * The guest's GDT frames become segment-descriptor pages: their type
 * reference validates every descriptor (pv_check_descriptor: no system
 * segments, DPL raised to 3) and keeps them from being mapped writable.
 * While the vCPU runs, the frames sit in its CPU's GDT window (desc.c) in
 * front of the hypervisor's reserved page at selector 0xe000.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/desc.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

#define MAX_GDT_ENTRIES (GDT_RESERVED_PAGE * 512)      /* FIRST_RESERVED_GDT_ENTRY */

static unsigned int nr_gdt_frames(unsigned int ents)
{
    return DIV_ROUND_UP(ents, 512);
}

static void put_gdt_frames(const unsigned long *frames, unsigned int n)
{
    while ( n-- )
        put_page_and_type(mfn_to_page(frames[n]));
}

/* v's GDT: entries descriptors in frames (machine frames, validated as descriptor pages). */
int pv_set_gdt(struct vcpu *v, const unsigned long *frames, unsigned int entries)
{
    struct domain *d = v->domain;
    unsigned long old[16];
    unsigned int n, i, old_n;

    if ( entries > MAX_GDT_ENTRIES )
        return -EINVAL;
    n = nr_gdt_frames(entries);
    for ( i = 0; i < n; i++ )
        if ( !mfn_valid(frames[i]) || !get_page_and_type(mfn_to_page(frames[i]), d, PGT_seg_desc_page) )
        {
            put_gdt_frames(frames, i);
            return -EINVAL;
        }
    old_n = nr_gdt_frames(v->arch.gdt_ents);
    memcpy(old, v->arch.gdt_frames, sizeof(old));
    memset(v->arch.gdt_frames, 0, sizeof(v->arch.gdt_frames));
    memcpy(v->arch.gdt_frames, frames, n * sizeof(frames[0]));
    v->arch.gdt_ents = entries;
    if ( v == current )
        gdt_load_guest_frames(smp_processor_id(), v->arch.gdt_frames, n);
    put_gdt_frames(old, old_n);
    return 0;
}

long do_set_gdt(unsigned long frame_list, unsigned long entries)
{
    unsigned long frames[16];

    if ( entries > MAX_GDT_ENTRIES )
        return -EINVAL;
    if ( copy_from_guest_va(frames, frame_list, nr_gdt_frames(entries) * sizeof(frames[0])) )
        return -EFAULT;
    return pv_set_gdt(current, frames, entries);
}

long do_update_descriptor(unsigned long maddr, unsigned long desc)
{
    struct domain *d = current->domain;
    unsigned long mfn = maddr >> PAGE_SHIFT;
    struct page_info *pg;
    uint64_t value = desc;
    bool ok;

    if ( (maddr & 7) || !mfn_valid(mfn) || !pv_check_descriptor(d, &value) )
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if ( !get_page(pg, d) )
        return -EINVAL;
    /* A descriptor page stays one; any other frame must be writable for the guest anyway. */
    if ( (pg->u.inuse.type_info & PGT_type_mask) == PGT_seg_desc_page )
        ok = get_page_type(pg, PGT_seg_desc_page);
    else
        ok = get_page_type(pg, PGT_writable_page);
    if ( !ok )
    {
        put_page(pg);
        return -EINVAL;
    }
    __atomic_store_n((uint64_t *)((char *)mfn_to_virt(mfn) + (maddr & ~PAGE_MASK)), value, __ATOMIC_RELAXED);
    put_page_and_type(pg);
    return 0;
}

#define LDT_WINDOW_PAGE     16              /* the LDT follows the GDT in each CPU's window (desc.c) */
#define MAX_LDT_ENTRIES     8192

static void put_ldt_frames(struct vcpu *v)
{
    unsigned int i;

    for ( i = 0; i < v->arch.ldt_nr_frames; i++ )
        put_page_and_type(mfn_to_page(v->arch.ldt_frames[i]));
    v->arch.ldt_nr_frames = 0;
}

/* Domain destruction: drop the references the vCPU's GDT and LDT hold on their frames. */
void pv_release_descriptor_frames(struct vcpu *v)
{
    put_gdt_frames(v->arch.gdt_frames, nr_gdt_frames(v->arch.gdt_ents));
    v->arch.gdt_ents = 0;
    put_ldt_frames(v);
    v->arch.ldt_ents = 0;
}

/*
 * MMUEXT_SET_LDT: the LDT is ents descriptors at guest address base (page aligned).  Its frames
 * (found through the guest's current page tables) become segment-descriptor pages, as GDT frames
 * do; 0 entries means no LDT.
 */
int pv_set_ldt(struct vcpu *v, unsigned long base, unsigned int ents)
{
    struct domain *d = v->domain;
    unsigned long frames[16];
    unsigned int n = DIV_ROUND_UP(ents * 8, PAGE_SIZE), i;

    if ( ents > MAX_LDT_ENTRIES || (base & ~PAGE_MASK) || (ents && !guest_range_ok(base, ents * 8)) )
        return -EINVAL;
    for ( i = 0; i < n; i++ )
    {
        unsigned long mfn = pv_guest_va_to_mfn(v, base + i * PAGE_SIZE);

        if ( !mfn_valid(mfn) || !get_page_and_type(mfn_to_page(mfn), d, PGT_seg_desc_page) )
        {
            while ( i-- )
                put_page_and_type(mfn_to_page(frames[i]));
            return -EINVAL;
        }
        frames[i] = mfn;
    }
    put_ldt_frames(v);
    memcpy(v->arch.ldt_frames, frames, n * sizeof(frames[0]));
    v->arch.ldt_nr_frames = n;
    v->arch.ldt_base = base;
    v->arch.ldt_ents = ents;
    if ( v == current )
        ldt_load_guest_frames(smp_processor_id(), v->arch.ldt_frames, n, ents);
    return 0;
}
