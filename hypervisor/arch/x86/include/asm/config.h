/*
 * config.h - the hypervisor's virtual address map (x86-64).
 *
 * Parva lives inside the 8 TiB that every 64-bit PV guest leaves to the
 * hypervisor, L4 slots 256-271 (0xffff800000000000-0xffff87ffffffffff,
 * HYPERVISOR_VIRT_START..END in Xen's public headers), and uses the same
 * layout as Xen so that guests, dumps and tools see familiar addresses:
 *
 *  0xffff800000000000 - 0xffff803fffffffff  256 GiB  L4 256  read-only M2P table (guest readable)
 *  0xffff804000000000 - 0xffff807fffffffff  256 GiB  L4 256  reserved (guest readable)
 *  0xffff808000000000 - 0xffff81ffffffffff  1.5 TiB  L4 257-259  reserved
 *  0xffff820000000000 - 0xffff827fffffffff  512 GiB  L4 260  per-domain mappings (GDT/LDT)
 *  0xffff828000000000 - 0xffff82bfffffffff  256 GiB  L4 261  read-write M2P table
 *  0xffff82c000000000 - 0xffff82cfffffffff   64 GiB  L4 261  vmap: ioremap, stacks with guard pages
 *  0xffff82d040000000 - 0xffff82d07fffffff    1 GiB  L4 261  hypervisor text, data, bss
 *  0xffff82e000000000 - 0xffff82ffffffffff  128 GiB  L4 261  frame table (struct page_info[])
 *  0xffff830000000000 - 0xffff87ffffffffff    5 TiB  L4 262-271  direct map of all RAM
 *
 * The low half (L4 slots 0-255) and 272-511 belong to the guest.  The
 * hypervisor's idle page tables map only the AP trampoline page there.
 */
#ifndef ASM_CONFIG_H
#define ASM_CONFIG_H

#ifdef __ASSEMBLY__
#define _AC(x, s) x
#else
#define _AC(x, s) x##s
#endif

#define PARVA_VERSION_MAJOR   0
#define PARVA_VERSION_MINOR   1
/* The guest ABI Parva implements. */
#define XEN_ABI_MAJOR         4
#define XEN_ABI_MINOR         17

#define PML4_SLOT_SHIFT       39
#define PML4_ADDR(slot)       (_AC(0xffff000000000000, UL) | ((_AC(1, UL) * (slot)) << PML4_SLOT_SHIFT))

#define HYPERVISOR_SLOT_FIRST 256
#define HYPERVISOR_SLOT_LAST  271
#define HV_AREA_START         PML4_ADDR(HYPERVISOR_SLOT_FIRST)
#define HV_AREA_END           PML4_ADDR(HYPERVISOR_SLOT_LAST + 1)

#define RO_MPT_VIRT_START     PML4_ADDR(256)
#define RO_MPT_VIRT_END       (RO_MPT_VIRT_START + _AC(0x4000000000, UL))
#define PERDOMAIN_VIRT_START  PML4_ADDR(260)
#define PERDOMAIN_VIRT_END    PML4_ADDR(261)
#define RDWR_MPT_VIRT_START   PML4_ADDR(261)
#define RDWR_MPT_VIRT_END     (RDWR_MPT_VIRT_START + _AC(0x4000000000, UL))
#define VMAP_VIRT_START       _AC(0xffff82c000000000, UL)
#define VMAP_VIRT_END         _AC(0xffff82d000000000, UL)
#define HV_VIRT_START         _AC(0xffff82d040000000, UL)
#define HV_VIRT_END           _AC(0xffff82d080000000, UL)
#define FRAMETABLE_VIRT_START _AC(0xffff82e000000000, UL)
#define FRAMETABLE_VIRT_END   PML4_ADDR(262)
#define DIRECTMAP_VIRT_START  PML4_ADDR(262)
#define DIRECTMAP_VIRT_END    PML4_ADDR(272)

/* The hypervisor image is loaded at this machine address (2 MiB) and runs at HV_VIRT_START + it. */
#define HV_LOAD_PADDR         _AC(0x200000, UL)

/* Per-CPU stack block: 8 pages, aligned to its size; struct cpu_info sits at its top. */
#define STACK_ORDER           3
#define STACK_SIZE            (_AC(4096, UL) << STACK_ORDER)

#define NR_CPUS               64

#endif /* ASM_CONFIG_H */
