/*
 * mmuext - HYPERVISOR_mmuext_op: pin and unpin of L1..L4 tables (pinning twice, unpinning twice are
 * refused), NEW_BASEPTR to a second L4 and back, unpinning the L4 in use (Linux does it) and pinning
 * it again, NEW_USER_BASEPTR (set and clear), the TLB flushes and INVLPG in their LOCAL / MULTI / ALL
 * forms, SET_LDT argument checks, COPY_PAGE, CLEAR_PAGE, MARK_SUPER/UNMARK_SUPER (-EOPNOTSUPP),
 * an unknown command (-ENOSYS), and `done` in a batch that stops at a failing operation.
 */
#include "guest.h"

const char test_title[] = "mmuext_op";

static unsigned long vcpumask __aligned(8) = 1;

static void *pt_page(void)
{
    void *p = alloc_page();

    if ( set_page_writable(p, false) )
        report_fatal("cannot remap a page read-only");
    return p;
}

static void pin_cycle(const char *what, unsigned int pin_cmd)
{
    void *p = pt_page();
    unsigned long mfn = virt_to_mfn(p);
    char buf[80];

    snprintf(buf, sizeof(buf), "pin %s", what);
    if ( !check_rc(buf, mmuext_one(pin_cmd, mfn, 0), 0) )
        return;
    snprintf(buf, sizeof(buf), "pin %s again", what);
    check_rc(buf, mmuext_one(pin_cmd, mfn, 0), -EINVAL);
    snprintf(buf, sizeof(buf), "remap the pinned %s writable", what);
    check(set_page_writable(p, true) < 0, "%s", buf);
    snprintf(buf, sizeof(buf), "unpin %s", what);
    check_rc(buf, mmuext_one(MMUEXT_UNPIN_TABLE, mfn, 0), 0);
    snprintf(buf, sizeof(buf), "unpin %s again", what);
    check_rc(buf, mmuext_one(MMUEXT_UNPIN_TABLE, mfn, 0), -EINVAL);
    snprintf(buf, sizeof(buf), "remap the unpinned %s writable", what);
    check_rc(buf, set_page_writable(p, true), 0);
}

void test_main(start_info_t *si)
{
    unsigned long l4 = cur_l4_mfn(), new_l4_mfn, va = scratch_va(MM_PT_WINDOWS);
    const uint64_t *cur;
    uint64_t *new_l4, *src, *dst, v;
    struct mmuext_op ops[3];
    unsigned int done;

    pin_cycle("an empty L1", MMUEXT_PIN_L1_TABLE);
    pin_cycle("an empty L2", MMUEXT_PIN_L2_TABLE);
    pin_cycle("an empty L3", MMUEXT_PIN_L3_TABLE);
    pin_cycle("an empty L4", MMUEXT_PIN_L4_TABLE);

    /* A second L4 with the same guest entries: switch to it and back. */
    new_l4 = alloc_page();
    cur = pt_view(l4, 0);
    for ( unsigned int i = 0; i < 512; i++ )
    {
        if ( i < 256 || i >= 272 )
            new_l4[i] = cur[i];
    }
    set_page_writable(new_l4, false);
    new_l4_mfn = virt_to_mfn(new_l4);
    if ( check_rc("pin the second L4", mmuext_one(MMUEXT_PIN_L4_TABLE, new_l4_mfn, 0), 0) )
    {
        check_rc("NEW_BASEPTR to it", mmuext_one(MMUEXT_NEW_BASEPTR, new_l4_mfn, 0), 0);
        check_eq("cr3 after NEW_BASEPTR", read_cr3() >> 12, new_l4_mfn);
        check_eq("still running on it: xen_version", hypercall_xen_version(XENVER_version, NULL),
                 (4 << 16) | 17);
        check_rc("NEW_BASEPTR back", mmuext_one(MMUEXT_NEW_BASEPTR, l4, 0), 0);
        check_eq("cr3 back", read_cr3() >> 12, l4);
        check_rc("unpin the second L4", mmuext_one(MMUEXT_UNPIN_TABLE, new_l4_mfn, 0), 0);
    }

    /* Unpinning the L4 in use is allowed (cr3 still holds a reference); pin it again. */
    check_rc("unpin the boot L4 while it is cr3", mmuext_one(MMUEXT_UNPIN_TABLE, l4, 0), 0);
    check_rc("pin the boot L4 again", mmuext_one(MMUEXT_PIN_L4_TABLE, l4, 0), 0);

    /* NEW_USER_BASEPTR: set to the second (now unpinned, validated on demand) L4, clear, restore. */
    check_rc("user_setup", user_setup(), 0);
    check_rc("NEW_USER_BASEPTR(second L4)", mmuext_one(MMUEXT_NEW_USER_BASEPTR, new_l4_mfn, 0), 0);
    check_rc("NEW_USER_BASEPTR(0)", mmuext_one(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0);
    check_rc("NEW_USER_BASEPTR(kernel L4)", mmuext_one(MMUEXT_NEW_USER_BASEPTR, l4, 0), 0);
    check_rc("NEW_USER_BASEPTR(a data page)", mmuext_one(MMUEXT_NEW_USER_BASEPTR,
                                                          virt_to_mfn(alloc_page()), 0), -EINVAL);

    /* Flushes. */
    check_rc("TLB_FLUSH_LOCAL", mmuext_one(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    check_rc("INVLPG_LOCAL", mmuext_one(MMUEXT_INVLPG_LOCAL, va, 0), 0);
    check_rc("TLB_FLUSH_MULTI", mmuext_one(MMUEXT_TLB_FLUSH_MULTI, 0, (unsigned long)&vcpumask), 0);
    check_rc("INVLPG_MULTI", mmuext_one(MMUEXT_INVLPG_MULTI, va, (unsigned long)&vcpumask), 0);
    check_rc("TLB_FLUSH_ALL", mmuext_one(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0);
    check_rc("INVLPG_ALL", mmuext_one(MMUEXT_INVLPG_ALL, va, 0), 0);

    /* SET_LDT. */
    check_rc("SET_LDT(0, 0)", mmuext_one(MMUEXT_SET_LDT, 0, 0), 0);
    check_rc("SET_LDT(unaligned)", mmuext_one(MMUEXT_SET_LDT, (unsigned long)alloc_page() + 8, 1), -EINVAL);
    check_rc("SET_LDT(8193 entries)", mmuext_one(MMUEXT_SET_LDT, (unsigned long)alloc_page(), 8193), -EINVAL);

    /* COPY_PAGE and CLEAR_PAGE. */
    src = alloc_page();
    dst = alloc_page();
    for ( unsigned int i = 0; i < 512; i++ )
        src[i] = 0x0101010101010101ull * i;
    if ( check_rc("COPY_PAGE", mmuext_one(MMUEXT_COPY_PAGE, virt_to_mfn(dst), virt_to_mfn(src)), 0) )
        check(!memcmp(dst, src, PAGE_SIZE), "COPY_PAGE: the pages differ");
    if ( check_rc("CLEAR_PAGE", mmuext_one(MMUEXT_CLEAR_PAGE, virt_to_mfn(src), 0), 0) )
    {
        v = 0;
        for ( unsigned int i = 0; i < 512; i++ )
            v |= src[i];
        check_eq("CLEAR_PAGE: OR of all words", v, 0);
    }

    check_rc("MARK_SUPER", mmuext_one(MMUEXT_MARK_SUPER, virt_to_mfn(dst), 0), -EOPNOTSUPP);
    check_rc("UNMARK_SUPER", mmuext_one(MMUEXT_UNMARK_SUPER, virt_to_mfn(dst), 0), -EOPNOTSUPP);
    check_rc("command 99", mmuext_one(99, 0, 0), -ENOSYS);

    /* A batch: done counts the completed operations, the failing one stops it. */
    memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    ops[1].cmd = MMUEXT_INVLPG_LOCAL;
    ops[1].arg1.linear_addr = va;
    ops[2].cmd = MMUEXT_TLB_FLUSH_ALL;
    done = 0xdead;
    check_rc("batch of 3", hypercall_mmuext_op(ops, 3, &done, DOMID_SELF), 0);
    check_eq("batch of 3: done", done, 3);
    ops[1].cmd = MMUEXT_UNPIN_TABLE;
    ops[1].arg1.mfn = virt_to_mfn(dst);
    done = 0xdead;
    check_rc("batch with a failing second op", hypercall_mmuext_op(ops, 3, &done, DOMID_SELF), -EINVAL);
    check_eq("batch with a failing second op: done", done, 1);
}
