/*
 * x86_decode.c - a small x86-64 decoder for exactly the instructions a PV guest makes the hypervisor
 * emulate: privileged instructions, writes to read-only page tables, the forced-emulation CPUID prefix.
 *
 * Design: one pass over at most X86_MAX_INSN_LEN bytes, every byte fetched through fetch(), which
 * refuses byte 15 (-EINVAL: too long) and anything at or past `avail` (-ENODATA).  Legacy prefixes and
 * REX come first (a REX followed by a legacy prefix is ignored, as the CPU does; of several segment
 * prefixes the last counts), then the opcode, which selects a small descriptor (operand-size class,
 * ModRM, immediate); ModRM/SIB/displacement give the register or memory operand; group opcodes are
 * resolved by ModRM.reg.  Only then is the whole checked against what the CPU accepts: lock only on a
 * lockable read-modify-write of memory, rep (f3) only on INS/OUTS, f2 never (so no HLE hints either),
 * 66 only on instructions with a data operand (where it is ignored on byte ones, as by the CPU).
 * Anything else is -EINVAL: the caller treats it as an instruction it does not emulate.  Prefixes the
 * CPU would silently ignore on the privileged instructions (66 or f3 on cpuid, say) are refused too;
 * Linux never emits them.  Segment and 67h prefixes are accepted everywhere (no effect without a
 * memory operand).
 *
 * MOV to/from CR/DR ignore ModRM.mod (always a register operand) and are 64-bit.  Valid CRs: 0, 2, 3,
 * 4, 8; valid DRs: 0-7 (DR4/5 are left to the emulator, which knows CR4.DE).
 *
 * Locking: none; pure functions of their arguments.
 */
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/x86_decode.h>

#define REX_B   0x01
#define REX_X   0x02
#define REX_R   0x04
#define REX_W   0x08

struct dec {
    const uint8_t *bytes;
    unsigned int avail;
    unsigned int pos;
};

static int fetch(struct dec *d, uint8_t *b)
{
    if ( d->pos >= X86_MAX_INSN_LEN )
        return -EINVAL;
    if ( d->pos >= d->avail )
        return -ENODATA;
    *b = d->bytes[d->pos++];
    return 0;
}

/* n (1, 2 or 4) little-endian bytes, sign-extended to 64 bits when `sign`. */
static int fetch_imm(struct dec *d, unsigned int n, bool sign, uint64_t *v)
{
    uint64_t val = 0;
    unsigned int i;
    uint8_t b;
    int rc;

    for ( i = 0; i < n; i++ )
    {
        rc = fetch(d, &b);
        if ( rc )
            return rc;
        val |= (uint64_t)b << (8 * i);
    }
    if ( sign && n < 8 && (val & (1ULL << (8 * n - 1))) )
        val |= ~0ULL << (8 * n);
    *v = val;
    return 0;
}

/* Operand-size classes of the opcode descriptor. */
enum osz {
    OSZ_NONE,       /* no operand */
    OSZ_BYTE,       /* 1 */
    OSZ_V,          /* 2 (66), 4, 8 (REX.W) */
    OSZ_IO,         /* 2 (66) or 4; REX.W ignored */
    OSZ_64,         /* always 8 (MOV CR/DR) */
};

enum imm {
    IMM_NONE,
    IMM_8S,         /* imm8, sign-extended */
    IMM_8U,         /* imm8, zero-extended (port, bit offset) */
    IMM_Z,          /* imm16 with 66, else imm32; sign-extended */
};

/* Pseudo ops for opcodes whose ModRM.reg picks the instruction. */
enum grp {
    GRP_NONE,
    GRP_1,          /* 80, 81, 83 */
    GRP_11,         /* c6, c7 */
    GRP_7,          /* 0f 01 */
    GRP_8,          /* 0f ba */
    GRP_9,          /* 0f c7 */
};

struct desc {
    enum x86_op op;
    enum grp grp;
    enum osz osz;
    enum imm imm;
    bool modrm;
    bool reg_only;  /* ModRM.mod ignored: the r/m operand is always a register (MOV CR/DR) */
};

/* One-byte opcodes we decode; false for anything else. */
static bool desc_onebyte(uint8_t b, struct desc *ds)
{
    enum osz sz = (b & 1) ? OSZ_V : OSZ_BYTE;

    *ds = (struct desc){ .op = X86_OP_UNKNOWN };
    switch ( b )
    {
    case 0x00: case 0x01:
        *ds = (struct desc){ .op = X86_OP_ADD, .osz = sz, .modrm = true };
        return true;
    case 0x08: case 0x09:
        *ds = (struct desc){ .op = X86_OP_OR, .osz = sz, .modrm = true };
        return true;
    case 0x20: case 0x21:
        *ds = (struct desc){ .op = X86_OP_AND, .osz = sz, .modrm = true };
        return true;
    case 0x28: case 0x29:
        *ds = (struct desc){ .op = X86_OP_SUB, .osz = sz, .modrm = true };
        return true;
    case 0x30: case 0x31:
        *ds = (struct desc){ .op = X86_OP_XOR, .osz = sz, .modrm = true };
        return true;
    case 0x86: case 0x87:
        *ds = (struct desc){ .op = X86_OP_XCHG, .osz = sz, .modrm = true };
        return true;
    case 0x88: case 0x89:
        *ds = (struct desc){ .op = X86_OP_MOV_STORE, .osz = sz, .modrm = true };
        return true;
    case 0x80:
        *ds = (struct desc){ .grp = GRP_1, .osz = OSZ_BYTE, .imm = IMM_8S, .modrm = true };
        return true;
    case 0x81:
        *ds = (struct desc){ .grp = GRP_1, .osz = OSZ_V, .imm = IMM_Z, .modrm = true };
        return true;
    case 0x83:
        *ds = (struct desc){ .grp = GRP_1, .osz = OSZ_V, .imm = IMM_8S, .modrm = true };
        return true;
    case 0xc6:
        *ds = (struct desc){ .grp = GRP_11, .osz = OSZ_BYTE, .imm = IMM_8S, .modrm = true };
        return true;
    case 0xc7:
        *ds = (struct desc){ .grp = GRP_11, .osz = OSZ_V, .imm = IMM_Z, .modrm = true };
        return true;
    case 0x6c: case 0x6d:
        *ds = (struct desc){ .op = X86_OP_INS, .osz = (b & 1) ? OSZ_IO : OSZ_BYTE };
        return true;
    case 0x6e: case 0x6f:
        *ds = (struct desc){ .op = X86_OP_OUTS, .osz = (b & 1) ? OSZ_IO : OSZ_BYTE };
        return true;
    case 0xe4: case 0xe5:
        *ds = (struct desc){ .op = X86_OP_IN, .osz = (b & 1) ? OSZ_IO : OSZ_BYTE, .imm = IMM_8U };
        return true;
    case 0xe6: case 0xe7:
        *ds = (struct desc){ .op = X86_OP_OUT, .osz = (b & 1) ? OSZ_IO : OSZ_BYTE, .imm = IMM_8U };
        return true;
    case 0xec: case 0xed:
        *ds = (struct desc){ .op = X86_OP_IN, .osz = (b & 1) ? OSZ_IO : OSZ_BYTE };
        return true;
    case 0xee: case 0xef:
        *ds = (struct desc){ .op = X86_OP_OUT, .osz = (b & 1) ? OSZ_IO : OSZ_BYTE };
        return true;
    case 0xf4:
        ds->op = X86_OP_HLT;
        return true;
    case 0xfa:
        ds->op = X86_OP_CLI;
        return true;
    case 0xfb:
        ds->op = X86_OP_STI;
        return true;
    }
    return false;
}

/* Two-byte opcodes (after 0f) we decode, except 0f 0b (the forced-emulation prefix, handled apart). */
static bool desc_twobyte(uint8_t b, struct desc *ds)
{
    enum osz sz = (b & 1) ? OSZ_V : OSZ_BYTE;

    *ds = (struct desc){ .op = X86_OP_UNKNOWN };
    switch ( b )
    {
    case 0x01:
        *ds = (struct desc){ .grp = GRP_7, .modrm = true };
        return true;
    case 0x06:
        ds->op = X86_OP_CLTS;
        return true;
    case 0x08:
        ds->op = X86_OP_INVD;
        return true;
    case 0x09:
        ds->op = X86_OP_WBINVD;
        return true;
    case 0x20:
        *ds = (struct desc){ .op = X86_OP_MOV_FROM_CR, .osz = OSZ_64, .modrm = true, .reg_only = true };
        return true;
    case 0x21:
        *ds = (struct desc){ .op = X86_OP_MOV_FROM_DR, .osz = OSZ_64, .modrm = true, .reg_only = true };
        return true;
    case 0x22:
        *ds = (struct desc){ .op = X86_OP_MOV_TO_CR, .osz = OSZ_64, .modrm = true, .reg_only = true };
        return true;
    case 0x23:
        *ds = (struct desc){ .op = X86_OP_MOV_TO_DR, .osz = OSZ_64, .modrm = true, .reg_only = true };
        return true;
    case 0x30:
        ds->op = X86_OP_WRMSR;
        return true;
    case 0x31:
        ds->op = X86_OP_RDTSC;
        return true;
    case 0x32:
        ds->op = X86_OP_RDMSR;
        return true;
    case 0x33:
        ds->op = X86_OP_RDPMC;
        return true;
    case 0xa2:
        ds->op = X86_OP_CPUID;
        return true;
    case 0xab:
        *ds = (struct desc){ .op = X86_OP_BTS, .osz = OSZ_V, .modrm = true };
        return true;
    case 0xb3:
        *ds = (struct desc){ .op = X86_OP_BTR, .osz = OSZ_V, .modrm = true };
        return true;
    case 0xbb:
        *ds = (struct desc){ .op = X86_OP_BTC, .osz = OSZ_V, .modrm = true };
        return true;
    case 0xb0: case 0xb1:
        *ds = (struct desc){ .op = X86_OP_CMPXCHG, .osz = sz, .modrm = true };
        return true;
    case 0xba:
        *ds = (struct desc){ .grp = GRP_8, .osz = OSZ_V, .imm = IMM_8U, .modrm = true };
        return true;
    case 0xc7:
        *ds = (struct desc){ .grp = GRP_9, .modrm = true };
        return true;
    }
    return false;
}

/* ModRM, then SIB and displacement for a memory operand. */
static int decode_modrm(struct dec *d, struct x86_insn *insn, bool reg_only)
{
    uint8_t modrm, sib, mod, rmf;
    unsigned int disp_len = 0;
    uint64_t disp = 0;
    int rc;

    rc = fetch(d, &modrm);
    if ( rc )
        return rc;
    insn->modrm = modrm;
    mod = modrm >> 6;
    rmf = modrm & 7;
    insn->reg = ((modrm >> 3) & 7) | ((insn->rex & REX_R) ? 8 : 0);

    if ( mod == 3 || reg_only )
    {
        insn->rm = rmf | ((insn->rex & REX_B) ? 8 : 0);
        return 0;
    }

    insn->has_mem = true;
    insn->mem.addr_size = insn->addr_size;
    insn->mem.scale = 1;
    if ( rmf == 4 )
    {
        uint8_t idx, base;

        rc = fetch(d, &sib);
        if ( rc )
            return rc;
        idx = ((sib >> 3) & 7) | ((insn->rex & REX_X) ? 8 : 0);
        base = sib & 7;
        if ( idx != X86_REG_RSP )       /* 100b without REX.X: no index; r12 is a valid index */
        {
            insn->mem.index = idx;
            insn->mem.scale = 1 << (sib >> 6);
        }
        if ( base == 5 && mod == 0 )    /* rBP/r13 base with mod 00: no base, disp32 */
            disp_len = 4;
        else
            insn->mem.base = base | ((insn->rex & REX_B) ? 8 : 0);
    }
    else if ( rmf == 5 && mod == 0 )    /* rBP/r13 with mod 00: RIP-relative disp32 */
    {
        insn->mem.rip_relative = true;
        disp_len = 4;
    }
    else
        insn->mem.base = rmf | ((insn->rex & REX_B) ? 8 : 0);

    if ( mod == 1 )
        disp_len = 1;
    else if ( mod == 2 )
        disp_len = 4;
    if ( disp_len )
    {
        rc = fetch_imm(d, disp_len, true, &disp);
        if ( rc )
            return rc;
    }
    insn->mem.disp = (int64_t)disp;

    if ( insn->seg_override != X86_SEG_NONE )
        insn->mem.seg = insn->seg_override;
    else if ( insn->mem.base == X86_REG_RSP || insn->mem.base == X86_REG_RBP )
        insn->mem.seg = X86_SEG_SS;
    else
        insn->mem.seg = X86_SEG_DS;
    return 0;
}

/* The op of a group opcode, from ModRM (reg field raw, without REX.R); X86_OP_UNKNOWN if undefined. */
static enum x86_op group_op(enum grp grp, struct x86_insn *insn)
{
    unsigned int regf = (insn->modrm >> 3) & 7, rmf = insn->modrm & 7;
    bool reg = !insn->has_mem;

    switch ( grp )
    {
    case GRP_1:
        switch ( regf )
        {
        case 0: return X86_OP_ADD;
        case 1: return X86_OP_OR;
        case 4: return X86_OP_AND;
        case 5: return X86_OP_SUB;
        case 6: return X86_OP_XOR;
        }
        break;      /* adc, sbb, cmp */
    case GRP_11:
        if ( regf == 0 )
            return X86_OP_MOV_STORE;
        break;
    case GRP_8:
        switch ( regf )
        {
        case 5: return X86_OP_BTS;
        case 6: return X86_OP_BTR;
        case 7: return X86_OP_BTC;
        }
        break;      /* bt (no write), undefined */
    case GRP_9:
        if ( regf == 1 && !reg )
            return (insn->rex & REX_W) ? X86_OP_CMPXCHG16B : X86_OP_CMPXCHG8B;
        break;
    case GRP_7:
        if ( !reg )
        {
            switch ( regf )
            {
            case 4: return X86_OP_SMSW;
            case 6: return X86_OP_LMSW;
            case 7: return X86_OP_INVLPG;
            }
            break;  /* sgdt, sidt, lgdt, lidt */
        }
        if ( regf == 4 )
            return X86_OP_SMSW;
        if ( regf == 6 )
            return X86_OP_LMSW;
        if ( regf == 2 && rmf == 1 )
            return X86_OP_XSETBV;
        if ( regf == 7 && rmf == 0 )
            return X86_OP_SWAPGS;
        if ( regf == 7 && rmf == 1 )
            return X86_OP_RDTSCP;
        break;
    case GRP_NONE:
        break;
    }
    return X86_OP_UNKNOWN;
}

static bool lockable(enum x86_op op)
{
    switch ( op )
    {
    case X86_OP_XCHG: case X86_OP_CMPXCHG: case X86_OP_CMPXCHG8B: case X86_OP_CMPXCHG16B:
    case X86_OP_OR: case X86_OP_AND: case X86_OP_XOR: case X86_OP_ADD: case X86_OP_SUB:
    case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
        return true;
    default:
        return false;
    }
}

/* The forced-emulation prefix after its leading 0f 0b: "xen", then cpuid. */
static int decode_forced_cpuid(struct dec *d, struct x86_insn *insn)
{
    static const uint8_t sig[] = { 0x78, 0x65, 0x6e, 0x0f, 0xa2 };
    unsigned int i;
    uint8_t b;
    int rc;

    for ( i = 0; i < ARRAY_SIZE(sig); i++ )
    {
        rc = fetch(d, &b);
        if ( rc )
            return rc;
        if ( b != sig[i] )
            return -EINVAL;     /* a plain ud2 */
    }
    insn->op = X86_OP_FORCED_CPUID;
    insn->opcode = 0xa2;
    return 0;
}

static int decode(struct dec *d, struct x86_insn *insn)
{
    bool f2 = false, any_prefix = false;
    struct desc ds;
    uint64_t imm;
    uint8_t b;
    int rc;

    /* Legacy prefixes and REX. */
    for ( ;; )
    {
        rc = fetch(d, &b);
        if ( rc )
            return rc;
        if ( b >= 0x40 && b <= 0x4f )
        {
            insn->rex = b;          /* of two REX in a row the last one counts */
            any_prefix = true;
            continue;
        }
        switch ( b )
        {
        case 0x66: insn->opsize_prefix = true; break;
        case 0x67: insn->addr_size = 4; break;
        case 0xf0: insn->lock = true; break;
        case 0xf2: f2 = true; break;
        case 0xf3: insn->rep = true; break;
        case 0x26: insn->seg_override = X86_SEG_ES; break;
        case 0x2e: insn->seg_override = X86_SEG_CS; break;
        case 0x36: insn->seg_override = X86_SEG_SS; break;
        case 0x3e: insn->seg_override = X86_SEG_DS; break;
        case 0x64: insn->seg_override = X86_SEG_FS; break;
        case 0x65: insn->seg_override = X86_SEG_GS; break;
        default: goto opcode;
        }
        insn->rex = 0;              /* a REX not right before the opcode is ignored */
        any_prefix = true;
    }

 opcode:
    if ( b == 0x0f )
    {
        insn->twobyte = true;
        rc = fetch(d, &b);
        if ( rc )
            return rc;
        if ( b == 0x0b )
            return any_prefix ? -EINVAL : decode_forced_cpuid(d, insn);
        if ( !desc_twobyte(b, &ds) )
            return -EINVAL;
    }
    else if ( !desc_onebyte(b, &ds) )
        return -EINVAL;
    insn->opcode = b;
    insn->op = ds.op;

    if ( ds.modrm )
    {
        rc = decode_modrm(d, insn, ds.reg_only);
        if ( rc )
            return rc;
    }

    if ( ds.grp != GRP_NONE )
    {
        insn->op = group_op(ds.grp, insn);
        if ( insn->op == X86_OP_UNKNOWN )
            return -EINVAL;
        switch ( insn->op )
        {
        case X86_OP_SMSW:
            ds.osz = insn->has_mem ? OSZ_NONE : OSZ_V;
            insn->opsize = 2;       /* memory destination: always a word */
            break;
        case X86_OP_LMSW:
            insn->opsize = 2;
            break;
        case X86_OP_CMPXCHG8B:
            insn->opsize = 8;
            break;
        case X86_OP_CMPXCHG16B:
            insn->opsize = 16;
            break;
        case X86_OP_XSETBV: case X86_OP_SWAPGS: case X86_OP_RDTSCP: case X86_OP_INVLPG:
            insn->rm = X86_REG_NONE;
            break;
        default:
            break;
        }
    }

    switch ( ds.osz )
    {
    case OSZ_NONE:
        break;
    case OSZ_BYTE:
        insn->opsize = 1;
        break;
    case OSZ_V:
        insn->opsize = (insn->rex & REX_W) ? 8 : insn->opsize_prefix ? 2 : 4;
        break;
    case OSZ_IO:
        insn->opsize = insn->opsize_prefix ? 2 : 4;
        break;
    case OSZ_64:
        insn->opsize = 8;
        break;
    }

    switch ( ds.imm )
    {
    case IMM_NONE:
        break;
    case IMM_8S:
    case IMM_8U:
        rc = fetch_imm(d, 1, ds.imm == IMM_8S, &imm);
        if ( rc )
            return rc;
        insn->imm = imm;
        insn->has_imm = true;
        break;
    case IMM_Z:
        rc = fetch_imm(d, insn->opsize == 2 ? 2 : 4, true, &imm);
        if ( rc )
            return rc;
        insn->imm = imm;
        insn->has_imm = true;
        break;
    }

    /* String I/O: the implicit memory operand. */
    if ( insn->op == X86_OP_INS || insn->op == X86_OP_OUTS )
    {
        insn->has_mem = true;
        insn->mem.addr_size = insn->addr_size;
        insn->mem.scale = 1;
        if ( insn->op == X86_OP_INS )
        {
            insn->mem.base = X86_REG_RDI;
            insn->mem.seg = X86_SEG_ES;     /* not overridable */
        }
        else
        {
            insn->mem.base = X86_REG_RSI;
            insn->mem.seg = insn->seg_override != X86_SEG_NONE ? insn->seg_override : X86_SEG_DS;
        }
    }

    /* What the CPU (or we) accept. */
    if ( insn->lock && !(lockable(insn->op) && insn->has_mem) )
        return -EINVAL;
    if ( f2 )
        return -EINVAL;
    if ( insn->rep && insn->op != X86_OP_INS && insn->op != X86_OP_OUTS )
        return -EINVAL;
    if ( insn->opsize_prefix && ds.osz != OSZ_V && ds.osz != OSZ_IO && ds.osz != OSZ_BYTE )
        return -EINVAL;
    switch ( insn->op )
    {
    case X86_OP_MOV_TO_CR:
    case X86_OP_MOV_FROM_CR:
        if ( insn->reg != 0 && insn->reg != 2 && insn->reg != 3 && insn->reg != 4 && insn->reg != 8 )
            return -EINVAL;
        break;
    case X86_OP_MOV_TO_DR:
    case X86_OP_MOV_FROM_DR:
        if ( insn->reg > 7 )
            return -EINVAL;
        break;
    default:
        break;
    }
    return 0;
}

int x86_decode(const uint8_t *bytes, unsigned int avail, struct x86_insn *insn)
{
    struct dec d = { .bytes = bytes, .avail = min(avail, (unsigned int)X86_MAX_INSN_LEN), .pos = 0 };
    int rc;

    *insn = (struct x86_insn){
        .op = X86_OP_UNKNOWN,
        .addr_size = 8,
        .seg_override = X86_SEG_NONE,
        .rm = X86_REG_NONE,
        .mem = { .base = X86_REG_NONE, .index = X86_REG_NONE, .seg = X86_SEG_NONE },
    };
    rc = decode(&d, insn);
    if ( rc )
    {
        insn->op = X86_OP_UNKNOWN;
        return rc;
    }
    insn->length = d.pos;
    return 0;
}

uint64_t *x86_reg_ptr(struct cpu_user_regs *regs, unsigned int reg)
{
    switch ( reg )
    {
    case 0: return &regs->rax;
    case 1: return &regs->rcx;
    case 2: return &regs->rdx;
    case 3: return &regs->rbx;
    case 4: return &regs->rsp;
    case 5: return &regs->rbp;
    case 6: return &regs->rsi;
    case 7: return &regs->rdi;
    case 8: return &regs->r8;
    case 9: return &regs->r9;
    case 10: return &regs->r10;
    case 11: return &regs->r11;
    case 12: return &regs->r12;
    case 13: return &regs->r13;
    case 14: return &regs->r14;
    case 15: return &regs->r15;
    }
    BUG();
}

uint64_t x86_reg_read(const struct cpu_user_regs *regs, unsigned int reg, unsigned int size, bool rex)
{
    uint64_t v;

    if ( size == 1 && !rex && reg >= 4 && reg < 8 )     /* AH, CH, DH, BH */
        return (*x86_reg_ptr((struct cpu_user_regs *)regs, reg - 4) >> 8) & 0xff;
    v = *x86_reg_ptr((struct cpu_user_regs *)regs, reg);
    switch ( size )
    {
    case 1: return v & 0xff;
    case 2: return v & 0xffff;
    case 4: return v & 0xffffffffU;
    case 8: return v;
    }
    BUG();
}

void x86_reg_write(struct cpu_user_regs *regs, unsigned int reg, unsigned int size, bool rex, uint64_t val)
{
    uint64_t *r;

    if ( size == 1 && !rex && reg >= 4 && reg < 8 )
    {
        r = x86_reg_ptr(regs, reg - 4);
        *r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
        return;
    }
    r = x86_reg_ptr(regs, reg);
    switch ( size )
    {
    case 1: *r = (*r & ~0xffULL) | (val & 0xff); return;
    case 2: *r = (*r & ~0xffffULL) | (val & 0xffff); return;
    case 4: *r = val & 0xffffffffU; return;
    case 8: *r = val; return;
    }
    BUG();
}

uint64_t x86_effective_address(const struct x86_insn *insn, const struct cpu_user_regs *regs,
                               uint64_t fs_base, uint64_t gs_base)
{
    const struct x86_mem *m = &insn->mem;
    uint64_t ea;

    if ( !insn->has_mem )
        return 0;
    ea = (uint64_t)m->disp;
    if ( m->rip_relative )
        ea += regs->rip + insn->length;
    if ( m->base != X86_REG_NONE )
        ea += x86_reg_read(regs, m->base, 8, true);
    if ( m->index != X86_REG_NONE )
        ea += x86_reg_read(regs, m->index, 8, true) * m->scale;
    if ( m->addr_size == 4 )
        ea = (uint32_t)ea;
    if ( m->seg == X86_SEG_FS )
        ea += fs_base;
    else if ( m->seg == X86_SEG_GS )
        ea += gs_base;
    return ea;
}
