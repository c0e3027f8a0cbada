/*
 * physdev-pirq - physical interrupts as a PV dom0 sees them, checked on their error paths without
 * a device firing: PHYSDEVOP_map_pirq of GSIs (bad indexes and types, IRQ 0, mapping again, another
 * pirq for a mapped GSI), EVTCHNOP_bind_pirq (unmapped, out of range, twice, the hypervisor's own
 * serial port's GSI 4 is -EBUSY), EVTCHNOP_status and close of a pirq port (closing twice),
 * PHYSDEVOP_unmap_pirq (twice), PHYSDEVOP_eoi and irq_status_query (unmapped and out-of-range
 * pirqs), setup_gsi (bad GSI, the serial port's, twice), get_free_pirq, the EOI bitmap
 * (pirq_eoi_gmfn_v2: bad frame, twice; a bound level-triggered pirq's bit is set, an edge one's
 * clear), apic_read of the IO-APIC, alloc_irq_vector.  GSI 5 (ISA IRQ 5, level by QEMU's MADT
 * override) and 6, 7 (edge) have no device behind them in QEMU's i440fx machine.
 */
#include "guest.h"

const char test_title[] = "physical interrupts: map, bind, EOI and their errors";

static long physdev(int cmd, void *arg)
{
    return hypercall_physdev_op(cmd, arg);
}

static long map_gsi(int gsi, int pirq, int *out)
{
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = gsi, .pirq = pirq };
    long rc = physdev(PHYSDEVOP_map_pirq, &m);

    if ( out )
        *out = m.pirq;
    return rc;
}

static long unmap(int pirq)
{
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = pirq };

    return physdev(PHYSDEVOP_unmap_pirq, &u);
}

static long bind(uint32_t pirq, evtchn_port_t *port)
{
    struct evtchn_bind_pirq b = { .pirq = pirq, .flags = 0 };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_pirq, &b);

    if ( port )
        *port = b.port;
    return rc;
}

static long close_port(evtchn_port_t p)
{
    struct evtchn_close c = { .port = p };

    return hypercall_event_channel_op(EVTCHNOP_close, &c);
}

static long eoi(uint32_t pirq)
{
    struct physdev_eoi e = { .irq = pirq };

    return physdev(PHYSDEVOP_eoi, &e);
}

static long setup_gsi(int gsi, int level, int low)
{
    struct physdev_setup_gsi s = { .gsi = gsi, .triggering = level, .polarity = low };

    return physdev(PHYSDEVOP_setup_gsi, &s);
}

void test_main(start_info_t *si)
{
    struct physdev_irq_status_query q;
    struct physdev_map_pirq mm;
    struct physdev_apic apic;
    struct physdev_irq irq;
    struct physdev_get_free_pirq fp;
    struct physdev_pirq_eoi_gmfn eg;
    struct evtchn_status st;
    evtchn_port_t port, port6;
    unsigned long *map;
    int pirq;

    /* ---- map_pirq ---- */
    check_rc("map_pirq GSI -1", map_gsi(-1, 5, NULL), -EINVAL);
    check_rc("map_pirq GSI 100000", map_gsi(100000, 5, NULL), -EINVAL);
    check_rc("map_pirq GSI 0 (the timer's IRQ 0)", map_gsi(0, 0, NULL), -EPERM);
    mm = (struct physdev_map_pirq){ .domid = DOMID_SELF, .type = 99, .index = 5, .pirq = 5 };
    check_rc("map_pirq of an unknown type", physdev(PHYSDEVOP_map_pirq, &mm), -EINVAL);
    check_rc("map_pirq GSI 5 to pirq 100000", map_gsi(5, 100000, NULL), -EINVAL);
    check_rc("map_pirq GSI 5 to pirq 5", map_gsi(5, 5, &pirq), 0);
    check_eq("map_pirq GSI 5: pirq", pirq, 5);
    check_rc("map_pirq GSI 5 to pirq 5 again", map_gsi(5, 5, &pirq), 0);
    check_rc("map_pirq GSI 5 to another pirq (6)", map_gsi(5, 6, NULL), -EEXIST);

    /* ---- bind_pirq, status, close ---- */
    check_rc("bind_pirq of an unmapped pirq (200)", bind(200, NULL), -EPERM);
    check_rc("bind_pirq of pirq 100000", bind(100000, NULL), -EINVAL);
    check_rc("bind_pirq 5", bind(5, &port), 0);
    check_rc("bind_pirq 5 again", bind(5, NULL), -EEXIST);
    memset(&st, 0, sizeof(st));
    st.dom = DOMID_SELF;
    st.port = port;
    check_rc("EVTCHNOP_status of the pirq port", hypercall_event_channel_op(EVTCHNOP_status, &st), 0);
    check_eq("status of the pirq port", st.status, EVTCHNSTAT_pirq);
    check_eq("status: pirq", st.u.pirq, 5);
    check_eq("status: vcpu", st.vcpu, 0);
    memset(&q, 0, sizeof(q));
    q.irq = 5;
    check_rc("irq_status_query pirq 5", physdev(PHYSDEVOP_irq_status_query, &q), 0);
    check(q.flags & XENIRQSTAT_needs_eoi, "irq_status_query pirq 5: flags %#x without needs_eoi", q.flags);
    check_rc("PHYSDEVOP_eoi pirq 5 (nothing in flight)", eoi(5), 0);

    /* The EOI bitmap: bound level-triggered pirqs need an EOI, edge ones do not. */
    eg.gmfn = ~0UL >> 12;
    check_rc("pirq_eoi_gmfn_v2 of a frame that is not ours", physdev(PHYSDEVOP_pirq_eoi_gmfn_v2, &eg), -EINVAL);
    map = alloc_page();
    memset(map, 0, PAGE_SIZE);
    eg.gmfn = virt_to_mfn(map);
    check_rc("pirq_eoi_gmfn_v2", physdev(PHYSDEVOP_pirq_eoi_gmfn_v2, &eg), 0);
    check_rc("pirq_eoi_gmfn_v2 again", physdev(PHYSDEVOP_pirq_eoi_gmfn_v2, &eg), -EBUSY);
    check_rc("map_pirq GSI 6", map_gsi(6, 6, NULL), 0);
    check_rc("bind_pirq 6", bind(6, &port6), 0);
    check(!(map[0] & (1UL << 6)), "EOI bitmap: bit of edge-triggered pirq 6 is set");
    check_rc("close pirq 6's port", close_port(port6), 0);
    check_rc("unmap pirq 6", unmap(6), 0);
    check_rc("close the pirq port", close_port(port), 0);
    check_rc("close the pirq port again", close_port(port), -EINVAL);
    check_rc("bind_pirq 5 after the bitmap", bind(5, &port), 0);
    check(map[0] & (1UL << 5), "EOI bitmap: bit of level-triggered pirq 5 is clear (bitmap %#lx)", map[0]);
    check_rc("close the pirq port", close_port(port), 0);

    /* ---- unmap, EOI and status of unmapped pirqs ---- */
    check_rc("unmap pirq 5", unmap(5), 0);
    check_rc("unmap pirq 5 again", unmap(5), -EINVAL);
    check_rc("unmap pirq 200 (never mapped)", unmap(200), -EINVAL);
    check_rc("unmap pirq -1", unmap(-1), -EINVAL);
    check_rc("PHYSDEVOP_eoi of an unmapped pirq (200)", eoi(200), -EINVAL);
    check_rc("PHYSDEVOP_eoi of pirq 100000", eoi(100000), -EINVAL);
    q.irq = 100000;
    check_rc("irq_status_query pirq 100000", physdev(PHYSDEVOP_irq_status_query, &q), -EINVAL);
    q.irq = -1;
    check_rc("irq_status_query pirq -1", physdev(PHYSDEVOP_irq_status_query, &q), -EINVAL);

    /* ---- the hypervisor's serial port: GSI 4 maps, but cannot be bound ---- */
    check_rc("map_pirq GSI 4 (the serial console's)", map_gsi(4, 4, NULL), 0);
    check_rc("bind_pirq 4 (the serial console's)", bind(4, NULL), -EBUSY);
    check_rc("unmap pirq 4", unmap(4), 0);

    /* ---- setup_gsi ---- */
    check_rc("setup_gsi GSI -1", setup_gsi(-1, 0, 0), -EINVAL);
    check_rc("setup_gsi GSI 100000", setup_gsi(100000, 0, 0), -EINVAL);
    check_rc("setup_gsi GSI 4 (the serial console's)", setup_gsi(4, 0, 0), -EEXIST);
    check_rc("setup_gsi GSI 7", setup_gsi(7, 0, 0), 0);
    check_rc("setup_gsi GSI 7 again", setup_gsi(7, 0, 0), -EEXIST);

    /* ---- get_free_pirq, apic_read, alloc_irq_vector ---- */
    fp = (struct physdev_get_free_pirq){ .type = MAP_PIRQ_TYPE_GSI };
    check_rc("get_free_pirq (GSI)", physdev(PHYSDEVOP_get_free_pirq, &fp), 0);
    check(fp.pirq >= 16 && fp.pirq < 256, "get_free_pirq (GSI) gave pirq %u", fp.pirq);
    apic = (struct physdev_apic){ .apic_physbase = 0xfec00000, .reg = 1 };
    check_rc("apic_read of IO-APIC register 1", physdev(PHYSDEVOP_apic_read, &apic), 0);
    check_eq("IO-APIC version register: last pin", (apic.value >> 16) & 0xff, 23);
    apic = (struct physdev_apic){ .apic_physbase = 0x1000, .reg = 1 };
    check_rc("apic_read of a non-IO-APIC", physdev(PHYSDEVOP_apic_read, &apic), -EINVAL);
    irq = (struct physdev_irq){ .irq = 9 };
    check_rc("alloc_irq_vector", physdev(PHYSDEVOP_alloc_irq_vector, &irq), 0);
    check_eq("alloc_irq_vector: vector", irq.vector, 9);
}
