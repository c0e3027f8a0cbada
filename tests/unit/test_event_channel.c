/*
 * test_event_channel.c - event channel ports and HYPERVISOR_event_channel_op (common/event_channel.c
 * with common/event_2l.c): every operation's results and errors, VIRQs, close and destroy semantics,
 * buckets and exhaustion, polling, and concurrent use of an interdomain channel.
 *
 * Fixture: four domains (ids 0 (privileged), 1, 2 and 5), three vCPUs each,
 * shared_info pages in harness RAM.  Test-only stand-ins: xmalloc (the C
 * library's, counted, with a failure switch), the domain list and its
 * reference counts (the last put_domain() destroys the event state, as
 * domain_destroy() does), guest copies (guest addresses are host pointers,
 * with failure switches), vcpu_kick() (counted), and `current`: the
 * hypercall runs on a STACK_SIZE-aligned stack block whose struct cpu_info
 * names the calling vCPU, so asm/pv.h's real `current` works.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/mm.h>
#include <asm/current.h>
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/pv.h>

#define NR_DOMS     4
#define NR_VCPUS    3
#define NR_BUCKETS  (EVTCHN_NR_PORTS / 64)

static const domid_t dom_ids[NR_DOMS] = { 0, 1, 2, 5 };
static struct domain dom[NR_DOMS];
static struct vcpu vcpus[NR_DOMS][NR_VCPUS];
static struct vcpu *vcpu_ptrs[NR_DOMS][NR_VCPUS];
static bool destroyed[NR_DOMS];
static unsigned int kicks[NR_DOMS][NR_VCPUS];

#define D0  (&dom[0])
#define D1  (&dom[1])
#define D2  (&dom[2])
#define D5  (&dom[3])

/* ---- stand-ins ---- */

static long live_allocs;            /* xmalloc objects not yet freed */
static unsigned long nr_allocs;     /* xmalloc calls that succeeded */
static int fail_alloc_in = -1;      /* fail the allocation after this many more succeed (-1: never) */

void *xzalloc_bytes(size_t size)
{
    void *p;

    if ( fail_alloc_in == 0 )
    {
        fail_alloc_in = -1;
        return NULL;
    }
    if ( fail_alloc_in > 0 )
        fail_alloc_in--;
    p = calloc(1, size ? size : 1);
    assert_non_null(p);
    __atomic_fetch_add(&live_allocs, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&nr_allocs, 1, __ATOMIC_SEQ_CST);
    return p;
}

void *xmalloc_bytes(size_t size)
{
    return xzalloc_bytes(size);
}

void *xzalloc_array_bytes(size_t size, size_t n)
{
    if ( n && size > SIZE_MAX / n )
        return NULL;
    return xzalloc_bytes(size * n);
}

void xfree(void *p)
{
    if ( !p )
        return;
    __atomic_fetch_sub(&live_allocs, 1, __ATOMIC_SEQ_CST);
    free(p);
}

static unsigned int dom_index(const struct domain *d)
{
    return (unsigned int)(d - dom);
}

bool get_domain(struct domain *d)
{
    unsigned int x = __atomic_load_n(&d->refcnt, __ATOMIC_SEQ_CST);

    do {
        if ( x == 0 )
            return false;
    } while ( !__atomic_compare_exchange_n(&d->refcnt, &x, x + 1, false, __ATOMIC_SEQ_CST,
                                           __ATOMIC_SEQ_CST) );
    return true;
}

/* The last reference: what domain_destroy() does for event channels. */
void put_domain(struct domain *d)
{
    if ( __atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_SEQ_CST) == 0 )
    {
        d->is_dying = true;
        evtchn_destroy(d);
        destroyed[dom_index(d)] = true;
    }
}

struct domain *domain_lookup(domid_t id)
{
    unsigned int i;

    for ( i = 0; i < NR_DOMS; i++ )
        if ( dom[i].domain_id == id && !dom[i].is_dying && get_domain(&dom[i]) )
            return &dom[i];
    return NULL;
}

static bool fail_copy_from, fail_copy_to;
static unsigned long nr_copies_to;

unsigned long copy_from_guest_va(void *dst, unsigned long src, unsigned long n)
{
    if ( fail_copy_from || !src )
        return n;
    memcpy(dst, (const void *)src, n);
    return 0;
}

unsigned long copy_to_guest_va(unsigned long dst, const void *src, unsigned long n)
{
    if ( fail_copy_to || !dst )
        return n;
    memcpy((void *)dst, src, n);
    nr_copies_to++;
    return 0;
}

/* arch/x86/pirq.c is not under test here: no pirq is ever mapped, so binding one is refused. */
int pirq_guest_bind(struct domain *d, unsigned int pirq, unsigned int port, bool will_share)
{
    (void)d; (void)port; (void)will_share;
    return pirq >= 256 ? -EINVAL : -EPERM;
}

void pirq_guest_unbind(struct domain *d, unsigned int pirq, unsigned int port)
{
    (void)d; (void)pirq; (void)port;
    fail_msg("no pirq port can exist");
}

/* A kick of gate_vcpu waits, event lock held, until gate_open: how a test holds a domain's lock. */
static struct vcpu *gate_vcpu;
static bool gate_entered, gate_open;

void vcpu_kick(struct vcpu *v)
{
    __atomic_fetch_add(&kicks[dom_index(v->domain)][v->vcpu_id], 1, __ATOMIC_SEQ_CST);
    if ( v == __atomic_load_n(&gate_vcpu, __ATOMIC_ACQUIRE) )
    {
        __atomic_store_n(&gate_entered, true, __ATOMIC_RELEASE);
        while ( !__atomic_load_n(&gate_open, __ATOMIC_ACQUIRE) )
            ;
    }
}

/*
 * Run the hypercall as vCPU v: on a stack block laid out as the
 * hypervisor's, with v in its cpu_info, so that get_cpu_info() (and with it
 * `current`) finds it from the stack pointer.  One block per thread: 0 for
 * the test's main thread, 1 to 3 for the threads some tests start.
 */
static unsigned char hv_stacks[4][STACK_SIZE] __attribute__((__aligned__(STACK_SIZE)));

static long hypercall_on(unsigned int stack, struct vcpu *v, unsigned long cmd, unsigned long arg)
{
    struct cpu_info *ci = cpu_info_of_stack((unsigned long)hv_stacks[stack]);
    unsigned long top = (unsigned long)ci & ~15UL;
    register unsigned long rdi __asm__("rdi") = cmd;
    register unsigned long rsi __asm__("rsi") = arg;
    long (*fn)(unsigned long, unsigned long) = do_event_channel_op;
    long ret;

    ci->current_vcpu = v;
    __asm__ __volatile__("mov %%rsp, %%rbx\n\t"
                         "mov %[top], %%rsp\n\t"
                         "call *%[fn]\n\t"
                         "mov %%rbx, %%rsp"
                         : "=a"(ret), "+r"(rdi), "+r"(rsi)
                         : [top] "r"(top), [fn] "r"(fn)
                         : "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "memory", "cc",
                           "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                           "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    return ret;
}

static long hc(struct domain *d, unsigned long cmd, void *arg)
{
    return hypercall_on(0, d->vcpu[0], cmd, (unsigned long)arg);
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
    (void)state;
    harness_ram_init(NR_DOMS);
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
    unsigned int i, v;

    (void)state;
    memset(harness_ram, 0, NR_DOMS * PAGE_SIZE);
    memset(dom, 0, sizeof(dom));
    memset(vcpus, 0, sizeof(vcpus));
    memset(kicks, 0, sizeof(kicks));
    memset(destroyed, 0, sizeof(destroyed));
    live_allocs = 0;
    nr_allocs = 0;
    fail_alloc_in = -1;
    fail_copy_from = fail_copy_to = false;
    nr_copies_to = 0;
    gate_vcpu = NULL;
    gate_entered = gate_open = false;
    for ( i = 0; i < NR_DOMS; i++ )
    {
        dom[i].domain_id = dom_ids[i];
        dom[i].refcnt = 1;
        dom[i].is_privileged = i == 0;
        dom[i].max_vcpus = NR_VCPUS;
        dom[i].vcpu = vcpu_ptrs[i];
        dom[i].shared_info = mfn_to_virt(i);
        for ( v = 0; v < NR_VCPUS; v++ )
        {
            vcpus[i][v].vcpu_id = v;
            vcpus[i][v].domain = &dom[i];
            vcpus[i][v].vcpu_info = &dom[i].shared_info->vcpu_info[v];
            vcpu_ptrs[i][v] = &vcpus[i][v];
        }
        assert_int_equal(evtchn_init(&dom[i]), 0);
    }
    assert_int_equal(live_allocs, 2 * NR_DOMS);    /* per domain: its state and bucket 0 */
    return 0;
}

/* Every test ends with its references balanced, and destroying what is left frees everything. */
static int teardown(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < NR_DOMS; i++ )
    {
        if ( destroyed[i] )
            continue;
        assert_int_equal(dom[i].refcnt, 1);
        evtchn_destroy(&dom[i]);
        assert_null(dom[i].evtchn);
    }
    assert_int_equal(live_allocs, 0);
    return 0;
}

/* ---- operation wrappers: the port (> 0) on success, else the error ---- */

static long alloc_unbound(struct domain *d, domid_t target, domid_t remote)
{
    struct evtchn_alloc_unbound a = { .dom = target, .remote_dom = remote, .port = 0xdead };
    long rc = hc(d, EVTCHNOP_alloc_unbound, &a);

    return rc ? rc : (long)a.port;
}

static long bind_interdomain(struct domain *d, domid_t remote, uint32_t rport)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = rport };
    long rc = hc(d, EVTCHNOP_bind_interdomain, &b);

    return rc ? rc : (long)b.local_port;
}

static long bind_virq_on(struct domain *d, uint32_t virq, uint32_t vcpu)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
    long rc = hc(d, EVTCHNOP_bind_virq, &b);

    return rc ? rc : (long)b.port;
}

static long bind_ipi(struct domain *d, uint32_t vcpu)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = hc(d, EVTCHNOP_bind_ipi, &b);

    return rc ? rc : (long)b.port;
}

static long close_port(struct domain *d, uint32_t port)
{
    struct evtchn_close c = { .port = port };

    return hc(d, EVTCHNOP_close, &c);
}

static long send(struct domain *d, uint32_t port)
{
    struct evtchn_send s = { .port = port };

    return hc(d, EVTCHNOP_send, &s);
}

static long status(struct domain *d, domid_t target, uint32_t port, struct evtchn_status *st)
{
    memset(st, 0x5a, sizeof(*st));
    st->dom = target;
    st->port = port;
    return hc(d, EVTCHNOP_status, st);
}

static long bind_vcpu(struct domain *d, uint32_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

    return hc(d, EVTCHNOP_bind_vcpu, &b);
}

static long unmask(struct domain *d, uint32_t port)
{
    struct evtchn_unmask u = { .port = port };

    return hc(d, EVTCHNOP_unmask, &u);
}

static long reset(struct domain *d, domid_t target)
{
    struct evtchn_reset r = { .dom = target };

    return hc(d, EVTCHNOP_reset, &r);
}

/* The status of a port, which must succeed. */
static uint32_t state_of(struct domain *d, uint32_t port)
{
    struct evtchn_status st;

    assert_int_equal(status(d, DOMID_SELF, port, &st), 0);
    return st.status;
}

/* A connected channel: a's port returned, b's in *bport. */
static long connect(struct domain *a, struct domain *b, long *bport)
{
    long ap = alloc_unbound(a, DOMID_SELF, b->domain_id);

    assert_true(ap > 0);
    *bport = bind_interdomain(b, a->domain_id, (uint32_t)ap);
    assert_true(*bport > 0);
    return ap;
}

/* ---- shared_info helpers ---- */

static bool pending(struct domain *d, unsigned int port)
{
    return (d->shared_info->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

static void set_mask(struct domain *d, unsigned int port)
{
    d->shared_info->evtchn_mask[port / 64] |= 1UL << (port % 64);
}

static xen_ulong_t sel(struct domain *d, unsigned int v)
{
    return d->shared_info->vcpu_info[v].evtchn_pending_sel;
}

static uint8_t upcall(struct domain *d, unsigned int v)
{
    return d->shared_info->vcpu_info[v].evtchn_upcall_pending;
}

/* What the guest does with an upcall: clear the pending bits and the selectors. */
static void guest_ack_all(struct domain *d)
{
    unsigned int v;

    memset(d->shared_info->evtchn_pending, 0, sizeof(d->shared_info->evtchn_pending));
    for ( v = 0; v < NR_VCPUS; v++ )
    {
        d->shared_info->vcpu_info[v].evtchn_pending_sel = 0;
        d->shared_info->vcpu_info[v].evtchn_upcall_pending = 0;
    }
}

/* ---- alloc_unbound ---- */

static void test_alloc_unbound_gives_lowest_free_port_waiting_for_remote(void **state)
{
    struct evtchn_status st;

    (void)state;
    assert_int_equal(alloc_unbound(D1, DOMID_SELF, 2), 1);
    assert_int_equal(alloc_unbound(D1, 1, DOMID_SELF), 2);     /* own id; SELF as remote: itself */
    assert_int_equal(status(D1, DOMID_SELF, 1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 2);
    assert_int_equal(st.vcpu, 0);
    assert_int_equal(st.port, 1);               /* the input fields come back as they were */
    assert_int_equal(status(D1, DOMID_SELF, 2, &st), 0);
    assert_int_equal(st.u.unbound.dom, 1);
    assert_int_equal(alloc_unbound(D1, DOMID_SELF, 4321), 3);  /* any remote id is recorded, as Xen */
    assert_false(pending(D1, 1));
}

static void test_alloc_unbound_in_another_domain_needs_privilege(void **state)
{
    struct evtchn_status st;

    (void)state;
    assert_int_equal(alloc_unbound(D1, 2, 1), -EPERM);
    assert_int_equal(state_of(D2, 1), EVTCHNSTAT_closed);
    /* dom0 may: and DOMID_SELF as the remote means the caller, not the target. */
    assert_int_equal(alloc_unbound(D0, 2, DOMID_SELF), 1);
    assert_int_equal(status(D2, DOMID_SELF, 1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 0);
}

static void test_alloc_unbound_in_missing_domain_is_esrch(void **state)
{
    (void)state;
    assert_int_equal(alloc_unbound(D1, 3, 1), -ESRCH);
    assert_int_equal(alloc_unbound(D0, 3, 1), -ESRCH);
    assert_int_equal(alloc_unbound(D0, DOMID_XEN, 1), -ESRCH);
    assert_int_equal(alloc_unbound(D0, DOMID_IO, 1), -ESRCH);
    D2->is_dying = true;                        /* killed domains cannot be named either */
    assert_int_equal(alloc_unbound(D0, 2, 0), -ESRCH);
    D2->is_dying = false;
}

static void test_dying_domain_gets_no_new_ports(void **state)
{
    (void)state;
    D1->is_dying = true;
    assert_int_equal(alloc_unbound(D1, DOMID_SELF, 0), -EINVAL);
    assert_int_equal(bind_ipi(D1, 0), -EINVAL);
    assert_int_equal(bind_virq_on(D1, VIRQ_TIMER, 0), -EINVAL);
    D1->is_dying = false;
    assert_int_equal(bind_ipi(D1, 0), 1);
}

static void test_guest_copy_faults_are_efault(void **state)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 0 };

    (void)state;
    fail_copy_from = true;
    assert_int_equal(hc(D1, EVTCHNOP_alloc_unbound, &a), -EFAULT);
    fail_copy_from = false;
    assert_int_equal(state_of(D1, 1), EVTCHNSTAT_closed);      /* nothing was done */
    /* A fault writing the result back: -EFAULT, but the port stays allocated (as Xen). */
    fail_copy_to = true;
    assert_int_equal(hc(D1, EVTCHNOP_alloc_unbound, &a), -EFAULT);
    fail_copy_to = false;
    assert_int_equal(state_of(D1, 1), EVTCHNSTAT_unbound);
    assert_int_equal(hc(D1, EVTCHNOP_send, NULL), -EFAULT);
    assert_int_equal(hc(D1, EVTCHNOP_status, NULL), -EFAULT);
}

/* ---- bind_interdomain ---- */

static void test_bind_interdomain_connects_both_ends_and_flags_the_new_port(void **state)
{
    struct evtchn_status st;
    long p1, p2;

    (void)state;
    bind_ipi(D2, 0);                            /* so the ports differ on the two sides */
    p1 = alloc_unbound(D1, DOMID_SELF, 2);
    p2 = bind_interdomain(D2, 1, (uint32_t)p1);
    assert_int_equal(p1, 1);
    assert_int_equal(p2, 2);
    assert_int_equal(status(D1, DOMID_SELF, 1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 2);
    assert_int_equal(st.u.interdomain.port, 2);
    assert_int_equal(status(D2, DOMID_SELF, 2, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 1);
    assert_int_equal(st.u.interdomain.port, 1);
    /* Notifications to the unbound end may have been dropped: the new end starts pending. */
    assert_true(pending(D2, 2));
    assert_int_equal(upcall(D2, 0), 1);
    assert_int_equal(kicks[2][0], 1);
    assert_false(pending(D1, 1));
    assert_int_equal(D1->refcnt, 1);
}

static void test_bind_interdomain_accepts_only_an_unbound_port_offered_to_us(void **state)
{
    long p1, p2, other, ipi;

    (void)state;
    p1 = alloc_unbound(D1, DOMID_SELF, 2);
    other = alloc_unbound(D1, DOMID_SELF, 5);       /* for dom5, not dom2 */
    ipi = bind_ipi(D1, 0);
    assert_int_equal(bind_interdomain(D2, 1, (uint32_t)other), -EINVAL);
    assert_int_equal(bind_interdomain(D2, 1, (uint32_t)ipi), -EINVAL);
    assert_int_equal(bind_interdomain(D2, 1, 0), -EINVAL);          /* reserved */
    assert_int_equal(bind_interdomain(D2, 1, 20), -EINVAL);         /* free */
    assert_int_equal(bind_interdomain(D2, 1, 64), -EINVAL);         /* not even allocated */
    assert_int_equal(bind_interdomain(D2, 1, 0xffffffffU), -EINVAL);
    assert_int_equal(bind_interdomain(D2, 3, (uint32_t)p1), -ESRCH);
    assert_int_equal(bind_interdomain(D2, DOMID_XEN, (uint32_t)p1), -ESRCH);
    assert_int_equal(bind_interdomain(D2, DOMID_SELF, (uint32_t)p1), -EINVAL);  /* D2 has no port 1 */
    /* None of the failures left a port behind. */
    assert_int_equal(state_of(D2, 1), EVTCHNSTAT_closed);
    p2 = bind_interdomain(D2, 1, (uint32_t)p1);
    assert_int_equal(p2, 1);
    assert_int_equal(bind_interdomain(D5, 1, (uint32_t)p1), -EINVAL);   /* taken now */
    assert_int_equal(bind_interdomain(D2, 1, (uint32_t)p1), -EINVAL);   /* ... even for dom2 */
    assert_int_equal(bind_interdomain(D5, 1, (uint32_t)other), 1);
}

static void test_bind_interdomain_loopback_to_ourselves(void **state)
{
    struct evtchn_status st;
    long a, b;

    (void)state;
    a = alloc_unbound(D1, DOMID_SELF, DOMID_SELF);
    b = bind_interdomain(D1, DOMID_SELF, (uint32_t)a);
    assert_int_equal(b, 2);
    assert_true(pending(D1, 2));
    guest_ack_all(D1);
    assert_int_equal(send(D1, (uint32_t)b), 0);
    assert_true(pending(D1, (unsigned int)a));
    assert_false(pending(D1, (unsigned int)b));
    assert_int_equal(status(D1, DOMID_SELF, (uint32_t)a, &st), 0);
    assert_int_equal(st.u.interdomain.dom, 1);
    assert_int_equal(st.u.interdomain.port, 2);
    assert_int_equal(close_port(D1, (uint32_t)a), 0);
    assert_int_equal(status(D1, DOMID_SELF, (uint32_t)b, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);
}

/* ---- bind_virq ---- */

static void test_bind_virq_per_vcpu_and_twice(void **state)
{
    struct evtchn_status st;
    long t0, t1;

    (void)state;
    t0 = bind_virq_on(D1, VIRQ_TIMER, 0);
    t1 = bind_virq_on(D1, VIRQ_TIMER, 1);
    assert_int_equal(t0, 1);
    assert_int_equal(t1, 2);
    assert_int_equal(bind_virq_on(D1, VIRQ_TIMER, 0), -EEXIST);
    assert_int_equal(bind_virq_on(D1, VIRQ_TIMER, 1), -EEXIST);
    assert_int_equal(bind_virq_on(D1, VIRQ_TIMER, 2), 3);
    assert_int_equal(status(D1, DOMID_SELF, 2, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_virq);
    assert_int_equal(st.u.virq, VIRQ_TIMER);
    assert_int_equal(st.vcpu, 1);
    assert_int_equal(bind_virq_on(D2, VIRQ_TIMER, 0), 1);  /* per domain */
}

static void test_bind_virq_checks_virq_and_vcpu(void **state)
{
    (void)state;
    assert_int_equal(bind_virq_on(D1, NR_VIRQS, 0), -EINVAL);
    assert_int_equal(bind_virq_on(D1, 0x80000000U, 0), -EINVAL);
    assert_int_equal(bind_virq_on(D1, VIRQ_CONSOLE, 1), -EINVAL);   /* global: vCPU 0 only */
    assert_int_equal(bind_virq_on(D1, VIRQ_CONSOLE, 7), -EINVAL);   /* ... before the vCPU check */
    assert_int_equal(bind_virq_on(D1, VIRQ_TIMER, NR_VCPUS), -ENOENT);
    assert_int_equal(bind_virq_on(D1, VIRQ_DEBUG, 0xffffffffU), -ENOENT);
    assert_int_equal(state_of(D1, 1), EVTCHNSTAT_closed);
}

static void test_every_virq_below_nr_virqs_can_be_bound(void **state)
{
    unsigned int virq;

    (void)state;
    /* Linux BUG()s unless binding gives 0 or -EEXIST, even for VIRQs that never fire. */
    for ( virq = 0; virq < NR_VIRQS; virq++ )
        assert_int_equal(bind_virq_on(D0, virq, 0), virq + 1);
    for ( virq = 0; virq < NR_VIRQS; virq++ )
        assert_int_equal(bind_virq_on(D0, virq, 0), -EEXIST);
}

static void test_virq_kinds_are_xens(void **state)
{
    unsigned int virq;

    (void)state;
    for ( virq = 0; virq < NR_VIRQS; virq++ )
        assert_int_equal(evtchn_virq_is_global(virq),
                         !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
                           virq == VIRQ_XENPMU));
}

/* ---- VIRQ delivery ---- */

static void test_vcpu_virq_is_raised_on_its_vcpu(void **state)
{
    long t1;

    (void)state;
    bind_virq_on(D1, VIRQ_TIMER, 0);
    t1 = bind_virq_on(D1, VIRQ_TIMER, 1);
    send_guest_vcpu_virq(&vcpus[1][1], VIRQ_TIMER);
    assert_true(pending(D1, (unsigned int)t1));
    assert_false(pending(D1, 1));
    assert_int_equal(sel(D1, 1), 1UL);
    assert_int_equal(upcall(D1, 1), 1);
    assert_int_equal(sel(D1, 0), 0);
    assert_int_equal(kicks[1][1], 1);
    assert_int_equal(kicks[1][0], 0);
    send_guest_vcpu_virq(&vcpus[1][1], VIRQ_TIMER);     /* still pending: nothing new */
    assert_int_equal(kicks[1][1], 1);
}

static void test_unbound_or_closed_virq_is_dropped(void **state)
{
    long t;

    (void)state;
    send_guest_vcpu_virq(&vcpus[1][0], VIRQ_TIMER);
    send_guest_vcpu_virq(&vcpus[1][2], VIRQ_DEBUG);
    send_guest_global_virq(D1, VIRQ_CONSOLE);
    send_guest_global_virq(NULL, VIRQ_CONSOLE);
    t = bind_virq_on(D1, VIRQ_TIMER, 0);
    assert_int_equal(close_port(D1, (uint32_t)t), 0);
    send_guest_vcpu_virq(&vcpus[1][0], VIRQ_TIMER);
    assert_int_equal(D1->shared_info->evtchn_pending[0], 0);
    assert_int_equal(kicks[1][0] + kicks[1][1] + kicks[1][2], 0);
    /* The slot is free again. */
    assert_int_equal(bind_virq_on(D1, VIRQ_TIMER, 0), 1);
}

static void test_global_virq_goes_to_the_vcpu_its_port_is_bound_to(void **state)
{
    struct evtchn_status st;
    long c;

    (void)state;
    c = bind_virq_on(D0, VIRQ_CONSOLE, 0);
    send_guest_global_virq(D0, VIRQ_CONSOLE);
    assert_true(pending(D0, (unsigned int)c));
    assert_int_equal(upcall(D0, 0), 1);
    guest_ack_all(D0);
    assert_int_equal(bind_vcpu(D0, (uint32_t)c, 2), 0);
    assert_int_equal(status(D0, DOMID_SELF, (uint32_t)c, &st), 0);
    assert_int_equal(st.vcpu, 2);
    send_guest_global_virq(D0, VIRQ_CONSOLE);
    assert_int_equal(upcall(D0, 2), 1);
    assert_int_equal(sel(D0, 2), 1UL);
    assert_int_equal(upcall(D0, 0), 0);
    assert_int_equal(kicks[0][2], 1);
    /* Closed after the move: the binding (kept in vCPU 0's table) goes, and it can be bound again. */
    assert_int_equal(close_port(D0, (uint32_t)c), 0);
    assert_int_equal(bind_virq_on(D0, VIRQ_CONSOLE, 0), c);
}

static void test_sending_the_wrong_kind_of_virq_is_a_bug(void **state)
{
    (void)state;
    expect_assert_failure(send_guest_vcpu_virq(&vcpus[1][0], VIRQ_CONSOLE));
    expect_assert_failure(send_guest_vcpu_virq(&vcpus[1][0], NR_VIRQS));
    expect_assert_failure(send_guest_global_virq(D1, VIRQ_TIMER));
    expect_assert_failure(send_guest_global_virq(D1, NR_VIRQS));
}

/* ---- bind_ipi, send ---- */

static void test_ipi_send_raises_its_own_port_on_its_vcpu(void **state)
{
    struct evtchn_status st;
    long p;

    (void)state;
    p = bind_ipi(D1, 2);
    assert_int_equal(p, 1);
    assert_int_equal(status(D1, DOMID_SELF, 1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_ipi);
    assert_int_equal(st.vcpu, 2);
    assert_int_equal(send(D1, 1), 0);
    assert_true(pending(D1, 1));
    assert_int_equal(upcall(D1, 2), 1);
    assert_int_equal(kicks[1][2], 1);
    assert_int_equal(upcall(D1, 0), 0);
    assert_int_equal(bind_ipi(D1, NR_VCPUS), -ENOENT);
    assert_int_equal(bind_ipi(D1, 0xffffffffU), -ENOENT);
}

static void test_interdomain_send_works_both_ways(void **state)
{
    long p1, p2;

    (void)state;
    p1 = connect(D1, D2, &p2);
    guest_ack_all(D2);
    memset(kicks, 0, sizeof(kicks));
    assert_int_equal(send(D1, (uint32_t)p1), 0);
    assert_true(pending(D2, (unsigned int)p2));
    assert_false(pending(D1, (unsigned int)p1));
    assert_int_equal(upcall(D2, 0), 1);
    assert_int_equal(kicks[2][0], 1);
    assert_int_equal(send(D2, (uint32_t)p2), 0);
    assert_true(pending(D1, (unsigned int)p1));
    assert_int_equal(kicks[1][0], 1);
    /* Towards the vCPU the far end notifies. */
    guest_ack_all(D2);
    assert_int_equal(bind_vcpu(D2, (uint32_t)p2, 1), 0);
    assert_int_equal(send(D1, (uint32_t)p1), 0);
    assert_int_equal(upcall(D2, 1), 1);
    assert_int_equal(upcall(D2, 0), 0);
    /* A masked far end: pending only. */
    guest_ack_all(D2);
    set_mask(D2, (unsigned int)p2);
    assert_int_equal(send(D1, (uint32_t)p1), 0);
    assert_true(pending(D2, (unsigned int)p2));
    assert_int_equal(sel(D2, 1), 0);
    assert_int_equal(upcall(D2, 1), 0);
}

static void test_send_on_unbound_drops_and_on_others_is_einval(void **state)
{
    long u, t;

    (void)state;
    u = alloc_unbound(D1, DOMID_SELF, 2);
    t = bind_virq_on(D1, VIRQ_TIMER, 0);
    assert_int_equal(send(D1, (uint32_t)u), 0);
    assert_false(pending(D1, (unsigned int)u));
    assert_int_equal(send(D1, (uint32_t)t), -EINVAL);   /* VIRQs are the hypervisor's to raise */
    assert_int_equal(send(D1, 0), -EINVAL);
    assert_int_equal(send(D1, 40), -EINVAL);            /* free */
    assert_int_equal(send(D1, 64), -EINVAL);            /* never allocated */
    assert_int_equal(send(D1, EVTCHN_NR_PORTS - 1), -EINVAL);
    assert_int_equal(send(D1, 0xffffffffU), -EINVAL);
    assert_int_equal(D1->shared_info->evtchn_pending[0], 0);
}

/* ---- close ---- */

static void test_close_frees_the_port_and_clears_its_pending_bit(void **state)
{
    long p;

    (void)state;
    p = bind_ipi(D1, 0);
    bind_ipi(D1, 0);
    send(D1, (uint32_t)p);
    assert_true(pending(D1, (unsigned int)p));
    assert_int_equal(close_port(D1, (uint32_t)p), 0);
    assert_false(pending(D1, (unsigned int)p));
    assert_int_equal(state_of(D1, (uint32_t)p), EVTCHNSTAT_closed);
    assert_int_equal(close_port(D1, (uint32_t)p), -EINVAL);
    assert_int_equal(close_port(D1, 0), -EINVAL);
    assert_int_equal(close_port(D1, 64), -EINVAL);
    assert_int_equal(close_port(D1, 0xffffffffU), -EINVAL);
    assert_int_equal(bind_ipi(D1, 0), p);                       /* the lowest free port again */
    assert_int_equal(close_port(D1, (uint32_t)alloc_unbound(D1, DOMID_SELF, 2)), 0);
}

static void check_closed_by(struct domain *closer, long cport, struct domain *other, long oport)
{
    struct evtchn_status st;

    assert_int_equal(close_port(closer, (uint32_t)cport), 0);
    assert_int_equal(state_of(closer, (uint32_t)cport), EVTCHNSTAT_closed);
    assert_int_equal(status(other, DOMID_SELF, (uint32_t)oport, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, closer->domain_id);
    assert_int_equal(send(other, (uint32_t)oport), 0);           /* dropped now */
    assert_int_equal(closer->refcnt, 1);
    assert_int_equal(other->refcnt, 1);
    /* The closer can connect to the same port again. */
    assert_int_equal(bind_interdomain(closer, other->domain_id, (uint32_t)oport), cport);
}

static void test_close_interdomain_from_the_lower_id_end(void **state)
{
    long p1, p2;

    (void)state;
    p1 = connect(D1, D2, &p2);
    check_closed_by(D1, p1, D2, p2);
}

static void test_close_interdomain_from_the_higher_id_end(void **state)
{
    long p1, p2;

    (void)state;
    p1 = connect(D1, D5, &p2);
    check_closed_by(D5, p2, D1, p1);
}

static void test_closing_both_ends_frees_both(void **state)
{
    long p1, p2;

    (void)state;
    p1 = connect(D2, D1, &p2);
    assert_int_equal(close_port(D1, (uint32_t)p2), 0);
    assert_int_equal(close_port(D2, (uint32_t)p1), 0);
    assert_int_equal(state_of(D1, (uint32_t)p2), EVTCHNSTAT_closed);
    assert_int_equal(state_of(D2, (uint32_t)p1), EVTCHNSTAT_closed);
}

/* ---- status ---- */

static void test_status_reports_closed_ports_and_checks_its_arguments(void **state)
{
    struct evtchn_status st;

    (void)state;
    assert_int_equal(status(D1, DOMID_SELF, 0, &st), 0);       /* the reserved port */
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(st.vcpu, 0);
    assert_int_equal(status(D1, DOMID_SELF, 63, &st), 0);      /* free, in bucket 0 */
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(status(D1, DOMID_SELF, 64, &st), -EINVAL);
    assert_int_equal(status(D1, 3, 1, &st), -ESRCH);
    assert_int_equal(status(D1, 2, 1, &st), -EPERM);
    assert_int_equal(status(D1, 2, 64, &st), -EINVAL);         /* port checked first, as Xen */
    bind_ipi(D2, 1);
    assert_int_equal(status(D0, 2, 1, &st), 0);                /* the privileged may look */
    assert_int_equal(st.status, EVTCHNSTAT_ipi);
    assert_int_equal(st.vcpu, 1);
    assert_int_equal(status(D1, 1, 1, &st), 0);                /* own id works like DOMID_SELF */
    assert_int_equal(D2->refcnt, 1);
}

static void test_status_copies_the_whole_structure_back(void **state)
{
    struct evtchn_status st;
    uint32_t before;

    (void)state;
    bind_virq_on(D1, VIRQ_DEBUG, 1);
    before = nr_copies_to;
    assert_int_equal(status(D1, DOMID_SELF, 1, &st), 0);
    assert_int_equal(nr_copies_to, before + 1);
    assert_int_equal(st.dom, DOMID_SELF);
    assert_int_equal(st.status, EVTCHNSTAT_virq);
    assert_int_equal(st.u.virq, VIRQ_DEBUG);
    assert_int_equal(st.vcpu, 1);
    before = nr_copies_to;
    assert_int_equal(status(D1, DOMID_SELF, 99, &st), -EINVAL);
    assert_int_equal(nr_copies_to, before);                     /* nothing written on failure */
}

/* ---- bind_vcpu ---- */

static void test_bind_vcpu_moves_only_what_xen_moves(void **state)
{
    long u, p1, p2, timer, dbg, cons, ipi;

    (void)state;
    u = alloc_unbound(D1, DOMID_SELF, 2);
    p1 = connect(D1, D2, &p2);
    timer = bind_virq_on(D1, VIRQ_TIMER, 0);
    dbg = bind_virq_on(D1, VIRQ_DEBUG, 1);
    cons = bind_virq_on(D1, VIRQ_DOM_EXC, 0);
    ipi = bind_ipi(D1, 0);
    assert_int_equal(bind_vcpu(D1, (uint32_t)u, 1), 0);
    assert_int_equal(bind_vcpu(D1, (uint32_t)p1, 2), 0);
    assert_int_equal(bind_vcpu(D1, (uint32_t)cons, 1), 0);
    assert_int_equal(bind_vcpu(D1, (uint32_t)timer, 1), -EINVAL);
    assert_int_equal(bind_vcpu(D1, (uint32_t)dbg, 1), -EINVAL);
    assert_int_equal(bind_vcpu(D1, (uint32_t)ipi, 1), -EINVAL);
    assert_int_equal(bind_vcpu(D1, 0, 1), -EINVAL);
    assert_int_equal(bind_vcpu(D1, 50, 1), -EINVAL);
    assert_int_equal(bind_vcpu(D1, 64, 1), -EINVAL);
    assert_int_equal(bind_vcpu(D1, (uint32_t)p1, NR_VCPUS), -ENOENT);
    assert_int_equal(bind_vcpu(D1, 64, 0xffffffffU), -ENOENT);  /* vCPU checked first, as Xen */
    /* The moved interdomain end is raised on its new vCPU. */
    guest_ack_all(D1);
    assert_int_equal(send(D2, (uint32_t)p2), 0);
    assert_int_equal(upcall(D1, 2), 1);
    assert_int_equal(upcall(D1, 0), 0);
    /* A closed port forgets its vCPU. */
    assert_int_equal(close_port(D1, (uint32_t)u), 0);
    assert_int_equal(alloc_unbound(D1, DOMID_SELF, 2), u);
    {
        struct evtchn_status st;

        assert_int_equal(status(D1, DOMID_SELF, (uint32_t)u, &st), 0);
        assert_int_equal(st.vcpu, 0);
    }
}

/* ---- unmask ---- */

static void test_unmask_delivers_a_pending_masked_port_to_its_vcpu(void **state)
{
    long p;

    (void)state;
    p = bind_ipi(D1, 1);
    set_mask(D1, (unsigned int)p);
    assert_int_equal(send(D1, (uint32_t)p), 0);
    assert_true(pending(D1, (unsigned int)p));
    assert_int_equal(upcall(D1, 1), 0);
    assert_int_equal(kicks[1][1], 0);
    assert_int_equal(unmask(D1, (uint32_t)p), 0);
    assert_int_equal(D1->shared_info->evtchn_mask[0], 0);
    assert_int_equal(sel(D1, 1), 1UL);
    assert_int_equal(upcall(D1, 1), 1);
    assert_int_equal(kicks[1][1], 1);
    assert_int_equal(unmask(D1, 64), -EINVAL);
    assert_int_equal(unmask(D1, 0xffffffffU), -EINVAL);
    assert_int_equal(unmask(D1, 30), 0);            /* a free port in range: just the mask bit */
}

/* ---- reset ---- */

static void test_reset_self_closes_every_port(void **state)
{
    struct evtchn_status st;
    struct evtchn_reset r = { .dom = DOMID_SELF };
    unsigned int port;
    long p1, p2, q5, q1;

    (void)state;
    p1 = connect(D1, D2, &p2);
    q5 = connect(D5, D1, &q1);
    (void)q1;
    bind_virq_on(D1, VIRQ_TIMER, 1);
    bind_virq_on(D1, VIRQ_CONSOLE, 0);
    bind_ipi(D1, 2);
    alloc_unbound(D1, DOMID_SELF, 0);
    assert_int_equal(reset(D1, DOMID_SELF), 0);
    for ( port = 1; port < 64; port++ )
        assert_int_equal(state_of(D1, port), EVTCHNSTAT_closed);
    assert_int_equal(status(D2, DOMID_SELF, (uint32_t)p2, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(status(D5, DOMID_SELF, (uint32_t)q5, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(bind_virq_on(D1, VIRQ_TIMER, 1), 1);
    assert_int_equal(bind_virq_on(D1, VIRQ_CONSOLE, 0), 2);
    (void)p1;
    /* No reset is ever left half done, so there is nothing to continue. */
    assert_int_equal(hc(D1, EVTCHNOP_reset_cont, &r), -EBUSY);
    assert_int_equal(reset(D1, 1), 0);
}

static void test_reset_of_another_domain_needs_privilege_and_a_stopped_target(void **state)
{
    (void)state;
    bind_ipi(D2, 0);
    assert_int_equal(reset(D1, 2), -EPERM);
    assert_int_equal(reset(D0, 2), -EINVAL);        /* running: Xen wants it paused */
    assert_int_equal(state_of(D2, 1), EVTCHNSTAT_ipi);
    D2->is_shut_down = true;
    assert_int_equal(reset(D0, 2), 0);
    assert_int_equal(state_of(D2, 1), EVTCHNSTAT_closed);
    assert_int_equal(reset(D0, 3), -ESRCH);
    assert_int_equal(reset(D1, DOMID_XEN), -ESRCH);
    assert_int_equal(D2->refcnt, 1);
}

/* ---- the FIFO ABI and other refusals ---- */

static void test_fifo_pirq_and_unknown_operations_are_refused(void **state)
{
    struct evtchn_init_control ic = { .control_gfn = 1, .vcpu = 0 };
    struct evtchn_expand_array ea = { .array_gfn = 1 };
    struct evtchn_set_priority sp = { .port = 1, .priority = 3 };
    struct evtchn_bind_pirq bp = { .pirq = 1 };
    struct evtchn_bind_ipi bi = { .vcpu = 0 };
    uint64_t junk[4] = { 0 };

    (void)state;
    /* Linux takes any error from init_control as "use 2-level". */
    assert_int_equal(hc(D1, EVTCHNOP_init_control, &ic), -EOPNOTSUPP);
    assert_int_equal(hc(D1, EVTCHNOP_expand_array, &ea), -EOPNOTSUPP);
    assert_int_equal(hc(D1, EVTCHNOP_set_priority, &sp), -ENOSYS);
    sp.port = 64;
    assert_int_equal(hc(D1, EVTCHNOP_set_priority, &sp), -EINVAL);
    /* bind_pirq goes to arch/x86/pirq.c (tested in test_pirq): its refusal comes back, no port used. */
    assert_int_equal(hc(D1, EVTCHNOP_bind_pirq, &bp), -EPERM);
    bp.pirq = 256;
    assert_int_equal(hc(D1, EVTCHNOP_bind_pirq, &bp), -EINVAL);
    assert_int_equal(hc(D1, 15, junk), -ENOSYS);
    assert_int_equal(hc(D1, 99, NULL), -ENOSYS);
    assert_int_equal(hc(D1, ~0UL, junk), -ENOSYS);
    assert_int_equal(hc(D1, EVTCHNOP_init_control, NULL), -EFAULT);
    assert_int_equal(state_of(D1, 1), EVTCHNSTAT_closed);
    /* Only the low 32 bits of the command count, as with Xen's int parameter. */
    assert_int_equal(hc(D1, (1UL << 32) | EVTCHNOP_bind_ipi, &bi), 0);
    assert_int_equal(bi.port, 1);
    assert_int_equal(state_of(D1, 1), EVTCHNSTAT_ipi);
}

/* ---- buckets and exhaustion ---- */

static void test_ports_come_in_buckets_of_64(void **state)
{
    struct evtchn_status st;
    unsigned int i;

    (void)state;
    for ( i = 1; i < 64; i++ )
        assert_int_equal(bind_ipi(D1, 0), i);
    assert_int_equal(live_allocs, 2 * NR_DOMS);     /* still bucket 0 only */
    assert_int_equal(status(D1, DOMID_SELF, 64, &st), -EINVAL);
    assert_int_equal(bind_ipi(D1, 0), 64);
    assert_int_equal(live_allocs, 2 * NR_DOMS + 1);
    assert_int_equal(status(D1, DOMID_SELF, 127, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(status(D1, DOMID_SELF, 128, &st), -EINVAL);
    /* A freed port is reused before another bucket is taken. */
    assert_int_equal(close_port(D1, 10), 0);
    assert_int_equal(bind_ipi(D1, 0), 10);
    assert_int_equal(live_allocs, 2 * NR_DOMS + 1);
}

static void test_4095_ports_then_enospc(void **state)
{
    unsigned int i;
    long p;

    (void)state;
    for ( i = 1; i < EVTCHN_NR_PORTS; i++ )
        assert_int_equal(alloc_unbound(D2, DOMID_SELF, 1), i);
    assert_int_equal(live_allocs, 2 * NR_DOMS + NR_BUCKETS - 1);
    assert_int_equal(alloc_unbound(D2, DOMID_SELF, 1), -ENOSPC);
    assert_int_equal(bind_ipi(D2, 0), -ENOSPC);
    assert_int_equal(bind_virq_on(D2, VIRQ_TIMER, 0), -ENOSPC);
    p = alloc_unbound(D1, DOMID_SELF, 2);
    assert_int_equal(bind_interdomain(D2, 1, (uint32_t)p), -ENOSPC);
    assert_int_equal(state_of(D1, (uint32_t)p), EVTCHNSTAT_unbound);
    /* The last port works like any other. */
    assert_int_equal(bind_interdomain(D1, 2, EVTCHN_NR_PORTS - 1), 2);
    assert_int_equal(send(D1, 2), 0);
    assert_true(pending(D2, EVTCHN_NR_PORTS - 1));
    assert_int_equal(sel(D2, 0), 1UL << 63);
    assert_int_equal(close_port(D2, 2000), 0);
    assert_int_equal(bind_ipi(D2, 0), 2000);
}

static void test_bucket_allocation_failure_is_enomem(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 1; i < 64; i++ )
        bind_ipi(D1, 0);
    fail_alloc_in = 0;
    assert_int_equal(bind_ipi(D1, 0), -ENOMEM);
    assert_int_equal(alloc_unbound(D1, DOMID_SELF, 0), 64);     /* the next try gets its bucket */
}

static void test_init_failures_are_enomem_without_leaks(void **state)
{
    struct domain d = { .domain_id = 9, .max_vcpus = 2 };

    (void)state;
    fail_alloc_in = 0;
    assert_int_equal(evtchn_init(&d), -ENOMEM);
    fail_alloc_in = 1;
    assert_int_equal(evtchn_init(&d), -ENOMEM);
    assert_null(d.evtchn);
    assert_int_equal(live_allocs, 2 * NR_DOMS);
    evtchn_destroy(&d);                             /* nothing to do */
}

/* ---- destruction ---- */

static void test_destroy_closes_everything_and_peers_see_unbound(void **state)
{
    struct evtchn_status st;
    long a1, a2, b1, b5, c0, c1;
    unsigned int i;

    (void)state;
    a1 = connect(D1, D2, &a2);                  /* dom1's peers: dom2 (higher id) ... */
    b5 = connect(D5, D1, &b1);                  /* ... dom5 (higher) ... */
    c0 = connect(D0, D1, &c1);                  /* ... and dom0 (lower) */
    bind_virq_on(D2, VIRQ_TIMER, 0);
    bind_virq_on(D2, VIRQ_CONSOLE, 0);
    bind_ipi(D2, 1);
    alloc_unbound(D2, DOMID_SELF, 0);
    for ( i = 0; i < 70; i++ )                  /* a second bucket */
        bind_ipi(D2, 0);
    put_domain(D2);                             /* the last reference */
    assert_true(destroyed[2]);
    assert_null(D2->evtchn);
    assert_int_equal(status(D1, DOMID_SELF, (uint32_t)a1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 2);
    assert_int_equal(send(D1, (uint32_t)a1), 0);
    (void)a2;
    (void)b1;
    (void)c1;

    put_domain(D1);
    assert_true(destroyed[1]);
    assert_int_equal(status(D5, DOMID_SELF, (uint32_t)b5, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);
    assert_int_equal(status(D0, DOMID_SELF, (uint32_t)c0, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(D0->refcnt, 1);
    assert_int_equal(D5->refcnt, 1);
    assert_int_equal(live_allocs, 4);           /* dom0's and dom5's state and bucket 0 */
    /* Nothing reaches a destroyed domain, and nobody can bind to it. */
    send_guest_vcpu_virq(&vcpus[2][0], VIRQ_TIMER);
    send_guest_global_virq(D2, VIRQ_CONSOLE);
    assert_int_equal(evtchn_send_port(D2, 1), -EINVAL);
    assert_int_equal(bind_interdomain(D0, 2, 1), -ESRCH);
    evtchn_destroy(D2);                         /* twice: harmless */
}

struct closer {
    struct domain *d;
    long port;
    long rc;
    bool done;
};

static void *close_in_thread(void *arg)
{
    struct closer *c = arg;
    struct evtchn_close cl = { .port = (uint32_t)c->port };

    c->rc = hypercall_on(1, c->d->vcpu[0], EVTCHNOP_close, (unsigned long)&cl);
    __atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
    return NULL;
}

static void test_closing_towards_a_peer_being_destroyed_waits_for_it(void **state)
{
    struct closer c = { .d = D2 };
    long p1;
    pthread_t th;

    (void)state;
    p1 = connect(D1, D2, &c.port);
    /*
     * dom2 closes its end; dom1 (the lower id, whose lock comes first) has
     * lost its last reference and is being destroyed on "another CPU": dom2
     * cannot take a reference to it, so it waits for dom1's destruction to
     * unbind the channel, then frees its now unbound port.
     */
    D1->refcnt = 0;
    assert_int_equal(pthread_create(&th, NULL, close_in_thread, &c), 0);
    usleep(20000);
    assert_false(__atomic_load_n(&c.done, __ATOMIC_ACQUIRE));
    D1->is_dying = true;
    evtchn_destroy(D1);
    destroyed[1] = true;
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(c.rc, 0);
    assert_int_equal(state_of(D2, (uint32_t)c.port), EVTCHNSTAT_closed);
    (void)p1;
}

/* ---- hypervisor-internal senders, polling ---- */

static void test_send_port_raises_a_port_in_use(void **state)
{
    long u;

    (void)state;
    u = alloc_unbound(D1, DOMID_SELF, DOMID_XEN);
    assert_int_equal(bind_vcpu(D1, (uint32_t)u, 1), 0);
    assert_int_equal(evtchn_send_port(D1, (unsigned int)u), 0);
    assert_true(pending(D1, (unsigned int)u));
    assert_int_equal(upcall(D1, 1), 1);
    assert_int_equal(kicks[1][1], 1);
    assert_int_equal(evtchn_send_port(D1, 0), -EINVAL);
    assert_int_equal(evtchn_send_port(D1, 5), -EINVAL);
    assert_int_equal(evtchn_send_port(D1, 64), -EINVAL);
    assert_int_equal(evtchn_send_port(D1, ~0U), -EINVAL);
}

static void test_port_pending_reads_the_pending_bit(void **state)
{
    long p;

    (void)state;
    p = bind_ipi(D1, 0);
    assert_false(evtchn_port_pending(D1, (unsigned int)p));
    send(D1, (uint32_t)p);
    assert_true(evtchn_port_pending(D1, (unsigned int)p));
    assert_false(evtchn_port_pending(D1, EVTCHN_NR_PORTS));
    assert_false(evtchn_port_pending(D1, ~0U));
}

static void test_polling_vcpu_is_kicked_by_its_port_even_masked(void **state)
{
    struct vcpu *v = &vcpus[1][1];
    long a, b;

    (void)state;
    a = bind_ipi(D1, 0);
    b = bind_ipi(D1, 0);
    set_mask(D1, (unsigned int)a);
    set_mask(D1, (unsigned int)b);
    evtchn_poll_start(v, (int)a);
    send(D1, (uint32_t)b);                      /* another port: no wake-up */
    assert_int_equal(kicks[1][1], 0);
    send(D1, (uint32_t)a);
    assert_int_equal(kicks[1][1], 1);
    assert_false(evtchn_poll_stop(v));          /* the wake-up took the mark */
    send(D1, (uint32_t)a);                      /* no longer polling (and already pending) */
    assert_int_equal(kicks[1][1], 1);

    evtchn_poll_start(v, EVTCHN_POLL_ANY);
    guest_ack_all(D1);
    send(D1, (uint32_t)b);
    assert_int_equal(kicks[1][1], 2);
    evtchn_poll_start(v, EVTCHN_POLL_ANY);
    assert_true(evtchn_poll_stop(v));           /* nothing came: the mark was still there */
    send(D1, (uint32_t)a);
    assert_int_equal(kicks[1][1], 2);
    assert_int_equal(kicks[1][0], 0);           /* the ports' own vCPU: masked, so no upcall */
}

/* ---- concurrency ---- */

/* A hypercall in a thread of its own. */
struct call {
    unsigned int stack;
    struct vcpu *v;
    unsigned long cmd;
    void *arg;
    long rc;
    bool done;
};

static void *call_thread(void *arg)
{
    struct call *c = arg;

    c->rc = hypercall_on(c->stack, c->v, c->cmd, (unsigned long)c->arg);
    __atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
    return NULL;
}

static bool done_within(struct call *c, unsigned int ms)
{
    while ( !__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) && ms-- )
        usleep(1000);
    return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
}

/*
 * dom2 runs cmd/arg, which needs dom1's and dom2's locks, while another
 * thread holds dom1's (stuck in a kick).  Taking the lower id's lock first,
 * dom2's operation waits without holding its own: a third thread can still
 * use dom2's lock meanwhile.  Returns the operation's result.
 */
static long run_while_dom1_is_locked(unsigned long cmd, void *arg)
{
    struct evtchn_send holder_send, d2_send;
    struct call holder = { .stack = 1, .v = &vcpus[1][1], .cmd = EVTCHNOP_send, .arg = &holder_send };
    struct call op = { .stack = 2, .v = &vcpus[2][0], .cmd = cmd, .arg = arg };
    struct call d2_only = { .stack = 3, .v = &vcpus[2][0], .cmd = EVTCHNOP_send, .arg = &d2_send };
    pthread_t th[3];
    bool op_waited, d2_free;

    holder_send.port = (uint32_t)bind_ipi(D1, 1);
    d2_send.port = (uint32_t)bind_ipi(D2, 1);
    guest_ack_all(D1);                          /* so that the holder's send does kick */
    gate_entered = gate_open = false;
    gate_vcpu = &vcpus[1][1];
    assert_int_equal(pthread_create(&th[0], NULL, call_thread, &holder), 0);
    while ( !__atomic_load_n(&gate_entered, __ATOMIC_ACQUIRE) )
        usleep(1000);
    assert_int_equal(pthread_create(&th[1], NULL, call_thread, &op), 0);
    op_waited = !done_within(&op, 20);
    assert_int_equal(pthread_create(&th[2], NULL, call_thread, &d2_only), 0);
    d2_free = done_within(&d2_only, 2000);
    __atomic_store_n(&gate_open, true, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(th[0], NULL), 0);
    assert_int_equal(pthread_join(th[1], NULL), 0);
    assert_int_equal(pthread_join(th[2], NULL), 0);
    gate_vcpu = NULL;
    assert_true(op_waited);
    assert_true(d2_free);
    assert_int_equal(holder.rc, 0);
    assert_int_equal(d2_only.rc, 0);
    return op.rc;
}

static void test_higher_id_end_takes_the_lower_ids_lock_first(void **state)
{
    struct evtchn_close cl;
    struct evtchn_bind_interdomain bi = { .remote_dom = 1 };
    long p1, p2;

    (void)state;
    p1 = connect(D1, D2, &p2);
    cl.port = (uint32_t)p2;
    assert_int_equal(run_while_dom1_is_locked(EVTCHNOP_close, &cl), 0);
    assert_int_equal(state_of(D2, (uint32_t)p2), EVTCHNSTAT_closed);
    assert_int_equal(state_of(D1, (uint32_t)p1), EVTCHNSTAT_unbound);
    bi.remote_port = (uint32_t)p1;
    assert_int_equal(run_while_dom1_is_locked(EVTCHNOP_bind_interdomain, &bi), 0);
    assert_int_equal(state_of(D1, (uint32_t)p1), EVTCHNSTAT_interdomain);
    assert_int_equal(D1->refcnt, 1);
}

#define RACE_PORTS  24
#define RACE_ROUNDS 150

/*
 * Round r: the main thread connects RACE_PORTS channels between dom1 and
 * dom2 and sets `go` to 3r - 2; each racer sends on and closes its ends,
 * then adds one; at 3r the main thread checks that everything is closed.
 */
struct racer {
    unsigned int stack;
    struct domain *d;
    long ports[RACE_PORTS];
    unsigned int *go;
    unsigned int bad;                           /* unexpected results */
};

static void *race_sends_and_closes(void *arg)
{
    struct racer *r = arg;
    struct evtchn_send s;
    struct evtchn_close c;
    unsigned int i, round;

    for ( round = 1; round <= RACE_ROUNDS; round++ )
    {
        while ( __atomic_load_n(r->go, __ATOMIC_ACQUIRE) < round * 3 - 2 )
            ;
        for ( i = 0; i < RACE_PORTS; i++ )
        {
            s.port = (uint32_t)r->ports[i];
            r->bad += hypercall_on(r->stack, r->d->vcpu[0], EVTCHNOP_send, (unsigned long)&s) != 0;
            c.port = (uint32_t)r->ports[i];
            r->bad += hypercall_on(r->stack, r->d->vcpu[0], EVTCHNOP_close, (unsigned long)&c) != 0;
        }
        __atomic_fetch_add(r->go, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void test_both_ends_closing_and_sending_at_once(void **state)
{
    struct racer a = { .stack = 1, .d = D1 }, b = { .stack = 2, .d = D2 };
    unsigned int go = 0, i, round, bad = 0;
    struct evtchn_status st;
    pthread_t ta, tb;

    (void)state;
    a.go = b.go = &go;
    assert_int_equal(pthread_create(&ta, NULL, race_sends_and_closes, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, race_sends_and_closes, &b), 0);
    /* No assertions until both racers are done: a failure must not leave them waiting. */
    for ( round = 1; round <= RACE_ROUNDS; round++ )
    {
        for ( i = 0; i < RACE_PORTS; i++ )
        {
            a.ports[i] = alloc_unbound(D1, DOMID_SELF, 2);
            b.ports[i] = bind_interdomain(D2, 1, (uint32_t)a.ports[i]);
            bad += a.ports[i] <= 0 || b.ports[i] <= 0;
        }
        __atomic_store_n(&go, round * 3 - 2, __ATOMIC_RELEASE);
        while ( __atomic_load_n(&go, __ATOMIC_ACQUIRE) < round * 3 )
            ;
        for ( i = 1; i < 64; i++ )
        {
            bad += status(D1, DOMID_SELF, i, &st) != 0 || st.status != EVTCHNSTAT_closed;
            bad += status(D2, DOMID_SELF, i, &st) != 0 || st.status != EVTCHNSTAT_closed;
        }
        bad += D1->refcnt != 1 || D2->refcnt != 1;
    }
    assert_int_equal(pthread_join(ta, NULL), 0);
    assert_int_equal(pthread_join(tb, NULL), 0);
    assert_int_equal(bad, 0);
    assert_int_equal(a.bad, 0);
    assert_int_equal(b.bad, 0);
}

/* ---- hypervisor-side ports (evtchn_alloc_xen_port) ---- */

static struct {
    unsigned int calls;
    struct domain *d;
    unsigned int port;
    void *data;
    bool lock_free;                 /* the domain's event lock was not held during the call */
    bool raise_back;                /* answer with evtchn_send_port() from inside the callback */
    pthread_t late_thread;          /* a lock probe still waiting when the callback returned */
} xen_cb;

/* Another thread takes d's event lock (EVTCHNOP_status as d's vCPU 1): does it get it within 5 s? */
static bool probe_done;

static void *status_as_vcpu1(void *arg)
{
    struct domain *d = arg;
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 1 };

    hypercall_on(1, d->vcpu[1], EVTCHNOP_status, (unsigned long)&st);
    __atomic_store_n(&probe_done, true, __ATOMIC_RELEASE);
    return NULL;
}

static bool event_lock_is_free(struct domain *d)
{
    pthread_t t;
    unsigned int ms;

    __atomic_store_n(&probe_done, false, __ATOMIC_RELEASE);
    assert_int_equal(pthread_create(&t, NULL, status_as_vcpu1, d), 0);
    for ( ms = 0; ms < 5000 && !__atomic_load_n(&probe_done, __ATOMIC_ACQUIRE); ms++ )
        usleep(1000);
    if ( !__atomic_load_n(&probe_done, __ATOMIC_ACQUIRE) )
    {
        xen_cb.late_thread = t;     /* joined once the lock is free again */
        return false;
    }
    pthread_join(t, NULL);
    return true;
}

static void xen_port_fn(struct domain *d, unsigned int port, void *data)
{
    xen_cb.calls++;
    xen_cb.d = d;
    xen_cb.port = port;
    xen_cb.data = data;
    xen_cb.lock_free = event_lock_is_free(d);
    if ( xen_cb.raise_back )
        assert_int_equal(evtchn_send_port(d, port), 0);
}

static void test_xen_port_is_a_bound_port_served_by_a_function(void **state)
{
    struct evtchn_status st;
    int p;

    (void)state;
    memset(&xen_cb, 0, sizeof(xen_cb));
    bind_ipi(D1, 0);                                   /* port 1 */
    p = evtchn_alloc_xen_port(D1, 2, xen_port_fn, &xen_cb);
    assert_int_equal(p, 2);                             /* the lowest free port */
    assert_int_equal(status(D1, DOMID_SELF, (uint32_t)p, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, DOMID_XEN);
    assert_int_equal(st.u.interdomain.port, 0);
    assert_int_equal(st.vcpu, 2);
    assert_false(pending(D1, (unsigned int)p));         /* nothing raised by allocating it */
    /* The guest sends: the function runs once, without the event lock, and nothing is raised. */
    assert_int_equal(send(D1, (uint32_t)p), 0);
    assert_int_equal(xen_cb.calls, 1);
    assert_ptr_equal(xen_cb.d, D1);
    assert_int_equal(xen_cb.port, p);
    assert_ptr_equal(xen_cb.data, &xen_cb);
    if ( !xen_cb.lock_free )
        pthread_join(xen_cb.late_thread, NULL);
    assert_true(xen_cb.lock_free);
    assert_false(pending(D1, (unsigned int)p));
    /* The hypervisor raises the guest's end on the vCPU it notifies, even from the function. */
    xen_cb.raise_back = true;
    assert_int_equal(send(D1, (uint32_t)p), 0);
    assert_int_equal(xen_cb.calls, 2);
    assert_true(pending(D1, (unsigned int)p));
    assert_int_equal(upcall(D1, 2), 1);
    assert_int_equal(kicks[1][2], 1);
}

static void test_xen_port_follows_bind_vcpu(void **state)
{
    int p;

    (void)state;
    memset(&xen_cb, 0, sizeof(xen_cb));
    p = evtchn_alloc_xen_port(D2, 0, xen_port_fn, NULL);
    assert_true(p > 0);
    assert_int_equal(bind_vcpu(D2, (uint32_t)p, 1), 0);
    assert_int_equal(evtchn_send_port(D2, (unsigned int)p), 0);
    assert_int_equal(upcall(D2, 0), 0);
    assert_int_equal(upcall(D2, 1), 1);
    assert_int_equal(kicks[2][1], 1);
}

static void test_xen_port_arguments_and_limits(void **state)
{
    int p[EVTCHN_XEN_PORTS], i;

    (void)state;
    assert_int_equal(evtchn_alloc_xen_port(D1, NR_VCPUS, xen_port_fn, NULL), -ENOENT);
    assert_int_equal(evtchn_alloc_xen_port(D1, 0, NULL, NULL), -EINVAL);
    for ( i = 0; i < EVTCHN_XEN_PORTS; i++ )
    {
        p[i] = evtchn_alloc_xen_port(D1, 0, xen_port_fn, &p[i]);
        assert_int_equal(p[i], i + 1);
    }
    assert_int_equal(evtchn_alloc_xen_port(D1, 0, xen_port_fn, NULL), -ENOSPC);
    /* A slot comes back when its port is closed, by either side. */
    assert_int_equal(close_port(D1, (uint32_t)p[1]), 0);
    assert_int_equal(evtchn_alloc_xen_port(D1, 0, xen_port_fn, NULL), p[1]);
    evtchn_free_xen_port(D1, (unsigned int)p[2], &p[2]);
    assert_int_equal(state_of(D1, (uint32_t)p[2]), EVTCHNSTAT_closed);
    assert_int_equal(evtchn_alloc_xen_port(D1, 0, xen_port_fn, NULL), p[2]);
    /* A dying domain gets none. */
    D5->is_dying = true;
    assert_int_equal(evtchn_alloc_xen_port(D5, 0, xen_port_fn, NULL), -EINVAL);
    D5->is_dying = false;
}

static void test_xen_port_closed_by_the_guest_is_never_served_again(void **state)
{
    int p;
    long ipi;

    (void)state;
    memset(&xen_cb, 0, sizeof(xen_cb));
    p = evtchn_alloc_xen_port(D1, 0, xen_port_fn, &xen_cb);
    assert_int_equal(close_port(D1, (uint32_t)p), 0);
    assert_int_equal(send(D1, (uint32_t)p), -EINVAL);
    assert_int_equal(xen_cb.calls, 0);
    assert_int_equal(evtchn_send_port(D1, (unsigned int)p), -EINVAL);
    /* The guest reuses the number: the hypervisor's late free leaves the new port alone. */
    ipi = bind_ipi(D1, 0);
    assert_int_equal(ipi, p);
    evtchn_free_xen_port(D1, (unsigned int)p, &xen_cb);
    assert_int_equal(state_of(D1, (uint32_t)p), EVTCHNSTAT_ipi);
    /* So does a free naming other data, or a port that is not a Xen port at all. */
    p = evtchn_alloc_xen_port(D1, 0, xen_port_fn, &xen_cb);
    evtchn_free_xen_port(D1, (unsigned int)p, &p);
    assert_int_equal(state_of(D1, (uint32_t)p), EVTCHNSTAT_interdomain);
    evtchn_free_xen_port(D1, 0, &xen_cb);
    evtchn_free_xen_port(D1, 4095, &xen_cb);
    evtchn_free_xen_port(D1, (unsigned int)p, &xen_cb);
    assert_int_equal(state_of(D1, (uint32_t)p), EVTCHNSTAT_closed);
}

static void test_xen_ports_go_with_reset_and_destroy(void **state)
{
    int p;

    (void)state;
    memset(&xen_cb, 0, sizeof(xen_cb));
    p = evtchn_alloc_xen_port(D1, 1, xen_port_fn, &xen_cb);
    assert_int_equal(reset(D1, DOMID_SELF), 0);
    assert_int_equal(state_of(D1, (uint32_t)p), EVTCHNSTAT_closed);
    assert_int_equal(send(D1, (uint32_t)p), -EINVAL);
    assert_int_equal(xen_cb.calls, 0);
    /* Every slot is free again after the reset; destruction closes what is left, leaking nothing. */
    for ( p = 0; p < EVTCHN_XEN_PORTS; p++ )
        assert_true(evtchn_alloc_xen_port(D1, 0, xen_port_fn, &xen_cb) > 0);
    put_domain(D1);
    assert_true(destroyed[1]);
    assert_null(D1->evtchn);
    evtchn_free_xen_port(D1, 1, &xen_cb);              /* after destruction: nothing to do */
    assert_int_equal(evtchn_alloc_xen_port(D1, 0, xen_port_fn, &xen_cb), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_alloc_unbound_gives_lowest_free_port_waiting_for_remote),
        T(test_alloc_unbound_in_another_domain_needs_privilege),
        T(test_alloc_unbound_in_missing_domain_is_esrch),
        T(test_dying_domain_gets_no_new_ports),
        T(test_guest_copy_faults_are_efault),
        T(test_bind_interdomain_connects_both_ends_and_flags_the_new_port),
        T(test_bind_interdomain_accepts_only_an_unbound_port_offered_to_us),
        T(test_bind_interdomain_loopback_to_ourselves),
        T(test_bind_virq_per_vcpu_and_twice),
        T(test_bind_virq_checks_virq_and_vcpu),
        T(test_every_virq_below_nr_virqs_can_be_bound),
        T(test_virq_kinds_are_xens),
        T(test_vcpu_virq_is_raised_on_its_vcpu),
        T(test_unbound_or_closed_virq_is_dropped),
        T(test_global_virq_goes_to_the_vcpu_its_port_is_bound_to),
        T(test_sending_the_wrong_kind_of_virq_is_a_bug),
        T(test_ipi_send_raises_its_own_port_on_its_vcpu),
        T(test_interdomain_send_works_both_ways),
        T(test_send_on_unbound_drops_and_on_others_is_einval),
        T(test_close_frees_the_port_and_clears_its_pending_bit),
        T(test_close_interdomain_from_the_lower_id_end),
        T(test_close_interdomain_from_the_higher_id_end),
        T(test_closing_both_ends_frees_both),
        T(test_status_reports_closed_ports_and_checks_its_arguments),
        T(test_status_copies_the_whole_structure_back),
        T(test_bind_vcpu_moves_only_what_xen_moves),
        T(test_unmask_delivers_a_pending_masked_port_to_its_vcpu),
        T(test_reset_self_closes_every_port),
        T(test_reset_of_another_domain_needs_privilege_and_a_stopped_target),
        T(test_fifo_pirq_and_unknown_operations_are_refused),
        T(test_ports_come_in_buckets_of_64),
        T(test_4095_ports_then_enospc),
        T(test_bucket_allocation_failure_is_enomem),
        T(test_init_failures_are_enomem_without_leaks),
        T(test_destroy_closes_everything_and_peers_see_unbound),
        T(test_closing_towards_a_peer_being_destroyed_waits_for_it),
        T(test_send_port_raises_a_port_in_use),
        T(test_port_pending_reads_the_pending_bit),
        T(test_polling_vcpu_is_kicked_by_its_port_even_masked),
        T(test_higher_id_end_takes_the_lower_ids_lock_first),
        T(test_both_ends_closing_and_sending_at_once),
        T(test_xen_port_is_a_bound_port_served_by_a_function),
        T(test_xen_port_follows_bind_vcpu),
        T(test_xen_port_arguments_and_limits),
        T(test_xen_port_closed_by_the_guest_is_never_served_again),
        T(test_xen_ports_go_with_reset_and_destroy),
#undef T
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
