/* mm_internal.h (pv) - what the PV MMU's files (page_type.c, validate.c, mod_entry.c, mm_ops.c) share. */
#ifndef PV_MM_INTERNAL_H
#define PV_MM_INTERNAL_H

#include <parva/printk.h>
#include <asm/pv_mm.h>

/* Refusals a guest can cause: debug level, so they reach the console ring but not the serial line. */
#define pv_mm_log(fmt, ...) printk(XENLOG_DEBUG "pv-mm: " fmt, ##__VA_ARGS__)

/* PGT_l1_page_table..PGT_l4_page_table for level 1..4. */
static inline unsigned long pv_level_type(unsigned int level)
{
    return (unsigned long)level << PGT_type_shift;
}

static inline bool pv_is_pt_type(unsigned long type_info)
{
    unsigned long t = type_info & PGT_type_mask;

    return t >= PGT_l1_page_table && t <= PGT_l4_page_table;
}

/* 1..4 if pg is a validated page table with type references, else 0. */
static inline unsigned int pv_validated_level(const struct page_info *pg)
{
    unsigned long x = __atomic_load_n(&pg->u.inuse.type_info, __ATOMIC_ACQUIRE);

    if ( !pv_is_pt_type(x) || !(x & PGT_count_mask) || !(x & PGT_validated) )
        return 0;
    return (unsigned int)((x & PGT_type_mask) >> PGT_type_shift);
}

/* page_type.c: a linear (same-level, read-only) entry of table table_mfn; true if allowed and taken. */
bool pv_get_linear_pagetable(uint64_t e, unsigned long table_mfn, struct domain *d, unsigned long type);

/* validate.c: check every entry of a page table or descriptor page and take its references. */
int pv_validate_page(struct page_info *pg, unsigned long type);
/* validate.c: drop the references every entry of a page table holds. */
void pv_devalidate_page(struct page_info *pg, unsigned long type);
/* validate.c: a present L2/L3/L4 entry of table table_mfn owned by d: check it, take its references. */
int pv_get_page_from_lne(uint64_t e, unsigned int level, unsigned long table_mfn, struct domain *d);
/* validate.c: drop what an L2/L3/L4 entry of table table_mfn held. */
void pv_put_page_from_lne(uint64_t e, unsigned long table_mfn);

#endif /* PV_MM_INTERNAL_H */
