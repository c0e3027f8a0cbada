/*
 * acpi_madt.c - decoding the MADT: local APIC address, CPUs, IO-APICs, interrupt overrides and NMI wiring.
 *
 * Design: two passes over the entry list.  The first checks the structure
 * alone: every entry has a length of at least 2 that stays inside the
 * table, and a known entry type is at least as long as its layout.  The
 * first malformed entry ends the list (reported; the entries before it are
 * still used, so that at least the boot CPU is known).  The second pass
 * decodes the checked entries into struct acpi_madt_info, with the log
 * lines a Xen administrator knows.  CPUs that are neither enabled nor
 * online-capable are only counted; a repeated APIC ID is skipped.
 *
 * Locking: none; the parser only writes its output argument.
 */
#include <parva/acpi.h>
#include <parva/lib.h>
#include <parva/printk.h>

#define MADT_LAPIC_ADDR     36
#define MADT_FLAGS          40
#define MADT_ENTRIES        44

#define MADT_REV_ONLINE_CAPABLE 5   /* the online-capable flag is defined from this revision */

#define LAPIC_ID_INVALID    0xffU
#define X2APIC_ID_INVALID   0xffffffffU
#define LAPIC_UID_ALL       0xffU

/* The smallest valid length of each entry type this file decodes; 0 for the others. */
static unsigned int entry_min_len(uint8_t type)
{
    switch ( type )
    {
    case ACPI_MADT_LAPIC:       return 8;
    case ACPI_MADT_IOAPIC:      return 12;
    case ACPI_MADT_ISO:         return 10;
    case ACPI_MADT_NMI_SRC:     return 8;
    case ACPI_MADT_LAPIC_NMI:   return 6;
    case ACPI_MADT_LAPIC_ADDR:  return 12;
    case ACPI_MADT_X2APIC:      return 16;
    case ACPI_MADT_X2APIC_NMI:  return 12;
    default:                    return 0;
    }
}

static const char *polarity_name(uint16_t flags)
{
    static const char *const names[] = { "dfl", "high", "res", "low" };

    return names[ACPI_MPS_POLARITY(flags)];
}

static const char *trigger_name(uint16_t flags)
{
    static const char *const names[] = { "dfl", "edge", "res", "level" };

    return names[ACPI_MPS_TRIGGER(flags)];
}

/* Offset of the end of the well-formed entries. */
static size_t check_entries(const uint8_t *t, size_t len, struct acpi_madt_info *mi)
{
    size_t off = MADT_ENTRIES;

    while ( off < len )
    {
        uint8_t type, elen;

        if ( len - off < 2 )
        {
            printk(XENLOG_WARNING "ACPI: MADT entry at offset %#zx is cut short by the table end\n", off);
            break;
        }
        type = t[off];
        elen = t[off + 1];
        if ( elen < 2 || elen > len - off || elen < entry_min_len(type) )
        {
            printk(XENLOG_WARNING "ACPI: MADT entry at offset %#zx (type %u, length %u) is malformed;"
                   " it and the rest are ignored\n", off, type, elen);
            break;
        }
        off += elen;
    }
    if ( off != len )
        mi->truncated = true;
    return off;
}

static void add_cpu(struct acpi_madt_info *mi, uint32_t apic_id, uint32_t uid, uint32_t flags,
                    bool x2apic, bool online_capable_defined)
{
    struct acpi_cpu *c;
    bool enabled = flags & ACPI_MADT_ENABLED;
    bool online_capable = !enabled && online_capable_defined && (flags & ACPI_MADT_ONLINE_CAPABLE);
    unsigned int i;

    if ( x2apic )
        printk(XENLOG_INFO "ACPI: X2APIC (apic_id[0x%02x] uid[0x%02x] %s)\n", apic_id, uid,
               enabled ? "enabled" : online_capable ? "online-capable" : "disabled");
    else
        printk(XENLOG_INFO "ACPI: LAPIC (acpi_id[0x%02x] lapic_id[0x%02x] %s)\n", uid, apic_id,
               enabled ? "enabled" : online_capable ? "online-capable" : "disabled");

    if ( !enabled && !online_capable )
    {
        mi->nr_cpus_disabled++;
        return;
    }
    if ( apic_id == (x2apic ? X2APIC_ID_INVALID : LAPIC_ID_INVALID) )
    {
        printk(XENLOG_WARNING "ACPI: invalid APIC ID %#x ignored\n", apic_id);
        return;
    }
    for ( i = 0; i < mi->nr_cpus; i++ )
    {
        if ( mi->cpus[i].apic_id == apic_id )
        {
            printk(XENLOG_WARNING "ACPI: duplicate APIC ID %#x ignored\n", apic_id);
            return;
        }
    }
    if ( mi->nr_cpus == ACPI_MAX_CPUS )
    {
        if ( !mi->nr_cpus_dropped++ )
            printk(XENLOG_WARNING "ACPI: more than %u CPUs, the rest are ignored\n", ACPI_MAX_CPUS);
        return;
    }

    c = &mi->cpus[mi->nr_cpus++];
    c->apic_id = apic_id;
    c->acpi_uid = uid;
    c->enabled = enabled;
    c->online_capable = online_capable;
    c->x2apic = x2apic;
}

static void add_ioapic(struct acpi_madt_info *mi, const uint8_t *e)
{
    struct acpi_ioapic *io;

    printk(XENLOG_INFO "ACPI: IOAPIC (id[0x%02x] address[0x%08x] gsi_base[%u])\n",
           e[2], acpi_rd32(e + 4), acpi_rd32(e + 8));
    if ( mi->nr_ioapics == ACPI_MAX_IOAPICS )
    {
        printk(XENLOG_WARNING "ACPI: more than %u IO-APICs, IOAPIC %u ignored\n", ACPI_MAX_IOAPICS, e[2]);
        return;
    }
    io = &mi->ioapics[mi->nr_ioapics++];
    io->id = e[2];
    io->address = acpi_rd32(e + 4);
    io->gsi_base = acpi_rd32(e + 8);
}

static void add_iso(struct acpi_madt_info *mi, const uint8_t *e)
{
    struct acpi_iso *iso;
    uint16_t flags = acpi_rd16(e + 8);

    printk(XENLOG_INFO "ACPI: INT_SRC_OVR (bus %u bus_irq %u global_irq %u %s %s)\n",
           e[2], e[3], acpi_rd32(e + 4), polarity_name(flags), trigger_name(flags));
    if ( mi->nr_isos == ACPI_MAX_ISOS )
    {
        printk(XENLOG_WARNING "ACPI: more than %u interrupt source overrides, the rest are ignored\n",
               ACPI_MAX_ISOS);
        return;
    }
    iso = &mi->isos[mi->nr_isos++];
    iso->bus = e[2];
    iso->source = e[3];
    iso->gsi = acpi_rd32(e + 4);
    iso->flags = flags;
}

static void add_nmi_src(struct acpi_madt_info *mi, const uint8_t *e)
{
    uint16_t flags = acpi_rd16(e + 2);
    uint32_t gsi = acpi_rd32(e + 4);

    printk(XENLOG_INFO "ACPI: NMI_SRC (%s %s global_irq %u)\n",
           polarity_name(flags), trigger_name(flags), gsi);
    if ( mi->nr_nmi_srcs == ACPI_MAX_NMI_SRCS )
        return;
    mi->nmi_srcs[mi->nr_nmi_srcs].gsi = gsi;
    mi->nmi_srcs[mi->nr_nmi_srcs].flags = flags;
    mi->nr_nmi_srcs++;
}

static void add_lapic_nmi(struct acpi_madt_info *mi, uint32_t uid, uint16_t flags, uint8_t lint)
{
    struct acpi_lapic_nmi *n;

    if ( mi->nr_lapic_nmis == ACPI_MAX_LAPIC_NMIS )
    {
        printk(XENLOG_WARNING "ACPI: more than %u local APIC NMI entries, the rest are ignored\n",
               ACPI_MAX_LAPIC_NMIS);
        return;
    }
    n = &mi->lapic_nmis[mi->nr_lapic_nmis++];
    n->acpi_uid = uid;
    n->flags = flags;
    n->lint = lint;
}

static void decode_entry(struct acpi_madt_info *mi, const uint8_t *e, bool online_capable_defined)
{
    uint16_t flags;

    switch ( e[0] )
    {
    case ACPI_MADT_LAPIC:
        add_cpu(mi, e[3], e[2], acpi_rd32(e + 4), false, online_capable_defined);
        break;

    case ACPI_MADT_X2APIC:
        add_cpu(mi, acpi_rd32(e + 4), acpi_rd32(e + 12), acpi_rd32(e + 8), true, online_capable_defined);
        break;

    case ACPI_MADT_IOAPIC:
        add_ioapic(mi, e);
        break;

    case ACPI_MADT_ISO:
        add_iso(mi, e);
        break;

    case ACPI_MADT_NMI_SRC:
        add_nmi_src(mi, e);
        break;

    case ACPI_MADT_LAPIC_NMI:
        flags = acpi_rd16(e + 3);
        printk(XENLOG_INFO "ACPI: LAPIC_NMI (acpi_id[0x%02x] %s %s lint[0x%x])\n",
               e[2], polarity_name(flags), trigger_name(flags), e[5]);
        add_lapic_nmi(mi, e[2] == LAPIC_UID_ALL ? ACPI_UID_ALL : e[2], flags, e[5]);
        break;

    case ACPI_MADT_X2APIC_NMI:
        flags = acpi_rd16(e + 2);
        printk(XENLOG_INFO "ACPI: X2APIC_NMI (uid[0x%02x] %s %s lint[0x%x])\n",
               acpi_rd32(e + 4), polarity_name(flags), trigger_name(flags), e[8]);
        add_lapic_nmi(mi, acpi_rd32(e + 4), flags, e[8]);
        break;

    case ACPI_MADT_LAPIC_ADDR:
        printk(XENLOG_INFO "ACPI: LAPIC_ADDR_OVR (address[0x%lx])\n", acpi_rd64(e + 4));
        if ( acpi_rd64(e + 4) )
            mi->lapic_addr = acpi_rd64(e + 4);
        break;

    default:                            /* IOSAPIC, GIC, wakeup mailbox, ...: not for us */
        break;
    }
}

int acpi_madt_parse(const void *madt, size_t len, struct acpi_madt_info *mi)
{
    const uint8_t *t = madt;
    bool online_capable_defined;
    size_t off, end;

    memset(mi, 0, sizeof(*mi));
    if ( len < MADT_ENTRIES )
    {
        printk(XENLOG_WARNING "ACPI: MADT too short (%zu bytes)\n", len);
        return -EINVAL;
    }

    mi->lapic_addr = acpi_rd32(t + MADT_LAPIC_ADDR);
    mi->pcat_compat = acpi_rd32(t + MADT_FLAGS) & ACPI_MADT_PCAT_COMPAT;
    online_capable_defined = t[ACPI_HDR_REVISION] >= MADT_REV_ONLINE_CAPABLE;
    printk(XENLOG_INFO "ACPI: Local APIC address 0x%08lx\n", mi->lapic_addr);

    end = check_entries(t, len, mi);
    for ( off = MADT_ENTRIES; off < end; off += t[off + 1] )
        decode_entry(mi, t + off, online_capable_defined);

    if ( mi->lapic_addr == 0 )
        printk(XENLOG_WARNING "ACPI: the MADT gives no local APIC address\n");
    printk(XENLOG_INFO "ACPI: MADT: %u CPU(s) (%u more disabled), %u IO-APIC(s), %u override(s)%s\n",
           mi->nr_cpus, mi->nr_cpus_disabled, mi->nr_ioapics, mi->nr_isos,
           mi->pcat_compat ? ", dual 8259s" : "");
    mi->valid = true;
    return 0;
}

unsigned int acpi_isa_irq_to_gsi(const struct acpi_madt_info *mi, unsigned int isa_irq, bool *level,
                                 bool *active_low)
{
    unsigned int i;

    /* ISA interrupts are edge-triggered and active high unless an override says otherwise. */
    *level = false;
    *active_low = false;
    for ( i = 0; i < mi->nr_isos; i++ )
    {
        const struct acpi_iso *o = &mi->isos[i];

        if ( o->bus != 0 || o->source != isa_irq )
            continue;
        *active_low = ACPI_MPS_POLARITY(o->flags) == ACPI_MPS_ACTIVE_LOW;
        *level = ACPI_MPS_TRIGGER(o->flags) == ACPI_MPS_LEVEL;
        return o->gsi;
    }
    return isa_irq;
}
