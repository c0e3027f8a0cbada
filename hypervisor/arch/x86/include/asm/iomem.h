/*
 * iomem.h - device memory the hypervisor keeps for itself: frames no guest may map, and frames
 * guests may map read-only only (arch/x86/iomem.c).
 */
#ifndef ASM_IOMEM_H
#define ASM_IOMEM_H

#include <parva/types.h>

/* At boot, by the driver that owns the registers: [pa, pa + len) is the hypervisor's. */
void iomem_reserve(paddr_t pa, size_t len);
void iomem_reserve_read_only(paddr_t pa, size_t len);

/* May a (privileged) guest map this non-RAM frame at all?  And only read-only? */
bool iomem_guest_may_map(unsigned long mfn);
bool iomem_guest_read_only(unsigned long mfn);

#endif /* ASM_IOMEM_H */
