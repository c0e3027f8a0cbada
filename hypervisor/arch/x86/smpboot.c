/*
 * smpboot.c - bringing up the application processors listed in the MADT (INIT-SIPI-SIPI).
 *
 * Design: APs are started one at a time.  For each, the boot CPU allocates
 * a stack block (asm/current.h), fills in the trampoline's variables and
 * sends INIT, then two STARTUP IPIs, as the MP specification describes.
 * The AP runs the trampoline (boot/trampoline.S) into start_secondary(),
 * loads its own GDT/TSS and the shared IDT, programs its control registers
 * and local APIC like the boot CPU's, says it is online and idles with
 * interrupts on, serving cross-CPU calls.
 *
 * Locking: the boot CPU waits for each AP's `online` flag; nothing else is
 * shared during bring-up.
 */
#include <parva/acpi.h>
#include <parva/lib.h>
#include <parva/sched.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/smp.h>
#include <asm/system.h>
#include <asm/time.h>

struct pcpu pcpus[NR_CPUS];
unsigned int nr_cpus_possible = 1;
volatile unsigned int nr_cpus_online = 1;

extern const char trampoline_start[], trampoline_end[];
extern const char tramp_cr3[], tramp_efer[], tramp_stack[], tramp_entry[];
static unsigned long trampoline_pa;

/* The low page that APs start in; chosen by setup before the heap exists. */
void __init smp_set_trampoline(unsigned long pa)
{
    trampoline_pa = pa;
    BUILD_BUG_ON(PAGE_SIZE < 512);
}

static void *tramp_var(const char *sym)
{
    return (char *)maddr_to_virt(trampoline_pa) + (sym - trampoline_start);
}

__noreturn void start_secondary(void);
__noreturn void start_secondary(void)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned int cpu = ci->processor_id;
    char missing[16];

    gdt_init_cpu(cpu);
    idt_load();
    if ( !cpu_matches_boot_cpu(missing, sizeof(missing)) )
    {
        printk(XENLOG_ERR "CPU %u lacks %s, which the boot CPU uses: left offline\n", cpu, missing);
        pcpus[cpu].boot_failed = true;
        for ( ; ; )
            halt();
    }
    cpu_init_registers();
    gdt_use_window(cpu);
    pv_cpu_init(cpu);
    lapic_setup_cpu();
    lapic_timer_oneshot_setup();
    if ( lapic_id() != pcpus[cpu].apic_id )
        printk(XENLOG_WARNING "CPU %u: APIC ID %u, MADT says %u\n", cpu, lapic_id(), pcpus[cpu].apic_id);
    __atomic_add_fetch(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
    pcpus[cpu].online = true;
    local_irq_enable();
    sched_idle_loop();                  /* until the scheduler gives it a vCPU to run */
}

static bool wait_online(unsigned int cpu, unsigned int ms)
{
    uint64_t end = rdtsc_ordered() + ns_to_tsc((uint64_t)ms * 1000000);

    while ( !pcpus[cpu].online )
    {
        if ( pcpus[cpu].boot_failed || rdtsc_ordered() > end )
            return false;
        cpu_relax();
    }
    return true;
}

static bool boot_one(unsigned int cpu)
{
    uint32_t apic = pcpus[cpu].apic_id;
    unsigned long stack = alloc_stack_block();
    struct cpu_info *ci;
    uint32_t sipi = APIC_DM_STARTUP | (uint32_t)(trampoline_pa >> PAGE_SHIFT);

    if ( !stack )
    {
        printk(XENLOG_ERR "CPU %u: no memory for its stack\n", cpu);
        return false;
    }
    pcpus[cpu].stack_block = stack;
    ci = cpu_info_of_stack(stack);
    memset(ci, 0, sizeof(*ci));
    ci->processor_id = cpu;
    ci->apic_id = apic;
    ci->stack_block = stack;
    /* Entered by a jump, so start as if called: 8 below the aligned start of the stack. */
    *(uint64_t *)tramp_var(tramp_stack) = stack + STACK_START_OFFSET - 8;
    *(uint64_t *)tramp_var(tramp_entry) = (uint64_t)start_secondary;
    barrier();

    lapic_send_ipi(apic, APIC_DM_INIT | APIC_INT_ASSERT | APIC_INT_LEVELTRIG);
    mdelay(10);
    lapic_send_ipi(apic, sipi);
    udelay(200);
    if ( !pcpus[cpu].online )
    {
        lapic_send_ipi(apic, sipi);
        udelay(200);
    }
    return wait_online(cpu, 1000);
}

void __init smp_boot_cpus(const struct acpi_madt_info *madt)
{
    uint32_t bsp_apic = lapic_id();
    unsigned int i, cpu;

    memcpy(maddr_to_virt(trampoline_pa), trampoline_start, trampoline_end - trampoline_start);
    *(uint32_t *)tramp_var(tramp_cr3) = (uint32_t)virt_to_maddr(idle_pg_table);
    *(uint32_t *)tramp_var(tramp_efer) = EFER_LME | (cpu_features.nx ? EFER_NXE : 0);
    BUG_ON(virt_to_maddr(idle_pg_table) >> 32);

    nr_cpus_possible = 1;
    for ( i = 0; i < madt->nr_cpus; i++ )
    {
        const struct acpi_cpu *c = &madt->cpus[i];

        if ( c->apic_id == bsp_apic )
        {
            pcpus[0].acpi_uid = c->acpi_uid;
            continue;
        }
        if ( !c->enabled )
            continue;
        if ( nr_cpus_possible == NR_CPUS )
        {
            printk(XENLOG_WARNING "More than %u CPUs: APIC ID %u and later ignored\n", NR_CPUS, c->apic_id);
            break;
        }
        cpu = nr_cpus_possible++;
        pcpus[cpu].cpu_id = cpu;
        pcpus[cpu].apic_id = c->apic_id;
        pcpus[cpu].acpi_uid = c->acpi_uid;
        if ( !x2apic_mode && c->apic_id > 0xfe )
        {
            printk(XENLOG_WARNING "CPU %u: APIC ID %u needs x2APIC mode; not started\n", cpu, c->apic_id);
            continue;
        }
        if ( boot_one(cpu) )
            printk(XENLOG_INFO "CPU %u (APIC ID %u) is up\n", cpu, c->apic_id);
        else
            printk(XENLOG_ERR "CPU %u (APIC ID %u) did not come up\n", cpu, c->apic_id);
    }
    printk("Brought up %u CPUs\n", nr_cpus_online);
}
