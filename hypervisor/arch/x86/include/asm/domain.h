/*
 * domain.h (x86) - the x86-64 PV state of a domain and of a vCPU.
 *
 * A PV vCPU runs both its kernel and its user space in ring 3; `kernel_mode`
 * says which one the guest thinks is running.  The kernel's and the user's
 * root page tables are guest_table and guest_table_user (machine frame
 * numbers, each holding an L4 type reference while installed).  The GS
 * bases swap with the mode.  Guest registers live on the physical CPU's
 * stack (cpu_info) while the vCPU runs, and in `regs` while it does not.
 */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <parva/memmap.h>
#include <parva/public.h>
#include <parva/spinlock.h>

/* The bounce the entry code performs on the next return to the guest. */
struct trap_bounce {
    uint32_t error_code;
    uint8_t flags;                  /* TBF_* */
    uint8_t vector;                 /* for diagnostics */
    unsigned long eip;              /* guest handler */
};
#define TBF_EXCEPTION       1       /* a frame is pending */
#define TBF_EXCEPTION_ERRCODE 2     /* ... with an error code */
#define TBF_INTERRUPT       8       /* mask events on delivery */
#define TBF_FAILSAFE        16      /* the failsafe frame (segment registers) */

/* Callbacks registered with callback_op, indexed by CALLBACKTYPE_* of the public callback.h. */
#define PV_NR_CALLBACKS     8
struct pv_callback {
    unsigned long eip;
    bool mask_events;
};

/* The virtual machine-check banks (pv/vmce.c). */
#define PV_VMCE_BANKS   2
struct pv_vmce {
    uint64_t mcg_status;
    struct { uint64_t status, addr, misc, ctl2; } bank[PV_VMCE_BANKS];
};

struct arch_vcpu {
    struct cpu_user_regs regs;      /* guest registers while not running */
    bool kernel_mode;
    unsigned long guest_table;      /* kernel L4 mfn (0: none) */
    unsigned long guest_table_user; /* user L4 mfn (0: none) */
    unsigned long kernel_ss, kernel_sp;
    unsigned long fs_base, gs_base_kernel, gs_base_user;
    struct trap_info trap_ctxt[256];
    struct pv_callback callbacks[PV_NR_CALLBACKS];
    struct trap_bounce trap_bounce;
    unsigned long gdt_frames[16];
    unsigned int gdt_ents;
    unsigned long ldt_base;
    unsigned int ldt_ents;
    unsigned long ldt_frames[16];   /* segment-descriptor type references held for the LDT */
    unsigned int ldt_nr_frames;
    unsigned long ctrlreg[8];       /* virtual CR0 (TS) and CR4 */
    unsigned long debugreg[8];
    unsigned int iopl;              /* virtual IOPL (PHYSDEVOP_set_iopl) */
    unsigned long runstate_guest;   /* guest VA of its runstate area, 0 for none */
    unsigned long time_guest;       /* guest VA of its second vcpu_time_info (the vDSO's), 0: none */
    struct pv_vmce vmce;
    uint8_t fpu[512] __attribute__((__aligned__(16)));  /* FXSAVE image */
    bool fpu_initialised;
};

struct pirq_domain;

struct arch_domain {
    struct memmap_entry e820[16];   /* pseudo-physical map set by the toolstack (XENMEM_memory_map) */
    unsigned int nr_e820;
    bool has_hypercall_page;
    unsigned long p2m_va;           /* where the builder mapped the p2m list (diagnostics) */
    /*
     * The PV MMU lock (arch/x86/pv/page_type.c): serialises every change to
     * this domain's page tables, pins and roots, i.e. all page-table type
     * changes of its frames.  Outside page_alloc_lock; never two at once.
     */
    spinlock_t mm_lock;
    uint64_t dirty_cpus;            /* CPUs that may hold TLB entries for the domain (a superset; never cleared yet) */
    struct pirq_domain *pirq;       /* physical interrupts (arch/x86/pirq.c), NULL until the first use */
    uint32_t pci_cf8;               /* the domain's view of PCI CONFIG_ADDRESS (arch/x86/pci_cfg.c) */
};

#endif /* ASM_DOMAIN_H */
