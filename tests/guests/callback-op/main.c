/*
 * callback-op - HYPERVISOR_callback_op: CALLBACKOP_register for every callback type a 64-bit PV guest
 * has (event, failsafe, syscall, syscall32, sysenter, NMI); other types are -ENOSYS (not -EINVAL), a
 * non-canonical address -EINVAL, unknown commands -ENOSYS; CALLBACKOP_unregister works only for the
 * NMI callback: the other existing types are refused with -EINVAL, unknown ones with -ENOSYS.
 */
#include "guest.h"

const char test_title[] = "callback_op";

extern char entry_event[], entry_failsafe[], entry_syscall[];

static long reg(unsigned int type, unsigned long address, unsigned int flags)
{
    struct callback_register cb = { .type = type, .flags = flags, .address = address };

    return hypercall_callback_op(CALLBACKOP_register, &cb);
}

static long unreg(unsigned int type)
{
    struct callback_unregister cb = { .type = type };

    return hypercall_callback_op(CALLBACKOP_unregister, &cb);
}

void test_main(start_info_t *si)
{
    unsigned long addr = (unsigned long)entry_syscall;
    check_rc("register event", reg(CALLBACKTYPE_event, (unsigned long)entry_event, CALLBACKF_mask_events), 0);
    check_rc("register failsafe", reg(CALLBACKTYPE_failsafe, (unsigned long)entry_failsafe,
                                      CALLBACKF_mask_events), 0);
    check_rc("register syscall", reg(CALLBACKTYPE_syscall, addr, CALLBACKF_mask_events), 0);
    check_rc("register syscall32", reg(CALLBACKTYPE_syscall32, addr, CALLBACKF_mask_events), 0);
    check_rc("register sysenter", reg(CALLBACKTYPE_sysenter, addr, CALLBACKF_mask_events), 0);
    check_rc("register nmi", reg(CALLBACKTYPE_nmi, addr, 0), 0);

    /* Types 3 (sysenter_deprecated), 6 and 8 do not exist for a 64-bit guest: -ENOSYS. */
    check_rc("register type 3", reg(CALLBACKTYPE_sysenter_deprecated, addr, 0), -ENOSYS);
    check_rc("register type 6", reg(6, addr, 0), -ENOSYS);
    check_rc("register type 8", reg(8, addr, 0), -ENOSYS);
    check_rc("register event at a non-canonical address", reg(CALLBACKTYPE_event, 0x8000000000000000ul, 0),
             -EINVAL);
    check_rc("re-register event",
             reg(CALLBACKTYPE_event, (unsigned long)entry_event, CALLBACKF_mask_events), 0);

    /* Unregistering: -EINVAL for the types that exist (except NMI: 0), -ENOSYS for the others. */
    for ( unsigned int t = 0; t < 9; t++ )
    {
        static const long want[9] = { -EINVAL, -EINVAL, -EINVAL, -ENOSYS, 0, -EINVAL, -ENOSYS, -EINVAL,
                                      -ENOSYS };
        char what[32];

        snprintf(what, sizeof(what), "unregister type %u", t);
        check_rc(what, unreg(t), want[t]);
    }
    check_rc("callback_op 2", hypercall_callback_op(2, NULL), -ENOSYS);
    check_rc("register from a bad pointer", hypercall_callback_op(CALLBACKOP_register,
                                                                  (void *)0x0000100000000000ul), -EFAULT);
    check_rc("re-register syscall", reg(CALLBACKTYPE_syscall, addr, CALLBACKF_mask_events), 0);
}
