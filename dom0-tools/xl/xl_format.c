/*
 * xl_format.c - xl's output lines and CPU lists, in Xen 4.17's formats (see xl.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"

char xl_shutdown_letter(const struct xen_domctl_getdomaininfo *i)
{
    static const char letters[] = "-rscw";      /* poweroff, reboot, suspend, crash, watchdog */
    unsigned int reason = (i->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;

    if (!(i->flags & XEN_DOMINF_shutdown))
        return '-';
    return reason < sizeof(letters) - 1 ? letters[reason] : '?';
}

int xl_format_list_line(char *buf, size_t len, const struct xen_domctl_getdomaininfo *i, const char *name)
{
    unsigned long mem_mib = (unsigned long)((i->tot_pages * 4 + i->outstanding_pages * 4) / 1024);

    return snprintf(buf, len, "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f\n", name ? name : "(null)",
                    i->domain, mem_mib, i->nr_online_vcpus,
                    (i->flags & XEN_DOMINF_running) ? 'r' : '-',
                    (i->flags & XEN_DOMINF_blocked) ? 'b' : '-',
                    (i->flags & XEN_DOMINF_paused) ? 'p' : '-',
                    (i->flags & XEN_DOMINF_shutdown) ? 's' : '-',
                    xl_shutdown_letter(i),
                    (i->flags & XEN_DOMINF_dying) ? 'd' : '-',
                    (float)i->cpu_time / 1e9);
}

int xl_format_cpumap(char *buf, size_t len, uint64_t mask, unsigned int nr_cpus)
{
    uint64_t all = nr_cpus >= 64 ? ~0ULL : (1ULL << nr_cpus) - 1;
    size_t n = 0;
    unsigned int cpu = 0;

    mask &= all;
    if (mask == all)
        return snprintf(buf, len, "all");
    if (!mask)
        return snprintf(buf, len, "none");
    if (len)
        buf[0] = '\0';
    while (cpu < nr_cpus && cpu < 64) {
        unsigned int first;

        if (!(mask >> cpu & 1)) {
            cpu++;
            continue;
        }
        first = cpu;
        while (cpu + 1 < nr_cpus && cpu + 1 < 64 && (mask >> (cpu + 1) & 1))
            cpu++;
        n += snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, first == cpu ? "%s%u" : "%s%u-%u",
                      n ? "," : "", first, cpu);
        cpu++;
    }
    return (int)n;
}

int xl_format_vcpu_line(char *buf, size_t len, const char *name, domid_t dom, uint32_t vcpu,
                        const struct xen_domctl_getvcpuinfo *vi, const char *hard, const char *soft)
{
    int n = snprintf(buf, len, "%-32s %5u %5u", name ? name : "(null)", dom, vcpu);

    if (n < 0 || (size_t)n >= len)
        return n;
    if (!vi->online)
        n += snprintf(buf + n, len - n, "%5c %3c%cp ", '-', '-', '-');
    else
        n += snprintf(buf + n, len - n, "%5u %3c%c- ", vi->cpu, vi->running ? 'r' : '-', vi->blocked ? 'b' : '-');
    if ((size_t)n >= len)
        return n;
    return n + snprintf(buf + n, len - n, "%9.1f  %s / %s\n", (float)vi->cpu_time / 1e9, hard, soft);
}

int xl_parse_cpulist(const char *s, unsigned int nr_cpus, uint64_t *mask)
{
    uint64_t all = nr_cpus >= 64 ? ~0ULL : (1ULL << nr_cpus) - 1, m = 0;
    char *copy, *tok, *save = NULL;
    int rc = 0;

    if (!s || !*s)
        return -1;
    if (!strcmp(s, "all")) {
        *mask = all;
        return 0;
    }
    copy = strdup(s);
    if (!copy)
        return -1;
    for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        bool negate = *tok == '^';
        unsigned long a, b;
        char *end;
        uint64_t range;

        if (negate)
            tok++;
        if (!isdigit((unsigned char)*tok)) {
            rc = -1;
            break;
        }
        a = strtoul(tok, &end, 10);
        b = a;
        if (*end == '-') {
            if (!isdigit((unsigned char)end[1])) {
                rc = -1;
                break;
            }
            b = strtoul(end + 1, &end, 10);
        }
        if (*end || a > b || b >= nr_cpus || b >= 64) {
            rc = -1;
            break;
        }
        range = (b == 63 ? ~0ULL : (1ULL << (b + 1)) - 1) & ~((1ULL << a) - 1);
        if (negate)
            m = (m ? m : all) & ~range;
        else
            m |= range;
    }
    free(copy);
    if (rc || !m)
        return -1;
    *mask = m;
    return 0;
}

const char *xl_scheduler_name(uint32_t id)
{
    switch (id) {
    case XEN_SCHEDULER_CREDIT: return "credit";
    case XEN_SCHEDULER_CREDIT2: return "credit2";
    case XEN_SCHEDULER_ARINC653: return "arinc653";
    case XEN_SCHEDULER_RTDS: return "rtds";
    case XEN_SCHEDULER_NULL: return "null";
    default: return "unknown";
    }
}
