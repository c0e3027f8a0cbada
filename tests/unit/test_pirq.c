/*
 * test_pirq.c - physical interrupts for the hardware domain (arch/x86/pirq.c): mapping GSIs to
 * pirqs and its errors, setup_gsi, get_free_pirq, binding to ports (reserved GSIs, twice), the
 * edge and level state machines (mask at the IO-APIC until the guest's EOI), UNMASK_NOTIFY, the
 * EOI bitmap, forced unbinding by unmap, and teardown.
 *
 * Stand-ins: the hardware hooks (a 24-pin IO-APIC whose pins record their mask and mode; GSI 4 is
 * the hypervisor's serial port and GSI 2 the PIT; GSIs below 16 are ISA edge/high, GSI 9 level),
 * the event channel side (raised ports are counted; a port's mask bit is a test array), xmalloc
 * from the C library, and two domains: dom0 (privileged) and dom1.
 */
#include <stdlib.h>
#include <string.h>
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/mm.h>
#include <asm/irq.h>
#include <asm/pirq.h>
#include <xen/physdev.h>

#define NR_PINS 24

static struct domain dom0, dom1;
static struct {
    bool routed, masked;
    unsigned int mode, routes;
} pin[NR_PINS];
static unsigned int raised[4096];
static bool port_masked[4096];
static long live_allocs;

void *xzalloc_bytes(size_t size)
{
    live_allocs++;
    return calloc(1, size);
}

void xfree(void *p)
{
    if ( p )
        live_allocs--;
    free(p);
}

void evtchn_raise_pirq_port(struct domain *d, unsigned int port)
{
    assert_ptr_equal(d, &dom0);
    assert_true(port > 0 && port < 4096);
    raised[port]++;
}

bool evtchn_2l_is_masked(const struct domain *d, unsigned int port)
{
    (void)d;
    return port >= 4096 || port_masked[port];
}

unsigned int pirq_hw_nr_gsis(void)
{
    return NR_PINS;
}

bool pirq_hw_gsi_reserved(unsigned int gsi)
{
    return gsi == 4 || gsi == 2;
}

unsigned int pirq_hw_default_mode(unsigned int gsi)
{
    if ( gsi == 9 )
        return IRQ_TRIGGER_LEVEL;               /* QEMU's override for the SCI: level, active high */
    return gsi < 16 ? 0 : IRQ_TRIGGER_LEVEL | IRQ_POLARITY_LOW;
}

int pirq_hw_route(unsigned int gsi, unsigned int mode)
{
    assert_true(gsi < NR_PINS);
    pin[gsi].routed = true;
    pin[gsi].masked = false;
    pin[gsi].mode = mode;
    pin[gsi].routes++;
    return 0;
}

void pirq_hw_mask(unsigned int gsi, bool masked)
{
    assert_true(gsi < NR_PINS);
    pin[gsi].masked = masked;
}

static unsigned long eoi_map[PAGE_SIZE / sizeof(unsigned long)];

static bool eoi_bit(unsigned int pirq)
{
    return eoi_map[pirq / 64] & (1UL << (pirq % 64));
}

static int setup(void **state)
{
    (void)state;
    dom0 = (struct domain){ .domain_id = 0, .is_privileged = true };
    dom1 = (struct domain){ .domain_id = 1 };
    memset(pin, 0, sizeof(pin));
    memset(raised, 0, sizeof(raised));
    memset(port_masked, 0, sizeof(port_masked));
    memset(eoi_map, 0, sizeof(eoi_map));
    return 0;
}

/* Every test leaves nothing behind: the GSI table is global, as in the hypervisor. */
static int teardown(void **state)
{
    unsigned int gsi;

    (void)state;
    pirq_domain_destroy(&dom0);
    pirq_domain_destroy(&dom1);
    assert_int_equal(live_allocs, 0);
    for ( gsi = 0; gsi < NR_PINS; gsi++ )
        assert_true(!pin[gsi].routed || pin[gsi].masked);
    return 0;
}

static int map(struct domain *d, int gsi, int pirq)
{
    int rc = pirq_map_gsi(d, gsi, &pirq);

    return rc ? rc : pirq;
}

/* ---- mapping ---- */

static void test_map_gsi_as_linux_does(void **state)
{
    (void)state;
    assert_int_equal(map(&dom0, 14, 14), 14);
    assert_int_equal(map(&dom0, 14, 14), 14);           /* again: the same */
    assert_int_equal(map(&dom0, 14, -1), 14);           /* "any": the one it has */
    assert_int_equal(map(&dom0, 14, 15), -EEXIST);      /* another pirq for a mapped GSI */
    assert_int_equal(map(&dom0, 20, -1), 16);           /* a free one: from 16 up */
    assert_int_equal(map(&dom0, 21, -1), 17);
    /* A pirq already used by another GSI: left alone, yet success (Xen's map_domain_pirq()). */
    assert_int_equal(map(&dom0, 22, 14), 14);
    assert_int_equal(pirq_unmap(&dom0, 14), 0);
    assert_int_equal(map(&dom0, 22, 14), 14);           /* now it is free: 22 gets it */
    assert_int_equal(pirq_unmap(&dom0, 14), 0);
    assert_int_equal(map(&dom0, 14, 14), 14);
    assert_false(pin[14].routed);                       /* mapping alone touches no pin */
}

static void test_map_errors(void **state)
{
    (void)state;
    assert_int_equal(map(&dom0, -1, 5), -EINVAL);
    assert_int_equal(map(&dom0, NR_PINS, 5), -EINVAL);
    assert_int_equal(map(&dom0, 1 << 20, 5), -EINVAL);
    assert_int_equal(map(&dom0, 0, 0), -EPERM);         /* Xen never gives out IRQ 0 */
    assert_int_equal(map(&dom0, 5, PIRQ_NR), -EINVAL);
    assert_int_equal(map(&dom0, 5, 100000), -EINVAL);
    /* The hypervisor's GSIs map (as Xen's serial IRQ does); binding them is what fails. */
    assert_int_equal(map(&dom0, 4, 4), 4);
    assert_int_equal(map(&dom0, 2, 2), 2);
    assert_int_equal(pirq_unmap(&dom0, 4), 0);
    assert_int_equal(pirq_unmap(&dom0, 4), -EINVAL);    /* twice */
    assert_int_equal(pirq_unmap(&dom0, 3), -EINVAL);    /* never mapped */
    assert_int_equal(pirq_unmap(&dom0, -1), -EINVAL);
    assert_int_equal(pirq_unmap(&dom0, PIRQ_NR), -EINVAL);
    assert_int_equal(pirq_unmap(&dom1, 3), -EINVAL);    /* a domain without a table */
}

static void test_get_free_pirq(void **state)
{
    (void)state;
    assert_int_equal(pirq_get_free(&dom0, MAP_PIRQ_TYPE_GSI), 16);
    assert_int_equal(pirq_get_free(&dom0, MAP_PIRQ_TYPE_GSI), 17);
    assert_int_equal(pirq_get_free(&dom0, MAP_PIRQ_TYPE_MSI), PIRQ_NR - 1);
    assert_int_equal(pirq_get_free(&dom0, MAP_PIRQ_TYPE_MSI), PIRQ_NR - 2);
    /* A reserved pirq is known: EOI says 0, mapping it with a GSI uses it, unmap of it alone fails. */
    assert_int_equal(pirq_guest_eoi(&dom0, 16), 0);
    assert_int_equal(pirq_unmap(&dom0, 16), -EINVAL);
    assert_int_equal(map(&dom0, 23, 16), 16);
    assert_int_equal(map(&dom0, 22, -1), 18);           /* 16, 17 taken */
}

static void test_setup_gsi(void **state)
{
    (void)state;
    assert_int_equal(pirq_setup_gsi(-1, 0, 0), -EINVAL);
    assert_int_equal(pirq_setup_gsi(NR_PINS, 0, 0), -EINVAL);
    assert_int_equal(pirq_setup_gsi(4, 0, 0), -EEXIST);    /* the serial port's: in use */
    assert_int_equal(pirq_setup_gsi(11, 1, 1), 0);
    assert_int_equal(pirq_setup_gsi(11, 0, 0), -EEXIST);   /* programmed once */
    /* Linux maps first and sets the GSI up afterwards: the mode given applies at bind time. */
    assert_int_equal(map(&dom0, 10, 10), 10);
    assert_int_equal(pirq_setup_gsi(10, 1, 0), 0);
    assert_int_equal(map(&dom0, 11, 11), 11);
    assert_int_equal(pirq_guest_bind(&dom0, 10, 30, true), 0);
    assert_int_equal(pirq_guest_bind(&dom0, 11, 31, true), 0);
    assert_int_equal(pin[10].mode, IRQ_TRIGGER_LEVEL);
    assert_int_equal(pin[11].mode, IRQ_TRIGGER_LEVEL | IRQ_POLARITY_LOW);
    assert_int_equal(pirq_setup_gsi(10, 0, 0), -EEXIST);
    pirq_guest_unbind(&dom0, 10, 30);
    pirq_guest_unbind(&dom0, 11, 31);
}

/* ---- binding ---- */

static void test_bind_errors(void **state)
{
    (void)state;
    assert_int_equal(pirq_guest_bind(&dom0, 5, 10, false), -EPERM);        /* not mapped */
    assert_int_equal(pirq_guest_bind(&dom0, PIRQ_NR, 10, false), -EINVAL);
    assert_int_equal(pirq_guest_bind(&dom1, 5, 10, false), -EPERM);        /* unprivileged */
    assert_int_equal(map(&dom0, 4, 4), 4);
    assert_int_equal(pirq_guest_bind(&dom0, 4, 10, false), -EBUSY);        /* the serial port's */
    assert_false(pin[4].routed);
    assert_int_equal(map(&dom0, 1, 1), 1);
    assert_int_equal(pirq_guest_bind(&dom0, 1, 10, false), 0);
    assert_int_equal(pirq_guest_bind(&dom0, 1, 11, false), -EEXIST);       /* bound already */
    pirq_guest_unbind(&dom0, 1, 11);                                        /* not its port: nothing */
    assert_false(pin[1].masked);
    pirq_guest_unbind(&dom0, 1, 10);
    assert_true(pin[1].masked);
    pirq_guest_unbind(&dom0, 1, 10);                                        /* twice: nothing */
    assert_int_equal(pirq_guest_bind(&dom0, 1, 12, false), 0);              /* and bound again */
    assert_false(pin[1].masked);
    assert_int_equal(pin[1].routes, 2);
    pirq_guest_unbind(&dom0, 1, 12);
}

static void test_edge_interrupts_are_acked_at_once(void **state)
{
    (void)state;
    assert_int_equal(pirq_set_eoi_map(&dom0, eoi_map, 1234, false), 0);
    assert_int_equal(map(&dom0, 14, 14), 14);
    assert_int_equal(pirq_guest_bind(&dom0, 14, 7, false), 0);
    assert_true(pin[14].routed);
    assert_false(pin[14].masked);
    assert_int_equal(pin[14].mode, 0);
    assert_false(eoi_bit(14));                          /* no EOI needed */
    pirq_gsi_interrupt(14, NULL);
    pirq_gsi_interrupt(14, NULL);
    assert_int_equal(raised[7], 2);
    assert_false(pin[14].masked);                       /* never masked */
    assert_int_equal(pirq_guest_eoi(&dom0, 14), 0);     /* harmless */
    assert_false(pin[14].masked);
    pirq_guest_unbind(&dom0, 14, 7);
    assert_true(pin[14].masked);
    pirq_gsi_interrupt(14, NULL);                       /* a stray one after unbinding */
    assert_int_equal(raised[7], 2);
    assert_true(pin[14].masked);
}

static void test_level_interrupts_stay_masked_until_the_eoi(void **state)
{
    uint32_t flags = 0;

    (void)state;
    assert_int_equal(pirq_set_eoi_map(&dom0, eoi_map, 1234, false), 0);
    assert_int_equal(map(&dom0, 9, 9), 9);
    assert_int_equal(pirq_guest_bind(&dom0, 9, 5, true), 0);
    assert_int_equal(pin[9].mode, IRQ_TRIGGER_LEVEL);
    assert_true(eoi_bit(9));                            /* the guest must EOI it */
    assert_int_equal(pirq_status(&dom0, 9, &flags), 0);
    assert_int_equal(flags, XENIRQSTAT_needs_eoi);
    pirq_gsi_interrupt(9, NULL);
    assert_int_equal(raised[5], 1);
    assert_true(pin[9].masked);                         /* masked before the local APIC's EOI */
    pirq_gsi_interrupt(9, NULL);                        /* one more (delivered before the mask took) */
    assert_int_equal(raised[5], 2);
    assert_int_equal(pirq_guest_eoi(&dom0, 9), 0);      /* one EOI ends the flight */
    assert_false(pin[9].masked);
    assert_int_equal(pirq_guest_eoi(&dom0, 9), 0);      /* an EOI with nothing in flight */
    assert_false(pin[9].masked);
    pirq_gsi_interrupt(9, NULL);
    assert_true(pin[9].masked);
    /* Unbinding in flight: masked, and the flight is over (a new binding starts clean). */
    pirq_guest_unbind(&dom0, 9, 5);
    assert_true(pin[9].masked);
    assert_false(eoi_bit(9));
    assert_int_equal(pirq_guest_bind(&dom0, 9, 6, true), 0);
    assert_false(pin[9].masked);
    assert_true(eoi_bit(9));
    pirq_gsi_interrupt(9, NULL);
    assert_int_equal(raised[6], 1);
    assert_int_equal(pirq_guest_eoi(&dom0, 9), 0);
    assert_false(pin[9].masked);
    pirq_guest_unbind(&dom0, 9, 6);
}

static void test_unmask_notify_eois_unmasked_ports(void **state)
{
    (void)state;
    pirq_setup_gsi(10, 1, 0);                           /* level (if no earlier test set them up) */
    pirq_setup_gsi(11, 1, 0);
    assert_int_equal(map(&dom0, 10, 10), 10);
    assert_int_equal(map(&dom0, 11, 11), 11);
    assert_int_equal(pirq_guest_bind(&dom0, 10, 20, true), 0);
    assert_int_equal(pirq_guest_bind(&dom0, 11, 21, true), 0);
    pirq_gsi_interrupt(10, NULL);
    pirq_gsi_interrupt(11, NULL);
    port_masked[21] = true;
    assert_int_equal(pirq_unmask_notify(&dom0), 0);
    assert_false(pin[10].masked);                       /* its port is unmasked: EOI */
    assert_true(pin[11].masked);                        /* still masked by the guest */
    port_masked[21] = false;
    assert_int_equal(pirq_unmask_notify(&dom0), 0);
    assert_false(pin[11].masked);
    assert_int_equal(pirq_unmask_notify(&dom1), 0);     /* a domain without pirqs */
    pirq_guest_unbind(&dom0, 10, 20);
    pirq_guest_unbind(&dom0, 11, 21);
}

static void test_eoi_and_status_errors(void **state)
{
    uint32_t flags;

    (void)state;
    assert_int_equal(pirq_guest_eoi(&dom0, 3), -EINVAL);        /* never mapped */
    assert_int_equal(pirq_guest_eoi(&dom0, -1), -EINVAL);
    assert_int_equal(pirq_guest_eoi(&dom0, PIRQ_NR), -EINVAL);
    assert_int_equal(pirq_status(&dom0, -1, &flags), -EINVAL);
    assert_int_equal(pirq_status(&dom0, PIRQ_NR, &flags), -EINVAL);
    assert_int_equal(pirq_status(&dom0, 3, &flags), 0);         /* any valid pirq, as Xen for PV */
}

static void test_unmap_of_a_bound_pirq_forces_the_unbind(void **state)
{
    (void)state;
    assert_int_equal(pirq_set_eoi_map(&dom0, eoi_map, 1234, false), 0);
    assert_int_equal(map(&dom0, 12, 12), 12);
    assert_int_equal(pirq_setup_gsi(12, 1, 0), 0);
    assert_int_equal(pirq_guest_bind(&dom0, 12, 9, false), 0);
    pirq_gsi_interrupt(12, NULL);
    assert_true(pin[12].masked);
    assert_int_equal(pirq_unmap(&dom0, 12), 0);
    assert_true(pin[12].masked);
    assert_false(eoi_bit(12));
    pirq_gsi_interrupt(12, NULL);                       /* nothing is raised any more */
    assert_int_equal(raised[9], 1);
    /* The port still names the pirq: EOI is accepted, binding again is -EEXIST ... */
    assert_int_equal(pirq_guest_eoi(&dom0, 12), 0);
    assert_int_equal(map(&dom0, 12, 12), 12);
    assert_int_equal(pirq_guest_bind(&dom0, 12, 10, false), -EEXIST);
    /* ... until the guest closes it. */
    pirq_guest_unbind(&dom0, 12, 9);
    assert_int_equal(pirq_guest_bind(&dom0, 12, 10, false), 0);
    assert_false(pin[12].masked);
    pirq_guest_unbind(&dom0, 12, 10);
}

static void test_eoi_map(void **state)
{
    static unsigned long other[PAGE_SIZE / sizeof(unsigned long)];

    (void)state;
    assert_int_equal(map(&dom0, 9, 9), 9);
    assert_int_equal(pirq_guest_bind(&dom0, 9, 5, true), 0);
    assert_int_equal(pirq_auto_unmask_port(&dom0, 9), 0);
    /* Registered after the binding: its bit is set now. */
    assert_int_equal(pirq_set_eoi_map(&dom0, eoi_map, 1234, true), 0);
    assert_true(eoi_bit(9));
    assert_int_equal(pirq_set_eoi_map(&dom0, other, 99, false), -EBUSY);
    assert_int_equal(pirq_auto_unmask_port(&dom0, 9), 5);      /* v1: EOI unmasks the port */
    assert_int_equal(pirq_auto_unmask_port(&dom0, -1), 0);
    pirq_guest_unbind(&dom0, 9, 5);
    assert_int_equal(pirq_domain_destroy(&dom0), 1234);        /* the frame goes back */
}

static void test_destroy_unmaps_and_masks_everything(void **state)
{
    (void)state;
    assert_int_equal(map(&dom0, 1, 1), 1);
    assert_int_equal(map(&dom0, 9, 9), 9);
    assert_int_equal(pirq_guest_bind(&dom0, 1, 3, false), 0);
    assert_int_equal(pirq_guest_bind(&dom0, 9, 4, true), 0);
    pirq_gsi_interrupt(9, NULL);
    assert_int_equal(pirq_domain_destroy(&dom0), 0);
    assert_true(pin[1].masked);
    assert_true(pin[9].masked);
    assert_int_equal(live_allocs, 0);
    /* The GSIs are free for whoever maps them next. */
    assert_int_equal(map(&dom0, 9, 20), 20);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_map_gsi_as_linux_does),
        T(test_map_errors),
        T(test_get_free_pirq),
        T(test_setup_gsi),
        T(test_bind_errors),
        T(test_edge_interrupts_are_acked_at_once),
        T(test_level_interrupts_stay_masked_until_the_eoi),
        T(test_unmask_notify_eois_unmasked_ports),
        T(test_eoi_and_status_errors),
        T(test_unmap_of_a_bound_pirq_forces_the_unbind),
        T(test_eoi_map),
        T(test_destroy_unmaps_and_masks_everything),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
