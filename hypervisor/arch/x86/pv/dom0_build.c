/*
 * dom0_build.c (pv) - building the initial domain from its multiboot modules with the PV domain
 * builder (pv/domain_build.c): dom0's privilege, dom0_mem= and dom0_max_vcpus=.
 *
 * dom0's memory is sized by Xen's dom0_mem= rules (common/dom0_params.c) from
 * what is available when its kernel is decompressed, less what the boot-time
 * domUs (common/boot_domains.c) will need: without dom0_mem=, dom0 gets what
 * they leave.  If they want more than there is, dom0 is sized as if they
 * wanted nothing (dom0 comes first; the domUs that do not fit are skipped).
 */
#include <parva/bootinfo.h>
#include <parva/dom0.h>
#include <parva/domain.h>
#include <parva/printk.h>
#include <asm/pv_build.h>
#include <asm/pv_dom0.h>
#include <asm/smp.h>

static unsigned long dom0_size(unsigned long avail_pages, const struct pv_build_spec *spec)
{
    if ( spec->keep_pages >= avail_pages )
    {
        /* They cannot all fit anyway: dom0 comes first, and those that do not fit are skipped. */
        printk(XENLOG_WARNING "The boot-time domains want %lu MiB, more than the %lu MiB available: dom0 is "
               "sized as if they wanted none\n", spec->keep_pages >> (20 - PAGE_SHIFT),
               avail_pages >> (20 - PAGE_SHIFT));
        return dom0_compute_nr_pages(avail_pages);
    }
    return dom0_compute_nr_pages(avail_pages - spec->keep_pages);
}

int dom0_build(const struct boot_module *kernel, const struct boot_module *initrd, unsigned long keep_pages,
               struct domain **out)
{
    struct pv_build_spec spec = {
        .domid = 0,
        .privileged = true,
        .who = "dom0",
        .alloc_label = "Dom0 alloc.",
        .mem_option = "dom0_mem=",
        .kernel = kernel,
        .initrd = initrd,
        .cmdline = kernel->cmdline,
        .max_vcpus = dom0_compute_max_vcpus(nr_cpus_online, MAX_VIRT_CPUS),
        .size = dom0_size,
        .keep_pages = keep_pages,
    };
    int rc;

    printk("*** Building a PV Dom0 ***\n");
    rc = pv_build_domain(&spec, out);
    if ( !rc )
        printk("Dom0 has maximum %u VCPUs\n", spec.max_vcpus);
    return rc;
}
