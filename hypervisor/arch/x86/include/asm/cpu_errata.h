/* cpu_errata.h - CPU (and emulator) behaviour found at boot that the PV code works around. */
#ifndef ASM_CPU_ERRATA_H
#define ASM_CPU_ERRATA_H

#include <parva/public.h>

struct cpu_errata {
    bool iret_smap;         /* ring-3 IRET reads its stack as a supervisor access under SMAP */
};

extern struct cpu_errata cpu_errata;
extern bool probe_active;

void cpu_errata_probe(void);
/* An exception while the probe runs in ring 3: record it and resume the probe's caller. */
__noreturn void probe_exception(struct cpu_user_regs *regs);

#endif /* ASM_CPU_ERRATA_H */
