/*
 * x86_decode.h - decoding the few x86-64 instructions a PV guest makes the hypervisor emulate, and the
 * arithmetic of its writes to read-only page-table entries.
 *
 * Two users: the #GP/#UD path (privileged instructions and the forced-emulation CPUID prefix) and the
 * writable-page-table path (a guest write to one of its read-only L1 page-table pages).  Both copy up to
 * X86_MAX_INSN_LEN bytes from the guest's RIP and call x86_decode().  Only 64-bit mode is decoded.
 *
 * Writable page tables, in order (decode and check everything first, then act):
 *   x86_decode(bytes, n, &insn);                            instruction
 *   ea = x86_effective_address(&insn, regs, fs, gs);         its memory operand
 *   x86_pte_write_target(&insn, regs, ea, &addr, &width);   the bytes it really accesses
 *   (caller: addr must lie in the page that faulted (CR2's), which must be one of the guest's L1
 *    page-table pages -- the guest may have changed the instruction bytes since the fault; read the
 *    entry at addr & ~7: pte)
 *   x86_emulate_pte_write(&insn, regs, pte, addr & 7, &w);  new entry, register and flag effects
 *   (caller: validate w.new_pte; if w.write, replace pte by w.new_pte atomically, retrying from the
 *    read of pte if the entry changed meanwhile)
 *   x86_pte_write_commit(&insn, &w, regs);                  register and RFLAGS effects
 *   regs->rip += insn.length;                               (the caller's, as for privileged ones)
 * Nothing touches the guest's registers before the commit, so a retry recomputes from the same state.
 * A single-step #DB for RFLAGS.TF is the caller's too.
 */
#ifndef ASM_X86_DECODE_H
#define ASM_X86_DECODE_H

#include <parva/public.h>

#define X86_MAX_INSN_LEN    15

/* What x86_decode() recognised.  Ops marked (mem) write or name a memory operand. */
enum x86_op {
    X86_OP_UNKNOWN = 0,
    /* Writes to memory (writable page tables); the register form (mod = 3) decodes too. */
    X86_OP_MOV_STORE,       /* 88, 89 /r; c6 /0 ib, c7 /0 iz: dst = src */
    X86_OP_XCHG,            /* 86, 87 /r */
    X86_OP_CMPXCHG,         /* 0f b0, 0f b1 /r */
    X86_OP_OR,              /* 08, 09 /r; 80, 81, 83 /1 */
    X86_OP_AND,             /* 20, 21 /r; 80, 81, 83 /4 */
    X86_OP_XOR,             /* 30, 31 /r; 80, 81, 83 /6 */
    X86_OP_ADD,             /* 00, 01 /r; 80, 81, 83 /0 */
    X86_OP_SUB,             /* 28, 29 /r; 80, 81, 83 /5 */
    X86_OP_BTS,             /* 0f ab /r; 0f ba /5 ib */
    X86_OP_BTR,             /* 0f b3 /r; 0f ba /6 ib */
    X86_OP_BTC,             /* 0f bb /r; 0f ba /7 ib */
    X86_OP_CMPXCHG8B,       /* 0f c7 /1 (mem): recognised, never emulated */
    X86_OP_CMPXCHG16B,      /* REX.W 0f c7 /1 (mem): recognised, never emulated */
    /* Privileged or emulated instructions. */
    X86_OP_WRMSR,           /* 0f 30 */
    X86_OP_RDMSR,           /* 0f 32 */
    X86_OP_MOV_TO_CR,       /* 0f 22: CR number in reg, source GPR in rm */
    X86_OP_MOV_FROM_CR,     /* 0f 20: CR number in reg, destination GPR in rm */
    X86_OP_MOV_TO_DR,       /* 0f 23: DR number in reg, source GPR in rm */
    X86_OP_MOV_FROM_DR,     /* 0f 21: DR number in reg, destination GPR in rm */
    X86_OP_IN,              /* e4, e5 ib (port in imm, has_imm); ec, ed (port in DX) */
    X86_OP_OUT,             /* e6, e7 ib; ee, ef */
    X86_OP_INS,             /* 6c, 6d: port DX, memory ES:rDI (mem); rep with f3 */
    X86_OP_OUTS,            /* 6e, 6f: port DX, memory seg:rSI (mem); rep with f3 */
    X86_OP_CLI,             /* fa */
    X86_OP_STI,             /* fb */
    X86_OP_HLT,             /* f4 */
    X86_OP_CLTS,            /* 0f 06 */
    X86_OP_INVD,            /* 0f 08 */
    X86_OP_WBINVD,          /* 0f 09 */
    X86_OP_RDTSC,           /* 0f 31 */
    X86_OP_RDTSCP,          /* 0f 01 f9 */
    X86_OP_RDPMC,           /* 0f 33 */
    X86_OP_CPUID,           /* 0f a2 */
    X86_OP_FORCED_CPUID,    /* 0f 0b 78 65 6e 0f a2: ud2; .ascii "xen"; cpuid (7 bytes) */
    X86_OP_LMSW,            /* 0f 01 /6: 16-bit source, register (rm) or memory */
    X86_OP_SMSW,            /* 0f 01 /4: register (rm, opsize 2/4/8) or 16-bit memory destination */
    X86_OP_SWAPGS,          /* 0f 01 f8 */
    X86_OP_XSETBV,          /* 0f 01 d1 */
    X86_OP_INVLPG,          /* 0f 01 /7 (mem): the linear address is the effective address */
    X86_OP_NR
};

/* GPR numbers as the instruction encodes them (REX.B/X/R supply bit 3). */
#define X86_REG_RAX     0
#define X86_REG_RCX     1
#define X86_REG_RDX     2
#define X86_REG_RBX     3
#define X86_REG_RSP     4
#define X86_REG_RBP     5
#define X86_REG_RSI     6
#define X86_REG_RDI     7
#define X86_REG_NONE    0xff

/* Segment registers in encoding order. */
#define X86_SEG_ES      0
#define X86_SEG_CS      1
#define X86_SEG_SS      2
#define X86_SEG_DS      3
#define X86_SEG_FS      4
#define X86_SEG_GS      5
#define X86_SEG_NONE    0xff

/* The arithmetic flags of RFLAGS (the ones x86_emulate_pte_write may change). */
#define X86_FLAG_CF     0x0001UL
#define X86_FLAG_PF     0x0004UL
#define X86_FLAG_AF     0x0010UL
#define X86_FLAG_ZF     0x0040UL
#define X86_FLAG_SF     0x0080UL
#define X86_FLAG_OF     0x0800UL
#define X86_ARITH_FLAGS (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

/* A memory operand: linear address = seg base + trunc(base + index * scale + disp [+ next RIP]). */
struct x86_mem {
    uint8_t base;           /* GPR number or X86_REG_NONE */
    uint8_t index;          /* GPR number or X86_REG_NONE */
    uint8_t scale;          /* 1, 2, 4 or 8 */
    bool rip_relative;      /* disp is relative to the next instruction (base, index are NONE) */
    uint8_t seg;            /* effective segment: the override, else DS (SS for an rSP/rBP base) */
    uint8_t addr_size;      /* 8, or 4 with a 67h prefix (the sum wraps at 4 GiB) */
    int64_t disp;           /* sign-extended displacement */
};

struct x86_insn {
    enum x86_op op;
    uint8_t length;         /* bytes, prefixes included (<= X86_MAX_INSN_LEN) */
    uint8_t opsize;         /* operand size in bytes: 1, 2, 4, 8 (16 for CMPXCHG16B); 0 if no operand */
    uint8_t addr_size;      /* 8, or 4 with 67h */
    uint8_t rex;            /* the REX prefix in effect, 0 if none */
    uint8_t seg_override;   /* X86_SEG_* of the (last) segment prefix, or X86_SEG_NONE */
    bool lock;              /* f0 (only accepted where the CPU accepts it) */
    bool rep;               /* f3 (only accepted on INS/OUTS) */
    bool opsize_prefix;     /* 66 */
    bool has_mem;           /* mem describes a memory operand */
    bool has_imm;           /* imm holds an immediate */
    bool twobyte;           /* opcode follows 0f */
    uint8_t opcode;         /* the (last) opcode byte */
    uint8_t modrm;          /* the ModRM byte, if the instruction has one */
    uint8_t reg;            /* ModRM.reg + REX.R: register operand, CR/DR number, or a group's /digit */
    uint8_t rm;             /* ModRM.rm + REX.B when the r/m operand is a register, else X86_REG_NONE */
    /*
     * The immediate as the instruction uses it, at 64 bits: sign-extended for arithmetic and mov
     * (then only the low opsize bytes matter), zero-extended for an I/O port or a bit offset.
     */
    uint64_t imm;
    struct x86_mem mem;
};

/*
 * Decode the instruction at bytes[0..avail).  Returns 0 and fills *insn; -ENODATA if its decoding needs
 * byte avail or later (the caller could not copy more); -EINVAL if it is not one of the instructions above,
 * is malformed (lock where the CPU would #UD, an invalid CR/DR number, a prefix the instruction does not
 * take), or is longer than X86_MAX_INSN_LEN bytes.  Never reads bytes[avail] or beyond.  For #UD, both
 * errors mean "not the forced-emulation prefix".
 */
int x86_decode(const uint8_t *bytes, unsigned int avail, struct x86_insn *insn);

/*
 * The linear address of insn's memory operand (0 if it has none): base + index * scale + disp, plus
 * rip + length when RIP-relative, wrapped to 32 bits with 67h, plus fs_base/gs_base (the guest's current
 * bases) for an FS/GS override.  ES/CS/SS/DS have base 0 in 64-bit mode.  INS/OUTS: rDI/rSI.
 */
uint64_t x86_effective_address(const struct x86_insn *insn, const struct cpu_user_regs *regs,
                               uint64_t fs_base, uint64_t gs_base);

/*
 * GPR access by number (0-15) with operand-size semantics: size 1 is AH/CH/DH/BH for numbers 4-7 without
 * a REX prefix (rex == false) and SPL/BPL/SIL/DIL with one; writes of size 1 and 2 merge into the register,
 * size 4 zero-extends to 64 bits, size 8 replaces it.  Reads return the value zero-extended.
 */
uint64_t x86_reg_read(const struct cpu_user_regs *regs, unsigned int reg, unsigned int size, bool rex);
void x86_reg_write(struct cpu_user_regs *regs, unsigned int reg, unsigned int size, bool rex, uint64_t val);
/* The 64-bit register `reg` (0-15) in regs. */
uint64_t *x86_reg_ptr(struct cpu_user_regs *regs, unsigned int reg);

/* The outcome of one emulated write to a page-table entry. */
struct x86_write {
    bool write;             /* store: replace the entry by new_pte (false: cmpxchg found a mismatch) */
    uint8_t offset;         /* the bytes stored: offset..offset+width-1 of the 8-byte entry */
    uint8_t width;
    uint64_t value;         /* what is stored there (width bytes) */
    uint64_t new_pte;       /* the entry after the store (the old entry when !write) */
    uint64_t rflags;        /* RFLAGS after the instruction */
    bool reg_write;         /* a register receives reg_value (xchg; cmpxchg mismatch) */
    uint8_t reg;
    uint8_t reg_size;
    bool reg_rex;
    uint64_t reg_value;
};

/*
 * For a decoded write (MOV_STORE, XCHG, CMPXCHG, OR, AND, XOR, ADD, SUB, BTS, BTR, BTC with a memory
 * operand at effective address ea), the bytes it accesses: *addr and *width (its operand size).  That is
 * ea, except for BTS/BTR/BTC with a register bit offset, which address ea + opsize * floor(offset /
 * (8 * opsize)) (the offset is signed).  -EOPNOTSUPP for anything else, if the access does not stay
 * inside one naturally aligned 8-byte entry, or if a register offset moves the operand under 67h.
 */
int x86_pte_write_target(const struct x86_insn *insn, const struct cpu_user_regs *regs, uint64_t ea,
                         uint64_t *addr, unsigned int *width);

/*
 * Emulate that write on the 8-byte entry pte, whose bytes offset..offset+opsize-1 are the accessed ones
 * (offset = addr & 7 from x86_pte_write_target).  Fills *out; regs are only read.  Operand sizes 1, 2, 4
 * and 8 (Linux uses 8, and 1 for clear_bit/set_bit with a constant bit: lock andb/orb).  Returns 0, or
 * -EOPNOTSUPP for any other instruction (CMPXCHG8B/16B included) or form (register destination), or if
 * offset + opsize > 8.
 */
int x86_emulate_pte_write(const struct x86_insn *insn, const struct cpu_user_regs *regs, uint64_t pte,
                          unsigned int offset, struct x86_write *out);

/* Apply w's register and RFLAGS effects once the entry is written (or not, per w->write); not RIP. */
void x86_pte_write_commit(const struct x86_insn *insn, const struct x86_write *w, struct cpu_user_regs *regs);

#endif /* ASM_X86_DECODE_H */
