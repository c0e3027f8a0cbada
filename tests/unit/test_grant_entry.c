/*
 * test_grant_entry.c - the state machine of one grant entry (common/grant_entry.c): pinning v1 and v2
 * entries for mappings and copies (who may, read-only rules, sub-page and transitive grants, pins of
 * an entry already in use), the status bits a use leaves and takes away, what an entry grants, the
 * transfer protocol, the reserved entries across a version switch, and a guest that rewrites its entry
 * while the hypervisor pins it (the bounded compare-and-swap loop ends, with a consistent entry).
 */
#include <pthread.h>
#include <string.h>
#include "../../hypervisor/common/grant_private.h"

#define ME      3
#define OTHER   7

static grant_entry_v1_t v1[16];
static grant_entry_v2_t v2[16];
static grant_status_t st[16];

static struct grant_entry_view view1(unsigned int ref)
{
    return (struct grant_entry_view){ .hdr = (uint32_t *)&v1[ref], .status = &v1[ref].flags, .version = 1 };
}

static struct grant_entry_view view2(unsigned int ref)
{
    return (struct grant_entry_view){ .hdr = (uint32_t *)&v2[ref].hdr, .status = &st[ref], .version = 2 };
}

static int reset(void **state)
{
    (void)state;
    memset(v1, 0, sizeof(v1));
    memset(v2, 0, sizeof(v2));
    memset(st, 0, sizeof(st));
    return 0;
}

static void grant1(unsigned int ref, uint16_t flags, domid_t domid, uint32_t frame)
{
    v1[ref] = (grant_entry_v1_t){ .flags = flags, .domid = domid, .frame = frame };
}

static void test_v1_pin_rules(void **state)
{
    struct grant_entry_view e = view1(0);

    (void)state;
    grant1(0, GTF_permit_access, ME, 42);
    assert_int_equal(gnttab_entry_pin(&e, false, false, true, ME), GNTST_okay);
    assert_int_equal(v1[0].flags, GTF_permit_access | GTF_reading | GTF_writing);
    assert_int_equal(v1[0].domid, ME);
    assert_int_equal(v1[0].frame, 42);

    grant1(0, GTF_permit_access, ME, 42);
    assert_int_equal(gnttab_entry_pin(&e, false, true, true, ME), GNTST_okay);
    assert_int_equal(v1[0].flags, GTF_permit_access | GTF_reading);

    /* Another grantee, not a permit_access entry, read-only violations: refused, entry untouched. */
    grant1(0, GTF_permit_access, OTHER, 42);
    assert_int_equal(gnttab_entry_pin(&e, false, true, false, ME), GNTST_general_error);
    assert_int_equal(v1[0].flags, GTF_permit_access);
    for ( uint16_t type = 0; type < 4; type++ )
    {
        if ( type == GTF_permit_access )
            continue;
        grant1(0, type, ME, 42);
        assert_int_equal(gnttab_entry_pin(&e, false, true, false, ME), GNTST_general_error);
        assert_int_equal(v1[0].flags, type);
    }
    grant1(0, GTF_permit_access | GTF_readonly, ME, 42);
    assert_int_equal(gnttab_entry_pin(&e, false, false, false, ME), GNTST_general_error);
    assert_int_equal(v1[0].flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(gnttab_entry_pin(&e, false, true, false, ME), GNTST_okay);
    assert_int_equal(v1[0].flags, GTF_permit_access | GTF_readonly | GTF_reading);

    /* v1 has no sub-page grants, but a mapping still refuses the bit (as Xen); a copy ignores it. */
    grant1(0, GTF_permit_access | GTF_sub_page, ME, 42);
    assert_int_equal(gnttab_entry_pin(&e, false, true, true, ME), GNTST_general_error);
    assert_int_equal(gnttab_entry_pin(&e, false, true, false, ME), GNTST_okay);
}

static void test_v1_pinned_entry(void **state)
{
    struct grant_entry_view e = view1(1);

    (void)state;
    /* In use already: the grantee and type are the active entry's business, not re-checked... */
    grant1(1, GTF_invalid | GTF_reading, OTHER, 42);
    assert_int_equal(gnttab_entry_pin(&e, true, false, false, ME), GNTST_okay);
    assert_int_equal(v1[1].flags, GTF_reading | GTF_writing);
    /* ...but a writable use of an entry the guest made read-only meanwhile is refused. */
    grant1(1, GTF_permit_access | GTF_readonly | GTF_reading, ME, 42);
    assert_int_equal(gnttab_entry_pin(&e, true, false, true, ME), GNTST_general_error);
    assert_int_equal(v1[1].flags, GTF_permit_access | GTF_readonly | GTF_reading);
}

static void test_v2_pin_rules(void **state)
{
    struct grant_entry_view e = view2(2);

    (void)state;
    v2[2].hdr.flags = GTF_permit_access;
    v2[2].hdr.domid = ME;
    v2[2].full_page.frame = 1ull << 40;
    assert_int_equal(gnttab_entry_pin(&e, false, false, true, ME), GNTST_okay);
    assert_int_equal(st[2], GTF_reading | GTF_writing);
    assert_int_equal(v2[2].hdr.flags, GTF_permit_access);       /* the header is the guest's alone */

    st[2] = 0;
    v2[2].hdr.domid = OTHER;
    assert_int_equal(gnttab_entry_pin(&e, false, true, false, ME), GNTST_general_error);
    assert_int_equal(st[2], 0);

    /* Sub-page and transitive grants: copies only. */
    v2[2].hdr.domid = ME;
    v2[2].hdr.flags = GTF_permit_access | GTF_sub_page;
    assert_int_equal(gnttab_entry_pin(&e, false, true, true, ME), GNTST_general_error);
    assert_int_equal(gnttab_entry_pin(&e, false, true, false, ME), GNTST_okay);
    assert_int_equal(st[2], GTF_reading);
    st[2] = 0;
    v2[2].hdr.flags = GTF_transitive;
    assert_int_equal(gnttab_entry_pin(&e, false, true, true, ME), GNTST_general_error);
    assert_int_equal(gnttab_entry_pin(&e, false, false, false, ME), GNTST_okay);
    assert_int_equal(st[2], GTF_reading | GTF_writing);

    /* Read-only. */
    st[2] = 0;
    v2[2].hdr.flags = GTF_permit_access | GTF_readonly;
    assert_int_equal(gnttab_entry_pin(&e, false, false, true, ME), GNTST_general_error);
    assert_int_equal(st[2], 0);
    /* Pinned read-only, then a writable use after the guest made it read-only: writing backs out. */
    st[2] = GTF_reading;
    assert_int_equal(gnttab_entry_pin(&e, true, false, true, ME), GNTST_general_error);
    assert_int_equal(st[2], GTF_reading);
    /* A read-only use of a pinned entry needs nothing new. */
    assert_int_equal(gnttab_entry_pin(&e, true, true, true, ME), GNTST_okay);
    assert_int_equal(st[2], GTF_reading);
}

static void test_unpin_flags(void **state)
{
    (void)state;
    /* Last writable use gone, readers left: only writing goes. */
    assert_int_equal(gnttab_unpin_flags(GNTPIN_hstr_inc, false), GTF_writing);
    /* A writer left: nothing goes. */
    assert_int_equal(gnttab_unpin_flags(GNTPIN_devw_inc, false), 0);
    assert_int_equal(gnttab_unpin_flags(GNTPIN_hstw_inc, true), 0);
    /* Nothing left: both (a read-only use never set writing, but clearing it is harmless: the
       guest cannot have a writer without a pin). */
    assert_int_equal(gnttab_unpin_flags(0, false), GTF_writing | GTF_reading);
    assert_int_equal(gnttab_unpin_flags(0, true), GTF_reading);
    /* Read-only use ended, readers left: nothing. */
    assert_int_equal(gnttab_unpin_flags(GNTPIN_devr_inc, true), 0);

    struct grant_entry_view e = view1(3);

    grant1(3, GTF_permit_access | GTF_readonly | GTF_reading | GTF_writing | GTF_PWT, ME, 1);
    gnttab_entry_clear(&e, GTF_writing);
    assert_int_equal(v1[3].flags, GTF_permit_access | GTF_readonly | GTF_reading | GTF_PWT);
    gnttab_entry_clear(&e, 0);
    assert_int_equal(v1[3].flags, GTF_permit_access | GTF_readonly | GTF_reading | GTF_PWT);
    gnttab_entry_clear(&e, GTF_reading);
    assert_int_equal(v1[3].flags, GTF_permit_access | GTF_readonly | GTF_PWT);
    assert_int_equal(v1[3].domid, ME);
}

static void test_pin_overflow_and_cover(void **state)
{
    (void)state;
    assert_int_equal(GNTPIN_overflow_of(GNTPIN_hstr_inc), 0x8000);
    assert_true((0x7fu << 8) + GNTPIN_hstr_inc == 0x8000);
    assert_false((0x7fu << 8) & GNTPIN_overflow_of(GNTPIN_hstr_inc));
    assert_true((0x80u << 8) & GNTPIN_overflow_of(GNTPIN_hstr_inc));
    /* Only the counters the increment touches matter. */
    assert_false(0x80u & GNTPIN_overflow_of(GNTPIN_hstr_inc | GNTPIN_devr_inc));
    assert_true(gnttab_pin_covers(GNTPIN_hstw_inc * 2 + GNTPIN_devr_inc, GNTPIN_hstw_inc | GNTPIN_devr_inc));
    assert_false(gnttab_pin_covers(GNTPIN_hstw_inc * 2, GNTPIN_hstw_inc | GNTPIN_devr_inc));
    assert_false(gnttab_pin_covers(GNTPIN_hstr_inc, GNTPIN_hstw_inc));
    assert_true(gnttab_pin_covers(0, 0));
}

static void test_target(void **state)
{
    struct grant_target t;

    (void)state;
    grant1(4, GTF_permit_access | GTF_sub_page, ME, 0xabcdef);
    gnttab_entry_target(&v1[4], 1, &t);
    assert_int_equal(t.frame, 0xabcdef);
    assert_int_equal(t.start, 0);
    assert_int_equal(t.length, PAGE_SIZE);
    assert_false(t.sub_page || t.transitive);

    v2[4].hdr.flags = GTF_permit_access;
    v2[4].full_page.frame = 0x123456789ull;
    gnttab_entry_target(&v2[4], 2, &t);
    assert_true(t.frame == 0x123456789ull && t.length == PAGE_SIZE && !t.sub_page && !t.transitive);

    v2[4].hdr.flags = GTF_permit_access | GTF_sub_page;
    v2[4].sub_page.page_off = 100;
    v2[4].sub_page.length = 200;
    v2[4].sub_page.frame = 77;
    gnttab_entry_target(&v2[4], 2, &t);
    assert_true(t.frame == 77 && t.start == 100 && t.length == 200 && t.sub_page && !t.transitive);

    v2[4].hdr.flags = GTF_transitive;
    v2[4].transitive.trans_domid = OTHER;
    v2[4].transitive.gref = 99;
    gnttab_entry_target(&v2[4], 2, &t);
    assert_true(t.transitive && t.trans_domid == OTHER && t.trans_gref == 99);
}

static void test_transfer(void **state)
{
    (void)state;
    grant1(5, GTF_accept_transfer, ME, 0x1000);
    assert_false(gnttab_entry_commit_transfer((uint32_t *)&v1[5], OTHER));
    assert_int_equal(v1[5].flags, GTF_accept_transfer);
    assert_true(gnttab_entry_commit_transfer((uint32_t *)&v1[5], ME));
    assert_int_equal(v1[5].flags, GTF_accept_transfer | GTF_transfer_committed);
    /* Committed once only. */
    assert_false(gnttab_entry_commit_transfer((uint32_t *)&v1[5], ME));
    gnttab_entry_complete_transfer(&v1[5], 1, 0x4242);
    assert_int_equal(v1[5].frame, 0x4242);
    assert_int_equal(v1[5].flags, GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed);

    grant1(6, GTF_permit_access, ME, 1);
    assert_false(gnttab_entry_commit_transfer((uint32_t *)&v1[6], ME));
    grant1(6, GTF_accept_transfer | GTF_readonly, ME, 1);  /* any other bit: not an offer */
    assert_false(gnttab_entry_commit_transfer((uint32_t *)&v1[6], ME));

    v2[6].hdr.flags = GTF_accept_transfer;
    v2[6].hdr.domid = ME;
    assert_true(gnttab_entry_commit_transfer((uint32_t *)&v2[6].hdr, ME));
    gnttab_entry_complete_transfer(&v2[6], 2, 0x123456789ul);
    assert_true(v2[6].full_page.frame == 0x123456789ull);
    assert_int_equal(v2[6].hdr.flags, GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed);
}

static void test_reserved_entries(void **state)
{
    grant_entry_v1_t saved[GNTTAB_NR_RESERVED_ENTRIES], back[GNTTAB_NR_RESERVED_ENTRIES];

    (void)state;
    grant1(0, GTF_permit_access | GTF_reading, 1, 0x10);
    grant1(1, GTF_permit_access | GTF_readonly, 2, 0x20);
    grant1(2, GTF_accept_transfer, 3, 0x30);
    gnttab_reserved_save_v1(v1, saved);
    gnttab_reserved_restore_v2(v2, st, saved);
    assert_int_equal(v2[0].hdr.flags, GTF_permit_access);
    assert_int_equal(st[0], GTF_reading);
    assert_true(v2[0].full_page.frame == 0x10 && v2[0].hdr.domid == 1);
    assert_true(v2[1].hdr.flags == (GTF_permit_access | GTF_readonly) && v2[1].full_page.frame == 0x20);
    assert_int_equal(gnttab_reserved_v1_representable(v2), 0);

    /* Back: only full-page permit_access entries survive, with their status bits. */
    gnttab_reserved_save_v2(v2, st, back);
    assert_true(back[0].flags == (GTF_permit_access | GTF_reading) && back[0].domid == 1 && back[0].frame == 0x10);
    assert_true(back[1].flags == (GTF_permit_access | GTF_readonly) && back[1].frame == 0x20);
    assert_true(back[2].flags == 0 && back[2].frame == 0);
    memset(v1, 0xff, sizeof(v1));
    gnttab_reserved_restore_v1(v1, back);
    assert_int_equal(v1[0].frame, 0x10);
    assert_int_equal(v1[7].flags, 0);

    v2[3].hdr.flags = GTF_permit_access;
    v2[3].full_page.frame = 1ull << 32;
    assert_int_equal(gnttab_reserved_v1_representable(v2), -ERANGE);
    v2[3].full_page.frame = 5;
    v2[4].hdr.flags = GTF_transitive;
    assert_int_equal(gnttab_reserved_v1_representable(v2), -ERANGE);
    v2[4].hdr.flags = 0;
    v2[8].hdr.flags = GTF_transitive;           /* not a reserved entry */
    assert_int_equal(gnttab_reserved_v1_representable(v2), 0);
}

/* A guest thread that keeps rewriting the entry while the hypervisor pins it. */
static volatile bool stop;

static void *guest_flipper(void *arg)
{
    uint32_t *w = arg;
    unsigned int i = 0;

    while ( !stop )
    {
        /* Toggle an unrelated bit (cache attributes), as a guest legitimately may. */
        __atomic_fetch_xor(w, GTF_PWT, __ATOMIC_SEQ_CST);
        if ( ++i % 64 == 0 )
            __atomic_fetch_xor(w, GTF_readonly, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void test_v1_racing_guest(void **state)
{
    struct grant_entry_view e = view1(8);
    unsigned int ok = 0, refused = 0;
    pthread_t t;

    (void)state;
    stop = false;
    grant1(8, GTF_permit_access, ME, 1);
    assert_int_equal(pthread_create(&t, NULL, guest_flipper, &v1[8]), 0);
    for ( unsigned int i = 0; i < 20000; i++ )
    {
        int rc = gnttab_entry_pin(&e, false, false, false, ME);
        uint16_t f = __atomic_load_n(&v1[8].flags, __ATOMIC_SEQ_CST);

        if ( rc == GNTST_okay )
        {
            ok++;
            /* Pinned writable: both bits set (and the pin happened while it was not read-only). */
            assert_true((f & (GTF_reading | GTF_writing)) == (GTF_reading | GTF_writing));
        }
        else
            refused++;
        __atomic_fetch_and(&v1[8].flags, (uint16_t)~(GTF_reading | GTF_writing), __ATOMIC_SEQ_CST);
    }
    stop = true;
    pthread_join(t, NULL);
    assert_int_equal(ok + refused, 20000);
    assert_int_equal(v1[8].domid, ME);
    assert_int_equal(v1[8].frame, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_v1_pin_rules, reset),
        cmocka_unit_test_setup(test_v1_pinned_entry, reset),
        cmocka_unit_test_setup(test_v2_pin_rules, reset),
        cmocka_unit_test_setup(test_unpin_flags, reset),
        cmocka_unit_test_setup(test_pin_overflow_and_cover, reset),
        cmocka_unit_test_setup(test_target, reset),
        cmocka_unit_test_setup(test_transfer, reset),
        cmocka_unit_test_setup(test_reserved_entries, reset),
        cmocka_unit_test_setup(test_v1_racing_guest, reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
