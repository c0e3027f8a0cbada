/*
 * usercopy.S - the only place the hypervisor touches guest memory: copies inside STAC/CLAC.
 *
 * With SMAP on, guest pages (which carry _PAGE_USER) are reachable only
 * between STAC and CLAC; a fault part-way (unmapped or read-only guest page)
 * continues at the fixup, which closes the window and returns how many bytes
 * were not copied.  Callers check the guest range first (guest_access.c).
 *
 * The bulk moves in 8-byte words (rep movsq / stosq), the tail in bytes, as Xen's
 * copy_{to,from}_guest do.  A fault in the word part leaves RCX words and the tail
 * uncopied (the faulting word counts as not copied, even if it straddled the boundary:
 * the count is never too low).
 */
#include <asm/asm_defns.h>

        .text
/* unsigned long raw_copy_guest(void *dst, const void *src, unsigned long n): bytes NOT copied */
        .globl  raw_copy_guest
raw_copy_guest:
        movq    %rdx, %rcx
        shrq    $3, %rcx
        andl    $7, %edx
        ASM_STAC
1:      rep movsq
        movl    %edx, %ecx
2:      rep movsb
3:      ASM_CLAC
        movq    %rcx, %rax
        ret
4:      leaq    (%rdx, %rcx, 8), %rcx           /* a fault among the words */
        jmp     3b
        _ASM_EXTABLE 1b, 4b
        _ASM_EXTABLE 2b, 3b

/* unsigned long raw_clear_guest(void *dst, unsigned long n): bytes NOT cleared */
        .globl  raw_clear_guest
raw_clear_guest:
        movq    %rsi, %rcx
        shrq    $3, %rcx
        movq    %rsi, %rdx
        andl    $7, %edx
        xorl    %eax, %eax
        ASM_STAC
5:      rep stosq
        movl    %edx, %ecx
6:      rep stosb
7:      ASM_CLAC
        movq    %rcx, %rax
        ret
8:      leaq    (%rdx, %rcx, 8), %rcx
        jmp     7b
        _ASM_EXTABLE 5b, 8b
        _ASM_EXTABLE 6b, 7b
