/*
 * io-port - port I/O by a PV dom0. Without an I/O privilege level an in/out from the guest kernel is a
 * #GP(0). PHYSDEVOP_set_iopl(1) lets the guest kernel (virtual ring 1) do port I/O: ports dom0 may use
 * reach the device (QEMU's fw_cfg signature "QEMU" at 0x510/0x511), ports the hypervisor keeps for
 * itself read as all-ones and ignore writes (Xen's list: PIC 0x20/0xa0, PIT 0x40, and its own UART
 * 0x3f8-0x3ff). User mode needs iopl 3. The virtual IOPL does not show in RFLAGS, neither in bounce
 * frames nor to pushf (without VMASST architectural_iopl).
 */
#include "guest.h"

const char test_title[] = "port I/O and PHYSDEVOP_set_iopl";

static bool inb_safe(uint16_t port, uint8_t *v)
{
    uint8_t val = 0;
    bool ok = false;

    asm volatile ( "1: inb %[port], %[val]\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [val] "+a" (val), [ok] "+r" (ok) : [port] "d" (port) : "memory" );
    *v = val;
    return ok;
}

static bool outw_safe(uint16_t port, uint16_t v)
{
    bool ok = false;

    asm volatile ( "1: outw %[val], %[port]\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok) : [port] "d" (port), [val] "a" (v) : "memory" );
    return ok;
}

static bool outb_safe(uint16_t port, uint8_t v)
{
    bool ok = false;

    asm volatile ( "1: outb %[val], %[port]\n\t"
                   "mov $1, %[ok]\n\t"
                   "2:\n\t"
                   _ASM_EXTABLE(1b, 2b)
                   : [ok] "+r" (ok) : [port] "d" (port), [val] "a" (v) : "memory" );
    return ok;
}

asm ( ".pushsection .user.text, \"ax\", @progbits\n"
      "user_inb:\n"
      "    mov $0x511, %edx\n"
      "user_inb_insn:\n"
      "    inb %dx, %al\n"
      "    movzbl %al, %eax\n"
      "    ret\n"
      ".popsection" );
extern char user_inb[], user_inb_insn[];

static long set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl s = { .iopl = iopl };

    return hypercall_physdev_op(PHYSDEVOP_set_iopl, &s);
}

void test_main(start_info_t *si)
{
    static const uint16_t denied[] = { 0x21, 0xa1, 0x40, 0x3f9, 0x3fd };
    uint8_t v = 0, sig[4];
    long ret;

    /* No I/O privilege yet: #GP(0). */
    ex_reset();
    check(!inb_safe(0x511, &v), "inb without iopl did not fault");
    check_eq("inb without iopl: vector", ex_last.vector, 13);
    check_eq("inb without iopl: error code", ex_last.error_code, 0);
    ex_reset();
    check(!outb_safe(0x80, 0), "outb without iopl did not fault");
    check_eq("outb without iopl: vector", ex_last.vector, 13);

    check_rc("PHYSDEVOP_set_iopl(4)", set_iopl(4), -EINVAL);
    if ( !check_rc("PHYSDEVOP_set_iopl(1)", set_iopl(1), 0) )
        return;

    /* A port dom0 owns: the fw_cfg signature. */
    if ( check(outw_safe(0x510, 0), "outw to fw_cfg faulted") )
    {
        for ( unsigned int i = 0; i < 4; i++ )
            check(inb_safe(0x511, &sig[i]), "inb from fw_cfg faulted");
        check(!memcmp(sig, "QEMU", 4), "fw_cfg signature %02x %02x %02x %02x, expected \"QEMU\"",
              sig[0], sig[1], sig[2], sig[3]);
    }

    /* Ports the hypervisor keeps: all-ones, writes ignored (no fault). */
    for ( unsigned int i = 0; i < ARRAY_SIZE(denied); i++ )
    {
        if ( check(inb_safe(denied[i], &v), "inb(%#x) faulted", denied[i]) )
            check(v == 0xff, "inb(%#x) of a hypervisor-owned port returned %#x, expected 0xff", denied[i], v);
    }
    check(outb_safe(0x3f9, 0), "outb to the hypervisor's UART faulted");
    check(outb_safe(0x21, 0xff), "outb to the PIC faulted");

    /* Neither the bounce frame's RFLAGS nor pushf shows the virtual IOPL (no architectural_iopl). */
    ex_reset();
    asm volatile ( "1: ud2\n2:\n" _ASM_EXTABLE(1b, 2b) ::: "memory" );
    check_eq("rflags.IOPL in a bounce frame with iopl 1", ex_last.rflags & X86_EFLAGS_IOPL, 0);
    check_eq("real rflags.IOPL (pushf)", read_flags() & X86_EFLAGS_IOPL, 0);

    /* User mode (ring 3) needs iopl 3. */
    ex_reset();
    check(!exec_user((long (*)(long))user_inb, 0, &ret), "user inb with iopl 1 did not fault");
    check_eq("user inb with iopl 1: vector", ex_last.vector, 13);
    check_eq("user inb with iopl 1: rip", ex_last.rip, (unsigned long)user_inb_insn);
    if ( check_rc("PHYSDEVOP_set_iopl(3)", set_iopl(3), 0) )
    {
        outw_safe(0x510, 0);
        if ( check(exec_user((long (*)(long))user_inb, 0, &ret), "user inb with iopl 3 faulted") )
            check_eq("user inb of the fw_cfg signature", ret, 'Q');
    }

    check_rc("PHYSDEVOP_set_iopl(0)", set_iopl(0), 0);
    ex_reset();
    check(!inb_safe(0x511, &v), "inb after set_iopl(0) did not fault");
}
