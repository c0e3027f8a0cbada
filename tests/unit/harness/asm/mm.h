/* mm.h (unit-test harness) - "machine memory" is a host buffer: frame n is harness_ram + n pages. */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <parva/types.h>
#include <asm/page.h>

extern unsigned char *harness_ram;      /* set by harness_ram_init() */

static inline void *maddr_to_virt(paddr_t ma) { return harness_ram + ma; }
static inline paddr_t virt_to_maddr(const void *va) { return (paddr_t)((const unsigned char *)va - harness_ram); }

#define mfn_to_virt(mfn)    maddr_to_virt(pfn_to_paddr(mfn))
#define virt_to_mfn(va)     PFN_DOWN(virt_to_maddr(va))
#define __va(ma)            maddr_to_virt(ma)
#define __pa(va)            virt_to_maddr(va)

#endif /* ASM_MM_H */
