/*
 * string.h (x86) - the word loops of common/string.c as string instructions: rep movsq and
 * rep stosq move 8 bytes per step in one instruction (and count as one instruction per step
 * under QEMU's -icount, where an open-coded loop counts four or five).  DF is clear everywhere in
 * the hypervisor: the System V ABI keeps it so, and every entry from a guest clears it (SAVE_ALL).
 */
#ifndef ASM_STRING_H
#define ASM_STRING_H

#include <parva/types.h>

/* Copy nwords 8-byte words from s to d, low addresses first. */
static inline void arch_copy_words(void *d, const void *s, size_t nwords)
{
    asm volatile ( "rep movsq" : "+D" (d), "+S" (s), "+c" (nwords) : : "memory" );
}

/* Store w into nwords 8-byte words from d on. */
static inline void arch_fill_words(void *d, uint64_t w, size_t nwords)
{
    asm volatile ( "rep stosq" : "+D" (d), "+c" (nwords) : "a" (w) : "memory" );
}

#endif /* ASM_STRING_H */
