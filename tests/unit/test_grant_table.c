/*
 * test_grant_table.c - grant tables end to end (common/grant_*.c with arch/x86/pv/grant_mm.c) on the
 * real PV MMU (page types, validation, mod_l1_entry): three domains (0 privileged, 1, 2) with real
 * page-table trees, the hypercall run as a guest would run it (continuations re-issued), and the
 * page reference and type counts checked exactly after every step: a mapping takes one general
 * reference per part plus one writable type reference per writable part, and gives back exactly
 * those, whatever path ends it (unmap, unmap_and_replace, the mapper's death, the granter's death).
 * Also: another domain's handle, implicit unmaps by mmu_update, page tables versus writable grants,
 * copies across domains and through a transitive grant, transfers, maptrack limits, the v2 switch
 * with a mapped status frame, and a grant frame that outlives its domain.
 *
 * Stand-ins (besides test_pv_mm.h's arch hooks): the domain list and references (the last
 * put_domain() destroys the domain as domain_destroy() does: page tables, grant table, frames),
 * guest memory (guest addresses are host pointers), continuations (recorded and re-issued), and
 * `current` (the hypercall runs on a stack laid out as the hypervisor's).
 */
#include <stdlib.h>
#include <string.h>
#include "test_pv_mm.h"
#include <parva/grant_table.h>
#include <asm/cpufeature.h>
#include <asm/current.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/pv.h>
#include "../../hypervisor/common/grant_private.h"

struct cpu_features cpu_features = { .nx = true };

/* ---- stand-ins ---- */

static bool destroyed[NR_DOMS];
static long live_allocs;            /* xmalloc objects not yet freed: 0 once every domain is gone */

void *xzalloc_bytes(size_t size)
{
    void *p = calloc(1, size ? size : 1);

    assert_non_null(p);
    live_allocs++;
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
    live_allocs--;
    free(p);
}

bool get_domain(struct domain *d)
{
    unsigned int x = __atomic_load_n(&d->refcnt, __ATOMIC_SEQ_CST);

    do {
        if ( x == 0 )
            return false;
    } while ( !__atomic_compare_exchange_n(&d->refcnt, &x, x + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) );
    return true;
}

/* What domain_destroy() does, in its order. */
static void destroy(struct domain *d)
{
    struct page_info *pg;

    pv_mm_relinquish(d);
    gnttab_domain_destroy(d);
    while ( (pg = page_list_first(&d->page_list)) != NULL )
    {
        page_list_del(pg, &d->page_list);
        d->tot_pages--;
        pg->v.owner = NULL;
        drop_allocation_ref(pg);
    }
    domain_page_release_pending();
    destroyed[d - dom] = true;
}

void put_domain(struct domain *d)
{
    if ( __atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_SEQ_CST) == 0 )
        destroy(d);
}

struct domain *domain_lookup(domid_t id)
{
    for ( unsigned int i = 0; i < NR_DOMS; i++ )
        if ( dom[i].domain_id == id && !dom[i].is_dying && !destroyed[i] && get_domain(&dom[i]) )
            return &dom[i];
    return NULL;
}

static void kill(struct domain *d)
{
    d->is_dying = true;
    put_domain(d);
}

#define GUEST_LIMIT (1UL << 47)

bool guest_range_ok(unsigned long addr, unsigned long n)
{
    return addr + n >= addr && addr + n <= GUEST_LIMIT;
}

static unsigned long fault_at;      /* a guest address that faults (0: none) */

unsigned long copy_from_guest_va(void *dst, unsigned long src, unsigned long n)
{
    if ( !guest_range_ok(src, n) || (fault_at && src <= fault_at && fault_at < src + n) )
        return n;
    memcpy(dst, (const void *)src, n);
    return 0;
}

unsigned long copy_to_guest_va(unsigned long dst, const void *src, unsigned long n)
{
    if ( !guest_range_ok(dst, n) || (fault_at && dst <= fault_at && fault_at < dst + n) )
        return n;
    memcpy((void *)dst, src, n);
    return 0;
}

static struct { unsigned long a1, a2, a3; unsigned int n; } cont;

long hypercall_create_continuation(unsigned int op, unsigned long a1, unsigned long a2, unsigned long a3,
                                   unsigned long a4, unsigned long a5)
{
    (void)a4;
    (void)a5;
    assert_int_equal(op, __HYPERVISOR_grant_table_op);
    cont.a1 = a1;
    cont.a2 = a2;
    cont.a3 = a3;
    cont.n++;
    return -ERESTART;
}

static unsigned char hv_stack[STACK_SIZE] __attribute__((__aligned__(STACK_SIZE)));

static long call_on_stack(struct vcpu *v, unsigned long a1, unsigned long a2, unsigned long a3)
{
    struct cpu_info *ci = cpu_info_of_stack((unsigned long)hv_stack);
    unsigned long top = (unsigned long)ci & ~15UL;
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    register unsigned long rdx __asm__("rdx") = a3;
    long (*fn)(unsigned long, unsigned long, unsigned long) = do_grant_table_op;
    long ret;

    ci->current_vcpu = v;
    __asm__ __volatile__("mov %%rsp, %%rbx\n\t"
                         "mov %[top], %%rsp\n\t"
                         "call *%[fn]\n\t"
                         "mov %%rbx, %%rsp"
                         : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
                         : [top] "r"(top), [fn] "r"(fn)
                         : "rbx", "rcx", "r8", "r9", "r10", "r11", "memory", "cc",
                           "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                           "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    return ret;
}

/* The hypercall as a guest makes it: a continuation is re-issued with the arguments it left. */
static long hc(struct domain *d, unsigned int cmd, void *uop, unsigned int count)
{
    unsigned long a1 = cmd, a2 = (unsigned long)uop, a3 = count;
    long rc;

    while ( (rc = call_on_stack(d->vcpu[0], a1, a2, a3)) == -ERESTART )
    {
        a1 = cont.a1;
        a2 = cont.a2;
        a3 = cont.a3;
    }
    domain_page_release_pending();
    return rc;
}

/* ---- fixture ---- */

struct guest {
    struct domain *d;
    struct tree t;
    grant_entry_v1_t *gnt;          /* its table's first frame (hypervisor mapping) */
};
static struct guest g[NR_DOMS];

#define SLOT_FREE   100             /* L1 slots from here on are free for grant mappings */

static unsigned long slot_va(unsigned int slot)
{
    return VA + slot * PAGE_SIZE;
}

static uint64_t slot_ma(const struct guest *x, unsigned int slot)
{
    return ((uint64_t)x->t.l1 << PAGE_SHIFT) + slot * sizeof(uint64_t);
}

static uint64_t slot_pte(const struct guest *x, unsigned int slot)
{
    return entry(x->t.l1, slot);
}

static int gt_setup(void **state)
{
    setup(state);
    memset(destroyed, 0, sizeof(destroyed));
    memset(&cont, 0, sizeof(cont));
    fault_at = 0;
    live_allocs = 0;
    for ( unsigned int i = 0; i < NR_DOMS; i++ )
    {
        struct domain *d = &dom[i];

        d->refcnt = 1;
        g[i].d = d;
        assert_int_equal(gnttab_domain_init(d), 0);
        build_tree(d, &g[i].t);
        assert_int_equal(pv_new_baseptr(d->vcpu[0], g[i].t.l4), 0);
        g[i].gnt = d->grant_table->shared_raw[0];
    }
    return 0;
}

static int gt_teardown(void **state)
{
    for ( unsigned int i = 0; i < NR_DOMS; i++ )
        if ( !destroyed[i] )
            kill(&dom[i]);
    /* Every table, maptrack and array is gone with its domains (no mapping was left behind). */
    assert_int_equal(live_allocs, 0);
    return teardown(state);
}

static void grant(struct guest *x, grant_ref_t ref, domid_t to, unsigned long mfn, bool ro)
{
    x->gnt[ref].frame = mfn;
    x->gnt[ref].domid = to;
    x->gnt[ref].flags = GTF_permit_access | (ro ? GTF_readonly : 0);
}

static int16_t map(struct guest *x, domid_t from, grant_ref_t ref, uint64_t addr, uint32_t flags,
                   grant_handle_t *h)
{
    struct gnttab_map_grant_ref op = { .host_addr = addr, .flags = flags, .ref = ref, .dom = from };

    assert_int_equal(hc(x->d, GNTTABOP_map_grant_ref, &op, 1), 0);
    if ( h )
        *h = op.handle;
    return op.status;
}

static int16_t unmap(struct guest *x, grant_handle_t h, uint64_t addr, uint64_t bus)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = addr, .dev_bus_addr = bus, .handle = h };

    assert_int_equal(hc(x->d, GNTTABOP_unmap_grant_ref, &op, 1), 0);
    return op.status;
}

/* Frame counts: general references and writable type references. */
static void assert_counts(unsigned long mfn, unsigned long general, unsigned long writable)
{
    assert_int_equal(refs(mfn), general);
    assert_int_equal(tcount(mfn), writable);
    if ( writable )
        assert_int_equal(ttype(mfn), PGT_writable_page);
}

/* ---- tests ---- */

/* d1 grants a page to d2; d2 maps it every way; the counts follow exactly. */
static void test_counts_per_mapping(void **state)
{
    struct guest *a = &g[1], *b = &g[2];
    unsigned long p = new_frame(a->d);
    grant_handle_t h1, h2, h3;
    struct gnttab_map_grant_ref op = { 0 };

    (void)state;
    grant(a, 10, 2, p, false);
    assert_counts(p, 1, 0);
    assert_int_equal(map(b, 1, 10, slot_va(SLOT_FREE), GNTMAP_host_map, &h1), GNTST_okay);
    assert_counts(p, 2, 1);
    assert_int_equal(pte_mfn(slot_pte(b, SLOT_FREE)), p);
    assert_true(slot_pte(b, SLOT_FREE) & _PAGE_GNTTAB);
    assert_int_equal(a->gnt[10].flags, GTF_permit_access | GTF_reading | GTF_writing);
    /* The L1 table itself gained nothing: the entry holds no reference. */
    assert_tree_live(&b->t);

    assert_int_equal(map(b, 1, 10, slot_ma(b, SLOT_FREE + 1), GNTMAP_host_map | GNTMAP_contains_pte |
                         GNTMAP_readonly, &h2), GNTST_okay);
    assert_counts(p, 3, 1);
    assert_int_equal(map(b, 1, 10, 0, GNTMAP_device_map, &h3), GNTST_okay);
    assert_counts(p, 4, 2);
    assert_int_equal(gnttab_active(a->d->grant_table, 10)->pin,
                     GNTPIN_hstw_inc + GNTPIN_hstr_inc + GNTPIN_devw_inc);

    /* A writable grant mapping keeps the page from becoming a page table. */
    assert_int_equal(pv_pin_table(a->d->vcpu[0], p, 1, NULL), -EINVAL);

    assert_int_equal(unmap(b, h1, slot_va(SLOT_FREE), 0), GNTST_okay);
    assert_counts(p, 3, 1);
    assert_int_equal(slot_pte(b, SLOT_FREE), 0);
    assert_int_equal(unmap(b, h1, slot_va(SLOT_FREE), 0), GNTST_bad_handle);
    assert_counts(p, 3, 1);
    assert_int_equal(unmap(b, h3, 0, pfn_to_paddr(p) + 4096), GNTST_bad_dev_addr);
    assert_int_equal(unmap(b, h3, 0, pfn_to_paddr(p)), GNTST_okay);
    assert_counts(p, 2, 0);
    assert_int_equal(a->gnt[10].flags, GTF_permit_access | GTF_reading);
    assert_int_equal(unmap(b, h2, slot_ma(b, SLOT_FREE + 1), 0), GNTST_okay);
    assert_counts(p, 1, 0);
    assert_int_equal(a->gnt[10].flags, GTF_permit_access);
    assert_int_equal(gnttab_active(a->d->grant_table, 10)->pin, 0);
    assert_int_equal(b->d->grant_table->maptrack.in_use, 0);
    assert_int_equal(pv_pin_table(a->d->vcpu[0], p, 1, NULL), 0);
    assert_int_equal(pv_unpin_table(a->d->vcpu[0], p, NULL), 0);
    assert_tree_live(&b->t);
    (void)op;
}

/* Every refused map leaves every count and bit as it was. */
static void test_refusals_change_nothing(void **state)
{
    struct guest *a = &g[1], *b = &g[2];
    unsigned long p = new_frame(a->d), pt = new_frame(a->d);
    grant_handle_t h;

    (void)state;
    grant(a, 11, 2, p, false);
    grant(a, 12, 0, p, false);          /* to another domain */
    grant(a, 13, 2, p, true);
    assert_int_equal(map(b, 1, 12, slot_va(SLOT_FREE), GNTMAP_host_map, &h), GNTST_general_error);
    assert_int_equal(map(b, 1, 13, slot_va(SLOT_FREE), GNTMAP_host_map, &h), GNTST_general_error);
    assert_int_equal(map(b, 1, 11, slot_ma(b, SLOT_FREE) + 4, GNTMAP_host_map | GNTMAP_contains_pte, &h),
                     GNTST_general_error);
    assert_int_equal(map(b, 1, 11, pfn_to_paddr(b->t.data[0]), GNTMAP_host_map | GNTMAP_contains_pte, &h),
                     GNTST_general_error);
    assert_int_equal(map(b, 1, 11, 0x1000, GNTMAP_host_map, &h), GNTST_general_error);   /* no L1 there */
    assert_int_equal(map(b, 1, 11, slot_va(SLOT_FREE), GNTMAP_host_map | GNTMAP_device_map, &h), GNTST_okay);
    assert_counts(p, 3, 2);
    /* Another domain's handle is not ours to unmap (handles are per domain). */
    assert_int_equal(unmap(a, h, slot_va(SLOT_FREE), 0), GNTST_bad_handle);
    assert_int_equal(unmap(&g[0], h, slot_va(SLOT_FREE), 0), GNTST_bad_handle);
    assert_counts(p, 3, 2);
    assert_int_equal(unmap(b, h, slot_va(SLOT_FREE), pfn_to_paddr(p)), GNTST_okay);
    assert_counts(p, 1, 0);
    assert_int_equal(a->gnt[11].flags, GTF_permit_access);
    assert_int_equal(a->gnt[12].flags, GTF_permit_access);
    assert_int_equal(a->gnt[13].flags, GTF_permit_access | GTF_readonly);

    /* A page table cannot be mapped writable; read-only it can. */
    assert_int_equal(pv_pin_table(a->d->vcpu[0], pt, 1, NULL), 0);
    grant(a, 14, 2, pt, false);
    assert_int_equal(map(b, 1, 14, slot_va(SLOT_FREE), GNTMAP_host_map, &h), GNTST_general_error);
    assert_int_equal(map(b, 1, 14, 0, GNTMAP_device_map, &h), GNTST_general_error);
    assert_int_equal(a->gnt[14].flags, GTF_permit_access);
    assert_int_equal(gnttab_active(a->d->grant_table, 14)->pin, 0);
    assert_int_equal(map(b, 1, 14, slot_va(SLOT_FREE), GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    assert_int_equal(refs(pt), 3);                  /* allocation, pin, mapping */
    assert_int_equal(unmap(b, h, slot_va(SLOT_FREE), 0), GNTST_okay);
    assert_int_equal(refs(pt), 2);
    assert_int_equal(pv_unpin_table(a->d->vcpu[0], pt, NULL), 0);
    assert_counts(pt, 1, 0);
    assert_int_equal(b->d->grant_table->maptrack.in_use, 0);
}

/* The guest overwrites its grant PTE: the grant keeps its references until the domain dies. */
static void test_implicit_unmap(void **state)
{
    struct guest *a = &g[1], *b = &g[2];
    unsigned long p = new_frame(a->d), q = new_frame(b->d);
    grant_handle_t h;

    (void)state;
    grant(a, 15, 2, p, false);
    assert_int_equal(map(b, 1, 15, slot_va(SLOT_FREE), GNTMAP_host_map, &h), GNTST_okay);
    /* A/D changes in place keep it a grant mapping. */
    assert_int_equal(pv_mmu_update_one(b->d->vcpu[0], slot_ma(b, SLOT_FREE),
                                       slot_pte(b, SLOT_FREE) & ~(uint64_t)_PAGE_DIRTY, NULL, NULL), 0);
    assert_true(slot_pte(b, SLOT_FREE) & _PAGE_GNTTAB);
    assert_counts(p, 2, 1);
    /* Replacing it with an ordinary entry: the new entry takes its own references, the grant's stay. */
    assert_int_equal(pv_mmu_update_one(b->d->vcpu[0], slot_ma(b, SLOT_FREE), pte(q, KERN_RW), NULL, NULL), 0);
    assert_counts(p, 2, 1);
    assert_counts(q, 2, 1);
    /* The guest cannot forge a grant entry. */
    assert_int_equal(pv_mmu_update_one(b->d->vcpu[0], slot_ma(b, SLOT_FREE + 1),
                                       pte(q, KERN_RW) | _PAGE_GNTTAB, NULL, NULL), -EINVAL);
    assert_int_equal(unmap(b, h, slot_va(SLOT_FREE), 0), GNTST_general_error);
    assert_counts(p, 2, 1);
    assert_int_equal(pv_mmu_update_one(b->d->vcpu[0], slot_ma(b, SLOT_FREE), 0, NULL, NULL), 0);
    assert_counts(q, 1, 0);
    assert_int_equal(a->gnt[15].flags, GTF_permit_access | GTF_reading | GTF_writing);
    /* Its death ends it. */
    kill(b->d);
    assert_true(destroyed[2]);
    assert_counts(p, 1, 0);
    assert_int_equal(a->gnt[15].flags, GTF_permit_access);
    assert_int_equal(gnttab_active(a->d->grant_table, 15)->pin, 0);
}

/* The mapper dies with mappings in place (its page tables still hold grant entries). */
static void test_mapper_dies(void **state)
{
    struct guest *a = &g[1], *b = &g[2];
    unsigned long p = new_frame(a->d);
    struct grant_table *agt = a->d->grant_table;
    unsigned int before;

    (void)state;
    grant(a, 16, 2, p, false);
    grant(a, 17, 2, p, true);
    assert_int_equal(map(b, 1, 16, slot_va(SLOT_FREE), GNTMAP_host_map, NULL), GNTST_okay);
    assert_int_equal(map(b, 1, 16, 0, GNTMAP_device_map, NULL), GNTST_okay);
    assert_int_equal(map(b, 1, 17, slot_ma(b, SLOT_FREE + 1), GNTMAP_host_map | GNTMAP_contains_pte |
                         GNTMAP_readonly, NULL), GNTST_okay);
    assert_counts(p, 4, 2);
    assert_int_equal(agt->refcnt, 1 + 3);
    before = nr_flushes;
    kill(b->d);
    assert_true(nr_flushes > before);               /* its TLBs before the references went */
    assert_counts(p, 1, 0);
    assert_int_equal(a->gnt[16].flags, GTF_permit_access);
    assert_int_equal(a->gnt[17].flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(agt->refcnt, 1);
    assert_int_equal(pv_pin_table(a->d->vcpu[0], p, 1, NULL), 0);
    assert_int_equal(pv_unpin_table(a->d->vcpu[0], p, NULL), 0);
}

/* The granter dies while its grant is mapped: the frame and the table live on until the unmap. */
static void test_granter_dies(void **state)
{
    struct guest *a = &g[1], *b = &g[2];
    unsigned long p = new_frame(a->d), free_before;
    grant_handle_t h, hd;

    (void)state;
    grant(a, 18, 2, p, false);
    assert_int_equal(map(b, 1, 18, slot_va(SLOT_FREE), GNTMAP_host_map, &h), GNTST_okay);
    assert_int_equal(map(b, 1, 18, 0, GNTMAP_device_map | GNTMAP_readonly, &hd), GNTST_okay);
    *(volatile uint64_t *)mfn_to_virt(p) = 0x1234;
    kill(a->d);
    assert_true(destroyed[1]);
    /* Still mapped, still referenced, now ownerless. */
    assert_counts(p, 2, 1);
    assert_null(page_get_owner(mfn_to_page(p)));
    assert_int_equal(pte_mfn(slot_pte(b, SLOT_FREE)), p);
    assert_int_equal(*(volatile uint64_t *)mfn_to_virt(p), 0x1234);
    /* The debug key shows the detached table and its two pins. */
    harness_log_clear();
    gnttab_dump('g');
    assert_non_null(strstr(harness_log, "grant-table of d1 (domain destroyed)"));
    assert_non_null(strstr(harness_log, "[0x012] d2"));
    /* New maps from the dead domain fail; the existing ones unmap normally. */
    assert_int_equal(map(b, 1, 18, slot_va(SLOT_FREE + 1), GNTMAP_host_map, NULL), GNTST_bad_domain);
    free_before = heap_free_count();
    assert_int_equal(unmap(b, h, slot_va(SLOT_FREE), 0), GNTST_okay);
    assert_counts(p, 1, 0);
    assert_int_equal(unmap(b, hd, 0, pfn_to_paddr(p)), GNTST_okay);
    /* The last reference freed the frame (after a flush) and the orphaned table. */
    assert_true(page_is_free(mfn_to_page(p)));
    assert_true(heap_free_count() > free_before);
    assert_int_equal(b->d->grant_table->maptrack.in_use, 0);
}

/* A grant frame still mapped by a privileged domain when its domain dies. */
static void test_grant_frame_outlives_domain(void **state)
{
    struct guest *a = &g[1];
    void *va = a->d->grant_table->shared_raw[0];
    unsigned long f = virt_to_mfn(va);

    (void)state;
    /* dom0 maps d1's grant frame (as a toolstack does with foreigndom). */
    assert_int_equal(pv_mmu_update_one(g[0].d->vcpu[0], slot_ma(&g[0], SLOT_FREE), pte(f, KERN_RW), NULL, a->d),
                     0);
    assert_int_equal(refs(f), 2);
    kill(a->d);
    /* Not a hypervisor page any more, no owner, one reference: dom0's. */
    assert_int_equal(refs(f), 1);
    assert_false(table[f].count_info & (PGC_xen_heap | PGC_allocated));
    assert_null(page_get_owner(&table[f]));
    assert_int_equal(pv_mmu_update_one(g[0].d->vcpu[0], slot_ma(&g[0], SLOT_FREE), 0, NULL, NULL), 0);
    domain_page_release_pending();
    assert_true(page_is_free(&table[f]));
}

static void test_copy(void **state)
{
    struct guest *a = &g[1], *b = &g[2];
    unsigned long p = new_frame(a->d), q = new_frame(b->d);
    struct gnttab_copy op;

    (void)state;
    memset(mfn_to_virt(p), 0x5a, PAGE_SIZE);
    grant(a, 19, 2, p, true);
    op = (struct gnttab_copy){ .source = { .u.ref = 19, .domid = 1, .offset = 16 },
                               .dest = { .u.gmfn = q, .domid = DOMID_SELF, .offset = 32 },
                               .len = 64, .flags = GNTCOPY_source_gref };
    assert_int_equal(hc(b->d, GNTTABOP_copy, &op, 1), 0);
    assert_int_equal(op.status, GNTST_okay);
    assert_int_equal(((uint8_t *)mfn_to_virt(q))[32], 0x5a);
    assert_int_equal(((uint8_t *)mfn_to_virt(q))[31], 0);
    assert_counts(p, 1, 0);
    assert_counts(q, 1, 0);
    assert_int_equal(a->gnt[19].flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(gnttab_active(a->d->grant_table, 19)->pin, 0);
    /* d0 cannot copy through d1's grant to d2 (the source is checked first), nor name d2's frames. */
    assert_int_equal(hc(g[0].d, GNTTABOP_copy, &op, 1), 0);
    assert_int_equal(op.status, GNTST_general_error);
    op.dest.u.gmfn = g[0].t.data[0];
    assert_int_equal(hc(g[0].d, GNTTABOP_copy, &op, 1), 0);
    assert_int_equal(op.status, GNTST_general_error);
    op.flags = 0;
    op.source.u.gmfn = g[0].t.data[1];
    op.source.domid = DOMID_SELF;
    op.dest.u.gmfn = q;
    assert_int_equal(hc(g[0].d, GNTTABOP_copy, &op, 1), 0);
    assert_int_equal(op.status, GNTST_bad_page);
    assert_int_equal(a->gnt[19].flags, GTF_permit_access | GTF_readonly);
}

/* d1 grants to d2; d2 passes it on to d0 as a transitive (v2) grant; d0 copies through it. */
static void test_transitive_copy(void **state)
{
    struct guest *a = &g[1], *b = &g[2], *c = &g[0];
    unsigned long p = new_frame(a->d), q = new_frame(c->d);
    struct gnttab_set_version sv = { .version = 2 };
    struct gnttab_copy op;
    grant_entry_v2_t *bv2;
    grant_status_t *bst;

    (void)state;
    memset(mfn_to_virt(p), 0x77, PAGE_SIZE);
    grant(a, 20, 2, p, false);
    assert_int_equal(hc(b->d, GNTTABOP_set_version, &sv, 1), 0);
    bv2 = b->d->grant_table->shared_raw[0];
    bst = b->d->grant_table->status[0];
    bv2[30].transitive.trans_domid = 1;
    bv2[30].transitive.gref = 20;
    bv2[30].hdr.domid = 0;
    bv2[30].hdr.flags = GTF_transitive;
    op = (struct gnttab_copy){ .source = { .u.ref = 30, .domid = 2, .offset = 0 },
                               .dest = { .u.gmfn = q, .domid = DOMID_SELF, .offset = 0 },
                               .len = 128, .flags = GNTCOPY_source_gref };
    assert_int_equal(hc(c->d, GNTTABOP_copy, &op, 1), 0);
    assert_int_equal(op.status, GNTST_okay);
    assert_int_equal(((uint8_t *)mfn_to_virt(q))[127], 0x77);
    assert_int_equal(bst[30], 0);
    assert_int_equal(a->gnt[20].flags, GTF_permit_access);
    assert_int_equal(gnttab_active(a->d->grant_table, 20)->pin, 0);
    assert_int_equal(gnttab_active(b->d->grant_table, 30)->pin, 0);
    assert_counts(p, 1, 0);
    /* Writing through it, and the inner grant read-only: refused, nothing left pinned. */
    grant(a, 20, 2, p, true);
    op = (struct gnttab_copy){ .source = { .u.gmfn = q, .domid = DOMID_SELF },
                               .dest = { .u.ref = 30, .domid = 2 }, .len = 8, .flags = GNTCOPY_dest_gref };
    assert_int_equal(hc(c->d, GNTTABOP_copy, &op, 1), 0);
    assert_int_equal(op.status, GNTST_general_error);
    assert_int_equal(bst[30], 0);
    assert_int_equal(a->gnt[20].flags, GTF_permit_access | GTF_readonly);
    /* Mapping a transitive grant is refused. */
    assert_int_equal(map(c, 2, 30, slot_va(SLOT_FREE), GNTMAP_host_map | GNTMAP_readonly, NULL),
                     GNTST_general_error);
    /* Transitivity off: refused. */
    gnttab_opt_transitive = false;
    op = (struct gnttab_copy){ .source = { .u.ref = 30, .domid = 2 }, .dest = { .u.gmfn = q, .domid = DOMID_SELF },
                               .len = 8, .flags = GNTCOPY_source_gref };
    assert_int_equal(hc(c->d, GNTTABOP_copy, &op, 1), 0);
    assert_int_equal(op.status, GNTST_general_error);
    gnttab_opt_transitive = true;
    assert_counts(p, 1, 0);
}

static void test_transfer(void **state)
{
    struct guest *a = &g[1], *b = &g[2];
    unsigned long x = new_frame(a->d), a_pages = a->d->tot_pages, b_pages;
    gnttab_transfer_t op = { .mfn = x, .domid = 2, .ref = 40 };

    (void)state;
    memset(mfn_to_virt(x), 0x11, PAGE_SIZE);
    b->gnt[40] = (grant_entry_v1_t){ .flags = GTF_accept_transfer, .domid = 1, .frame = 0x777 };
    /* b has no room: refused, and x stays a's. */
    b->d->max_pages = b->d->tot_pages;
    assert_int_equal(hc(a->d, GNTTABOP_transfer, &op, 1), 0);
    assert_int_equal(op.status, GNTST_general_error);
    assert_ptr_equal(page_get_owner(&table[x]), a->d);
    assert_counts(x, 1, 0);
    assert_int_equal(a->d->tot_pages, a_pages);
    assert_int_equal(b->gnt[40].flags, GTF_accept_transfer);
    b->d->max_pages = NR_FRAMES;
    b_pages = b->d->tot_pages;
    op.domid = 17;
    assert_int_equal(hc(a->d, GNTTABOP_transfer, &op, 1), 0);
    assert_int_equal(op.status, GNTST_bad_domain);
    op.domid = 2;
    op.ref = 41;                                   /* not an offer */
    assert_int_equal(hc(a->d, GNTTABOP_transfer, &op, 1), 0);
    assert_int_equal(op.status, GNTST_general_error);
    op.ref = 40;
    op.mfn = b->t.data[0];                         /* not a's */
    assert_int_equal(hc(a->d, GNTTABOP_transfer, &op, 1), 0);
    assert_int_equal(op.status, GNTST_bad_page);
    op.mfn = a->t.data[0];                         /* a's but mapped */
    assert_int_equal(hc(a->d, GNTTABOP_transfer, &op, 1), 0);
    assert_int_equal(op.status, GNTST_bad_page);
    op.mfn = x;
    assert_int_equal(hc(a->d, GNTTABOP_transfer, &op, 1), 0);
    assert_int_equal(op.status, GNTST_okay);
    assert_ptr_equal(page_get_owner(&table[x]), b->d);
    assert_counts(x, 1, 0);
    assert_int_equal(a->d->tot_pages, a_pages - 1);
    assert_int_equal(b->d->tot_pages, b_pages + 1);
    assert_int_equal(b->gnt[40].flags, GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed);
    assert_int_equal(b->gnt[40].frame, x);
    assert_int_equal(m2p[x], 0x777);
    assert_int_equal(((uint8_t *)mfn_to_virt(x))[100], 0x11);
    /* Its new owner may map it. */
    assert_int_equal(pv_mmu_update_one(b->d->vcpu[0], slot_ma(b, SLOT_FREE), pte(x, KERN_RW), NULL, NULL), 0);
    assert_int_equal(pv_mmu_update_one(b->d->vcpu[0], slot_ma(b, SLOT_FREE), 0, NULL, NULL), 0);
}

static void test_batches_and_limits(void **state)
{
    static struct gnttab_map_grant_ref ops[300];
    static struct gnttab_unmap_grant_ref uops[300];
    struct guest *a = &g[1], *b = &g[2];
    unsigned long p = new_frame(a->d);
    unsigned int i, n;

    (void)state;
    grant(a, 50, 2, p, true);
    /* Limits: within the options only, and not once mappings exist. */
    assert_int_equal(gnttab_set_limits(b->d, 65, 1), -EINVAL);
    assert_int_equal(gnttab_set_limits(b->d, 0, 1), -EINVAL);
    assert_int_equal(gnttab_set_limits(b->d, 8, 1), 0);     /* 256 handles */
    assert_int_equal(b->d->grant_table->max_grant_frames, 8);
    for ( i = 0; i < 300; i++ )
        ops[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map | GNTMAP_readonly, .ref = 50, .dom = 1 };
    cont.n = 0;
    assert_int_equal(hc(b->d, GNTTABOP_map_grant_ref, ops, 130), 0);
    assert_int_equal(cont.n, 2);                             /* 64 + 64 + 2 */
    for ( i = 0; i < 128; i++ )
        assert_int_equal(ops[i].status, GNTST_okay);
    /* 128 read-only device pins of one entry: the counter's top bit is set, no more (Xen's rule). */
    for ( ; i < 130; i++ )
        assert_int_equal(ops[i].status, GNTST_general_error);
    assert_counts(p, 129, 0);
    assert_int_equal(gnttab_set_limits(b->d, 8, 2), -EBUSY);
    /* Unmap them in one call: 32 per invocation. */
    for ( i = 0; i < 128; i++ )
        uops[i] = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = pfn_to_paddr(p), .handle = ops[i].handle };
    cont.n = 0;
    assert_int_equal(hc(b->d, GNTTABOP_unmap_grant_ref, uops, 128), 0);
    assert_int_equal(cont.n, 3);
    for ( i = 0; i < 128; i++ )
        assert_int_equal(uops[i].status, GNTST_okay);
    assert_counts(p, 1, 0);

    /* The maptrack limit: 256 handles, spread over two grants. */
    grant(a, 51, 2, p, true);
    for ( i = 0; i < 258; i++ )
        ops[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map | GNTMAP_readonly,
                                                .ref = i < 127 ? 50 : (i < 254 ? 51 : 52), .dom = 1 };
    grant(a, 52, 2, p, true);
    assert_int_equal(hc(b->d, GNTTABOP_map_grant_ref, ops, 258), 0);
    for ( i = 0, n = 0; i < 258; i++ )
        n += ops[i].status == GNTST_okay;
    assert_int_equal(n, 256);
    assert_int_equal(ops[256].status, GNTST_no_device_space);
    assert_int_equal(ops[257].status, GNTST_no_device_space);
    assert_int_equal(b->d->grant_table->maptrack.in_use, 256);
    /* Its death undoes all of them. */
    kill(b->d);
    assert_counts(p, 1, 0);
    for ( i = 50; i <= 52; i++ )
        assert_int_equal(a->gnt[i].flags, GTF_permit_access | GTF_readonly);
}

static void test_guest_faults(void **state)
{
    static struct gnttab_map_grant_ref ops[4];
    struct guest *a = &g[1], *b = &g[2];
    unsigned long p = new_frame(a->d);

    (void)state;
    grant(a, 60, 2, p, false);
    for ( unsigned int i = 0; i < 4; i++ )
        ops[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map, .ref = 60, .dom = 1 };
    /* The third operation cannot be read: the first two are done and stay done. */
    fault_at = (unsigned long)&ops[2].ref;
    assert_int_equal(call_on_stack(b->d->vcpu[0], GNTTABOP_map_grant_ref, (unsigned long)ops, 4), -EFAULT);
    fault_at = 0;
    assert_int_equal(ops[0].status, GNTST_okay);
    assert_int_equal(ops[1].status, GNTST_okay);
    assert_counts(p, 3, 2);
    assert_int_equal(call_on_stack(b->d->vcpu[0], GNTTABOP_map_grant_ref, GUEST_LIMIT - 8, 1), -EFAULT);
    assert_int_equal(call_on_stack(b->d->vcpu[0], 99, (unsigned long)ops, 1), -ENOSYS);
    kill(b->d);
    assert_counts(p, 1, 0);
}

static void test_status_frame_mapped(void **state)
{
    struct guest *a = &g[1];
    struct gnttab_set_version sv = { .version = 2 };
    unsigned long s;

    (void)state;
    assert_int_equal(hc(a->d, GNTTABOP_set_version, &sv, 1), 0);
    s = virt_to_mfn(a->d->grant_table->status[0]);
    assert_int_equal(refs(s), 1);
    /* The guest maps its status frame read-only. */
    assert_int_equal(pv_mmu_update_one(a->d->vcpu[0], slot_ma(a, SLOT_FREE), pte(s, KERN_RO), NULL, NULL), 0);
    sv.version = 1;
    assert_int_equal(hc(a->d, GNTTABOP_set_version, &sv, 1), -EBUSY);
    assert_int_equal(sv.version, 2);
    assert_int_equal(refs(s), 2);
    assert_true(table[s].count_info & PGC_allocated);
    assert_int_equal(pv_mmu_update_one(a->d->vcpu[0], slot_ma(a, SLOT_FREE), 0, NULL, NULL), 0);
    sv.version = 1;
    assert_int_equal(hc(a->d, GNTTABOP_set_version, &sv, 1), 0);
    assert_int_equal(a->d->grant_table->nr_status_frames, 0);
    /* The old status frame went back to the heap (through a flush). */
    domain_page_release_pending();
    assert_true(page_is_free(&table[s]));
}

static void test_setup_table_grows(void **state)
{
    struct guest *a = &g[1];
    xen_pfn_t frames[8];
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 4 };
    struct gnttab_query_size q = { .dom = 1 };

    (void)state;
    set_xen_guest_handle(st.frame_list, frames);
    assert_int_equal(hc(a->d, GNTTABOP_setup_table, &st, 1), 0);
    assert_int_equal(st.status, GNTST_okay);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        assert_ptr_equal(page_get_owner(&table[frames[i]]), a->d);
        assert_true(table[frames[i]].count_info & PGC_xen_heap);
    }
    assert_int_equal(hc(a->d, GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.nr_frames, 4);
    /* Another domain may ask about d1 only if privileged. */
    assert_int_equal(hc(g[2].d, GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.status, GNTST_permission_denied);
    assert_int_equal(hc(g[0].d, GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.status, GNTST_okay);
    st.dom = 1;
    assert_int_equal(hc(g[2].d, GNTTABOP_setup_table, &st, 1), 0);
    assert_int_equal(st.status, GNTST_permission_denied);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_per_mapping, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_refusals_change_nothing, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_implicit_unmap, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_mapper_dies, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_granter_dies, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_grant_frame_outlives_domain, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_copy, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_transitive_copy, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_transfer, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_batches_and_limits, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_guest_faults, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_status_frame_mapped, gt_setup, gt_teardown),
        cmocka_unit_test_setup_teardown(test_setup_table_grows, gt_setup, gt_teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
