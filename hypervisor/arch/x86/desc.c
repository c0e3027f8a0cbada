/*
 * desc.c - per-CPU GDT and TSS, and the shared IDT.
 *
 * See asm/desc.h for the selector layout.  The IDT is built once from the
 * entry stubs in entry.S; NMI, #DF and #MC run on their own IST stacks so
 * that a corrupt or overflowed stack still gives a diagnostic.  Vectors 3
 * (#BP) and 4 (#OF) have DPL 3 so that a PV guest's int3/into reach us as
 * those exceptions rather than as #GP.
 */
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/current.h>
#include <asm/desc.h>
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
