/* page.h - x86-64 page sizes, page-table entry bits and address conversions. */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <asm/config.h>

#define PAGE_SHIFT      12
#define PAGE_SIZE       (_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK       (~(PAGE_SIZE - 1))
#define L1_SHIFT        12
#define L2_SHIFT        21
#define L3_SHIFT        30
#define L4_SHIFT        39
#define PT_ENTRIES      512
#define SUPERPAGE_SIZE  (_AC(1, UL) << L2_SHIFT)
#define GIGAPAGE_SIZE   (_AC(1, UL) << L3_SHIFT)

#define _PAGE_PRESENT   _AC(0x001, UL)
#define _PAGE_RW        _AC(0x002, UL)
#define _PAGE_USER      _AC(0x004, UL)
#define _PAGE_PWT       _AC(0x008, UL)
#define _PAGE_PCD       _AC(0x010, UL)
#define _PAGE_ACCESSED  _AC(0x020, UL)
#define _PAGE_DIRTY     _AC(0x040, UL)
#define _PAGE_PSE       _AC(0x080, UL)  /* L2/L3: superpage */
#define _PAGE_PAT       _AC(0x080, UL)  /* L1: PAT index bit 2 */
#define _PAGE_GLOBAL    _AC(0x100, UL)
#define _PAGE_PSE_PAT   _AC(0x1000, UL) /* L2/L3 superpage: PAT index bit 2 */
#define _PAGE_NX        (_AC(1, UL) << 63)
#define PADDR_MASK      _AC(0x000ffffffffff000, UL)

/* Hypervisor mappings; cache attributes index Xen's PAT (see arch/x86/cpu.c). */
#define PAGE_HV_RW      (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX)
#define PAGE_HV_RO      (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_HV_RX      (_PAGE_PRESENT | _PAGE_ACCESSED)
#define PAGE_HV_UC      (PAGE_HV_RW | _PAGE_PCD | _PAGE_PWT)   /* PAT entry 3: UC */
#define PAGE_TABLE_HV   (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

#ifndef __ASSEMBLY__
#define l1_index(va)    (((unsigned long)(va) >> L1_SHIFT) & (PT_ENTRIES - 1))
#define l2_index(va)    (((unsigned long)(va) >> L2_SHIFT) & (PT_ENTRIES - 1))
#define l3_index(va)    (((unsigned long)(va) >> L3_SHIFT) & (PT_ENTRIES - 1))
#define l4_index(va)    (((unsigned long)(va) >> L4_SHIFT) & (PT_ENTRIES - 1))

#define PFN_DOWN(pa)    ((unsigned long)(pa) >> PAGE_SHIFT)
#define PFN_UP(pa)      (((unsigned long)(pa) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define pfn_to_paddr(p) ((paddr_t)(p) << PAGE_SHIFT)
#endif

#endif /* ASM_PAGE_H */
