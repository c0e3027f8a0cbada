/*
 * grant_table.h - grant tables: how a domain lets another domain map or copy one of its pages
 * (Xen 4.17's GNTTABOP_*, versions 1 and 2), and the hooks the architecture provides for it.
 *
 * A domain's grant table is an array of entries in frames it shares with the hypervisor; the
 * guest writes an entry (frame, grantee, permissions) and hands its number (a "grant reference")
 * to the grantee, which maps it (GNTTABOP_map_grant_ref, getting a "handle" from its maptrack)
 * or copies through it (GNTTABOP_copy).  The design, the reference counts and the locking are in
 * docs/design/grant-tables.md and at the top of common/grant_table.c.
 */
#ifndef PARVA_GRANT_TABLE_H
#define PARVA_GRANT_TABLE_H

#include <parva/types.h>

struct domain;
struct page_info;
struct vcpu;

/* Defaults of the hypervisor options gnttab_max_frames= and gnttab_max_maptrack_frames= (Xen's). */
#define GNTTAB_DEFAULT_MAX_FRAMES           64
#define GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES  1024

/*
 * Give d a grant table (version 1, one frame, room to grow to the option's gnttab_max_frames) and
 * an empty maptrack.  Called by domain_create(); 0 or -ENOMEM.
 */
int gnttab_domain_init(struct domain *d);
/*
 * Per-domain limits, like Xen's max_grant_frames / max_maptrack_frames domain settings (a builder
 * calls it before the domain runs): within the hypervisor options (-EINVAL otherwise), and only
 * while the table has no more frames than that, no status frames and no mappings (-EBUSY).
 */
int gnttab_set_limits(struct domain *d, unsigned int max_frames, unsigned int max_maptrack_frames);
/*
 * Domain destruction (d dying, none of its vCPUs running, its page tables already torn down):
 * undo every mapping d still holds of other domains' grants (and of its own), then give up d's
 * table.  Mappings other domains hold of d's grants stay valid: the table outlives d until the
 * last of them is unmapped, and the granted frames until their last reference goes.  Needs
 * interrupts on (it flushes TLBs).  Safe on a domain whose table was never (fully) set up.
 */
void gnttab_domain_destroy(struct domain *d);

/* HYPERVISOR_grant_table_op (cmd, uop, count). */
long do_grant_table_op(unsigned long cmd, unsigned long uop, unsigned long count);

/* Debug key 'g': every domain's active grants and mappings. */
void gnttab_dump(unsigned char key);

/*
 * ---- Arch hooks (arch/x86/pv/grant_mm.c) ----
 *
 * A host mapping (GNTMAP_host_map) is one L1 entry in the mapping domain's own page tables,
 * written by the hypervisor with the _PAGE_GNTTAB mark (asm/pv_mm.h).  The entry itself holds no
 * page references: the mapping's references belong to its maptrack entry.  addr is a linear
 * address in v's kernel page tables, or with GNTMAP_contains_pte the machine address of the L1
 * entry (Linux's gntdev).  Both return GNTST_okay or GNTST_general_error.
 */
/* Install the entry for mfn (flags: the map op's GNTMAP_* and guest_avail bits); the slot's old entry goes. */
int gnttab_arch_create_mapping(struct vcpu *v, uint64_t addr, unsigned long mfn, uint32_t flags);
/*
 * Remove it: the slot must hold a grant entry of mfn, present and writable exactly when the
 * mapping is.  new_addr (linear form only; GNTTABOP_unmap_and_replace): the L1 entry mapping
 * new_addr is taken away from there and put in the slot instead of clearing it.
 */
int gnttab_arch_replace_mapping(struct vcpu *v, uint64_t addr, unsigned long mfn, uint64_t new_addr,
                                uint32_t flags);
/* Flush every TLB that may cache d's translations (global ones included), before references go. */
void gnttab_arch_flush_tlb(struct domain *d);
/* The writable type reference a writable mapping holds on its frame; false if the frame is a page table. */
bool gnttab_arch_get_writable(struct page_info *pg);
void gnttab_arch_put_writable(struct page_info *pg);
/* GNTTABOP_copy's copy (through the hypervisor's mappings of the two frames; they may be one). */
void gnttab_arch_copy(void *dst, const void *src, size_t n);
/* M2P entry of a frame whose ownership moved (GNTTABOP_transfer). */
void gnttab_arch_set_gpfn(unsigned long mfn, unsigned long gpfn);

#endif /* PARVA_GRANT_TABLE_H */
