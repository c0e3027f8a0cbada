/*
 * vmce.c (pv) - the machine-check MSRs a PV guest sees: Xen's virtual MCA (vMCE).
 *
 * The guest's CPUID says MCE and MCA are there (as Xen's does), so Linux
 * reads MCG_CAP and walks the banks at boot.  As in Xen, every vCPU has two
 * virtual banks and nothing is ever injected: MCG_CAP reports 2 banks (on
 * Intel with TES_P, SER_P and CMCI_P), MCi_CTL reads all ones and ignores
 * writes, MCi_STATUS/ADDR/MISC read what was last written and accept only
 * 0, MCG_STATUS is a plain register, MCG_CTL exists only with MCG_CTL_P
 * (never) and MCG_CAP is read-only.  Intel's MCi_CTL2 of the two banks and
 * AMD's MC4_MISC1-3 are stored or read as 0, as Xen's vmce_{intel,amd}_*.
 *
 * Locking: none; a vCPU's registers are touched only by that vCPU.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/cpufeature.h>
#include <asm/pv_emul.h>

#define MSR_MCG_CAP         0x179
#define MSR_MCG_STATUS      0x17a
#define MSR_MCG_CTL         0x17b
#define MSR_MC0_CTL2        0x280   /* Intel: MCi_CTL2 = 0x280 + i */
#define MSR_MC0_CTL         0x400   /* MCi_CTL, STATUS, ADDR, MISC = 0x400 + 4i + 0..3 */
#define MSR_MC_LAST         0x47f   /* 32 banks' worth: a guest may probe beyond its count */
#define MSR_F10_MC4_MISC1   0xc0000408
#define MSR_F10_MC4_MISC3   0xc000040a

#define MCG_CTL_P           (1ULL << 8)
#define MCG_CMCI_P          (1ULL << 10)
#define MCG_TES_P           (1ULL << 11)
#define MCG_SER_P           (1ULL << 24)

static bool cpu_is_intel(void)
{
    return !strcmp(cpu_features.vendor, "GenuineIntel");
}

static uint64_t mcg_cap(void)
{
    return PV_VMCE_BANKS | (cpu_is_intel() ? MCG_SER_P | MCG_TES_P | MCG_CMCI_P : 0);
}

/* A bank MSR the guest's MCG_CAP.count covers? */
static bool bank_msr(uint32_t msr)
{
    return msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * PV_VMCE_BANKS;
}

int pv_vmce_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct pv_vmce *m = &v->arch.vmce;
    unsigned int bank = (msr - MSR_MC0_CTL) / 4;

    *val = 0;
    switch ( msr )
    {
    case MSR_MCG_CAP:
        *val = mcg_cap();
        return 1;
    case MSR_MCG_STATUS:
        *val = m->mcg_status;
        return 1;
    case MSR_MCG_CTL:
        return 1;                       /* no MCG_CTL_P: reads 0, as Xen */
    }
    if ( bank_msr(msr) )
    {
        switch ( msr & 3 )
        {
        case 0: *val = ~0ULL; break;    /* MCi_CTL sticks at all ones */
        case 1: *val = m->bank[bank].status; break;
        case 2: *val = m->bank[bank].addr; break;
        case 3: *val = m->bank[bank].misc; break;
        }
        return 1;
    }
    if ( cpu_is_intel() && msr >= MSR_MC0_CTL2 && msr < MSR_MC0_CTL2 + PV_VMCE_BANKS )
    {
        *val = m->bank[msr - MSR_MC0_CTL2].ctl2;
        return 1;
    }
    if ( !cpu_is_intel() && msr >= MSR_F10_MC4_MISC1 && msr <= MSR_F10_MC4_MISC3 )
        return 1;
    return 0;
}

int pv_vmce_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct pv_vmce *m = &v->arch.vmce;
    unsigned int bank = (msr - MSR_MC0_CTL) / 4;

    switch ( msr )
    {
    case MSR_MCG_CAP:                   /* read-only: writes change nothing */
    case MSR_MCG_CTL:
        return 1;
    case MSR_MCG_STATUS:
        m->mcg_status = val;
        return 1;
    }
    if ( bank_msr(msr) )
    {
        switch ( msr & 3 )
        {
        case 0: return 1;               /* MCi_CTL: writes ignored */
        case 1: if ( val ) return -1; m->bank[bank].status = 0; return 1;
        case 2: if ( val ) return -1; m->bank[bank].addr = 0; return 1;
        case 3: if ( val ) return -1; m->bank[bank].misc = 0; return 1;
        }
    }
    if ( cpu_is_intel() && msr >= MSR_MC0_CTL2 && msr < MSR_MC0_CTL2 + PV_VMCE_BANKS )
    {
        m->bank[msr - MSR_MC0_CTL2].ctl2 = val;
        return 1;
    }
    if ( !cpu_is_intel() && msr >= MSR_F10_MC4_MISC1 && msr <= MSR_F10_MC4_MISC3 )
        return val ? -1 : 1;
    return 0;
}
