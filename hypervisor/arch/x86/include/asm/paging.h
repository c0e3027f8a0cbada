/* paging.h - the hypervisor's own mappings: map/unmap, ioremap, stacks, boot-time setup. */
#ifndef ASM_PAGING_H
#define ASM_PAGING_H

#include <parva/types.h>
#include <asm/page.h>

struct boot_info;

/* Software flag for map_pages: use 4 KiB pages only (never stored in an entry). */
#define MAP_SMALL       (1UL << 52)

extern uint64_t *idle_pg_table;

/* Map nr frames from mfn at va with the given entry flags (PAGE_HV_*), using superpages when aligned. */
int map_pages(unsigned long va, unsigned long mfn, unsigned long nr, uint64_t flags);
void unmap_pages(unsigned long va, unsigned long nr);
/* Reserve address space (nothing mapped) in the vmap area; 0 when exhausted. */
unsigned long vmap_reserve(unsigned long nr, unsigned long align);
/* Map a machine range (device registers, firmware tables) into the vmap area. */
void *ioremap(paddr_t pa, size_t size, uint64_t flags);
/* A CPU stack block (asm/current.h) in the vmap area, guard page unmapped; 0 if out of memory. */
unsigned long alloc_stack_block(void);

void paging_init(const struct boot_info *bi, unsigned long trampoline_mfn);
void frametable_init(unsigned long nr_frames);
void heap_is_up(void);
/* Remove a guest-half L4 slot from the idle tables and free its page tables. */
void pt_free_guest_slot(unsigned int slot);
void protect_selftest(void);

#endif /* ASM_PAGING_H */
