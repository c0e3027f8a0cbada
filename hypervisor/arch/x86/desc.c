/*
 * desc.c - per-CPU GDT and TSS, and the shared IDT.
 *
 * See asm/desc.h for the selector layout.  The IDT is built once from the
 * entry stubs in entry.S; #DB, NMI, #DF and #MC run on their own IST stacks
 * so that a corrupt or overflowed stack still gives a diagnostic.  Vectors 3
 * (#BP) and 4 (#OF) have DPL 3 so that a PV guest's int3/into reach us as
 * those exceptions rather than as #GP.
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/paging.h>
#include <asm/smp.h>

typedef uint64_t seg_desc_t;

static seg_desc_t gdt_pages[NR_CPUS][512] __aligned(4096) __section(".bss.page_aligned");
static struct idt_entry idt[256] __aligned(4096) __section(".bss.page_aligned");
extern const unsigned long entry_stubs[256];

/* The reserved page's layout, as Xen's (index = (selector - 0xe000) / 8). */
static const seg_desc_t gdt_template[] = {
    [0] = 0,
    [1] = 0x00af9b000000ffff,   /* 0xe008 ring 0 code, 64-bit */
    [2] = 0x00cf93000000ffff,   /* 0xe010 ring 0 data */
    [3] = 0,                    /* 0xe018 reserved */
    [4] = 0x00cffb000000ffff,   /* 0xe023 ring 3 code, 32-bit (compatibility) */
    [5] = 0x00cff3000000ffff,   /* 0xe02b ring 3 data */
    [6] = 0x00affb000000ffff,   /* 0xe033 ring 3 code, 64-bit */
    [7] = 0x00cf9b000000ffff,   /* 0xe038 ring 0 code, 32-bit */
};

struct tss64 *tss_of(unsigned int cpu)
{
    return &pcpus[cpu].tss;
}

static void set_tss_desc(seg_desc_t *gdt, const struct tss64 *tss)
{
    uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
    unsigned int idx = (TSS_SELECTOR & 0x1fff) >> 3;

    gdt[idx] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |  /* present, 64-bit TSS */
               (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[idx + 1] = base >> 32;
}

/* Load this CPU's GDT and TSS; stack_block is the base of its stack block (asm/current.h). */
void gdt_init_cpu(unsigned int cpu)
{
    seg_desc_t *gdt = gdt_pages[cpu];
    struct tss64 *tss = tss_of(cpu);
    unsigned long stack = pcpus[cpu].stack_block;
    struct desc_ptr gdtr = {
        .limit = GDT_LIMIT,
        .base = (uint64_t)gdt - GDT_RESERVED_PAGE * 4096,
    };

    memcpy(gdt, gdt_template, sizeof(gdt_template));
    memset(tss, 0, sizeof(*tss));
    tss->rsp[0] = (uint64_t)&cpu_info_of_stack(stack)->guest_cpu_user_regs.es;
    tss->ist[IST_DF - 1] = stack + (STACK_IST_DF + 1) * 4096;
    tss->ist[IST_NMI - 1] = stack + (STACK_IST_NMI + 1) * 4096;
    tss->ist[IST_MC - 1] = stack + (STACK_IST_MC + 1) * 4096;
    tss->ist[IST_DB - 1] = stack + (STACK_IST_DB + 1) * 4096;
    tss->iomap_base = sizeof(*tss);     /* no I/O bitmap: ring 3 port I/O faults */
    set_tss_desc(gdt, tss);

    __asm__ __volatile__(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movl %2, %%eax\n\t"
        "movl %%eax, %%ss\n\t"
        "movl %%eax, %%ds\n\t"
        "movl %%eax, %%es\n\t"
        "xorl %%eax, %%eax\n\t"
        "movl %%eax, %%fs\n\t"
        "movl %%eax, %%gs\n\t"
        "ltr %w3\n\t"
        "lldt %w4"
        :: "m"(gdtr), "i"(HYPERVISOR_CS), "i"(HYPERVISOR_DS), "r"(TSS_SELECTOR), "r"(0)
        : "rax", "memory");
}

/*
 * The GDT window of each CPU, in the per-domain area (shared by every guest L4): pages 0-13 hold
 * the running vCPU's own GDT frames (or a zero page: null descriptors), page 14 this CPU's
 * reserved page.  GDTR always points at the window, so a guest selector below 0xe000 reads the
 * guest's GDT and one above reads the hypervisor's.
 */
#define GDT_WINDOW_PAGES    32      /* 16 for the GDT, 16 reserved for the LDT */
static unsigned long zero_page_mfn;

static unsigned long gdt_window(unsigned int cpu)
{
    return PERDOMAIN_VIRT_START + (unsigned long)cpu * GDT_WINDOW_PAGES * PAGE_SIZE;
}

static void load_gdtr(unsigned int cpu)
{
    struct desc_ptr gdtr = { .limit = GDT_LIMIT, .base = gdt_window(cpu) };

    __asm__ __volatile__("lgdt %0" :: "m"(gdtr) : "memory");
}

/* Map nr guest GDT frames (nr <= 14; the rest become null descriptors) and reload GDTR. */
void gdt_load_guest_frames(unsigned int cpu, const unsigned long *frames, unsigned int nr)
{
    unsigned long va = gdt_window(cpu);
    unsigned int i;

    for ( i = 0; i < GDT_RESERVED_PAGE; i++ )
        map_pages(va + i * PAGE_SIZE, i < nr ? frames[i] : zero_page_mfn, 1,
                  (i < nr ? PAGE_HV_RW : PAGE_HV_RO) | MAP_SMALL);
    load_gdtr(cpu);
}

/* Map nr LDT frames into the window after the GDT and load an LDT of ents entries (0: none). */
void ldt_load_guest_frames(unsigned int cpu, const unsigned long *frames, unsigned int nr, unsigned int ents)
{
    unsigned long va = gdt_window(cpu) + 16 * PAGE_SIZE, limit = ents * 8 - 1;
    seg_desc_t *gdt = gdt_pages[cpu];
    unsigned int i, idx = (LDT_SELECTOR & 0x1fff) >> 3;

    if ( !ents )
    {
        __asm__ __volatile__("lldt %w0" :: "r"(0));
        return;
    }
    for ( i = 0; i < nr; i++ )
        map_pages(va + i * PAGE_SIZE, frames[i], 1, PAGE_HV_RW | MAP_SMALL);
    gdt[idx] = (limit & 0xffff) | ((va & 0xffffff) << 16) | (0x82UL << 40) |   /* present, LDT */
               (((limit >> 16) & 0xf) << 48) | (((va >> 24) & 0xff) << 56);
    gdt[idx + 1] = va >> 32;
    __asm__ __volatile__("lldt %w0" :: "r"(LDT_SELECTOR));
}

/* Move this CPU's GDTR to its window (once the hypervisor's page tables exist). */
void gdt_use_window(unsigned int cpu)
{
    if ( !zero_page_mfn )
    {
        void *z = alloc_xenheap_pages(0);

        if ( !z )
            panic("no memory for the GDT zero page\n");
        zero_page_mfn = virt_to_mfn(z);
    }
    map_pages(gdt_window(cpu) + GDT_RESERVED_PAGE * PAGE_SIZE, virt_to_mfn(gdt_pages[cpu]), 1,
              PAGE_HV_RW | MAP_SMALL);
    gdt_load_guest_frames(cpu, NULL, 0);
}

void idt_set_handler(unsigned int vector, void (*fn)(void), unsigned int dpl, unsigned int ist)
{
    unsigned long a = (unsigned long)fn;
    struct idt_entry *e = &idt[vector];

    e->offset_lo = a & 0xffff;
    e->selector = HYPERVISOR_CS;
    e->ist = ist;
    e->type_attr = 0x8e | (dpl << 5);   /* present, 64-bit interrupt gate */
    e->offset_mid = (a >> 16) & 0xffff;
    e->offset_hi = a >> 32;
    e->rsvd = 0;
}

void __init idt_init(void)
{
    unsigned int v;

    for ( v = 0; v < 256; v++ )
        idt_set_handler(v, (void (*)(void))entry_stubs[v], 0, 0);
    idt_set_handler(1, (void (*)(void))entry_stubs[1], 0, IST_DB);
    idt_set_handler(2, (void (*)(void))entry_stubs[2], 0, IST_NMI);
    idt_set_handler(3, (void (*)(void))entry_stubs[3], 3, 0);
    idt_set_handler(4, (void (*)(void))entry_stubs[4], 3, 0);
    idt_set_handler(8, (void (*)(void))entry_stubs[8], 0, IST_DF);
    idt_set_handler(18, (void (*)(void))entry_stubs[18], 0, IST_MC);
}

void idt_load(void)
{
    struct desc_ptr idtr = { .limit = sizeof(idt) - 1, .base = (uint64_t)idt };

    __asm__ __volatile__("lidt %0" :: "m"(idtr));
}
