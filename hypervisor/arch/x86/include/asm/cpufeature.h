/* cpufeature.h - what the boot CPU offers (CPUID), read once by cpu_early_init(). */
#ifndef ASM_CPUFEATURE_H
#define ASM_CPUFEATURE_H

#include <parva/types.h>

struct cpu_features {
    char vendor[13];
    uint32_t max_leaf;
    unsigned int family, model, stepping;
    unsigned int paddr_bits;
    bool apic, x2apic, tsc_deadline, invariant_tsc, xsave, hypervisor, fxsr;
    bool pge, nx, page1gb, fsgsbase;
    bool smep, smap;            /* present */
    bool use_smep, use_smap;    /* present and not turned off on the command line */
};

extern struct cpu_features cpu_features;

void cpu_early_init(void);
void cpu_init_registers(void);
/* Does this CPU have every feature the boot CPU enabled?  If not, *missing names one. */
bool cpu_matches_boot_cpu(char *missing, size_t len);

#endif /* ASM_CPUFEATURE_H */
