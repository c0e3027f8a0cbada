/*
 * smp.h - per-CPU state of the physical CPUs, and the cross-CPU calls between them.
 *
 * pcpus[] is indexed by the hypervisor's CPU number (0 = the boot CPU, the
 * others in MADT order); cpu_info on each CPU's stack holds its number.
 */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <parva/types.h>
#include <asm/config.h>
#include <asm/desc.h>

struct pcpu {
    unsigned int cpu_id;
    uint32_t apic_id;
    uint32_t acpi_uid;
    volatile bool online;
    volatile bool boot_failed;          /* started, but unusable (reported itself) */
    unsigned long stack_block;          /* base of the STACK_SIZE stack block */
    struct tss64 tss;
    /* local APIC timer self-check */
    volatile unsigned long timer_ticks;
    /* cross-CPU calls received and NMIs nobody asked for (statistics, debug keys) */
    unsigned long ipis_received;
    unsigned long nmis_unknown;
} __aligned(64);

extern struct pcpu pcpus[NR_CPUS];
extern unsigned int nr_cpus_possible;   /* CPUs listed (enabled) by firmware, capped at NR_CPUS */
extern volatile unsigned int nr_cpus_online;

#define this_pcpu()         (&pcpus[smp_processor_id()])
#define for_each_online_cpu(c) \
    for ( (c) = 0; (c) < nr_cpus_possible; (c)++ ) if ( !pcpus[c].online ) continue; else

/* Run fn(info) on every other online CPU; with wait, until all have finished. */
void smp_call_function(void (*fn)(void *info), void *info, bool wait);
/* Run fn(info) on one CPU (which may be this one); with wait, until it has finished. */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *info), void *info, bool wait);

struct acpi_madt_info;
void smp_set_trampoline(unsigned long pa);
void smp_boot_cpus(const struct acpi_madt_info *madt);  /* bring up the application processors */
void smp_call_function_interrupt(void);

#endif /* ASM_SMP_H */
