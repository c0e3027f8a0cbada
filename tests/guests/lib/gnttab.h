/*
 * gnttab.h - grant tables for the test kernels: the hypercall, a window of virtual addresses with its
 * own L1 table (for the table's frames and for grant mappings), and the guest's side of the v1 and
 * v2 grant protocol as Linux does it (grant, end access).
 *
 * Include it next to guest.h: `#include "gnttab.h"`.
 */
#ifndef GUEST_GNTTAB_H
#define GUEST_GNTTAB_H

#include "types.h"
#include <xen/xen.h>
#include <xen/grant_table.h>

static inline long hypercall_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
    return hypercall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

/*
 * 512 page-sized slots of virtual address space right after the bootstrap region, with an L1 table
 * of their own (gnt_window_init: once per test).  gnt_l1 is a read-only view of that table.
 */
#define GNT_WINDOW_SLOTS    512
extern unsigned long gnt_window_va;
extern const volatile uint64_t *gnt_l1;
bool gnt_window_init(void);
static inline void *gnt_slot(unsigned int i) { return (void *)(gnt_window_va + i * 4096ul); }
/* The machine address of slot i's L1 entry (for GNTMAP_contains_pte). */
uint64_t gnt_slot_pte_maddr(unsigned int i);
/* Map frame mfn (0: unmap) at slot i with mmu_update. */
long gnt_slot_map(unsigned int i, unsigned long mfn, uint64_t flags);

/* The grant table of this domain: setup_table(nr) and its frames mapped at slots [0, nr) (nr <= 64). */
#define GNT_TABLE_SLOT      0
extern grant_entry_v1_t *gnt_v1;
extern grant_entry_v2_t *gnt_v2;
extern unsigned int gnt_nr_frames;
long gnt_setup(unsigned int nr);
/* v2: get_status_frames and map them at slots [64, 64 + nr). */
#define GNT_STATUS_SLOT     64
extern grant_status_t *gnt_status;
long gnt_map_status(unsigned int nr);
long gnt_unmap_status(unsigned int nr);

/* v1: grant frame mfn to domid (Linux's gnttab_grant_foreign_access_ref: frame and domid, then flags). */
void gnt_grant_v1(grant_ref_t ref, domid_t domid, unsigned long mfn, bool readonly);
/* v1: end access (clear flags if no GTF_reading/GTF_writing); false if still in use. */
bool gnt_end_v1(grant_ref_t ref);

/* One map_grant_ref; returns the op's status (the hypercall's error if it failed as a whole). */
int16_t gnt_map(grant_ref_t ref, domid_t dom, uint64_t host_addr, uint32_t flags, grant_handle_t *handle,
                uint64_t *bus);
/* One unmap_grant_ref; returns the op's status (or the hypercall's error). */
int16_t gnt_unmap(grant_handle_t handle, uint64_t host_addr, uint64_t bus);

/* Names of GNTST_* values for messages. */
const char *gntst_name(long st);
#define check_st(what, got, want) ({                                                        \
    long got_ = (long)(got), want_ = (long)(want);                                          \
    got_ == want_ ? true :                                                                  \
        (report_fail("%s: status %ld (%s), expected %ld (%s)", what, got_, gntst_name(got_), \
                     want_, gntst_name(want_)), false); })

#endif /* GUEST_GNTTAB_H */
