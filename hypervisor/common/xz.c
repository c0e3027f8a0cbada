/*
 * xz.c - a single-call decompressor for the .xz format: the container (streams, blocks, index,
 * checks), with LZMA2 in xz_lzma2.c and the x86 BCJ filter in xz_bcj_x86.c.
 *
 * Design.  The layout follows the XZ Utils file-format specification (doc/xz-file-format.txt):
 *
 *   file   = stream (stream-padding stream)* stream-padding?       padding: zero bytes, 4n of them
 *   stream = header(12) block* index footer(12)
 *   block  = block-header compressed-data padding(0-3) check
 *
 * Everything is checked: magic bytes, reserved bits (set: -EOPNOTSUPP, they may announce a field
 * we cannot parse), the CRC32s of the headers, footer and index, the block padding, the check of
 * every block's output, the sizes a block header states, the footer's copy of the stream flags
 * and its backward size.  The index is compared with the blocks actually decoded by count, by the
 * sums of their unpadded and uncompressed sizes and by a CRC64 over the list of both, which needs
 * no memory per block.  A block's output goes straight to its place in out: LZMA2 first, then the
 * BCJ filter in place over the whole block (it needs the LZMA2 output intact while that decodes),
 * then the check over the result.
 *
 * Every read is preceded by a bounds check against in_len (see need()), with sizes compared by
 * subtraction so that nothing overflows; variable-length integers are at most 9 bytes (63 bits).
 *
 * The workspace (struct xz_work, ~32 KiB) comes from xzalloc: the hypervisor stacks are 32 KiB.
 *
 * Locking: none; the workspace belongs to one call.
 */
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/xz.h>
#include "xz_private.h"

#define STREAM_HDR_SIZE 12
#define CHECK_NONE      0x00
#define CHECK_CRC32     0x01
#define CHECK_CRC64     0x04
#define CHECK_SHA256    0x0a
#define FILTER_X86      0x04
#define FILTER_LZMA2    0x21
#define CRC32_POLY      0xedb88320U
#define CRC64_POLY      0xc96c5795d7870f42ULL

static const uint8_t header_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t footer_magic[2] = { 'Y', 'Z' };

struct xz_work {
    struct xz_lzma2 lzma2;
    uint32_t crc32_table[256];
    uint64_t crc64_table[256];
};

/* The input and a read position in it. */
struct xz_in {
    const uint8_t *p;
    size_t pos, len;
};

/* What a stream's blocks were, to compare with its index. */
struct xz_tally {
    uint64_t count, unpadded, uncompressed, hash;
};

static void crc_init(struct xz_work *w)
{
    unsigned int i, j;

    for ( i = 0; i < 256; i++ )
    {
        uint32_t c32 = i;
        uint64_t c64 = i;

        for ( j = 0; j < 8; j++ )
        {
            c32 = (c32 >> 1) ^ (c32 & 1 ? CRC32_POLY : 0);
            c64 = (c64 >> 1) ^ (c64 & 1 ? CRC64_POLY : 0);
        }
        w->crc32_table[i] = c32;
        w->crc64_table[i] = c64;
    }
}

/* CRC32 and CRC64 as the .xz checks define them; crc is the previous result (0 to start). */
static uint32_t crc32(const struct xz_work *w, const uint8_t *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while ( n-- )
        crc = w->crc32_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint64_t crc64(const struct xz_work *w, const uint8_t *p, size_t n, uint64_t crc)
{
    crc = ~crc;
    while ( n-- )
        crc = w->crc64_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get_le64(const uint8_t *p)
{
    return get_le32(p) | ((uint64_t)get_le32(p + 4) << 32);
}

/* Are n more bytes there? */
static bool need(const struct xz_in *in, size_t n)
{
    return in->len - in->pos >= n;
}

/* A variable-length integer from p[*pos, end): 7 bits a byte, least significant first. */
static int get_varint(const uint8_t *p, size_t *pos, size_t end, uint64_t *v)
{
    unsigned int i;

    *v = 0;
    for ( i = 0; i < 9 && *pos < end; i++ )
    {
        uint8_t b = p[(*pos)++];

        if ( i && b == 0x00 )
            return -EINVAL;             /* a needless zero byte: not the shortest encoding */
        *v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ( !(b & 0x80) )
            return 0;
    }
    return -EINVAL;
}

/* Size of the check of each type: 0, then 4, 8, 16, 32 and 64 bytes for IDs 1-3, 4-6, ... 13-15. */
static unsigned int check_size(unsigned int type)
{
    return type ? 4U << ((type - 1) / 3) : 0;
}

/* Zero bytes up to the next multiple of four from start. */
static int skip_padding(struct xz_in *in, size_t start)
{
    while ( (in->pos - start) & 3 )
    {
        if ( !need(in, 1) || in->p[in->pos] )
            return -EINVAL;
        in->pos++;
    }
    return 0;
}

/* Hash an (unpadded, uncompressed) pair into a tally. */
static void tally_add(const struct xz_work *w, struct xz_tally *t, uint64_t unpadded, uint64_t uncompressed)
{
    uint8_t rec[16];
    unsigned int i;

    for ( i = 0; i < 8; i++ )
    {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(uncompressed >> (8 * i));
    }
    t->count++;
    t->unpadded += unpadded;
    t->uncompressed += uncompressed;
    t->hash = crc64(w, rec, sizeof(rec), t->hash);
}

/* The block filter chain as this decoder supports it: [x86 BCJ,] LZMA2. */
struct xz_filters {
    bool x86;
    uint32_t x86_start;
    uint32_t dict_size;
};

/* One filter's flags from p[*pos, end); last says whether it ends the chain. */
static int parse_filter(const uint8_t *p, size_t *pos, size_t end, bool last, struct xz_filters *f)
{
    uint64_t id, psize;
    const uint8_t *props;
    unsigned int bits;

    if ( get_varint(p, pos, end, &id) || get_varint(p, pos, end, &psize) || psize > end - *pos )
        return -EINVAL;
    props = p + *pos;
    *pos += psize;
    if ( id == FILTER_LZMA2 && last )
    {
        if ( psize != 1 )
            return -EINVAL;
        bits = props[0];
        if ( bits > 40 )
            return -EOPNOTSUPP;         /* reserved bits, or more than 4 GiB */
        f->dict_size = bits == 40 ? 0xffffffffU : (2U | (bits & 1)) << (bits / 2 + 11);
        return 0;
    }
    if ( id == FILTER_X86 && !last && !f->x86 )
    {
        if ( psize != 0 && psize != 4 )
            return -EINVAL;
        f->x86 = true;
        f->x86_start = psize ? get_le32(props) : 0;
        return 0;
    }
    /* LZMA2 not last and BCJ last are invalid chains; anything else is a filter we lack. */
    return id == FILTER_LZMA2 || id == FILTER_X86 ? -EINVAL : -EOPNOTSUPP;
}

/* A block from in->pos (its header size byte, not 0) into out[*opos, out_cap). */
static int decode_block(struct xz_work *w, struct xz_in *in, unsigned int check, uint8_t *out,
                        size_t *opos, size_t out_cap, struct xz_tally *t)
{
    const uint8_t *h = in->p + in->pos;
    size_t hsize = ((size_t)h[0] + 1) * 4, hp = 2, hend, block_start = in->pos, data_len, used, end;
    uint64_t csize = 0, usize = 0;
    struct xz_filters f = { 0 };
    unsigned int nfilters, i, csum_size = check_size(check);
    int rc;

    if ( !need(in, hsize) || crc32(w, h, hsize - 4, 0) != get_le32(h + hsize - 4) )
        return -EINVAL;
    if ( h[1] & 0x3c )
        return -EOPNOTSUPP;
    hend = hsize - 4;
    nfilters = (h[1] & 3) + 1;
    if ( (h[1] & 0x40) && (get_varint(h, &hp, hend, &csize) || csize == 0) )
        return -EINVAL;
    if ( (h[1] & 0x80) && get_varint(h, &hp, hend, &usize) )
        return -EINVAL;
    for ( i = 0; i < nfilters; i++ )
        if ( (rc = parse_filter(h, &hp, hend, i == nfilters - 1, &f)) )
            return rc;
    for ( ; hp < hend; hp++ )
        if ( h[hp] )
            return -EOPNOTSUPP;         /* not padding: a field this decoder does not know */
    in->pos += hsize;

    /* Compressed data: at most what the header says, or the rest of the input. */
    data_len = in->len - in->pos;
    if ( h[1] & 0x40 )
    {
        if ( csize > data_len )
            return -EINVAL;
        data_len = csize;
    }
    rc = xz_lzma2_decode(&w->lzma2, f.dict_size, in->p + in->pos, data_len, &used, out, *opos, out_cap, &end);
    if ( rc )
        return rc;
    if ( ((h[1] & 0x40) && used != csize) || ((h[1] & 0x80) && end - *opos != usize) )
        return -EINVAL;
    in->pos += used;
    if ( f.x86 )
        xz_bcj_x86_decode(out + *opos, end - *opos, f.x86_start);

    if ( (rc = skip_padding(in, block_start)) )
        return rc;
    if ( !need(in, csum_size) )
        return -EINVAL;
    if ( (check == CHECK_CRC32 && crc32(w, out + *opos, end - *opos, 0) != get_le32(in->p + in->pos)) ||
         (check == CHECK_CRC64 && crc64(w, out + *opos, end - *opos, 0) != get_le64(in->p + in->pos)) )
        return -EINVAL;
    in->pos += csum_size;
    tally_add(w, t, hsize + used + csum_size, end - *opos);
    *opos = end;
    return 0;
}

/* The index at in->pos (its indicator byte), against the blocks seen; *size gets its size. */
static int decode_index(const struct xz_work *w, struct xz_in *in, const struct xz_tally *blocks, size_t *size)
{
    size_t start = in->pos, pos = in->pos + 1;
    struct xz_tally t = { 0 };
    uint64_t n, i;

    if ( get_varint(in->p, &pos, in->len, &n) || n != blocks->count )
        return -EINVAL;
    for ( i = 0; i < n; i++ )
    {
        uint64_t unpadded, uncompressed;

        if ( get_varint(in->p, &pos, in->len, &unpadded) || get_varint(in->p, &pos, in->len, &uncompressed) ||
             unpadded == 0 )
            return -EINVAL;
        tally_add(w, &t, unpadded, uncompressed);
    }
    in->pos = pos;
    if ( skip_padding(in, start) || !need(in, 4) ||
         crc32(w, in->p + start, in->pos - start, 0) != get_le32(in->p + in->pos) )
        return -EINVAL;
    in->pos += 4;
    if ( t.unpadded != blocks->unpadded || t.uncompressed != blocks->uncompressed || t.hash != blocks->hash )
        return -EINVAL;
    *size = in->pos - start;
    return 0;
}

/* One stream from in->pos, appending to out[*opos, out_cap). */
static int decode_stream(struct xz_work *w, struct xz_in *in, uint8_t *out, size_t *opos, size_t out_cap)
{
    const uint8_t *hdr = in->p + in->pos, *ftr;
    struct xz_tally blocks = { 0 };
    unsigned int check;
    size_t index_size;
    int rc;

    if ( !need(in, STREAM_HDR_SIZE) || memcmp(hdr, header_magic, sizeof(header_magic)) ||
         crc32(w, hdr + 6, 2, 0) != get_le32(hdr + 8) )
        return -EINVAL;
    if ( hdr[6] || (hdr[7] & 0xf0) )
        return -EOPNOTSUPP;             /* a newer stream version, or flags we do not know */
    check = hdr[7];
    if ( check != CHECK_NONE && check != CHECK_CRC32 && check != CHECK_CRC64 )
        return -EOPNOTSUPP;             /* SHA-256 and the reserved check types */
    in->pos += STREAM_HDR_SIZE;

    for ( ;; )
    {
        if ( !need(in, 1) )
            return -EINVAL;
        if ( in->p[in->pos] == 0x00 )
            break;                      /* the index indicator */
        if ( (rc = decode_block(w, in, check, out, opos, out_cap, &blocks)) )
            return rc;
    }
    if ( (rc = decode_index(w, in, &blocks, &index_size)) )
        return rc;

    /* Footer: CRC32 of (backward size, flags), backward size, the header's flags, "YZ". */
    if ( !need(in, STREAM_HDR_SIZE) )
        return -EINVAL;
    ftr = in->p + in->pos;
    if ( crc32(w, ftr + 4, 6, 0) != get_le32(ftr) || memcmp(ftr + 8, hdr + 6, 2) ||
         memcmp(ftr + 10, footer_magic, sizeof(footer_magic)) ||
         ((uint64_t)get_le32(ftr + 4) + 1) * 4 != index_size )
        return -EINVAL;
    in->pos += STREAM_HDR_SIZE;
    return 0;
}

int xz_decompress(const void *in_buf, size_t in_len, void *out_buf, size_t out_cap, size_t *out_len)
{
    struct xz_in in = { .p = in_buf, .pos = 0, .len = in_len };
    uint8_t dummy, *out = out_buf ? out_buf : &dummy;
    size_t opos = 0;
    struct xz_work *w;
    int rc;

    if ( !in_buf || (!out_buf && out_cap) )
        return -EINVAL;
    w = xzalloc(struct xz_work);
    if ( !w )
        return -ENOMEM;
    crc_init(w);
    do
    {
        size_t pad;

        if ( (rc = decode_stream(w, &in, out, &opos, out_cap)) )
            goto out;
        /* Stream padding: zero bytes, a multiple of four, then the end or another stream. */
        for ( pad = in.pos; in.pos < in.len && in.p[in.pos] == 0x00; in.pos++ )
            ;
        if ( (in.pos - pad) & 3 )
        {
            rc = -EINVAL;
            goto out;
        }
    } while ( in.pos < in.len );
    *out_len = opos;

 out:
    xfree(w);
    return rc;
}
