/* m2p.h - the machine-to-physical table and the machine memory map, as guests see them. */
#ifndef ASM_M2P_H
#define ASM_M2P_H

#include <parva/memmap.h>
#include <parva/types.h>

#define INVALID_M2P_ENTRY   (~0UL)

void m2p_init(void);
unsigned long m2p_max_mfn(void);        /* entries in the table */
void set_gpfn_from_mfn(unsigned long mfn, unsigned long pfn);
unsigned long get_gpfn_from_mfn(unsigned long mfn);
/* The hypervisor's L4 slots (256-271) for a guest L4 being validated. */
void pv_init_hv_l4_slots(uint64_t *l4);

/* The firmware memory map (sanitised), for XENMEM_machine_memory_map (setup.c). */
const struct memmap_entry *machine_memmap(unsigned int *nr);

#endif /* ASM_M2P_H */
