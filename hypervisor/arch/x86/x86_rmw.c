/*
 * x86_rmw.c - the arithmetic of a guest's write to a read-only page-table entry ("writable page
 * tables"): the value stored, and the register and RFLAGS effects, as the CPU would produce them.
 *
 * Design: the caller has decoded the instruction (x86_decode), found the bytes it accesses
 * (x86_pte_write_target) and read the 8-byte entry holding them.  x86_emulate_pte_write() computes
 * the new entry and the effects into a struct x86_write without touching the registers, so that the
 * caller can validate the entry, fail or retry its atomic update, and only then apply the
 * register and flag effects with x86_pte_write_commit() (advancing RIP is the caller's).  Flags
 * follow the CPU: add/sub/cmpxchg set all six arithmetic flags; and/or/xor set SF/ZF/PF, clear
 * CF/OF and clear AF (architecturally undefined; current CPUs clear it); bts/btr/btc set CF to the
 * old bit and leave the others (OF/SF/AF/PF are undefined, ZF unchanged).  A failing cmpxchg loads
 * the accumulator and reports no write (the CPU writes the old value back, which changes nothing).
 * Bit operations always report a write, even if the bit already had its new value.
 *
 * Locking: none; pure functions of their arguments.
 */
#include <parva/lib.h>
#include <asm/x86_decode.h>

static uint64_t size_mask(unsigned int size)
{
    return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static uint64_t sign_bit(unsigned int size)
{
    return 1ULL << (8 * size - 1);
}

/* Sign-extend the low `size` bytes of v. */
static int64_t sext(uint64_t v, unsigned int size)
{
    uint64_t m = sign_bit(size);

    v &= size_mask(size);
    return (int64_t)((v ^ m) - m);
}

/* SF, ZF and PF of a result (PF: even number of set bits in its low byte). */
static uint64_t szp_flags(uint64_t res, unsigned int size)
{
    uint64_t f = 0;
    uint8_t p = res & 0xff;

    res &= size_mask(size);
    if ( res == 0 )
        f |= X86_FLAG_ZF;
    if ( res & sign_bit(size) )
        f |= X86_FLAG_SF;
    p ^= p >> 4;
    p ^= p >> 2;
    p ^= p >> 1;
    if ( !(p & 1) )
        f |= X86_FLAG_PF;
    return f;
}

/* Flags of res = a + b (operands and result masked to size). */
static uint64_t add_flags(uint64_t a, uint64_t b, uint64_t res, unsigned int size)
{
    uint64_t f = szp_flags(res, size);

    if ( res < a )
        f |= X86_FLAG_CF;
    if ( (a ^ res) & (b ^ res) & sign_bit(size) )
        f |= X86_FLAG_OF;
    if ( (a ^ b ^ res) & 0x10 )
        f |= X86_FLAG_AF;
    return f;
}

/* Flags of res = a - b (operands and result masked to size); also CMP and CMPXCHG. */
static uint64_t sub_flags(uint64_t a, uint64_t b, uint64_t res, unsigned int size)
{
    uint64_t f = szp_flags(res, size);

    if ( a < b )
        f |= X86_FLAG_CF;
    if ( (a ^ b) & (a ^ res) & sign_bit(size) )
        f |= X86_FLAG_OF;
    if ( (a ^ b ^ res) & 0x10 )
        f |= X86_FLAG_AF;
    return f;
}

static bool is_bitop(enum x86_op op)
{
    return op == X86_OP_BTS || op == X86_OP_BTR || op == X86_OP_BTC;
}

static bool is_pte_write(const struct x86_insn *insn)
{
    switch ( insn->op )
    {
    case X86_OP_MOV_STORE: case X86_OP_XCHG: case X86_OP_CMPXCHG:
    case X86_OP_OR: case X86_OP_AND: case X86_OP_XOR: case X86_OP_ADD: case X86_OP_SUB:
    case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
        break;
    default:
        return false;
    }
    if ( !insn->has_mem )
        return false;
    return insn->opsize == 1 || insn->opsize == 2 || insn->opsize == 4 || insn->opsize == 8;
}

int x86_pte_write_target(const struct x86_insn *insn, const struct cpu_user_regs *regs, uint64_t ea,
                         uint64_t *addr, unsigned int *width)
{
    unsigned int size = insn->opsize;
    uint64_t a = ea;

    if ( !is_pte_write(insn) )
        return -EOPNOTSUPP;

    if ( is_bitop(insn->op) && !insn->has_imm )
    {
        /* A register bit offset is signed and may select another operand-sized unit. */
        int64_t off = sext(x86_reg_read(regs, insn->reg, size, insn->rex != 0), size);
        unsigned int shift = size == 2 ? 4 : size == 4 ? 5 : 6;
        uint64_t delta = (uint64_t)(off >> shift) * size;   /* arithmetic shift: floor */

        if ( delta != 0 && insn->mem.addr_size != 8 )
            return -EOPNOTSUPP;         /* would need the 32-bit wrap of the offset part */
        a += delta;
    }

    if ( (a & 7) + size > 8 )
        return -EOPNOTSUPP;
    *addr = a;
    *width = size;
    return 0;
}

int x86_emulate_pte_write(const struct x86_insn *insn, const struct cpu_user_regs *regs, uint64_t pte,
                          unsigned int offset, struct x86_write *out)
{
    unsigned int size = insn->opsize, shift = 8 * offset;
    uint64_t mask = size_mask(size), flags = regs->rflags;
    uint64_t old, src, val, res, bit;
    bool rex = insn->rex != 0;

    if ( !is_pte_write(insn) || offset > 7 || offset + size > 8 )
        return -EOPNOTSUPP;

    *out = (struct x86_write){ .write = true, .offset = offset, .width = size };
    old = (pte >> shift) & mask;
    src = (insn->has_imm ? insn->imm : x86_reg_read(regs, insn->reg, size, rex)) & mask;

    switch ( insn->op )
    {
    case X86_OP_MOV_STORE:
        val = src;
        break;
    case X86_OP_XCHG:
        val = src;
        *out = (struct x86_write){ .write = true, .offset = offset, .width = size, .reg_write = true,
                                   .reg = insn->reg, .reg_size = size, .reg_rex = rex, .reg_value = old };
        break;
    case X86_OP_CMPXCHG:
    {
        uint64_t acc = x86_reg_read(regs, X86_REG_RAX, size, rex);

        res = (acc - old) & mask;
        flags = (flags & ~X86_ARITH_FLAGS) | sub_flags(acc, old, res, size);
        if ( acc == old )
            val = src;
        else
        {
            /* Mismatch: the accumulator gets the entry (a 32-bit one zero-extends RAX); no store. */
            val = old;
            *out = (struct x86_write){ .write = false, .offset = offset, .width = size, .reg_write = true,
                                       .reg = X86_REG_RAX, .reg_size = size, .reg_rex = rex,
                                       .reg_value = old };
        }
        break;
    }
    case X86_OP_OR:
    case X86_OP_AND:
    case X86_OP_XOR:
        val = insn->op == X86_OP_OR ? old | src : insn->op == X86_OP_AND ? old & src : old ^ src;
        flags = (flags & ~X86_ARITH_FLAGS) | szp_flags(val, size);
        break;
    case X86_OP_ADD:
        val = (old + src) & mask;
        flags = (flags & ~X86_ARITH_FLAGS) | add_flags(old, src, val, size);
        break;
    case X86_OP_SUB:
        val = (old - src) & mask;
        flags = (flags & ~X86_ARITH_FLAGS) | sub_flags(old, src, val, size);
        break;
    case X86_OP_BTS:
    case X86_OP_BTR:
    case X86_OP_BTC:
        /* The bit within the accessed unit: offset mod operand bits (two's complement for a register). */
        bit = 1ULL << (src & (8 * size - 1));
        flags = (flags & ~X86_FLAG_CF) | ((old & bit) ? X86_FLAG_CF : 0);
        val = insn->op == X86_OP_BTS ? old | bit : insn->op == X86_OP_BTR ? old & ~bit : old ^ bit;
        break;
    default:
        return -EOPNOTSUPP;     /* not reached: is_pte_write() */
    }

    val &= mask;
    out->value = val;
    out->new_pte = out->write ? (pte & ~(mask << shift)) | (val << shift) : pte;
    out->rflags = flags;
    return 0;
}

void x86_pte_write_commit(const struct x86_insn *insn, const struct x86_write *w, struct cpu_user_regs *regs)
{
    (void)insn;                         /* kept for symmetry with the other steps */
    if ( w->reg_write )
        x86_reg_write(regs, w->reg, w->reg_size, w->reg_rex, w->reg_value);
    regs->rflags = w->rflags;
}
