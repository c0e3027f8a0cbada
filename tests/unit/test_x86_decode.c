/* test_x86_decode.c - decoding the instructions a PV guest makes the hypervisor emulate; their operands. */
#include <stdlib.h>
#include <string.h>
#include <parva/lib.h>
#include <asm/x86_decode.h>

/* ---- helpers ---------------------------------------------------------------------------------------- */

static const char *const op_names[X86_OP_NR] = {
    [X86_OP_UNKNOWN] = "UNKNOWN", [X86_OP_MOV_STORE] = "MOV_STORE", [X86_OP_XCHG] = "XCHG",
    [X86_OP_CMPXCHG] = "CMPXCHG", [X86_OP_OR] = "OR", [X86_OP_AND] = "AND", [X86_OP_XOR] = "XOR",
    [X86_OP_ADD] = "ADD", [X86_OP_SUB] = "SUB", [X86_OP_BTS] = "BTS", [X86_OP_BTR] = "BTR",
    [X86_OP_BTC] = "BTC", [X86_OP_CMPXCHG8B] = "CMPXCHG8B", [X86_OP_CMPXCHG16B] = "CMPXCHG16B",
    [X86_OP_WRMSR] = "WRMSR", [X86_OP_RDMSR] = "RDMSR", [X86_OP_MOV_TO_CR] = "MOV_TO_CR",
    [X86_OP_MOV_FROM_CR] = "MOV_FROM_CR", [X86_OP_MOV_TO_DR] = "MOV_TO_DR",
    [X86_OP_MOV_FROM_DR] = "MOV_FROM_DR", [X86_OP_IN] = "IN", [X86_OP_OUT] = "OUT", [X86_OP_INS] = "INS",
    [X86_OP_OUTS] = "OUTS", [X86_OP_CLI] = "CLI", [X86_OP_STI] = "STI", [X86_OP_HLT] = "HLT",
    [X86_OP_CLTS] = "CLTS", [X86_OP_INVD] = "INVD", [X86_OP_WBINVD] = "WBINVD", [X86_OP_RDTSC] = "RDTSC",
    [X86_OP_RDTSCP] = "RDTSCP", [X86_OP_RDPMC] = "RDPMC", [X86_OP_CPUID] = "CPUID",
    [X86_OP_FORCED_CPUID] = "FORCED_CPUID", [X86_OP_LMSW] = "LMSW", [X86_OP_SMSW] = "SMSW",
    [X86_OP_SWAPGS] = "SWAPGS", [X86_OP_XSETBV] = "XSETBV", [X86_OP_INVLPG] = "INVLPG",
};

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static const char *const seg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* Ops whose ModRM.reg/rm fields are operands (so the description shows them). */
static bool op_has_operand_fields(enum x86_op op)
{
    return (op >= X86_OP_MOV_STORE && op <= X86_OP_CMPXCHG16B) ||
           (op >= X86_OP_MOV_TO_CR && op <= X86_OP_MOV_FROM_DR) ||
           op == X86_OP_LMSW || op == X86_OP_SMSW || op == X86_OP_INVLPG;
}

static void cat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

/* A canonical one-line description of every decoded field, compared against the tables. */
static void describe(const struct x86_insn *in, char *buf, size_t size)
{
    buf[0] = '\0';
    cat(buf, size, "%s len=%u", in->op < X86_OP_NR ? op_names[in->op] : "?", in->length);
    if ( in->opsize )
        cat(buf, size, " os=%u", in->opsize);
    if ( in->lock )
        cat(buf, size, " lock");
    if ( in->rep )
        cat(buf, size, " rep");
    if ( in->rex )
        cat(buf, size, " rex=%02x", in->rex);
    if ( in->opsize_prefix )
        cat(buf, size, " o16");
    if ( in->addr_size == 4 )
        cat(buf, size, " a32");
    if ( in->seg_override != X86_SEG_NONE )
        cat(buf, size, " ovr=%s", in->seg_override < 6 ? seg_names[in->seg_override] : "?");
    if ( op_has_operand_fields(in->op) )
        cat(buf, size, " reg=%u", in->reg);
    if ( in->rm != X86_REG_NONE )
        cat(buf, size, " rm=%u", in->rm);
    if ( in->has_imm )
        cat(buf, size, " imm=%#llx", (unsigned long long)in->imm);
    if ( in->has_mem )
    {
        const struct x86_mem *m = &in->mem;
        bool first = true;

        cat(buf, size, " mem%s=%s:[", m->addr_size == 4 ? "32" : "", m->seg < 6 ? seg_names[m->seg] : "?");
        if ( m->rip_relative )
        {
            cat(buf, size, "rip");
            first = false;
        }
        if ( m->base != X86_REG_NONE )
        {
            cat(buf, size, "%s", m->base < 16 ? reg_names[m->base] : "?");
            first = false;
        }
        if ( m->index != X86_REG_NONE )
        {
            cat(buf, size, "%s%s*%u", first ? "" : "+", m->index < 16 ? reg_names[m->index] : "?", m->scale);
            first = false;
        }
        else if ( m->scale != 1 )
            cat(buf, size, "(scale %u without index)", m->scale);
        if ( m->disp < 0 )
            cat(buf, size, "-%#llx", (unsigned long long)-m->disp);
        else if ( m->disp > 0 || first )
            cat(buf, size, "%s%#llx", first ? "" : "+", (unsigned long long)m->disp);
        cat(buf, size, "]");
    }
    else if ( in->mem.base != X86_REG_NONE || in->mem.index != X86_REG_NONE || in->mem.disp )
        cat(buf, size, " (stale mem)");
}

/* Parse "f0 48 0f b3 07" into bytes; returns the count. */
static unsigned int parse_hex(const char *s, uint8_t *out, unsigned int max)
{
    unsigned int n = 0;
    char *end;

    while ( *s )
    {
        unsigned long v = strtoul(s, &end, 16);

        assert_true(end != s);
        assert_true(v <= 0xff);
        assert_true(n < max);
        out[n++] = (uint8_t)v;
        s = end;
        while ( *s == ' ' )
            s++;
    }
    return n;
}

/* Decode from a heap buffer of exactly avail bytes, so that ASan catches any read past avail. */
static int decode_exact(const uint8_t *bytes, unsigned int avail, struct x86_insn *insn)
{
    uint8_t *copy = malloc(avail ? avail : 1);
    int rc;

    assert_non_null(copy);
    memcpy(copy, bytes, avail);
    rc = x86_decode(copy, avail, insn);
    free(copy);
    return rc;
}

/* ---- valid encodings -------------------------------------------------------------------------------- */

struct good_case {
    const char *hex;
    const char *want;
};

static const struct good_case good_cases[] = {
    /* Plain stores and operand sizes. */
    { "48 89 07", "MOV_STORE len=3 os=8 rex=48 reg=0 mem=ds:[rdi]" },
    { "89 07", "MOV_STORE len=2 os=4 reg=0 mem=ds:[rdi]" },
    { "66 89 07", "MOV_STORE len=3 os=2 o16 reg=0 mem=ds:[rdi]" },
    { "88 27", "MOV_STORE len=2 os=1 reg=4 mem=ds:[rdi]" },                     /* ah */
    { "40 88 27", "MOV_STORE len=3 os=1 rex=40 reg=4 mem=ds:[rdi]" },           /* spl */
    { "66 48 89 07", "MOV_STORE len=4 os=8 rex=48 o16 reg=0 mem=ds:[rdi]" },    /* REX.W beats 66 */
    { "48 66 89 07", "MOV_STORE len=4 os=2 o16 reg=0 mem=ds:[rdi]" },           /* REX before 66: ignored */
    { "4c 41 89 07", "MOV_STORE len=4 os=4 rex=41 reg=0 mem=ds:[r15]" },        /* last REX counts */
    /* ModRM/SIB addressing forms. */
    { "4c 89 04 24", "MOV_STORE len=4 os=8 rex=4c reg=8 mem=ss:[rsp]" },        /* SIB, index none */
    { "4c 89 44 24 08", "MOV_STORE len=5 os=8 rex=4c reg=8 mem=ss:[rsp+0x8]" },
    { "49 89 45 00", "MOV_STORE len=4 os=8 rex=49 reg=0 mem=ds:[r13]" },        /* r13 needs mod 01 */
    { "48 89 45 00", "MOV_STORE len=4 os=8 rex=48 reg=0 mem=ss:[rbp]" },
    { "49 89 04 24", "MOV_STORE len=4 os=8 rex=49 reg=0 mem=ds:[r12]" },        /* r12 needs a SIB */
    { "4a 89 04 25 00 10 00 00", "MOV_STORE len=8 os=8 rex=4a reg=0 mem=ds:[r12*1+0x1000]" },
    { "48 89 04 25 00 10 00 00", "MOV_STORE len=8 os=8 rex=48 reg=0 mem=ds:[0x1000]" },
    { "4b 89 44 a5 00", "MOV_STORE len=5 os=8 rex=4b reg=0 mem=ds:[r13+r12*4]" },
    { "48 89 05 f0 ff ff ff", "MOV_STORE len=7 os=8 rex=48 reg=0 mem=ds:[rip-0x10]" },
    { "49 89 05 10 00 00 00", "MOV_STORE len=7 os=8 rex=49 reg=0 mem=ds:[rip+0x10]" },  /* REX.B: still RIP */
    { "48 89 84 cb 78 56 34 12", "MOV_STORE len=8 os=8 rex=48 reg=0 mem=ds:[rbx+rcx*8+0x12345678]" },
    { "48 89 44 8d f8", "MOV_STORE len=5 os=8 rex=48 reg=0 mem=ss:[rbp+rcx*4-0x8]" },
    { "48 89 87 00 00 00 80", "MOV_STORE len=7 os=8 rex=48 reg=0 mem=ds:[rdi-0x80000000]" },
    { "67 48 89 07", "MOV_STORE len=4 os=8 rex=48 a32 reg=0 mem32=ds:[rdi]" },
    { "67 48 89 05 00 01 00 00", "MOV_STORE len=8 os=8 rex=48 a32 reg=0 mem32=ds:[rip+0x100]" },
    /* Segment overrides: the last one counts; FS/GS matter for the address. */
    { "64 48 89 07", "MOV_STORE len=4 os=8 rex=48 ovr=fs reg=0 mem=fs:[rdi]" },
    { "65 48 89 04 24", "MOV_STORE len=5 os=8 rex=48 ovr=gs reg=0 mem=gs:[rsp]" },
    { "2e 3e 48 89 07", "MOV_STORE len=5 os=8 rex=48 ovr=ds reg=0 mem=ds:[rdi]" },
    { "65 26 89 07", "MOV_STORE len=4 os=4 ovr=es reg=0 mem=es:[rdi]" },
    { "36 89 07", "MOV_STORE len=3 os=4 ovr=ss reg=0 mem=ss:[rdi]" },
    /* Immediates. */
    { "48 c7 07 ff ff ff ff", "MOV_STORE len=7 os=8 rex=48 reg=0 imm=0xffffffffffffffff mem=ds:[rdi]" },
    { "c7 07 78 56 34 12", "MOV_STORE len=6 os=4 reg=0 imm=0x12345678 mem=ds:[rdi]" },
    { "66 c7 07 34 12", "MOV_STORE len=5 os=2 o16 reg=0 imm=0x1234 mem=ds:[rdi]" },
    { "c6 07 80", "MOV_STORE len=3 os=1 reg=0 imm=0xffffffffffffff80 mem=ds:[rdi]" },
    { "48 c7 05 f8 ff ff ff 01 00 00 00",
      "MOV_STORE len=11 os=8 rex=48 reg=0 imm=0x1 mem=ds:[rip-0x8]" },        /* disp before imm */
    /* Atomic read-modify-write forms Linux uses on PTEs. */
    { "48 87 07", "XCHG len=3 os=8 rex=48 reg=0 mem=ds:[rdi]" },
    { "f0 48 87 07", "XCHG len=4 os=8 lock rex=48 reg=0 mem=ds:[rdi]" },
    { "86 07", "XCHG len=2 os=1 reg=0 mem=ds:[rdi]" },
    { "f0 48 0f b1 17", "CMPXCHG len=5 os=8 lock rex=48 reg=2 mem=ds:[rdi]" },
    { "f0 0f b0 0f", "CMPXCHG len=4 os=1 lock reg=1 mem=ds:[rdi]" },
    { "f0 48 09 07", "OR len=4 os=8 lock rex=48 reg=0 mem=ds:[rdi]" },
    { "f0 48 21 07", "AND len=4 os=8 lock rex=48 reg=0 mem=ds:[rdi]" },
    { "f0 48 31 07", "XOR len=4 os=8 lock rex=48 reg=0 mem=ds:[rdi]" },
    { "f0 48 01 07", "ADD len=4 os=8 lock rex=48 reg=0 mem=ds:[rdi]" },
    { "f0 48 29 07", "SUB len=4 os=8 lock rex=48 reg=0 mem=ds:[rdi]" },
    { "f0 00 07", "ADD len=3 os=1 lock reg=0 mem=ds:[rdi]" },
    { "f0 80 27 fd", "AND len=4 os=1 lock reg=4 imm=0xfffffffffffffffd mem=ds:[rdi]" },  /* clear_bit */
    { "f0 80 0f 02", "OR len=4 os=1 lock reg=1 imm=0x2 mem=ds:[rdi]" },                   /* set_bit */
    { "f0 48 83 0f 40", "OR len=5 os=8 lock rex=48 reg=1 imm=0x40 mem=ds:[rdi]" },
    { "f0 48 83 27 bf", "AND len=5 os=8 lock rex=48 reg=4 imm=0xffffffffffffffbf mem=ds:[rdi]" },
    { "f0 48 81 27 ff ff ff 7f", "AND len=8 os=8 lock rex=48 reg=4 imm=0x7fffffff mem=ds:[rdi]" },
    { "f0 48 81 37 00 00 00 80", "XOR len=8 os=8 lock rex=48 reg=6 imm=0xffffffff80000000 mem=ds:[rdi]" },
    { "66 81 07 34 12", "ADD len=5 os=2 o16 reg=0 imm=0x1234 mem=ds:[rdi]" },
    { "83 2f 01", "SUB len=3 os=4 reg=5 imm=0x1 mem=ds:[rdi]" },
    { "f0 48 0f ba 37 05", "BTR len=6 os=8 lock rex=48 reg=6 imm=0x5 mem=ds:[rdi]" },
    { "f0 48 0f ba 2f 3f", "BTS len=6 os=8 lock rex=48 reg=5 imm=0x3f mem=ds:[rdi]" },
    { "f0 48 0f ba 3f 88", "BTC len=6 os=8 lock rex=48 reg=7 imm=0x88 mem=ds:[rdi]" },   /* zero-extended */
    { "f0 48 0f b3 07", "BTR len=5 os=8 lock rex=48 reg=0 mem=ds:[rdi]" },
    { "f0 0f ab 07", "BTS len=4 os=4 lock reg=0 mem=ds:[rdi]" },
    { "66 0f bb 07", "BTC len=4 os=2 o16 reg=0 mem=ds:[rdi]" },
    { "f0 4c 0f b3 3c 24", "BTR len=6 os=8 lock rex=4c reg=15 mem=ss:[rsp]" },
    { "f0 0f c7 0f", "CMPXCHG8B len=4 os=8 lock reg=1 mem=ds:[rdi]" },
    { "f0 48 0f c7 0f", "CMPXCHG16B len=5 os=16 lock rex=48 reg=1 mem=ds:[rdi]" },
    /* Register destinations decode (nothing to emulate there, but they are instructions). */
    { "48 01 c8", "ADD len=3 os=8 rex=48 reg=1 rm=0" },
    { "41 88 c4", "MOV_STORE len=3 os=1 rex=41 reg=0 rm=12" },
    /* The longest legal instruction: 15 bytes. */
    { "3e 3e f0 48 81 84 88 44 33 22 11 01 00 00 00",
      "ADD len=15 os=8 lock rex=48 ovr=ds reg=0 imm=0x1 mem=ds:[rax+rcx*4+0x11223344]" },
    { "3e 3e 3e 3e 3e 3e 3e 3e 3e 3e 3e 3e 3e 3e fa", "CLI len=15 ovr=ds" },
    /* Privileged instructions. */
    { "0f 30", "WRMSR len=2" },
    { "0f 32", "RDMSR len=2" },
    { "48 0f 32", "RDMSR len=3 rex=48" },
    { "0f 31", "RDTSC len=2" },
    { "0f 01 f9", "RDTSCP len=3" },
    { "0f 33", "RDPMC len=2" },
    { "0f a2", "CPUID len=2" },
    { "fa", "CLI len=1" },
    { "fb", "STI len=1" },
    { "f4", "HLT len=1" },
    { "0f 06", "CLTS len=2" },
    { "0f 08", "INVD len=2" },
    { "0f 09", "WBINVD len=2" },
    { "0f 01 f8", "SWAPGS len=3" },
    { "0f 01 d1", "XSETBV len=3" },
    { "0f 0b 78 65 6e 0f a2", "FORCED_CPUID len=7" },
    { "0f 22 d8", "MOV_TO_CR len=3 os=8 reg=3 rm=0" },
    { "0f 20 e0", "MOV_FROM_CR len=3 os=8 reg=4 rm=0" },
    { "44 0f 22 c0", "MOV_TO_CR len=4 os=8 rex=44 reg=8 rm=0" },               /* cr8 */
    { "44 0f 20 c1", "MOV_FROM_CR len=4 os=8 rex=44 reg=8 rm=1" },
    { "41 0f 22 c3", "MOV_TO_CR len=4 os=8 rex=41 reg=0 rm=11" },
    { "0f 20 00", "MOV_FROM_CR len=3 os=8 reg=0 rm=0" },                      /* mod ignored */
    { "0f 22 24", "MOV_TO_CR len=3 os=8 reg=4 rm=4" },                        /* no SIB either */
    { "0f 22 15", "MOV_TO_CR len=3 os=8 reg=2 rm=5" },                        /* nor a displacement */
    { "0f 23 f8", "MOV_TO_DR len=3 os=8 reg=7 rm=0" },
    { "0f 21 f0", "MOV_FROM_DR len=3 os=8 reg=6 rm=0" },
    { "41 0f 21 c7", "MOV_FROM_DR len=4 os=8 rex=41 reg=0 rm=15" },
    { "e4 60", "IN len=2 os=1 imm=0x60" },
    { "e5 f1", "IN len=2 os=4 imm=0xf1" },                                     /* port: zero-extended */
    { "66 e5 71", "IN len=3 os=2 o16 imm=0x71" },
    { "48 e5 71", "IN len=3 os=4 rex=48 imm=0x71" },                          /* REX.W: still 32-bit */
    { "ec", "IN len=1 os=1" },
    { "ed", "IN len=1 os=4" },
    { "66 ed", "IN len=2 os=2 o16" },
    { "e6 80", "OUT len=2 os=1 imm=0x80" },
    { "e7 80", "OUT len=2 os=4 imm=0x80" },
    { "ee", "OUT len=1 os=1" },
    { "66 ef", "OUT len=2 os=2 o16" },
    { "ef", "OUT len=1 os=4" },
    { "6c", "INS len=1 os=1 mem=es:[rdi]" },
    { "f3 6d", "INS len=2 os=4 rep mem=es:[rdi]" },
    { "26 6c", "INS len=2 os=1 ovr=es mem=es:[rdi]" },
    { "64 6c", "INS len=2 os=1 ovr=fs mem=es:[rdi]" },                        /* ES cannot be overridden */
    { "67 f3 6c", "INS len=3 os=1 rep a32 mem32=es:[rdi]" },
    { "6e", "OUTS len=1 os=1 mem=ds:[rsi]" },
    { "66 6f", "OUTS len=2 os=2 o16 mem=ds:[rsi]" },
    { "f3 64 6e", "OUTS len=3 os=1 rep ovr=fs mem=fs:[rsi]" },
    { "0f 01 f0", "LMSW len=3 os=2 reg=6 rm=0" },
    { "41 0f 01 f1", "LMSW len=4 os=2 rex=41 reg=6 rm=9" },
    { "0f 01 37", "LMSW len=3 os=2 reg=6 mem=ds:[rdi]" },
    { "0f 01 e0", "SMSW len=3 os=4 reg=4 rm=0" },
    { "48 0f 01 e0", "SMSW len=4 os=8 rex=48 reg=4 rm=0" },
    { "66 0f 01 e0", "SMSW len=4 os=2 o16 reg=4 rm=0" },
    { "0f 01 27", "SMSW len=3 os=2 reg=4 mem=ds:[rdi]" },
    { "0f 01 3f", "INVLPG len=3 reg=7 mem=ds:[rdi]" },
    { "0f 01 bc 24 00 01 00 00", "INVLPG len=8 reg=7 mem=ss:[rsp+0x100]" },
    { "65 0f 01 38", "INVLPG len=4 ovr=gs reg=7 mem=gs:[rax]" },
};

static void test_valid_encodings_decode_to_their_description(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(good_cases); i++ )
    {
        uint8_t bytes[32];
        unsigned int n = parse_hex(good_cases[i].hex, bytes, sizeof(bytes));
        struct x86_insn insn;
        char got[256];
        int rc;

        rc = decode_exact(bytes, n, &insn);
        if ( rc )
            fail_msg("%s: rc %d", good_cases[i].hex, rc);
        describe(&insn, got, sizeof(got));
        if ( strcmp(got, good_cases[i].want) )
            fail_msg("%s:\n  got  %s\n  want %s", good_cases[i].hex, got, good_cases[i].want);
        assert_int_equal(insn.length, n);
    }
}

/* Bytes after the instruction are not part of it. */
static void test_trailing_bytes_are_ignored(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(good_cases); i++ )
    {
        uint8_t bytes[32];
        unsigned int n = parse_hex(good_cases[i].hex, bytes, sizeof(bytes));
        struct x86_insn a, b;

        memset(bytes + n, 0x0f, sizeof(bytes) - n);
        assert_int_equal(decode_exact(bytes, n, &a), 0);
        assert_int_equal(decode_exact(bytes, sizeof(bytes), &b), 0);
        assert_int_equal(b.length, n);
        assert_memory_equal(&a, &b, sizeof(a));
    }
}

/* A truncated instruction (e.g. at the end of a mapped page) asks for more bytes, at every length. */
static void test_every_truncation_returns_enodata(void **state)
{
    unsigned int i, avail;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(good_cases); i++ )
    {
        uint8_t bytes[32];
        unsigned int n = parse_hex(good_cases[i].hex, bytes, sizeof(bytes));

        for ( avail = 0; avail < n; avail++ )
        {
            struct x86_insn insn;
            int rc = decode_exact(bytes, avail, &insn);

            if ( rc != -ENODATA )
                fail_msg("%s with %u bytes: rc %d", good_cases[i].hex, avail, rc);
            assert_int_equal(insn.op, X86_OP_UNKNOWN);
        }
    }
}

/* ---- invalid encodings ------------------------------------------------------------------------------ */

static const char *const bad_cases[] = {
    /* lock where the CPU raises #UD */
    "f0 48 89 07",              /* lock mov */
    "f0 c7 07 00 00 00 00",     /* lock mov imm */
    "f0 48 01 c8",              /* lock add to a register */
    "f0 48 87 c1",              /* lock xchg of registers */
    "f0 0f a2",                 /* lock cpuid */
    "f0 0f 22 c0",              /* lock mov cr0 (AMD's alternative cr8 encoding is not taken) */
    "f0 6c",                    /* lock ins */
    "f0 0f 01 3f",              /* lock invlpg */
    /* invalid control and debug registers */
    "0f 22 c8", "0f 20 c8",     /* cr1 */
    "0f 22 e8", "0f 22 f0", "0f 22 f8",     /* cr5, cr6, cr7 */
    "44 0f 22 c8", "44 0f 20 f8",           /* cr9, cr15 */
    "44 0f 23 c0", "44 0f 21 f8",           /* dr8, dr15 */
    /* prefixes the instruction does not take */
    "f3 0f a2", "f2 48 89 07", "f3 48 89 07", "f2 f0 48 0f b1 17", "f3 f0 48 0f b3 07",
    "f3 e4 60", "f2 6c", "f3 0f 09",        /* wbnoinvd */
    "66 0f 30", "66 0f 22 d8", "66 0f 01 f8", "66 0f 01 3f", "66 0f 01 27", "66 0f 01 f0", "66 f4",
    "66 0f c7 0f",
    /* group members and opcodes outside the set */
    "0f 01 c1", "0f 01 c8", "0f 01 d0", "0f 01 fa", "0f 01 e8",
    "0f 01 17", "0f 01 07", "0f 01 0f", "0f 01 1f",   /* lgdt, sgdt, sidt, lidt */
    "48 0f c7 f0", "0f c7 c8", "0f c7 07",
    "0f ba 27 05", "0f ba 07 05", "0f a3 07",         /* bt (no write), undefined /0 */
    "80 17 01", "80 1f 01", "80 3f 01", "11 07", "19 07", "39 07",
    "c6 4f 01 02", "c7 f8 00 00 00 00", "c6 f8 00",
    "8b 07", "8a 07", "90", "cc", "0f 05", "0f 0f", "c4 e2 79 18 07", "62 f1 7c 48 10 07",
    "82 07 01", "0f c1 07", "a3 00 00 00 00 00 00 00 00", "ff 07", "f6 17",
    /* the forced-emulation prefix must be exact and unprefixed */
    "66 0f 0b 78 65 6e 0f a2", "48 0f 0b 78 65 6e 0f a2", "f0 0f 0b 78 65 6e 0f a2",
    "0f 0b 78 65 6e 0f a3", "0f 0b 78 65 6f 0f a2", "0f 0b 00 00 00 00 00", "0f 0b 0f a2",
};

static void test_invalid_encodings_return_einval(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(bad_cases); i++ )
    {
        uint8_t bytes[32];
        unsigned int n = parse_hex(bad_cases[i], bytes, sizeof(bytes));
        struct x86_insn insn;
        int rc;

        rc = decode_exact(bytes, n, &insn);
        if ( rc != -EINVAL )
            fail_msg("%s: rc %d, op %d", bad_cases[i], rc, insn.op);
        assert_int_equal(insn.op, X86_OP_UNKNOWN);
    }
}

/* 16 bytes or more is too long, even when all of them are available and well-formed. */
static void test_over_long_instructions_are_rejected(void **state)
{
    uint8_t bytes[32];
    struct x86_insn insn;
    unsigned int i;

    (void)state;
    /* 15 ds prefixes then cli: 16 bytes. */
    memset(bytes, 0x3e, sizeof(bytes));
    bytes[15] = 0xfa;
    assert_int_equal(decode_exact(bytes, 16, &insn), -EINVAL);
    assert_int_equal(decode_exact(bytes, 32, &insn), -EINVAL);
    /* Only prefixes: after 15 of them the answer is known, before that more bytes are needed. */
    assert_int_equal(decode_exact(bytes, 15, &insn), -EINVAL);
    for ( i = 0; i < 15; i++ )
        assert_int_equal(decode_exact(bytes, i, &insn), -ENODATA);
    /* A REX chain is no exception. */
    memset(bytes, 0x48, sizeof(bytes));
    assert_int_equal(decode_exact(bytes, sizeof(bytes), &insn), -EINVAL);
    /* The 15-byte lock add of the table with one more prefix. */
    i = parse_hex("3e 3e 3e f0 48 81 84 88 44 33 22 11 01 00 00 00", bytes, sizeof(bytes));
    assert_int_equal(i, 16);
    assert_int_equal(decode_exact(bytes, i, &insn), -EINVAL);
    /* A long displacement form that ends past byte 15 while being decoded. */
    i = parse_hex("26 26 26 26 26 26 26 48 c7 84 88 44 33 22 11 01 00 00 00", bytes, sizeof(bytes));
    assert_int_equal(decode_exact(bytes, i, &insn), -EINVAL);
    assert_int_equal(decode_exact(bytes, 14, &insn), -ENODATA);
}

/* avail above 15 is capped: the decoder never looks at byte 15 or later. */
static void test_decoder_never_reads_beyond_fifteen_bytes(void **state)
{
    uint8_t bytes[15];
    struct x86_insn insn;

    (void)state;
    memset(bytes, 0x26, sizeof(bytes));
    /* A 15-byte buffer with a huge avail: ASan would catch a read of byte 15. */
    assert_int_equal(x86_decode(bytes, 1000, &insn), -EINVAL);
}

static void test_forced_cpuid_prefix_is_seven_bytes(void **state)
{
    static const uint8_t fc[] = { 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2, 0x90 };
    struct x86_insn insn;

    (void)state;
    assert_int_equal(decode_exact(fc, sizeof(fc), &insn), 0);
    assert_int_equal(insn.op, X86_OP_FORCED_CPUID);
    assert_int_equal(insn.length, 7);
    assert_false(insn.has_mem);
    /* A plain ud2 at the end of a page: more bytes needed, which for #UD means "not forced". */
    assert_int_equal(decode_exact(fc, 2, &insn), -ENODATA);
}

/* ---- effective addresses ---------------------------------------------------------------------------- */

/* Registers with distinct values: reg n = 0x1000 * (n + 1) + n, so mix-ups show. */
static void init_regs(struct cpu_user_regs *r)
{
    unsigned int n;

    memset(r, 0, sizeof(*r));
    for ( n = 0; n < 16; n++ )
        *x86_reg_ptr(r, n) = 0x1000ULL * (n + 1) + n;
    r->rip = 0xffffffff81000000ULL;
}

struct ea_case {
    const char *hex;
    uint64_t want;
};

#define FS_BASE 0x7f0000000000ULL
#define GS_BASE 0xffff888000000000ULL
#define R(n)    (0x1000ULL * ((n) + 1) + (n))

static const struct ea_case ea_cases[] = {
    { "48 89 07", R(7) },
    { "4c 89 44 24 08", R(4) + 8 },
    { "49 89 45 00", R(13) },
    { "49 89 04 24", R(12) },
    { "4a 89 04 25 00 10 00 00", R(12) + 0x1000 },
    { "48 89 04 25 00 10 00 00", 0x1000 },
    { "48 89 04 25 00 00 00 80", 0xffffffff80000000ULL },           /* disp32 sign-extends */
    { "48 89 84 cb 78 56 34 12", R(3) + R(1) * 8 + 0x12345678 },
    { "48 89 44 8d f8", R(5) + R(1) * 4 - 8 },
    { "4b 89 44 a5 00", R(13) + R(12) * 4 },
    { "48 89 05 f0 ff ff ff", 0xffffffff81000000ULL + 7 - 0x10 },  /* next RIP */
    { "48 c7 05 f8 ff ff ff 01 00 00 00", 0xffffffff81000000ULL + 11 - 8 },
    { "67 48 89 05 00 01 00 00", (uint32_t)(0xffffffff81000000ULL + 8 + 0x100) },
    { "64 48 89 07", FS_BASE + R(7) },
    { "65 48 89 04 24", GS_BASE + R(4) },
    { "65 26 89 07", R(7) },                                        /* es has base 0 */
    { "2e 89 07", R(7) },
    { "6c", R(7) },
    { "64 6c", R(7) },                                              /* ins: always ES */
    { "f3 64 6e", FS_BASE + R(6) },
    { "0f 01 bc 24 00 01 00 00", R(4) + 0x100 },
    { "65 0f 01 38", GS_BASE + R(0) },
};

static void test_effective_addresses(void **state)
{
    struct cpu_user_regs regs;
    unsigned int i;

    (void)state;
    init_regs(&regs);
    for ( i = 0; i < ARRAY_SIZE(ea_cases); i++ )
    {
        uint8_t bytes[32];
        unsigned int n = parse_hex(ea_cases[i].hex, bytes, sizeof(bytes));
        struct x86_insn insn;
        uint64_t ea;

        assert_int_equal(decode_exact(bytes, n, &insn), 0);
        ea = x86_effective_address(&insn, &regs, FS_BASE, GS_BASE);
        if ( ea != ea_cases[i].want )
            fail_msg("%s: ea %#llx, want %#llx", ea_cases[i].hex, (unsigned long long)ea,
                     (unsigned long long)ea_cases[i].want);
    }
}

/* With 67h the offset wraps at 4 GiB and uses the low halves of the registers; segment bases stay 64-bit. */
static void test_address_size_override_wraps_at_4g(void **state)
{
    static const uint8_t sib[] = { 0x67, 0x48, 0x89, 0x44, 0x88, 0x20 };  /* mov %rax,0x20(%eax,%ecx,4) */
    static const uint8_t fs[] = { 0x64, 0x67, 0x89, 0x47, 0xf0 };        /* mov %eax,%fs:-0x10(%edi) */
    struct cpu_user_regs regs;
    struct x86_insn insn;

    (void)state;
    init_regs(&regs);
    regs.rax = 0x12345678fffffff0ULL;
    regs.rcx = 0xabcdef0000000001ULL;
    assert_int_equal(decode_exact(sib, sizeof(sib), &insn), 0);
    assert_int_equal(insn.mem.addr_size, 4);
    assert_int_equal(x86_effective_address(&insn, &regs, 0, 0), (0xfffffff0ULL + 4 + 0x20) & 0xffffffffULL);

    regs.rdi = 0xffffffff00000008ULL;
    assert_int_equal(decode_exact(fs, sizeof(fs), &insn), 0);
    assert_int_equal(x86_effective_address(&insn, &regs, FS_BASE, 0), FS_BASE + 0xfffffff8ULL);
}

static void test_effective_address_without_memory_operand_is_zero(void **state)
{
    static const uint8_t cr[] = { 0x0f, 0x22, 0x07 };  /* mov %rdi,%cr0 despite mod 00 */
    struct cpu_user_regs regs;
    struct x86_insn insn;

    (void)state;
    init_regs(&regs);
    assert_int_equal(decode_exact(cr, sizeof(cr), &insn), 0);
    assert_false(insn.has_mem);
    assert_int_equal(insn.rm, 7);
    assert_int_equal(x86_effective_address(&insn, &regs, FS_BASE, GS_BASE), 0);
}

/* ---- register access -------------------------------------------------------------------------------- */

static void test_reg_ptr_maps_numbers_to_the_public_fields(void **state)
{
    struct cpu_user_regs r;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_ptr_equal(x86_reg_ptr(&r, 0), &r.rax);
    assert_ptr_equal(x86_reg_ptr(&r, 1), &r.rcx);
    assert_ptr_equal(x86_reg_ptr(&r, 2), &r.rdx);
    assert_ptr_equal(x86_reg_ptr(&r, 3), &r.rbx);
    assert_ptr_equal(x86_reg_ptr(&r, 4), &r.rsp);
    assert_ptr_equal(x86_reg_ptr(&r, 5), &r.rbp);
    assert_ptr_equal(x86_reg_ptr(&r, 6), &r.rsi);
    assert_ptr_equal(x86_reg_ptr(&r, 7), &r.rdi);
    assert_ptr_equal(x86_reg_ptr(&r, 8), &r.r8);
    assert_ptr_equal(x86_reg_ptr(&r, 9), &r.r9);
    assert_ptr_equal(x86_reg_ptr(&r, 10), &r.r10);
    assert_ptr_equal(x86_reg_ptr(&r, 11), &r.r11);
    assert_ptr_equal(x86_reg_ptr(&r, 12), &r.r12);
    assert_ptr_equal(x86_reg_ptr(&r, 13), &r.r13);
    assert_ptr_equal(x86_reg_ptr(&r, 14), &r.r14);
    assert_ptr_equal(x86_reg_ptr(&r, 15), &r.r15);
    expect_assert_failure(x86_reg_ptr(&r, 16));
}

static void test_reg_read_sizes_and_high_byte_registers(void **state)
{
    struct cpu_user_regs r;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.rax = 0x1122334455667788ULL;
    r.rsp = 0x8877665544332211ULL;
    r.r12 = 0xa1a2a3a4a5a6a7a8ULL;
    assert_int_equal(x86_reg_read(&r, 0, 8, false), 0x1122334455667788ULL);
    assert_int_equal(x86_reg_read(&r, 0, 4, false), 0x55667788);
    assert_int_equal(x86_reg_read(&r, 0, 2, false), 0x7788);
    assert_int_equal(x86_reg_read(&r, 0, 1, false), 0x88);
    assert_int_equal(x86_reg_read(&r, 4, 1, false), 0x77);     /* ah */
    assert_int_equal(x86_reg_read(&r, 4, 1, true), 0x11);      /* spl */
    assert_int_equal(x86_reg_read(&r, 4, 2, false), 0x2211);   /* sp: no high-byte rule above size 1 */
    assert_int_equal(x86_reg_read(&r, 12, 1, true), 0xa8);
    assert_int_equal(x86_reg_read(&r, 12, 4, true), 0xa5a6a7a8);
}

static void test_reg_write_merges_or_zero_extends(void **state)
{
    struct cpu_user_regs r;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.rbx = 0x1122334455667788ULL;
    x86_reg_write(&r, 3, 1, false, 0x1ff);
    assert_int_equal(r.rbx, 0x11223344556677ffULL);
    x86_reg_write(&r, 7, 1, false, 0xab);                       /* bh */
    assert_int_equal(r.rbx, 0x112233445566abffULL);
    assert_int_equal(r.rdi, 0);
    x86_reg_write(&r, 7, 1, true, 0xcd);                        /* dil */
    assert_int_equal(r.rdi, 0xcd);
    assert_int_equal(r.rbx, 0x112233445566abffULL);
    x86_reg_write(&r, 3, 2, false, 0x12345);
    assert_int_equal(r.rbx, 0x1122334455662345ULL);
    x86_reg_write(&r, 3, 4, false, 0xdeadbeefcafef00dULL);      /* 32-bit: zero-extends */
    assert_int_equal(r.rbx, 0xcafef00dULL);
    x86_reg_write(&r, 15, 8, true, 0xdeadbeefcafef00dULL);
    assert_int_equal(r.r15, 0xdeadbeefcafef00dULL);
    expect_assert_failure(x86_reg_write(&r, 0, 3, false, 0));
}

static void test_every_op_has_a_name_in_this_test(void **state)
{
    unsigned int i;

    (void)state;
    for ( i = 0; i < X86_OP_NR; i++ )
        assert_non_null(op_names[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_op_has_a_name_in_this_test),
        cmocka_unit_test(test_valid_encodings_decode_to_their_description),
        cmocka_unit_test(test_trailing_bytes_are_ignored),
        cmocka_unit_test(test_every_truncation_returns_enodata),
        cmocka_unit_test(test_invalid_encodings_return_einval),
        cmocka_unit_test(test_over_long_instructions_are_rejected),
        cmocka_unit_test(test_decoder_never_reads_beyond_fifteen_bytes),
        cmocka_unit_test(test_forced_cpuid_prefix_is_seven_bytes),
        cmocka_unit_test(test_effective_addresses),
        cmocka_unit_test(test_address_size_override_wraps_at_4g),
        cmocka_unit_test(test_effective_address_without_memory_operand_is_zero),
        cmocka_unit_test(test_reg_ptr_maps_numbers_to_the_public_fields),
        cmocka_unit_test(test_reg_read_sizes_and_high_byte_registers),
        cmocka_unit_test(test_reg_write_merges_or_zero_extends),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
