/*
 * bad-hypercalls - hypercall numbers nobody implements are -ENOSYS (including a number with bits set
 * above bit 31: Xen compares the whole of %rax), and guest buffers the hypervisor cannot use give
 * -EFAULT: a non-canonical address, an address in the hypervisor's own range, an unmapped address,
 * and a read-only page as an output buffer. The registers other than %rax survive a hypercall.
 */
#include "guest.h"

const char test_title[] = "unknown hypercalls and bad pointers";

#define NONCANON    ((void *)0x8000000000000000ul)
#define XENRANGE    ((void *)0xffff830000000000ul)
#define UNMAPPED    ((void *)0x0000100000000000ul)

/* A hypercall with the full 64-bit %rax given (the wrappers take a 32-bit number). */
static long raw_hypercall(unsigned long nr)
{
    register unsigned long rax asm("rax") = nr;

    asm volatile ( "push %%rcx; push %%r11; syscall; pop %%r11; pop %%rcx"
                   : "+r" (rax) :: "rdi", "rsi", "rdx", "r10", "r8", "memory", "cc" );
    return (long)rax;
}

void test_main(start_info_t *si)
{
    static const unsigned long unknown[] = { 43, 47, 56, 63, 64, 100, 255, 0x1000, 0x7fffffff, 0xffffffff,
                                             0x100000011ul, ~0ul };
    void *bad[] = { NONCANON, XENRANGE, UNMAPPED };
    static const char *const bad_names[] = { "non-canonical", "hypervisor range", "unmapped" };
    void *ro = alloc_page();
    unsigned long r8_after, r10_after, rbx_after;
    struct vcpu_runstate_info info;

    for ( unsigned int i = 0; i < ARRAY_SIZE(unknown); i++ )
    {
        char what[48];

        snprintf(what, sizeof(what), "hypercall %#lx", unknown[i]);
        check_rc(what, raw_hypercall(unknown[i]), -ENOSYS);
    }

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        char what[96];

        snprintf(what, sizeof(what), "xen_version(extraversion) to a %s buffer", bad_names[i]);
        check_rc(what, hypercall_xen_version(XENVER_extraversion, bad[i]), -EFAULT);
        snprintf(what, sizeof(what), "console_io(write) from a %s buffer", bad_names[i]);
        check_rc(what, hypercall_console_io(CONSOLEIO_write, 16, bad[i]), -EFAULT);
        snprintf(what, sizeof(what), "memory_op(current_reservation) from a %s pointer", bad_names[i]);
        check_rc(what, hypercall_memory_op(XENMEM_current_reservation, bad[i]), -EFAULT);
        snprintf(what, sizeof(what), "set_trap_table from a %s pointer", bad_names[i]);
        check_rc(what, hypercall_set_trap_table(bad[i]), -EFAULT);
        snprintf(what, sizeof(what), "mmu_update from a %s pointer", bad_names[i]);
        check_rc(what, hypercall_mmu_update(bad[i], 1, NULL, DOMID_SELF), -EFAULT);
        snprintf(what, sizeof(what), "mmuext_op from a %s pointer", bad_names[i]);
        check_rc(what, hypercall_mmuext_op(bad[i], 1, NULL, DOMID_SELF), -EFAULT);
        snprintf(what, sizeof(what), "vcpu_op(get_runstate_info) to a %s pointer", bad_names[i]);
        check_rc(what, hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, bad[i]), -EFAULT);
        snprintf(what, sizeof(what), "sched_op(shutdown) from a %s pointer", bad_names[i]);
        check_rc(what, hypercall_sched_op(SCHEDOP_shutdown, bad[i]), -EFAULT);
        snprintf(what, sizeof(what), "physdev_op(set_iopl) from a %s pointer", bad_names[i]);
        check_rc(what, hypercall_physdev_op(PHYSDEVOP_set_iopl, bad[i]), -EFAULT);
        snprintf(what, sizeof(what), "event_channel_op(bind_virq) from a %s pointer", bad_names[i]);
        check_rc(what, hypercall_event_channel_op(EVTCHNOP_bind_virq, bad[i]), -EFAULT);
    }

    /* Output to a read-only page. */
    if ( check_rc("remap a page read-only", set_page_writable(ro, false), 0) )
    {
        check_rc("xen_version(capabilities) to a read-only page",
                 hypercall_xen_version(XENVER_capabilities, ro), -EFAULT);
        check_rc("vcpu_op(get_runstate_info) to a read-only page",
                 hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, ro), -EFAULT);
    }
    check_rc("get_runstate_info to a good buffer", hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, &info), 0);

    /* Registers other than rax (and the rcx/r11 the stub saves) are preserved. */
    asm volatile ( "mov $0x1234, %%rbx\n\t"
                   "mov $0x5678, %%r8\n\t"
                   "mov $0x9abc, %%r10\n\t"
                   "mov %[nr], %%eax\n\t"
                   "xor %%edi, %%edi\n\t"
                   "xor %%esi, %%esi\n\t"
                   "push %%rcx; push %%r11; syscall; pop %%r11; pop %%rcx\n\t"
                   "mov %%rbx, %[rbx]\n\t"
                   "mov %%r8, %[r8]\n\t"
                   "mov %%r10, %[r10]\n\t"
                   : [rbx] "=m" (rbx_after), [r8] "=m" (r8_after), [r10] "=m" (r10_after)
                   : [nr] "i" (__HYPERVISOR_xen_version)
                   : "rax", "rbx", "rdi", "rsi", "r8", "r10", "memory", "cc" );
    check_eq("rbx across a hypercall", rbx_after, 0x1234);
    check_eq("r8 (argument 5) across a hypercall", r8_after, 0x5678);
    check_eq("r10 (argument 4) across a hypercall", r10_after, 0x9abc);
}
