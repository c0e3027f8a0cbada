/*
 * xl.c - xl's entry point: global options, the command table, and the helpers every command
 * uses (domain names and lookups).  See xl.h and docs/xl.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xenstore.h"
#include "xl.h"

struct command {
    const char *name;
    int (*fn)(struct xl *xl, int argc, char **argv);
    const char *usage;
    const char *summary;
};

static const struct command commands[] = {
    { "list", xl_cmd_list, "[Domain...]", "List information about all/some domains" },
    { "info", xl_cmd_info, "", "Get information about Xen host" },
    { "dmesg", xl_cmd_dmesg, "[-c]", "Read and/or clear dmesg buffer" },
    { "debug-keys", xl_cmd_debug_keys, "<Keys>", "Send debug keys to Xen" },
    { "pause", xl_cmd_pause, "<Domain>", "Pause execution of a domain" },
    { "unpause", xl_cmd_unpause, "<Domain>", "Unpause a paused domain" },
    { "destroy", xl_cmd_destroy, "<Domain>", "Terminate a domain immediately" },
    { "domid", xl_cmd_domid, "<DomainName>", "Convert a domain name to domain id" },
    { "domname", xl_cmd_domname, "<DomainId>", "Convert a domain id to domain name" },
    { "vcpu-list", xl_cmd_vcpu_list, "[Domain...]", "List the VCPUs for all/some domains" },
    { "vcpu-pin", xl_cmd_vcpu_pin, "<Domain> <VCPU|all> <Hard affinity|-|all> <Soft affinity|-|all>",
      "Set which CPUs a VCPU can use" },
    { "sched-credit", xl_cmd_sched_credit, "[-d <Domain> [-w[=WEIGHT]|-c[=CAP]]]",
      "Get/set credit scheduler parameters" },
};

static void usage(FILE *f)
{
    fprintf(f, "Usage xl [-v] <subcommand> [args]\n\nxl full list of subcommands:\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, " %-19s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n");
}

char *xl_domname(struct xl *xl, domid_t dom)
{
    char path[64];

    if (!xl->xs)
        return NULL;
    snprintf(path, sizeof(path), "/local/domain/%u/name", dom);
    return xs_read(xl->xs, XBT_NULL, path, NULL);
}

int xl_find_domain(struct xl *xl, const char *arg, domid_t *dom)
{
    struct xen_domctl_getdomaininfo info[64];
    char *end;
    unsigned long id = strtoul(arg, &end, 10);
    domid_t next = 0;
    int n;

    if (*arg && !*end) {
        if (id >= DOMID_FIRST_RESERVED || xc_domain_info(&xl->xc, (domid_t)id, &info[0])) {
            fprintf(stderr, "%s is an invalid domain identifier (rc=-6)\n", arg);
            return 1;
        }
        *dom = (domid_t)id;
        return 0;
    }
    /* A name: the domain whose /local/domain/<id>/name it is. */
    while ((n = xc_domain_list(&xl->xc, next, 64, info)) > 0) {
        for (int i = 0; i < n; i++) {
            char *name = xl_domname(xl, info[i].domain);
            bool match = name && !strcmp(name, arg);

            free(name);
            if (match) {
                *dom = info[i].domain;
                return 0;
            }
        }
        next = info[n - 1].domain + 1;
    }
    fprintf(stderr, "%s is an invalid domain identifier (rc=-6)\n", arg);
    return 1;
}

int main(int argc, char **argv)
{
    struct xl xl = { .xs = NULL };
    const struct command *cmd = NULL;
    int argi = 1, rc;

    while (argi < argc && argv[argi][0] == '-') {
        if (!strcmp(argv[argi], "-h") || !strcmp(argv[argi], "--help")) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[argi], "-v") && strcmp(argv[argi], "-f") && strcmp(argv[argi], "-N")) {
            fprintf(stderr, "xl: unknown global option %s\n", argv[argi]);
            usage(stderr);
            return 2;
        }
        argi++;                         /* -v, -f, -N: accepted; nothing here depends on them */
    }
    if (argi >= argc) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[argi], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[argi], commands[i].name))
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "command not implemented\n");
        return 2;
    }
    if (argi + 1 < argc && (!strcmp(argv[argi + 1], "-h") || !strcmp(argv[argi + 1], "--help"))) {
        printf("Usage: xl %s %s\n\n%s.\n\n", cmd->name, cmd->usage, cmd->summary);
        return 0;
    }
    if (xc_open(&xl.xc)) {
        fprintf(stderr, "xl: cannot open /dev/xen/privcmd: %s (is this dom0 on Xen or Parva, with "
                "xen-privcmd loaded?)\n", strerror(errno));
        return 1;
    }
    xl.xs = xs_open(0);                 /* names only: xl works without xenstored */
    rc = cmd->fn(&xl, argc - argi, argv + argi);
    if (xl.xs)
        xs_close(xl.xs);
    xc_close(&xl.xc);
    return rc;
}
