/* pv_bounce.h - building a PV guest's exception frame, and reading the one HYPERVISOR_iret takes. */
#ifndef ASM_PV_BOUNCE_H
#define ASM_PV_BOUNCE_H

#include <parva/public.h>

#define PV_BOUNCE_MAX_WORDS 8

struct pv_bounce {
    bool guest_kernel_mode;     /* the mode the guest was in when the event happened */
    unsigned long kernel_sp;    /* the guest kernel's stack (stack_switch), used from user mode */
    uint8_t upcall_mask;        /* evtchn_upcall_mask before delivery (saved in CS[39:32]) */
    unsigned int iopl;          /* virtual IOPL, shown in RFLAGS */
    bool has_error;
    uint32_t error_code;
    unsigned long handler;      /* guest address to continue at */
};

/*
 * Compute the frame (frame[0] is the lowest address, RCX) and the guest
 * registers that run the handler; *frame_va is where the frame goes.
 * Returns the number of 8-byte words.  Writing the frame is the caller's.
 */
unsigned int pv_bounce_frame(const struct cpu_user_regs *regs, const struct pv_bounce *b,
                             uint64_t frame[PV_BOUNCE_MAX_WORDS], uint64_t *frame_va,
                             struct cpu_user_regs *out);

/*
 * Apply a HYPERVISOR_iret frame to regs.  *to_user: the frame returns to
 * guest user mode (CS RPL 3).  *upcall_mask: the event mask it restores
 * (!RFLAGS.IF).  -EINVAL for a non-canonical RIP or RSP.
 */
int pv_iret_frame(const struct iret_context *f, struct cpu_user_regs *regs, bool *to_user, uint8_t *upcall_mask);

#endif /* ASM_PV_BOUNCE_H */
