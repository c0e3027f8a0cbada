/*
 * cpuid.c (pv) - the CPUID a PV guest sees: the host's, minus what a PV guest cannot use, plus Xen's
 * hypervisor leaves.
 *
 * Hidden (as Xen does for PV): hardware virtualisation (VMX, SVM, SMX),
 * paging features the PV MMU does not offer (PSE, PSE36, PGE, PAGE1GB, PCID,
 * INVPCID, LA57, PKU), supervisor protections that only make sense in ring 0
 * (SMEP, SMAP), the local APIC's x2APIC and TSC-deadline modes, MONITOR/MWAIT,
 * VME, MTRR and debug-store features, and -- to keep the ABI small --
 * FSGSBASE and XSAVE (the guest uses FXSAVE; no XSETBV to emulate).  The
 * HYPERVISOR bit is set, and leaves 0x40000000-0x40000005 identify Xen 4.17
 * ("XenVMMXenVMM"), which is how Linux finds its hypervisor.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/config.h>
#include <asm/processor.h>
#include <asm/pv_emul.h>

#define XEN_CPUID_BASE          0x40000000
#define XEN_CPUID_MAX           0x40000005
#define XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD (1U << 0)

#define BIT(n) (1U << (n))

/* leaf 1 */
#define L1_ECX_HIDE (BIT(3) /* MONITOR */ | BIT(4) /* DS-CPL */ | BIT(5) /* VMX */ | BIT(6) /* SMX */ | \
                     BIT(7) /* EST */ | BIT(8) /* TM2 */ | BIT(15) /* PDCM */ | BIT(17) /* PCID */ | \
                     BIT(18) /* DCA */ | BIT(21) /* x2APIC */ | BIT(24) /* TSC-deadline */ | \
                     BIT(26) /* XSAVE */ | BIT(27) /* OSXSAVE */)
#define L1_EDX_HIDE (BIT(1) /* VME */ | BIT(3) /* PSE */ | BIT(12) /* MTRR */ | BIT(13) /* PGE */ | \
                     BIT(17) /* PSE36 */ | BIT(21) /* DS */ | BIT(22) /* ACPI thermal */ | \
                     BIT(29) /* TM */ | BIT(31) /* PBE */)
/* leaf 7 subleaf 0 */
#define L7_EBX_HIDE (BIT(0) /* FSGSBASE */ | BIT(1) /* TSC_ADJUST */ | BIT(7) /* SMEP */ | \
                     BIT(10) /* INVPCID */ | BIT(20) /* SMAP */ | BIT(12) /* PQM */ | BIT(15) /* PQE */ | \
                     BIT(14) /* MPX */)
#define L7_ECX_HIDE (BIT(2) /* UMIP */ | BIT(3) /* PKU */ | BIT(4) /* OSPKE */ | BIT(16) /* LA57 */ | \
                     BIT(31) /* PKS */)
/* leaf 0x80000001 */
#define LX1_ECX_HIDE (BIT(2) /* SVM */ | BIT(15) /* LWP */ | BIT(23) /* PERFCTR_CORE */)
#define LX1_EDX_HIDE (BIT(26) /* PAGE1GB */)

static void set(struct cpu_user_regs *regs, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    regs->rax = a;
    regs->rbx = b;
    regs->rcx = c;
    regs->rdx = d;
}

static bool hypervisor_leaf(uint32_t leaf, struct cpu_user_regs *regs)
{
    switch ( leaf )
    {
    case XEN_CPUID_BASE:
        /* "XenVMMXenVMM" in ebx, ecx, edx */
        set(regs, XEN_CPUID_MAX, 0x566e6558, 0x65584d4d, 0x4d4d566e);
        return true;
    case XEN_CPUID_BASE + 1:
        set(regs, (XEN_ABI_MAJOR << 16) | XEN_ABI_MINOR, 0, 0, 0);
        return true;
    case XEN_CPUID_BASE + 2:
        /* One hypercall page, its MSR, and the PV features. */
        set(regs, 1, XEN_CPUID_BASE, XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD, 0);
        return true;
    case XEN_CPUID_BASE + 3:
    case XEN_CPUID_BASE + 4:
    case XEN_CPUID_BASE + 5:
        set(regs, 0, 0, 0, 0);
        return true;
    default:
        return false;
    }
}

void pv_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf, struct cpu_user_regs *regs)
{
    struct cpuid_regs r;
    uint32_t max_basic = cpuid_eax(0) < 0xd ? cpuid_eax(0) : 0xd;
    uint32_t max_ext = cpuid_eax(0x80000000);

    if ( (leaf & 0xffff0000) == XEN_CPUID_BASE )
    {
        if ( !hypervisor_leaf(leaf, regs) )
            set(regs, 0, 0, 0, 0);
        return;
    }
    if ( (leaf < 0x80000000 && leaf > max_basic) || (leaf >= 0x80000000 && leaf > max_ext) )
    {
        set(regs, 0, 0, 0, 0);
        return;
    }
    cpuid_count(leaf, subleaf, &r);
    switch ( leaf )
    {
    case 0:
        r.eax = max_basic;
        break;
    case 1:
        r.ecx = (r.ecx & ~L1_ECX_HIDE) | BIT(31);       /* HYPERVISOR */
        r.edx &= ~L1_EDX_HIDE;
        /* APIC ID: vCPU ID * 2, as Xen presents it. */
        r.ebx = (r.ebx & 0x00ffffff) | ((v->vcpu_id * 2) << 24);
        break;
    case 5:                                             /* MONITOR/MWAIT */
    case 6:                                             /* thermal and power */
    case 0xa:                                           /* performance monitoring */
    case 0xd:                                           /* XSAVE: hidden */
        r.eax = r.ebx = r.ecx = r.edx = 0;
        break;
    case 7:
        if ( subleaf == 0 )
        {
            r.eax = 0;                                  /* no further subleaves */
            r.ebx &= ~L7_EBX_HIDE;
            r.ecx &= ~L7_ECX_HIDE;
        }
        else
            r.eax = r.ebx = r.ecx = r.edx = 0;
        break;
    case 0x80000001:
        r.ecx &= ~LX1_ECX_HIDE;
        r.edx &= ~LX1_EDX_HIDE;
        break;
    default:
        break;
    }
    set(regs, r.eax, r.ebx, r.ecx, r.edx);
}
