/* test_irq_override.c - ISA IRQs become GSIs through the MADT's interrupt source overrides. */
#include <parva/acpi.h>

const void *acpi_map(uint64_t paddr, size_t len)
{
    (void)paddr;
    (void)len;
    return NULL;
}

/* QEMU's i440fx MADT: IRQ0 -> GSI2 (conforming), IRQ5/9/10/11 level active-high. */
static struct acpi_madt_info qemu_madt(void)
{
    struct acpi_madt_info mi = { .valid = true, .nr_isos = 5 };

    mi.isos[0] = (struct acpi_iso){ .bus = 0, .source = 0, .gsi = 2, .flags = 0 };
    mi.isos[1] = (struct acpi_iso){ .bus = 0, .source = 5, .gsi = 5, .flags = 0xd };
    mi.isos[2] = (struct acpi_iso){ .bus = 0, .source = 9, .gsi = 9, .flags = 0xd };
    mi.isos[3] = (struct acpi_iso){ .bus = 0, .source = 10, .gsi = 10, .flags = 0xd };
    mi.isos[4] = (struct acpi_iso){ .bus = 0, .source = 11, .gsi = 11, .flags = 0xd };
    return mi;
}

static void test_no_override_is_identity_edge_high(void **state)
{
    struct acpi_madt_info mi = qemu_madt();
    bool level = true, low = true;

    (void)state;
    assert_int_equal(acpi_isa_irq_to_gsi(&mi, 4, &level, &low), 4);
    assert_false(level);
    assert_false(low);
}

static void test_timer_irq0_goes_to_gsi2(void **state)
{
    struct acpi_madt_info mi = qemu_madt();
    bool level = true, low = true;

    (void)state;
    assert_int_equal(acpi_isa_irq_to_gsi(&mi, 0, &level, &low), 2);
    assert_false(level);        /* conforms: ISA default */
    assert_false(low);
}

static void test_level_active_high_override(void **state)
{
    struct acpi_madt_info mi = qemu_madt();
    bool level = false, low = true;

    (void)state;
    assert_int_equal(acpi_isa_irq_to_gsi(&mi, 9, &level, &low), 9);
    assert_true(level);
    assert_false(low);
}

static void test_level_active_low_override(void **state)
{
    struct acpi_madt_info mi = { .nr_isos = 1 };
    bool level = false, low = false;

    (void)state;
    mi.isos[0] = (struct acpi_iso){ .bus = 0, .source = 3, .gsi = 19, .flags = 0xf };
    assert_int_equal(acpi_isa_irq_to_gsi(&mi, 3, &level, &low), 19);
    assert_true(level);
    assert_true(low);
}

static void test_edge_active_low_override(void **state)
{
    struct acpi_madt_info mi = { .nr_isos = 1 };
    bool level = true, low = false;

    (void)state;
    mi.isos[0] = (struct acpi_iso){ .bus = 0, .source = 8, .gsi = 8, .flags = 0x7 };
    assert_int_equal(acpi_isa_irq_to_gsi(&mi, 8, &level, &low), 8);
    assert_false(level);
    assert_true(low);
}

static void test_override_for_other_bus_is_ignored(void **state)
{
    struct acpi_madt_info mi = { .nr_isos = 1 };
    bool level, low;

    (void)state;
    mi.isos[0] = (struct acpi_iso){ .bus = 1, .source = 4, .gsi = 20, .flags = 0xf };
    assert_int_equal(acpi_isa_irq_to_gsi(&mi, 4, &level, &low), 4);
    assert_false(level);
    assert_false(low);
}

static void test_empty_madt(void **state)
{
    struct acpi_madt_info mi = { 0 };
    bool level, low;

    (void)state;
    assert_int_equal(acpi_isa_irq_to_gsi(&mi, 15, &level, &low), 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_override_is_identity_edge_high),
        cmocka_unit_test(test_timer_irq0_goes_to_gsi2),
        cmocka_unit_test(test_level_active_high_override),
        cmocka_unit_test(test_level_active_low_override),
        cmocka_unit_test(test_edge_active_low_override),
        cmocka_unit_test(test_override_for_other_bus_is_ignored),
        cmocka_unit_test(test_empty_madt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
