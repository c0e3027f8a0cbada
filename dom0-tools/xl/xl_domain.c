/*
 * xl_domain.c - xl pause, unpause, destroy, domid, domname.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"

/* The one <Domain> argument of a command: 0, or the exit status to return. */
static int one_domain(struct xl *xl, int argc, char **argv, const char *cmd, domid_t *dom)
{
    if (argc != 2) {
        fprintf(stderr, "Usage: xl %s <Domain>\n", cmd);
        return 2;
    }
    return xl_find_domain(xl, argv[1], dom);
}

static int simple_domctl(struct xl *xl, int argc, char **argv, const char *cmd, uint32_t op_cmd,
                         const char *what)
{
    struct xen_domctl op = { .cmd = op_cmd };
    domid_t dom;
    int rc = one_domain(xl, argc, argv, cmd, &dom);

    if (rc)
        return rc;
    op.domain = dom;
    if (xc_domctl(&xl->xc, &op)) {
        fprintf(stderr, "%s of domain %u failed: %s\n", what, dom, strerror(errno));
        return 1;
    }
    return 0;
}

int xl_cmd_pause(struct xl *xl, int argc, char **argv)
{
    return simple_domctl(xl, argc, argv, "pause", XEN_DOMCTL_pausedomain, "pause");
}

int xl_cmd_unpause(struct xl *xl, int argc, char **argv)
{
    return simple_domctl(xl, argc, argv, "unpause", XEN_DOMCTL_unpausedomain, "unpause");
}

int xl_cmd_destroy(struct xl *xl, int argc, char **argv)
{
    domid_t dom;
    int rc = one_domain(xl, argc, argv, "destroy", &dom);
    struct xen_domctl op = { .cmd = XEN_DOMCTL_destroydomain };

    if (rc)
        return rc;
    if (dom == 0) {
        fprintf(stderr, "Cannot destroy privileged domain 0.\n\n");
        return 1;
    }
    op.domain = dom;
    if (xc_domctl(&xl->xc, &op)) {
        fprintf(stderr, "destroy failed (rc=%d)\n", -errno);
        return 1;
    }
    return 0;
}

int xl_cmd_domid(struct xl *xl, int argc, char **argv)
{
    domid_t dom;

    if (argc != 2) {
        fprintf(stderr, "Usage: xl domid <DomainName>\n");
        return 2;
    }
    if (xl_find_domain(xl, argv[1], &dom)) {
        return 1;
    }
    printf("%u\n", dom);
    return 0;
}

int xl_cmd_domname(struct xl *xl, int argc, char **argv)
{
    struct xen_domctl_getdomaininfo info;
    char *end, *name;
    unsigned long id;

    if (argc != 2) {
        fprintf(stderr, "Usage: xl domname <DomainId>\n");
        return 2;
    }
    id = strtoul(argv[1], &end, 10);
    if (!*argv[1] || *end || id >= DOMID_FIRST_RESERVED) {
        fprintf(stderr, "Invalid domain id.\n\n");
        return 1;
    }
    if (xc_domain_info(&xl->xc, (domid_t)id, &info)) {
        fprintf(stderr, "Can't get domain name of domain id '%lu', maybe this domain does not exist.\n", id);
        return 1;
    }
    name = xl_domname(xl, (domid_t)id);
    printf("%s\n", name ? name : "(null)");
    free(name);
    return 0;
}
