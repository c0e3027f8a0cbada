/*
 * boot_domains.h - unprivileged domains built at boot from multiboot modules (parva/domU_params.h
 * has the convention), run next to dom0 or alone, and destroyed by the hypervisor when they end.
 *
 * At the end of boot (arch/x86/setup.c):
 *   1. boot_domains_prepare() parses every domU module's options, reports bad ones (that domain is
 *      not built, the others carry on), and returns the frames the domUs will need, so that dom0's
 *      default size leaves them that much;
 *   2. dom0 is built (if there is one), then boot_domains_build() builds the domUs in module order:
 *      memory from the heap (a domain that does not fit is reported and skipped), its vCPUs, the
 *      scheduling weight and cap (sched_adjust) and hard affinity (cpus=), and a console ring
 *      served by the hypervisor (common/console_ring.c);
 *   3. boot_domains_start() brings each domain's vCPU 0 up (vcpu_up).
 * When a boot-time domain shuts down or crashes (domain_shutdown calls boot_domain_shutdown),
 * there is no toolstack to clean up after it: the hypervisor destroys it, all its memory going back
 * to the heap, from a tasklet (parva/tasklet.h: a CPU's idle loop, never the CPU still running one
 * of its vCPUs), prints the heap's free frames before and after, and sends dom0 VIRQ_DOM_EXC.
 * Without a dom0 the machine powers off when the last one has gone (with noreboot it stays up).
 *
 * Locking: boot_domains_lock (irq-safe, a leaf) protects the table's run-time state (which
 * domains are alive); the table itself is filled at boot, on one CPU.
 */
#ifndef PARVA_BOOT_DOMAINS_H
#define PARVA_BOOT_DOMAINS_H

#include <parva/domU_params.h>
#include <parva/types.h>

struct boot_info;
struct boot_module;
struct domain;

/* Parse the domU modules of plan (reporting errors); the frames the valid ones will need. */
unsigned long boot_domains_prepare(const struct boot_info *bi, const struct boot_plan *plan);
/* Build the domUs that parsed; how many were built.  After dom0's build, before the modules are freed. */
unsigned int boot_domains_build(const struct boot_info *bi);
/* Bring up vCPU 0 of every domU built; dom0_exists: whether the machine outlives them. */
void boot_domains_start(bool dom0_exists);

/* From domain_shutdown(), any context: d has shut down; if it is a boot-time domain, destroy it soon. */
void boot_domain_shutdown(struct domain *d);
/* XEN_DOMCTL_destroydomain of d (running or not): stop its vCPUs and destroy it soon, as after a
 * shutdown.  0 (also when it is already ending), or -EOPNOTSUPP if d is not a boot-time domain. */
int boot_domain_destroy(struct domain *d);

/*
 * Arch hooks (x86: pv/domain_build.c).  Build domain p->id from kernel (and initrd) as an
 * unprivileged PV domain with p's memory, vCPUs and command line, and a console page handed to
 * console(d, page, arg), which returns the guest's port; 0 and *d, or -errno after a report.
 */
int arch_boot_domain_build(const struct domU_params *p, const char *who, const struct boot_module *kernel,
                           const struct boot_module *initrd, int (*console)(struct domain *d, void *page, void *arg),
                           void *arg, struct domain **d);
/* Frames building this kernel needs for a while besides the domain's own (e.g. to decompress it). */
unsigned long arch_boot_domain_build_extra(const struct boot_module *kernel);

#endif /* PARVA_BOOT_DOMAINS_H */
