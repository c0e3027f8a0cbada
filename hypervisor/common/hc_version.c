/*
 * hc_version.c - HYPERVISOR_xen_version: who the hypervisor is and what it offers guests.
 *
 * Parva answers as Xen 4.17 (the ABI it implements), with its own name in
 * the extra version and changeset.  Every string buffer is copied out whole,
 * zero-padded, so no hypervisor stack contents reach the guest.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/param.h>
#include <asm/config.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/pv.h>
#include <xen/features.h>
#include <xen/version.h>

#define PARVA_EXTRAVERSION ".0-parva"

extern const char __note_build_id_start[], __note_build_id_end[];

/* The features a PV guest of this hypervisor may rely on (XENVER_get_features, submap 0). */
uint32_t pv_guest_features(const struct domain *d)
{
    uint32_t f = (1U << XENFEAT_mmu_pt_update_preserve_ad) |
                 (1U << XENFEAT_highmem_assist) |
                 (1U << XENFEAT_gnttab_map_avail_bits);

    if ( d->vm_assist & (1UL << VMASST_TYPE_pae_extended_cr3) )
        f |= 1U << XENFEAT_pae_pgdir_above_4gb;
    if ( d->is_privileged && d->domain_id == 0 )
        f |= 1U << XENFEAT_dom0;
    return f;
}

/* The build id from the image's .note.gnu.build-id: descriptor bytes, or NULL. */
static const uint8_t *build_id(uint32_t *len)
{
    const uint32_t *n = (const uint32_t *)__note_build_id_start;

    if ( __note_build_id_end - __note_build_id_start < 16 || n[2] != 3 /* NT_GNU_BUILD_ID */ )
        return NULL;
    *len = n[1];
    return (const uint8_t *)(n + 3) + ROUNDUP(n[0], 4);
}

static long copy_out(unsigned long arg, const void *buf, size_t len)
{
    return copy_to_guest_va(arg, buf, len) ? -EFAULT : 0;
}

long do_xen_version(unsigned long cmd, unsigned long arg)
{
    const struct domain *d = current->domain;

    switch ( cmd )
    {
    case XENVER_version:
        return (XEN_ABI_MAJOR << 16) | XEN_ABI_MINOR;

    case XENVER_extraversion:
    {
        xen_extraversion_t s = { 0 };

        strlcpy(s, PARVA_EXTRAVERSION, sizeof(s));
        return copy_out(arg, s, sizeof(s));
    }
    case XENVER_compile_info:
    {
        struct xen_compile_info ci;

        memset(&ci, 0, sizeof(ci));
        strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
        strlcpy(ci.compile_by, "parva", sizeof(ci.compile_by));
        strlcpy(ci.compile_domain, "parva", sizeof(ci.compile_domain));
        strlcpy(ci.compile_date, __DATE__ " " __TIME__, sizeof(ci.compile_date));
        return copy_out(arg, &ci, sizeof(ci));
    }
    case XENVER_capabilities:
    {
        static const xen_capabilities_info_t caps = "xen-3.0-x86_64";

        return copy_out(arg, caps, sizeof(caps));
    }
    case XENVER_changeset:
    {
        xen_changeset_info_t s = { 0 };

        snprintf(s, sizeof(s), "parva %d.%d", PARVA_VERSION_MAJOR, PARVA_VERSION_MINOR);
        return copy_out(arg, s, sizeof(s));
    }
    case XENVER_platform_parameters:
    {
        struct xen_platform_parameters p = { .virt_start = HYPERVISOR_VIRT_START };

        return copy_out(arg, &p, sizeof(p));
    }
    case XENVER_get_features:
    {
        struct xen_feature_info fi;

        if ( copy_from_guest_va(&fi, arg, sizeof(fi)) )
            return -EFAULT;
        fi.submap = fi.submap_idx == 0 ? pv_guest_features(d) : 0;
        if ( fi.submap_idx >= XENFEAT_NR_SUBMAPS )
            return -EINVAL;
        return copy_out(arg, &fi, sizeof(fi));
    }
    case XENVER_pagesize:
        return PAGE_SIZE;

    case XENVER_guest_handle:
    {
        xen_domain_handle_t h = { 0 };

        return copy_out(arg, h, sizeof(h));
    }
    case XENVER_commandline:
    {
        xen_commandline_t line;

        if ( !d->is_privileged )
            return -EPERM;
        memset(line, 0, sizeof(line));
        strlcpy(line, param_saved_cmdline(), sizeof(line));
        return copy_out(arg, line, sizeof(line));
    }
    case XENVER_build_id:
    {
        struct xen_build_id bi;
        uint32_t len;
        const uint8_t *id = build_id(&len);

        if ( !d->is_privileged )
            return -EPERM;
        if ( !id )
            return -ENODATA;
        if ( !arg )
            return len;
        if ( copy_from_guest_va(&bi, arg, sizeof(bi)) )
            return -EFAULT;
        if ( bi.len == 0 )
            return -EINVAL;
        if ( bi.len < len )
            return -ENOBUFS;
        if ( copy_to_guest_va(arg + __builtin_offsetof(struct xen_build_id, buf), id, len) )
            return -EFAULT;
        return len;
    }
    default:
        return -ENOSYS;
    }
}
