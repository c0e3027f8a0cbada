/*
 * pv.h - the x86-64 paravirtual guest machinery: entering and leaving guests, traps, hypercalls.
 *
 * While a PV vCPU runs on a physical CPU, cpu_info->current_vcpu points at
 * it and its registers are in cpu_info->guest_cpu_user_regs (where every
 * entry from the guest saves them).  Leaving the hypervisor towards the
 * guest always goes through pv_exit_to_guest(), which delivers what is
 * pending (a bounced exception, later event upcalls) by rewriting those
 * registers and writing a frame on the guest's kernel stack.
 */
#ifndef ASM_PV_H
#define ASM_PV_H

#define TRAP_syscall        0x100   /* entry_vector of a SYSCALL from the guest */

#ifndef __ASSEMBLY__
#include <parva/public.h>
#include <asm/current.h>

struct domain;
struct vcpu;

static inline struct vcpu *current_vcpu(void)
{
    return get_cpu_info()->current_vcpu;
}
#define current current_vcpu()

static inline bool guest_mode(const struct cpu_user_regs *regs)
{
    return (regs->cs & 3) != 0;
}

/* Domain and vCPU lifetime hooks (arch/x86/pv/domain.c). */
int arch_vcpu_create(struct vcpu *v);
void arch_domain_destroy(struct domain *d);
void arch_domain_shutdown(struct domain *d);
void arch_domain_crash_report(struct domain *d);

/* Entering and leaving guests (arch/x86/pv/entry.S, pv/run.c). */
void pv_cpu_init(unsigned int cpu);             /* SYSCALL MSRs and this CPU's entry stub */
__noreturn void pv_resume_guest(struct cpu_user_regs *regs);   /* entry.S: restore and iretq */
void pv_exit_to_guest(struct cpu_user_regs *regs);
void pv_toggle_guest_mode(struct vcpu *v);
void pv_load_root(struct vcpu *v);              /* CR3 from the vCPU's mode and roots */

/* Traps (arch/x86/pv/traps.c). */
void pv_do_trap(struct cpu_user_regs *regs);
void pv_inject_trap(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error_code);
void pv_inject_page_fault(struct vcpu *v, unsigned long cr2, uint32_t error_code);
void do_guest_syscall(struct cpu_user_regs *regs);

/* Guest page tables and descriptor tables (pv/walk.c, pv/descriptor.c). */
bool pv_walk_l1e(unsigned long root_mfn, unsigned long va, uint64_t *l1e);
unsigned long pv_guest_va_to_mfn(const struct vcpu *v, unsigned long va);   /* ~0UL if unmapped */
int pv_set_ldt(struct vcpu *v, unsigned long base, unsigned int ents);
int pv_set_gdt(struct vcpu *v, const unsigned long *frames, unsigned int entries);
int pv_set_debugreg(struct vcpu *v, unsigned long reg, unsigned long value);
/* VCPUOP_initialise: give a vCPU that never ran its first context (pv/vcpu_context.c). */
int pv_vcpu_initialise(struct vcpu *v, const struct vcpu_guest_context *c);
void pv_release_descriptor_frames(struct vcpu *v);     /* domain destruction */
void pv_release_vcpu_info(struct vcpu *v);              /* domain destruction (pv/hc_vcpu.c) */
void pv_update_runstate_area(struct vcpu *v);
void pv_time_update(struct vcpu *v);        /* refresh its pvclock (pv/time.c) */
void pv_time_update_guest_copy(struct vcpu *v); /* the copy it registered; v's address space */

/* Debug registers (pv/hc_cpu.c). */
void pv_init_debugregs(struct vcpu *v);
void pv_load_debugregs(const struct vcpu *v);   /* NULL: no breakpoints */
unsigned long pv_take_dr6(void);                /* read DR6 and reset it */
bool pv_read_debugreg(struct vcpu *v, unsigned int reg, unsigned long *val);   /* false: #GP/#UD */

/* XENMEM_exchange (pv/mem_exchange.c). */
long pv_memory_exchange(unsigned long arg);

/* Hypercalls (arch/x86/pv/hypercall.c). */
void pv_hypercall(struct cpu_user_regs *regs);
void pv_fill_hypercall_page(void *page);

__noreturn void reset_stack_and_jump(void (*fn)(void));

#endif /* !__ASSEMBLY__ */
#endif /* ASM_PV_H */
