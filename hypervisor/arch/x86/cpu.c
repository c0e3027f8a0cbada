/*
 * cpu.c - CPU identification, the features the hypervisor relies on, and per-CPU control-register setup.
 *
 * Design: the boot CPU reads CPUID once into cpu_features; every CPU then
 * programs the same CR0/CR4/EFER/PAT from it (the machine is assumed
 * homogeneous; an AP missing a feature the boot CPU enabled is refused).
 * SMEP and SMAP are on when the CPU has them unless smep=0 / smap=0.  With
 * SMAP on, the NOPs that stand where guest-memory accesses need STAC/CLAC
 * are patched into those instructions before the image is write-protected.
 */
#include <parva/lib.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

struct cpu_features cpu_features;

/* Xen's PAT, which PV guests are told about: WB, WT, UC-, UC, WC, WP, UC, UC. */
#define PAT_VALUE 0x0000050100070406ULL

/* smep=<bool>|hvm, smap=<bool>|hvm: "hvm" (for HVM guests only) means off here, as Parva has no HVM. */
static int8_t opt_smep = -1, opt_smap = -1;

static int parse_smx(const char *s, int8_t *opt)
{
    int b = *s ? parse_bool(s, NULL) : 1;     /* a bare "smep" means on */

    if ( b < 0 && !strcmp(s, "hvm") )
        b = 0;
    if ( b < 0 )
        return -EINVAL;
    *opt = b;
    return 0;
}
static int parse_smep(const char *s) { return parse_smx(s, &opt_smep); }
static int parse_smap(const char *s) { return parse_smx(s, &opt_smap); }
custom_param("smep", parse_smep);
custom_param("smap", parse_smap);

extern const int32_t __start_smap_stac_sites[], __stop_smap_stac_sites[];
extern const int32_t __start_smap_clac_sites[], __stop_smap_clac_sites[];

/* Turn the recorded 3-byte NOPs into STAC (0f 01 cb) or CLAC (0f 01 ca).  Text must still be writable. */
static void __init patch_smap_sites(const int32_t *start, const int32_t *end, uint8_t last)
{
    const int32_t *s;

    for ( s = start; s < end; s++ )
    {
        uint8_t *insn = (uint8_t *)s + *s;

        BUG_ON(insn[0] != 0x0f || insn[1] != 0x1f || insn[2] != 0x00);
        insn[0] = 0x0f;
        insn[1] = 0x01;
        insn[2] = last;
    }
}

void __init cpu_early_init(void)
{
    struct cpuid_regs r;
    struct cpu_features *f = &cpu_features;
    uint32_t max_ext;

    cpuid_count(0, 0, &r);
    f->max_leaf = r.eax;
    memcpy(f->vendor + 0, &r.ebx, 4);
    memcpy(f->vendor + 4, &r.edx, 4);
    memcpy(f->vendor + 8, &r.ecx, 4);
    f->vendor[12] = '\0';

    cpuid_count(1, 0, &r);
    f->family = (r.eax >> 8) & 0xf;
    if ( f->family == 0xf )
        f->family += (r.eax >> 20) & 0xff;
    f->model = (r.eax >> 4) & 0xf;
    if ( f->family >= 6 )
        f->model |= ((r.eax >> 16) & 0xf) << 4;
    f->stepping = r.eax & 0xf;
    f->x2apic = r.ecx & (1U << 21);
    f->tsc_deadline = r.ecx & (1U << 24);
    f->xsave = r.ecx & (1U << 26);
    f->hypervisor = r.ecx & (1U << 31);
    f->pge = r.edx & (1U << 13);
    f->apic = r.edx & (1U << 9);
    f->fxsr = r.edx & (1U << 24);

    if ( f->max_leaf >= 7 )
    {
        cpuid_count(7, 0, &r);
        f->smep = r.ebx & (1U << 7);
        f->smap = r.ebx & (1U << 20);
        f->fsgsbase = r.ebx & (1U << 0);
    }

    cpuid_count(0x80000000, 0, &r);
    max_ext = r.eax;
    if ( max_ext >= 0x80000001 )
    {
        cpuid_count(0x80000001, 0, &r);
        f->nx = r.edx & (1U << 20);
        f->page1gb = r.edx & (1U << 26);
    }
    if ( max_ext >= 0x80000007 )
    {
        cpuid_count(0x80000007, 0, &r);
        f->invariant_tsc = r.edx & (1U << 8);
    }
    if ( max_ext >= 0x80000008 )
        f->paddr_bits = cpuid_eax(0x80000008) & 0xff;
    if ( !f->paddr_bits )
        f->paddr_bits = 36;

    f->use_smep = f->smep && opt_smep != 0;
    f->use_smap = f->smap && opt_smap != 0;
    if ( f->use_smap )
    {
        patch_smap_sites(__start_smap_stac_sites, __stop_smap_stac_sites, 0xcb);
        patch_smap_sites(__start_smap_clac_sites, __stop_smap_clac_sites, 0xca);
    }

    printk("CPU Vendor: %s, Family %u (%#x), Model %u (%#x), Stepping %u\n",
           f->vendor, f->family, f->family, f->model, f->model, f->stepping);
    printk(XENLOG_INFO "CPU features:%s%s%s%s%s%s%s%s, %u physical address bits\n",
           f->nx ? " nx" : "", f->pge ? " pge" : "", f->page1gb ? " page1gb" : "",
           f->x2apic ? " x2apic" : "", f->tsc_deadline ? " tsc-deadline" : "",
           f->invariant_tsc ? " invariant-tsc" : "", f->smep ? " smep" : "", f->smap ? " smap" : "",
           f->paddr_bits);
    printk("SMEP %s, SMAP %s\n",
           f->use_smep ? "enabled" : f->smep ? "disabled (smep=0)" : "not available",
           f->use_smap ? "enabled" : f->smap ? "disabled (smap=0)" : "not available");
    if ( !f->nx )
        printk(XENLOG_WARNING "CPU has no NX: hypervisor data is executable\n");
}

/* Control registers, EFER and PAT for the calling CPU (boot CPU and every AP). */
void cpu_init_registers(void)
{
    const struct cpu_features *f = &cpu_features;
    unsigned long cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    uint64_t efer = rdmsr(MSR_EFER) | EFER_SCE;

    write_cr0(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_MP | X86_CR0_PE);
    if ( f->pge )
        cr4 |= X86_CR4_PGE;
    if ( f->use_smep )
        cr4 |= X86_CR4_SMEP;
    if ( f->use_smap )
        cr4 |= X86_CR4_SMAP;
    if ( f->nx )
        efer |= EFER_NXE;
    wrmsr(MSR_EFER, efer);
    wrmsr(MSR_PAT, PAT_VALUE);
    write_cr4(cr4);
    /* A clean EFLAGS (AC clear, interrupts off): with SMAP, only STAC opens guest memory. */
    __asm__ __volatile__("pushq $2; popfq" ::: "memory", "cc");
}

/* An AP must offer what the boot CPU turned on for everyone (the CR4/EFER bits would fault). */
bool cpu_matches_boot_cpu(char *missing, size_t len)
{
    const struct cpu_features *f = &cpu_features;
    struct cpuid_regs r7 = { 0 }, rx;

    if ( f->max_leaf >= 7 )
        cpuid_count(7, 0, &r7);
    cpuid_count(0x80000001, 0, &rx);
    missing[0] = '\0';
    if ( f->use_smep && !(r7.ebx & (1U << 7)) )
        strlcpy(missing, "SMEP", len);
    else if ( f->use_smap && !(r7.ebx & (1U << 20)) )
        strlcpy(missing, "SMAP", len);
    else if ( f->nx && !(rx.edx & (1U << 20)) )
        strlcpy(missing, "NX", len);
    return missing[0] == '\0';
}
