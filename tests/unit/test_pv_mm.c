/* test_pv_mm.c - unit tests for PV page types, table validation and the entry rules (arch/x86/pv/). */
#include <pthread.h>
#include <unistd.h>
#include "test_pv_mm.h"

/* Change entry idx of a validated table of d's with the lock held, as the hypercalls do. */
static int mod_l1(struct domain *d, unsigned long l1, unsigned int idx, uint64_t val, struct domain *pg_owner)
{
    int rc;

    lock(d);
    rc = mod_l1_entry(pg_of(l1), idx, val, false, pg_owner, NULL);
    unlock(d);
    return rc;
}

static int mod_l4(struct domain *d, unsigned long l4, unsigned int idx, uint64_t val)
{
    int rc;

    lock(d);
    rc = mod_l4_entry(pg_of(l4), idx, val, false, NULL);
    unlock(d);
    return rc;
}

/* A pinned, empty L1 of d to map frames with. */
static unsigned long pinned_l1(struct domain *d)
{
    unsigned long l1 = new_frame(d);

    assert_int_equal(pv_pin_table(d->vcpu[0], l1, 1, NULL), 0);
    return l1;
}

/* A pinned L4 of d holding only the hypervisor's slots. */
static unsigned long pinned_l4(struct domain *d)
{
    unsigned long l4 = new_frame(d);

    assert_int_equal(pv_pin_table(d->vcpu[0], l4, 4, NULL), 0);
    return l4;
}

/* ---- pinning a tree: validation and the references it takes ---- */

static void test_pin_l4_validates_tree_and_takes_expected_references(void **state)
{
    struct tree t;
    unsigned int s;

    (void)state;
    build_tree(D1, &t);
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_tree_live(&t);
    assert_true(is_pinned(t.l4));
    assert_false(is_pinned(t.l3) || is_pinned(t.l2) || is_pinned(t.l1));
    assert_int_equal(nr_hv_fills, 1);
    for ( s = HYPERVISOR_SLOT_FIRST; s <= HYPERVISOR_SLOT_LAST; s++ )
        assert_int_equal(entry(t.l4, s), HV_SLOT_MARK(s));
    /* Fresh frames (type none) need no TLB flush to become tables or writable. */
    assert_int_equal(nr_flushes, 0);
}

static void test_unpin_l4_releases_the_whole_tree(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_int_equal(pv_unpin_table(V1, t.l4, NULL), 0);
    assert_tree_idle(&t);
    /* Types stay (count 0) as Xen's: tables unvalidated, data pages writable. */
    assert_int_equal(ttype(t.l1), PGT_l1_page_table);
    assert_int_equal(ttype(t.data[0]), PGT_writable_page);
}

static void test_pin_twice_refused_and_counts_unchanged(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t.l4, 3, NULL), -EINVAL);
    assert_tree_live(&t);
    assert_int_equal(pv_unpin_table(V1, t.l4, NULL), 0);
    assert_tree_idle(&t);
}

static void test_unpin_of_unpinned_frame_and_double_unpin_refused(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    assert_int_equal(pv_unpin_table(V1, t.l4, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    /* Validated through the tree but not pinned itself. */
    assert_int_equal(pv_unpin_table(V1, t.l3, NULL), -EINVAL);
    assert_tree_live(&t);
    assert_int_equal(pv_unpin_table(V1, t.l4, NULL), 0);
    assert_int_equal(pv_unpin_table(V1, t.l4, NULL), -EINVAL);
    assert_tree_idle(&t);
    assert_int_equal(pv_unpin_table(V1, NR_FRAMES + 1, NULL), -EINVAL);
}

static void test_pin_each_level_on_its_own(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    assert_int_equal(pv_pin_table(V1, t.l1, 1, NULL), 0);
    assert_int_equal(ttype(t.l1), PGT_l1_page_table);
    assert_int_equal(tcount(t.l1), 1);
    assert_int_equal(refs(t.data[0]), 2);
    assert_int_equal(tcount(t.data[0]), 1);
    /* An L3 pinned on its own (Linux's vsyscall L3): its L2 is validated, the L1 gains a reference. */
    assert_int_equal(pv_pin_table(V1, t.l3, 3, NULL), 0);
    assert_int_equal(tcount(t.l3), 1);
    assert_int_equal(tcount(t.l2), 1);
    assert_int_equal(tcount(t.l1), 2);
    assert_int_equal(pv_pin_table(V1, t.l2, 2, NULL), 0);
    assert_int_equal(tcount(t.l2), 2);
    assert_int_equal(pv_unpin_table(V1, t.l3, NULL), 0);
    assert_int_equal(pv_unpin_table(V1, t.l1, NULL), 0);
    assert_int_equal(tcount(t.l1), 1);
    assert_int_equal(pv_unpin_table(V1, t.l2, NULL), 0);
    assert_tree_idle(&t);
}

static void test_pin_as_another_level_refused_while_in_use(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_int_equal(pv_pin_table(V1, t.l3, 4, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t.l4, 3, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t.l2, 1, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t.data[0], 1, NULL), -EINVAL);     /* mapped writable */
    assert_tree_live(&t);
}

static void test_pin_bad_arguments_refused(void **state)
{
    unsigned long x;

    (void)state;
    x = new_frame(D1);
    assert_int_equal(pv_pin_table(V1, x, 0, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, x, 5, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, NR_FRAMES, 1, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, some_free_frame(), 1, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, IO_END + 2, 1, NULL), -EINVAL);    /* reserved */
    assert_int_equal(pv_pin_table(V1, 0, 1, NULL), -EINVAL);
    assert_idle(x);
    assert_int_equal(ttype(x), PGT_none);
}

static void test_pinning_an_l1_mapped_writable_refused(void **state)
{
    unsigned long l1 = pinned_l1(D1), x = new_frame(D1);

    (void)state;
    assert_int_equal(mod_l1(D1, l1, 30, pte(x, KERN_RW), D1), 0);
    assert_int_equal(pv_pin_table(V1, x, 1, NULL), -EINVAL);
    assert_int_equal(ttype(x), PGT_writable_page);
    assert_int_equal(tcount(x), 1);
    /* Read-only, it may become a table; then it can no longer be mapped writable. */
    assert_int_equal(mod_l1(D1, l1, 30, pte(x, KERN_RO), D1), 0);
    assert_int_equal(pv_pin_table(V1, x, 1, NULL), 0);
    assert_int_equal(mod_l1(D1, l1, 30, pte(x, KERN_RW), D1), -EBUSY);
    assert_int_equal(ttype(x), PGT_l1_page_table);
}

/* ---- type counts and type changes ---- */

static void test_type_change_needs_count_zero_and_flushes_tlbs(void **state)
{
    unsigned long x = new_frame(D1);

    (void)state;
    assert_true(get_page_and_type(pg_of(x), D1, PGT_writable_page));
    assert_int_equal(nr_flushes, 0);
    assert_int_equal(pv_pin_table(V1, x, 1, NULL), -EINVAL);
    assert_int_equal(ttype(x), PGT_writable_page);
    assert_int_equal(refs(x), 2);
    put_page_and_type(pg_of(x));
    /* Writable -> L1: stale writable translations must go first. */
    assert_int_equal(pv_pin_table(V1, x, 1, NULL), 0);
    assert_int_equal(nr_flushes, 1);
    assert_ptr_equal(last_flushed, D1);
    assert_false(get_page_and_type(pg_of(x), D1, PGT_writable_page));
    assert_int_equal(refs(x), 2);
    assert_int_equal(pv_unpin_table(V1, x, NULL), 0);
    /* L1 -> writable: cached walks through the old table must go too. */
    assert_true(get_page_and_type(pg_of(x), D1, PGT_writable_page));
    assert_int_equal(nr_flushes, 2);
    put_page_and_type(pg_of(x));
    assert_idle(x);
}

static void test_writable_type_kept_at_count_zero_without_flush(void **state)
{
    unsigned long x = new_frame(D1);

    (void)state;
    assert_true(get_page_type(pg_of(x), PGT_writable_page));
    put_page_type(pg_of(x));
    assert_int_equal(ttype(x), PGT_writable_page);
    assert_true(is_validated(x));
    assert_int_equal(tcount(x), 0);
    assert_true(get_page_type(pg_of(x), PGT_writable_page));
    assert_true(get_page_type(pg_of(x), PGT_writable_page));
    assert_int_equal(tcount(x), 2);
    put_page_type(pg_of(x));
    put_page_type(pg_of(x));
    assert_int_equal(nr_flushes, 0);
}

static void test_type_count_overflow_refused(void **state)
{
    unsigned long l1 = pinned_l1(D1), x = new_frame(D1);
    unsigned long full = PGT_writable_page | PGT_validated | PGT_count_mask;

    (void)state;
    table[x].u.inuse.type_info = full;
    assert_false(get_page_type(pg_of(x), PGT_writable_page));
    assert_int_equal(mod_l1(D1, l1, 0, pte(x, KERN_RW), D1), -EBUSY);
    assert_int_equal(table[x].u.inuse.type_info, full);
    assert_int_equal(refs(x), 1);
    assert_int_equal(entry(l1, 0), 0);
    /* Read-only needs no type reference. */
    assert_int_equal(mod_l1(D1, l1, 0, pte(x, KERN_RO), D1), 0);
    assert_int_equal(refs(x), 2);
}

static void test_general_count_overflow_refused(void **state)
{
    unsigned long l1 = pinned_l1(D1), x = new_frame(D1);
    unsigned long near = (table[x].count_info & ~PGC_count_mask) | (PGC_count_mask - 1);

    (void)state;
    table[x].count_info = near;
    assert_int_equal(mod_l1(D1, l1, 0, pte(x, KERN_RO), D1), -EBUSY);
    assert_int_equal(mod_l1(D1, l1, 0, pte(x, KERN_RW), D1), -EBUSY);
    assert_int_equal(table[x].count_info, near);
    assert_int_equal(tcount(x), 0);
}

static void test_segment_descriptor_pages(void **state)
{
    unsigned long l1 = pinned_l1(D1), x = new_frame(D1), y = new_frame(D1);

    (void)state;
    set_entry(x, 0, DESC_PRESENT | 0xfa00000000ffffULL);
    set_entry(x, 1, 0x1234);                                /* not present: anything goes */
    assert_true(get_page_and_type(pg_of(x), D1, PGT_seg_desc_page));
    assert_int_equal(ttype(x), PGT_seg_desc_page);
    assert_true(is_validated(x));
    assert_int_equal(entry(x, 0), DESC_PRESENT | DESC_DPL3 | 0xfa00000000ffffULL);   /* fixed up */
    assert_int_equal(entry(x, 1), 0x1234);
    /* Descriptor pages may be mapped read-only only. */
    assert_int_equal(mod_l1(D1, l1, 0, pte(x, KERN_RW), D1), -EBUSY);
    assert_int_equal(mod_l1(D1, l1, 0, pte(x, KERN_RO), D1), 0);
    put_page_and_type(pg_of(x));
    assert_int_equal(tcount(x), 0);
    /* One bad descriptor refuses the page, which goes back to type none. */
    set_entry(y, 511, BAD_DESC);
    assert_false(get_page_and_type(pg_of(y), D1, PGT_seg_desc_page));
    assert_idle(y);
    assert_int_equal(ttype(y), PGT_none);
}

static void test_hypervisor_page_shared_with_guest_never_becomes_a_table(void **state)
{
    unsigned long l1 = pinned_l1(D1), mfn;
    void *va = alloc_xenheap_pages(0);

    (void)state;
    assert_non_null(va);
    mfn = virt_to_mfn(va);
    share_xen_page_with_guest(pg_of(mfn), D1);
    assert_int_equal(mod_l1(D1, l1, 0, pte(mfn, KERN_RW), D1), 0);
    assert_int_equal(tcount(mfn), 1);
    assert_int_equal(mod_l1(D1, l1, 0, 0, D1), 0);
    assert_int_equal(pv_pin_table(V1, mfn, 1, NULL), -EINVAL);
    assert_false(get_page_type(pg_of(mfn), PGT_seg_desc_page));
    assert_int_equal(refs(mfn), 1);
    unshare_xen_page(pg_of(mfn));
    free_xenheap_pages(va, 0);
}

/* ---- validation failures leave nothing behind ---- */

static void test_validation_refuses_writable_mapping_of_a_table_in_the_tree(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    set_entry(t.l1, 20, pte(t.l2, KERN_RW));
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), -EINVAL);
    assert_tree_idle(&t);
    assert_int_equal(ttype(t.l4), PGT_none);
    assert_int_equal(nr_hv_fills, 0);

    /* An L1 mapping itself writable. */
    set_entry(t.l1, 20, pte(t.l1, KERN_RW));
    assert_int_equal(pv_pin_table(V1, t.l1, 1, NULL), -EINVAL);
    assert_tree_idle(&t);

    /* ... but read-only is fine. */
    set_entry(t.l1, 20, pte(t.l1, KERN_RO));
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_int_equal(refs(t.l1), 4);
    assert_int_equal(pv_unpin_table(V1, t.l4, NULL), 0);
    assert_tree_idle(&t);
}

static void test_validation_failure_in_a_late_slot_releases_earlier_references(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    set_entry(t.l1, 511, pte(t.data[0], KERN_RW | _PAGE_PWT));
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), -EINVAL);
    assert_tree_idle(&t);
    assert_int_equal(ttype(t.l1), PGT_none);
    /* The same for an L4 failing after an earlier slot validated a whole subtree. */
    set_entry(t.l1, 511, 0);
    set_entry(t.l4, 0, pte(t.l3, PT_FLAGS));
    set_entry(t.l4, 300, pte(t.data[1], PT_FLAGS | _PAGE_PSE));
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), -EINVAL);
    assert_tree_idle(&t);
    assert_int_equal(ttype(t.l3), PGT_l3_page_table);     /* it was validated, then released */
}

/* ---- flag rules per level ---- */

static void test_pse_refused_at_every_level(void **state)
{
    unsigned long x = new_frame(D1), t2 = new_frame(D1), t3 = new_frame(D1), t4 = new_frame(D1);
    unsigned long t1 = new_frame(D1);

    (void)state;
    set_entry(t2, 0, pte(x, PT_FLAGS | _PAGE_PSE));
    set_entry(t3, 0, pte(x, PT_FLAGS | _PAGE_PSE));
    set_entry(t4, 0, pte(x, PT_FLAGS | _PAGE_PSE));
    set_entry(t1, 0, pte(x, KERN_RW | _PAGE_PAT));     /* bit 7 of an L1 entry: PAT, needs I/O rights */
    assert_int_equal(pv_pin_table(V1, t2, 2, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t3, 3, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t4, 4, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t1, 1, NULL), -EINVAL);
    assert_idle(x);
    assert_idle(t1);
}

static void test_cache_attribute_bits_need_io_rights(void **state)
{
    static const uint64_t bits[] = { _PAGE_PWT, _PAGE_PCD, _PAGE_PAT, _PAGE_PWT | _PAGE_PCD };
    unsigned long l1u = pinned_l1(D1), l1p = pinned_l1(D0), x = new_frame(D1), y = new_frame(D0);
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(bits); i++ )
    {
        assert_int_equal(mod_l1(D1, l1u, i, pte(x, KERN_RW | bits[i]), D1), -EINVAL);
        assert_int_equal(mod_l1(D0, l1p, i, pte(y, KERN_RW | bits[i]), D0), 0);
        assert_int_equal(entry(l1p, i), pte(y, KERN_RW | bits[i] | _PAGE_USER | _PAGE_GUEST_KERNEL));
    }
    assert_idle(x);
    assert_int_equal(tcount(y), ARRAY_SIZE(bits));
}

static void test_upper_levels_refuse_cache_and_global_bits_even_with_io_rights(void **state)
{
    unsigned long l4 = pinned_l4(D0), x = new_frame(D0);

    (void)state;
    lock(D0);
    assert_int_equal(mod_l4_entry(pg_of(l4), 0, pte(x, PT_FLAGS | _PAGE_PCD), false, NULL), -EINVAL);
    assert_int_equal(mod_l4_entry(pg_of(l4), 0, pte(x, PT_FLAGS | _PAGE_PWT), false, NULL), -EINVAL);
    assert_int_equal(mod_l4_entry(pg_of(l4), 0, pte(x, PT_FLAGS | _PAGE_GLOBAL), false, NULL), -EINVAL);
    unlock(D0);
    assert_idle(x);
}

static void test_bit62_refused_in_l1_but_allowed_above(void **state)
{
    unsigned long l1 = pinned_l1(D1), x = new_frame(D1), t2 = new_frame(D1), t1 = new_frame(D1);

    (void)state;
    assert_int_equal(mod_l1(D1, l1, 0, pte(x, KERN_RO | _PAGE_GNTTAB), D1), -EINVAL);
    assert_int_equal(mod_l1(D0, pinned_l1(D0), 0, pte(new_frame(D0), KERN_RO | _PAGE_GNTTAB), D0), -EINVAL);
    set_entry(t2, 3, pte(t1, PT_FLAGS | _PAGE_GNTTAB));
    assert_int_equal(pv_pin_table(V1, t2, 2, NULL), 0);
    assert_int_equal(entry(t2, 3), pte(t1, PT_FLAGS | _PAGE_GNTTAB | _PAGE_USER));
    assert_int_equal(ttype(t1), PGT_l1_page_table);
}

static void test_global_allowed_in_l1_only(void **state)
{
    unsigned long x = new_frame(D1), t2 = new_frame(D1), t1 = new_frame(D1);

    (void)state;
    set_entry(t1, 0, pte(x, USER_RW | _PAGE_GLOBAL));
    assert_int_equal(pv_pin_table(V1, t1, 1, NULL), 0);
    set_entry(t2, 0, pte(t1, PT_FLAGS | _PAGE_GLOBAL));
    assert_int_equal(pv_pin_table(V1, t2, 2, NULL), -EINVAL);
    assert_int_equal(tcount(t1), 1);
}

static void test_software_bits_and_nx_allowed(void **state)
{
    uint64_t soft = _PAGE_AVAIL | (0x1ffUL << 53) | _PAGE_NX;
    unsigned long x = new_frame(D1), t1 = new_frame(D1), t2 = new_frame(D1);

    (void)state;
    set_entry(t1, 0, pte(x, KERN_RW | soft));
    set_entry(t2, 0, pte(t1, PT_FLAGS | soft | _PAGE_GUEST_KERNEL));
    assert_int_equal(pv_pin_table(V1, t2, 2, NULL), 0);
    assert_int_equal(entry(t1, 0), pte(x, KERN_RW | soft | _PAGE_USER | _PAGE_GUEST_KERNEL));
    assert_int_equal(entry(t2, 0), pte(t1, PT_FLAGS | soft | _PAGE_GUEST_KERNEL | _PAGE_USER));
}

static void test_stored_entries_are_adjusted_for_ring3_kernels(void **state)
{
    struct tree t;
    unsigned long l3b, u;

    (void)state;
    build_tree(D1, &t);
    l3b = new_frame(D1);
    u = new_frame(D1);
    set_entry(t.l4, 1, pte(l3b, _PAGE_PRESENT | _PAGE_RW));        /* no USER, no ACCESSED */
    set_entry(t.l1, 3, pte(u, USER_RW | _PAGE_GUEST_KERNEL));      /* the guest's own mark kept */
    set_entry(t.l1, 100, 0x123456000ULL | _PAGE_RW);              /* not present: untouched */
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_int_equal(entry(t.l1, SLOT_DATA_KRW), pte(t.data[0], KERN_RW | _PAGE_USER | _PAGE_GUEST_KERNEL));
    assert_int_equal(entry(t.l1, SLOT_DATA_KRO), pte(t.data[1], KERN_RO | _PAGE_USER | _PAGE_GUEST_KERNEL));
    assert_int_equal(entry(t.l1, SLOT_DATA_URW), pte(t.data[2], USER_RW | _PAGE_GLOBAL));
    assert_int_equal(entry(t.l1, 3), pte(u, USER_RW | _PAGE_GUEST_KERNEL));
    assert_int_equal(entry(t.l1, 100), 0x123456000ULL | _PAGE_RW);
    assert_int_equal(entry(t.l2, l2_index(VA)), pte(t.l1, PT_FLAGS | _PAGE_USER));
    assert_int_equal(entry(t.l3, l3_index(VA)), pte(t.l2, PT_FLAGS | _PAGE_USER));
    assert_int_equal(entry(t.l4, l4_index(VA)), pte(t.l3, PT_FLAGS | _PAGE_USER));
    assert_int_equal(entry(t.l4, 1), pte(l3b, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED));
    assert_int_equal(adjust_guest_l1e(0x5000), 0x5000);           /* not present: unchanged */
    assert_int_equal(adjust_guest_lne(0x5000, 4), 0x5000);
}

/* ---- the hypervisor's L4 slots ---- */

static void test_l4_hypervisor_slots_ignored_on_validation_and_filled(void **state)
{
    unsigned long l4 = new_frame(D1), x = new_frame(D1);
    unsigned int s;

    (void)state;
    set_entry(l4, HYPERVISOR_SLOT_FIRST, pte(x, PT_FLAGS));
    set_entry(l4, 263, pte(x, PT_FLAGS | _PAGE_PSE));
    set_entry(l4, HYPERVISOR_SLOT_LAST, pte(NR_FRAMES + 7, PT_FLAGS));
    assert_int_equal(pv_pin_table(V1, l4, 4, NULL), 0);
    assert_idle(x);
    for ( s = HYPERVISOR_SLOT_FIRST; s <= HYPERVISOR_SLOT_LAST; s++ )
        assert_int_equal(entry(l4, s), HV_SLOT_MARK(s));
    /* Un-validation leaves them alone too (they hold no guest references). */
    assert_int_equal(pv_unpin_table(V1, l4, NULL), 0);
    assert_idle(x);
    assert_idle(l4);
}

static void test_l4_slots_next_to_the_hypervisors_are_guest_slots(void **state)
{
    unsigned long l4 = new_frame(D1), x = new_frame(D1);

    (void)state;
    set_entry(l4, HYPERVISOR_SLOT_LAST + 1, pte(x, PT_FLAGS | _PAGE_PSE));
    assert_int_equal(pv_pin_table(V1, l4, 4, NULL), -EINVAL);
    set_entry(l4, HYPERVISOR_SLOT_LAST + 1, 0);
    set_entry(l4, HYPERVISOR_SLOT_FIRST - 1, pte(x, PT_FLAGS | _PAGE_PSE));
    assert_int_equal(pv_pin_table(V1, l4, 4, NULL), -EINVAL);
    assert_idle(x);
    assert_int_equal(mod_l4(D1, pinned_l4(D1), HYPERVISOR_SLOT_LAST + 1, pte(x, PT_FLAGS)), 0);
    assert_int_equal(ttype(x), PGT_l3_page_table);
}

static void test_l4_update_of_hypervisor_slots_refused(void **state)
{
    unsigned long l4 = pinned_l4(D1), x = new_frame(D1);
    unsigned int s;

    (void)state;
    for ( s = HYPERVISOR_SLOT_FIRST; s <= HYPERVISOR_SLOT_LAST; s++ )
    {
        assert_int_equal(mod_l4(D1, l4, s, pte(x, PT_FLAGS)), -EINVAL);
        assert_int_equal(mod_l4(D1, l4, s, 0), -EINVAL);
        assert_int_equal(entry(l4, s), HV_SLOT_MARK(s));
    }
    assert_idle(x);
}

/* ---- linear (recursive) entries ---- */

static void test_read_only_self_mapping_l4_allowed_without_references(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    set_entry(t.l4, 300, pte(t.l4, KERN_RO));
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_tree_live(&t);
    assert_false(table[t.l4].u.inuse.type_info & (PGT_has_linear | PGT_linear_target));
    assert_int_equal(pv_unpin_table(V1, t.l4, NULL), 0);
    assert_tree_idle(&t);
}

static void test_writable_self_mapping_refused_at_every_level(void **state)
{
    unsigned long t2 = new_frame(D1), t3 = new_frame(D1), t4 = new_frame(D1);

    (void)state;
    set_entry(t4, 300, pte(t4, PT_FLAGS));
    set_entry(t3, 5, pte(t3, PT_FLAGS));
    set_entry(t2, 5, pte(t2, PT_FLAGS));
    assert_int_equal(pv_pin_table(V1, t4, 4, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t3, 3, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, t2, 2, NULL), -EINVAL);
    /* Read-only they are fine. */
    set_entry(t4, 300, pte(t4, KERN_RO));
    set_entry(t3, 5, pte(t3, KERN_RO));
    set_entry(t2, 5, pte(t2, KERN_RO));
    assert_int_equal(pv_pin_table(V1, t4, 4, NULL), 0);
    assert_int_equal(pv_pin_table(V1, t3, 3, NULL), 0);
    assert_int_equal(pv_pin_table(V1, t2, 2, NULL), 0);
    assert_int_equal(refs(t4), 2);
    assert_int_equal(tcount(t3), 1);
}

static void test_linear_entry_to_another_validated_table_takes_a_type_reference(void **state)
{
    struct tree a, b;

    (void)state;
    build_tree(D1, &a);
    build_tree(D1, &b);
    assert_int_equal(pv_pin_table(V1, a.l4, 4, NULL), 0);
    set_entry(b.l4, 300, pte(a.l4, KERN_RW));
    assert_int_equal(pv_pin_table(V1, b.l4, 4, NULL), -EINVAL);       /* writable: refused */
    assert_tree_idle(&b);
    assert_int_equal(tcount(a.l4), 1);
    set_entry(b.l4, 300, pte(a.l4, KERN_RO));
    assert_int_equal(pv_pin_table(V1, b.l4, 4, NULL), 0);
    assert_int_equal(tcount(a.l4), 2);
    assert_int_equal(refs(a.l4), 4);
    assert_true(table[a.l4].u.inuse.type_info & PGT_linear_target);
    assert_true(table[b.l4].u.inuse.type_info & PGT_has_linear);
    assert_int_equal(pv_unpin_table(V1, b.l4, NULL), 0);
    assert_tree_idle(&b);
    assert_tree_live(&a);
    assert_int_equal(pv_unpin_table(V1, a.l4, NULL), 0);
    assert_tree_idle(&a);
    assert_false(table[a.l4].u.inuse.type_info & (PGT_has_linear | PGT_linear_target));
}

static void test_linear_entry_needs_an_already_validated_target(void **state)
{
    unsigned long b = new_frame(D1), c = new_frame(D1), d = new_frame(D1);

    (void)state;
    /* c looks like an L4 being validated by someone else: never wait for it, refuse. */
    table[c].u.inuse.type_info = PGT_l4_page_table | 1;
    set_entry(b, 300, pte(c, KERN_RO));
    assert_int_equal(pv_pin_table(V1, b, 4, NULL), -EINVAL);
    assert_int_equal(refs(c), 1);
    table[c].u.inuse.type_info = 0;
    /* d was an L4 (count 0, not validated) whose hypervisor slots make no valid L3. */
    assert_int_equal(pv_pin_table(V1, d, 4, NULL), 0);
    assert_int_equal(pv_unpin_table(V1, d, NULL), 0);
    set_entry(b, 300, pte(d, KERN_RO));
    assert_int_equal(pv_pin_table(V1, b, 4, NULL), -EINVAL);
    assert_idle(d);
    assert_idle(b);
}

static void test_linear_entries_cannot_chain(void **state)
{
    unsigned long a = pinned_l4(D1), t = pinned_l4(D1), u = pinned_l4(D1), x = pinned_l4(D1);

    (void)state;
    assert_int_equal(mod_l4(D1, a, 300, pte(t, KERN_RO)), 0);
    assert_int_equal(tcount(t), 2);
    /* t is a linear target: it may not hold linear entries... */
    assert_int_equal(mod_l4(D1, t, 300, pte(u, KERN_RO)), -EINVAL);
    /* ... and a holds linear entries: it may not be a target. */
    assert_int_equal(mod_l4(D1, x, 300, pte(a, KERN_RO)), -EINVAL);
    assert_int_equal(tcount(u), 1);
    assert_int_equal(tcount(a), 1);
    /* Self mappings never count. */
    assert_int_equal(mod_l4(D1, t, 301, pte(t, KERN_RO)), 0);
    assert_int_equal(mod_l4(D1, a, 300, 0), 0);
    assert_int_equal(tcount(t), 1);
}

static void test_linear_l2_and_l3_entries(void **state)
{
    unsigned long a2 = new_frame(D1), b2 = new_frame(D1), a3 = new_frame(D1), b3 = new_frame(D1);

    (void)state;
    assert_int_equal(pv_pin_table(V1, a2, 2, NULL), 0);
    assert_int_equal(pv_pin_table(V1, a3, 3, NULL), 0);
    set_entry(b2, 7, pte(a2, KERN_RO));
    set_entry(b3, 7, pte(a3, KERN_RO));
    assert_int_equal(pv_pin_table(V1, b2, 2, NULL), 0);
    assert_int_equal(pv_pin_table(V1, b3, 3, NULL), 0);
    assert_int_equal(tcount(a2), 2);
    assert_int_equal(tcount(a3), 2);
    assert_int_equal(ttype(a2), PGT_l2_page_table);
    assert_int_equal(pv_unpin_table(V1, b2, NULL), 0);
    assert_int_equal(pv_unpin_table(V1, b3, NULL), 0);
    assert_int_equal(tcount(a2), 1);
    assert_int_equal(tcount(a3), 1);
}

/* ---- what an L1 entry may map ---- */

static void test_hypervisor_heap_frame_never_mappable(void **state)
{
    unsigned long l1u = pinned_l1(D1), l1p = pinned_l1(D0), mfn;
    void *va = alloc_xenheap_pages(0);

    (void)state;
    assert_non_null(va);
    mfn = virt_to_mfn(va);
    assert_int_equal(mod_l1(D1, l1u, 0, pte(mfn, KERN_RO), D1), -EBUSY);
    assert_int_equal(mod_l1(D0, l1p, 0, pte(mfn, KERN_RO), D0), -EBUSY);
    assert_int_equal(mod_l1(D0, l1p, 0, pte(mfn, KERN_RW), D0), -EBUSY);
    assert_int_equal(table[mfn].count_info & PGC_count_mask, 0);
    assert_int_equal(entry(l1p, 0), 0);
    free_xenheap_pages(va, 0);
}

static void test_free_and_reserved_ram_frames_never_mappable(void **state)
{
    unsigned long l1u = pinned_l1(D1), l1p = pinned_l1(D0), free_mfn = some_free_frame();

    (void)state;
    assert_int_equal(mod_l1(D1, l1u, 0, pte(free_mfn, KERN_RO), D1), -EBUSY);
    assert_int_equal(mod_l1(D0, l1p, 0, pte(free_mfn, KERN_RW), D0), -EBUSY);
    assert_true(page_is_free(pg_of(free_mfn)));
    /*
     * Reserved RAM that is not device memory (the hypervisor's image, say), and frame 0: -EBUSY,
     * as real Xen 4.17 answers for the hypervisor's frames (tests/guests/pt-rules).
     */
    assert_int_equal(mod_l1(D0, l1p, 0, pte(IO_END + 3, KERN_RO), D0), -EBUSY);
    assert_int_equal(mod_l1(D0, l1p, 0, pte(0, KERN_RO), D0), -EBUSY);
    assert_int_equal(mod_l1(D1, l1u, 0, pte(IO_END + 3, KERN_RO), D1), -EBUSY);
    assert_int_equal(table[IO_END + 3].count_info, PGC_state_reserved);
}

static void test_io_frames_need_io_rights_and_are_mapped_uncached(void **state)
{
    unsigned long l1u = pinned_l1(D1), l1p = pinned_l1(D0);
    const uint64_t k = _PAGE_USER | _PAGE_GUEST_KERNEL;

    (void)state;
    assert_int_equal(mod_l1(D1, l1u, 0, pte(IO_FIRST + 4, KERN_RW), D1), -EPERM);
    assert_int_equal(entry(l1u, 0), 0);
    /* Write-back becomes UC, UC- stays, WT and WP gain PCD, WC stays. */
    assert_int_equal(mod_l1(D0, l1p, 0, pte(IO_FIRST + 4, KERN_RW), D0), 0);
    assert_int_equal(entry(l1p, 0), pte(IO_FIRST + 4, KERN_RW | _PAGE_PWT | _PAGE_PCD | k));
    assert_int_equal(mod_l1(D0, l1p, 1, pte(IO_FIRST + 5, KERN_RW | _PAGE_PCD), D0), 0);
    assert_int_equal(entry(l1p, 1), pte(IO_FIRST + 5, KERN_RW | _PAGE_PCD | k));
    assert_int_equal(mod_l1(D0, l1p, 2, pte(IO_FIRST + 6, KERN_RW | _PAGE_PWT), D0), 0);
    assert_int_equal(entry(l1p, 2), pte(IO_FIRST + 6, KERN_RW | _PAGE_PWT | _PAGE_PCD | k));
    assert_int_equal(mod_l1(D0, l1p, 3, pte(IO_FIRST + 7, KERN_RW | _PAGE_PWT | _PAGE_PAT), D0), 0);
    assert_int_equal(entry(l1p, 3), pte(IO_FIRST + 7, KERN_RW | _PAGE_PWT | _PAGE_PAT | _PAGE_PCD | k));
    assert_int_equal(mod_l1(D0, l1p, 4, pte(IO_FIRST + 8, KERN_RW | _PAGE_PAT), D0), 0);
    assert_int_equal(entry(l1p, 4), pte(IO_FIRST + 8, KERN_RW | _PAGE_PAT | k));
    /* No references are counted for device memory, so none are dropped either. */
    assert_int_equal(table[IO_FIRST + 4].count_info, PGC_state_reserved);
    assert_int_equal(mod_l1(D0, l1p, 0, 0, D0), 0);
    assert_int_equal(table[IO_FIRST + 4].count_info, PGC_state_reserved);
    /* Naming a domain without I/O rights as the owner refuses it too. */
    assert_int_equal(mod_l1(D0, l1p, 0, pte(IO_FIRST + 4, KERN_RW), D1), -EPERM);
    /* And the table's owner needs the rights too, whoever is named (dom0 changing d1's table). */
    assert_int_equal(mod_l1(D1, l1u, 0, pte(IO_FIRST + 4, KERN_RO), D0), -EPERM);
    assert_int_equal(entry(l1u, 0), 0);
}

static void test_read_only_io_frames_are_mapped_read_only(void **state)
{
    unsigned long l1p = pinned_l1(D0);
    const uint64_t k = _PAGE_USER | _PAGE_GUEST_KERNEL;

    (void)state;
    /* A writable request is accepted but stored read-only (Xen's mmio_ro_ranges); RO stays RO. */
    assert_int_equal(mod_l1(D0, l1p, 0, pte(IO_READ_ONLY, KERN_RW), D0), 0);
    assert_int_equal(entry(l1p, 0), pte(IO_READ_ONLY, KERN_RO | _PAGE_PWT | _PAGE_PCD | k));
    assert_int_equal(mod_l1(D0, l1p, 1, pte(IO_READ_ONLY, KERN_RO), D0), 0);
    assert_int_equal(entry(l1p, 1), pte(IO_READ_ONLY, KERN_RO | _PAGE_PWT | _PAGE_PCD | k));
    /* Its neighbours keep the access asked for. */
    assert_int_equal(mod_l1(D0, l1p, 2, pte(IO_READ_ONLY + 1, KERN_RW), D0), 0);
    assert_int_equal(entry(l1p, 2), pte(IO_READ_ONLY + 1, KERN_RW | _PAGE_PWT | _PAGE_PCD | k));
}

static void test_io_frames_outside_the_frame_table(void **state)
{
    unsigned long l1u = pinned_l1(D1), l1p = pinned_l1(D0);

    (void)state;
    assert_int_equal(mod_l1(D0, l1p, 0, pte(NR_FRAMES + 3, KERN_RW | _PAGE_PCD), D0), 0);
    assert_int_equal(mod_l1(D1, l1u, 0, pte(NR_FRAMES + 3, KERN_RW), D1), -EPERM);
    assert_int_equal(mod_l1(D0, l1p, 1, pte(IO_HIGH_END + 5, KERN_RW), D0), -EPERM);
    assert_int_equal(mod_l1(D0, l1p, 0, 0, D0), 0);
}

static void test_l1_maps_foreign_frames_only_for_the_named_owner(void **state)
{
    unsigned long l1u = pinned_l1(D1), l1p = pinned_l1(D0), y = new_frame(D2);

    (void)state;
    assert_int_equal(mod_l1(D1, l1u, 0, pte(y, KERN_RO), D1), -EBUSY);
    assert_int_equal(mod_l1(D0, l1p, 0, pte(y, KERN_RW), D0), -EBUSY);
    assert_int_equal(mod_l1(D0, l1p, 0, pte(y, KERN_RW), D2), 0);
    assert_int_equal(refs(y), 2);
    assert_int_equal(tcount(y), 1);
    /* A foreign frame mapped writable cannot become the owner's table either. */
    assert_int_equal(pv_pin_table(V2, y, 1, NULL), -EINVAL);
    assert_int_equal(mod_l1(D0, l1p, 0, 0, D0), 0);
    assert_idle(y);
    /* The named owner must really own the frame. */
    assert_int_equal(mod_l1(D0, l1p, 0, pte(new_frame(D1), KERN_RO), D2), -EBUSY);
}

static void test_direct_entry_helpers(void **state)
{
    unsigned long x = new_frame(D1);
    uint64_t e = pte(x, KERN_RW);

    (void)state;
    /* get/put_page_from_l1e: references for one present entry; nothing for a non-present one. */
    assert_int_equal(get_page_from_l1e(&e, D1, D1), 0);
    assert_int_equal(e, pte(x, KERN_RW));
    assert_int_equal(refs(x), 2);
    assert_int_equal(tcount(x), 1);
    put_page_from_l1e(e);
    assert_idle(x);
    e = pte(x, KERN_RW) & ~_PAGE_PRESENT;
    assert_int_equal(get_page_from_l1e(&e, D1, D1), 0);
    put_page_from_l1e(e);
    assert_idle(x);
    assert_true(pv_is_guest_l4_slot(255) && pv_is_guest_l4_slot(272));
    assert_false(pv_is_guest_l4_slot(256) || pv_is_guest_l4_slot(271));
    assert_int_equal(pte_mfn(pte(x, KERN_RW | _PAGE_NX | _PAGE_GUEST_KERNEL)), x);
}

/* ---- concurrency: type counts from several CPUs (threads) ---- */

struct waiter {
    unsigned long mfn;
    bool ok, done;
};

static void *take_seg_desc_type(void *arg)
{
    struct waiter *w = arg;

    w->ok = get_page_type(pg_of(w->mfn), PGT_seg_desc_page);
    __atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
    return NULL;
}

static void test_type_reference_waits_for_a_validation_in_progress(void **state)
{
    struct waiter w = { .mfn = new_frame(D1) }, v = { .mfn = new_frame(D1) };
    pthread_t th;

    (void)state;
    /* Another CPU has just taken the first reference and is validating: wait for it to succeed... */
    table[w.mfn].u.inuse.type_info = PGT_seg_desc_page | 1;
    assert_int_equal(pthread_create(&th, NULL, take_seg_desc_type, &w), 0);
    usleep(20000);
    assert_false(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
    __atomic_fetch_or(&table[w.mfn].u.inuse.type_info, PGT_validated, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(w.ok);
    assert_int_equal(tcount(w.mfn), 2);
    /* ... or to fail, after which the waiter takes the type afresh and validates it itself. */
    table[v.mfn].u.inuse.type_info = PGT_seg_desc_page | 1;
    assert_int_equal(pthread_create(&th, NULL, take_seg_desc_type, &v), 0);
    usleep(20000);
    assert_false(__atomic_load_n(&v.done, __ATOMIC_ACQUIRE));
    __atomic_store_n(&table[v.mfn].u.inuse.type_info, 0, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(v.ok);
    assert_int_equal(tcount(v.mfn), 1);
    assert_true(is_validated(v.mfn));
}

struct hammer {
    unsigned long mfn, type;
    unsigned int iterations, got, violations;
};

/* Take and drop a type reference over and over; while held, the frame must have exactly that type. */
static void *hammer_type(void *arg)
{
    struct hammer *h = arg;
    unsigned int i;

    for ( i = 0; i < h->iterations; i++ )
    {
        unsigned long x;

        if ( !get_page_type(pg_of(h->mfn), h->type) )
            continue;
        x = __atomic_load_n(&table[h->mfn].u.inuse.type_info, __ATOMIC_ACQUIRE);
        if ( (x & PGT_type_mask) != h->type || !(x & PGT_count_mask) || !(x & PGT_validated) )
            h->violations++;
        h->got++;
        put_page_type(pg_of(h->mfn));
    }
    return NULL;
}

static void test_concurrent_type_references_stay_exclusive_and_balance(void **state)
{
    struct hammer h[4];
    pthread_t th[4];
    unsigned long x = new_frame(D1);
    unsigned int i, writable = 0;

    (void)state;
    for ( i = 0; i < 4; i++ )
    {
        h[i] = (struct hammer){ .mfn = x, .iterations = 20000,
                                .type = i < 3 ? PGT_writable_page : PGT_seg_desc_page };
        assert_int_equal(pthread_create(&th[i], NULL, hammer_type, &h[i]), 0);
    }
    for ( i = 0; i < 4; i++ )
    {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(h[i].violations, 0);
        if ( i < 3 )
            writable += h[i].got;
    }
    assert_true(writable > 0);
    assert_int_equal(tcount(x), 0);
    assert_int_equal(refs(x), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_pin_l4_validates_tree_and_takes_expected_references),
        T(test_unpin_l4_releases_the_whole_tree),
        T(test_pin_twice_refused_and_counts_unchanged),
        T(test_unpin_of_unpinned_frame_and_double_unpin_refused),
        T(test_pin_each_level_on_its_own),
        T(test_pin_as_another_level_refused_while_in_use),
        T(test_pin_bad_arguments_refused),
        T(test_pinning_an_l1_mapped_writable_refused),
        T(test_type_change_needs_count_zero_and_flushes_tlbs),
        T(test_writable_type_kept_at_count_zero_without_flush),
        T(test_type_count_overflow_refused),
        T(test_general_count_overflow_refused),
        T(test_segment_descriptor_pages),
        T(test_hypervisor_page_shared_with_guest_never_becomes_a_table),
        T(test_validation_refuses_writable_mapping_of_a_table_in_the_tree),
        T(test_validation_failure_in_a_late_slot_releases_earlier_references),
        T(test_pse_refused_at_every_level),
        T(test_cache_attribute_bits_need_io_rights),
        T(test_upper_levels_refuse_cache_and_global_bits_even_with_io_rights),
        T(test_bit62_refused_in_l1_but_allowed_above),
        T(test_global_allowed_in_l1_only),
        T(test_software_bits_and_nx_allowed),
        T(test_stored_entries_are_adjusted_for_ring3_kernels),
        T(test_l4_hypervisor_slots_ignored_on_validation_and_filled),
        T(test_l4_slots_next_to_the_hypervisors_are_guest_slots),
        T(test_l4_update_of_hypervisor_slots_refused),
        T(test_read_only_self_mapping_l4_allowed_without_references),
        T(test_writable_self_mapping_refused_at_every_level),
        T(test_linear_entry_to_another_validated_table_takes_a_type_reference),
        T(test_linear_entry_needs_an_already_validated_target),
        T(test_linear_entries_cannot_chain),
        T(test_linear_l2_and_l3_entries),
        T(test_hypervisor_heap_frame_never_mappable),
        T(test_free_and_reserved_ram_frames_never_mappable),
        T(test_io_frames_need_io_rights_and_are_mapped_uncached),
        T(test_read_only_io_frames_are_mapped_read_only),
        T(test_io_frames_outside_the_frame_table),
        T(test_l1_maps_foreign_frames_only_for_the_named_owner),
        T(test_direct_entry_helpers),
        T(test_type_reference_waits_for_a_validation_in_progress),
        T(test_concurrent_type_references_stay_exclusive_and_balance),
#undef T
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
