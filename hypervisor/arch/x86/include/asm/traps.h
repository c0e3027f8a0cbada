/* traps.h - exception and interrupt entry points and the diagnostic dumps. */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <parva/public.h>

#define TRAP_nmi        2
#define TRAP_double_fault 8
#define TRAP_gp_fault   13
#define TRAP_page_fault 14
#define TRAP_machine_check 18

/* Page-fault error code bits */
#define PFEC_present    (1U << 0)
#define PFEC_write      (1U << 1)
#define PFEC_user       (1U << 2)
#define PFEC_reserved   (1U << 3)
#define PFEC_insn_fetch (1U << 4)

void do_exception(struct cpu_user_regs *regs);
void do_interrupt(struct cpu_user_regs *regs);
void do_nmi(struct cpu_user_regs *regs);

const char *trap_name(unsigned int vector);
unsigned long search_extable(unsigned long rip);
void show_registers(const struct cpu_user_regs *regs);
void show_stack(const struct cpu_user_regs *regs);

/* SMEP self-test support (arch/x86/cpu_protect.c). */
bool smep_probe_fixup(struct cpu_user_regs *regs);

#endif /* ASM_TRAPS_H */
