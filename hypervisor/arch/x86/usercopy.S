/*
 * usercopy.S - the only place the hypervisor touches guest memory: byte copies inside STAC/CLAC.
 *
 * With SMAP on, guest pages (which carry _PAGE_USER) are reachable only
 * between STAC and CLAC; a fault part-way (unmapped or read-only guest page)
 * continues at the fixup, which closes the window and returns how many bytes
 * were not copied.  Callers check the guest range first (guest_access.c).
 */
#include <asm/asm_defns.h>

        .text
/* unsigned long raw_copy_guest(void *dst, const void *src, unsigned long n): bytes NOT copied */
        .globl  raw_copy_guest
raw_copy_guest:
        movq    %rdx, %rcx
        ASM_STAC
1:      rep movsb
2:      ASM_CLAC
        movq    %rcx, %rax
        ret
        _ASM_EXTABLE 1b, 2b

/* unsigned long raw_clear_guest(void *dst, unsigned long n): bytes NOT cleared */
        .globl  raw_clear_guest
raw_clear_guest:
        movq    %rsi, %rcx
        xorl    %eax, %eax
        ASM_STAC
3:      rep stosb
4:      ASM_CLAC
        movq    %rcx, %rax
        ret
        _ASM_EXTABLE 3b, 4b
