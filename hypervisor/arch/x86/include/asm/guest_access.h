/* guest_access.h - copying to and from guest linear addresses (checked, SMAP-bracketed, fault-safe). */
#ifndef ASM_GUEST_ACCESS_H
#define ASM_GUEST_ACCESS_H

#include <parva/types.h>

/* Is [addr, addr+n) a range a guest may name (outside the hypervisor's slots, no wrap)? */
bool guest_range_ok(unsigned long addr, unsigned long n);
/* Each returns the number of bytes NOT copied (0 = success). */
unsigned long copy_from_guest_va(void *dst, unsigned long src, unsigned long n);
unsigned long copy_to_guest_va(unsigned long dst, const void *src, unsigned long n);
unsigned long clear_guest_va(unsigned long dst, unsigned long n);

#endif /* ASM_GUEST_ACCESS_H */
