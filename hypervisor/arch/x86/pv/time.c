/*
 * time.c (pv) - the time a PV vCPU reads without a hypercall: the pvclock in its vcpu_info.
 *
 * vcpu_info.time carries a TSC timestamp, the system time (ns since boot)
 * at that TSC value and the TSC-to-ns scale; the guest extrapolates with
 * RDTSC.  Updates follow the version protocol: odd while being written.
 * The values are refreshed whenever the vCPU starts running on a CPU.
 *
 * A guest may register a second copy in its own memory
 * (VCPUOP_register_vcpu_time_memory_area: Linux's vDSO reads it from user
 * mode); it is written with the same protocol, in three steps as Xen does
 * (an odd version, the fields, the even version), from the vCPU's own
 * address space.  A copy that faults is dropped: the guest unmapped it.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/guest_access.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/time.h>
#include <xen/xen.h>

void pv_time_update(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;
    int8_t shift;
    uint32_t mul;

    tsc_pvclock_scale(&shift, &mul);
    t->version++;
    if ( !(t->version & 1) )
        t->version++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = rdtsc_ordered();
    t->system_time = now_ns();
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->version++;
    pv_time_update_guest_copy(v);
}

void pv_time_update_guest_copy(struct vcpu *v)
{
    struct vcpu_time_info copy = v->vcpu_info->time;
    unsigned long va = v->arch.time_guest;

    if ( !va )
        return;
    copy.version |= 1;                                  /* odd: being written */
    (void)copy_to_guest_va(va + offsetof(struct vcpu_time_info, version), &copy.version,
                           sizeof(copy.version));
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    (void)copy_to_guest_va(va, &copy, sizeof(copy));
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    copy.version++;                                     /* even: done */
    (void)copy_to_guest_va(va + offsetof(struct vcpu_time_info, version), &copy.version,
                           sizeof(copy.version));
}
