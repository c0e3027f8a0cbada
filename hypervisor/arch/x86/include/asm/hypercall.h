/*
 * hypercall.h - the hypercall handlers.  Arguments arrive as the guest's raw register values:
 * numbers, or guest linear addresses ("handles") that the handlers read and write only through
 * the guest accessors (asm/guest_access.h).
 */
#ifndef ASM_HYPERCALL_H
#define ASM_HYPERCALL_H

#include <parva/types.h>

struct domain;

long do_set_trap_table(unsigned long traps);
long do_mmu_update(unsigned long ureqs, unsigned long count, unsigned long pdone, unsigned long foreigndom);
long do_set_gdt(unsigned long frame_list, unsigned long entries);
long do_stack_switch(unsigned long ss, unsigned long sp);
long do_fpu_taskswitch(unsigned long set);
long do_set_debugreg(unsigned long reg, unsigned long value);
long do_get_debugreg(unsigned long reg);
long do_update_descriptor(unsigned long maddr, unsigned long desc);
long do_memory_op(unsigned long cmd, unsigned long arg);
long do_multicall(unsigned long call_list, unsigned long nr_calls);
long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags);
long do_xen_version(unsigned long cmd, unsigned long arg);
long do_console_io(unsigned long cmd, unsigned long count, unsigned long buffer);
long do_vm_assist(unsigned long cmd, unsigned long type);
long do_iret(void);
long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg);
long do_set_segment_base(unsigned long which, unsigned long base);
long do_mmuext_op(unsigned long uops, unsigned long count, unsigned long pdone, unsigned long foreigndom);
long do_sched_op(unsigned long cmd, unsigned long arg);
long do_set_timer_op(unsigned long timeout);
long do_callback_op(unsigned long cmd, unsigned long arg);
long do_physdev_op(unsigned long cmd, unsigned long arg);

/* XENVER_get_features submap 0 for a domain (common/hc_version.c). */
uint32_t pv_guest_features(const struct domain *d);

/* Call hypercall nr with args (multicall uses it); -ENOSYS / -EPERM as the table says. */
long hypercall_dispatch(unsigned long nr, const unsigned long args[5]);
/* Arrange for the guest to re-issue hypercall op with these arguments; returns -ERESTART. */
long hypercall_create_continuation(unsigned int op, unsigned long a1, unsigned long a2, unsigned long a3,
                                   unsigned long a4, unsigned long a5);

#endif /* ASM_HYPERCALL_H */
