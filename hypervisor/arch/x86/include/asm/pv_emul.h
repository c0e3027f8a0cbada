/* pv_emul.h - emulation of what a ring-3 PV guest kernel cannot do itself. */
#ifndef ASM_PV_EMUL_H
#define ASM_PV_EMUL_H

#include <parva/public.h>

struct vcpu;

/* #GP in guest kernel mode: a privileged instruction (MSR, CR, port I/O, ...); true if emulated. */
bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs);
/* #UD: the forced-emulation CPUID prefix (ud2; "xen"; cpuid); true if emulated. */
bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs);
/* #PF: a write to a read-only L1 page-table page, emulated with validation; true if handled. */
bool pv_ptwr_fault(struct vcpu *v, struct cpu_user_regs *regs, unsigned long cr2);
/* The PV CPUID policy (emulated CPUID and the forced prefix). */
void pv_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf, struct cpu_user_regs *regs);

/* Virtual machine-check MSRs (pv/vmce.c): 1 handled, 0 not a vMCE MSR, -1 refused (#GP). */
int pv_vmce_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
int pv_vmce_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);

#endif /* ASM_PV_EMUL_H */
