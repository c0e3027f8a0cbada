/*
 * sysctl.c (x86) - the machine's part of XEN_SYSCTL_physinfo and of a domain's information:
 * the TSC's rate, the CPU's feature words, the physical address width.
 */
#include <parva/domain.h>
#include <parva/domctl.h>
#include <parva/lib.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <asm/time.h>

unsigned int arch_domain_gpaddr_bits(const struct domain *d)
{
    (void)d;
    return cpu_features.paddr_bits;     /* a PV guest sees machine addresses (Xen: paddr_bits) */
}

void arch_physinfo(struct xen_sysctl_physinfo *pi)
{
    struct cpuid_regs r;

    pi->cpu_khz = (uint32_t)tsc_khz;
    /* No XEN_SYSCTL_PHYSCAP_directio: that means an IOMMU for passing devices through (as Xen). */
    /* hw_cap as Xen fills it: the raw feature words, leaf 1 edx/ecx, 0x80000001 edx/ecx, 7 ebx. */
    cpuid_count(1, 0, &r);
    pi->hw_cap[0] = r.edx;
    pi->hw_cap[4] = r.ecx;
    cpuid_count(0x80000001, 0, &r);
    pi->hw_cap[1] = r.edx;
    pi->hw_cap[6] = r.ecx;
    cpuid_count(7, 0, &r);
    pi->hw_cap[5] = r.ebx;
}
