/*
 * test_pv_mm_ops.c - unit tests for the PV MMU hypercall cores (arch/x86/pv/mm_ops.c, mod_entry.c):
 * mmu_update, update_va_mapping, pin/unpin, new (user) baseptr and domain teardown.
 */
#include "test_pv_mm.h"

#define NORMAL      MMU_NORMAL_PT_UPDATE
#define PRESERVE_AD MMU_PT_UPDATE_PRESERVE_AD
#define KERNEL_BITS (_PAGE_USER | _PAGE_GUEST_KERNEL)

static void pinned_tree(struct domain *d, struct tree *t)
{
    build_tree(d, t);
    assert_int_equal(pv_pin_table(d->vcpu[0], t->l4, 4, NULL), 0);
}

/* A pinned tree installed as the kernel root of d's first vCPU. */
static void running_tree(struct domain *d, struct tree *t)
{
    pinned_tree(d, t);
    assert_int_equal(pv_new_baseptr(d->vcpu[0], t->l4), 0);
}

/* A running tree: as assert_tree_live, but its L4 also holds the root's references. */
static void assert_running_tree_live(const struct tree *t)
{
    assert_int_equal(refs(t->l4), 4);
    assert_int_equal(tcount(t->l4), 2);
    assert_int_equal(refs(t->l3), 3);
    assert_int_equal(tcount(t->l3), 1);
    assert_int_equal(tcount(t->l1), 1);
    assert_int_equal(tcount(t->data[0]), 1);
    assert_int_equal(refs(t->data[1]), 2);
}

static int update(struct vcpu *v, unsigned long table_mfn, unsigned int idx, uint64_t val)
{
    return pv_mmu_update_one(v, entry_ma(table_mfn, idx, NORMAL), val, NULL, NULL);
}

/* ---- mmu_update: changing entries ---- */

static void test_mmu_update_maps_remaps_and_unmaps_a_page(void **state)
{
    struct tree t;
    unsigned long x;

    (void)state;
    pinned_tree(D1, &t);
    x = new_frame(D1);
    assert_int_equal(update(V1, t.l1, 3, pte(x, KERN_RW)), 0);
    assert_int_equal(entry(t.l1, 3), pte(x, KERN_RW | KERNEL_BITS));
    assert_int_equal(refs(x), 2);
    assert_int_equal(ttype(x), PGT_writable_page);
    assert_int_equal(tcount(x), 1);
    assert_int_equal(update(V1, t.l1, 3, pte(x, KERN_RO)), 0);
    assert_int_equal(refs(x), 2);
    assert_int_equal(tcount(x), 0);
    assert_int_equal(update(V1, t.l1, 3, 0), 0);
    assert_idle(x);
    assert_tree_live(&t);
}

static void test_mmu_update_replacing_an_entry_drops_the_old_references(void **state)
{
    struct tree t;
    unsigned long x;

    (void)state;
    pinned_tree(D1, &t);
    x = new_frame(D1);
    assert_int_equal(update(V1, t.l1, SLOT_DATA_KRW, pte(x, KERN_RW)), 0);
    assert_idle(t.data[0]);
    assert_int_equal(tcount(x), 1);
    /* Replacing the tree's L1 under its L2 releases the old L1's mappings and validates the new one. */
    assert_int_equal(update(V1, t.l2, l2_index(VA), 0), 0);
    assert_idle(x);
    assert_idle(t.data[2]);
    assert_int_equal(ttype(t.l1), PGT_l1_page_table);
    assert_false(is_validated(t.l1));
}

static void test_mmu_update_refuses_writable_mappings_of_page_tables(void **state)
{
    struct tree t;
    unsigned long f[4];
    unsigned int i;

    (void)state;
    pinned_tree(D1, &t);
    f[0] = t.l4, f[1] = t.l3, f[2] = t.l2, f[3] = t.l1;
    for ( i = 0; i < 4; i++ )
    {
        assert_int_equal(update(V1, t.l1, 3, pte(f[i], KERN_RW)), -EBUSY);
        assert_int_equal(update(V1, t.l1, 3, pte(f[i], USER_RW)), -EBUSY);
        assert_int_equal(entry(t.l1, 3), 0);
        /* Turning the existing read-only mapping writable is refused too, and it stays. */
        assert_int_equal(update(V1, t.l1, SLOT_RO_L4 + i, pte(f[i], KERN_RW)), -EBUSY);
        assert_int_equal(entry(t.l1, SLOT_RO_L4 + i), pte(f[i], KERN_RO | KERNEL_BITS));
    }
    assert_tree_live(&t);
    /* Read-only mappings are fine. */
    assert_int_equal(update(V1, t.l1, 3, pte(t.l2, KERN_RO)), 0);
    assert_int_equal(refs(t.l2), 4);
}

static void test_mmu_update_plain_write_to_a_frame_that_is_not_a_table(void **state)
{
    unsigned long x = new_frame(D1), s = new_frame(D1), l1 = new_frame(D1);

    (void)state;
    assert_int_equal(update(V1, x, 7, 0x1234), 0);
    assert_int_equal(entry(x, 7), 0x1234);
    assert_int_equal(ttype(x), PGT_writable_page);
    assert_int_equal(tcount(x), 0);
    assert_int_equal(refs(x), 1);
    /* A descriptor page in use cannot be written. */
    assert_true(get_page_and_type(pg_of(s), D1, PGT_seg_desc_page));
    assert_int_equal(update(V1, s, 7, 0x1234), -EINVAL);
    assert_int_equal(entry(s, 7), 0);
    /* A former table (type count 0) becomes a writable page: the TLBs are flushed first. */
    assert_int_equal(pv_pin_table(V1, l1, 1, NULL), 0);
    assert_int_equal(pv_unpin_table(V1, l1, NULL), 0);
    assert_int_equal(update(V1, l1, 7, 0x1234), 0);
    assert_int_equal(ttype(l1), PGT_writable_page);
    assert_int_equal(nr_flushes, 1);
}

static void test_mmu_update_on_frames_not_owned_refused(void **state)
{
    struct tree t, u;

    (void)state;
    pinned_tree(D1, &t);
    pinned_tree(D2, &u);
    assert_int_equal(update(V1, u.l1, 3, 0), -EINVAL);
    assert_int_equal(update(V1, IO_END + 3, 3, 0), -EINVAL);
    assert_int_equal(update(V1, NR_FRAMES + 3, 3, 0), -EINVAL);
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(u.l1, 3, NORMAL), 0, D2, NULL), -EPERM);
    assert_int_equal(entry(u.l1, SLOT_DATA_KRW), pte(u.data[0], KERN_RW | KERNEL_BITS));
    /* The privileged domain may change another domain's tables when it names it. */
    assert_int_equal(pv_mmu_update_one(V0, entry_ma(u.l1, SLOT_DATA_KRW, NORMAL), 0, D2, D2), 0);
    assert_idle(u.data[0]);
    assert_int_equal(pv_mmu_update_one(V0, entry_ma(u.l1, 3, NORMAL), 0, NULL, NULL), -EINVAL);
}

static void test_mmu_update_foreign_mapping_needs_privilege_and_the_named_owner(void **state)
{
    struct tree t, z;
    unsigned long y;

    (void)state;
    pinned_tree(D1, &t);
    pinned_tree(D0, &z);
    y = new_frame(D2);
    assert_int_equal(update(V1, t.l1, 3, pte(y, KERN_RW)), -EBUSY);
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(t.l1, 3, NORMAL), pte(y, KERN_RW), NULL, D2), -EPERM);
    assert_int_equal(update(V0, z.l1, 3, pte(y, KERN_RW)), -EBUSY);
    assert_idle(y);
    assert_int_equal(pv_mmu_update_one(V0, entry_ma(z.l1, 3, NORMAL), pte(y, KERN_RW), NULL, D2), 0);
    assert_int_equal(refs(y), 2);
    assert_int_equal(tcount(y), 1);
    /* Upper-level entries always reference the table owner's own frames. */
    assert_int_equal(pv_mmu_update_one(V0, entry_ma(z.l2, 5, NORMAL), pte(new_frame(D0), PT_FLAGS), NULL, D2),
                     -EINVAL);
    assert_int_equal(update(V0, z.l1, 3, 0), 0);
    assert_idle(y);
}

static void test_mmu_update_hypervisor_l4_slots_refused(void **state)
{
    struct tree t;
    unsigned long x;
    unsigned int s;

    (void)state;
    pinned_tree(D1, &t);
    x = new_frame(D1);
    for ( s = HYPERVISOR_SLOT_FIRST; s <= HYPERVISOR_SLOT_LAST; s++ )
    {
        assert_int_equal(update(V1, t.l4, s, pte(x, PT_FLAGS)), -EINVAL);
        assert_int_equal(update(V1, t.l4, s, 0), -EINVAL);
        assert_int_equal(entry(t.l4, s), HV_SLOT_MARK(s));
    }
    assert_idle(x);
    assert_int_equal(update(V1, t.l4, HYPERVISOR_SLOT_FIRST - 1, pte(x, PT_FLAGS)), 0);
    assert_int_equal(ttype(x), PGT_l3_page_table);
}

static void test_mmu_update_validates_newly_attached_tables_on_demand(void **state)
{
    struct tree t;
    unsigned long n1, n2, n3, x;

    (void)state;
    pinned_tree(D1, &t);
    n1 = new_frame(D1);
    n2 = new_frame(D1);
    n3 = new_frame(D1);
    x = new_frame(D1);
    set_entry(n1, 0, pte(x, KERN_RW));
    /* Linux's xen_alloc_ptpage: a new L1, L2 or L3 is only linked in, never pinned. */
    assert_int_equal(update(V1, t.l2, 1, pte(n1, PT_FLAGS)), 0);
    assert_int_equal(ttype(n1), PGT_l1_page_table);
    assert_true(is_validated(n1));
    assert_int_equal(tcount(n1), 1);
    assert_int_equal(entry(t.l2, 1), pte(n1, PT_FLAGS | _PAGE_USER));
    assert_int_equal(tcount(x), 1);
    assert_int_equal(update(V1, t.l3, 1, pte(n2, PT_FLAGS)), 0);
    assert_int_equal(ttype(n2), PGT_l2_page_table);
    assert_int_equal(update(V1, t.l4, 1, pte(n3, PT_FLAGS)), 0);
    assert_int_equal(ttype(n3), PGT_l3_page_table);
    assert_int_equal(update(V1, t.l2, 1, 0), 0);
    assert_idle(n1);
    assert_idle(x);
    assert_int_equal(pv_unpin_table(V1, t.l4, NULL), 0);
    assert_tree_idle(&t);
    assert_idle(n2);
    assert_idle(n3);
}

static void test_mmu_update_refuses_an_invalid_new_table(void **state)
{
    struct tree t;
    unsigned long n;

    (void)state;
    pinned_tree(D1, &t);
    n = new_frame(D1);
    set_entry(n, 0, pte(new_frame(D1), KERN_RO));
    set_entry(n, 9, pte(t.l1, KERN_RW));
    assert_int_equal(update(V1, t.l2, 1, pte(n, PT_FLAGS)), -EINVAL);
    assert_int_equal(entry(t.l2, 1), 0);
    assert_idle(n);
    assert_int_equal(ttype(n), PGT_none);
    assert_int_equal(refs(pte_mfn(entry(n, 0))), 1);
    assert_tree_live(&t);
}

static void test_mmu_update_flag_rules_per_level(void **state)
{
    struct tree t, z;
    unsigned long x;

    (void)state;
    pinned_tree(D1, &t);
    pinned_tree(D0, &z);
    x = new_frame(D1);
    assert_int_equal(update(V1, t.l1, 3, pte(x, KERN_RW | _PAGE_PAT)), -EINVAL);
    assert_int_equal(update(V1, t.l1, 3, pte(x, KERN_RW | _PAGE_PWT)), -EINVAL);
    assert_int_equal(update(V1, t.l1, 3, pte(x, KERN_RW | _PAGE_PCD)), -EINVAL);
    assert_int_equal(update(V1, t.l1, 3, pte(x, KERN_RW | _PAGE_GNTTAB)), -EINVAL);
    assert_int_equal(update(V1, t.l2, 3, pte(x, PT_FLAGS | _PAGE_PSE)), -EINVAL);
    assert_int_equal(update(V1, t.l3, 3, pte(x, PT_FLAGS | _PAGE_PSE)), -EINVAL);
    assert_int_equal(update(V1, t.l4, 3, pte(x, PT_FLAGS | _PAGE_PSE)), -EINVAL);
    assert_idle(x);
    assert_int_equal(update(V0, z.l1, 3, pte(new_frame(D0), KERN_RW | _PAGE_PCD)), 0);
    assert_int_equal(update(V0, z.l2, 3, pte(new_frame(D0), PT_FLAGS | _PAGE_PSE)), -EINVAL);
}

static void test_mmu_update_unknown_commands_refused(void **state)
{
    struct tree t;
    unsigned int cmd;

    (void)state;
    pinned_tree(D1, &t);
    for ( cmd = 4; cmd < 8; cmd++ )
        assert_int_equal(pv_mmu_update_one(V1, entry_ma(t.l1, 3, cmd), 0, NULL, NULL), -ENOSYS);
    /* NO_TRANSLATE is a normal update for PV. */
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(t.l1, 3, MMU_PT_UPDATE_NO_TRANSLATE),
                                       pte(t.data[1], KERN_RO), NULL, NULL), 0);
    assert_int_equal(refs(t.data[1]), 3);
}

static void test_mmu_update_preserve_ad_keeps_hardware_bits(void **state)
{
    struct tree t;
    uint64_t bare = pte(0, _PAGE_PRESENT | _PAGE_RW);

    (void)state;
    pinned_tree(D1, &t);
    frame(t.l1)[SLOT_DATA_KRW] |= _PAGE_DIRTY;          /* as if the CPU wrote the page */
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(t.l1, SLOT_DATA_KRW, PRESERVE_AD),
                                       bare | pte(t.data[0], 0), NULL, NULL), 0);
    assert_int_equal(entry(t.l1, SLOT_DATA_KRW),
                     pte(t.data[0], _PAGE_PRESENT | _PAGE_RW | KERNEL_BITS | _PAGE_ACCESSED | _PAGE_DIRTY));
    assert_int_equal(update(V1, t.l1, SLOT_DATA_KRW, bare | pte(t.data[0], 0)), 0);
    assert_int_equal(entry(t.l1, SLOT_DATA_KRW), pte(t.data[0], _PAGE_PRESENT | _PAGE_RW | KERNEL_BITS));
    /* Upper levels too. */
    assert_int_equal(update(V1, t.l2, l2_index(VA), pte(t.l1, _PAGE_PRESENT | _PAGE_RW)), 0);
    assert_int_equal(entry(t.l2, l2_index(VA)), pte(t.l1, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER));
    frame(t.l2)[l2_index(VA)] |= _PAGE_ACCESSED;
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(t.l2, l2_index(VA), PRESERVE_AD),
                                       pte(t.l1, _PAGE_PRESENT | _PAGE_RW), NULL, NULL), 0);
    assert_int_equal(entry(t.l2, l2_index(VA)),
                     pte(t.l1, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED));
    assert_tree_live(&t);
}

static void test_flag_only_changes_keep_references(void **state)
{
    const uint64_t extra = _PAGE_NX | _PAGE_DIRTY | 0x200;
    struct tree t;
    unsigned long full;

    (void)state;
    pinned_tree(D1, &t);
    /* With the type count saturated, taking a new writable reference would fail: the fast path must not. */
    full = table[t.data[0]].u.inuse.type_info | PGT_count_mask;
    table[t.data[0]].u.inuse.type_info = full;
    assert_int_equal(update(V1, t.l1, SLOT_DATA_KRW, pte(t.data[0], KERN_RW | extra)), 0);
    assert_int_equal(entry(t.l1, SLOT_DATA_KRW), pte(t.data[0], KERN_RW | extra | KERNEL_BITS));
    assert_int_equal(table[t.data[0]].u.inuse.type_info, full);
    assert_int_equal(refs(t.data[0]), 2);
    /* RW is not such a flag. */
    assert_int_equal(update(V1, t.l1, SLOT_DATA_URW, pte(t.data[0], USER_RW)), -EBUSY);
    table[t.data[0]].u.inuse.type_info = (full & ~PGT_count_mask) | 1;
    /* The fast path still refuses flags the level does not allow (bit 62 in L1, G in L2). */
    assert_int_equal(update(V1, t.l1, SLOT_DATA_KRW, pte(t.data[0], KERN_RW | _PAGE_GNTTAB)), -EINVAL);
    assert_false(entry(t.l1, SLOT_DATA_KRW) & _PAGE_GNTTAB);
    assert_int_equal(update(V1, t.l2, l2_index(VA), pte(t.l1, PT_FLAGS | _PAGE_GLOBAL)), -EINVAL);
    assert_int_equal(entry(t.l2, l2_index(VA)), pte(t.l1, PT_FLAGS | _PAGE_USER));
}

static void test_rw_to_ro_drops_the_writable_type_reference(void **state)
{
    struct tree t;

    (void)state;
    pinned_tree(D1, &t);
    assert_int_equal(update(V1, t.l1, SLOT_DATA_KRW, pte(t.data[0], KERN_RO)), 0);
    assert_int_equal(refs(t.data[0]), 2);
    assert_int_equal(tcount(t.data[0]), 0);
    /* An L2 entry turning read-only keeps its L1 validated. */
    assert_int_equal(update(V1, t.l2, l2_index(VA), pte(t.l1, KERN_RO)), 0);
    assert_int_equal(tcount(t.l1), 1);
    assert_true(is_validated(t.l1));
    assert_int_equal(refs(t.data[2]), 2);
}

static void test_mod_entry_refuses_wrong_tables_and_indexes(void **state)
{
    struct tree t;
    unsigned long x = new_frame(D1);

    (void)state;
    pinned_tree(D1, &t);
    lock(D1);
    assert_int_equal(mod_l1_entry(pg_of(t.l2), 0, 0, false, D1, NULL), -EINVAL);
    assert_int_equal(mod_l2_entry(pg_of(t.l1), 0, 0, false, NULL), -EINVAL);
    assert_int_equal(mod_l3_entry(pg_of(x), 0, 0, false, NULL), -EINVAL);
    assert_int_equal(mod_l4_entry(pg_of(t.l3), 0, 0, false, NULL), -EINVAL);
    assert_int_equal(mod_l1_entry(pg_of(t.l1), PT_ENTRIES, 0, false, D1, NULL), -EINVAL);
    unlock(D1);
    assert_tree_live(&t);
}

static void test_mod_entry_reports_stale_translations(void **state)
{
    struct tree t;
    unsigned long x = new_frame(D1);
    bool stale = false;

    (void)state;
    pinned_tree(D1, &t);
    lock(D1);
    assert_int_equal(mod_l1_entry(pg_of(t.l1), 3, pte(x, KERN_RW), false, D1, &stale), 0);
    assert_false(stale);                                /* the slot was empty */
    assert_int_equal(mod_l1_entry(pg_of(t.l1), 3, pte(x, KERN_RO), false, D1, &stale), 0);
    assert_true(stale);
    stale = false;
    assert_int_equal(mod_l2_entry(pg_of(t.l2), l2_index(VA), 0, false, &stale), 0);
    assert_true(stale);
    unlock(D1);
}

static void test_machphys_update(void **state)
{
    unsigned long x = new_frame(D1), y = new_frame(D2);

    (void)state;
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(x, 0, MMU_MACHPHYS_UPDATE), 0x42, NULL, NULL), 0);
    assert_int_equal(m2p[x], 0x42);
    assert_idle(x);
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(y, 0, MMU_MACHPHYS_UPDATE), 0x43, NULL, NULL), -EINVAL);
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(y, 0, MMU_MACHPHYS_UPDATE), 0x43, NULL, D2), -EPERM);
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(some_free_frame(), 0, MMU_MACHPHYS_UPDATE), 1, NULL,
                                       NULL), -EINVAL);
    assert_int_equal(pv_mmu_update_one(V1, entry_ma(IO_FIRST, 0, MMU_MACHPHYS_UPDATE), 1, NULL, NULL),
                     -EINVAL);
    assert_int_equal(m2p[y], 0);
    assert_int_equal(pv_mmu_update_one(V0, entry_ma(y, 0, MMU_MACHPHYS_UPDATE), 0x44, NULL, D2), 0);
    assert_int_equal(m2p[y], 0x44);
    /* The page-table owner must be the caller itself. */
    assert_int_equal(pv_mmu_update_one(V0, entry_ma(y, 0, MMU_MACHPHYS_UPDATE), 0x45, D2, D2), -EPERM);
    assert_int_equal(m2p[y], 0x44);
}

static void test_dying_domain_tables_cannot_change(void **state)
{
    struct tree t;
    unsigned long x;

    (void)state;
    running_tree(D1, &t);
    x = new_frame(D1);
    D1->is_dying = true;
    assert_int_equal(update(V1, t.l1, 3, pte(x, KERN_RW)), -EINVAL);
    assert_int_equal(pv_update_va_mapping(V1, VA + 3 * PAGE_SIZE, pte(x, KERN_RW), NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V1, x, 1, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V0, x, 1, D1), -EINVAL);
    assert_int_equal(pv_new_baseptr(V1, x), -EINVAL);
    assert_idle(x);
    assert_int_equal(V1->arch.guest_table, t.l4);
}

/* ---- update_va_mapping ---- */

static void test_update_va_mapping_changes_the_l1_entry_for_va(void **state)
{
    struct tree t;
    unsigned long x;

    (void)state;
    running_tree(D1, &t);
    x = new_frame(D1);
    assert_int_equal(pv_update_va_mapping(V1, VA + 3 * PAGE_SIZE, pte(x, KERN_RW), NULL), 0);
    assert_int_equal(entry(t.l1, 3), pte(x, KERN_RW | KERNEL_BITS));
    assert_int_equal(tcount(x), 1);
    assert_int_equal(pv_update_va_mapping(V1, VA + SLOT_DATA_KRW * PAGE_SIZE, pte(t.data[0], KERN_RO), NULL),
                     0);
    assert_int_equal(tcount(t.data[0]), 0);
    assert_int_equal(pv_update_va_mapping(V1, VA + 3 * PAGE_SIZE + 0x123, 0, NULL), 0);
    assert_idle(x);
}

static void test_update_va_mapping_user_half(void **state)
{
    struct tree t;
    unsigned long l3u, l2u, l1u, x;

    (void)state;
    build_tree(D1, &t);
    l3u = new_frame(D1);
    l2u = new_frame(D1);
    l1u = new_frame(D1);
    x = new_frame(D1);
    set_entry(t.l4, l4_index(UVA), pte(l3u, PT_FLAGS | _PAGE_USER));
    set_entry(l3u, l3_index(UVA), pte(l2u, PT_FLAGS | _PAGE_USER));
    set_entry(l2u, l2_index(UVA), pte(l1u, PT_FLAGS | _PAGE_USER));
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_int_equal(pv_new_baseptr(V1, t.l4), 0);
    assert_int_equal(pv_update_va_mapping(V1, UVA + 5 * PAGE_SIZE, pte(x, USER_RW), NULL), 0);
    assert_int_equal(entry(l1u, 5), pte(x, USER_RW | _PAGE_GLOBAL));
}

static void test_update_va_mapping_refuses_non_canonical_and_hypervisor_addresses(void **state)
{
    /*
     * Each of these would reach the tree's L1 (slot 3) if the walk were
     * allowed: the non-canonical ones by their index bits (L4 511), the
     * hypervisor's by the mapping the test puts in slot 263.
     */
    const unsigned long low = (VA & ((1UL << L4_SHIFT) - 1)) + 3 * PAGE_SIZE;
    const unsigned long bad[] = {
        (VA + 3 * PAGE_SIZE) & 0x0000ffffffffffffUL, (VA + 3 * PAGE_SIZE) & 0x7fffffffffffffffUL,
        (VA + 3 * PAGE_SIZE) & 0xffff7fffffffffffUL, PML4_ADDR(263) + low,
    };
    struct tree t;
    unsigned long x;
    unsigned int i;

    (void)state;
    running_tree(D1, &t);
    frame(t.l4)[263] = pte(t.l3, PT_FLAGS);         /* as if the hypervisor mapped it there */
    x = new_frame(D1);
    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
        assert_int_equal(pv_update_va_mapping(V1, bad[i], pte(x, KERN_RW), NULL), -EINVAL);
    assert_int_equal(pv_update_va_mapping(V1, HV_AREA_START, pte(x, KERN_RW), NULL), -EINVAL);
    assert_int_equal(pv_update_va_mapping(V1, HV_AREA_END - PAGE_SIZE, pte(x, KERN_RW), NULL), -EINVAL);
    assert_int_equal(entry(t.l1, 3), 0);
    assert_idle(x);
    assert_running_tree_live(&t);
    /* The first canonical address past the hypervisor's slots is a guest address again. */
    assert_int_equal(pv_update_va_mapping(V1, HV_AREA_END, pte(x, KERN_RW), NULL), -EINVAL);
    /* A guest slot written behind the MMU's back (no reference taken: test only). */
    frame(t.l4)[HYPERVISOR_SLOT_LAST + 1] = pte(t.l3, PT_FLAGS | _PAGE_USER);
    assert_int_equal(pv_update_va_mapping(V1, HV_AREA_END + low, pte(x, KERN_RW), NULL), 0);
    assert_int_equal(pte_mfn(entry(t.l1, 3)), x);
    assert_int_equal(pv_update_va_mapping(V1, HV_AREA_END + low, 0, NULL), 0);
    frame(t.l4)[HYPERVISOR_SLOT_LAST + 1] = 0;
}

static void test_update_va_mapping_refuses_va_without_l1(void **state)
{
    struct tree t;
    unsigned long x;
    /* Slot 300 maps the L4 itself: every level of the walk finds the L4 again, never an L1. */
    unsigned long loop = 0xffff000000000000UL | (300UL << L4_SHIFT) | (300UL << L3_SHIFT) |
                         (300UL << L2_SHIFT);

    (void)state;
    build_tree(D1, &t);
    set_entry(t.l4, 300, pte(t.l4, KERN_RO));
    x = new_frame(D1);
    assert_int_equal(pv_update_va_mapping(V1, VA, pte(x, KERN_RW), NULL), -EINVAL);    /* no root yet */
    assert_int_equal(pv_pin_table(V1, t.l4, 4, NULL), 0);
    assert_int_equal(pv_new_baseptr(V1, t.l4), 0);
    assert_int_equal(pv_update_va_mapping(V1, VA + (1UL << L2_SHIFT), pte(x, KERN_RW), NULL), -EINVAL);
    assert_int_equal(pv_update_va_mapping(V1, VA - (1UL << L3_SHIFT), pte(x, KERN_RW), NULL), -EINVAL);
    assert_int_equal(pv_update_va_mapping(V1, 0x1000, pte(x, KERN_RW), NULL), -EINVAL);
    assert_int_equal(pv_update_va_mapping(V1, loop, pte(x, KERN_RW), NULL), -EINVAL);
    assert_idle(x);
    assert_int_equal(entry(t.l4, 0), 0);
}

static void test_update_va_mapping_refuses_writable_mapping_of_a_table(void **state)
{
    struct tree t;

    (void)state;
    running_tree(D1, &t);
    assert_int_equal(pv_update_va_mapping(V1, VA + 3 * PAGE_SIZE, pte(t.l3, KERN_RW), NULL), -EBUSY);
    assert_int_equal(pv_update_va_mapping(V1, VA + (SLOT_RO_L4 + 3) * PAGE_SIZE, pte(t.l1, KERN_RW), NULL),
                     -EBUSY);
    assert_int_equal(entry(t.l1, 3), 0);
    assert_int_equal(pv_update_va_mapping(V1, VA + 3 * PAGE_SIZE, pte(t.l3, KERN_RO), NULL), 0);
    assert_int_equal(refs(t.l3), 4);
    /* update_va_mapping changes the kernel root's mappings, whatever the user root is. */
    assert_int_equal(pv_new_user_baseptr(V1, new_frame(D1)), 0);
    assert_int_equal(pv_update_va_mapping(V1, VA + 4 * PAGE_SIZE, pte(t.l2, KERN_RO), NULL), 0);
    assert_int_equal(pte_mfn(entry(t.l1, 4)), t.l2);
}

static void test_update_va_mapping_foreign_frames(void **state)
{
    struct tree t, z;
    unsigned long y;

    (void)state;
    running_tree(D1, &t);
    running_tree(D0, &z);
    y = new_frame(D2);
    assert_int_equal(pv_update_va_mapping(V1, VA + 3 * PAGE_SIZE, pte(y, KERN_RO), D2), -EPERM);
    assert_int_equal(pv_update_va_mapping(V1, VA + 3 * PAGE_SIZE, pte(y, KERN_RO), NULL), -EBUSY);
    assert_int_equal(pv_update_va_mapping(V0, VA + 3 * PAGE_SIZE, pte(y, KERN_RW), D2), 0);
    assert_int_equal(tcount(y), 1);
    assert_int_equal(pte_mfn(entry(z.l1, 3)), y);
}

/* ---- roots ---- */

static void test_new_baseptr_takes_an_l4_reference_and_switches(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    assert_int_equal(pv_new_baseptr(V1, t.l4), 0);
    assert_tree_live(&t);
    assert_false(is_pinned(t.l4));
    assert_int_equal(V1->arch.guest_table, t.l4);
    assert_int_equal(nr_switches, 1);
    assert_int_equal(root_at_switch, t.l4);         /* installed before the switch */
    /* The same root again: only the switch. */
    assert_int_equal(pv_new_baseptr(V1, t.l4), 0);
    assert_int_equal(nr_switches, 2);
    assert_tree_live(&t);
}

static void test_new_baseptr_drops_the_old_root_at_once(void **state)
{
    struct tree a, b;

    (void)state;
    build_tree(D1, &a);
    build_tree(D1, &b);
    assert_int_equal(pv_new_baseptr(V1, a.l4), 0);
    assert_int_equal(pv_new_baseptr(V1, b.l4), 0);
    assert_tree_idle(&a);
    assert_tree_live(&b);
    assert_int_equal(V1->arch.guest_table, b.l4);
}

static void test_linux_handover_sequence(void **state)
{
    struct tree a, b;
    unsigned int i;

    (void)state;
    /* The builder's tables: pinned and the root. */
    running_tree(D1, &a);
    assert_int_equal(tcount(a.l4), 2);
    /* Linux builds its own tables, mapping the builder's read-only (its direct map)... */
    build_tree(D1, &b);
    set_entry(b.l1, 20, pte(a.l4, KERN_RO));
    set_entry(b.l1, 21, pte(a.l3, KERN_RO));
    set_entry(b.l1, 22, pte(a.l2, KERN_RO));
    /* ... pins them, unpins the builder's L4 while it is still the root ... */
    assert_int_equal(pv_pin_table(V1, b.l4, 4, NULL), 0);
    assert_int_equal(pv_unpin_table(V1, a.l4, NULL), 0);
    assert_true(is_validated(a.l4));
    assert_int_equal(tcount(a.l4), 1);
    /* (still a table: it cannot be made writable yet) */
    assert_int_equal(update(V1, b.l1, 20, pte(a.l4, KERN_RW)), -EBUSY);
    /* ... switches ... */
    assert_int_equal(pv_new_baseptr(V1, b.l4), 0);
    assert_int_equal(tcount(a.l4), 0);
    assert_false(is_validated(a.l4));
    /* ... and at once makes the old L4, L3 and L2 writable through its new tables. */
    for ( i = 0; i < 3; i++ )
        assert_int_equal(pv_update_va_mapping(V1, VA + (20 + i) * PAGE_SIZE,
                                              pte(pte_mfn(entry(b.l1, 20 + i)), KERN_RW), NULL), 0);
    assert_int_equal(ttype(a.l4), PGT_writable_page);
    assert_int_equal(ttype(a.l3), PGT_writable_page);
    assert_int_equal(ttype(a.l2), PGT_writable_page);
    assert_int_equal(tcount(a.l2), 1);
    assert_idle(a.l1);
    assert_idle(a.data[0]);
    assert_int_equal(nr_flushes, 3);                /* each old table's type change */
}

static void test_new_baseptr_refuses_frames_that_cannot_be_an_l4(void **state)
{
    struct tree t;
    unsigned long bad = new_frame(D1), foreign = new_frame(D2);

    (void)state;
    running_tree(D1, &t);
    set_entry(bad, 0, pte(t.data[1], PT_FLAGS | _PAGE_PSE));
    assert_int_equal(pv_new_baseptr(V1, t.data[0]), -EINVAL);       /* mapped writable */
    assert_int_equal(pv_new_baseptr(V1, t.l3), -EINVAL);            /* an L3 in use */
    assert_int_equal(pv_new_baseptr(V1, foreign), -EINVAL);
    assert_int_equal(pv_new_baseptr(V1, bad), -EINVAL);             /* fails validation */
    assert_int_equal(pv_new_baseptr(V1, 0), -EINVAL);
    assert_int_equal(pv_new_baseptr(V1, NR_FRAMES + 1), -EINVAL);
    assert_int_equal(V1->arch.guest_table, t.l4);
    assert_int_equal(nr_switches, 1);
    assert_idle(bad);
    assert_idle(foreign);
    assert_running_tree_live(&t);
}

static void test_new_user_baseptr_set_replace_and_clear(void **state)
{
    struct tree t;
    unsigned long u1 = new_frame(D1), u2 = new_frame(D1);

    (void)state;
    running_tree(D1, &t);
    assert_int_equal(pv_new_user_baseptr(V1, u1), 0);
    assert_int_equal(V1->arch.guest_table_user, u1);
    assert_int_equal(ttype(u1), PGT_l4_page_table);
    assert_int_equal(tcount(u1), 1);
    assert_int_equal(pv_new_user_baseptr(V1, u2), 0);
    assert_idle(u1);
    assert_int_equal(tcount(u2), 1);
    assert_int_equal(pv_new_user_baseptr(V1, t.l3), -EINVAL);
    assert_int_equal(V1->arch.guest_table_user, u2);
    assert_int_equal(pv_new_user_baseptr(V1, 0), 0);
    assert_int_equal(V1->arch.guest_table_user, 0);
    assert_idle(u2);
    assert_int_equal(pv_new_user_baseptr(V1, 0), 0);
    /* The kernel and the user root may be the same table: two references. */
    assert_int_equal(pv_new_user_baseptr(V1, t.l4), 0);
    assert_int_equal(tcount(t.l4), 3);
}

/* ---- pins across domains ---- */

static void test_pinning_another_domains_table_needs_privilege_and_naming_it(void **state)
{
    struct tree t;

    (void)state;
    build_tree(D1, &t);
    assert_int_equal(pv_pin_table(V2, t.l4, 4, D1), -EPERM);
    assert_int_equal(pv_pin_table(V2, t.l4, 4, NULL), -EINVAL);
    assert_int_equal(pv_pin_table(V0, t.l4, 4, NULL), -EINVAL);
    assert_tree_idle(&t);
    assert_int_equal(pv_pin_table(V0, t.l4, 4, D1), 0);
    assert_tree_live(&t);
    assert_int_equal(pv_unpin_table(V2, t.l4, D1), -EPERM);
    assert_int_equal(pv_unpin_table(V0, t.l4, NULL), -EINVAL);
    assert_int_equal(pv_unpin_table(V0, t.l4, D1), 0);
    assert_tree_idle(&t);
}

/* ---- teardown ---- */

static void assert_domain_idle(struct domain *d, unsigned long except)
{
    struct page_info *pg;
    unsigned int n = 0;

    for ( pg = page_list_first(&d->page_list); pg; pg = page_list_next(pg), n++ )
    {
        unsigned long mfn = page_to_mfn(pg);

        if ( mfn == except )
            continue;
        assert_int_equal(refs(mfn), 1);
        assert_int_equal(tcount(mfn), 0);
        assert_false(is_pinned(mfn));
    }
    assert_int_equal(n, d->tot_pages);
}

static void test_relinquish_drops_every_root_and_pin(void **state)
{
    struct tree a, b, z;
    unsigned long u, p, shared;

    (void)state;
    running_tree(D1, &a);
    assert_int_equal(pv_new_baseptr(&vcpus[1][1], a.l4), 0);
    u = new_frame(D1);
    assert_int_equal(pv_new_user_baseptr(V1, u), 0);
    p = new_frame(D1);
    set_entry(p, 0, pte(new_frame(D1), KERN_RW));
    assert_int_equal(pv_pin_table(V1, p, 1, NULL), 0);
    /* A second pinned tree holding a linear entry to the first. */
    build_tree(D1, &b);
    set_entry(b.l4, 300, pte(a.l4, KERN_RO));
    assert_int_equal(pv_pin_table(V1, b.l4, 4, NULL), 0);
    /* dom0 pins one of d1's L2s, and maps one of its frames writable in its own tables. */
    assert_int_equal(pv_pin_table(V0, b.l2, 2, D1), 0);
    pinned_tree(D0, &z);
    shared = new_frame(D1);
    assert_int_equal(pv_mmu_update_one(V0, entry_ma(z.l1, 3, NORMAL), pte(shared, KERN_RW), NULL, D1), 0);

    D1->is_dying = true;
    pv_mm_relinquish(D1);
    assert_int_equal(V1->arch.guest_table, 0);
    assert_int_equal(V1->arch.guest_table_user, 0);
    assert_int_equal(vcpus[1][1].arch.guest_table, 0);
    assert_domain_idle(D1, shared);
    /* dom0's own mapping is dom0's business. */
    assert_int_equal(refs(shared), 2);
    assert_int_equal(tcount(shared), 1);
    assert_tree_live(&z);
}

static void test_relinquish_lets_every_frame_return_to_the_heap(void **state)
{
    struct tree a, b;
    unsigned long before = heap_free_count();
    struct page_info *pg;
    unsigned int n = 0, flushes;

    (void)state;
    running_tree(D1, &a);
    pinned_tree(D1, &b);
    assert_int_equal(update(V1, b.l1, 40, pte(a.data[0], KERN_RW)), 0);
    assert_int_equal(pv_new_user_baseptr(V1, b.l4), 0);
    assert_true(heap_free_count() < before);
    D1->is_dying = true;
    pv_mm_relinquish(D1);
    while ( (pg = page_list_first(&D1->page_list)) != NULL && n++ < NR_FRAMES )
        relinquish_page(D1, pg);
    assert_null(page_list_first(&D1->page_list));
    assert_int_equal(D1->tot_pages, 0);
    /* Freed frames wait for a TLB flush before the heap may hand them out again. */
    assert_true(heap_free_count() < before);
    flushes = test_tlb_flush_all_count;
    assert_true(domain_page_release_pending());
    assert_int_equal(test_tlb_flush_all_count, flushes + 1);
    assert_int_equal(heap_free_count(), before);
    assert_false(domain_page_release_pending());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_mmu_update_maps_remaps_and_unmaps_a_page),
        T(test_mmu_update_replacing_an_entry_drops_the_old_references),
        T(test_mmu_update_refuses_writable_mappings_of_page_tables),
        T(test_mmu_update_plain_write_to_a_frame_that_is_not_a_table),
        T(test_mmu_update_on_frames_not_owned_refused),
        T(test_mmu_update_foreign_mapping_needs_privilege_and_the_named_owner),
        T(test_mmu_update_hypervisor_l4_slots_refused),
        T(test_mmu_update_validates_newly_attached_tables_on_demand),
        T(test_mmu_update_refuses_an_invalid_new_table),
        T(test_mmu_update_flag_rules_per_level),
        T(test_mmu_update_unknown_commands_refused),
        T(test_mmu_update_preserve_ad_keeps_hardware_bits),
        T(test_flag_only_changes_keep_references),
        T(test_rw_to_ro_drops_the_writable_type_reference),
        T(test_mod_entry_refuses_wrong_tables_and_indexes),
        T(test_mod_entry_reports_stale_translations),
        T(test_machphys_update),
        T(test_dying_domain_tables_cannot_change),
        T(test_update_va_mapping_changes_the_l1_entry_for_va),
        T(test_update_va_mapping_user_half),
        T(test_update_va_mapping_refuses_non_canonical_and_hypervisor_addresses),
        T(test_update_va_mapping_refuses_va_without_l1),
        T(test_update_va_mapping_refuses_writable_mapping_of_a_table),
        T(test_update_va_mapping_foreign_frames),
        T(test_new_baseptr_takes_an_l4_reference_and_switches),
        T(test_new_baseptr_drops_the_old_root_at_once),
        T(test_linux_handover_sequence),
        T(test_new_baseptr_refuses_frames_that_cannot_be_an_l4),
        T(test_new_user_baseptr_set_replace_and_clear),
        T(test_pinning_another_domains_table_needs_privilege_and_naming_it),
        T(test_relinquish_drops_every_root_and_pin),
        T(test_relinquish_lets_every_frame_return_to_the_heap),
#undef T
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
