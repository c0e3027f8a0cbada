/*
 * descriptors - HYPERVISOR_set_gdt and HYPERVISOR_update_descriptor, and an LDT via MMUEXT_SET_LDT:
 * a GDT frame must be mapped read-only and hold no system descriptors; code/data descriptors are
 * accepted (a DPL 0 one has its DPL raised to 3 in place, as the guest kernel runs in ring 3);
 * the entry count is limited to 14 * 512; selectors from the guest's GDT and LDT load; update_descriptor
 * checks the descriptor and the alignment of its machine address.
 */
#include "guest.h"

const char test_title[] = "set_gdt, update_descriptor, LDT";

#define DESC_CODE64_DPL3    0x00affa000000ffffull
#define DESC_CODE64_DPL0    0x00af9a000000ffffull
#define DESC_DATA_DPL3      0x00cff2000000ffffull
#define DESC_DATA_DPL0      0x00cf92000000ffffull
#define DESC_TSS64_LOW      0x0000890000000067ull   /* a system descriptor (available 64-bit TSS) */
#define DESC_LDT_LOW        0x0000820000000fffull   /* a system descriptor (LDT) */

static bool load_es(uint16_t sel)
{
    bool ok = false;

    asm volatile ( "1: mov %[sel], %%es\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok) : [sel] "r" ((uint32_t)sel) : "memory" );
    return ok;
}

static uint16_t read_es(void)
{
    uint16_t v;

    asm volatile ( "mov %%es, %0" : "=r" (v) );
    return v;
}

void test_main(start_info_t *si)
{
    uint64_t *gdt = alloc_page(), *bad = alloc_page(), *ldt = alloc_page(), *plain = alloc_page();
    unsigned long frame = virt_to_mfn(gdt), bad_frame = virt_to_mfn(bad);
    long rc;

    gdt[1] = DESC_CODE64_DPL3;
    gdt[2] = DESC_DATA_DPL3;
    gdt[3] = DESC_CODE64_DPL0;
    gdt[4] = DESC_DATA_DPL0;

    /* Writable: refused. */
    rc = hypercall_set_gdt(&frame, 16);
    check_rc("set_gdt of a writably mapped frame", rc, -EINVAL);

    set_page_writable(gdt, false);
    check_rc("set_gdt with 7169 entries", hypercall_set_gdt(&frame, 14 * 512 + 1), -EINVAL);
    if ( !check_rc("set_gdt", hypercall_set_gdt(&frame, 16), 0) )
        return;
    check_eq("GDT[1] (code, DPL 3) unchanged", gdt[1], DESC_CODE64_DPL3);
    check_eq("GDT[3] (code, DPL 0) raised to DPL 3", gdt[3], DESC_CODE64_DPL0 | (3ull << 45));
    check_eq("GDT[4] (data, DPL 0) raised to DPL 3", gdt[4], DESC_DATA_DPL0 | (3ull << 45));
    check(set_page_writable(gdt, true) < 0, "the GDT frame in use could be mapped writable");

    if ( check(load_es(0x13), "loading %%es with GDT selector 0x13 faulted") )
        check_eq("%es", read_es(), 0x13);
    load_es(0);

    /* A frame with a system descriptor. */
    bad[1] = DESC_TSS64_LOW;
    set_page_writable(bad, false);
    rc = hypercall_set_gdt(&bad_frame, 16);
    check_rc("set_gdt with a TSS descriptor", rc, -EINVAL);

    /* update_descriptor on the live GDT. */
    check_rc("update_descriptor(GDT[5], data)", hypercall_update_descriptor(virt_to_maddr(&gdt[5]),
                                                                           DESC_DATA_DPL3), 0);
    check_eq("GDT[5] after update_descriptor", gdt[5], DESC_DATA_DPL3);
    if ( check(load_es(0x2b), "loading %%es with 0x2b faulted") )
        check_eq("%es", read_es(), 0x2b);
    load_es(0);
    check_rc("update_descriptor with an LDT descriptor", hypercall_update_descriptor(virt_to_maddr(&gdt[6]),
                                                                                    DESC_LDT_LOW), -EINVAL);
    check_rc("update_descriptor at an unaligned address",
             hypercall_update_descriptor(virt_to_maddr(&gdt[6]) + 4, DESC_DATA_DPL3), -EINVAL);
    check_rc("update_descriptor(DPL 0 data)", hypercall_update_descriptor(virt_to_maddr(&gdt[6]),
                                                                          DESC_DATA_DPL0), 0);
    check_eq("GDT[6] after update_descriptor(DPL 0)", gdt[6], DESC_DATA_DPL0 | (3ull << 45));
    /* An ordinary writable page may hold descriptors too. */
    check_rc("update_descriptor on a writable page", hypercall_update_descriptor(virt_to_maddr(&plain[3]),
                                                                                DESC_DATA_DPL3), 0);
    check_eq("the writable page got the descriptor", plain[3], DESC_DATA_DPL3);

    /* LDT: one data descriptor; selector 0x07 = LDT index 0, RPL 3. */
    ldt[0] = DESC_DATA_DPL3;
    set_page_writable(ldt, false);
    if ( check_rc("SET_LDT(ldt, 1)", mmuext_one(MMUEXT_SET_LDT, (unsigned long)ldt, 1), 0) )
    {
        if ( check(load_es(0x07), "loading %%es with LDT selector 0x07 faulted") )
            check_eq("%es", read_es(), 0x07);
        load_es(0);
        ex_reset();
        check(!load_es(0x0f), "loading LDT selector 0x0f (beyond the LDT's 1 entry) worked");
        check_eq("LDT selector beyond the limit: vector", ex_last.vector, 13);
        check_eq("LDT selector beyond the limit: error code", ex_last.error_code, 0x0c);
        check_rc("SET_LDT(0, 0)", mmuext_one(MMUEXT_SET_LDT, 0, 0), 0);
    }
}
