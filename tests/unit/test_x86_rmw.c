/*
 * test_x86_rmw.c - emulated writes to read-only page-table entries store what the CPU would store and
 * set the registers and flags the CPU would set.
 *
 * Two oracles: a reference model written here with different arithmetic (128-bit sums, signed ranges,
 * bit counting) for every operation, width and form over a grid of values; and the host CPU itself,
 * which executes the very same instruction bytes (emitted with .byte into small asm functions) on a
 * host variable with the same registers and flags.
 */
#include <stdlib.h>
#include <string.h>
#include <parva/lib.h>
#include <asm/x86_decode.h>

#define RFLAGS_MBS  0x2ULL      /* bit 1 always reads 1 */
#define RFLAGS_IF   0x200ULL
#define RFLAGS_TF   0x100ULL
#define RFLAGS_DF   0x400ULL

static uint64_t mask_of(unsigned int w)
{
    return w == 8 ? ~0ULL : (1ULL << (8 * w)) - 1;
}

static void init_regs(struct cpu_user_regs *r, uint64_t seed)
{
    unsigned int n;

    memset(r, 0, sizeof(*r));
    for ( n = 0; n < 16; n++ )
        *x86_reg_ptr(r, n) = (seed + n) * 0x9e3779b97f4a7c15ULL;
    r->rdi = 0x7f0000002000ULL;        /* an aligned entry address unless a test says otherwise */
    r->rip = 0xffffffff81234560ULL;
    r->rflags = RFLAGS_MBS | RFLAGS_IF;
}

static void decode_ok(const uint8_t *b, unsigned int n, struct x86_insn *insn)
{
    int rc = x86_decode(b, n, insn);

    if ( rc )
        fail_msg("decode rc %d", rc);
    assert_int_equal(insn->length, n);
}

/* ---- the reference model ------------------------------------------------------------------------------ */

static int64_t ref_sext(uint64_t v, unsigned int w)
{
    switch ( w )
    {
    case 1: return (int8_t)v;
    case 2: return (int16_t)v;
    case 4: return (int32_t)v;
    default: return (int64_t)v;
    }
}

static uint64_t ref_szp(uint64_t res, unsigned int w)
{
    uint64_t f = 0;
    unsigned int i, ones = 0;

    for ( i = 0; i < 8; i++ )
        ones += (res >> i) & 1;
    if ( !(ones & 1) )
        f |= X86_FLAG_PF;
    if ( (res & mask_of(w)) == 0 )
        f |= X86_FLAG_ZF;
    if ( ref_sext(res, w) < 0 )
        f |= X86_FLAG_SF;
    return f;
}

static bool out_of_signed_range(__int128 v, unsigned int w)
{
    __int128 max = ((__int128)1 << (8 * w - 1)) - 1;

    return v > max || v < -max - 1;
}

static uint64_t ref_add(uint64_t a, uint64_t b, unsigned int w, uint64_t *flags)
{
    unsigned __int128 sum = (unsigned __int128)a + b;
    uint64_t res = (uint64_t)sum & mask_of(w);

    *flags = ref_szp(res, w);
    if ( sum > mask_of(w) )
        *flags |= X86_FLAG_CF;
    if ( out_of_signed_range((__int128)ref_sext(a, w) + ref_sext(b, w), w) )
        *flags |= X86_FLAG_OF;
    if ( (a & 0xf) + (b & 0xf) > 0xf )
        *flags |= X86_FLAG_AF;
    return res;
}

static uint64_t ref_sub(uint64_t a, uint64_t b, unsigned int w, uint64_t *flags)
{
    uint64_t res = (a - b) & mask_of(w);

    *flags = ref_szp(res, w);
    if ( a < b )
        *flags |= X86_FLAG_CF;
    if ( out_of_signed_range((__int128)ref_sext(a, w) - ref_sext(b, w), w) )
        *flags |= X86_FLAG_OF;
    if ( (a & 0xf) < (b & 0xf) )
        *flags |= X86_FLAG_AF;
    return res;
}

/* Merge a w-byte register write into old, as the CPU does (4 bytes zero-extend). */
static uint64_t ref_regmerge(uint64_t old, uint64_t v, unsigned int w)
{
    if ( w == 4 || w == 8 )
        return v & mask_of(w);
    return (old & ~mask_of(w)) | (v & mask_of(w));
}

struct ref {
    bool write;
    uint64_t val;           /* operand value stored */
    uint64_t arith;         /* the arithmetic flags after */
    uint64_t arith_mask;    /* which of them the instruction defines/changes */
    bool src_gets_old;      /* xchg */
    bool rax_gets_old;      /* cmpxchg mismatch */
};

/* old: the operand in memory; src: the source operand (bit offset for bt*); all masked to w. */
static struct ref ref_op(enum x86_op op, unsigned int w, uint64_t old, uint64_t src, uint64_t rax)
{
    struct ref r = { .write = true, .arith_mask = X86_ARITH_FLAGS };
    uint64_t bit;

    switch ( op )
    {
    case X86_OP_MOV_STORE:
        r.val = src;
        r.arith_mask = 0;
        break;
    case X86_OP_XCHG:
        r.val = src;
        r.arith_mask = 0;
        r.src_gets_old = true;
        break;
    case X86_OP_CMPXCHG:
        ref_sub(rax & mask_of(w), old, w, &r.arith);
        if ( (rax & mask_of(w)) == old )
            r.val = src;
        else
        {
            r.write = false;
            r.val = old;
            r.rax_gets_old = true;
        }
        break;
    case X86_OP_ADD:
        r.val = ref_add(old, src, w, &r.arith);
        break;
    case X86_OP_SUB:
        r.val = ref_sub(old, src, w, &r.arith);
        break;
    case X86_OP_AND:
        r.val = old & src;
        r.arith = ref_szp(r.val, w);        /* CF = OF = 0; AF: cleared (undefined) */
        break;
    case X86_OP_OR:
        r.val = old | src;
        r.arith = ref_szp(r.val, w);
        break;
    case X86_OP_XOR:
        r.val = old ^ src;
        r.arith = ref_szp(r.val, w);
        break;
    case X86_OP_BTS:
    case X86_OP_BTR:
    case X86_OP_BTC:
        bit = src % (8 * w);
        r.arith = ((old >> bit) & 1) ? X86_FLAG_CF : 0;
        r.arith_mask = X86_FLAG_CF;         /* the others stay */
        r.val = op == X86_OP_BTS ? old | (1ULL << bit) :
                op == X86_OP_BTR ? old & ~(1ULL << bit) : old ^ (1ULL << bit);
        break;
    default:
        fail_msg("no model for op %d", op);
    }
    return r;
}

/* ---- generated encodings: [rdi + disp8] with source rdx/edx/dx/dl or an immediate ---------------------- */

enum form {
    F_REG,          /* op [rdi+d8], rdx */
    F_IMM8,         /* 80 ib (w 1), 83 ib, c6 ib, 0f ba ib */
    F_IMMZ,         /* 81 iz, c7 iz */
};

/* Builds the instruction; returns its length, 0 if op/w/form has no encoding. *src gets the source value. */
static unsigned int build(uint8_t *b, enum x86_op op, unsigned int w, enum form form, unsigned int disp,
                          uint64_t srcval, uint64_t *src)
{
    static const struct { enum x86_op op; uint8_t rm8, grp1; } alu[] = {
        { X86_OP_ADD, 0x00, 0 }, { X86_OP_OR, 0x08, 1 }, { X86_OP_AND, 0x20, 4 },
        { X86_OP_SUB, 0x28, 5 }, { X86_OP_XOR, 0x30, 6 },
    };
    unsigned int n = 0, i, regf = 2;
    bool bitop = op == X86_OP_BTS || op == X86_OP_BTR || op == X86_OP_BTC;
    uint8_t opc[2];
    unsigned int nopc = 0, immlen = 0;

    if ( bitop && w == 1 )
        return 0;
    if ( form != F_REG && (op == X86_OP_XCHG || op == X86_OP_CMPXCHG) )
        return 0;
    if ( form == F_IMMZ && (bitop || w == 1) )
        return 0;

    if ( op != X86_OP_MOV_STORE )
        b[n++] = 0xf0;
    if ( w == 2 )
        b[n++] = 0x66;
    if ( w == 8 )
        b[n++] = 0x48;

    if ( form == F_REG )
    {
        switch ( op )
        {
        case X86_OP_MOV_STORE: opc[nopc++] = 0x88 | (w != 1); break;
        case X86_OP_XCHG: opc[nopc++] = 0x86 | (w != 1); break;
        case X86_OP_CMPXCHG: opc[nopc++] = 0x0f; opc[nopc++] = 0xb0 | (w != 1); break;
        case X86_OP_BTS: opc[nopc++] = 0x0f; opc[nopc++] = 0xab; break;
        case X86_OP_BTR: opc[nopc++] = 0x0f; opc[nopc++] = 0xb3; break;
        case X86_OP_BTC: opc[nopc++] = 0x0f; opc[nopc++] = 0xbb; break;
        default:
            for ( i = 0; i < ARRAY_SIZE(alu); i++ )
                if ( alu[i].op == op )
                    opc[nopc++] = alu[i].rm8 | (w != 1);
            break;
        }
        *src = srcval & mask_of(w);
    }
    else
    {
        if ( op == X86_OP_MOV_STORE )
        {
            opc[nopc++] = w == 1 ? 0xc6 : 0xc7;
            regf = 0;
            if ( form == F_IMM8 && w != 1 )
                return 0;           /* no mov imm8 to a wider operand */
        }
        else if ( bitop )
        {
            opc[nopc++] = 0x0f;
            opc[nopc++] = 0xba;
            regf = op == X86_OP_BTS ? 5 : op == X86_OP_BTR ? 6 : 7;
        }
        else
        {
            opc[nopc++] = w == 1 ? 0x80 : form == F_IMM8 ? 0x83 : 0x81;
            for ( i = 0; i < ARRAY_SIZE(alu); i++ )
                if ( alu[i].op == op )
                    regf = alu[i].grp1;
        }
        immlen = form == F_IMM8 || w == 1 ? 1 : w == 2 ? 2 : 4;
        /* The source the CPU uses: sign-extended immediate (bit offsets: the raw imm8). */
        *src = bitop ? (srcval & 0xff) : ((uint64_t)ref_sext(srcval, immlen) & mask_of(w));
    }

    if ( nopc == 0 )
        return 0;
    for ( i = 0; i < nopc; i++ )
        b[n++] = opc[i];
    b[n++] = 0x40 | (regf << 3) | 7;    /* mod 01, rm rdi */
    b[n++] = (uint8_t)disp;
    for ( i = 0; i < immlen; i++ )
        b[n++] = (uint8_t)(srcval >> (8 * i));
    return n;
}

static const uint64_t interesting[] = {
    0, 1, 2, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
    0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
    0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x8000000000000067ULL, 0x00000001234560e7ULL,
};

static unsigned int model_runs;

static void run_model_case(enum x86_op op, unsigned int w, enum form form, unsigned int offset,
                           uint64_t a, uint64_t b, uint64_t flags_in, bool rax_matches)
{
    const uint64_t filler = 0xa5a5a5a55a5a5a5aULL;
    uint8_t bytes[16];
    uint64_t src, old = a & mask_of(w), pte, addr, ea, rax, want_pte;
    unsigned int n, width;
    struct cpu_user_regs regs, before;
    struct x86_insn insn;
    struct x86_write wr;
    struct ref r;
    unsigned int k;
    int rc;

    n = build(bytes, op, w, form, offset, b, &src);
    if ( n == 0 )
        return;
    model_runs++;
    if ( (op == X86_OP_BTS || op == X86_OP_BTR || op == X86_OP_BTC) && form == F_REG )
        src %= 8 * w;               /* keep a register bit offset inside the operand */
    decode_ok(bytes, n, &insn);
    assert_int_equal(insn.op, op);
    assert_int_equal(insn.opsize, w);

    init_regs(&regs, a ^ b);
    regs.rflags = flags_in;
    regs.rdi = 0x7f0000001000ULL;
    if ( form == F_REG )
        regs.rdx = (regs.rdx & ~mask_of(w)) | src;
    rax = rax_matches ? (regs.rax & ~mask_of(w)) | old : regs.rax;
    regs.rax = rax;
    before = regs;

    ea = x86_effective_address(&insn, &regs, 0, 0);
    assert_int_equal(ea, regs.rdi + offset);
    rc = x86_pte_write_target(&insn, &regs, ea, &addr, &width);
    assert_int_equal(rc, 0);
    assert_int_equal(addr, ea);
    assert_int_equal(width, w);

    pte = (filler & ~(mask_of(w) << (8 * offset))) | (old << (8 * offset));
    rc = x86_emulate_pte_write(&insn, &regs, pte, offset, &wr);
    assert_int_equal(rc, 0);
    assert_memory_equal(&regs, &before, sizeof(regs));         /* nothing changes before the commit */

    r = ref_op(op, w, old, src, rax);
    want_pte = (pte & ~(mask_of(w) << (8 * offset))) | ((r.val & mask_of(w)) << (8 * offset));
    if ( wr.write != r.write || (r.write && wr.new_pte != want_pte) || (!r.write && wr.new_pte != pte) ||
         (wr.rflags & r.arith_mask) != r.arith ||
         (wr.rflags & ~r.arith_mask) != (flags_in & ~r.arith_mask) )
        fail_msg("op %d w %u form %d off %u old %#llx src %#llx rax %#llx: write %d/%d pte %#llx/%#llx "
                 "flags %#llx/%#llx", op, w, form, offset, (unsigned long long)old, (unsigned long long)src,
                 (unsigned long long)rax, wr.write, r.write, (unsigned long long)wr.new_pte,
                 (unsigned long long)want_pte, (unsigned long long)wr.rflags,
                 (unsigned long long)((flags_in & ~r.arith_mask) | r.arith));
    if ( wr.write )
    {
        assert_int_equal(wr.offset, offset);
        assert_int_equal(wr.width, w);
        assert_int_equal(wr.value, r.val & mask_of(w));
    }

    x86_pte_write_commit(&insn, &wr, &regs);
    assert_int_equal(regs.rip, before.rip);             /* advancing RIP is the caller's */
    assert_int_equal(regs.rflags, wr.rflags);
    for ( k = 0; k < 16; k++ )
    {
        uint64_t want = *x86_reg_ptr(&before, k);

        if ( k == X86_REG_RDX && r.src_gets_old )
            want = ref_regmerge(want, old, w);
        if ( k == X86_REG_RAX && r.rax_gets_old )
            want = ref_regmerge(want, old, w);
        if ( *x86_reg_ptr(&regs, k) != want )
            fail_msg("op %d w %u: reg %u = %#llx, want %#llx", op, w, k,
                     (unsigned long long)*x86_reg_ptr(&regs, k), (unsigned long long)want);
    }
}

static void test_every_operation_matches_the_reference_model(void **state)
{
    static const enum x86_op ops[] = {
        X86_OP_MOV_STORE, X86_OP_XCHG, X86_OP_CMPXCHG, X86_OP_OR, X86_OP_AND, X86_OP_XOR,
        X86_OP_ADD, X86_OP_SUB, X86_OP_BTS, X86_OP_BTR, X86_OP_BTC,
    };
    static const unsigned int widths[] = { 1, 2, 4, 8 };
    static const uint64_t flag_ins[] = {
        RFLAGS_MBS | RFLAGS_IF,
        RFLAGS_MBS | RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | X86_ARITH_FLAGS,
    };
    unsigned int o, wi, f, i, j, fl;

    (void)state;
    for ( o = 0; o < ARRAY_SIZE(ops); o++ )
        for ( wi = 0; wi < ARRAY_SIZE(widths); wi++ )
            for ( f = F_REG; f <= F_IMMZ; f++ )
                for ( i = 0; i < ARRAY_SIZE(interesting); i++ )
                    for ( j = 0; j < ARRAY_SIZE(interesting); j++ )
                    {
                        unsigned int w = widths[wi];
                        unsigned int off = ((i + j) & 1) ? 8 - w : 0;   /* low and high end of the entry */

                        fl = (i + 2 * j) % ARRAY_SIZE(flag_ins);
                        run_model_case(ops[o], w, f, off, interesting[i], interesting[j], flag_ins[fl],
                                       (j % 3) == 0);
                    }
    /* mov 8 encodings, xchg/cmpxchg 4 each, 5 ALU ops 11 each, 3 bit ops 6 each: none skipped. */
    assert_int_equal(model_runs,
                     (8 + 2 * 4 + 5 * 11 + 3 * 6) * ARRAY_SIZE(interesting) * ARRAY_SIZE(interesting));
}

/* ---- the host CPU as oracle --------------------------------------------------------------------------- */

/* Register file by x86 number ([4], rsp, is not loaded) and RFLAGS; offsets used by the asm below. */
struct hstate {
    uint64_t gpr[16];
    uint64_t rflags;
};

/*
 * HOST_INSN(name, bytes...): name_bytes[] holds the bytes; name_exec(s) loads s into the registers and
 * RFLAGS, executes exactly those bytes, and stores registers and RFLAGS back into s.
 */
#define HOST_INSN(name, ...)                                                                     \
    static const uint8_t name##_bytes[] = { __VA_ARGS__ };                                      \
    void name##_exec(struct hstate *s);                                                          \
    __asm__(".pushsection .text\n"                                                               \
            ".globl " #name "_exec\n"                                                            \
            ".type " #name "_exec, @function\n"                                                  \
            #name "_exec:\n"                                                                     \
            "endbr64\n"                         /* a NOP unless indirect-branch tracking is on */ \
            "push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"            \
            "push %rdi\n"                                                                        \
            "pushq 0x80(%rdi)\n popfq\n"                                                         \
            "mov 0x00(%rdi), %rax\n mov 0x08(%rdi), %rcx\n mov 0x10(%rdi), %rdx\n"               \
            "mov 0x18(%rdi), %rbx\n mov 0x28(%rdi), %rbp\n mov 0x30(%rdi), %rsi\n"               \
            "mov 0x40(%rdi), %r8\n mov 0x48(%rdi), %r9\n mov 0x50(%rdi), %r10\n"                 \
            "mov 0x58(%rdi), %r11\n mov 0x60(%rdi), %r12\n mov 0x68(%rdi), %r13\n"               \
            "mov 0x70(%rdi), %r14\n mov 0x78(%rdi), %r15\n mov 0x38(%rdi), %rdi\n"               \
            ".byte " #__VA_ARGS__ "\n"                                                           \
            "pushfq\n"                                                                           \
            "xchg %rdi, 8(%rsp)\n"                                                               \
            "popq 0x80(%rdi)\n"                                                                  \
            "mov %rax, 0x00(%rdi)\n mov %rcx, 0x08(%rdi)\n mov %rdx, 0x10(%rdi)\n"               \
            "mov %rbx, 0x18(%rdi)\n mov %rbp, 0x28(%rdi)\n mov %rsi, 0x30(%rdi)\n"               \
            "mov %r8, 0x40(%rdi)\n mov %r9, 0x48(%rdi)\n mov %r10, 0x50(%rdi)\n"                 \
            "mov %r11, 0x58(%rdi)\n mov %r12, 0x60(%rdi)\n mov %r13, 0x68(%rdi)\n"               \
            "mov %r14, 0x70(%rdi)\n mov %r15, 0x78(%rdi)\n"                                      \
            "popq 0x38(%rdi)\n"                                                                  \
            "pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"                  \
            "cld\n ret\n"                                                                        \
            ".size " #name "_exec, . - " #name "_exec\n"                                         \
            ".popsection\n")

/* Plain and atomic stores of every width, high-byte registers, REX registers, SIB forms. */
HOST_INSN(h_mov_q, 0x48, 0x89, 0x07);                           /* mov %rax,(%rdi) */
HOST_INSN(h_mov_l_hi, 0x89, 0x4f, 0x04);                        /* mov %ecx,4(%rdi) */
HOST_INSN(h_mov_b_ah, 0x88, 0x67, 0x01);                        /* mov %ah,1(%rdi) */
HOST_INSN(h_mov_b_sil, 0x40, 0x88, 0x77, 0x05);                 /* mov %sil,5(%rdi) */
HOST_INSN(h_mov_w, 0x66, 0x89, 0x77, 0x02);                     /* mov %si,2(%rdi) */
HOST_INSN(h_mov_q_r9_sib, 0x4e, 0x89, 0x4c, 0xe3, 0x10);        /* mov %r9,0x10(%rbx,%r12,8) */
HOST_INSN(h_mov_q_imm, 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff);  /* movq $-1,(%rdi) */
HOST_INSN(h_mov_l_imm, 0xc7, 0x47, 0x04, 0x78, 0x56, 0x34, 0x92);  /* movl $0x92345678,4(%rdi) */
HOST_INSN(h_xchg_q, 0x48, 0x87, 0x07);                          /* xchg %rax,(%rdi) */
HOST_INSN(h_xchg_l, 0x87, 0x57, 0x04);                          /* xchg %edx,4(%rdi) */
HOST_INSN(h_xchg_b_bh, 0x86, 0x7f, 0x03);                       /* xchg %bh,3(%rdi) */
HOST_INSN(h_xchg_q_r13, 0x4d, 0x87, 0x2e);                      /* xchg %r13,(%r14) */
HOST_INSN(h_cmpxchg_q, 0xf0, 0x48, 0x0f, 0xb1, 0x17);           /* lock cmpxchg %rdx,(%rdi) */
HOST_INSN(h_cmpxchg_l, 0xf0, 0x0f, 0xb1, 0x4f, 0x04);           /* lock cmpxchg %ecx,4(%rdi) */
HOST_INSN(h_cmpxchg_b, 0xf0, 0x0f, 0xb0, 0x4f, 0x01);           /* lock cmpxchg %cl,1(%rdi) */
HOST_INSN(h_cmpxchg_w, 0xf0, 0x66, 0x0f, 0xb1, 0x4f, 0x06);     /* lock cmpxchg %cx,6(%rdi) */
HOST_INSN(h_or_q, 0xf0, 0x48, 0x09, 0x07);                      /* lock or %rax,(%rdi) */
HOST_INSN(h_and_q, 0xf0, 0x48, 0x21, 0x07);                     /* lock and %rax,(%rdi) */
HOST_INSN(h_xor_q, 0xf0, 0x48, 0x31, 0x07);                     /* lock xor %rax,(%rdi) */
HOST_INSN(h_add_q, 0xf0, 0x48, 0x01, 0x07);                     /* lock add %rax,(%rdi) */
HOST_INSN(h_sub_q, 0xf0, 0x48, 0x29, 0x07);                     /* lock sub %rax,(%rdi) */
HOST_INSN(h_add_l, 0xf0, 0x01, 0x4f, 0x04);                     /* lock add %ecx,4(%rdi) */
HOST_INSN(h_sub_w, 0xf0, 0x66, 0x29, 0x4f, 0x02);               /* lock sub %cx,2(%rdi) */
HOST_INSN(h_add_b, 0xf0, 0x00, 0x57, 0x07);                     /* lock add %dl,7(%rdi) */
HOST_INSN(h_sub_b_dh, 0xf0, 0x28, 0x77, 0x06);                  /* lock sub %dh,6(%rdi) */
HOST_INSN(h_xor_l, 0xf0, 0x31, 0x07);                           /* lock xor %eax,(%rdi) */
HOST_INSN(h_andb_imm, 0xf0, 0x80, 0x27, 0xfd);                  /* lock andb $0xfd,(%rdi): clear_bit(1) */
HOST_INSN(h_orb_imm, 0xf0, 0x80, 0x0f, 0x02);                   /* lock orb $2,(%rdi): set_bit(1) */
HOST_INSN(h_andq_imm8, 0xf0, 0x48, 0x83, 0x27, 0xbf);           /* lock andq $-0x41,(%rdi) */
HOST_INSN(h_orq_imm8, 0xf0, 0x48, 0x83, 0x0f, 0x40);            /* lock orq $0x40,(%rdi) */
HOST_INSN(h_xorq_imm32, 0xf0, 0x48, 0x81, 0x37, 0x00, 0x00, 0x00, 0x80); /* lock xorq $-2^31,(%rdi) */
HOST_INSN(h_addl_imm8, 0xf0, 0x83, 0x47, 0x04, 0xff);           /* lock addl $-1,4(%rdi) */
HOST_INSN(h_subq_imm8, 0xf0, 0x48, 0x83, 0x2f, 0x01);           /* lock subq $1,(%rdi) */
HOST_INSN(h_addq_imm32, 0xf0, 0x48, 0x81, 0x07, 0xff, 0xff, 0xff, 0x7f);  /* lock addq $0x7fffffff,(%rdi) */
HOST_INSN(h_subw_imm16, 0xf0, 0x66, 0x81, 0x6f, 0x02, 0x01, 0x80);  /* lock subw $0x8001,2(%rdi) */
HOST_INSN(h_addb_imm, 0xf0, 0x80, 0x47, 0x03, 0x81);            /* lock addb $0x81,3(%rdi) */
HOST_INSN(h_btrq_imm, 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05);      /* lock btrq $5,(%rdi): clear_young */
HOST_INSN(h_btsq_imm, 0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x3f);      /* lock btsq $63,(%rdi) */
HOST_INSN(h_btcq_imm, 0xf0, 0x48, 0x0f, 0xba, 0x3f, 0x88);      /* lock btcq $0x88,(%rdi): bit 8 */
HOST_INSN(h_btrl_imm, 0xf0, 0x0f, 0xba, 0x77, 0x04, 0x1f);      /* lock btrl $31,4(%rdi) */
HOST_INSN(h_btsw_imm, 0xf0, 0x66, 0x0f, 0xba, 0x6f, 0x06, 0x13);  /* lock btsw $19,6(%rdi): bit 3 */
HOST_INSN(h_btrq_reg, 0xf0, 0x48, 0x0f, 0xb3, 0x07);            /* lock btr %rax,(%rdi) */
HOST_INSN(h_btsl_reg, 0xf0, 0x0f, 0xab, 0x0f);                  /* lock bts %ecx,(%rdi) */
HOST_INSN(h_btcw_reg, 0xf0, 0x66, 0x0f, 0xbb, 0x17);            /* lock btc %dx,(%rdi) */
HOST_INSN(h_btrq_reg_neg, 0xf0, 0x48, 0x0f, 0xb3, 0x47, 0x08);  /* lock btr %rax,8(%rdi) */
HOST_INSN(h_btsl_reg_neg, 0xf0, 0x0f, 0xab, 0x4f, 0x08);        /* lock bts %ecx,8(%rdi) */
HOST_INSN(h_btcq_reg_r15, 0xf0, 0x4d, 0x0f, 0xbb, 0x3c, 0x24);  /* lock btc %r15,(%r12) */

/* Bit offsets for register forms, chosen to land in the entry at the operand's address. */
static const uint64_t bt_off_q[] = { 0, 1, 5, 31, 32, 62, 63 };
static const uint64_t bt_off_l[] = { 0, 7, 31, 32, 45, 63 };
static const uint64_t bt_off_w[] = { 0, 15, 16, 33, 47, 63, 0xffff0005ULL };   /* only the low word counts */
static const uint64_t bt_off_neg_q[] = { -1ULL, -2ULL, -33ULL, -64ULL };
static const uint64_t bt_off_neg_l[] = { 0xffffffffULL, 0xffffffe0ULL, 0xffffffc0ULL, 0x12345678ffffffc1ULL };

struct host_case {
    const char *name;
    const uint8_t *bytes;
    unsigned int len;
    void (*exec)(struct hstate *);
    unsigned int ptr_reg;           /* holds &entry - bias */
    uint64_t bias;
    unsigned int fixed_reg;         /* X86_REG_NONE, or set to fixed_val */
    uint64_t fixed_val;
    unsigned int off_reg;           /* register bit offset taken from offs[] */
    const uint64_t *offs;
    unsigned int nr_offs;
    uint64_t undefined;             /* flags the architecture leaves undefined */
};

#define LOGIC_UNDEF     X86_FLAG_AF
/* ZF: "unaffected" for Intel, undefined for AMD; we leave it alone and do not compare it. */
#define BT_UNDEF        (X86_FLAG_OF | X86_FLAG_SF | X86_FLAG_ZF | X86_FLAG_AF | X86_FLAG_PF)
#define NONE            X86_REG_NONE
#define HC(n, ptr, bias, undef) \
    { #n, n##_bytes, sizeof(n##_bytes), n##_exec, ptr, bias, NONE, 0, NONE, NULL, 0, undef }
#define HCF(n, ptr, bias, freg, fval) \
    { #n, n##_bytes, sizeof(n##_bytes), n##_exec, ptr, bias, freg, fval, NONE, NULL, 0, 0 }
#define HCB(n, ptr, oreg, offs) \
    { #n, n##_bytes, sizeof(n##_bytes), n##_exec, ptr, 0, NONE, 0, oreg, offs, ARRAY_SIZE(offs), BT_UNDEF }

static const struct host_case host_cases[] = {
    HC(h_mov_q, X86_REG_RDI, 0, 0),
    HC(h_mov_l_hi, X86_REG_RDI, 0, 0),
    HC(h_mov_b_ah, X86_REG_RDI, 0, 0),
    HC(h_mov_b_sil, X86_REG_RDI, 0, 0),
    HC(h_mov_w, X86_REG_RDI, 0, 0),
    HCF(h_mov_q_r9_sib, X86_REG_RBX, 0x10 + 8 * 3, 12, 3),
    HC(h_mov_q_imm, X86_REG_RDI, 0, 0),
    HC(h_mov_l_imm, X86_REG_RDI, 0, 0),
    HC(h_xchg_q, X86_REG_RDI, 0, 0),
    HC(h_xchg_l, X86_REG_RDI, 0, 0),
    HC(h_xchg_b_bh, X86_REG_RDI, 0, 0),
    HC(h_xchg_q_r13, 14, 0, 0),
    HC(h_cmpxchg_q, X86_REG_RDI, 0, 0),
    HC(h_cmpxchg_l, X86_REG_RDI, 0, 0),
    HC(h_cmpxchg_b, X86_REG_RDI, 0, 0),
    HC(h_cmpxchg_w, X86_REG_RDI, 0, 0),
    HC(h_or_q, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_and_q, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_xor_q, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_add_q, X86_REG_RDI, 0, 0),
    HC(h_sub_q, X86_REG_RDI, 0, 0),
    HC(h_add_l, X86_REG_RDI, 0, 0),
    HC(h_sub_w, X86_REG_RDI, 0, 0),
    HC(h_add_b, X86_REG_RDI, 0, 0),
    HC(h_sub_b_dh, X86_REG_RDI, 0, 0),
    HC(h_xor_l, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_andb_imm, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_orb_imm, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_andq_imm8, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_orq_imm8, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_xorq_imm32, X86_REG_RDI, 0, LOGIC_UNDEF),
    HC(h_addl_imm8, X86_REG_RDI, 0, 0),
    HC(h_subq_imm8, X86_REG_RDI, 0, 0),
    HC(h_addq_imm32, X86_REG_RDI, 0, 0),
    HC(h_subw_imm16, X86_REG_RDI, 0, 0),
    HC(h_addb_imm, X86_REG_RDI, 0, 0),
    HC(h_btrq_imm, X86_REG_RDI, 0, BT_UNDEF),
    HC(h_btsq_imm, X86_REG_RDI, 0, BT_UNDEF),
    HC(h_btcq_imm, X86_REG_RDI, 0, BT_UNDEF),
    HC(h_btrl_imm, X86_REG_RDI, 0, BT_UNDEF),
    HC(h_btsw_imm, X86_REG_RDI, 0, BT_UNDEF),
    HCB(h_btrq_reg, X86_REG_RDI, X86_REG_RAX, bt_off_q),
    HCB(h_btsl_reg, X86_REG_RDI, X86_REG_RCX, bt_off_l),
    HCB(h_btcw_reg, X86_REG_RDI, X86_REG_RDX, bt_off_w),
    HCB(h_btrq_reg_neg, X86_REG_RDI, X86_REG_RAX, bt_off_neg_q),
    HCB(h_btsl_reg_neg, X86_REG_RDI, X86_REG_RCX, bt_off_neg_l),
    HCB(h_btcq_reg_r15, 12, 15, bt_off_q),
};

/* The host's memory: the entry is mem[1]; mem[0] and mem[2] are guards the instructions must not touch. */
static uint64_t host_mem[3];

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rng(void)
{
    /* xorshift64*: reproducible values with all bit patterns. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Biased towards carries, sign changes, zero results and equal values. */
static uint64_t rng_value(void)
{
    uint64_t v = rng();

    switch ( v & 7 )
    {
    case 0: return interesting[(v >> 8) % ARRAY_SIZE(interesting)];
    case 1: return v >> ((v >> 8) & 63);
    case 2: return ~(v >> ((v >> 8) & 63));
    default: return rng();
    }
}

static void run_host_case(const struct host_case *hc, unsigned int iter)
{
    const uint64_t guard = 0xdeadbeefdeadbeefULL;
    uint64_t entry = rng_value(), ea, addr, flags_in;
    struct cpu_user_regs regs;
    struct hstate hs;
    struct x86_insn insn;
    struct x86_write wr;
    unsigned int k, width;
    int rc;

    decode_ok(hc->bytes, hc->len, &insn);

    /* Same registers and flags for both. */
    init_regs(&regs, 0);
    for ( k = 0; k < 16; k++ )
        *x86_reg_ptr(&regs, k) = rng_value();
    regs.rsp = 0;                                   /* never loaded on the host */
    *x86_reg_ptr(&regs, hc->ptr_reg) = (uint64_t)&host_mem[1] - hc->bias;
    if ( hc->fixed_reg != NONE )
        *x86_reg_ptr(&regs, hc->fixed_reg) = hc->fixed_val;
    if ( hc->off_reg != NONE )
        *x86_reg_ptr(&regs, hc->off_reg) = hc->offs[iter % hc->nr_offs];
    flags_in = RFLAGS_MBS | RFLAGS_IF | (rng() & X86_ARITH_FLAGS);
    regs.rflags = flags_in;

    ea = x86_effective_address(&insn, &regs, 0, 0);
    rc = x86_pte_write_target(&insn, &regs, ea, &addr, &width);
    if ( rc )
        fail_msg("%s: target rc %d", hc->name, rc);
    assert_int_equal(addr & ~7ULL, (uint64_t)&host_mem[1]);
    assert_int_equal(width, insn.opsize);

    /* cmpxchg: make the accumulator match the entry every other time (upper register bits differ). */
    if ( insn.op == X86_OP_CMPXCHG && (iter & 1) )
    {
        uint64_t m = mask_of(width), old = (entry >> (8 * (addr & 7))) & m;

        regs.rax = (regs.rax & ~m) | old;
    }

    for ( k = 0; k < 16; k++ )
        hs.gpr[k] = *x86_reg_ptr(&regs, k);
    hs.rflags = flags_in;

    rc = x86_emulate_pte_write(&insn, &regs, entry, addr & 7, &wr);
    if ( rc )
        fail_msg("%s: emulate rc %d", hc->name, rc);
    x86_pte_write_commit(&insn, &wr, &regs);

    host_mem[0] = host_mem[2] = guard;
    host_mem[1] = entry;
    hc->exec(&hs);
    assert_int_equal(host_mem[0], guard);
    assert_int_equal(host_mem[2], guard);

    if ( host_mem[1] != (wr.write ? wr.new_pte : entry) )
        fail_msg("%s: entry %#llx: host stored %#llx, emulated %#llx (write %d)", hc->name,
                 (unsigned long long)entry, (unsigned long long)host_mem[1],
                 (unsigned long long)wr.new_pte, wr.write);
    if ( !wr.write && host_mem[1] != entry )
        fail_msg("%s: no write reported but the entry changed", hc->name);
    for ( k = 0; k < 16; k++ )
    {
        if ( k == X86_REG_RSP )
            continue;
        if ( hs.gpr[k] != *x86_reg_ptr(&regs, k) )
            fail_msg("%s: entry %#llx: reg %u host %#llx, emulated %#llx", hc->name,
                     (unsigned long long)entry, k, (unsigned long long)hs.gpr[k],
                     (unsigned long long)*x86_reg_ptr(&regs, k));
    }
    if ( (hs.rflags & ~hc->undefined) != (regs.rflags & ~hc->undefined) )
        fail_msg("%s: entry %#llx flags in %#llx: host %#llx, emulated %#llx", hc->name,
                 (unsigned long long)entry, (unsigned long long)flags_in, (unsigned long long)hs.rflags,
                 (unsigned long long)regs.rflags);
}

static void test_host_cpu_agrees_with_the_emulation(void **state)
{
    unsigned int i, iter;

    (void)state;
    for ( i = 0; i < ARRAY_SIZE(host_cases); i++ )
        for ( iter = 0; iter < 2000; iter++ )
            run_host_case(&host_cases[i], iter);
}

/* ---- specific behaviour --------------------------------------------------------------------------- */

static void emulate_bytes(const uint8_t *b, unsigned int n, struct cpu_user_regs *regs, uint64_t pte,
                          struct x86_insn *insn, struct x86_write *wr)
{
    uint64_t ea, addr;
    unsigned int width;

    decode_ok(b, n, insn);
    ea = x86_effective_address(insn, regs, 0, 0);
    assert_int_equal(x86_pte_write_target(insn, regs, ea, &addr, &width), 0);
    assert_int_equal(x86_emulate_pte_write(insn, regs, pte, addr & 7, wr), 0);
}

/* Linux's ptep_set_wrprotect (clear_bit(_PAGE_BIT_RW)): lock andb $0xfd on the low byte. */
static void test_linux_wrprotect_clears_rw_with_a_byte_write(void **state)
{
    static const uint8_t b[] = { 0xf0, 0x80, 0x27, 0xfd };
    struct cpu_user_regs regs;
    struct x86_insn insn;
    struct x86_write wr;

    (void)state;
    init_regs(&regs, 1);
    regs.rdi = 0xffff888001234008ULL;
    emulate_bytes(b, sizeof(b), &regs, 0x8000000123456067ULL, &insn, &wr);
    assert_true(wr.write);
    assert_int_equal(wr.offset, 0);
    assert_int_equal(wr.width, 1);
    assert_int_equal(wr.value, 0x65);
    assert_int_equal(wr.new_pte, 0x8000000123456065ULL);
    assert_false(wr.reg_write);
}

/* Linux's ptep_test_and_clear_young: lock btrq $5; CF is the old Accessed bit. */
static void test_linux_test_and_clear_young_reports_old_bit_in_cf(void **state)
{
    static const uint8_t b[] = { 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05 };
    struct cpu_user_regs regs;
    struct x86_insn insn;
    struct x86_write wr;

    (void)state;
    init_regs(&regs, 2);
    regs.rflags = RFLAGS_MBS | RFLAGS_IF | X86_FLAG_ZF;
    emulate_bytes(b, sizeof(b), &regs, 0x0000000123456067ULL, &insn, &wr);
    assert_int_equal(wr.new_pte, 0x0000000123456047ULL);
    assert_int_equal(wr.rflags, RFLAGS_MBS | RFLAGS_IF | X86_FLAG_ZF | X86_FLAG_CF);   /* ZF untouched */
    emulate_bytes(b, sizeof(b), &regs, 0x0000000123456047ULL, &insn, &wr);
    assert_true(wr.write);
    assert_int_equal(wr.new_pte, 0x0000000123456047ULL);
    assert_int_equal(wr.rflags, RFLAGS_MBS | RFLAGS_IF | X86_FLAG_ZF);
}

/* Linux's ptep_get_and_clear: xchg with a zero register; the register gets the old entry. */
static void test_linux_get_and_clear_xchg_returns_old_entry(void **state)
{
    static const uint8_t b[] = { 0x48, 0x87, 0x07 };
    struct cpu_user_regs regs;
    struct x86_insn insn;
    struct x86_write wr;

    (void)state;
    init_regs(&regs, 3);
    regs.rax = 0;
    emulate_bytes(b, sizeof(b), &regs, 0x8000000123456067ULL, &insn, &wr);
    assert_int_equal(wr.new_pte, 0);
    assert_true(wr.reg_write);
    x86_pte_write_commit(&insn, &wr, &regs);
    assert_int_equal(regs.rax, 0x8000000123456067ULL);
    assert_int_equal(regs.rip, 0xffffffff81234560ULL);
}

/* A 4-byte store to the upper half of an entry: offset 4, merged into the full entry. */
static void test_half_entry_store_is_merged(void **state)
{
    static const uint8_t b[] = { 0x89, 0x47, 0x04 };   /* mov %eax,4(%rdi) */
    struct cpu_user_regs regs;
    struct x86_insn insn;
    struct x86_write wr;

    (void)state;
    init_regs(&regs, 4);
    regs.rdi = 0x1000;
    regs.rax = 0xffffffff80000001ULL;
    emulate_bytes(b, sizeof(b), &regs, 0x1122334455667788ULL, &insn, &wr);
    assert_int_equal(wr.offset, 4);
    assert_int_equal(wr.width, 4);
    assert_int_equal(wr.value, 0x80000001ULL);
    assert_int_equal(wr.new_pte, 0x8000000155667788ULL);
}

/* cmpxchg mismatch: no store, ZF clear, the accumulator loads the entry (32 bits: RAX zero-extended). */
static void test_cmpxchg_mismatch_loads_accumulator_without_store(void **state)
{
    static const uint8_t b[] = { 0xf0, 0x0f, 0xb1, 0x0f };   /* lock cmpxchg %ecx,(%rdi) */
    struct cpu_user_regs regs;
    struct x86_insn insn;
    struct x86_write wr;

    (void)state;
    init_regs(&regs, 5);
    regs.rdi = 0x2000;
    regs.rax = 0xaaaaaaaa00000001ULL;
    emulate_bytes(b, sizeof(b), &regs, 0x5555555500000002ULL, &insn, &wr);
    assert_false(wr.write);
    assert_int_equal(wr.new_pte, 0x5555555500000002ULL);
    assert_false(wr.rflags & X86_FLAG_ZF);
    assert_true(wr.rflags & X86_FLAG_CF);               /* 1 - 2 borrows */
    x86_pte_write_commit(&insn, &wr, &regs);
    assert_int_equal(regs.rax, 0x0000000000000002ULL);

    /* Match: store, ZF set, RAX untouched (no zero-extension either). */
    regs.rax = 0xaaaaaaaa00000002ULL;
    regs.rcx = 0xbbbbbbbb12345678ULL;
    emulate_bytes(b, sizeof(b), &regs, 0x5555555500000002ULL, &insn, &wr);
    assert_true(wr.write);
    assert_int_equal(wr.new_pte, 0x5555555512345678ULL);
    assert_true(wr.rflags & X86_FLAG_ZF);
    assert_false(wr.reg_write);
    x86_pte_write_commit(&insn, &wr, &regs);
    assert_int_equal(regs.rax, 0xaaaaaaaa00000002ULL);
}

/* A register bit offset addresses memory beyond the operand; only offsets inside the entry are taken. */
static void test_bit_offset_register_must_stay_inside_the_entry(void **state)
{
    static const uint8_t btr_q[] = { 0xf0, 0x48, 0x0f, 0xb3, 0x07 };  /* lock btr %rax,(%rdi) */
    static const uint8_t bts_l[] = { 0xf0, 0x0f, 0xab, 0x07 };        /* lock bts %eax,(%rdi) */
    static const uint8_t btc_w[] = { 0xf0, 0x66, 0x0f, 0xbb, 0x07 };  /* lock btc %ax,(%rdi) */
    static const uint8_t btr_q67[] = { 0x67, 0xf0, 0x48, 0x0f, 0xb3, 0x07 };
    struct cpu_user_regs regs;
    struct x86_insn insn;
    uint64_t addr;
    unsigned int width;

    (void)state;
    init_regs(&regs, 6);
    regs.rdi = 0x10000;

    decode_ok(btr_q, sizeof(btr_q), &insn);
    regs.rax = 63;
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), 0);
    assert_int_equal(addr, 0x10000);
    regs.rax = 64;                          /* the next qword */
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), 0);
    assert_int_equal(addr, 0x10008);        /* another entry: the caller compares with the faulting one */
    regs.rax = -1ULL;                       /* the previous qword */
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), 0);
    assert_int_equal(addr, 0x10000 - 8);
    regs.rax = 1ULL << 40;
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), 0);
    assert_int_equal(addr, 0x10000 + (1ULL << 37));

    /* Dword units: the second dword of the entry is still inside; a misaligned base may cross. */
    decode_ok(bts_l, sizeof(bts_l), &insn);
    regs.rax = 0xffffffff00000020ULL;       /* only eax counts: +32 bits */
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), 0);
    assert_int_equal(addr, 0x10004);
    assert_int_equal(width, 4);
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10002, &addr, &width), -EOPNOTSUPP);
    regs.rax = 0xffffffe0;                  /* -32 */
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10004, &addr, &width), 0);
    assert_int_equal(addr, 0x10000);

    decode_ok(btc_w, sizeof(btc_w), &insn);
    regs.rax = 0x12340030;                  /* only ax: 48 -> third word */
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), 0);
    assert_int_equal(addr, 0x10006);
    regs.rax = 0xfff0;                      /* -16 -> previous word */
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), 0);
    assert_int_equal(addr, 0x10000 - 2);

    /* With 67h an offset that moves the operand is refused (the 32-bit wrap is not modelled). */
    decode_ok(btr_q67, sizeof(btr_q67), &insn);
    regs.rax = 5;
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), 0);
    regs.rax = 64;
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x10000, &addr, &width), -EOPNOTSUPP);
}

/* An immediate bit offset wraps modulo the operand width and never moves the operand. */
static void test_bit_offset_immediate_wraps_within_the_operand(void **state)
{
    static const uint8_t btsl[] = { 0xf0, 0x0f, 0xba, 0x2f, 0x41 };  /* lock btsl $0x41,(%rdi): bit 1 */
    struct cpu_user_regs regs;
    struct x86_insn insn;
    struct x86_write wr;

    (void)state;
    init_regs(&regs, 7);
    regs.rdi = 0x3000;
    emulate_bytes(btsl, sizeof(btsl), &regs, 0, &insn, &wr);
    assert_int_equal(wr.new_pte, 2);
    assert_int_equal(wr.width, 4);
}

static void test_misplaced_or_crossing_operands_are_refused(void **state)
{
    static const uint8_t mov_q[] = { 0x48, 0x89, 0x07 };
    static const uint8_t mov_l[] = { 0x89, 0x07 };
    struct cpu_user_regs regs;
    struct x86_insn insn;
    struct x86_write wr;
    uint64_t addr;
    unsigned int width;

    (void)state;
    init_regs(&regs, 8);
    decode_ok(mov_q, sizeof(mov_q), &insn);
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x1004, &addr, &width), -EOPNOTSUPP);
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x1001, &addr, &width), -EOPNOTSUPP);
    assert_int_equal(x86_emulate_pte_write(&insn, &regs, 0, 1, &wr), -EOPNOTSUPP);
    assert_int_equal(x86_emulate_pte_write(&insn, &regs, 0, 8, &wr), -EOPNOTSUPP);
    decode_ok(mov_l, sizeof(mov_l), &insn);
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x1004, &addr, &width), 0);
    assert_int_equal(x86_pte_write_target(&insn, &regs, 0x1005, &addr, &width), -EOPNOTSUPP);
    assert_int_equal(x86_emulate_pte_write(&insn, &regs, 0, 5, &wr), -EOPNOTSUPP);
    assert_int_equal(x86_emulate_pte_write(&insn, &regs, 0, 4, &wr), 0);
    assert_int_equal(x86_emulate_pte_write(&insn, &regs, 0, 1000, &wr), -EOPNOTSUPP);
}

static void test_unsupported_instructions_are_refused(void **state)
{
    static const char *const refused[] = {
        "f0 0f c7 0f",          /* lock cmpxchg8b (%rdi) */
        "f0 48 0f c7 0f",       /* lock cmpxchg16b (%rdi) */
        "48 01 c8",             /* add %rcx,%rax: no memory operand */
        "48 89 c8",             /* mov %rcx,%rax */
        "0f 01 3f",             /* invlpg (%rdi) */
        "0f 01 27",             /* smsw (%rdi) */
        "6c",                   /* insb */
        "0f 30",                /* wrmsr */
        "0f 0b 78 65 6e 0f a2", /* forced cpuid */
    };
    struct cpu_user_regs regs;
    unsigned int i;

    (void)state;
    init_regs(&regs, 9);
    for ( i = 0; i < ARRAY_SIZE(refused); i++ )
    {
        uint8_t b[16];
        unsigned int n = 0;
        const char *s = refused[i];
        struct x86_insn insn;
        struct x86_write wr;
        uint64_t addr;
        unsigned int width;

        while ( *s )
        {
            char *end;

            b[n++] = (uint8_t)strtoul(s, &end, 16);
            s = end;
        }
        decode_ok(b, n, &insn);
        assert_int_equal(x86_pte_write_target(&insn, &regs, 0x1000, &addr, &width), -EOPNOTSUPP);
        assert_int_equal(x86_emulate_pte_write(&insn, &regs, 0, 0, &wr), -EOPNOTSUPP);
    }
}

/* Flags outside the arithmetic six (IF, DF, TF, ...) pass through unchanged. */
static void test_non_arithmetic_flags_are_preserved(void **state)
{
    static const uint8_t sub_q[] = { 0xf0, 0x48, 0x29, 0x07 };   /* lock sub %rax,(%rdi) */
    const uint64_t other = RFLAGS_MBS | RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | (3ULL << 12) | (1ULL << 21);
    struct cpu_user_regs regs;
    struct x86_insn insn;
    struct x86_write wr;

    (void)state;
    init_regs(&regs, 10);
    regs.rflags = other;
    regs.rax = 1;
    emulate_bytes(sub_q, sizeof(sub_q), &regs, 0, &insn, &wr);
    assert_int_equal(wr.new_pte, ~0ULL);
    assert_int_equal(wr.rflags, other | X86_FLAG_CF | X86_FLAG_SF | X86_FLAG_PF | X86_FLAG_AF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_operation_matches_the_reference_model),
        cmocka_unit_test(test_host_cpu_agrees_with_the_emulation),
        cmocka_unit_test(test_linux_wrprotect_clears_rw_with_a_byte_write),
        cmocka_unit_test(test_linux_test_and_clear_young_reports_old_bit_in_cf),
        cmocka_unit_test(test_linux_get_and_clear_xchg_returns_old_entry),
        cmocka_unit_test(test_half_entry_store_is_merged),
        cmocka_unit_test(test_cmpxchg_mismatch_loads_accumulator_without_store),
        cmocka_unit_test(test_bit_offset_register_must_stay_inside_the_entry),
        cmocka_unit_test(test_bit_offset_immediate_wraps_within_the_operand),
        cmocka_unit_test(test_misplaced_or_crossing_operands_are_refused),
        cmocka_unit_test(test_unsupported_instructions_are_refused),
        cmocka_unit_test(test_non_arithmetic_flags_are_preserved),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
