/*
 * gnttab-bench - grant-table figures, in guest cycles (rdtsc) per operation: map+unmap of a grant
 * (host mapping, read-only) in batches of 32 and one at a time, and GNTTABOP_copy of 4 KiB pages in
 * batches of 32 and one at a time, on grants the domain gives itself.  Every operation must succeed.
 * `make bench` boots it with iterations=2000 under QEMU's -icount shift=0 (one instruction per
 * nanosecond of virtual time, so the figures are deterministic and "per second" means per second of
 * that clock) and prints the figures (tests/guests/gnttab-bench/bench.sh); as a plain test (`args`:
 * a few iterations) it checks that the loops work, on Parva and on Xen.
 */
#include "guest.h"
#include "domu.h"
#include "gnttab.h"

const char test_title[] = "grant tables: map+unmap and copy figures";

#define N       32
#define REF     10

static struct gnttab_map_grant_ref map[N];
static struct gnttab_unmap_grant_ref unmap[N];
static struct gnttab_copy copy[N];
static unsigned long bad;

static void report(const char *what, uint64_t cycles, unsigned long ops, unsigned long bytes)
{
    uint64_t per = cycles / ops;

    if ( bytes )
        printf("gnttab bench: %s: %lu cycles per op, %lu MiB/s at 1 cycle/ns\n", what, (unsigned long)per,
               (unsigned long)(bytes * 1000000000ull / cycles / (1024 * 1024)));
    else
        printf("gnttab bench: %s: %lu cycles per op, %lu per second at 1 cycle/ns\n", what, (unsigned long)per,
               (unsigned long)(1000000000ull / (per ? per : 1)));
}

static void map_unmap(unsigned int batch, unsigned long iters, const char *what)
{
    uint64_t t0, t1;
    unsigned long i, rounds = iters * (N / batch);

    for ( unsigned int k = 0; k < N; k++ )
        map[k] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)gnt_slot(128 + k % batch),
                                                .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = REF, .dom = 0 };
    t0 = rdtsc();
    for ( i = 0; i < rounds; i++ )
    {
        hypercall_grant_table_op(GNTTABOP_map_grant_ref, map, batch);
        for ( unsigned int k = 0; k < batch; k++ )
        {
            bad += map[k].status != GNTST_okay;
            unmap[k] = (struct gnttab_unmap_grant_ref){ .host_addr = map[k].host_addr, .handle = map[k].handle };
        }
        hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, unmap, batch);
        for ( unsigned int k = 0; k < batch; k++ )
            bad += unmap[k].status != GNTST_okay;
    }
    t1 = rdtsc();
    report(what, t1 - t0, rounds * batch, 0);
}

static void copies(unsigned int batch, unsigned long iters, void **dst, const char *what)
{
    uint64_t t0, t1;
    unsigned long i, rounds = iters * (N / batch);

    for ( unsigned int k = 0; k < N; k++ )
        copy[k] = (struct gnttab_copy){ .source = { .u.ref = REF, .domid = 0 },
                                        .dest = { .u.gmfn = virt_to_mfn(dst[k % batch]), .domid = DOMID_SELF },
                                        .len = PAGE_SIZE, .flags = GNTCOPY_source_gref };
    t0 = rdtsc();
    for ( i = 0; i < rounds; i++ )
    {
        hypercall_grant_table_op(GNTTABOP_copy, copy, batch);
        for ( unsigned int k = 0; k < batch; k++ )
            bad += copy[k].status != GNTST_okay;
    }
    t1 = rdtsc();
    report(what, t1 - t0, rounds * batch, rounds * batch * PAGE_SIZE);
}

void test_main(start_info_t *si)
{
    unsigned long iters = guest_cmdline_number("iterations", 16);
    void *src = alloc_page(), *dst[N];

    if ( !gnt_window_init() || gnt_setup(1) )
        report_fatal("grant table setup failed");
    for ( unsigned int k = 0; k < N; k++ )
        dst[k] = alloc_page();
    memset(src, 0x3c, PAGE_SIZE);
    gnt_grant_v1(REF, 0, virt_to_mfn(src), true);
    printf("gnttab bench: %lu iterations of %u operations each\n", iters, N);
    map_unmap(N, iters, "map+unmap, 32 per hypercall");
    map_unmap(1, iters, "map+unmap, 1 per hypercall");
    copies(N, iters, dst, "copy 4 KiB, 32 per hypercall");
    copies(1, iters, dst, "copy 4 KiB, 1 per hypercall");
    check(!bad, "%lu operations failed", bad);
    check(!memcmp(dst[0], src, PAGE_SIZE), "the copies did not copy");
}
