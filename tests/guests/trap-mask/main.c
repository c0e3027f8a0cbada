/*
 * trap-mask - the event mask across exception delivery: a trap gate with flag bit 2 (TI_SET_IF) sets
 * vcpu_info.evtchn_upcall_mask while the handler runs; a gate without it leaves the mask alone. The
 * mask in force before the exception is saved in CS bits 32-39 and as !RFLAGS.IF, and HYPERVISOR_iret
 * restores it from RFLAGS.IF.
 */
#include "guest.h"

const char test_title[] = "event mask on exception delivery";

static void ud_with_mask(const char *what, uint8_t mask_before, unsigned int gate_flags, uint8_t mask_in)
{
    char buf[96];

    traps_set_flags(6, gate_flags);
    vcpu0_info->evtchn_upcall_mask = mask_before;
    barrier();
    ex_reset();
    asm volatile ( "1: ud2\n2:\n" _ASM_EXTABLE(1b, 2b) ::: "memory" );
    barrier();

    snprintf(buf, sizeof(buf), "%s: mask in the handler", what);
    check_eq(buf, ex_last.upcall_mask, mask_in);
    snprintf(buf, sizeof(buf), "%s: saved mask in cs[39:32]", what);
    check_eq(buf, ex_last.cs >> 32, mask_before);
    snprintf(buf, sizeof(buf), "%s: rflags.IF", what);
    check_eq(buf, !!(ex_last.rflags & X86_EFLAGS_IF), !mask_before);
    snprintf(buf, sizeof(buf), "%s: mask after iret", what);
    check_eq(buf, vcpu0_info->evtchn_upcall_mask, mask_before);

    vcpu0_info->evtchn_upcall_mask = 1;
}

void test_main(start_info_t *si)
{
    /* Nothing is bound, so nothing can be pending: unmasking is harmless. */
    check_eq("evtchn_upcall_pending", vcpu0_info->evtchn_upcall_pending, 0);

    ud_with_mask("masked, trap gate", 1, 0, 1);
    ud_with_mask("unmasked, trap gate", 0, 0, 0);
    ud_with_mask("masked, interrupt gate", 1, 4, 1);
    ud_with_mask("unmasked, interrupt gate", 0, 4, 1);
    traps_set_flags(6, 0);
}
