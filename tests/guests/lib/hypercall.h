/*
 * hypercall.h - hypercall wrappers for the test kernels.
 *
 * Design: by default a hypercall is a `syscall` from guest kernel mode with the number in %rax and the
 * arguments in %rdi, %rsi, %rdx, %r10, %r8; %rcx and %r11 are saved around it as Linux does. Kernels
 * built with GUEST_HYPERCALL_PAGE (a HYPERCALL_PAGE note) call the builder-written stubs instead.
 * Every wrapper returns the hypervisor's result unchanged (negative Xen errno on failure).
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include "types.h"
#include <xen/xen.h>

#ifdef GUEST_HYPERCALL_PAGE
extern uint8_t hypercall_page[PAGE_SIZE];
#endif

#define HC_CLOBBERS "memory", "cc"

static inline long hypercall5(unsigned int nr, unsigned long a1, unsigned long a2, unsigned long a3,
                              unsigned long a4, unsigned long a5)
{
    register unsigned long rax asm("rax") = nr;
    register unsigned long rdi asm("rdi") = a1;
    register unsigned long rsi asm("rsi") = a2;
    register unsigned long rdx asm("rdx") = a3;
    register unsigned long r10 asm("r10") = a4;
    register unsigned long r8 asm("r8") = a5;

#ifdef GUEST_HYPERCALL_PAGE
    /* The stub number must be a constant: dispatch through a computed address instead. */
    unsigned long stub = (unsigned long)hypercall_page + nr * 32;

    asm volatile ( "call *%[stub]"
                   : "+r" (rax), "+r" (rdi), "+r" (rsi), "+r" (rdx), "+r" (r10), "+r" (r8)
                   : [stub] "m" (stub)
                   : "rcx", "r11", "r9", HC_CLOBBERS );
#else
    asm volatile ( "push %%rcx; push %%r11; syscall; pop %%r11; pop %%rcx"
                   : "+r" (rax), "+r" (rdi), "+r" (rsi), "+r" (rdx), "+r" (r10), "+r" (r8)
                   :
                   : HC_CLOBBERS );
#endif
    return (long)rax;
}

#define hypercall0(nr)                  hypercall5(nr, 0, 0, 0, 0, 0)
#define hypercall1(nr, a)               hypercall5(nr, (unsigned long)(a), 0, 0, 0, 0)
#define hypercall2(nr, a, b)            hypercall5(nr, (unsigned long)(a), (unsigned long)(b), 0, 0, 0)
#define hypercall3(nr, a, b, c)         hypercall5(nr, (unsigned long)(a), (unsigned long)(b), \
                                                   (unsigned long)(c), 0, 0)
#define hypercall4(nr, a, b, c, d)      hypercall5(nr, (unsigned long)(a), (unsigned long)(b), \
                                                   (unsigned long)(c), (unsigned long)(d), 0)

static inline long hypercall_set_trap_table(const struct trap_info *traps)
{
    return hypercall1(__HYPERVISOR_set_trap_table, traps);
}

static inline long hypercall_mmu_update(const mmu_update_t *reqs, unsigned int count, unsigned int *done,
                                        unsigned int foreigndom)
{
    return hypercall4(__HYPERVISOR_mmu_update, reqs, count, done, foreigndom);
}

static inline long hypercall_set_gdt(const unsigned long *frames, unsigned int entries)
{
    return hypercall2(__HYPERVISOR_set_gdt, frames, entries);
}

static inline long hypercall_stack_switch(unsigned long ss, unsigned long sp)
{
    return hypercall2(__HYPERVISOR_stack_switch, ss, sp);
}

static inline long hypercall_fpu_taskswitch(int set)
{
    return hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}

static inline long hypercall_set_debugreg(unsigned int reg, unsigned long value)
{
    return hypercall2(__HYPERVISOR_set_debugreg, reg, value);
}

static inline long hypercall_get_debugreg(unsigned int reg)
{
    return hypercall1(__HYPERVISOR_get_debugreg, reg);
}

static inline long hypercall_update_descriptor(uint64_t maddr, uint64_t desc)
{
    return hypercall2(__HYPERVISOR_update_descriptor, maddr, desc);
}

static inline long hypercall_memory_op(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long hypercall_multicall(multicall_entry_t *calls, unsigned int nr)
{
    return hypercall2(__HYPERVISOR_multicall, calls, nr);
}

static inline long hypercall_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
    return hypercall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long hypercall_xen_version(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long hypercall_console_io(int cmd, unsigned int count, const char *buf)
{
    return hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long hypercall_vm_assist(unsigned int cmd, unsigned int type)
{
    return hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}

static inline long hypercall_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long hypercall_set_segment_base(unsigned int which, unsigned long base)
{
    return hypercall2(__HYPERVISOR_set_segment_base, which, base);
}

static inline long hypercall_mmuext_op(struct mmuext_op *ops, unsigned int count, unsigned int *done,
                                       unsigned int foreigndom)
{
    return hypercall4(__HYPERVISOR_mmuext_op, ops, count, done, foreigndom);
}

static inline long hypercall_sched_op(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long hypercall_callback_op(int cmd, const void *arg)
{
    return hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline long hypercall_physdev_op(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_physdev_op, cmd, arg);
}

static inline long hypercall_event_channel_op(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

/* One mmuext_op without a done counter; returns the hypercall's result. */
long mmuext_one(unsigned int cmd, unsigned long arg1, unsigned long arg2);
/* One mmu_update request; returns the hypercall's result. */
long mmu_update_one(uint64_t ptr, uint64_t val);

#endif /* GUEST_HYPERCALL_H */
