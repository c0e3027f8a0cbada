/*
 * acpi_fadt.c - decoding the FADT (power management registers, reset register, boot flags) and GAS helpers.
 *
 * Design: the FADT grew with each ACPI revision (116 bytes in 1.0, 244 in
 * 2.0-4.0, 268 in 5.x, 276 in 6.x), and firmware does not always set the
 * revision to match the length.  So every field past the 1.0 layout is read
 * only when the table's length covers it, and the revision is only used for
 * IAPC_BOOT_ARCH, which 1.0 left reserved.  A register block is the 64-bit
 * X_ GAS when present and nonzero, else the 1.0 port number turned into an
 * I/O-space GAS whose width comes from the matching *_LEN field.
 *
 * Locking: none; the parser only writes its output argument.
 */
#include <parva/acpi.h>
#include <parva/lib.h>
#include <parva/printk.h>

#define FADT_FACS           36
#define FADT_DSDT           40
#define FADT_SCI_INT        46
#define FADT_SMI_CMD        48
#define FADT_ACPI_ENABLE    52
#define FADT_ACPI_DISABLE   53
#define FADT_PM1A_EVT       56
#define FADT_PM1B_EVT       60
#define FADT_PM1A_CNT       64
#define FADT_PM1B_CNT       68
#define FADT_PM_TMR         76
#define FADT_PM1_EVT_LEN    88
#define FADT_PM1_CNT_LEN    89
#define FADT_PM_TMR_LEN     91
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS          112
#define FADT_V1_LEN         116     /* ACPI 1.0 ends after the flags */
#define FADT_RESET_REG      116
#define FADT_RESET_VALUE    128
#define FADT_X_FACS         132
#define FADT_X_DSDT         140
#define FADT_X_PM1A_EVT     148
#define FADT_X_PM1B_EVT     160
#define FADT_X_PM1A_CNT     172
#define FADT_X_PM1B_CNT     184
#define FADT_X_PM_TMR       208
#define FADT_SLEEP_CONTROL  244
#define FADT_SLEEP_STATUS   256

#define FADT_REV_IAPC_BOOT_ARCH 2

void acpi_gas_decode(struct acpi_gas *g, const uint8_t *p)
{
    g->space_id = p[0];
    g->bit_width = p[1];
    g->bit_offset = p[2];
    g->access_size = p[3];
    g->address = acpi_rd64(p + 4);
}

const char *acpi_gas_describe(const struct acpi_gas *g, char *buf, size_t size)
{
    static const char *const spaces[] = { "mem", "io", "pci", "ec", "smbus" };

    if ( !g->address )
        snprintf(buf, size, "none");
    else if ( g->space_id < ARRAY_SIZE(spaces) )
        snprintf(buf, size, "%s 0x%lx/%u", spaces[g->space_id], g->address, g->bit_width);
    else if ( g->space_id == ACPI_GAS_FFH )
        snprintf(buf, size, "ffh 0x%lx/%u", g->address, g->bit_width);
    else
        snprintf(buf, size, "space%u 0x%lx/%u", g->space_id, g->address, g->bit_width);
    return buf;
}

/* Does a field of size bytes at off lie inside the table? */
static bool has_field(size_t len, size_t off, size_t size)
{
    return off + size <= len;
}

/* A register block: the X_ GAS at x_off if present and nonzero, else the 1.0 port of port_len bytes. */
static void reg_block(struct acpi_gas *g, const uint8_t *t, size_t len, size_t x_off, size_t port_off,
                      uint8_t port_len)
{
    uint8_t width = (uint8_t)min(port_len * 8U, 255U);

    if ( has_field(len, x_off, ACPI_GAS_LEN) )
    {
        acpi_gas_decode(g, t + x_off);
        if ( g->address )
        {
            if ( !g->bit_width )
                g->bit_width = width;
            return;
        }
    }
    memset(g, 0, sizeof(*g));
    g->address = acpi_rd32(t + port_off);
    if ( g->address )
    {
        g->space_id = ACPI_GAS_IO;
        g->bit_width = width;
    }
}

static void log_fadt(const struct acpi_fadt_info *fi)
{
    char a[48], b[48];

    if ( fi->pm_tmr.address )
        printk(XENLOG_INFO "ACPI: PM-Timer %s: 0x%lx (%u bits)\n",
               fi->pm_tmr.space_id == ACPI_GAS_IO ? "IO Port" : "MMIO", fi->pm_tmr.address,
               (fi->flags & ACPI_FADT_TMR_VAL_EXT) ? 32 : 24);
    printk(XENLOG_INFO "ACPI: SLEEP INFO: pm1x_cnt[%u:%lx,%u:%lx], pm1x_evt[%u:%lx,%u:%lx]\n",
           fi->pm1a_cnt.space_id, fi->pm1a_cnt.address, fi->pm1b_cnt.space_id, fi->pm1b_cnt.address,
           fi->pm1a_evt.space_id, fi->pm1a_evt.address, fi->pm1b_evt.space_id, fi->pm1b_evt.address);
    if ( fi->sleep_control.address )
        printk(XENLOG_INFO "ACPI: sleep control %s, status %s\n",
               acpi_gas_describe(&fi->sleep_control, a, sizeof(a)),
               acpi_gas_describe(&fi->sleep_status, b, sizeof(b)));
    if ( fi->has_reset_reg )
        printk(XENLOG_INFO "ACPI: reset register %s, value %#x%s\n",
               acpi_gas_describe(&fi->reset_reg, a, sizeof(a)), fi->reset_value,
               fi->reset_reg_sup ? "" : " (RESET_REG_SUP clear)");
    if ( fi->iapc_boot_arch_valid )
        snprintf(a, sizeof(a), ", IAPC_BOOT_ARCH %#x", fi->iapc_boot_arch);
    else
        a[0] = '\0';
    printk(XENLOG_INFO "ACPI: FADT r%u: SCI %u, SMI_CMD %#x ACPI_ENABLE %#x, flags %#x%s%s\n",
           fi->revision, fi->sci_int, fi->smi_cmd, fi->acpi_enable, fi->flags, a,
           (fi->flags & ACPI_FADT_HW_REDUCED) ? " (hardware-reduced)" : "");
}

int acpi_fadt_parse(const void *fadt, size_t len, struct acpi_fadt_info *fi)
{
    const uint8_t *t = fadt;

    memset(fi, 0, sizeof(*fi));
    if ( len < FADT_V1_LEN )
    {
        printk(XENLOG_WARNING "ACPI: FADT too short (%zu bytes)\n", len);
        return -EINVAL;
    }

    fi->revision = t[ACPI_HDR_REVISION];
    fi->length = (uint32_t)len;
    fi->flags = acpi_rd32(t + FADT_FLAGS);
    fi->sci_int = acpi_rd16(t + FADT_SCI_INT);
    fi->smi_cmd = acpi_rd32(t + FADT_SMI_CMD);
    fi->acpi_enable = t[FADT_ACPI_ENABLE];
    fi->acpi_disable = t[FADT_ACPI_DISABLE];
    if ( fi->revision >= FADT_REV_IAPC_BOOT_ARCH )
    {
        fi->iapc_boot_arch_valid = true;
        fi->iapc_boot_arch = acpi_rd16(t + FADT_IAPC_BOOT_ARCH);
    }

    reg_block(&fi->pm1a_evt, t, len, FADT_X_PM1A_EVT, FADT_PM1A_EVT, t[FADT_PM1_EVT_LEN]);
    reg_block(&fi->pm1b_evt, t, len, FADT_X_PM1B_EVT, FADT_PM1B_EVT, t[FADT_PM1_EVT_LEN]);
    reg_block(&fi->pm1a_cnt, t, len, FADT_X_PM1A_CNT, FADT_PM1A_CNT, t[FADT_PM1_CNT_LEN]);
    reg_block(&fi->pm1b_cnt, t, len, FADT_X_PM1B_CNT, FADT_PM1B_CNT, t[FADT_PM1_CNT_LEN]);
    reg_block(&fi->pm_tmr, t, len, FADT_X_PM_TMR, FADT_PM_TMR, t[FADT_PM_TMR_LEN]);

    if ( has_field(len, FADT_RESET_VALUE, 1) )
    {
        fi->has_reset_reg = true;
        acpi_gas_decode(&fi->reset_reg, t + FADT_RESET_REG);
        fi->reset_value = t[FADT_RESET_VALUE];
        fi->reset_reg_sup = fi->flags & ACPI_FADT_RESET_REG_SUP;
    }
    if ( has_field(len, FADT_SLEEP_STATUS, ACPI_GAS_LEN) )
    {
        acpi_gas_decode(&fi->sleep_control, t + FADT_SLEEP_CONTROL);
        acpi_gas_decode(&fi->sleep_status, t + FADT_SLEEP_STATUS);
    }

    fi->facs = acpi_rd32(t + FADT_FACS);
    if ( has_field(len, FADT_X_FACS, 8) && acpi_rd64(t + FADT_X_FACS) )
        fi->facs = acpi_rd64(t + FADT_X_FACS);
    fi->dsdt = acpi_rd32(t + FADT_DSDT);
    if ( has_field(len, FADT_X_DSDT, 8) && acpi_rd64(t + FADT_X_DSDT) )
        fi->dsdt = acpi_rd64(t + FADT_X_DSDT);

    log_fadt(fi);
    fi->valid = true;
    return 0;
}
