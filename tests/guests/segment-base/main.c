/*
 * segment-base - HYPERVISOR_set_segment_base: SEGBASE_FS sets the FS base (seen by %fs-relative
 * loads and rdmsr), SEGBASE_GS_KERNEL the GS base in guest kernel mode, SEGBASE_GS_USER the GS base
 * guest user mode sees (the hypervisor swaps the two on every mode switch), SEGBASE_GS_USER_SEL loads
 * the user %gs selector; a non-canonical base and an unknown register are refused.
 */
#include "guest.h"

const char test_title[] = "set_segment_base and GS swapping";

static uint64_t kernel_area[4] = { 0x4b30, 0x4b31, 0x4b32, 0x4b33 };
static uint64_t user_area[4] __user_data = { 0x5530, 0x5531, 0x5532, 0x5533 };

static long __user_text user_read_gs(long off)
{
    long v;

    asm volatile ( "mov %%gs:(%1), %0" : "=r" (v) : "r" (off) );
    return v;
}

void test_main(start_info_t *si)
{
    uint64_t v;
    long ret;

    if ( check_rc("SEGBASE_FS", hypercall_set_segment_base(SEGBASE_FS, (unsigned long)&kernel_area[1]), 0) )
    {
        asm volatile ( "mov %%fs:8, %0" : "=r" (v) );
        check_eq("%fs:8", v, 0x4b32);
        check(rdmsr_safe(MSR_FS_BASE, &v), "rdmsr(FS_BASE) faulted");
        check_eq("FS_BASE", v, (unsigned long)&kernel_area[1]);
    }

    if ( check_rc("SEGBASE_GS_KERNEL", hypercall_set_segment_base(SEGBASE_GS_KERNEL,
                                                                  (unsigned long)&kernel_area[0]), 0) )
    {
        asm volatile ( "mov %%gs:24, %0" : "=r" (v) );
        check_eq("%gs:24 in kernel mode", v, 0x4b33);
    }

    if ( check_rc("SEGBASE_GS_USER",
                  hypercall_set_segment_base(SEGBASE_GS_USER, (unsigned long)&user_area[0]), 0) )
    {
        check(rdmsr_safe(MSR_KERNEL_GS_BASE, &v), "rdmsr(KERNEL_GS_BASE) faulted");
        check_eq("KERNEL_GS_BASE in kernel mode (the user GS base)", v, (unsigned long)&user_area[0]);
        if ( check(exec_user(user_read_gs, 16, &ret), "user read of %%gs:16 faulted") )
            check_eq("%gs:16 in user mode", ret, 0x5532);
        /* Back in kernel mode: the kernel's GS again. */
        asm volatile ( "mov %%gs:0, %0" : "=r" (v) );
        check_eq("%gs:0 back in kernel mode", v, 0x4b30);
    }

    check_rc("SEGBASE_GS_USER_SEL(0)", hypercall_set_segment_base(SEGBASE_GS_USER_SEL, 0), 0);
    check_rc("SEGBASE_FS non-canonical", hypercall_set_segment_base(SEGBASE_FS, 0x8000000000000000ul),
             -EINVAL);
    check_rc("SEGBASE_GS_KERNEL non-canonical",
             hypercall_set_segment_base(SEGBASE_GS_KERNEL, 0x8000000000000000ul), -EINVAL);
    check_rc("set_segment_base(4)", hypercall_set_segment_base(4, 0), -EINVAL);

    hypercall_set_segment_base(SEGBASE_FS, 0);
    hypercall_set_segment_base(SEGBASE_GS_KERNEL, 0);
    hypercall_set_segment_base(SEGBASE_GS_USER, 0);
}
