/*
 * pv_mm.h - the x86-64 PV MMU: page types, validated guest page tables, and the primitive operations
 * that mmu_update, update_va_mapping and mmuext_op are built from (Xen 4.17's rules).
 *
 * Frames and references.  Every frame has a general reference count
 * (count_info, parva/mm.h) and a type with its own count (type_info,
 * parva/mm.h): none, L1..L4 page table, segment-descriptor page or writable
 * page.  The type can change only while the type count is zero, so a frame
 * is never a page table and writable at the same time.  Who holds what:
 *
 *   present L1 entry, RW          1 general + 1 PGT_writable_page ref on the target
 *   present L1 entry, read-only   1 general ref on the target
 *   present L1 entry, I/O frame   nothing (the frame is not RAM the heap owns)
 *   present L2/L3/L4 entry        1 general + 1 L1/L2/L3 type ref on the target
 *   linear (same-level) entry     1 general + 1 same-level type ref, or nothing if it maps itself
 *   pin, root (guest_table[_user]) 1 general + 1 type ref (L4 for roots)
 *
 * The first page-table type reference validates the frame: every entry is
 * checked and takes its references, and the stored entries are adjusted
 * (_PAGE_USER etc. as Xen's adjust_guest_l*e).  The last one un-validates it
 * and drops what its entries held, recursively.  A validated L4 always holds
 * the hypervisor's slots 256-271 (pv_init_hv_l4_slots); guests never control
 * them.
 *
 * Locking.  d->arch.mm_lock serialises all changes to d's page tables, pins
 * and roots; since page-table types of d's frames are only ever taken or
 * dropped through d's own tables, pins and roots, every validation and
 * un-validation of a frame runs under its owner's lock.  Writable and
 * segment-descriptor types, and all counts, change by compare-and-swap and
 * need no lock, so references across domains (dom0 mapping a domU's frame)
 * are safe while each operation holds only its table owner's lock.  Lock
 * order: mm_lock, then any page_alloc_lock (freeing a frame), then heap_lock.
 * At most one mm_lock is held at a time.  TLB flushes (and so IPIs) happen
 * with an mm_lock held, so pv_mm_lock() lets interrupts in while it spins.
 *
 * TLB safety: a frame's type changes (count zero, old type not none) only
 * after pv_flush_tlb_domain(owner), so no CPU keeps a writable translation
 * of a new page table or a cached walk through a former one.  Flushing
 * after unmapping is otherwise the guest's job, as in Xen; a frame freed to
 * the heap while a guest may still cache a translation of it must be
 * flushed before reuse by whoever reallocates it (Xen: TLB-clock stamps).
 *
 * Known gaps: validation and un-validation are not preemptible (Xen's
 * PGT_partial / -ERESTART): the work is bounded by the table structure
 * (nesting at most 4 deep for validation, 8 for un-validation through
 * linear entries) but one operation may touch a whole 4-level tree.  The
 * type-change flush is not filtered by a TLB clock.  Non-present entries
 * are not checked for L1TF-unsafe addresses (Xen's pv_l1tf_check_*).  A
 * domain with I/O rights mapping RAM with non-write-back attributes does
 * not change the hypervisor's own mapping of the frame (Xen's
 * update_xen_mappings), and mmio_ro_ranges are not enforced.
 */
#ifndef ASM_PV_MM_H
#define ASM_PV_MM_H

#include <parva/compiler.h>
#include <parva/domain.h>
#include <parva/mm.h>
#include <parva/spinlock.h>
#include <parva/types.h>
#include <asm/config.h>
#include <asm/page.h>
#include <asm/system.h>

/* Entry bits beyond asm/page.h (Xen's x86_64/page.h, as bits of the 64-bit entry). */
#define _PAGE_AVAIL         _AC(0xe00, UL)              /* bits 9-11, software */
#define _PAGE_AVAIL_HIGH    (_AC(0x7ff, UL) << 52)      /* bits 52-62, software */
#define _PAGE_GUEST_KERNEL  (_AC(1, UL) << 52)          /* hypervisor's mark: guest kernel page */
#define _PAGE_GNTTAB        (_AC(1, UL) << 62)          /* a grant mapping: no references of its own */
#define PAGE_CACHE_ATTRS    (_PAGE_PAT | _PAGE_PCD | _PAGE_PWT)
#define PTE_FLAGS_MASK      (~PADDR_MASK)

/* Flags a guest entry may carry (Xen's base_disallow_mask and L1..L4_DISALLOW_MASK for 64-bit PV). */
#define PV_BASE_ALLOWED     (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | \
                             _PAGE_AVAIL | _PAGE_AVAIL_HIGH | _PAGE_NX)
#define PV_BASE_DISALLOW    (PTE_FLAGS_MASK & ~PV_BASE_ALLOWED)     /* PWT PCD PSE G */
#define PV_L1_DISALLOW      ((PV_BASE_DISALLOW | _PAGE_GNTTAB) & ~_PAGE_GLOBAL)
#define PV_L1_DISALLOW_IO   (PV_L1_DISALLOW & ~PAGE_CACHE_ATTRS)    /* domains with I/O rights */
#define PV_L2_DISALLOW      PV_BASE_DISALLOW                        /* L3 and L4 alike */

/*
 * Extra type_info bits (free bits between PGT_count_mask and PGT_validated).
 * Linear entries are restricted as after Xen's XSA-240: a table holding a
 * linear entry may not be the target of one, and the other way round, so
 * un-validation never chains through linear entries.  Both marks are sticky
 * until the frame's type count drops to zero.
 */
#define PGT_has_linear      (1UL << 58)     /* has held a linear entry */
#define PGT_linear_target   (1UL << 57)     /* has been the target of a linear entry */

static inline unsigned long pte_mfn(uint64_t e)
{
    return (unsigned long)((e & PADDR_MASK) >> PAGE_SHIFT);
}

/* L4 slots the guest controls: all but the hypervisor's 256-271. */
static inline bool pv_is_guest_l4_slot(unsigned int slot)
{
    return slot < HYPERVISOR_SLOT_FIRST || slot > HYPERVISOR_SLOT_LAST;
}

/*
 * The value stored for a guest L1 entry (Xen's adjust_guest_l1e, 64-bit PV):
 * both guest modes run in ring 3, so kernel pages (USER clear) get USER plus
 * the _PAGE_GUEST_KERNEL mark, and user pages become global (they stay valid
 * across the kernel/user root switch; kernel pages must not).
 */
static inline uint64_t adjust_guest_l1e(uint64_t e)
{
    if ( e & _PAGE_PRESENT )
    {
        if ( !(e & _PAGE_USER) )
            e |= _PAGE_USER | _PAGE_GUEST_KERNEL;
        if ( !(e & _PAGE_GUEST_KERNEL) )
            e |= _PAGE_USER | _PAGE_GLOBAL;
    }
    return e;
}

/* The value stored for a guest L2/L3/L4 entry: USER forced; L4 entries also ACCESSED (as Xen). */
static inline uint64_t adjust_guest_lne(uint64_t e, unsigned int level)
{
    if ( e & _PAGE_PRESENT )
        e |= _PAGE_USER | (level == 4 ? _PAGE_ACCESSED : 0);
    return e;
}

/*
 * Take d's mm_lock.  The holder may be waiting for this CPU to answer a
 * TLB-flush IPI (pv_flush_tlb_domain), so a caller running with interrupts
 * off (a fault handler) spins with interrupts let in between attempts.
 */
static inline void pv_mm_lock(struct domain *d)
{
    if ( local_irq_is_enabled() )
    {
        spin_lock(&d->arch.mm_lock);
        return;
    }
    while ( !spin_trylock(&d->arch.mm_lock) )
    {
        local_irq_enable();
        cpu_relax();
        local_irq_disable();
    }
}

static inline void pv_mm_unlock(struct domain *d)
{
    spin_unlock(&d->arch.mm_lock);
}

/* ---- Type references (arch/x86/pv/page_type.c) ----
 *
 * type is PGT_l1_page_table..PGT_l4_page_table, PGT_seg_desc_page or
 * PGT_writable_page.  Page-table types need the owner's mm_lock held.
 * get_page_type() fails when the frame has another type in use, when the
 * count would overflow, when validation fails, and for page-table or
 * descriptor types on hypervisor (xen_heap) pages shared with a guest.
 * A type change away from a type other than none flushes the owner's TLBs
 * (pv_flush_tlb_domain) before the frame is reused in its new role.
 */
bool get_page_type(struct page_info *pg, unsigned long type);
void put_page_type(struct page_info *pg);
/* get_page(pg, d) plus get_page_type(pg, type); nothing taken on failure. */
bool get_page_and_type(struct page_info *pg, const struct domain *d, unsigned long type);
void put_page_and_type(struct page_info *pg);

/* ---- Entries (arch/x86/pv/validate.c) ---- */

/*
 * Check a present L1 entry of a table owned by l1e_owner and take its
 * references (none for I/O frames).  pg_owner is the domain whose frame it
 * must map: l1e_owner, or a foreign domain a privileged caller named (the
 * caller checks the privilege).  May set cache bits in *l1e for I/O frames
 * (MMIO mapped write-back becomes uncached, as Xen).  0 or -EINVAL (flags),
 * -EPERM (I/O frame without rights), -EBUSY (frame not pg_owner's, or no
 * writable type).
 */
int get_page_from_l1e(uint64_t *l1e, struct domain *l1e_owner, struct domain *pg_owner);
/* Drop what a present L1 entry held. */
void put_page_from_l1e(uint64_t l1e);

/* ---- Changing one entry (arch/x86/pv/mod_entry.c) ----
 *
 * The table frame must be a validated table of that level owned by a
 * domain whose mm_lock the caller holds (else -EINVAL).  The new entry is
 * checked and its references taken first, then it is swapped in with
 * compare-and-swap (hardware may set A/D meanwhile; with preserve_ad the
 * current A/D bits are kept), then the old entry's references are dropped.
 * Changes only to A/D/NX/USER/G/software bits keep the references as they
 * are.  *stale (optional) becomes true when a present entry was changed or
 * removed: translations cached from it may be stale; flushing them is the
 * guest's business (the hypervisor's own safety flushes happen on type
 * changes).  L1 entries may map pg_owner's frames; L2-L4 entries always
 * reference the table owner's frames.
 */
int mod_l1_entry(struct page_info *l1pg, unsigned int idx, uint64_t nl1e, bool preserve_ad,
                 struct domain *pg_owner, bool *stale);
int mod_l2_entry(struct page_info *l2pg, unsigned int idx, uint64_t nl2e, bool preserve_ad, bool *stale);
int mod_l3_entry(struct page_info *l3pg, unsigned int idx, uint64_t nl3e, bool preserve_ad, bool *stale);
/* Slots 256-271 are the hypervisor's: -EINVAL. */
int mod_l4_entry(struct page_info *l4pg, unsigned int idx, uint64_t nl4e, bool preserve_ad, bool *stale);

/* ---- Hypercall cores (arch/x86/pv/mm_ops.c) ----
 *
 * The caller decodes the guest's request and passes the domains: NULL for
 * pt_owner/pg_owner means v's domain.  A domain other than v's needs v's
 * domain to be privileged (-EPERM otherwise; the caller usually refused
 * already).  For DOMID_IO pass v's own domain.  All return 0 or -errno.
 */

/*
 * One mmu_update request: ptr's low 3 bits are the command.
 * MMU_NORMAL_PT_UPDATE / MMU_PT_UPDATE_PRESERVE_AD / MMU_PT_UPDATE_NO_TRANSLATE
 * (the same as NORMAL for PV): ptr is the machine address of an entry in a
 * frame of pt_owner; a validated table is changed with mod_lN_entry (L2-L4
 * only with pg_owner == pt_owner), any other frame is written as a plain
 * writable page (as Xen).  MMU_MACHPHYS_UPDATE: M2P[ptr >> 12] = val for a
 * frame of pg_owner (pt_owner must be v's domain).  Others: -ENOSYS.
 * Also usable for emulated guest writes to its page tables.
 */
int pv_mmu_update_one(struct vcpu *v, uint64_t ptr, uint64_t val, struct domain *pt_owner,
                      struct domain *pg_owner);

/*
 * update_va_mapping: change the L1 entry mapping va in v's kernel root
 * (guest_table), walked through the hypervisor's mappings of the tables.
 * -EINVAL for a non-canonical va, one in the hypervisor's range, no root, or
 * no L1 table (or a superpage) on the way.  On error nothing changed and the
 * caller skips its UVMF_* flush (as Xen); on success it flushes as asked.
 */
int pv_update_va_mapping(struct vcpu *v, unsigned long va, uint64_t val, struct domain *pg_owner);

/*
 * MMUEXT_PIN_L1..L4_TABLE (level 1..4): a type reference of that level plus
 * PGT_pinned on a frame of pg_owner.  -EINVAL: bad level or frame, wrong or
 * busy type, validation failure, already pinned, pg_owner dying.
 */
int pv_pin_table(struct vcpu *v, unsigned long mfn, unsigned int level, struct domain *pg_owner);
/* MMUEXT_UNPIN_TABLE: -EINVAL if not a pinned frame of pg_owner. */
int pv_unpin_table(struct vcpu *v, unsigned long mfn, struct domain *pg_owner);

/*
 * MMUEXT_NEW_BASEPTR / MMUEXT_NEW_USER_BASEPTR (v's own domain only; the
 * caller refuses a foreign domain with -EPERM as Xen).  Takes an L4 type
 * reference on mfn, installs it, calls pv_switch_root(v), and drops the old
 * root's reference at once (Linux unpins its old L4 while it is still the
 * root and remaps it writable right after this).  The same mfn again only
 * calls pv_switch_root.  For the user root, mfn 0 clears it.
 */
int pv_new_baseptr(struct vcpu *v, unsigned long mfn);
int pv_new_user_baseptr(struct vcpu *v, unsigned long mfn);
void pv_drop_baseptr(struct vcpu *v);

/*
 * Domain destruction: drop every vCPU's roots and every pin on d's frames
 * (also pins a privileged domain put there), so that all type references
 * held through d's page tables go.  d must be dying, with no vCPU running,
 * and its frames must still have their PGC_allocated references (call
 * before relinquish_page()).
 */
void pv_mm_relinquish(struct domain *d);

/* ---- Hooks the arch code provides (the unit tests stub them) ---- */

/* Fill slots 256-271 of a guest L4 that has just been validated (every slot, overwriting the guest's). */
void pv_init_hv_l4_slots(uint64_t *l4);
/* The M2P table. */
void set_gpfn_from_mfn(unsigned long mfn, unsigned long pfn);
unsigned long get_gpfn_from_mfn(unsigned long mfn);
/*
 * May d map frame mfn, which is not heap RAM (not in the frame table, or
 * PGC_state_reserved)?  Called for every such frame a guest L1 entry names.
 * Only the privileged domain may, and never a frame the firmware's map calls
 * RAM (the hypervisor's image, boot modules, future heap pages) or one the
 * heap owns, nor the hypervisor's own device memory (arch/x86/iomem.c, as
 * Xen's dom0_setup_permissions: the local and I/O APICs, the MSI window,
 * AMD's HyperTransport window, unusable ranges above 1 MiB).  ACPI tables
 * and NVS and other reserved ranges are allowed, as in Xen.  Such a
 * frame must stay reserved while mapped (no references are counted for it).
 */
bool pv_iomem_permitted(const struct domain *d, unsigned long mfn);
/* Arch hook: device memory guests may map read-only only (a writable request is made read-only). */
bool pv_iomem_read_only(unsigned long mfn);
/* Is mfn RAM in the firmware's memory map (so never device memory, whatever its state)? */
bool pv_mfn_is_ram(unsigned long mfn);
/*
 * Flush, on every CPU that may hold them, the TLB entries (global ones
 * included: guest user mappings are global) created through d's page
 * tables.  Called with d's or another domain's mm_lock held: it must not
 * wait for a CPU that spins on an mm_lock with interrupts disabled.
 */
void pv_flush_tlb_domain(struct domain *d);
/* Flush this CPU's TLB, global entries included (guest user mappings are global). */
void flush_tlb_local_global(void);
/* v's roots changed: if v is running on this CPU, load the root for its current mode. */
void pv_switch_root(struct vcpu *v);
/*
 * Check one descriptor of a segment-descriptor page owned by d (Xen's
 * check_descriptor); it may fix the descriptor up in place (DPL).  False
 * refuses the whole page.
 */
bool pv_check_descriptor(const struct domain *d, uint64_t *desc);

#endif /* ASM_PV_MM_H */
