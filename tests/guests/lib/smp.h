/*
 * smp.h - secondary vCPUs for the test kernels, brought up the way Linux does (arch/x86/xen/smp_pv.c).
 *
 * Design: every vCPU has a struct smp_vcpu, found through its kernel GS base (%gs:0 is the struct,
 * %gs:8 its id): vCPU 0 sets its own with set_segment_base in smp_init(), a secondary gets it in its
 * first context (gs_base_kernel), as Linux's per-CPU area. Until smp_init() ran, smp_id() is 0 without
 * touching %gs, so tests that never start a secondary vCPU (and may change GS) are unaffected.
 *
 * Bringing up vCPU n (smp_bring_up): smp_prepare() takes a kernel stack (SMP_STACK_PAGES from the
 * page pool) and a GDT page (zeroed, remapped read-only: the framework only uses Xen's flat selectors,
 * but the frame is registered as Linux registers its per-CPU GDT), and optionally moves the vCPU's
 * vcpu_info out of shared_info with VCPUOP_register_vcpu_info (allowed while it is down);
 * smp_initialise() fills a struct vcpu_guest_context (entry %rip/%rsp/%rdi, flat kernel selectors,
 * the framework's virtual IDT in trap_ctxt, the GDT frame, kernel_ss/sp, the current L4 in
 * ctrlreg[3], the event/failsafe/syscall callbacks, gs_base_kernel) and makes VCPUOP_initialise;
 * smp_up() makes VCPUOP_up and waits until the vCPU runs its entry code (smp_secondary_entry).
 *
 * A secondary vCPU then waits for work (smp_post / smp_run), blocked in SCHEDOP_block with events
 * enabled; each vCPU has a framework IPI port ("kick" port, EVTCHNOP_bind_ipi to it) that wakes it.
 * Event delivery is evtchn.c's per-vCPU upcall. Reports from secondary vCPUs are allowed (the result
 * line is printed once), but exec_user() and the exception records (ex_last) are vCPU 0's only.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "types.h"
#include <xen/xen.h>
#include <xen/event_channel.h>

#define SMP_MAX_VCPUS       8
#define SMP_STACK_PAGES     4

/* Work for a secondary vCPU: fn(arg), run with events enabled. */
typedef void (*smp_work_t)(void *arg);

struct smp_vcpu
{
    struct smp_vcpu *self;              /* %gs:0 */
    unsigned long id;                   /* %gs:8 */
    vcpu_info_t *info;                  /* this vCPU's vcpu_info (vCPU 0: vcpu0_info) */
    unsigned int dispatch_depth;        /* traps.c: nesting of trap_dispatch */
    evtchn_port_t kick_port;            /* the framework's IPI port bound to this vCPU */
    unsigned long stack_top;            /* secondaries: top of the kernel stack */
    uint64_t *gdt;                      /* secondaries: the GDT page (read-only) */
    volatile bool online;               /* the secondary ran its entry code */
    volatile bool entry_ok;             /* ... and found itself through %gs */
    volatile uint8_t entry_upcall_mask; /* its upcall mask at entry */
    smp_work_t volatile work;           /* posted work, NULL when idle */
    void *volatile work_arg;
    volatile unsigned int work_from;    /* who posted it (kicked when done) */
    volatile unsigned long work_done;   /* works completed */
    volatile unsigned long upcalls;     /* event upcalls taken (evtchn.c) */
    volatile unsigned long spurious;    /* upcalls that found no port to handle */
};

extern struct smp_vcpu smp_vcpus[SMP_MAX_VCPUS];
extern unsigned int smp_nr_vcpus;       /* vCPUs of this domain (set by smp_init) */
extern bool smp_ready;                  /* smp_init() has run: %gs holds the per-vCPU pointer */

/* The calling vCPU's id. */
static inline unsigned int smp_id(void)
{
    unsigned long id;

    if ( !ACCESS_ONCE(smp_ready) )
        return 0;
    asm volatile ( "mov %%gs:8, %0" : "=r" (id) );
    return id;
}

static inline struct smp_vcpu *smp_this(void)
{
    return &smp_vcpus[smp_id()];
}

/* The calling vCPU's vcpu_info. */
vcpu_info_t *this_vcpu_info(void);

/*
 * vCPU 0, once: counts the domain's vCPUs (VCPUOP_is_up until -ENOENT), sets vCPU 0's kernel GS base,
 * installs the event upcall (evtchn_init) and binds a kick port for every vCPU. 0 or an error.
 */
long smp_init(void);
/* Stack and GDT for vCPU id; with own_vcpu_info, VCPUOP_register_vcpu_info to a pool page. */
long smp_prepare(unsigned int id, bool own_vcpu_info);
/* Fills ctx with the first context of vCPU id (smp_prepare must have run). */
void smp_fill_context(unsigned int id, struct vcpu_guest_context *ctx);
/* VCPUOP_initialise with smp_fill_context's context; the hypercall's result. */
long smp_initialise(unsigned int id);
/* VCPUOP_up, then waits (up to 5 s) for the vCPU to run its entry code; the hypercall's result, or
   -ETIMEDOUT. */
long smp_up(unsigned int id);
/* smp_prepare + smp_initialise + smp_up; reports an error and returns false on failure. */
bool smp_bring_up(unsigned int id, bool own_vcpu_info);

/* Posts fn(arg) to an idle secondary vCPU and kicks it. */
void smp_post(unsigned int id, smp_work_t fn, void *arg);
/* Waits (blocked) until vCPU id has no work left. */
void smp_wait_idle(unsigned int id);
/* smp_post + smp_wait_idle. */
void smp_run(unsigned int id, smp_work_t fn, void *arg);
/* Runs fn(arg) on every vCPU that is online (vCPU 0 itself included) and waits for all. */
void smp_run_all(smp_work_t fn, void *arg);

/* VCPUOP_is_up / VCPUOP_up / VCPUOP_down; the hypercall's result. */
long smp_is_up(unsigned int id);
long smp_vcpu_up(unsigned int id);
long smp_vcpu_down(unsigned int id);
/* VCPUOP_get_runstate_info. */
long smp_runstate(unsigned int id, struct vcpu_runstate_info *ri);

/* A raw rdtsc. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    asm volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
    return ((uint64_t)hi << 32) | lo;
}

/* Spins (with pause) for ns nanoseconds of system time; events are taken as they come. */
void smp_spin_ns(uint64_t ns);

/*
 * Waits, blocked, until cond holds: events masked while cond is tested, then SCHEDOP_block (which
 * unmasks them and returns at once if one is pending), so a wake-up between test and block is never
 * lost. Events are enabled afterwards. cond is re-evaluated after every upcall.
 */
#define smp_wait_until(cond)                                        \
    do {                                                            \
        for ( ;; )                                                  \
        {                                                           \
            this_vcpu_info()->evtchn_upcall_mask = 1;               \
            barrier();                                              \
            if ( cond )                                             \
                break;                                              \
            hypercall_sched_op(SCHEDOP_block, NULL);                \
        }                                                           \
        evtchn_enable();                                            \
    } while ( 0 )

/*
 * The end of a multi-vCPU test: takes every other vCPU down, prints the result line, then makes
 * VCPUOP_down on itself, the last vCPU that is up. Xen 4.17 then shuts the domain down with
 * SHUTDOWN_poweroff (common/domain.c, VCPUOP_down: "Last vcpu going down?"); if the hypercall
 * returns instead, says so ("VCPUOP_down of the last vCPU returned ...") and powers off. A test
 * that ends this way is judged by an `expect` file.
 */
void __noreturn smp_finish_by_last_down(void);

#endif /* GUEST_SMP_H */
