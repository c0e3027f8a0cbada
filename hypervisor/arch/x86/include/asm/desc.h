/*
 * desc.h - segment selectors, the GDT, IDT and TSS.
 *
 * The hypervisor's descriptors live in the GDT page that Xen reserves at
 * selector 0xe000 (FIRST_RESERVED_GDT_PAGE 14 in the public ABI), with
 * Xen's exact layout, so that the flat ring-3 selectors guests are promised
 * (FLAT_RING3_CS64 0xe033, CS32 0xe023, DS/SS 0xe02b) exist on every CPU and
 * SYSCALL/SYSRET selector arithmetic (MSR_STAR) works out:
 *
 *   0xe008 ring-0 64-bit code     0xe023 ring-3 32-bit code   0xe038 ring-0 32-bit code
 *   0xe010 ring-0 data            0xe02b ring-3 data          0xe040 TSS (16 bytes)
 *                                 0xe033 ring-3 64-bit code   0xe050 LDT (16 bytes)
 *
 * Each CPU has its own copy of that page (its TSS descriptor differs).  Once
 * paging is set up, GDTR points at a per-CPU window (desc.c) whose first 14
 * pages map the running PV vCPU's own GDT frames and whose 15th is that page;
 * before that, the base is simply 14 pages below the page.
 */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#define HYPERVISOR_CS       0xe008
#define HYPERVISOR_DS       0xe010
#define HYPERVISOR_CS32     0xe038
#define TSS_SELECTOR        0xe040
#define LDT_SELECTOR        0xe050
#define GDT_RESERVED_PAGE   14
#define GDT_RESERVED_ENTRY  (GDT_RESERVED_PAGE * 512)
#define GDT_LIMIT           ((GDT_RESERVED_PAGE + 1) * 4096 - 1)

/* IST slots (TSS.ist[n-1]) for the exceptions that must not trust the current stack. */
#define IST_DF              1
#define IST_NMI             2
#define IST_MC              3
#define IST_DB              4

#ifndef __ASSEMBLY__
#include <parva/types.h>

struct __packed tss64 {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3;
    uint16_t iomap_base;
};

struct __packed desc_ptr {
    uint16_t limit;
    uint64_t base;
};

struct idt_entry {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t rsvd;
};

void gdt_init_cpu(unsigned int cpu);
void gdt_use_window(unsigned int cpu);
void gdt_load_guest_frames(unsigned int cpu, const unsigned long *frames, unsigned int nr);
void ldt_load_guest_frames(unsigned int cpu, const unsigned long *frames, unsigned int nr, unsigned int ents);
void idt_init(void);
void idt_load(void);
void idt_set_handler(unsigned int vector, void (*fn)(void), unsigned int dpl, unsigned int ist);
struct tss64 *tss_of(unsigned int cpu);
#endif

#endif /* ASM_DESC_H */
