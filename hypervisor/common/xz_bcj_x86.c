/*
 * xz_bcj_x86.c - the decoder of the .xz x86 BCJ filter (filter ID 0x04), which the Linux build puts
 * before LZMA2 for the kernel (scripts/xz_wrap.sh).
 *
 * Design.  The encoder looks for E8 (call rel32) and E9 (jmp rel32) opcodes whose 32-bit operand
 * has a top byte of 0x00 or 0xff (a target within 16 MiB: most real calls) and replaces the
 * relative operand by an absolute one (operand + position of the next instruction), so that every
 * call to one function becomes the same five bytes, which LZMA compresses well.  The decoder does
 * the reverse, making the same decisions on the same bytes:
 *  - the scan stops 5 bytes before the end (the last 4 bytes are never converted) and skips over
 *    a converted operand;
 *  - the 25-bit result is sign-extended into the top byte, so it is 0x00 or 0xff again;
 *  - "mask" records which of the 3 bytes before an opcode were opcodes left unconverted (bit k:
 *    the byte k + 1 back).  With such a neighbour the opcode may really be an operand byte of it:
 *    some patterns are skipped, and in the others the conversion is repeated while the result
 *    would look like that neighbour's operand top byte, so that encoding was reversible.
 * Positions are 32-bit and wrap, as in the encoder; the filter's start offset (a property) is the
 * position of the block's first byte.
 */
#include <parva/lib.h>
#include "xz_private.h"

static bool near_top_byte(uint8_t b)
{
    return b == 0x00 || b == 0xff;
}

void xz_bcj_x86_decode(uint8_t *buf, size_t size, uint32_t start)
{
    /* By mask (its 3 bits): may the opcode be converted, and which neighbour counts (1-3 back). */
    static const bool allowed[8] = { true, true, true, false, true, false, false, false };
    static const uint8_t far_byte[8] = { 0, 1, 2, 2, 3, 3, 3, 3 };
    size_t i = 0, last = (size_t)-1;    /* the last opcode seen; "-1": the first has no neighbour */
    unsigned int mask = 0;

    while ( size >= 5 && i <= size - 5 )
    {
        size_t gap;
        uint32_t v, dest;

        if ( (buf[i] & 0xfe) != 0xe8 )
        {
            i++;
            continue;
        }
        gap = i - last;
        last = i;
        if ( gap > 3 )
            mask = 0;
        else
        {
            mask = (mask << (gap - 1)) & 7;
            if ( mask && (!allowed[mask] || near_top_byte(buf[i + 4 - far_byte[mask]])) )
            {
                mask = (mask << 1) | 1;
                i++;
                continue;
            }
        }
        if ( !near_top_byte(buf[i + 4]) )
        {
            mask = (mask << 1) | 1;
            i++;
            continue;
        }

        v = (uint32_t)buf[i + 1] | ((uint32_t)buf[i + 2] << 8) | ((uint32_t)buf[i + 3] << 16) |
            ((uint32_t)buf[i + 4] << 24);
        for ( ;; )
        {
            unsigned int shift;

            dest = v - (start + (uint32_t)i + 5);
            if ( !mask )
                break;
            shift = far_byte[mask] * 8;
            if ( !near_top_byte((uint8_t)(dest >> (24 - shift))) )
                break;
            v = dest ^ ((1U << (32 - shift)) - 1);
        }
        dest &= 0x01ffffff;
        dest |= 0U - (dest & 0x01000000);
        buf[i + 1] = (uint8_t)dest;
        buf[i + 2] = (uint8_t)(dest >> 8);
        buf[i + 3] = (uint8_t)(dest >> 16);
        buf[i + 4] = (uint8_t)(dest >> 24);
        i += 5;
    }
}
