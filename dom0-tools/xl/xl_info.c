/*
 * xl_info.c - xl info, xl dmesg and xl debug-keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "xl.h"

#define KEY "%-23s: "

static void version_string(struct xl *xl, int cmd, char *buf, size_t len)
{
    memset(buf, 0, len);
    if (xc_version(&xl->xc, cmd, buf, len) < 0)
        buf[0] = '\0';
    buf[len - 1] = '\0';
}

int xl_cmd_info(struct xl *xl, int argc, char **argv)
{
    struct xen_sysctl_physinfo pi;
    struct utsname u;
    xen_extraversion_t extra;
    xen_capabilities_info_t caps;
    xen_changeset_info_t changeset;
    xen_compile_info_t compile;
    xen_platform_parameters_t params;
    static char cmdline[1024], build_id[sizeof(xen_build_id_t) + 256], hex[2 * 256 + 1];
    xen_build_id_t *bid = (xen_build_id_t *)build_id;
    uint32_t sched = 0;
    long ver, pagesize;

    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "Usage: xl info\n");
        return 2;
    }
    if (xc_physinfo(&xl->xc, &pi)) {
        fprintf(stderr, "libxl_physinfo failed: %s\n", strerror(errno));
        return 1;
    }
    uname(&u);
    printf(KEY "%s\n", "host", u.nodename);
    printf(KEY "%s\n", "release", u.release);
    printf(KEY "%s\n", "version", u.version);
    printf(KEY "%s\n", "machine", u.machine);
    printf(KEY "%u\n", "nr_cpus", pi.nr_cpus);
    printf(KEY "%u\n", "max_cpu_id", pi.max_cpu_id);
    printf(KEY "%u\n", "nr_nodes", pi.nr_nodes);
    printf(KEY "%u\n", "cores_per_socket", pi.cores_per_socket);
    printf(KEY "%u\n", "threads_per_core", pi.threads_per_core);
    printf(KEY "%u.%03u\n", "cpu_mhz", pi.cpu_khz / 1000, pi.cpu_khz % 1000);
    printf(KEY, "hw_caps");
    for (int i = 0; i < 8; i++)
        printf("%08x%c", pi.hw_cap[i], i < 7 ? ':' : '\n');
    printf("virt_caps              :%s%s%s%s%s%s%s%s%s%s%s\n",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_pv) ? " pv" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_hvm) ? " hvm" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_hvm) && (pi.capabilities & XEN_SYSCTL_PHYSCAP_directio)
               ? " hvm_directio" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_pv) && (pi.capabilities & XEN_SYSCTL_PHYSCAP_directio)
               ? " pv_directio" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_hap) ? " hap" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_shadow) ? " shadow" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share) ? " iommu_hap_pt_share" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_vmtrace) ? " vmtrace" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_vpmu) ? " vpmu" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v1) ? " gnttab-v1" : "",
           (pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v2) ? " gnttab-v2" : "");
    printf(KEY "%lu\n", "total_memory", (unsigned long)(pi.total_pages >> 8));
    printf(KEY "%lu\n", "free_memory", (unsigned long)(pi.free_pages >> 8));
    printf(KEY "%lu\n", "sharing_freed_memory", 0ul);
    printf(KEY "%lu\n", "sharing_used_memory", 0ul);
    printf(KEY "%lu\n", "outstanding_claims", (unsigned long)(pi.outstanding_pages >> 8));
    printf(KEY "%u\n", "free_cpus", 0u);

    ver = xc_version(&xl->xc, XENVER_version, NULL, 0);
    version_string(xl, XENVER_extraversion, extra, sizeof(extra));
    version_string(xl, XENVER_capabilities, caps, sizeof(caps));
    version_string(xl, XENVER_changeset, changeset, sizeof(changeset));
    memset(&compile, 0, sizeof(compile));
    xc_version(&xl->xc, XENVER_compile_info, &compile, sizeof(compile));
    memset(&params, 0, sizeof(params));
    xc_version(&xl->xc, XENVER_platform_parameters, &params, sizeof(params));
    version_string(xl, XENVER_commandline, cmdline, sizeof(xen_commandline_t));
    pagesize = xc_version(&xl->xc, XENVER_pagesize, NULL, 0);
    xc_sched_id(&xl->xc, &sched);
    printf(KEY "%ld\n", "xen_major", ver >> 16);
    printf(KEY "%ld\n", "xen_minor", ver & 0xffff);
    printf(KEY "%s\n", "xen_extra", extra);
    printf(KEY "%ld.%ld%s\n", "xen_version", ver >> 16, ver & 0xffff, extra);
    printf(KEY "%s\n", "xen_caps", caps);
    printf(KEY "%s\n", "xen_scheduler", xl_scheduler_name(sched));
    printf(KEY "%ld\n", "xen_pagesize", pagesize);
    printf(KEY "virt_start=0x%lx\n", "platform_params", (unsigned long)params.virt_start);
    printf(KEY "%s\n", "xen_changeset", changeset);
    printf(KEY "%s\n", "xen_commandline", cmdline);
    printf(KEY "%.*s\n", "cc_compiler", (int)sizeof(compile.compiler), compile.compiler);
    printf(KEY "%.*s\n", "cc_compile_by", (int)sizeof(compile.compile_by), compile.compile_by);
    printf(KEY "%.*s\n", "cc_compile_domain", (int)sizeof(compile.compile_domain), compile.compile_domain);
    printf(KEY "%.*s\n", "cc_compile_date", (int)sizeof(compile.compile_date), compile.compile_date);
    bid->len = 256;
    hex[0] = '\0';
    if (xc_version(&xl->xc, XENVER_build_id, build_id, sizeof(build_id)) > 0)
        for (uint32_t i = 0; i < bid->len && i < 256; i++)
            sprintf(hex + 2 * i, "%02x", bid->buf[i]);
    printf(KEY "%s\n", "build_id", hex);
    printf(KEY "%d\n", "xend_config_format", 4);
    return 0;
}

int xl_cmd_dmesg(struct xl *xl, int argc, char **argv)
{
    static char buf[16384];
    bool clear = false;
    uint32_t index = 0;
    long n;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c"))
            clear = true;
        else {
            fprintf(stderr, "Usage: xl dmesg [-c]\n");
            return 2;
        }
    }
    /* As libxl: incremental reads from index 0 (the oldest byte held) until nothing is left. */
    do {
        n = xc_readconsole(&xl->xc, buf, sizeof(buf), &index, 1, clear);
        if (n < 0) {
            fprintf(stderr, "libxl_xen_console_read_start failed: %s\n", strerror(errno));
            return 1;
        }
        fwrite(buf, 1, (size_t)n, stdout);
    } while (n > 0);
    return 0;
}

int xl_cmd_debug_keys(struct xl *xl, int argc, char **argv)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_debug_keys };
    size_t len;
    char *buf;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "Usage: xl debug-keys <Keys>\n");
        return 2;
    }
    len = strlen(argv[1]);
    if (!(buf = xc_buf_alloc(len + 1)))
        return 1;
    memcpy(buf, argv[1], len);
    set_xen_guest_handle(op.u.debug_keys.keys, buf);
    op.u.debug_keys.nr_keys = (uint32_t)len;
    rc = xc_sysctl(&xl->xc, &op);
    if (rc)
        fprintf(stderr, "cannot send debug keys: %s\n", strerror(errno));
    xc_buf_free(buf, len + 1);
    return rc ? 1 : 0;
}
