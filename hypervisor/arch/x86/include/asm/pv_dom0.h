/* pv_dom0.h - building the initial PV domain from the boot modules. */
#ifndef ASM_PV_DOM0_H
#define ASM_PV_DOM0_H

struct boot_module;
struct domain;

/*
 * Build dom0 from its kernel module (and initrd, or NULL), leaving keep_pages of the available
 * memory to the boot-time domains; 0 and *d, or -errno after a clear report.
 */
int dom0_build(const struct boot_module *kernel, const struct boot_module *initrd, unsigned long keep_pages,
               struct domain **d);

#endif /* ASM_PV_DOM0_H */
