/*
 * xl_list.c - xl list and xl vcpu-list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"

#define BATCH 64

/* The domains named on the command line (all when none): their records, or -1 (message printed). */
static int collect(struct xl *xl, int argc, char **argv, struct xen_domctl_getdomaininfo **out)
{
    struct xen_domctl_getdomaininfo *all = NULL;
    int n = 0, got;
    domid_t next = 0;

    if (argc > 1) {
        all = calloc(argc - 1, sizeof(*all));
        if (!all)
            return -1;
        for (int i = 1; i < argc; i++) {
            domid_t dom;

            if (xl_find_domain(xl, argv[i], &dom) || xc_domain_info(&xl->xc, dom, &all[n])) {
                free(all);
                return -1;
            }
            n++;
        }
        *out = all;
        return n;
    }
    for (;;) {
        struct xen_domctl_getdomaininfo *grown = realloc(all, (n + BATCH) * sizeof(*all));

        if (!grown) {
            free(all);
            return -1;
        }
        all = grown;
        got = xc_domain_list(&xl->xc, next, BATCH, all + n);
        if (got < 0) {
            fprintf(stderr, "libxl_list_domain failed.\n");
            free(all);
            return -1;
        }
        n += got;
        if (got < BATCH)
            break;
        next = all[n - 1].domain + 1;
    }
    *out = all;
    return n;
}

int xl_cmd_list(struct xl *xl, int argc, char **argv)
{
    struct xen_domctl_getdomaininfo *info;
    int n = collect(xl, argc, argv, &info);
    char line[256];

    if (n < 0)
        return 1;
    printf("Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
    for (int i = 0; i < n; i++) {
        char *name = xl_domname(xl, info[i].domain);

        xl_format_list_line(line, sizeof(line), &info[i], name);
        fputs(line, stdout);
        free(name);
    }
    free(info);
    return 0;
}

int xl_cmd_vcpu_list(struct xl *xl, int argc, char **argv)
{
    struct xen_domctl_getdomaininfo *info;
    struct xen_sysctl_physinfo pi;
    int n = collect(xl, argc, argv, &info);
    char line[512], hard[256], soft[256];

    if (n < 0)
        return 1;
    if (xc_physinfo(&xl->xc, &pi)) {
        fprintf(stderr, "libxl_physinfo failed: %s\n", strerror(errno));
        free(info);
        return 1;
    }
    printf("Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n");
    for (int i = 0; i < n; i++) {
        char *name = xl_domname(xl, info[i].domain);

        for (uint32_t v = 0; info[i].max_vcpu_id != XEN_INVALID_MAX_VCPU_ID && v <= info[i].max_vcpu_id; v++) {
            struct xen_domctl op = { .cmd = XEN_DOMCTL_getvcpuinfo, .domain = info[i].domain };
            uint64_t h, s;

            op.u.getvcpuinfo.vcpu = v;
            if (xc_domctl(&xl->xc, &op) || xc_vcpu_getaffinity(&xl->xc, info[i].domain, v, &h, &s))
                continue;               /* the domain went away meanwhile */
            xl_format_cpumap(hard, sizeof(hard), h, pi.nr_cpus);
            xl_format_cpumap(soft, sizeof(soft), s, pi.nr_cpus);
            xl_format_vcpu_line(line, sizeof(line), name, info[i].domain, v, &op.u.getvcpuinfo, hard, soft);
            fputs(line, stdout);
        }
        free(name);
    }
    free(info);
    return 0;
}
