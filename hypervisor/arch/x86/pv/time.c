/*
 * time.c (pv) - the time a PV vCPU reads without a hypercall: the pvclock in its vcpu_info.
 *
 * vcpu_info.time carries a TSC timestamp, the system time (ns since boot)
 * at that TSC value and the TSC-to-ns scale; the guest extrapolates with
 * RDTSC.  Updates follow the version protocol: odd while being written.
 * The values are refreshed whenever the vCPU starts running on a CPU.
 */
#include <parva/domain.h>
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
}
