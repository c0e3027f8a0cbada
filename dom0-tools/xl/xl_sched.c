/*
 * xl_sched.c - xl sched-credit and xl vcpu-pin.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"

static int credit_get(struct xl *xl, domid_t dom, int *weight, int *cap)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_scheduler_op, .domain = dom };

    op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
    op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_getinfo;
    if (xc_domctl(&xl->xc, &op))
        return -1;
    *weight = op.u.scheduler_op.u.credit.weight;
    *cap = op.u.scheduler_op.u.credit.cap;
    return 0;
}

static int credit_line(struct xl *xl, domid_t dom)
{
    int weight, cap;
    char *name;

    if (credit_get(xl, dom, &weight, &cap)) {
        fprintf(stderr, "libxl_domain_sched_params_get failed.\n");
        return 1;
    }
    name = xl_domname(xl, dom);
    printf("%-33s %4d %6d %4d\n", name ? name : "(null)", dom, weight, cap);
    free(name);
    return 0;
}

int xl_cmd_sched_credit(struct xl *xl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "domain", 1, NULL, 'd' }, { "weight", 1, NULL, 'w' }, { "cap", 1, NULL, 'c' },
        { "schedparam", 0, NULL, 's' }, { NULL, 0, NULL, 0 }
    };
    const char *dom_arg = NULL;
    long weight = -1, cap = -1;
    uint32_t sched;
    int opt, rc = 0;
    char *end;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:w:c:s", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': dom_arg = optarg; break;
        case 'w':
            weight = strtol(optarg, &end, 10);
            if (*end || weight < 1 || weight > 65535) {
                fprintf(stderr, "Invalid weight %s (1-65535)\n", optarg);
                return 2;
            }
            break;
        case 'c':
            cap = strtol(optarg, &end, 10);
            if (*end || cap < 0 || cap > 65534) {
                fprintf(stderr, "Invalid cap %s\n", optarg);
                return 2;
            }
            break;
        case 's': break;
        default:
            fprintf(stderr, "Usage: xl sched-credit [-d <Domain> [-w[=WEIGHT]|-c[=CAP]]]\n");
            return 2;
        }
    }
    if (xc_sched_id(&xl->xc, &sched) || sched != XEN_SCHEDULER_CREDIT) {
        fprintf(stderr, "The scheduler is not credit (%s)\n", xl_scheduler_name(sched));
        return 1;
    }
    if ((weight >= 0 || cap >= 0) && !dom_arg) {
        fprintf(stderr, "Must specify a domain.\n");
        return 2;
    }
    if (dom_arg) {
        domid_t dom;

        if (xl_find_domain(xl, dom_arg, &dom))
            return 1;
        if (weight < 0 && cap < 0) {
            printf("%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
            return credit_line(xl, dom);
        }
        {
            struct xen_domctl op = { .cmd = XEN_DOMCTL_scheduler_op, .domain = dom };

            op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
            op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_putinfo;
            op.u.scheduler_op.u.credit.weight = weight > 0 ? (uint16_t)weight : 0;      /* 0: unchanged */
            op.u.scheduler_op.u.credit.cap = cap >= 0 ? (uint16_t)cap : (uint16_t)~0U;  /* ~0: unchanged */
            if (xc_domctl(&xl->xc, &op)) {
                fprintf(stderr, "libxl_domain_sched_params_set failed.\n");
                return 1;
            }
        }
        return 0;
    }
    {
        struct xen_domctl_getdomaininfo info[64];
        domid_t next = 0;
        int n;

        printf("Cpupool Pool-0: tslice=30ms ratelimit=0us migration-delay=0us\n");
        printf("%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
        while ((n = xc_domain_list(&xl->xc, next, 64, info)) > 0) {
            for (int i = 0; i < n; i++)
                rc |= credit_line(xl, info[i].domain);
            next = info[n - 1].domain + 1;
            if (n < 64)
                break;
        }
    }
    return rc;
}

int xl_cmd_vcpu_pin(struct xl *xl, int argc, char **argv)
{
    struct xen_domctl_getdomaininfo info;
    struct xen_sysctl_physinfo pi;
    uint64_t hard = 0, soft = 0;
    bool set_hard, set_soft;
    domid_t dom;
    uint32_t first, last;

    if (argc != 4 && argc != 5) {
        fprintf(stderr, "Usage: xl vcpu-pin <Domain> <VCPU|all> <Hard affinity|-|all> [Soft affinity|-|all]\n");
        return 2;
    }
    if (xl_find_domain(xl, argv[1], &dom) || xc_domain_info(&xl->xc, dom, &info) || xc_physinfo(&xl->xc, &pi))
        return 1;
    if (!strcmp(argv[2], "all")) {
        first = 0;
        last = info.max_vcpu_id;
    } else {
        char *end;
        unsigned long v = strtoul(argv[2], &end, 10);

        if (!*argv[2] || *end || v > info.max_vcpu_id) {
            fprintf(stderr, "Invalid VCPU %s\n", argv[2]);
            return 1;
        }
        first = last = (uint32_t)v;
    }
    set_hard = strcmp(argv[3], "-") != 0;
    set_soft = argc == 5 && strcmp(argv[4], "-") != 0;
    if ((set_hard && xl_parse_cpulist(argv[3], pi.nr_cpus, &hard)) ||
        (set_soft && xl_parse_cpulist(argv[4], pi.nr_cpus, &soft))) {
        fprintf(stderr, "Invalid CPU list (CPUs 0-%u: \"all\", \"N\", \"N-M\", \"^N\", joined by commas)\n",
                pi.nr_cpus - 1);
        return 1;
    }
    if (!set_hard && !set_soft)
        return 0;
    for (uint32_t v = first; v <= last; v++)
        if (xc_vcpu_setaffinity(&xl->xc, dom, v, set_hard ? &hard : NULL, set_soft ? &soft : NULL)) {
            fprintf(stderr, "Setting vcpu affinity failed: %s\n", strerror(errno));
            return 1;
        }
    return 0;
}
