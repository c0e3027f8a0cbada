/*
 * test_grant_maptrack.c - the maptrack allocator (common/grant_maptrack.c): handles in order, growth
 * one frame at a time up to the limit, exhaustion (also when the heap is empty), the FIFO reuse of
 * freed handles, the record life cycle (reserved, published, claimed, partly unmapped, freed) and
 * its refusals, iteration for destruction, concurrent allocation and teardown from several threads,
 * and that destruction returns every frame (and refuses to forget a live mapping).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <parva/mm.h>
#include <asm/mm.h>
#include "../../hypervisor/common/grant_private.h"

#define NR_FRAMES   2048UL
#define PER_PAGE    ((unsigned int)MAPTRACK_PER_PAGE)

static struct page_info *table;
static unsigned long heap_start;

static int group_setup(void **state)
{
    (void)state;
    table = calloc(NR_FRAMES, sizeof(*table));
    assert_non_null(table);
    for ( unsigned long i = 0; i < NR_FRAMES; i++ )
        table[i].count_info = PGC_state_reserved;
    frame_table = table;
    max_page = NR_FRAMES;
    harness_ram_init(NR_FRAMES);
    heap_add_pages(1, NR_FRAMES - 1);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    harness_ram_free();
    free(table);
    return 0;
}

static int note_heap(void **state)
{
    (void)state;
    heap_start = heap_free_count();
    return 0;
}

/* xmalloc may keep one spare page per size class. */
static void assert_heap_back(void)
{
    assert_true(heap_free_count() <= heap_start && heap_start - heap_free_count() <= 8);
}

#define GRT ((struct grant_table *)0x1000)      /* records only store the pointer */

static void test_order_and_growth(void **state)
{
    struct maptrack mt;
    unsigned int h, i;

    (void)state;
    assert_int_equal(maptrack_init(&mt, 2), 0);
    assert_int_equal(mt.limit, 0);
    for ( i = 0; i < 2 * PER_PAGE; i++ )
    {
        h = maptrack_get(&mt);
        assert_int_equal(h, i);
        assert_int_equal(mt.limit, (i / PER_PAGE + 1) * PER_PAGE);
    }
    assert_int_equal(mt.in_use, 2 * PER_PAGE);
    assert_int_equal(maptrack_get(&mt), MAPTRACK_NONE);        /* at the limit */
    assert_int_equal(mt.limit, 2 * PER_PAGE);
    for ( i = 0; i < 2 * PER_PAGE; i++ )
        maptrack_put(&mt, i);
    assert_int_equal(mt.in_use, 0);
    maptrack_destroy(&mt);
    assert_heap_back();

    assert_int_equal(maptrack_init(&mt, 0), 0);
    assert_int_equal(maptrack_get(&mt), MAPTRACK_NONE);        /* a domain that may map nothing */
    maptrack_destroy(&mt);
    assert_heap_back();
}

static void test_fifo_reuse(void **state)
{
    struct maptrack mt;
    unsigned int i;

    (void)state;
    assert_int_equal(maptrack_init(&mt, 1), 0);
    for ( i = 0; i < 10; i++ )
        assert_int_equal(maptrack_get(&mt), i);
    maptrack_put(&mt, 3);
    /* 3 went to the tail: everything never used comes first. */
    for ( i = 10; i < PER_PAGE; i++ )
        assert_int_equal(maptrack_get(&mt), i);
    assert_int_equal(maptrack_get(&mt), 3);
    assert_int_equal(maptrack_get(&mt), MAPTRACK_NONE);
    maptrack_put(&mt, 7);
    maptrack_put(&mt, 5);
    assert_int_equal(maptrack_get(&mt), 7);
    assert_int_equal(maptrack_get(&mt), 5);
    for ( i = 0; i < PER_PAGE; i++ )
        maptrack_put(&mt, i);
    maptrack_destroy(&mt);
    assert_heap_back();
}

static void test_record_life(void **state)
{
    struct maptrack mt;
    struct grant_mapping m;
    unsigned int h, h2;

    (void)state;
    assert_int_equal(maptrack_init(&mt, 4), 0);
    h = maptrack_get(&mt);
    /* Reserved: not a mapping yet. */
    assert_false(maptrack_claim(&mt, h, &m));
    maptrack_publish(&mt, h, 42, 7, GRT, GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly);
    assert_true(maptrack_claim(&mt, h, &m));
    assert_int_equal(m.ref, 42);
    assert_int_equal(m.domid, 7);
    assert_ptr_equal(m.rgt, GRT);
    assert_int_equal(m.flags, GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly);
    /* Claimed: a concurrent unmap of the same handle is refused. */
    assert_false(maptrack_claim(&mt, h, &m));
    /* The host part went, the device part stays. */
    maptrack_unclaim(&mt, h, GNTMAP_device_map | GNTMAP_readonly);
    assert_true(maptrack_claim(&mt, h, &m));
    assert_int_equal(m.flags, GNTMAP_device_map | GNTMAP_readonly);
    assert_int_equal(mt.in_use, 1);
    /* Nothing left: free again, and a second unmap finds it free. */
    maptrack_unclaim(&mt, h, GNTMAP_readonly);
    assert_int_equal(mt.in_use, 0);
    assert_false(maptrack_claim(&mt, h, &m));
    /* Handles that do not exist. */
    assert_false(maptrack_claim(&mt, mt.limit, &m));
    assert_false(maptrack_claim(&mt, ~0u - 1, &m));
    assert_false(maptrack_claim(&mt, MAPTRACK_NONE, &m));

    /* A claim that changes nothing (a failed unmap) leaves it as it was. */
    h2 = maptrack_get(&mt);
    maptrack_publish(&mt, h2, 1, 2, GRT, GNTMAP_host_map);
    assert_true(maptrack_claim(&mt, h2, &m));
    maptrack_unclaim(&mt, h2, m.flags);
    assert_true(maptrack_claim(&mt, h2, &m));
    maptrack_unclaim(&mt, h2, 0);

    /* Publishing without a mapping part, or twice, is a hypervisor bug. */
    h = maptrack_get(&mt);
    expect_assert_failure(maptrack_publish(&mt, h, 1, 2, GRT, GNTMAP_readonly));
    maptrack_put(&mt, h);
    maptrack_destroy(&mt);
    assert_heap_back();
}

static void test_claim_next(void **state)
{
    struct maptrack mt;
    struct grant_mapping m;
    unsigned int h, i, seen = 0;

    (void)state;
    assert_int_equal(maptrack_init(&mt, 4), 0);
    for ( i = 0; i < 600; i++ )
    {
        h = maptrack_get(&mt);
        assert_int_equal(h, i);
        if ( i % 3 == 0 )
            maptrack_publish(&mt, h, i, 1, GRT, GNTMAP_host_map);
    }
    /* Reserved (unpublished) records are not mappings; published ones are found once each, in order. */
    for ( h = 0; maptrack_claim_next(&mt, &h, &m); h++ )
    {
        assert_int_equal(h % 3, 0);
        assert_int_equal(m.ref, h);
        maptrack_unclaim(&mt, h, 0);
        seen++;
    }
    assert_int_equal(seen, 200);
    for ( i = 0; i < 600; i++ )
        if ( i % 3 )
            maptrack_put(&mt, i);
    assert_int_equal(mt.in_use, 0);
    maptrack_destroy(&mt);
    assert_heap_back();
}

static void test_destroy_refuses_live_mappings(void **state)
{
    struct maptrack mt;
    unsigned int h;

    (void)state;
    assert_int_equal(maptrack_init(&mt, 1), 0);
    h = maptrack_get(&mt);
    maptrack_publish(&mt, h, 1, 2, GRT, GNTMAP_host_map);
    expect_assert_failure(maptrack_destroy(&mt));
    mt.lock.head = mt.lock.tail;                /* the BUG left the lock as it was: nothing to undo */
    {
        struct grant_mapping m;

        assert_true(maptrack_claim(&mt, h, &m));
        maptrack_unclaim(&mt, h, 0);
    }
    maptrack_destroy(&mt);
    assert_heap_back();
}

static void test_heap_exhausted(void **state)
{
    struct maptrack mt;
    struct page_info *held[NR_FRAMES];
    unsigned int n = 0, h;

    (void)state;
    assert_int_equal(maptrack_init(&mt, 8), 0);
    h = maptrack_get(&mt);                      /* the first frame */
    while ( (held[n] = heap_alloc_pages(0, 0)) != NULL )
        n++;
    for ( unsigned int i = 1; i < PER_PAGE; i++ )
        assert_int_equal(maptrack_get(&mt), i);
    assert_int_equal(maptrack_get(&mt), MAPTRACK_NONE);        /* no frame for more */
    while ( n )
        heap_free_pages(held[--n], 0);
    assert_int_equal(maptrack_get(&mt), PER_PAGE);              /* grows again */
    for ( unsigned int i = 0; i <= PER_PAGE; i++ )
        maptrack_put(&mt, i);
    (void)h;
    maptrack_destroy(&mt);
    assert_heap_back();
}

/* Threads allocating, publishing, claiming and freeing handles of one maptrack. */
static struct maptrack shared_mt;
static unsigned int owner_of[4 * 256];

static void *worker(void *arg)
{
    unsigned int me = (unsigned int)(uintptr_t)arg, mine[64], n = 0;

    for ( unsigned int round = 0; round < 2000; round++ )
    {
        struct grant_mapping m;
        unsigned int h;

        if ( n < 64 && (round % 3 != 2) && (h = maptrack_get(&shared_mt)) != MAPTRACK_NONE )
        {
            assert_true(__atomic_exchange_n(&owner_of[h], me + 1, __ATOMIC_SEQ_CST) == 0);
            maptrack_publish(&shared_mt, h, h, (domid_t)me, GRT, GNTMAP_host_map);
            mine[n++] = h;
        }
        else if ( n )
        {
            h = mine[--n];
            assert_true(maptrack_claim(&shared_mt, h, &m));
            assert_int_equal(m.ref, h);
            assert_int_equal(m.domid, me);
            assert_true(__atomic_exchange_n(&owner_of[h], 0, __ATOMIC_SEQ_CST) == me + 1);
            maptrack_unclaim(&shared_mt, h, 0);
        }
    }
    while ( n )
    {
        struct grant_mapping m;
        unsigned int h = mine[--n];

        assert_true(maptrack_claim(&shared_mt, h, &m));
        __atomic_store_n(&owner_of[h], 0, __ATOMIC_SEQ_CST);
        maptrack_unclaim(&shared_mt, h, 0);
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    pthread_t t[4];

    (void)state;
    memset(owner_of, 0, sizeof(owner_of));
    assert_int_equal(maptrack_init(&shared_mt, 4), 0);
    for ( uintptr_t i = 0; i < 4; i++ )
        assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for ( unsigned int i = 0; i < 4; i++ )
        pthread_join(t[i], NULL);
    assert_int_equal(shared_mt.in_use, 0);
    assert_true(shared_mt.limit <= 4 * PER_PAGE);
    maptrack_destroy(&shared_mt);
    assert_heap_back();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_order_and_growth, note_heap),
        cmocka_unit_test_setup(test_fifo_reuse, note_heap),
        cmocka_unit_test_setup(test_record_life, note_heap),
        cmocka_unit_test_setup(test_claim_next, note_heap),
        cmocka_unit_test_setup(test_destroy_refuses_live_mappings, note_heap),
        cmocka_unit_test_setup(test_heap_exhausted, note_heap),
        cmocka_unit_test_setup(test_concurrent, note_heap),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
