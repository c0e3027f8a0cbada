/*
 * guest_access.c - checked copies to and from a guest's linear addresses.
 *
 * A 64-bit PV guest owns every linear address except the hypervisor's range
 * (HYPERVISOR_VIRT_START..END in the public ABI): a guest-supplied pointer
 * into that range, or one whose range wraps, is refused before any access.
 * The copy itself (usercopy.S) runs with SMAP opened only for its duration
 * and survives faults.  Each call returns the number of bytes NOT copied.
 */
#include <parva/public.h>
#include <asm/config.h>
#include <asm/guest_access.h>

BUILD_BUG_ON(HYPERVISOR_VIRT_START != HV_AREA_START);
BUILD_BUG_ON(HYPERVISOR_VIRT_END != HV_AREA_END);

unsigned long raw_copy_guest(void *dst, const void *src, unsigned long n);
unsigned long raw_clear_guest(void *dst, unsigned long n);

bool guest_range_ok(unsigned long addr, unsigned long n)
{
    unsigned long end = addr + n;

    if ( end < addr )
        return false;
    if ( n == 0 )
        return true;
    /* [addr, end) must not touch [HV_AREA_START, HV_AREA_END). */
    return end <= HV_AREA_START || addr >= HV_AREA_END;
}

unsigned long copy_from_guest_va(void *dst, unsigned long src, unsigned long n)
{
    if ( !guest_range_ok(src, n) )
        return n;
    return raw_copy_guest(dst, (const void *)src, n);
}

unsigned long copy_to_guest_va(unsigned long dst, const void *src, unsigned long n)
{
    if ( !guest_range_ok(dst, n) )
        return n;
    return raw_copy_guest((void *)dst, src, n);
}

unsigned long clear_guest_va(unsigned long dst, unsigned long n)
{
    if ( !guest_range_ok(dst, n) )
        return n;
    return raw_clear_guest((void *)dst, n);
}
