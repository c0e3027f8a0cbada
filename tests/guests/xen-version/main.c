/*
 * xen-version - every HYPERVISOR_xen_version sub-op as dom0 sees it: version 4.17, string buffers
 * NUL-terminated and zero-padded to their full size (the whole buffer is written), capabilities
 * naming xen-3.0-x86_64, platform_parameters.virt_start = HYPERVISOR_VIRT_START, the PV feature bits
 * (5 mmu_pt_update_preserve_ad, 7 gnttab_map_avail_bits, 11 dom0; only submap 0 exists), pagesize
 * 4096, a zero guest handle
 * for dom0, the command line, build_id's size protocol, and the errors for bad input.
 */
#include "guest.h"

const char test_title[] = "xen_version sub-ops";

static union
{
    xen_extraversion_t extraversion;
    xen_compile_info_t compile;
    xen_capabilities_info_t caps;
    xen_changeset_info_t changeset;
    xen_platform_parameters_t params;
    xen_feature_info_t feat;
    xen_domain_handle_t handle;
    xen_commandline_t cmdline;
    struct
    {
        xen_build_id_t id;
        unsigned char buf[256];
    } build_id;
    uint8_t raw[1100];
} u;

static void prefill(void)
{
    memset(&u, 0xa5, sizeof(u));
}

/* A string field: NUL inside, printable before it, zero after it up to `size`. */
static void check_string(const char *what, const char *s, size_t size, bool may_be_empty)
{
    size_t len = strnlen(s, size);

    if ( len == size )
    {
        report_fail("%s: no NUL within %zu bytes", what, size);
        return;
    }
    if ( !len && !may_be_empty )
        report_fail("%s: empty", what);
    for ( size_t i = 0; i < len; i++ )
    {
        if ( s[i] < 0x20 || s[i] > 0x7e )
        {
            report_fail("%s: unprintable byte %#x at %zu", what, (unsigned char)s[i], i);
            return;
        }
    }
    for ( size_t i = len; i < size; i++ )
    {
        if ( s[i] )
        {
            report_fail("%s: byte %zu after the NUL is %#x, the buffer must be zero-padded", what, i,
                        (unsigned char)s[i]);
            return;
        }
    }
    printf("%s: \"%s\"\n", what, s);
}

static bool has_word(const char *s, const char *word)
{
    size_t n = strlen(word);

    for ( const char *p = s; (p = strstr(p, word)) != NULL; p += n )
    {
        if ( (p == s || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0') )
            return true;
    }
    return false;
}

void test_main(start_info_t *si)
{
    long rc, sz;
    uint32_t bits;

    rc = hypercall_xen_version(XENVER_version, NULL);
    check_eq("XENVER_version", rc, (4 << 16) | 17);

    prefill();
    check_rc("XENVER_extraversion", hypercall_xen_version(XENVER_extraversion, u.extraversion), 0);
    check_string("extraversion", u.extraversion, sizeof(u.extraversion), true);

    prefill();
    check_rc("XENVER_compile_info", hypercall_xen_version(XENVER_compile_info, &u.compile), 0);
    check_string("compiler", u.compile.compiler, sizeof(u.compile.compiler), false);
    check_string("compile_by", u.compile.compile_by, sizeof(u.compile.compile_by), true);
    check_string("compile_domain", u.compile.compile_domain, sizeof(u.compile.compile_domain), true);
    check_string("compile_date", u.compile.compile_date, sizeof(u.compile.compile_date), false);

    prefill();
    check_rc("XENVER_capabilities", hypercall_xen_version(XENVER_capabilities, u.caps), 0);
    check_string("capabilities", u.caps, sizeof(u.caps), false);
    check(has_word(u.caps, "xen-3.0-x86_64"), "capabilities \"%s\" lack the word xen-3.0-x86_64", u.caps);

    prefill();
    check_rc("XENVER_changeset", hypercall_xen_version(XENVER_changeset, u.changeset), 0);
    check_string("changeset", u.changeset, sizeof(u.changeset), true);

    prefill();
    check_rc("XENVER_platform_parameters", hypercall_xen_version(XENVER_platform_parameters, &u.params), 0);
    check_eq("platform_parameters.virt_start", u.params.virt_start, HYPERVISOR_VIRT_START);

    prefill();
    u.feat.submap_idx = 0;
    check_rc("XENVER_get_features(0)", hypercall_xen_version(XENVER_get_features, &u.feat), 0);
    bits = u.feat.submap;
    printf("features submap 0: %#x\n", bits);
    check((bits & 0x8a0) == 0x8a0, "features %#x: bits 5 (mmu_pt_update_preserve_ad), 7 "
          "(gnttab_map_avail_bits) and 11 (dom0) must be set", bits);
    check(!(bits & ((1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_writable_descriptor_tables) |
                    (1u << XENFEAT_auto_translated_physmap) | (1u << XENFEAT_supervisor_mode_kernel) |
                    (1u << XENFEAT_hvm_callback_vector) | (1u << XENFEAT_hvm_safe_pvclock) |
                    (1u << XENFEAT_hvm_pirqs))),
          "features %#x: a bit a PV guest must not see (0, 1, 2, 3, 8, 9, 10) is set", bits);
    check(!(bits & (1u << XENFEAT_pae_pgdir_above_4gb)),
          "features %#x: bit 4 without a PAE_MODE note (VMASST pae_extended_cr3 is off)", bits);

    /* XENFEAT_NR_SUBMAPS is 1: every other index is refused. */
    u.feat.submap_idx = XENFEAT_NR_SUBMAPS;
    check_rc("XENVER_get_features(XENFEAT_NR_SUBMAPS)", hypercall_xen_version(XENVER_get_features, &u.feat),
             -EINVAL);
    u.feat.submap_idx = 0x100;
    check_rc("XENVER_get_features(256)", hypercall_xen_version(XENVER_get_features, &u.feat), -EINVAL);

    check_eq("XENVER_pagesize", hypercall_xen_version(XENVER_pagesize, NULL), 4096);

    prefill();
    check_rc("XENVER_guest_handle", hypercall_xen_version(XENVER_guest_handle, u.handle), 0);
    for ( unsigned int i = 0; i < sizeof(u.handle); i++ )
        check(!u.handle[i], "dom0's guest handle byte %u is %#x, expected 0", i, u.handle[i]);

    prefill();
    check_rc("XENVER_commandline", hypercall_xen_version(XENVER_commandline, u.cmdline), 0);
    check_string("commandline", u.cmdline, sizeof(u.cmdline), false);
    check(strstr(u.cmdline, "dom0_mem=") != NULL, "the command line \"%s\" lacks dom0_mem=", u.cmdline);

    /* build_id: NULL returns the size; a buffer of that size gets it; smaller gives -ENOBUFS. */
    sz = hypercall_xen_version(XENVER_build_id, NULL);
    printf("build_id size: %ld\n", sz);
    if ( sz == -ENODATA )
        printf("no build id (-ENODATA)\n");
    else if ( check(sz > 0 && sz <= 256, "XENVER_build_id(NULL) returned %ld", sz) )
    {
        prefill();
        u.build_id.id.len = sz;
        check_rc("XENVER_build_id(len = size)", hypercall_xen_version(XENVER_build_id, &u.build_id), sz);
        check(u.build_id.id.len == sz, "build_id.len changed to %u", u.build_id.id.len);
        u.build_id.id.len = sz - 1;
        check_rc("XENVER_build_id(len = size - 1)", hypercall_xen_version(XENVER_build_id, &u.build_id),
                 -ENOBUFS);
        u.build_id.id.len = 0;
        check_rc("XENVER_build_id(len = 0)", hypercall_xen_version(XENVER_build_id, &u.build_id), -EINVAL);
    }

    check_rc("xen_version sub-op 64", hypercall_xen_version(64, &u), -ENOSYS);
    check_rc("XENVER_extraversion to a non-canonical buffer",
             hypercall_xen_version(XENVER_extraversion, (void *)0x8000000000000000ul), -EFAULT);
    check_rc("XENVER_capabilities to the read-only M2P",
             hypercall_xen_version(XENVER_capabilities, (void *)MACH2PHYS_VIRT_START), -EFAULT);
}
