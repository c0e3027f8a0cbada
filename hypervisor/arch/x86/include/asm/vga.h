/* vga.h - VGA text console. */
#ifndef ASM_VGA_H
#define ASM_VGA_H

#include <parva/types.h>

void vga_init(bool text_mode_available);

#endif /* ASM_VGA_H */
