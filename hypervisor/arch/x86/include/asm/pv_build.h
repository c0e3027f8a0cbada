/*
 * pv_build.h - building a PV domain from a kernel image (and an initrd), as Xen 4.17's PV builders
 * do: dom0 (pv/dom0_build.c) and the boot-time domUs (common/boot_domains.c) share it.
 */
#ifndef ASM_PV_BUILD_H
#define ASM_PV_BUILD_H

#include <parva/types.h>

struct boot_module;
struct domain;

struct pv_build_spec {
    unsigned int domid;
    bool privileged;                    /* dom0: SIF_INITDOMAIN | SIF_PRIVILEGED, needs XENFEAT_dom0 */
    const char *who;                    /* in messages: "dom0", "domain 1 (ping)" */
    const char *alloc_label;            /* the arrangement's memory line: "Dom0 alloc.", "DomU alloc." */
    const char *mem_option;             /* the option that sized it, for a too-small domain: "dom0_mem=" */
    const struct boot_module *kernel;
    const struct boot_module *initrd;   /* or NULL */
    const char *cmdline;                /* the guest's command line (start_info, 1023 characters at most) */
    unsigned int max_vcpus;
    /*
     * Memory: nr_pages frames; or, when size() is given, size(avail, spec): avail is the heap's free
     * frames less what the hypervisor keeps for itself, counted once the kernel is decompressed.
     * A domain that does not fit in avail is not built.
     */
    unsigned long nr_pages;
    unsigned long (*size)(unsigned long avail_pages, const struct pv_build_spec *spec);
    unsigned long keep_pages;           /* for size(): frames to leave to other domains (dom0) */
    /*
     * A console ring page (domUs): the builder places one page in the bootstrap region, after
     * start_info, and once nothing else can fail calls console(d, page, console_arg), which serves
     * it and returns the guest's port (or -errno: the build fails); start_info.console.domU gets
     * the page's frame and that port.  NULL: no console page (dom0 uses console_io).
     */
    int (*console)(struct domain *d, void *page, void *arg);
    void *console_arg;
};

/* Build the domain: 0 and *d (its vCPU 0 initialised, every vCPU still down), or -errno after a report. */
int pv_build_domain(const struct pv_build_spec *spec, struct domain **d);

/* Frames the hypervisor keeps for itself when sizing domains. */
#define PV_BUILD_HV_RESERVE_PAGES   (16UL << (20 - 12))

#endif /* ASM_PV_BUILD_H */
