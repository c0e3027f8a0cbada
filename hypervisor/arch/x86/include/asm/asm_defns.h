/*
 * asm_defns.h - macros shared by assembly and inline assembly: exception-table
 * entries and the STAC/CLAC sites that bracket guest memory accesses.
 *
 * An exception-table entry says "if the instruction at `from` faults, continue
 * at `to`"; entries are two 32-bit offsets relative to themselves.
 * Every STAC/CLAC is recorded in .smap_sites; when SMAP is absent or turned off
 * (smap=0) they are replaced with 3-byte NOPs at boot (they would #UD).
 */
#ifndef ASM_ASM_DEFNS_H
#define ASM_ASM_DEFNS_H

#ifdef __ASSEMBLY__

.macro _ASM_EXTABLE from, to
    .pushsection .ex_table, "a"
    .balign 4
    .long (\from) - ., (\to) - .
    .popsection
.endm

.macro ASM_STAC
661: stac
    .pushsection .smap_sites, "a"
    .balign 4
    .long 661b - .
    .popsection
.endm

.macro ASM_CLAC
661: clac
    .pushsection .smap_sites, "a"
    .balign 4
    .long 661b - .
    .popsection
.endm

#else

#define _ASM_EXTABLE(from, to)                      \
    "  .pushsection .ex_table, \"a\"\n"             \
    "  .balign 4\n"                                 \
    "  .long (" #from ") - ., (" #to ") - .\n"      \
    "  .popsection\n"

#define _ASM_SMAP_SITE(insn)                        \
    "661: " insn "\n"                               \
    "  .pushsection .smap_sites, \"a\"\n"           \
    "  .balign 4\n"                                 \
    "  .long 661b - .\n"                            \
    "  .popsection\n"
#define ASM_STAC _ASM_SMAP_SITE("stac")
#define ASM_CLAC _ASM_SMAP_SITE("clac")

#endif

#endif /* ASM_ASM_DEFNS_H */
