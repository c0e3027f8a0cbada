/* test_event_2l.c - the 2-level event bits (common/event_2l.c): pending, mask, selector, upcall, kicks. */
#include <pthread.h>
#include <string.h>
#include <parva/domain.h>
#include <parva/event.h>
#include <asm/mm.h>

/*
 * One fake domain: shared_info in harness frame 0, a guest-registered
 * vcpu_info page in frame 1.  vCPU 0 uses shared_info's vcpu_info[0],
 * vCPU 1 a vcpu_info registered in frame 1 (at offset 64), vCPU 2 none yet
 * (a vCPU above 32 before VCPUOP_register_vcpu_info).
 */
#define NR_VCPUS    3
#define REG_OFFSET  64

static struct domain dom;
static struct vcpu vcpus[NR_VCPUS];
static struct vcpu *vcpu_ptrs[NR_VCPUS];
static struct shared_info *si;
static struct vcpu_info *reg_vi;
static unsigned int kicks[NR_VCPUS];

void vcpu_kick(struct vcpu *v)
{
    __atomic_fetch_add(&kicks[v - vcpus], 1, __ATOMIC_SEQ_CST);
}

static int group_setup(void **state)
{
    (void)state;
    harness_ram_init(2);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    harness_ram_free();
    return 0;
}

static int setup(void **state)
{
    unsigned int i;

    (void)state;
    memset(harness_ram, 0, 2 * PAGE_SIZE);
    memset(&dom, 0, sizeof(dom));
    memset(vcpus, 0, sizeof(vcpus));
    memset(kicks, 0, sizeof(kicks));
    si = mfn_to_virt(0);
    reg_vi = (struct vcpu_info *)((char *)mfn_to_virt(1) + REG_OFFSET);
    dom.shared_info = si;
    dom.max_vcpus = NR_VCPUS;
    dom.vcpu = vcpu_ptrs;
    for ( i = 0; i < NR_VCPUS; i++ )
    {
        vcpus[i].vcpu_id = i;
        vcpus[i].domain = &dom;
        vcpu_ptrs[i] = &vcpus[i];
    }
    vcpus[0].vcpu_info = &si->vcpu_info[0];
    vcpus[1].vcpu_info = reg_vi;
    vcpus[2].vcpu_info = NULL;
    /* A guest runs with events masked at first; the hypervisor's bits do not depend on it. */
    si->vcpu_info[0].evtchn_upcall_mask = 1;
    return 0;
}

#define V0  (&vcpus[0])
#define V1  (&vcpus[1])
#define V2  (&vcpus[2])

static bool bit(const xen_ulong_t *words, unsigned int nr)
{
    return (words[nr / 64] >> (nr % 64)) & 1;
}

static void set_mask(unsigned int port)
{
    si->evtchn_mask[port / 64] |= 1UL << (port % 64);
}

/* The guest's side of an upcall: take the selector word and the upcall flag. */
static void guest_ack(struct vcpu_info *vi)
{
    vi->evtchn_upcall_pending = 0;
    vi->evtchn_pending_sel = 0;
}

static unsigned int nr_pending_bits(void)
{
    unsigned int i, n = 0;

    for ( i = 0; i < 64; i++ )
        n += __builtin_popcountl(si->evtchn_pending[i]);
    return n;
}

/* ---- raising ---- */

static void test_raise_sets_pending_selector_and_upcall_and_kicks(void **state)
{
    (void)state;
    assert_true(evtchn_2l_set_pending(V0, 70));
    assert_true(bit(si->evtchn_pending, 70));
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 1UL << 1);
    assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
    assert_int_equal(kicks[0], 1);
    assert_int_equal(nr_pending_bits(), 1);
    assert_int_equal(si->vcpu_info[0].evtchn_upcall_mask, 1);  /* untouched: the guest's to change */
}

static void test_raise_of_an_already_pending_port_stops_at_once(void **state)
{
    (void)state;
    assert_true(evtchn_2l_set_pending(V0, 5));
    guest_ack(&si->vcpu_info[0]);           /* selector and upcall taken, pending bit not yet cleared */
    assert_false(evtchn_2l_set_pending(V0, 5));
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
    assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
    assert_int_equal(kicks[0], 1);
}

static void test_raise_with_selector_already_set_does_not_kick_again(void **state)
{
    (void)state;
    assert_true(evtchn_2l_set_pending(V0, 64));
    si->vcpu_info[0].evtchn_upcall_pending = 0;     /* cleared, but the selector word is still set */
    assert_true(evtchn_2l_set_pending(V0, 65));     /* same word */
    assert_true(bit(si->evtchn_pending, 65));
    assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
    assert_int_equal(kicks[0], 1);
}

static void test_raise_with_upcall_already_pending_sets_selector_without_kick(void **state)
{
    (void)state;
    assert_true(evtchn_2l_set_pending(V0, 1));
    assert_true(evtchn_2l_set_pending(V0, 200));    /* another word; upcall still pending */
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, (1UL << 0) | (1UL << 3));
    assert_int_equal(kicks[0], 1);
    guest_ack(&si->vcpu_info[0]);
    si->evtchn_pending[0] = si->evtchn_pending[3] = 0;
    assert_true(evtchn_2l_set_pending(V0, 1));      /* all acknowledged: a new upcall and kick */
    assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
    assert_int_equal(kicks[0], 2);
}

static void test_masked_port_gets_pending_bit_only(void **state)
{
    (void)state;
    set_mask(300);
    assert_true(evtchn_2l_set_pending(V0, 300));
    assert_true(bit(si->evtchn_pending, 300));
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
    assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
    assert_int_equal(kicks[0], 0);
    assert_true(evtchn_2l_is_masked(&dom, 300));
    assert_true(evtchn_2l_is_pending(&dom, 300));
}

static void test_first_and_last_ports_use_the_edge_bits(void **state)
{
    (void)state;
    assert_true(evtchn_2l_set_pending(V0, 0));
    assert_true(evtchn_2l_set_pending(V0, EVTCHN_NR_PORTS - 1));
    assert_int_equal(si->evtchn_pending[0], 1UL);
    assert_int_equal(si->evtchn_pending[63], 1UL << 63);
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, (1UL << 63) | 1UL);
}

static void test_registered_vcpu_info_gets_the_selector_and_upcall(void **state)
{
    (void)state;
    assert_true(evtchn_2l_set_pending(V1, 130));
    assert_int_equal(reg_vi->evtchn_pending_sel, 1UL << 2);
    assert_int_equal(reg_vi->evtchn_upcall_pending, 1);
    assert_int_equal(si->vcpu_info[1].evtchn_pending_sel, 0);  /* not the legacy slot */
    assert_int_equal(si->vcpu_info[1].evtchn_upcall_pending, 0);
    assert_int_equal(kicks[1], 1);
}

static void test_vcpu_without_vcpu_info_gets_the_pending_bit_only(void **state)
{
    (void)state;
    assert_true(evtchn_2l_set_pending(V2, 9));
    assert_true(bit(si->evtchn_pending, 9));
    assert_int_equal(si->vcpu_info[2].evtchn_pending_sel, 0);
    assert_int_equal(kicks[2], 0);
    evtchn_mark_events_pending(V2);
    assert_int_equal(kicks[2], 0);
    evtchn_2l_unmask(V2, 9);                /* no crash either */
}

static void test_raising_a_port_beyond_the_abi_is_a_bug(void **state)
{
    (void)state;
    expect_assert_failure(evtchn_2l_set_pending(V0, EVTCHN_NR_PORTS));
    expect_assert_failure(evtchn_2l_unmask(V0, EVTCHN_NR_PORTS));
    expect_assert_failure(evtchn_2l_clear_pending(&dom, EVTCHN_NR_PORTS));
    assert_int_equal(nr_pending_bits(), 0);
}

/* ---- unmasking ---- */

static void test_unmask_of_masked_pending_port_raises_selector_and_upcall(void **state)
{
    (void)state;
    set_mask(77);
    evtchn_2l_set_pending(V1, 77);
    assert_int_equal(kicks[1], 0);
    evtchn_2l_unmask(V1, 77);
    assert_false(evtchn_2l_is_masked(&dom, 77));
    assert_int_equal(reg_vi->evtchn_pending_sel, 1UL << 1);
    assert_int_equal(reg_vi->evtchn_upcall_pending, 1);
    assert_int_equal(kicks[1], 1);
}

static void test_unmask_of_masked_idle_port_only_clears_the_mask(void **state)
{
    (void)state;
    set_mask(77);
    set_mask(78);
    evtchn_2l_unmask(V0, 77);
    assert_false(bit(si->evtchn_mask, 77));
    assert_true(bit(si->evtchn_mask, 78));
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
    assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
    assert_int_equal(kicks[0], 0);
}

static void test_unmask_of_unmasked_pending_port_does_nothing(void **state)
{
    (void)state;
    /* As Xen: only clearing a set mask bit re-raises; the guest has seen (or will see) this one. */
    si->evtchn_pending[0] = 1UL << 4;
    evtchn_2l_unmask(V0, 4);
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
    assert_int_equal(kicks[0], 0);
}

static void test_unmask_with_selector_already_set_does_not_kick(void **state)
{
    (void)state;
    set_mask(10);
    evtchn_2l_set_pending(V0, 11);          /* word 0: selector and upcall set, one kick */
    evtchn_2l_set_pending(V0, 10);
    evtchn_2l_unmask(V0, 10);
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 1UL);
    assert_int_equal(kicks[0], 1);
}

/* ---- clearing, queries, the upcall ---- */

static void test_clear_pending_clears_only_that_port(void **state)
{
    (void)state;
    evtchn_2l_set_pending(V0, 100);
    evtchn_2l_set_pending(V0, 101);
    evtchn_2l_clear_pending(&dom, 100);
    assert_false(evtchn_2l_is_pending(&dom, 100));
    assert_true(evtchn_2l_is_pending(&dom, 101));
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 1UL << 1);  /* the selector is the guest's */
}

static void test_queries_beyond_the_abi_say_idle_and_masked(void **state)
{
    (void)state;
    memset(si->evtchn_pending, 0xff, sizeof(si->evtchn_pending));
    assert_false(evtchn_2l_is_pending(&dom, EVTCHN_NR_PORTS));
    assert_false(evtchn_2l_is_pending(&dom, ~0U));
    assert_true(evtchn_2l_is_masked(&dom, EVTCHN_NR_PORTS));
    assert_false(evtchn_2l_is_masked(&dom, 0));
    assert_true(evtchn_2l_is_pending(&dom, EVTCHN_NR_PORTS - 1));
}

static void test_mark_events_pending_kicks_only_on_the_first_raise(void **state)
{
    (void)state;
    evtchn_mark_events_pending(V0);
    evtchn_mark_events_pending(V0);
    assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
    assert_int_equal(kicks[0], 1);
    si->vcpu_info[0].evtchn_upcall_pending = 0;
    evtchn_mark_events_pending(V0);
    assert_int_equal(kicks[0], 2);
}

/* ---- concurrency: the read-modify-writes are atomic ---- */

struct raiser {
    unsigned int first;
    unsigned int n;
    unsigned int newly;
};

static void *raise_range(void *arg)
{
    struct raiser *r = arg;
    unsigned int i, round;

    for ( round = 0; round < 2; round++ )       /* the second round finds every port pending */
        for ( i = 0; i < r->n; i++ )
            r->newly += evtchn_2l_set_pending(V0, (r->first + i * 4) % EVTCHN_NR_PORTS);
    return NULL;
}

static void test_concurrent_raises_lose_no_bit_and_kick_once(void **state)
{
    struct raiser r[4];
    pthread_t th[4];
    unsigned int i;

    (void)state;
    for ( i = 0; i < 4; i++ )
    {
        r[i] = (struct raiser){ .first = i, .n = EVTCHN_NR_PORTS / 4 };
        assert_int_equal(pthread_create(&th[i], NULL, raise_range, &r[i]), 0);
    }
    for ( i = 0; i < 4; i++ )
    {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(r[i].newly, EVTCHN_NR_PORTS / 4);  /* threads share words, not ports */
    }
    assert_int_equal(nr_pending_bits(), EVTCHN_NR_PORTS);
    assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, ~0UL);
    assert_int_equal(kicks[0], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, setup)
        T(test_raise_sets_pending_selector_and_upcall_and_kicks),
        T(test_raise_of_an_already_pending_port_stops_at_once),
        T(test_raise_with_selector_already_set_does_not_kick_again),
        T(test_raise_with_upcall_already_pending_sets_selector_without_kick),
        T(test_masked_port_gets_pending_bit_only),
        T(test_first_and_last_ports_use_the_edge_bits),
        T(test_registered_vcpu_info_gets_the_selector_and_upcall),
        T(test_vcpu_without_vcpu_info_gets_the_pending_bit_only),
        T(test_raising_a_port_beyond_the_abi_is_a_bug),
        T(test_unmask_of_masked_pending_port_raises_selector_and_upcall),
        T(test_unmask_of_masked_idle_port_only_clears_the_mask),
        T(test_unmask_of_unmasked_pending_port_does_nothing),
        T(test_unmask_with_selector_already_set_does_not_kick),
        T(test_clear_pending_clears_only_that_port),
        T(test_queries_beyond_the_abi_say_idle_and_masked),
        T(test_mark_events_pending_kicks_only_on_the_first_raise),
        T(test_concurrent_raises_lose_no_bit_and_kick_once),
#undef T
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
