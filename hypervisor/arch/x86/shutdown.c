/*
 * shutdown.c - x86 power-off (ACPI S5) and reset (ACPI reset register, 0xCF9, keyboard controller, triple fault).
 *
 * Power-off writes SLP_TYPa/b (from the \_S5 object) with SLP_EN to the
 * FADT's PM1a/PM1b control registers, after switching the firmware to ACPI
 * mode if it is not there yet.  reboot= picks the first reset method as in Xen
 * (acpi, pci, kbd, triple, or no = noreboot); the others follow in that order.
 */
#include <parva/lib.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <parva/shutdown.h>
#include <asm/acpi.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/system.h>
#include <asm/time.h>

/* reboot=<method>[,...]: a[cpi], p[ci], k[bd], t[riple] pick the first method to try; n[o] = noreboot */
static char opt_reboot_method;

static int parse_reboot(const char *s)
{
    char method = 0;
    bool no = false;

    while ( *s )
    {
        switch ( *s )
        {
        case 'a': case 'p': case 'k': case 't':
            method = *s;
            break;
        case 'n':
            no = true;
            break;
        default:
            return -EINVAL;
        }
        while ( *s && *s != ',' )
            s++;
        if ( *s == ',' )
            s++;
    }
    opt_reboot_method = method;
    if ( no )
        opt_noreboot = true;
    return 0;
}
custom_param("reboot", parse_reboot);

static void acpi_enable_mode(void)
{
    const struct acpi_fadt_info *f = &acpi_info.fadt;
    uint32_t v = 0;
    unsigned int i;

    if ( acpi_gas_read(&f->pm1a_cnt, &v) || (v & ACPI_PM1_SCI_EN) || !f->smi_cmd || !f->acpi_enable )
        return;
    outb(f->acpi_enable, f->smi_cmd);
    for ( i = 0; i < 300 && !(v & ACPI_PM1_SCI_EN); i++ )
    {
        mdelay(10);
        if ( acpi_gas_read(&f->pm1a_cnt, &v) )
            break;
    }
}

static void write_slp(const struct acpi_gas *cnt, uint8_t typ)
{
    uint32_t v = 0;

    if ( !cnt->address || acpi_gas_read(cnt, &v) )
        return;
    v &= ~(ACPI_PM1_SLP_TYP_MASK | ACPI_PM1_SLP_EN);
    v |= ((uint32_t)typ << ACPI_PM1_SLP_TYP_SHIFT) & ACPI_PM1_SLP_TYP_MASK;
    acpi_gas_write(cnt, v);
    acpi_gas_write(cnt, v | ACPI_PM1_SLP_EN);
}

__noreturn void arch_power_off(void)
{
    const struct acpi_fadt_info *f = &acpi_info.fadt;
    const struct acpi_s5_info *s5 = &acpi_info.s5;

    if ( f->valid && s5->found )
    {
        if ( f->sleep_control.address && (f->flags & ACPI_FADT_HW_REDUCED) )
            acpi_gas_write(&f->sleep_control,
                           ((uint32_t)s5->slp_typa << ACPI_SLEEP_CTL_SLP_TYP_SHIFT) | ACPI_SLEEP_CTL_SLP_EN);
        else
        {
            acpi_enable_mode();
            write_slp(&f->pm1a_cnt, s5->slp_typa);
            write_slp(&f->pm1b_cnt, s5->slp_typb);
        }
        mdelay(1000);
        printk(XENLOG_ERR "ACPI power-off did not take effect; halting\n");
    }
    else
        printk(XENLOG_ERR "No ACPI power-off (FADT %s, \\_S5 %s); halting\n",
               f->valid ? "ok" : "missing", s5->found ? "ok" : "missing");
    for ( ; ; )
        halt();
}

static void reset_acpi(void)
{
    const struct acpi_fadt_info *f = &acpi_info.fadt;

    if ( f->valid && f->reset_reg_sup )
        acpi_gas_write(&f->reset_reg, f->reset_value);
}

static void reset_pci(void)
{
    outb(0x02, 0xcf9);
    udelay(50);
    outb(0x06, 0xcf9);     /* full reset */
}

static void reset_kbd(void)
{
    unsigned int i;

    for ( i = 0; i < 100000 && (inb(0x64) & 0x02); i++ )
        udelay(10);
    outb(0xfe, 0x64);
}

static void reset_triple(void)
{
    struct desc_ptr none = { 0, 0 };

    __asm__ __volatile__("lidt %0; int3" :: "m"(none));
}

__noreturn void arch_restart(void)
{
    static const struct {
        char key;
        void (*fn)(void);
    } methods[] = {
        { 'a', reset_acpi }, { 'p', reset_pci }, { 'k', reset_kbd }, { 't', reset_triple },
    };
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(methods); i++ )
        if ( opt_reboot_method == methods[i].key )
        {
            methods[i].fn();
            mdelay(500);
        }
    for ( i = 0; i < ARRAY_SIZE(methods); i++ )
    {
        methods[i].fn();
        mdelay(500);
    }
    for ( ; ; )
        halt();
}
