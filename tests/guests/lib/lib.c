/* lib.c - small helpers: single mmuext_op / mmu_update requests and errno names. */
#include "guest.h"

long mmuext_one(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
    struct mmuext_op op = { .cmd = cmd };

    op.arg1.mfn = arg1;
    op.arg2.nr_ents = arg2;
    return hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long mmu_update_one(uint64_t ptr, uint64_t val)
{
    mmu_update_t req = { .ptr = ptr, .val = val };

    return hypercall_mmu_update(&req, 1, NULL, DOMID_SELF);
}

const char *errno_name(long rc)
{
    long e = -rc;

    if ( rc == 0 )
        return "0";
    if ( rc > 0 )
        return "positive";
#define XEN_ERRNO(name, value) if ( e == value ) return "-" #name;
#include <xen/errno.h>
    return "?";
}

bool hv_cmdline_option(const char *name, char *val, size_t size)
{
    static char cmdline[1024];
    size_t n = strlen(name);
    const char *p;

    if ( hypercall_xen_version(XENVER_commandline, cmdline) < 0 )
        return false;
    cmdline[sizeof(cmdline) - 1] = '\0';
    for ( p = cmdline; *p; )
    {
        if ( !strncmp(p, name, n) && p[n] == '=' )
        {
            size_t i = 0;

            for ( p += n + 1; *p && *p != ' ' && i + 1 < size; p++ )
                val[i++] = *p;
            val[i] = '\0';
            return true;
        }
        while ( *p && *p != ' ' )
            p++;
        while ( *p == ' ' )
            p++;
    }
    return false;
}

unsigned long long parse_size(const char *s, const char **end)
{
    unsigned long long v = 0;

    for ( ; *s >= '0' && *s <= '9'; s++ )
        v = v * 10 + (*s - '0');
    switch ( *s )
    {
    case 'G': case 'g':
        v <<= 10;
        /* fall through */
    case 'M': case 'm':
        v <<= 10;
        /* fall through */
    case 'K': case 'k':
        v <<= 10;
        s++;
        break;
    case 'B': case 'b':
        s++;
        break;
    default:
        v <<= 10;       /* Xen's default unit is KiB */
        break;
    }
    if ( end )
        *end = s;
    return v;
}

uint64_t guest_system_time(void)
{
    const vcpu_time_info_t *t = &this_vcpu_info()->time;
    uint32_t version, lo, hi;
    uint64_t ns, delta;

    do
    {
        version = ACCESS_ONCE(t->version);
        barrier();
        asm volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
        delta = (((uint64_t)hi << 32) | lo) - t->tsc_timestamp;
        if ( t->tsc_shift < 0 )
            delta >>= -t->tsc_shift;
        else
            delta <<= t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        barrier();
    } while ( (version & 1) || version != ACCESS_ONCE(t->version) );
    return ns;
}
