/*
 * asm_defns.h - macros shared by assembly and inline assembly: exception-table
 * entries and the STAC/CLAC sites that bracket guest memory accesses.
 *
 * An exception-table entry says "if the instruction at `from` faults, continue
 * at `to`"; entries are two 32-bit offsets relative to themselves.
 * STAC/CLAC are assembled as 3-byte NOPs, their places recorded in
 * .smap_stac_sites/.smap_clac_sites, and turned into the real instructions at
 * boot when SMAP is in use (on a CPU without SMAP they would #UD, and an
 * exception before the CPU is identified must not run into one).
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
661: .byte 0x0f, 0x1f, 0x00
    .pushsection .smap_stac_sites, "a"
    .balign 4
    .long 661b - .
    .popsection
.endm

.macro ASM_CLAC
661: .byte 0x0f, 0x1f, 0x00
    .pushsection .smap_clac_sites, "a"
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

#define _ASM_SMAP_SITE(kind)                        \
    "661: .byte 0x0f, 0x1f, 0x00\n"                 \
    "  .pushsection .smap_" kind "_sites, \"a\"\n"  \
    "  .balign 4\n"                                 \
    "  .long 661b - .\n"                            \
    "  .popsection\n"
#define ASM_STAC _ASM_SMAP_SITE("stac")
#define ASM_CLAC _ASM_SMAP_SITE("clac")

#endif

#endif /* ASM_ASM_DEFNS_H */
