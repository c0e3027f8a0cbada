/* pci_cfg.h - the hardware domain's PCI configuration space accesses through ports 0xcf8/0xcfc. */
#ifndef ASM_PCI_CFG_H
#define ASM_PCI_CFG_H

#include <parva/types.h>

struct domain;

/*
 * A guest's port access (pv/emulate.c, before its port checks): true if it concerned PCI
 * configuration space (CONFIG_ADDRESS as a 4-byte access, CONFIG_DATA) and was carried out or
 * refused here; false for any other port.  Only the privileged domain reaches the hardware.
 */
bool pci_cfg_in(struct domain *d, unsigned int port, unsigned int size, uint32_t *val);
bool pci_cfg_out(struct domain *d, unsigned int port, unsigned int size, uint32_t val);
/* Keep dom0 from writing one function's configuration space (a device the hypervisor drives). */
int pci_cfg_protect(unsigned int bus, unsigned int devfn);

#endif /* ASM_PCI_CFG_H */
