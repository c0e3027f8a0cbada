/*
 * xz_private.h - what the files of the .xz decoder share: the LZMA2 decoder (xz_lzma2.c) and its
 * state, which xz.c keeps in the workspace it allocates, and the x86 BCJ filter (xz_bcj_x86.c).
 */
#ifndef XZ_PRIVATE_H
#define XZ_PRIVATE_H

#include <parva/types.h>

#define XZ_LZMA_STATES      12
#define XZ_LZMA_POS_MAX     16          /* 2^pb, pb <= 4 */
#define XZ_LZMA_LIT_SIZE    0x300       /* probabilities of one literal coder */
#define XZ_LZMA_LIT_MAX     (XZ_LZMA_LIT_SIZE << 4)     /* LZMA2 allows lc + lp <= 4 */
#define XZ_LZMA_DIST_STATES 4           /* distance slot trees, by match length 2, 3, 4, 5+ */
#define XZ_LZMA_DIST_MODEL_END 14       /* slots from here on use direct bits and the align tree */
#define XZ_LZMA_FULL_DIST   128         /* distances below this use the per-slot reverse trees */

/* A length coder (one for matches, one for repeated matches). */
struct xz_lzma_len {
    uint16_t choice, choice2;
    uint16_t low[XZ_LZMA_POS_MAX][8];   /* lengths 2-9, a 3-bit tree per position state */
    uint16_t mid[XZ_LZMA_POS_MAX][8];   /* lengths 10-17 */
    uint16_t high[256];                 /* lengths 18-273, an 8-bit tree */
};

/* LZMA's adaptive probabilities (11-bit), all reset to one half on a state reset. */
struct xz_lzma_probs {
    uint16_t is_match[XZ_LZMA_STATES][XZ_LZMA_POS_MAX];
    uint16_t is_rep[XZ_LZMA_STATES];
    uint16_t is_rep0[XZ_LZMA_STATES];
    uint16_t is_rep1[XZ_LZMA_STATES];
    uint16_t is_rep2[XZ_LZMA_STATES];
    uint16_t is_rep0_long[XZ_LZMA_STATES][XZ_LZMA_POS_MAX];
    uint16_t dist_slot[XZ_LZMA_DIST_STATES][64];
    /* Reverse trees of slots 4-13, one array indexed from 1 as the LZMA specification lays it out. */
    uint16_t dist_special[XZ_LZMA_FULL_DIST - XZ_LZMA_DIST_MODEL_END + 1];
    uint16_t dist_align[16];
    struct xz_lzma_len match_len, rep_len;
    uint16_t literal[XZ_LZMA_LIT_MAX];
};

/* The LZMA decoder's state, carried from one LZMA2 chunk to the next unless a chunk resets it. */
struct xz_lzma2 {
    struct xz_lzma_probs p;
    uint32_t rep[4];                    /* the last four match distances (minus one) */
    unsigned int state;                 /* 0-11: what the last few symbols were */
    unsigned int lc, lp, pb;            /* literal context bits, literal and match position bits */
    uint32_t dict_size;                 /* from the block header: no distance may reach further */
};

/*
 * Decode one LZMA2 stream, up to and including its end marker, from in[0, in_len) into
 * out[out_pos, out_cap), the dictionary being the output itself.  On success *in_used is the
 * size of the LZMA2 data and *out_end the output position after it.  -EINVAL for corrupt or
 * truncated data, -ENOSPC when the output does not fit.
 */
int xz_lzma2_decode(struct xz_lzma2 *s, uint32_t dict_size, const uint8_t *in, size_t in_len,
                    size_t *in_used, uint8_t *out, size_t out_pos, size_t out_cap, size_t *out_end);

/* Undo the x86 BCJ filter on buf[0, size), a whole block, whose first byte is at position start. */
void xz_bcj_x86_decode(uint8_t *buf, size_t size, uint32_t start);

#endif /* XZ_PRIVATE_H */
