/*
 * setup.c - the boot CPU's path from head.S to a running machine, in order.
 *
 *  1. boot information (multiboot2) and the command line; the console;
 *  2. CPU features, descriptor tables, control registers;
 *  3. memory: the firmware map, the boot allocator, the hypervisor's page
 *     tables, the frame table, the heap;
 *  4. ACPI, time (TSC), local APIC and its timer, IO-APICs and the
 *     interrupt routing table, the console's receive interrupt;
 *  5. the other CPUs; a cross-CPU call to each;
 *  6. the boot modules: dom0 and the boot-time domUs; then they run.
 */
#include <parva/acpi.h>
#include <parva/boot_domains.h>
#include <parva/bootinfo.h>
#include <parva/console.h>
#include <parva/domain.h>
#include <parva/dom0.h>
#include <parva/keyhandler.h>
#include <parva/lib.h>
#include <parva/memmap.h>
#include <parva/mm.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <parva/shutdown.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu_errata.h>
#include <asm/cpufeature.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/io_apic.h>
#include <asm/irq.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/ns16550.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_dom0.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include <asm/system.h>
#include <asm/time.h>
#include <asm/vga.h>

#define MBI_MAX_SIZE    MB(1)

static struct boot_info boot_info;

const struct memmap_entry *machine_memmap(unsigned int *nr)
{
    *nr = boot_info.nr_memmap;
    return boot_info.memmap;
}
extern char cpu0_stack[];

/* Tests link a stronger version of this hook into special builds (tests/boot/). */
__weak void boot_selftest_hook(void)
{
}

/* GRUB's multiboot2 command line has no image name, but other loaders put one first: skip it. */
static const char *skip_image_name(const char *s)
{
    const char *p = s;

    while ( *p == ' ' )
        p++;
    if ( *p == '/' || !strncmp(p, "(hd", 3) || !strncmp(p, "(cd", 3) )
    {
        while ( *p && *p != ' ' )
            p++;
        return p;
    }
    return s;
}

static void __init reserve_boot_data(const struct boot_info *bi)
{
    unsigned int i;

    bootmem_reserve(0, PFN_UP(MB(1)));      /* firmware, EBDA, the AP trampoline */
    bootmem_reserve(PFN_DOWN(virt_to_maddr(_start)), PFN_UP(virt_to_maddr(_end)));
    bootmem_reserve(PFN_DOWN(bi->mbi_start), PFN_UP(bi->mbi_end));
    for ( i = 0; i < bi->nr_modules; i++ )
        bootmem_reserve(PFN_DOWN(bi->modules[i].start), PFN_UP(bi->modules[i].end));
}

/* Give the boot allocator the RAM of the map inside [lo, hi) (bytes), minus everything in use. */
static void __init add_ram(const struct boot_info *bi, paddr_t lo, paddr_t hi)
{
    unsigned int i;

    for ( i = 0; i < bi->nr_memmap; i++ )
    {
        const struct memmap_entry *e = &bi->memmap[i];
        paddr_t s = max(e->addr, lo), end = min(e->addr + e->size, hi);

        if ( e->type == E820_RAM && PFN_UP(s) < PFN_DOWN(end) )
            bootmem_add(PFN_UP(s), PFN_DOWN(end));
    }
    reserve_boot_data(bi);
}

/* A free RAM page below 1 MiB for the AP trampoline (the SIPI vector is its page number). */
static unsigned long __init pick_trampoline(const struct boot_info *bi)
{
    paddr_t pa;
    unsigned int i;

    for ( pa = 0x9e000; pa >= 0x1000; pa -= PAGE_SIZE )
    {
        bool clash = pa < bi->mbi_end && pa + PAGE_SIZE > bi->mbi_start;

        for ( i = 0; i < bi->nr_modules; i++ )
            clash |= pa < bi->modules[i].end && pa + PAGE_SIZE > bi->modules[i].start;
        if ( !clash && memmap_is_type(bi->memmap, bi->nr_memmap, pa, PAGE_SIZE, E820_RAM) )
            return pa;
    }
    return 0;
}

static void __init memory_init(struct boot_info *bi, unsigned long trampoline)
{
    unsigned long max_ram_pfn = 0;
    uint64_t ram;
    unsigned int i;

    for ( i = 0; i < bi->nr_memmap; i++ )
        if ( bi->memmap[i].type == E820_RAM )
            max_ram_pfn = max(max_ram_pfn, (unsigned long)PFN_DOWN(bi->memmap[i].addr + bi->memmap[i].size));
    ram = memmap_total(bi->memmap, bi->nr_memmap, E820_RAM);
    printk("System RAM: %luMB (%lukB)\n", (unsigned long)(ram >> 20), (unsigned long)(ram >> 10));

    /* Until the new page tables are in place only the first 4 GiB are mapped. */
    add_ram(bi, 0, GB(4));
    paging_init(bi, PFN_DOWN(trampoline));
    add_ram(bi, GB(4), ~0ULL);
    frametable_init(max_ram_pfn);
    bootmem_end();
    heap_is_up();
    printk("Heap: %lu MiB free of %lu MiB of RAM (the rest: hypervisor image, boot modules, firmware)\n",
           heap_free_count() >> (20 - PAGE_SHIFT), (unsigned long)(ram >> 20));
    console_ring_resize();
}

static volatile unsigned int ipi_answers;

static void ipi_ping(void *info)
{
    unsigned int *ids = info;

    ids[smp_processor_id()] = lapic_id();
    __atomic_add_fetch(&ipi_answers, 1, __ATOMIC_SEQ_CST);
}

/* Every other CPU must run a function sent to it by IPI and report its own APIC ID. */
static void __init smp_selftest(void)
{
    static unsigned int ids[NR_CPUS];
    unsigned int c, bad = 0;

    if ( nr_cpus_online < 2 )
        return;
    smp_call_function(ipi_ping, ids, true);
    for_each_online_cpu ( c )
        if ( c != 0 && ids[c] != pcpus[c].apic_id )
            bad++;
    printk("IPI check: %u of %u other CPUs answered a cross-CPU call%s\n", ipi_answers, nr_cpus_online - 1,
           bad || ipi_answers != nr_cpus_online - 1 ? " (MISMATCH)" : "");
}

static void dump_cpu_state(void *info)
{
    printk("*** Dumping CPU%u state ***\n", smp_processor_id());
    dump_execution_state();
}

static void key_dump_registers(unsigned char key)
{
    dump_cpu_state(NULL);
    smp_call_function(dump_cpu_state, NULL, true);
}

static void key_dump_irqs(unsigned char key)
{
    irq_dump_routing();
}

static void key_dump_time(unsigned char key)
{
    uint64_t ns = now_ns();

    printk("Time: %lu.%09lu s since boot, TSC %lu kHz\n", (unsigned long)(ns / 1000000000ULL),
           (unsigned long)(ns % 1000000000ULL), (unsigned long)tsc_khz);
}

/* Which module is whose (parva/domU_params.h): dom0's kernel and initrd, the boot-time domUs'. */
static void __init plan_modules(const struct boot_info *bi, struct boot_plan *plan)
{
    const char *cmdlines[BOOTINFO_MAX_MODULES];
    unsigned int i;

    for ( i = 0; i < bi->nr_modules; i++ )
        cmdlines[i] = bi->modules[i].cmdline;
    boot_plan_modules(cmdlines, bi->nr_modules, plan);
}

static void __init report_modules(const struct boot_info *bi, const struct boot_plan *plan)
{
    unsigned int i, k;
    char dom0[96], role[48];

    for ( i = 0; i < bi->nr_modules; i++ )
    {
        const struct boot_module *m = &bi->modules[i];

        strlcpy(role, boot_module_role_name(plan->role[i]), sizeof(role));
        for ( k = 0; k < plan->nr_domUs; k++ )
            if ( plan->domU[k].kernel == i || plan->domU[k].initrd == (int)i )
                snprintf(role, sizeof(role), "domU %u %s", plan->domU[k].id,
                         plan->domU[k].kernel == i ? "kernel" : "initrd");
        printk("Module %u: %#lx-%#lx (%lu KiB) %s: \"%s\"\n", i, (unsigned long)m->start,
               (unsigned long)m->end, (unsigned long)((m->end - m->start) >> 10), role, m->cmdline);
    }
    if ( plan->dom0_kernel >= 0 )
    {
        dom0_params_describe(dom0, sizeof(dom0));
        printk("%s\n", dom0);
    }
}

/* The boot modules were copied into dom0: their frames go to the heap. */
static void __init free_boot_modules(const struct boot_info *bi)
{
    unsigned long freed = 0;
    unsigned int i;

    for ( i = 0; i < bi->nr_modules; i++ )
    {
        unsigned long s = PFN_UP(bi->modules[i].start), e = PFN_DOWN(bi->modules[i].end);

        if ( s < e )
        {
            heap_add_pages(s, e - s);
            freed += e - s;
        }
    }
    printk(XENLOG_INFO "Freed %lu KiB of boot modules\n", freed << (PAGE_SHIFT - 10));
}

static cpumask_t online_cpu_mask(void)
{
    cpumask_t m = 0;
    unsigned int cpu;

    for_each_online_cpu ( cpu )
        m |= 1ULL << cpu;
    return m;
}

static __noreturn void nothing_to_run(const char *why)
{
    printk("%s\n", why);
    if ( opt_noreboot )
    {
        printk("'noreboot' given: staying up. Debug keys work on the console ('h' lists them, 'R' reboots).\n");
        local_irq_enable();
        for ( ; ; )
            halt();
    }
    machine_power_off();
}

void __start_parva(uint32_t magic, unsigned long mbi_pa);
void __init __start_parva(uint32_t magic, unsigned long mbi_pa)
{
    struct boot_info *bi = &boot_info;
    const uint32_t *mbi = maddr_to_virt(mbi_pa);
    struct domain *dom0 = NULL;
    struct boot_plan plan;
    unsigned long trampoline, domU_pages;
    int rc;

    /* CPU 0's identity, and exceptions reported from here on. */
    get_cpu_info()->processor_id = 0;
    get_cpu_info()->stack_block = (unsigned long)cpu0_stack;
    pcpus[0].stack_block = (unsigned long)cpu0_stack;
    pcpus[0].online = true;
    idt_init();
    gdt_init_cpu(0);
    idt_load();

    /* 1. Boot information, command line, console. */
    rc = -EINVAL;
    if ( magic == MB2_BOOTLOADER_MAGIC && mbi_pa + 8 <= GB(4) && mbi[0] <= MBI_MAX_SIZE &&
         mbi_pa + mbi[0] <= GB(4) )
        rc = mb2_parse(mbi, mbi_pa, mbi[0], bi);
    param_parse_cmdline(bi->has_cmdline ? skip_image_name(bi->cmdline) : "");
    ns16550_init();
    vga_init(!bi->efi_tags);
    printk("Parva %d.%d, a Xen %d.%d PV ABI hypervisor (gcc %s)\n", PARVA_VERSION_MAJOR, PARVA_VERSION_MINOR,
           XEN_ABI_MAJOR, XEN_ABI_MINOR, __VERSION__);
    if ( rc )
        panic("the multiboot2 boot information is unusable (%d)\n", rc);
    printk("Bootloader: %s\n", bi->has_loader_name ? bi->loader_name : "(unknown)");
    printk("Command line: %s\n", param_saved_cmdline());
    if ( bi->efi_tags )
        printk(XENLOG_WARNING "Booted through EFI: Parva supports BIOS boot only; continuing\n");

    /* 2. CPU; the legacy PICs silenced for good. */
    pic_disable();
    cpu_early_init();
    cpu_init_registers();

    /* 3. Memory. */
    if ( !bi->has_memmap && bi->has_meminfo )
    {
        bi->memmap[0] = (struct memmap_entry){ 0, (uint64_t)bi->mem_lower_kb << 10, E820_RAM };
        bi->memmap[1] = (struct memmap_entry){ MB(1), (uint64_t)bi->mem_upper_kb << 10, E820_RAM };
        bi->nr_memmap = 2;
        printk(XENLOG_WARNING "No memory map from the boot loader: using its basic memory sizes\n");
    }
    mb2_print(bi);
    if ( memmap_sanitize(bi->memmap, &bi->nr_memmap, BOOTINFO_MAX_MEMMAP) || !bi->nr_memmap )
        panic("no usable memory map\n");
    printk("Memory map:\n");
    memmap_print(bi->memmap, bi->nr_memmap);
    trampoline = pick_trampoline(bi);
    if ( !trampoline )
        panic("no free page below 1 MiB for the AP trampoline\n");
    memory_init(bi, trampoline);
    gdt_use_window(0);
    pv_cpu_init(0);
    protect_selftest();
    cpu_errata_probe();

    /* 4. Firmware tables, time, interrupts. */
    rc = acpi_tables_init(bi->rsdp_len ? bi->rsdp : NULL, bi->rsdp_len, &acpi_info);
    if ( rc && bi->rsdp_len )
    {
        printk(XENLOG_WARNING "The boot loader's ACPI RSDP is unusable: searching the BIOS areas\n");
        rc = acpi_tables_init(NULL, 0, &acpi_info);
    }
    if ( rc )
        printk(XENLOG_WARNING "No usable ACPI tables: one CPU, no IO-APIC, no ACPI power-off\n");
    time_init(&acpi_info);
    lapic_init_bsp(acpi_info.madt.valid ? acpi_info.madt.lapic_addr : 0xfee00000);
    lapic_setup_cpu();
    pcpus[0].apic_id = get_cpu_info()->apic_id = lapic_id();
    ioapic_init(&acpi_info.madt);
    irq_init_overrides(&acpi_info.madt);
    lapic_timer_calibrate();
    lapic_timer_selftest();
    lapic_timer_oneshot_setup();
    keyhandler_init();
    register_keyhandler('d', key_dump_registers, "dump registers");
    register_keyhandler('i', key_dump_irqs, "dump interrupt routing");
    register_keyhandler('t', key_dump_time, "show time");
    ns16550_init_irq();

    /* 5. The other CPUs. */
    smp_set_trampoline(trampoline);
    smp_boot_cpus(&acpi_info.madt);
    smp_selftest();
    local_irq_enable();

    boot_selftest_hook();

    sched_init(online_cpu_mask());

    /*
     * 6. The domains: dom0 (if the first module is not a domU) and the boot-time domUs, built from
     * the modules (parva/boot_domains.h); then the modules' memory goes back and they run.
     */
    plan_modules(bi, &plan);
    report_modules(bi, &plan);
    if ( bi->nr_modules == 0 )
        nothing_to_run("No dom0 kernel given (no module2 line): nothing to run.");
    m2p_init();
    domU_pages = boot_domains_prepare(bi, &plan);
    if ( plan.dom0_kernel >= 0 &&
         dom0_build(&bi->modules[0], plan.dom0_initrd >= 0 ? &bi->modules[1] : NULL, domU_pages, &dom0) )
        nothing_to_run("dom0 could not be built (see above): nothing to run.");
    if ( !boot_domains_build(bi) && !dom0 )
        nothing_to_run(plan.nr_domUs ? "No boot-time domain could be built (see above), and there is no dom0: "
                       "nothing to run." : "No dom0 kernel given and no domU module: nothing to run.");
    free_boot_modules(bi);
    if ( dom0 )
    {
        console_input_set_guest(dom0);
        vcpu_up(dom0->vcpu[0]);
    }
    else
        printk("No dom0: the boot-time domains run alone; when the last one ends, the machine %s\n",
               opt_noreboot ? "stays up (noreboot)" : "powers off");
    boot_domains_start(dom0 != NULL);
    sched_idle_loop();                  /* this CPU joins the others: they run whatever is runnable */
}
