/*
 * emulate.c (pv) - privileged instructions of a ring-3 PV kernel, emulated on its #GP, and the
 * forced-emulation CPUID prefix on #UD.
 *
 * The instruction is copied in from the guest once (at most 15 bytes, fewer
 * when the next page is not mapped), decoded (x86_decode.c), and, if it is
 * one the guest kernel may use, carried out against the vCPU's virtual
 * state: MSRs (the segment bases, Xen's PAT), control registers (virtual
 * CR0.TS and CR4, CR3 as NEW_BASEPTR), debug registers, port I/O under the
 * virtual IOPL (real ports for the privileged domain except the ones the
 * hypervisor drives itself; all-ones and dropped writes otherwise), CLI/STI
 * as no-ops (as Xen), HLT as a block, CLTS, the cache flushes and INVLPG.
 * Anything else is handed back as a #GP for the guest.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/mm.h>
#include <asm/pci_cfg.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_emul.h>
#include <asm/pv_mm.h>
#include <asm/x86_decode.h>
#include <xen/sched.h>

/* Xen's PAT, as PV guests see it (arch/x86/cpu.c programs the same value). */
#define PV_PAT          0x0000050100070406ULL
/* The CR4 bits a PV guest sees and may keep; writes of others are ignored, as Xen does for PGE/PSE/PCE. */
#define PV_CR4_VISIBLE  (X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

static const uint8_t forced_cpuid[] = { 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2 };

/* Copy the instruction at regs->rip; returns the bytes available (0 if none). */
static unsigned int fetch(const struct cpu_user_regs *regs, uint8_t *buf)
{
    unsigned long rip = regs->rip, first = PAGE_SIZE - (rip & ~PAGE_MASK);
    unsigned int n = first < X86_MAX_INSN_LEN ? first : X86_MAX_INSN_LEN;

    if ( copy_from_guest_va(buf, rip, n) )
        return 0;
    if ( n < X86_MAX_INSN_LEN && !copy_from_guest_va(buf + n, rip + n, X86_MAX_INSN_LEN - n) )
        n = X86_MAX_INSN_LEN;
    return n;
}

bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs)
{
    uint8_t buf[sizeof(forced_cpuid)];

    if ( copy_from_guest_va(buf, regs->rip, sizeof(buf)) || memcmp(buf, forced_cpuid, sizeof(buf)) )
        return false;
    pv_cpuid(v, (uint32_t)regs->rax, (uint32_t)regs->rcx, regs);
    regs->rip += sizeof(forced_cpuid);
    return true;
}

/* ---- MSRs ---- */

static bool is_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/*
 * MSR 0x40000000 (CPUID leaf 0x40000002 names it): writing gmfn << 12 fills that frame of the
 * guest's with the hypercall page, as Xen; page indexes other than 0 do not exist.
 */
#define MSR_XEN_HYPERCALL_PAGE  0x40000000

static bool write_hypercall_page(struct vcpu *v, uint64_t val)
{
    unsigned long mfn = val >> PAGE_SHIFT;      /* a PV guest's frame numbers are machine frames */
    struct page_info *pg;

    if ( (val & ~PAGE_MASK) || !mfn_valid(mfn) )
        return false;
    pg = mfn_to_page(mfn);
    if ( !get_page_and_type(pg, v->domain, PGT_writable_page) )
        return false;
    pv_fill_hypercall_page(mfn_to_virt(mfn));
    put_page_and_type(pg);
    return true;
}

static bool emul_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    int rc = pv_vmce_rdmsr(v, msr, val);

    if ( rc )
        return rc > 0;
    switch ( msr )
    {
    case MSR_FS_BASE:
        *val = v->arch.fs_base;
        return true;
    case MSR_GS_BASE:           /* the base of the current mode */
        *val = v->arch.kernel_mode ? v->arch.gs_base_kernel : v->arch.gs_base_user;
        return true;
    case MSR_SHADOW_GS_BASE:
        *val = v->arch.kernel_mode ? v->arch.gs_base_user : v->arch.gs_base_kernel;
        return true;
    case MSR_PAT:
        *val = PV_PAT;
        return true;
    case MSR_EFER:
        *val = EFER_SCE | EFER_LME | (1UL << 10) /* LMA */ | (rdmsr(MSR_EFER) & EFER_NXE);
        return true;
    default:
        return false;
    }
}

static bool emul_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    int rc = pv_vmce_wrmsr(v, msr, val);

    if ( rc )
        return rc > 0;
    switch ( msr )
    {
    case MSR_XEN_HYPERCALL_PAGE:
        return write_hypercall_page(v, val);
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_SHADOW_GS_BASE:
    {
        unsigned long which;

        if ( !is_canonical(val) )
            return false;
        if ( msr == MSR_FS_BASE )
            which = SEGBASE_FS;
        else if ( (msr == MSR_GS_BASE) == v->arch.kernel_mode )
            which = SEGBASE_GS_KERNEL;
        else
            which = SEGBASE_GS_USER;
        return do_set_segment_base(which, val) == 0;
    }
    case MSR_PAT:
        return val == PV_PAT;           /* the guest cannot change the hypervisor's PAT */
    case MSR_EFER:
    {
        uint64_t cur;

        /* Writing back what it reads is fine; changing anything is not. */
        return emul_rdmsr(v, MSR_EFER, &cur) && val == cur;
    }
    default:
        return false;
    }
}

/* ---- Port I/O ---- */

/* Ports the hypervisor drives itself: never passed through. */
static bool port_reserved(unsigned int port, unsigned int size)
{
    static const struct { uint16_t first, last; } deny[] = {
        { 0x20, 0x21 }, { 0xa0, 0xa1 },     /* 8259 PICs (masked for good) */
        { 0x40, 0x43 },                     /* PIT (TSC calibration) */
        { 0x3f8, 0x3ff }, { 0x2f8, 0x2ff }, /* COM1/COM2 consoles */
    };
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(deny); i++ )
        if ( port <= deny[i].last && port + size - 1 >= deny[i].first )
            return true;
    return false;
}

/* The guest kernel is ring 1 for IOPL purposes (ring 0 with VMASST_TYPE_architectural_iopl), as Xen. */
static bool iopl_ok(const struct vcpu *v)
{
    unsigned int cpl = v->arch.kernel_mode
                       ? ((v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl)) ? 0 : 1) : 3;

    return v->arch.iopl >= cpl;
}

static bool io_permitted(const struct vcpu *v, unsigned int port, unsigned int size)
{
    return v->domain->is_privileged && port + size <= 0x10000 && !port_reserved(port, size);
}

static uint32_t guest_in(const struct vcpu *v, unsigned int port, unsigned int size)
{
    uint32_t val;

    if ( pci_cfg_in(v->domain, port, size, &val) )     /* CONFIG_ADDRESS/DATA: arch/x86/pci_cfg.c */
        return val;
    if ( !io_permitted(v, port, size) )
        return ~0U;
    switch ( size )
    {
    case 1: return inb(port);
    case 2: return inw(port);
    default: return inl(port);
    }
}

static void guest_out(const struct vcpu *v, unsigned int port, unsigned int size, uint32_t val)
{
    if ( pci_cfg_out(v->domain, port, size, val) )
        return;
    if ( !io_permitted(v, port, size) )
        return;
    switch ( size )
    {
    case 1: outb(val, port); break;
    case 2: outw(val, port); break;
    default: outl(val, port); break;
    }
}

/*
 * INS/OUTS (with REP: rCX times, at most STRING_IO_BATCH per trap; the instruction is then left to
 * trap again, so a long string does not hold off interrupts).  Drivers in PIO mode need them (an
 * ATA sector is one REP INSL).  Returns false if the guest must get a #GP; *done says whether the
 * instruction finished (RIP moves on).
 */
#define STRING_IO_BATCH 1024

static bool emul_string_io(struct vcpu *v, struct cpu_user_regs *regs, const struct x86_insn *insn,
                           bool *done)
{
    unsigned int size = insn->opsize, port = (uint16_t)regs->rdx, n;
    uint64_t amask = insn->addr_size == 4 ? 0xffffffffUL : ~0UL;
    uint64_t count = insn->rep ? regs->rcx & amask : 1;
    unsigned int idx = insn->op == X86_OP_INS ? X86_REG_RDI : X86_REG_RSI;
    uint64_t *ptr = x86_reg_ptr(regs, idx);
    int64_t step = (regs->rflags & 0x400 /* DF */) ? -(int64_t)size : (int64_t)size;
    uint64_t addr;
    uint32_t val;

    if ( size != 1 && size != 2 && size != 4 )
        return false;
    for ( n = 0; count && n < STRING_IO_BATCH; n++, count-- )
    {
        addr = x86_effective_address(insn, regs, v->arch.fs_base,
                                     v->arch.kernel_mode ? v->arch.gs_base_kernel : v->arch.gs_base_user);
        if ( insn->op == X86_OP_INS )
        {
            val = guest_in(v, port, size);
            if ( copy_to_guest_va(addr, &val, size) )
                return false;
        }
        else
        {
            val = 0;
            if ( copy_from_guest_va(&val, addr, size) )
                return false;
            guest_out(v, port, size, val);
        }
        *ptr = (*ptr & ~amask) | ((*ptr + step) & amask);
        if ( insn->rep )
            regs->rcx = (regs->rcx & ~amask) | ((regs->rcx - 1) & amask);
    }
    *done = count == 0;
    return true;
}

/* ---- Control registers ---- */

static uint64_t guest_cr0(const struct vcpu *v)
{
    return (read_cr0() & ~X86_CR0_TS) | (v->arch.ctrlreg[0] & X86_CR0_TS);
}

static bool read_cr(struct vcpu *v, unsigned int cr, uint64_t *val)
{
    switch ( cr )
    {
    case 0: *val = guest_cr0(v); return true;
    case 2: *val = v->arch.ctrlreg[2]; return true;
    case 3:
        *val = pfn_to_paddr(v->arch.kernel_mode || !v->arch.guest_table_user ? v->arch.guest_table
                                                                                : v->arch.guest_table_user);
        return true;
    case 4: *val = (read_cr4() & PV_CR4_VISIBLE) | (v->arch.ctrlreg[4] & X86_CR4_TSD); return true;
    default: return false;
    }
}

static bool write_cr(struct vcpu *v, unsigned int cr, uint64_t val)
{
    switch ( cr )
    {
    case 0:
        /* Only TS is the guest's; other bits must stay as they read. */
        if ( (val ^ guest_cr0(v)) & ~X86_CR0_TS )
            return false;
        do_fpu_taskswitch(!!(val & X86_CR0_TS));
        return true;
    case 2:
        v->arch.ctrlreg[2] = val;
        return true;
    case 3:
        return pv_new_baseptr(v, val >> PAGE_SHIFT) == 0;
    case 4:
        v->arch.ctrlreg[4] = val & X86_CR4_TSD;
        return true;
    default:
        return false;
    }
}

bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs)
{
    uint8_t buf[X86_MAX_INSN_LEN];
    struct x86_insn insn;
    unsigned int n = fetch(regs, buf);
    uint64_t val;

    if ( !n || x86_decode(buf, n, &insn) )
        return false;
    /* Guest user space may only do port I/O (and CLI/STI), and only under its IOPL. */
    if ( !v->arch.kernel_mode && insn.op != X86_OP_IN && insn.op != X86_OP_OUT && insn.op != X86_OP_INS &&
         insn.op != X86_OP_OUTS && insn.op != X86_OP_CLI && insn.op != X86_OP_STI )
        return false;

    switch ( insn.op )
    {
    case X86_OP_RDMSR:
        if ( !emul_rdmsr(v, (uint32_t)regs->rcx, &val) )
            return false;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        break;
    case X86_OP_WRMSR:
        if ( !emul_wrmsr(v, (uint32_t)regs->rcx, ((regs->rdx & 0xffffffffUL) << 32) | (uint32_t)regs->rax) )
            return false;
        break;
    case X86_OP_MOV_FROM_CR:
        if ( !read_cr(v, insn.reg, &val) )
            return false;
        x86_reg_write(regs, insn.rm, 8, insn.rex, val);
        break;
    case X86_OP_MOV_TO_CR:
        if ( !write_cr(v, insn.reg, x86_reg_read(regs, insn.rm, 8, insn.rex)) )
            return false;
        break;
    case X86_OP_MOV_FROM_DR:
        /* DR4/DR5 alias DR6/DR7 (unless CR4.DE), as for MOV to them and get_debugreg. */
        if ( !pv_read_debugreg(v, insn.reg, &val) )
            return false;
        x86_reg_write(regs, insn.rm, 8, insn.rex, val);
        break;
    case X86_OP_MOV_TO_DR:
        if ( do_set_debugreg(insn.reg, x86_reg_read(regs, insn.rm, 8, insn.rex)) )
            return false;
        break;
    case X86_OP_IN:
    case X86_OP_OUT:
    {
        unsigned int port = insn.has_imm ? (unsigned int)insn.imm : (uint16_t)regs->rdx;
        unsigned int size = insn.opsize;

        if ( !iopl_ok(v) )
            return false;
        if ( insn.op == X86_OP_IN )
            x86_reg_write(regs, X86_REG_RAX, size, false, guest_in(v, port, size));
        else
            guest_out(v, port, size, (uint32_t)regs->rax);
        break;
    }
    case X86_OP_INS:
    case X86_OP_OUTS:
    {
        bool done = true;

        if ( !iopl_ok(v) || !emul_string_io(v, regs, &insn, &done) )
            return false;
        if ( !done )
            return true;        /* more to do: the guest executes it again */
        break;
    }
    case X86_OP_CLI:
    case X86_OP_STI:
        /*
         * With I/O privilege they do nothing, as in Xen (priv_op_validate): the event mask is
         * the guest's interrupt flag, and a guest that set it with CLI could not clear it with
         * the POPF it would pair it with.  Linux executes them natively in places.
         */
        if ( !iopl_ok(v) )
            return false;
        break;
    case X86_OP_HLT:
        do_sched_op(SCHEDOP_block, 0);
        break;
    case X86_OP_CLTS:
        do_fpu_taskswitch(0);
        break;
    case X86_OP_LMSW:
        if ( insn.has_mem )
            return false;
        val = x86_reg_read(regs, insn.rm, 2, insn.rex);
        if ( !write_cr(v, 0, (guest_cr0(v) & ~0xfUL) | (val & 0xf) | (guest_cr0(v) & X86_CR0_PE)) )
            return false;
        break;
    case X86_OP_WBINVD:
    case X86_OP_INVD:
        /* Only a domain that drives devices has caches worth flushing; for others it is a no-op. */
        if ( v->domain->is_privileged )
            __asm__ __volatile__("wbinvd" ::: "memory");
        break;
    case X86_OP_INVLPG:
        val = x86_effective_address(&insn, regs, v->arch.fs_base,
                                    v->arch.kernel_mode ? v->arch.gs_base_kernel : v->arch.gs_base_user);
        if ( guest_range_ok(val, 1) )
            invlpg((void *)val);
        break;
    case X86_OP_CPUID:
        pv_cpuid(v, (uint32_t)regs->rax, (uint32_t)regs->rcx, regs);
        break;
    default:
        return false;
    }
    regs->rip += insn.length;
    return true;
}
