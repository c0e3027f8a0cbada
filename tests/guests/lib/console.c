/*
 * console.c - a small printf for the test kernels, writing through HYPERVISOR_console_io (dom0) or the
 * console ring (a boot-time domU).
 *
 * Design: each printf() formats into a stack buffer and issues one CONSOLEIO_write, so a line is never
 * split by hypervisor messages printed between two hypercalls. Supported: flags "-0# +", width and
 * precision (numbers or *), length modifiers hh h l ll z, and the conversions d i u x X o p s c %.
 */
#include "console.h"
#include "hypercall.h"
#include "mm.h"
#include "string.h"
#include <xen/event_channel.h>
#include <xen/io/console.h>
#include <xen/sched.h>

struct out
{
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if ( o->len + 1 < o->size )
        o->buf[o->len] = c;
    o->len++;
}

static void put_padding(struct out *o, char c, int n)
{
    while ( n-- > 0 )
        put(o, c);
}

#define F_LEFT  1
#define F_ZERO  2
#define F_ALT   4
#define F_SPACE 8
#define F_PLUS  16

static void put_number(struct out *o, unsigned long long v, bool negative, unsigned int base, bool upper,
                       unsigned int flags, int width, int precision)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, len;
    const char *prefix = "";

    do
    {
        tmp[n++] = digits[v % base];
        v /= base;
    } while ( v );

    if ( negative )
        prefix = "-";
    else if ( flags & F_PLUS )
        prefix = "+";
    else if ( flags & F_SPACE )
        prefix = " ";
    else if ( (flags & F_ALT) && base == 16 )
        prefix = upper ? "0X" : "0x";
    else if ( (flags & F_ALT) && base == 8 && tmp[n - 1] != '0' )
        prefix = "0";

    if ( precision < n )
        precision = n;
    len = precision + (int)strlen(prefix);

    if ( !(flags & F_LEFT) && !(flags & F_ZERO) )
        put_padding(o, ' ', width - len);
    for ( ; *prefix; prefix++ )
        put(o, *prefix);
    if ( !(flags & F_LEFT) && (flags & F_ZERO) )
        put_padding(o, '0', width - len);
    put_padding(o, '0', precision - n);
    while ( n )
        put(o, tmp[--n]);
    if ( flags & F_LEFT )
        put_padding(o, ' ', width - len);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for ( ; *fmt; fmt++ )
    {
        unsigned int flags = 0, base = 10;
        int width = 0, precision = -1, lng = 0;
        bool is_signed = false, upper = false;
        unsigned long long v;

        if ( *fmt != '%' )
        {
            put(&o, *fmt);
            continue;
        }

        for ( ;; )
        {
            fmt++;
            if ( *fmt == '-' )
                flags |= F_LEFT;
            else if ( *fmt == '0' )
                flags |= F_ZERO;
            else if ( *fmt == '#' )
                flags |= F_ALT;
            else if ( *fmt == ' ' )
                flags |= F_SPACE;
            else if ( *fmt == '+' )
                flags |= F_PLUS;
            else
                break;
        }
        if ( *fmt == '*' )
        {
            width = va_arg(ap, int);
            if ( width < 0 )
            {
                flags |= F_LEFT;
                width = -width;
            }
            fmt++;
        }
        else
        {
            for ( ; *fmt >= '0' && *fmt <= '9'; fmt++ )
                width = width * 10 + (*fmt - '0');
        }
        if ( *fmt == '.' )
        {
            fmt++;
            precision = 0;
            if ( *fmt == '*' )
            {
                precision = va_arg(ap, int);
                fmt++;
            }
            else
            {
                for ( ; *fmt >= '0' && *fmt <= '9'; fmt++ )
                    precision = precision * 10 + (*fmt - '0');
            }
        }
        for ( ;; fmt++ )
        {
            if ( *fmt == 'l' )
                lng++;
            else if ( *fmt == 'z' )
                lng = 1;
            else if ( *fmt == 'h' )
                lng--;
            else
                break;
        }

        switch ( *fmt )
        {
        case '\0':
            fmt--;
            continue;

        case '%':
            put(&o, '%');
            continue;

        case 'c':
            put_padding(&o, ' ', (flags & F_LEFT) ? 0 : width - 1);
            put(&o, (char)va_arg(ap, int));
            put_padding(&o, ' ', (flags & F_LEFT) ? width - 1 : 0);
            continue;

        case 's':
        {
            const char *s = va_arg(ap, const char *);
            int len;

            if ( !s )
                s = "(null)";
            len = (int)strnlen(s, precision < 0 ? (size_t)-1 : (size_t)precision);
            put_padding(&o, ' ', (flags & F_LEFT) ? 0 : width - len);
            for ( int i = 0; i < len; i++ )
                put(&o, s[i]);
            put_padding(&o, ' ', (flags & F_LEFT) ? width - len : 0);
            continue;
        }

        case 'p':
            v = (unsigned long)va_arg(ap, void *);
            put_number(&o, v, false, 16, false, F_ALT | F_ZERO, 18, -1);
            continue;

        case 'd':
        case 'i':
            is_signed = true;
            break;
        case 'u':
            break;
        case 'o':
            base = 8;
            break;
        case 'X':
            upper = true;
            /* fall through */
        case 'x':
            base = 16;
            break;

        default:
            put(&o, '%');
            put(&o, *fmt);
            continue;
        }

        if ( is_signed )
        {
            long long sv;

            if ( lng >= 2 )
                sv = va_arg(ap, long long);
            else if ( lng == 1 )
                sv = va_arg(ap, long);
            else
                sv = va_arg(ap, int);
            if ( lng == -1 )
                sv = (short)sv;
            else if ( lng <= -2 )
                sv = (signed char)sv;
            v = sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv;
            put_number(&o, v, sv < 0, base, upper, flags, width, precision);
        }
        else
        {
            if ( lng >= 2 )
                v = va_arg(ap, unsigned long long);
            else if ( lng == 1 )
                v = va_arg(ap, unsigned long);
            else
                v = va_arg(ap, unsigned int);
            if ( lng == -1 )
                v = (unsigned short)v;
            else if ( lng <= -2 )
                v = (unsigned char)v;
            put_number(&o, v, false, base, upper, flags, width, precision);
        }
    }

    if ( size )
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/*
 * A domU's console is its ring (start_info->console.domU: a page holding Xen's io/console.h
 * struct xencons_interface, and an event channel port), used as Linux's hvc0 uses it: copy into
 * `out`, advance out_prod, notify the port; when the ring is full, notify and yield until the
 * backend has consumed some.  dom0, and any output before start_info is known, use console_io.
 */
static struct xencons_interface *console_ring(void)
{
    const start_info_t *si = start_info;

    if ( !si || (si->flags & SIF_INITDOMAIN) || !si->console.domU.mfn || !si->console.domU.evtchn )
        return NULL;
    return pfn_to_virt(mfn_to_pfn(si->console.domU.mfn));
}

static void ring_write(struct xencons_interface *intf, const char *s, size_t len)
{
    static bool busy;                   /* one writer at a time (several vCPUs may print) */
    struct evtchn_send send = { .port = start_info->console.domU.evtchn };

    while ( __atomic_exchange_n(&busy, true, __ATOMIC_ACQUIRE) )
        asm volatile ( "pause" );
    while ( len )
    {
        XENCONS_RING_IDX prod = intf->out_prod, cons = ACCESS_ONCE(intf->out_cons);
        size_t room = sizeof(intf->out) - (prod - cons), n = len < room ? len : room;

        if ( !n )
        {
            hypercall_event_channel_op(EVTCHNOP_send, &send);
            hypercall_sched_op(SCHEDOP_yield, NULL);
            continue;
        }
        for ( size_t i = 0; i < n; i++ )
            intf->out[MASK_XENCONS_IDX(prod + i, intf->out)] = s[i];
        __atomic_thread_fence(__ATOMIC_RELEASE);        /* the bytes before the index */
        ACCESS_ONCE(intf->out_prod) = prod + (XENCONS_RING_IDX)n;
        s += n;
        len -= n;
        hypercall_event_channel_op(EVTCHNOP_send, &send);
    }
    __atomic_store_n(&busy, false, __ATOMIC_RELEASE);
}

void console_write(const char *s, size_t len)
{
    struct xencons_interface *intf = console_ring();

    if ( intf )
        ring_write(intf, s, len);
    else
        hypercall_console_io(CONSOLEIO_write, len, s);
}

void vprintf(const char *fmt, va_list ap)
{
    char buf[CONSOLE_LINE_MAX];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    if ( n >= (int)sizeof(buf) )
        n = sizeof(buf) - 1;
    console_write(buf, n);
}

void printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}
