/*
 * xz_lzma2.c - the LZMA2 decoder of the .xz decompressor: LZMA2 chunks, and LZMA inside them.
 *
 * Design.  LZMA2 is a sequence of chunks, each introduced by a control byte:
 *   0x00        end of the LZMA2 data;
 *   0x01, 0x02  an uncompressed chunk (0x01 also resets the dictionary): a big-endian u16 size - 1,
 *               then the bytes;
 *   0x80-0xff   an LZMA chunk: bits 0-4 are bits 16-20 of (uncompressed size - 1), followed by
 *               big-endian u16s of the low bits of (uncompressed size - 1) and of (compressed
 *               size - 1); bits 5-6 say what is reset: 0 nothing, 1 the LZMA state, 2 the state
 *               and a properties byte follows (lc, lp, pb), 3 all that and the dictionary.
 * The first chunk must reset the dictionary, and the first LZMA chunk after a dictionary reset
 * must carry properties.  Every LZMA chunk starts a new range coder, and must use exactly its
 * compressed bytes to produce exactly its uncompressed bytes; no match may run past its end.
 *
 * LZMA (Igor Pavlov's specification): a range decoder reads bits with adaptive probabilities;
 * each symbol is a literal byte, a match (length, then distance), a repeat of one of the last
 * four distances, or a one-byte "short rep".  The dictionary is the output buffer: a distance is
 * valid when it reaches back no further than the last dictionary reset and the block's dictionary
 * size.  All table indices come from bounded bit trees, so corrupt input can only give wrong
 * bytes or an error, never an access outside the tables, the input chunk or the output buffer.
 * A range decoder that wants bytes past its chunk gets zeros and the chunk is then refused.
 */
#include <parva/lib.h>
#include "xz_private.h"

#define PROB_BITS       11
#define PROB_ONE        (1U << PROB_BITS)
#define PROB_SHIFT      5
#define RC_TOP          (1U << 24)
#define RC_INIT_BYTES   5
#define MATCH_MIN       2
#define LIT_STATES      7               /* states below this follow a literal */

struct rc {
    const uint8_t *in;
    size_t pos, end;                    /* pos may pass end: the chunk is then corrupt */
    uint32_t range, code;
};

static __always_inline void rc_normalize(struct rc *rc)
{
    if ( rc->range < RC_TOP )
    {
        rc->range <<= 8;
        rc->code = (rc->code << 8) | (rc->pos < rc->end ? rc->in[rc->pos] : 0);
        rc->pos++;
    }
}

static __always_inline unsigned int rc_bit(struct rc *rc, uint16_t *prob)
{
    uint32_t bound;

    rc_normalize(rc);
    bound = (rc->range >> PROB_BITS) * *prob;
    if ( rc->code < bound )
    {
        rc->range = bound;
        *prob += (PROB_ONE - *prob) >> PROB_SHIFT;
        return 0;
    }
    rc->range -= bound;
    rc->code -= bound;
    *prob -= *prob >> PROB_SHIFT;
    return 1;
}

/* A bits-wide symbol, most significant bit first, through the tree probs[1 .. 2^bits). */
static __always_inline unsigned int rc_tree(struct rc *rc, uint16_t *probs, unsigned int bits)
{
    unsigned int m = 1;

    while ( m < (1U << bits) )
        m = (m << 1) | rc_bit(rc, &probs[m]);
    return m - (1U << bits);
}

/* The same, least significant bit first. */
static __always_inline unsigned int rc_tree_rev(struct rc *rc, uint16_t *probs, unsigned int bits)
{
    unsigned int m = 1, sym = 0, i;

    for ( i = 0; i < bits; i++ )
    {
        unsigned int bit = rc_bit(rc, &probs[m]);

        m = (m << 1) | bit;
        sym |= bit << i;
    }
    return sym;
}

/* Bits with probability one half, most significant first. */
static uint32_t rc_direct(struct rc *rc, unsigned int bits)
{
    uint32_t v = 0;

    while ( bits-- )
    {
        rc_normalize(rc);
        rc->range >>= 1;
        v <<= 1;
        if ( rc->code >= rc->range )
        {
            rc->code -= rc->range;
            v |= 1;
        }
    }
    return v;
}

static void lzma_reset(struct xz_lzma2 *s)
{
    uint16_t *p = (uint16_t *)&s->p;
    size_t i;

    for ( i = 0; i < sizeof(s->p) / sizeof(*p); i++ )
        p[i] = PROB_ONE / 2;
    memset(s->rep, 0, sizeof(s->rep));
    s->state = 0;
}

/* lc, lp, pb from a properties byte ((pb * 5 + lp) * 9 + lc); LZMA2 wants lc + lp <= 4. */
static int lzma_props(struct xz_lzma2 *s, uint8_t props)
{
    if ( props >= 9 * 5 * 5 )
        return -EINVAL;
    s->lc = props % 9;
    s->lp = (props / 9) % 5;
    s->pb = props / 45;
    return s->lc + s->lp > 4 ? -EINVAL : 0;
}

/* A length minus MATCH_MIN: 0-271. */
static unsigned int lzma_len(struct rc *rc, struct xz_lzma_len *l, unsigned int pos_state)
{
    if ( !rc_bit(rc, &l->choice) )
        return rc_tree(rc, l->low[pos_state], 3);
    if ( !rc_bit(rc, &l->choice2) )
        return 8 + rc_tree(rc, l->mid[pos_state], 3);
    return 16 + rc_tree(rc, l->high, 8);
}

/* A match distance minus one (0xffffffff is LZMA's end marker), for a length minus MATCH_MIN. */
static uint32_t lzma_dist(struct rc *rc, struct xz_lzma_probs *p, unsigned int len)
{
    unsigned int slot = rc_tree(rc, p->dist_slot[min(len, XZ_LZMA_DIST_STATES - 1U)], 6), bits;
    uint32_t dist;

    if ( slot < 4 )
        return slot;
    bits = (slot >> 1) - 1;
    dist = (2U | (slot & 1)) << bits;
    if ( slot < XZ_LZMA_DIST_MODEL_END )
        return dist + rc_tree_rev(rc, p->dist_special + dist - slot, bits);
    dist += rc_direct(rc, bits - 4) << 4;
    return dist + rc_tree_rev(rc, p->dist_align, 4);
}

/* One literal at out[pos]; have = bytes decoded since the dictionary reset (at least rep0 + 1
 * when the state says a match just happened). */
static int lzma_literal(struct xz_lzma2 *s, struct rc *rc, uint8_t *out, size_t pos, size_t have)
{
    unsigned int prev = have ? out[pos - 1] : 0, sym = 1;
    uint16_t *probs = s->p.literal +
        XZ_LZMA_LIT_SIZE * ((((unsigned int)have & ((1U << s->lp) - 1)) << s->lc) + (prev >> (8 - s->lc)));

    if ( s->state >= LIT_STATES )
    {
        unsigned int match;

        /* After a match the byte at rep0 predicts this one, bit by bit until they differ. */
        if ( s->rep[0] >= have )
            return -EINVAL;
        match = out[pos - s->rep[0] - 1];
        do
        {
            unsigned int mbit = (match >> 7) & 1, bit;

            match <<= 1;
            bit = rc_bit(rc, &probs[0x100 + (mbit << 8) + sym]);
            sym = (sym << 1) | bit;
            if ( bit != mbit )
                break;
        } while ( sym < 0x100 );
    }
    while ( sym < 0x100 )
        sym = (sym << 1) | rc_bit(rc, &probs[sym]);
    out[pos] = (uint8_t)sym;
    s->state = s->state < 4 ? 0 : s->state < 10 ? s->state - 3 : s->state - 6;
    return 0;
}

/* Decode out[*pos, end) from one LZMA chunk; the dictionary starts at out[dict_start]. */
static int lzma_chunk(struct xz_lzma2 *s, struct rc *rc, uint8_t *out, size_t dict_start, size_t *posp,
                      size_t end)
{
    struct xz_lzma_probs *p = &s->p;
    size_t pos = *posp;
    unsigned int pb_mask = (1U << s->pb) - 1;

    while ( pos < end )
    {
        size_t have = pos - dict_start, len, i;
        unsigned int ps = (unsigned int)have & pb_mask;
        const uint8_t *src;
        uint8_t *dst;

        if ( !rc_bit(rc, &p->is_match[s->state][ps]) )
        {
            if ( lzma_literal(s, rc, out, pos, have) )
                return -EINVAL;
            pos++;
            continue;
        }
        if ( !rc_bit(rc, &p->is_rep[s->state]) )
        {
            /* A new match: its length, then its distance, which becomes rep0. */
            len = lzma_len(rc, &p->match_len, ps);
            s->rep[3] = s->rep[2];
            s->rep[2] = s->rep[1];
            s->rep[1] = s->rep[0];
            s->rep[0] = lzma_dist(rc, p, (unsigned int)len);
            s->state = s->state < LIT_STATES ? 7 : 10;
        }
        else
        {
            if ( !rc_bit(rc, &p->is_rep0[s->state]) )
            {
                if ( !rc_bit(rc, &p->is_rep0_long[s->state][ps]) )
                {
                    /* Short rep: one byte from distance rep0. */
                    if ( s->rep[0] >= have )
                        return -EINVAL;
                    out[pos] = out[pos - s->rep[0] - 1];
                    pos++;
                    s->state = s->state < LIT_STATES ? 9 : 11;
                    continue;
                }
            }
            else
            {
                /* rep1, rep2 or rep3 moves to the front. */
                uint32_t d;

                if ( !rc_bit(rc, &p->is_rep1[s->state]) )
                    d = s->rep[1];
                else
                {
                    if ( !rc_bit(rc, &p->is_rep2[s->state]) )
                        d = s->rep[2];
                    else
                    {
                        d = s->rep[3];
                        s->rep[3] = s->rep[2];
                    }
                    s->rep[2] = s->rep[1];
                }
                s->rep[1] = s->rep[0];
                s->rep[0] = d;
            }
            len = lzma_len(rc, &p->rep_len, ps);
            s->state = s->state < LIT_STATES ? 8 : 11;
        }

        /* Copy len bytes from rep0 + 1 back; the end marker (rep0 = ~0) fails here too. */
        len += MATCH_MIN;
        if ( s->rep[0] >= have || s->rep[0] >= s->dict_size || len > end - pos )
            return -EINVAL;
        dst = out + pos;
        src = dst - s->rep[0] - 1;
        if ( s->rep[0] + 1 >= len )
            memcpy(dst, src, len);
        else
            for ( i = 0; i < len; i++ )     /* overlapping: a run that repeats itself */
                dst[i] = src[i];
        pos += len;
    }
    *posp = pos;
    return 0;
}

static unsigned int be16(const uint8_t *p)
{
    return ((unsigned int)p[0] << 8) | p[1];
}

int xz_lzma2_decode(struct xz_lzma2 *s, uint32_t dict_size, const uint8_t *in, size_t in_len,
                    size_t *in_used, uint8_t *out, size_t out_pos, size_t out_cap, size_t *out_end)
{
    size_t ip = 0, pos = out_pos, dict_start = out_pos;
    bool need_dict_reset = true, need_props = true;

    s->dict_size = dict_size;
    for ( ;; )
    {
        unsigned int ctrl;
        size_t unpacked, packed;
        struct rc rc;
        int rc_err;

        if ( ip >= in_len )
            return -EINVAL;
        ctrl = in[ip++];
        if ( ctrl == 0x00 )
            break;
        if ( ctrl >= 0xe0 || ctrl == 0x01 )
        {
            need_dict_reset = false;
            need_props = true;
            dict_start = pos;
        }
        else if ( need_dict_reset )
            return -EINVAL;

        if ( ctrl < 0x80 )
        {
            /* Uncompressed: copied into the dictionary as it is. */
            if ( ctrl > 0x02 || in_len - ip < 2 )
                return -EINVAL;
            unpacked = be16(in + ip) + 1;
            ip += 2;
            if ( in_len - ip < unpacked )
                return -EINVAL;
            if ( out_cap - pos < unpacked )
                return -ENOSPC;
            memcpy(out + pos, in + ip, unpacked);
            ip += unpacked;
            pos += unpacked;
            continue;
        }

        if ( in_len - ip < 4 )
            return -EINVAL;
        unpacked = ((size_t)(ctrl & 0x1f) << 16) + be16(in + ip) + 1;
        packed = be16(in + ip + 2) + 1;
        ip += 4;
        if ( ctrl >= 0xc0 )
        {
            if ( ip >= in_len || lzma_props(s, in[ip]) )
                return -EINVAL;
            ip++;
            need_props = false;
        }
        else if ( need_props )
            return -EINVAL;
        if ( ctrl >= 0xa0 )
            lzma_reset(s);
        if ( packed < RC_INIT_BYTES || in_len - ip < packed )
            return -EINVAL;
        if ( out_cap - pos < unpacked )
            return -ENOSPC;

        /* The range decoder: a zero byte, then the first 32 bits of the code. */
        if ( in[ip] != 0x00 )
            return -EINVAL;
        rc.in = in + ip;
        rc.end = packed;
        rc.pos = RC_INIT_BYTES;
        rc.range = 0xffffffffU;
        rc.code = ((uint32_t)in[ip + 1] << 24) | ((uint32_t)in[ip + 2] << 16) | ((uint32_t)in[ip + 3] << 8) |
                  in[ip + 4];
        if ( rc.code == rc.range )
            return -EINVAL;
        rc_err = lzma_chunk(s, &rc, out, dict_start, &pos, pos + unpacked);
        /*
         * A finished range decoder has used every byte of its chunk and holds code 0.  Bits are
         * decoded normalizing first, so the normalization after the last bit is still due.
         */
        rc_normalize(&rc);
        if ( rc_err || rc.pos != packed || rc.code != 0 )
            return -EINVAL;
        ip += packed;
    }
    *in_used = ip;
    *out_end = pos;
    return 0;
}
