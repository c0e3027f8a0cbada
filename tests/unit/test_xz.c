/*
 * test_xz.c - unit tests for the .xz decompressor (common/xz.c, xz_lzma2.c, xz_bcj_x86.c).
 *
 * The vectors are made at build time by the host's xz (tests/unit/gen_xz_vectors.sh) into test_xz.d
 * beside this binary: the list "cases" names each .xz file, the result it must give and the input it
 * must decompress to.  Inputs and outputs are heap buffers of exactly their size, so AddressSanitizer
 * catches any access outside them.  Streams with hand-made LZMA2 data, indexes and headers test the
 * rules the host's xz never breaks.  The Debian kernel test runs when build/linux (or $PARVA_LINUX_DIR)
 * holds vmlinuz and vmlinux from tests/boot/fetch-linux.sh, and is left out (with a note) otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <parva/elf.h>
#include <parva/mm.h>
#include <parva/xz.h>
#include "../../hypervisor/common/xz_private.h"

#define MAX_CASES   64

struct blob {
    uint8_t *p;
    size_t len;
};

struct xcase {
    char name[32], input[32];
    int expect;
};

static char dir[4096];
static struct xcase cases[MAX_CASES];
static unsigned int nr_cases;
static bool fail_alloc;

/* The hypervisor heap, as xz.c uses it. */
void *xzalloc_bytes(size_t size)
{
    return fail_alloc ? NULL : calloc(1, size);
}

void xfree(void *p)
{
    free(p);
}

/* ---- helpers ---- */

/* A file into a heap buffer of exactly its size; false if it cannot be read. */
static bool load_path(const char *path, struct blob *b)
{
    FILE *f = fopen(path, "rb");
    long n;

    if ( !f )
        return false;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b->len = (size_t)n;
    b->p = malloc(b->len ? b->len : 1);
    assert_non_null(b->p);
    assert_int_equal(fread(b->p, 1, b->len, f), b->len);
    fclose(f);
    return true;
}

static void load(const char *name, struct blob *b)
{
    char path[8192];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ( !load_path(path, b) )
        fail_msg("cannot read %s (made by tests/unit/gen_xz_vectors.sh)", path);
}

static void load_xz(const struct xcase *c, struct blob *b)
{
    char name[64];

    snprintf(name, sizeof(name), "%s.xz", c->name);
    load(name, b);
}

/* An exact-size copy, for AddressSanitizer. */
static struct blob dup_blob(const uint8_t *p, size_t len)
{
    struct blob b = { malloc(len ? len : 1), len };

    assert_non_null(b.p);
    memcpy(b.p, p, len);
    return b;
}

static void drop(struct blob *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

/* Decompress into a fresh buffer of exactly cap bytes (NULL for 0); *out keeps it. */
static int run(const struct blob *in, size_t cap, struct blob *out)
{
    size_t len = 0xdeadbeef;
    int rc;

    out->p = cap ? malloc(cap) : NULL;
    rc = xz_decompress(in->p, in->len, out->p, cap, &len);
    out->len = rc ? 0 : len;
    if ( rc )
        assert_int_equal(len, 0xdeadbeef);      /* left alone on failure */
    return rc;
}

static bool is_error(int rc)
{
    return rc == -EINVAL || rc == -ENOSPC || rc == -EOPNOTSUPP;
}

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
    uint32_t c = ~0U;
    unsigned int k;

    while ( n-- )
    {
        c ^= *p++;
        for ( k = 0; k < 8; k++ )
            c = (c >> 1) ^ (c & 1 ? 0xedb88320U : 0);
    }
    return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;

    while ( v >= 0x80 )
    {
        p[n++] = (uint8_t)v | 0x80;
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static uint64_t get_varint(const uint8_t *p, size_t *pos)
{
    uint64_t v = 0;
    unsigned int i = 0;

    do
        v |= (uint64_t)(p[*pos] & 0x7f) << (7 * i++);
    while ( p[(*pos)++] & 0x80 );
    return v;
}

static const struct xcase *find_case(const char *name)
{
    unsigned int i;

    for ( i = 0; i < nr_cases; i++ )
        if ( !strcmp(cases[i].name, name) )
            return &cases[i];
    fail_msg("no case %s in %s/cases", name, dir);
    return NULL;
}

static int setup(void **state)
{
    char exe[4096], line[256], path[8192], expect[16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    FILE *f;

    (void)state;
    if ( n <= 0 )
        return -1;
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0';
    snprintf(dir, sizeof(dir), "%s/test_xz.d", exe);
    snprintf(path, sizeof(path), "%s/cases", dir);
    f = fopen(path, "r");
    if ( !f )
    {
        fprintf(stderr, "cannot read %s: run tests/unit/gen_xz_vectors.sh (make unit does)\n", path);
        return -1;
    }
    while ( fgets(line, sizeof(line), f) && nr_cases < MAX_CASES )
    {
        struct xcase *c = &cases[nr_cases];

        if ( sscanf(line, "%31s %15s %31s", c->name, expect, c->input) != 3 )
            continue;
        c->expect = !strcmp(expect, "0") ? 0 : !strcmp(expect, "EINVAL") ? -EINVAL :
                    !strcmp(expect, "EOPNOTSUPP") ? -EOPNOTSUPP : 1;
        nr_cases++;
    }
    fclose(f);
    return nr_cases >= 30 ? 0 : -1;
}

/* ---- every vector ---- */

/* Each case gives its expected result and exactly its input, into a buffer of exactly that size. */
static void test_every_case(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < nr_cases; i++ )
    {
        const struct xcase *c = &cases[i];
        struct blob in, raw = { 0 }, out;
        int rc;

        load_xz(c, &in);
        if ( !c->expect )
            load(c->input, &raw);
        rc = run(&in, c->expect ? 1 << 20 : raw.len, &out);
        if ( rc != c->expect )
            fail_msg("%s: result %d, expected %d", c->name, rc, c->expect);
        if ( !rc && (out.len != raw.len || (raw.len && memcmp(out.p, raw.p, raw.len))) )
            fail_msg("%s: %zu bytes that differ from the %zu of %s", c->name, out.len, raw.len, c->input);
        drop(&in);
        drop(&raw);
        drop(&out);
    }
}

/* More room than needed: the same output, and nothing written past it. */
static void test_larger_buffer(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < nr_cases; i++ )
    {
        const struct xcase *c = &cases[i];
        struct blob in, raw, out;
        size_t k;

        if ( c->expect )
            continue;
        load_xz(c, &in);
        load(c->input, &raw);
        out.p = malloc(raw.len + 4096);
        assert_non_null(out.p);
        memset(out.p, 0x5a, raw.len + 4096);
        assert_int_equal(xz_decompress(in.p, in.len, out.p, raw.len + 4096, &out.len), 0);
        assert_int_equal(out.len, raw.len);
        assert_memory_equal(out.p, raw.p, raw.len);
        for ( k = raw.len; k < raw.len + 4096; k++ )
            assert_int_equal(out.p[k], 0x5a);
        drop(&in);
        drop(&raw);
        drop(&out);
    }
}

/* One byte short, half, nothing: -ENOSPC, never a write past the buffer. */
static void test_output_too_small(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < nr_cases; i++ )
    {
        const struct xcase *c = &cases[i];
        struct blob in, raw, out;

        if ( c->expect )
            continue;
        load_xz(c, &in);
        load(c->input, &raw);
        if ( raw.len )
        {
            if ( run(&in, raw.len - 1, &out) != -ENOSPC )
                fail_msg("%s: %zu bytes into %zu: not -ENOSPC", c->name, raw.len, raw.len - 1);
            drop(&out);
            assert_int_equal(run(&in, raw.len / 2, &out), -ENOSPC);
            drop(&out);
            assert_int_equal(run(&in, 0, &out), -ENOSPC);
        }
        drop(&in);
        drop(&raw);
    }
}

/* ---- damaged input ---- */

static bool is_short(const struct xcase *c)
{
    return !strncmp(c->name, "short-", 6) && !c->expect;
}

/* Every prefix of a single stream is refused as corrupt. */
static void test_every_truncation(void **state)
{
    unsigned int i, tested = 0;

    (void)state;
    for ( i = 0; i < nr_cases; i++ )
    {
        const struct xcase *c = &cases[i];
        struct blob in, raw;
        size_t n;

        if ( !is_short(c) )
            continue;
        load_xz(c, &in);
        load(c->input, &raw);
        for ( n = 0; n < in.len; n++ )
        {
            struct blob cut = dup_blob(in.p, n), out;
            int rc = run(&cut, raw.len, &out);

            if ( rc != -EINVAL )
                fail_msg("%s cut to %zu of %zu bytes: %d, not -EINVAL", c->name, n, in.len, rc);
            drop(&cut);
            drop(&out);
        }
        tested++;
        drop(&in);
        drop(&raw);
    }
    assert_true(tested >= 8);
}

/*
 * Every single-bit flip gives an error or, without a check, an output that fits: never a crash or
 * an access outside the buffers.  With a CRC every flip is an error.
 */
static void test_every_bit_flip(void **state)
{
    unsigned int i, tested = 0;

    (void)state;
    for ( i = 0; i < nr_cases; i++ )
    {
        const struct xcase *c = &cases[i];
        bool checked = !strstr(c->name, "none");
        struct blob in, raw;
        size_t n;

        if ( !is_short(c) )
            continue;
        load_xz(c, &in);
        load(c->input, &raw);
        for ( n = 0; n < in.len * 8; n++ )
        {
            struct blob bad = dup_blob(in.p, in.len), out;
            int rc;

            bad.p[n / 8] ^= 1 << (n % 8);
            rc = run(&bad, raw.len, &out);
            if ( !(is_error(rc) || (!rc && !checked && out.len <= raw.len)) )
                fail_msg("%s with bit %zu flipped: %d", c->name, n, rc);
            drop(&bad);
            drop(&out);
        }
        tested++;
        drop(&in);
        drop(&raw);
    }
    assert_true(tested >= 8);
}

/* Random bytes overwritten in the big vectors: an error, or (never, with a CRC) other output. */
static void test_random_damage(void **state)
{
    static const char *const names[] = { "text-crc32", "text-mt", "code-kernel", "noise", "concat-pad",
                                         "text-none", "zeros" };
    unsigned int i, k;

    (void)state;
    srand(1);
    for ( i = 0; i < ARRAY_SIZE(names); i++ )
    {
        const struct xcase *c = find_case(names[i]);
        bool checked = !strstr(c->name, "none");
        struct blob in, raw;

        load_xz(c, &in);
        load(c->input, &raw);
        for ( k = 0; k < 40; k++ )
        {
            struct blob bad = dup_blob(in.p, in.len), out;
            unsigned int j, hits = 1 + rand() % 4;
            int rc;

            for ( j = 0; j < hits; j++ )
                bad.p[(size_t)rand() % bad.len] = (uint8_t)rand();
            rc = run(&bad, raw.len, &out);
            if ( !is_error(rc) && rc != 0 )
                fail_msg("%s damaged (round %u): %d", c->name, k, rc);
            if ( !rc && checked && (out.len != raw.len || memcmp(out.p, raw.p, raw.len)) )
                fail_msg("%s damaged (round %u): wrong output passed the check", c->name, k);
            drop(&bad);
            drop(&out);
        }
        drop(&in);
        drop(&raw);
    }
}

/* ---- hand-made streams ---- */

/*
 * A stream with check "none" and one block holding the given LZMA2 data (dictionary 8 MiB), whose
 * index states usize uncompressed bytes.
 */
static struct blob make_stream(const uint8_t *lzma2, size_t n, uint64_t usize)
{
    uint8_t *p = calloc(1, n + 128);
    size_t pos = 0, idx;

    assert_non_null(p);
    memcpy(p, "\xfd" "7zXZ\0\0\0", 8);                 /* magic, flags: check none */
    put32(p + 8, crc32_ref(p + 6, 2));
    pos = 12;
    memcpy(p + pos, "\x02\x00\x21\x01\x16\x00\x00\x00", 8);   /* 12-byte header: LZMA2, dict 8 MiB */
    put32(p + pos + 8, crc32_ref(p + pos, 8));
    pos += 12;
    memcpy(p + pos, lzma2, n);
    pos += n;
    while ( pos & 3 )
        p[pos++] = 0;
    idx = pos;
    p[pos++] = 0x00;                                    /* index: one record */
    p[pos++] = 0x01;
    pos += put_varint(p + pos, 12 + n);
    pos += put_varint(p + pos, usize);
    while ( pos & 3 )
        p[pos++] = 0;
    put32(p + pos, crc32_ref(p + idx, pos - idx));
    pos += 4;
    put32(p + pos + 4, (uint32_t)((pos - idx) / 4 - 1));  /* footer */
    p[pos + 8] = 0;
    p[pos + 9] = 0;
    put32(p + pos, crc32_ref(p + pos + 4, 6));
    memcpy(p + pos + 10, "YZ", 2);
    pos += 12;
    return (struct blob){ p, pos };
}

/* LZMA2 data given as a string literal, without its terminating NUL. */
#define LZ(s) s, sizeof(s) - 1

static int run_lzma2(const char *lzma2, size_t n, const char *want, size_t want_len)
{
    struct blob s = make_stream((const uint8_t *)lzma2, n, want_len), out;
    int rc = run(&s, 64, &out);

    if ( !rc )
    {
        assert_int_equal(out.len, want_len);
        assert_memory_equal(out.p, want, want_len);
    }
    drop(&s);
    drop(&out);
    return rc;
}

/* LZMA2's chunk rules: the first chunk resets the dictionary; control bytes 0x03-0x7f do not exist. */
static void test_lzma2_chunks(void **state)
{
    (void)state;
    assert_int_equal(run_lzma2(LZ("\x01\x00\x02" "abc" "\x00"), "abc", 3), 0);
    assert_int_equal(run_lzma2(LZ("\x01\x00\x00" "a" "\x02\x00\x01" "bc" "\x00"), "abc", 3), 0);
    assert_int_equal(run_lzma2(LZ("\x01\x00\x00" "a" "\x01\x00\x00" "b" "\x00"), "ab", 2), 0);
    assert_int_equal(run_lzma2(LZ("\x00"), "", 0), 0);
    /* No dictionary reset first. */
    assert_int_equal(run_lzma2(LZ("\x02\x00\x02" "abc" "\x00"), "abc", 3), -EINVAL);
    /* Invalid control bytes. */
    assert_int_equal(run_lzma2(LZ("\x03\x00\x02" "abc" "\x00"), "abc", 3), -EINVAL);
    assert_int_equal(run_lzma2(LZ("\x01\x00\x00" "a" "\x7f\x00"), "a", 1), -EINVAL);
    /* An LZMA chunk without properties after a dictionary reset (0x80: nothing reset; 0xa0: state). */
    assert_int_equal(run_lzma2(LZ("\x01\x00\x00" "a" "\x80\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00"), "a", 1),
                     -EINVAL);
    assert_int_equal(run_lzma2(LZ("\x01\x00\x00" "a" "\xa0\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00"), "a", 1),
                     -EINVAL);
    /* Properties with lc + lp > 4 (lc 3, lp 2: 0x15) or out of range (225). */
    assert_int_equal(run_lzma2(LZ("\xe0\x00\x00\x00\x04\x15\x00\x00\x00\x00\x00\x00"), "", 1), -EINVAL);
    assert_int_equal(run_lzma2(LZ("\xe0\x00\x00\x00\x04\xe1\x00\x00\x00\x00\x00\x00"), "", 1), -EINVAL);
    /* A range coder whose first byte is not zero. */
    assert_int_equal(run_lzma2(LZ("\xe0\x00\x00\x00\x04\x5d\x01\x00\x00\x00\x00\x00"), "", 1), -EINVAL);
    /* An uncompressed chunk longer than the data. */
    assert_int_equal(run_lzma2(LZ("\x01\x00\x09" "abc"), "abc", 3), -EINVAL);
    /* No end marker. */
    assert_int_equal(run_lzma2(LZ("\x01\x00\x02" "abc"), "abc", 3), -EINVAL);
    /* Output bigger than the buffer (64 bytes): one uncompressed chunk of 100 bytes. */
    {
        char big[104] = "\x01\x00\x63";

        memset(big + 3, 'z', 100);
        big[103] = 0x00;
        assert_int_equal(run_lzma2(big, sizeof(big), "", 0), -ENOSPC);
        /* The same in two chunks: the second one overflows. */
        memcpy(big, "\x01\x00\x31", 3);
        memcpy(big + 53, "\x02\x00\x2e", 3);      /* 47 bytes, then the end marker */
        assert_int_equal(run_lzma2(big, sizeof(big), "", 0), -ENOSPC);
    }
}

/*
 * A stream's index, its parts, and the stream rebuilt with other index records: the footer's
 * backward size and all CRCs are made right, so only the comparison with the blocks can object.
 */
struct index {
    size_t start, nr;
    uint64_t unpadded[64], uncompressed[64];
};

static void parse_index(const struct blob *s, struct index *ix)
{
    size_t pos, i;

    ix->start = s->len - 12 - (get32(s->p + s->len - 8) + 1) * 4;
    pos = ix->start + 1;
    ix->nr = get_varint(s->p, &pos);
    assert_true(ix->nr <= 64);
    for ( i = 0; i < ix->nr; i++ )
    {
        ix->unpadded[i] = get_varint(s->p, &pos);
        ix->uncompressed[i] = get_varint(s->p, &pos);
    }
}

static struct blob with_index(const struct blob *s, const struct index *ix)
{
    struct blob b = { calloc(1, ix->start + 64 * 20 + 32), 0 };
    size_t pos = ix->start, i;

    assert_non_null(b.p);
    memcpy(b.p, s->p, ix->start);
    b.p[pos++] = 0x00;
    pos += put_varint(b.p + pos, ix->nr);
    for ( i = 0; i < ix->nr; i++ )
    {
        pos += put_varint(b.p + pos, ix->unpadded[i]);
        pos += put_varint(b.p + pos, ix->uncompressed[i]);
    }
    while ( (pos - ix->start) & 3 )
        b.p[pos++] = 0;
    put32(b.p + pos, crc32_ref(b.p + ix->start, pos - ix->start));
    pos += 4;
    put32(b.p + pos + 4, (uint32_t)((pos - ix->start) / 4 - 1));
    memcpy(b.p + pos + 8, s->p + s->len - 4, 4);        /* stream flags and "YZ" */
    put32(b.p + pos, crc32_ref(b.p + pos + 4, 6));
    b.len = pos + 12;
    return b;
}

static void test_index_checked(void **state)
{
    const struct xcase *c = find_case("short-mt");
    struct blob s, raw, b, out;
    struct index ix, mod;
    size_t i, j = 0;

    (void)state;
    load_xz(c, &s);
    load(c->input, &raw);
    parse_index(&s, &ix);
    assert_true(ix.nr >= 3);

    /* Rebuilt unchanged, it decodes: the rebuilding is right. */
    b = with_index(&s, &ix);
    assert_int_equal(run(&b, raw.len, &out), 0);
    drop(&b);
    drop(&out);

    /* Two different records swapped: same count and sums, other order. */
    for ( i = 1; i < ix.nr && !j; i++ )
        if ( ix.unpadded[i] != ix.unpadded[0] )
            j = i;
    assert_true(j > 0);
    mod = ix;
    mod.unpadded[0] = ix.unpadded[j];
    mod.unpadded[j] = ix.unpadded[0];
    b = with_index(&s, &mod);
    assert_int_equal(run(&b, raw.len, &out), -EINVAL);
    drop(&b);
    drop(&out);

    /* A record's sizes off by one; one record fewer. */
    mod = ix;
    mod.uncompressed[1]++;
    b = with_index(&s, &mod);
    assert_int_equal(run(&b, raw.len, &out), -EINVAL);
    drop(&b);
    drop(&out);
    mod = ix;
    mod.unpadded[2] += 4;
    b = with_index(&s, &mod);
    assert_int_equal(run(&b, raw.len, &out), -EINVAL);
    drop(&b);
    drop(&out);
    mod = ix;
    mod.nr--;
    b = with_index(&s, &mod);
    assert_int_equal(run(&b, raw.len, &out), -EINVAL);
    drop(&b);
    drop(&out);
    drop(&s);
    drop(&raw);
}

/* Header fields with their CRC32 made right: reserved bits are unsupported, wrong sizes corrupt. */
static void test_headers(void **state)
{
    const struct xcase *c = find_case("short-crc32");
    struct blob s, raw, b, out;

    (void)state;
    load_xz(c, &s);
    load(c->input, &raw);

    /* Stream flags: a reserved bit; the SHA-256 and a reserved check type. */
    b = dup_blob(s.p, s.len);
    b.p[7] |= 0x10;
    put32(b.p + 8, crc32_ref(b.p + 6, 2));
    assert_int_equal(run(&b, raw.len, &out), -EOPNOTSUPP);
    drop(&out);
    b.p[7] = 0x0a;
    put32(b.p + 8, crc32_ref(b.p + 6, 2));
    assert_int_equal(run(&b, raw.len, &out), -EOPNOTSUPP);
    drop(&out);
    b.p[7] = 0x02;
    put32(b.p + 8, crc32_ref(b.p + 6, 2));
    assert_int_equal(run(&b, raw.len, &out), -EOPNOTSUPP);
    drop(&out);
    /* The footer's flags must be the header's: check none in the header only is corrupt. */
    b.p[7] = 0x00;
    put32(b.p + 8, crc32_ref(b.p + 6, 2));
    assert_int_equal(run(&b, raw.len, &out), -EINVAL);
    drop(&out);
    drop(&b);

    /* Block header (12 bytes at 12): a reserved flag bit, non-zero padding, an unknown filter. */
    assert_int_equal(s.p[12], 0x02);
    b = dup_blob(s.p, s.len);
    b.p[13] |= 0x04;
    put32(b.p + 20, crc32_ref(b.p + 12, 8));
    assert_int_equal(run(&b, raw.len, &out), -EOPNOTSUPP);
    drop(&out);
    memcpy(b.p + 12, s.p + 12, 12);
    b.p[19] = 0x01;
    put32(b.p + 20, crc32_ref(b.p + 12, 8));
    assert_int_equal(run(&b, raw.len, &out), -EOPNOTSUPP);
    drop(&out);
    memcpy(b.p + 12, s.p + 12, 12);
    b.p[14] = 0x22;
    put32(b.p + 20, crc32_ref(b.p + 12, 8));
    assert_int_equal(run(&b, raw.len, &out), -EOPNOTSUPP);
    drop(&out);
    /* LZMA2 dictionary bits above 40 (reserved) */
    memcpy(b.p + 12, s.p + 12, 12);
    b.p[16] = 41;
    put32(b.p + 20, crc32_ref(b.p + 12, 8));
    assert_int_equal(run(&b, raw.len, &out), -EOPNOTSUPP);
    drop(&out);
    /* A stated uncompressed size that is wrong: flags 0x80, size after the filter flags moved up. */
    memcpy(b.p + 12, "\x02\x80\x05\x21\x01", 5);
    b.p[17] = s.p[16];
    b.p[18] = b.p[19] = 0;
    put32(b.p + 20, crc32_ref(b.p + 12, 8));
    assert_int_equal(run(&b, raw.len, &out), -EINVAL);
    drop(&out);
    drop(&b);

    /* The footer's backward size, its CRC made right. */
    b = dup_blob(s.p, s.len);
    put32(b.p + b.len - 8, get32(b.p + b.len - 8) + 1);
    put32(b.p + b.len - 12, crc32_ref(b.p + b.len - 8, 6));
    assert_int_equal(run(&b, raw.len, &out), -EINVAL);
    drop(&out);
    drop(&b);
    drop(&s);
    drop(&raw);
}

/* ---- the x86 filter alone, on the host encoder's output ---- */

static void test_bcj_x86(void **state)
{
    struct blob code, enc, enc4096;
    size_t i, changed = 0;

    (void)state;
    load("code", &code);
    load("code.bcj", &enc);
    load("code-4096.bcj", &enc4096);
    assert_int_equal(enc.len, code.len);
    for ( i = 0; i < code.len; i++ )
        changed += enc.p[i] != code.p[i];
    assert_true(changed > code.len / 100);      /* the encoder did convert calls and jumps */
    xz_bcj_x86_decode(enc.p, enc.len, 0);
    assert_memory_equal(enc.p, code.p, code.len);
    xz_bcj_x86_decode(enc4096.p, enc4096.len, 4096);
    assert_memory_equal(enc4096.p, code.p, code.len);
    /* Short buffers: nothing converted, nothing touched past the end. */
    xz_bcj_x86_decode(enc.p, 4, 0);
    xz_bcj_x86_decode(enc.p, 0, 0);
    drop(&code);
    drop(&enc);
    drop(&enc4096);
}

/* ---- arguments ---- */

static void test_arguments(void **state)
{
    const struct xcase *c = find_case("one");
    struct blob s, out;
    uint8_t buf[4];
    size_t len = 7;

    (void)state;
    load_xz(c, &s);
    assert_int_equal(xz_decompress(NULL, 0, buf, sizeof(buf), &len), -EINVAL);
    assert_int_equal(xz_decompress(s.p, s.len, NULL, 1, &len), -EINVAL);
    assert_int_equal(len, 7);
    fail_alloc = true;
    assert_int_equal(run(&s, 1, &out), -ENOMEM);
    fail_alloc = false;
    drop(&out);
    assert_int_equal(run(&s, 1, &out), 0);
    assert_int_equal(out.len, 1);
    assert_int_equal(out.p[0], 'x');
    drop(&out);
    drop(&s);
}

/* ---- Debian's kernel: the payload of vmlinuz decompresses to vmlinux ---- */

static const char *linux_dir(void)
{
    return getenv("PARVA_LINUX_DIR") ? getenv("PARVA_LINUX_DIR") : "build/linux";
}

static void test_debian_kernel(void **state)
{
    const char *ldir = linux_dir();
    char path[4096];
    struct blob zimg, elf, out;
    const void *payload;
    const char *comp;
    size_t plen;
    uint32_t size;

    (void)state;
    snprintf(path, sizeof(path), "%s/vmlinuz", ldir);
    if ( !load_path(path, &zimg) )
        fail_msg("cannot read %s", path);
    snprintf(path, sizeof(path), "%s/vmlinux", ldir);
    if ( !load_path(path, &elf) )
        fail_msg("%s/vmlinuz without vmlinux", ldir);
    assert_int_equal(bzimage_payload(zimg.p, zimg.len, &payload, &plen, &comp), 0);
    assert_string_equal(comp, "xz");
    /* The Linux build appends the uncompressed size, little-endian, to the xz stream. */
    size = get32((const uint8_t *)payload + plen - 4);
    assert_int_equal(size, elf.len);
    {
        struct blob pl = dup_blob(payload, plen - 4);

        assert_int_equal(run(&pl, size, &out), 0);
        drop(&pl);
    }
    assert_int_equal(out.len, elf.len);
    assert_memory_equal(out.p, elf.p, elf.len);
    drop(&out);
    drop(&zimg);
    drop(&elf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_case),
        cmocka_unit_test(test_larger_buffer),
        cmocka_unit_test(test_output_too_small),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_every_bit_flip),
        cmocka_unit_test(test_random_damage),
        cmocka_unit_test(test_lzma2_chunks),
        cmocka_unit_test(test_index_checked),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_bcj_x86),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_debian_kernel),       /* last: left out without the kernel */
    };
    size_t n = ARRAY_SIZE(tests);
    char path[4096];

    snprintf(path, sizeof(path), "%s/vmlinuz", linux_dir());
    if ( access(path, R_OK) )
    {
        printf("# test_debian_kernel not run: no %s (tests/boot/fetch-linux.sh makes it)\n", path);
        n--;
    }
    return _cmocka_run_group_tests("test_xz", tests, n, setup, NULL);
}
