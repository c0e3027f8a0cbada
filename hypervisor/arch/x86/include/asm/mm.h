/* mm.h - conversions between machine addresses and the direct map (x86-64). */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <parva/types.h>
#include <asm/config.h>
#include <asm/page.h>

extern char _start[], _end[];

static inline void *maddr_to_virt(paddr_t ma)
{
    return (void *)(DIRECTMAP_VIRT_START + ma);
}

static inline paddr_t virt_to_maddr(const void *va)
{
    unsigned long v = (unsigned long)va;

    if ( v >= HV_VIRT_START && v < HV_VIRT_END )
        return v - HV_VIRT_START;
    return v - DIRECTMAP_VIRT_START;
}

#define mfn_to_virt(mfn)    maddr_to_virt(pfn_to_paddr(mfn))
#define virt_to_mfn(va)     PFN_DOWN(virt_to_maddr(va))
#define __va(ma)            maddr_to_virt(ma)
#define __pa(va)            virt_to_maddr(va)

#endif /* ASM_MM_H */
