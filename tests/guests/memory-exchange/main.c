/*
 * memory-exchange - XENMEM_exchange, as Linux's swiotlb-xen uses it to get machine-contiguous DMA
 * buffers: input and output lists covering different page counts, or naming different domains,
 * are -EINVAL with nothing exchanged; a frame still mapped cannot be exchanged (-EINVAL,
 * nr_exchanged 0, the frame still ours); two unmapped frames traded for one order-1 extent below
 * 4 GiB come back as a 2-aligned machine-contiguous pair whose M2P entries name the guest frames
 * given in the output list, the old frames are no longer ours, the reservation is unchanged, and
 * the new frames map and hold data; a call whose nr_exchanged already covers everything does
 * nothing and returns 0.
 */
#include "guest.h"

const char test_title[] = "memory_op exchange";

static long exchange(xen_pfn_t *in, unsigned long in_n, unsigned int in_order, xen_pfn_t *out,
                     unsigned long out_n, unsigned int out_order, unsigned int bits, domid_t out_dom,
                     unsigned long done, unsigned long *nr_exchanged)
{
    struct xen_memory_exchange x = {
        .in = { .nr_extents = in_n, .extent_order = in_order, .domid = DOMID_SELF },
        .out = { .nr_extents = out_n, .extent_order = out_order, .mem_flags = XENMEMF_address_bits(bits),
                 .domid = out_dom },
        .nr_exchanged = done,
    };
    long rc;

    set_xen_guest_handle(x.in.extent_start, in);
    set_xen_guest_handle(x.out.extent_start, out);
    rc = hypercall_memory_op(XENMEM_exchange, &x);
    *nr_exchanged = x.nr_exchanged;
    return rc;
}

void test_main(start_info_t *si)
{
    domid_t self = DOMID_SELF;
    uint64_t *a = alloc_page(), *b = alloc_page(), *c = alloc_page();
    unsigned long pfn_a = virt_to_pfn(a), pfn_b = virt_to_pfn(b), pfn_c = virt_to_pfn(c);
    unsigned long mfn_a = pfn_to_mfn(pfn_a), mfn_b = pfn_to_mfn(pfn_b), mfn_c = pfn_to_mfn(pfn_c);
    unsigned long cur = hypercall_memory_op(XENMEM_current_reservation, &self), n;
    xen_pfn_t in[2], out[2];
    long rc;

    /* Malformed: 2 pages in, 1 out; different domains. */
    in[0] = mfn_a;
    in[1] = mfn_b;
    out[0] = pfn_a;
    check_rc("2 pages in, 1 page out", exchange(in, 2, 0, out, 1, 0, 32, DOMID_SELF, 0, &n), -EINVAL);
    check_eq("  nr_exchanged", n, 0);
    check_rc("in.domid != out.domid", exchange(in, 2, 0, out, 1, 1, 32, 0x7ff0, 0, &n), -EINVAL);

    /* c is still mapped (in the kernel's own page tables): not exchangeable. */
    in[0] = mfn_c;
    out[0] = pfn_c;
    check_rc("exchange of a mapped frame", exchange(in, 1, 0, out, 1, 0, 32, DOMID_SELF, 0, &n), -EINVAL);
    check_eq("  nr_exchanged", n, 0);
    c[3] = 0x1234;
    check_eq("  the frame is still ours and works", c[3], 0x1234);

    /* a and b, unmapped, for one 2-page extent below 4 GiB. */
    check_rc("unmap a", hypercall_update_va_mapping((unsigned long)a, 0, UVMF_INVLPG), 0);
    check_rc("unmap b", hypercall_update_va_mapping((unsigned long)b, 0, UVMF_INVLPG), 0);
    in[0] = mfn_a;
    in[1] = mfn_b;
    out[0] = pfn_a & ~1UL;              /* the guest frames the extent will stand for */
    rc = exchange(in, 2, 0, out, 1, 1, 32, DOMID_SELF, 0, &n);
    if ( check_rc("2 frames for 1 order-1 extent below 4 GiB", rc, 0) )
    {
        unsigned long new_mfn = out[0];

        printf("exchange: mfns %#lx %#lx -> %#lx-%#lx\n", mfn_a, mfn_b, new_mfn, new_mfn + 1);
        check_eq("  nr_exchanged", n, 2);
        check_eq("  the extent is 2-aligned", new_mfn & 1, 0);
        check(new_mfn + 1 < (1UL << (32 - 12)), "  the extent is below 4 GiB (mfn %#lx)", new_mfn);
        check_eq("  M2P of its first frame", M2P[new_mfn], pfn_a & ~1UL);
        check_eq("  M2P of its second frame", M2P[new_mfn + 1], (pfn_a & ~1UL) + 1);
        check_eq("  the reservation is unchanged", hypercall_memory_op(XENMEM_current_reservation, &self), cur);
        /* The old frames are not ours any more: mapping one is refused. */
        check(hypercall_update_va_mapping((unsigned long)a, ((uint64_t)mfn_a << 12) | PTE_RW_FLAGS,
                                          UVMF_INVLPG) < 0, "  an old frame can no longer be mapped");
        if ( check_rc("  map the new frame", hypercall_update_va_mapping(
                          (unsigned long)a, ((uint64_t)new_mfn << 12) | PTE_RW_FLAGS, UVMF_INVLPG), 0) )
        {
            a[7] = 0xfeed;
            check_eq("  the new frame holds data", a[7], 0xfeed);
        }
    }

    /* Everything already exchanged: nothing to do. */
    check_rc("nr_exchanged == in.nr_extents", exchange(in, 2, 0, out, 1, 1, 32, DOMID_SELF, 2, &n), 0);
    check_eq("  nr_exchanged stays", n, 2);
    (void)si;
}
