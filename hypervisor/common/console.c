/*
 * console.c - printk: formats hypervisor messages, keeps them in the console ring and writes them to the
 * console devices.
 *
 * Design: every message goes to the ring (read later by `xl dmesg`); only
 * those within the log level thresholds (loglvl=) reach the devices.  Lines
 * are prefixed "(PARVA) " and, with console_timestamps=boot, the seconds
 * since boot.  A message's level is its "<n>" prefix (XENLOG_*); messages
 * without one are XENLOG_WARNING, so they show by default, as in Xen.
 * Levels at or below the lower threshold always print; those above it and at
 * or below the upper threshold are rate limited (10 lines per 5 seconds).
 *
 * Locking: console_lock (irq-safe) serialises formatting into the ring and
 * output to the devices, so lines from different CPUs never interleave.
 * It is a leaf lock; printk may be called with any other lock held.  On
 * panic, console_force_unlock() lets the dying CPU print even if another CPU
 * stopped while holding it.
 */
#include <parva/console.h>
#include <parva/conring.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <parva/spinlock.h>

#define CONRING_BOOT_SIZE   (16 * 1024)
#define PREFIX              "(PARVA) "
#define RATE_BURST          10
#define RATE_WINDOW_NS      5000000000ULL

static DEFINE_SPINLOCK(console_lock);
static char conring_boot_buf[CONRING_BOOT_SIZE];
static struct conring ring = CONRING_INIT(conring_boot_buf);
static struct console_driver *drivers;
static bool at_line_start = true;

/* console=com1,vga: the devices to use ("none" for none) */
static char opt_console[64] = "com1,vga";
string_param("console", opt_console);

/* conring_size=<size>: console ring size, a power of two (rounded up), at least 16 KiB */
static uint64_t opt_conring_size;
size_param("conring_size", opt_conring_size);

/* console_to_ring: dom0's console output goes into the ring too (`xl dmesg` shows it); off by
   default, as in Xen (other domains' output always does, prefixed "(dN) "). */
static bool opt_console_to_ring;
boolean_param("console_to_ring", opt_console_to_ring);

/* console_timestamps=none|boot (bare: boot) */
static bool opt_timestamps;
static int parse_console_timestamps(const char *s)
{
    if ( !strcmp(s, "none") || !strcmp(s, "no") || !strcmp(s, "0") )
        opt_timestamps = false;
    else if ( !*s || !strcmp(s, "boot") || !strcmp(s, "yes") || !strcmp(s, "1") )
        opt_timestamps = true;
    else
        return -EINVAL;
    return 0;
}
custom_param("console_timestamps", parse_console_timestamps);

/* loglvl=<lower>[/<upper>]: none, error, warning, info, debug, all */
static int log_lower = XENLOG_DEFAULT;     /* warning and more severe: always */
static int log_upper = XENLOG_DEFAULT;

static int level_from_name(const char *s, const char **end)
{
    static const struct { const char *name; int level; } names[] = {
        { "none", -1 }, { "error", 0 }, { "warning", 1 }, { "info", 2 }, { "debug", 3 }, { "all", 3 },
    };
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(names); i++ )
    {
        size_t n = strlen(names[i].name);

        if ( !strncmp(s, names[i].name, n) && (s[n] == '\0' || s[n] == '/') )
        {
            *end = s + n;
            return names[i].level;
        }
    }
    return -2;
}

static int parse_loglvl(const char *s)
{
    const char *e;
    int lower = level_from_name(s, &e), upper;

    if ( lower < -1 )
        return -EINVAL;
    upper = lower;
    if ( *e == '/' )
    {
        upper = level_from_name(e + 1, &e);
        if ( upper < -1 || upper < lower )
            return -EINVAL;
    }
    log_lower = lower;
    log_upper = upper;
    return 0;
}
custom_param("loglvl", parse_loglvl);

bool console_wants(const char *name)
{
    size_t n = strlen(name);
    const char *p = opt_console;

    while ( *p )
    {
        if ( !strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0') )
            return true;
        p = strchr(p, ',');
        if ( !p )
            break;
        p++;
    }
    return false;
}

static void devices_puts(const char *s, size_t len)
{
    struct console_driver *d;

    for ( d = drivers; d; d = d->next )
        d->puts(s, len);
}

void console_register(struct console_driver *drv)
{
    unsigned long flags;
    uint64_t idx;
    char buf[256];
    size_t n;

    spin_lock_irqsave(&console_lock, flags);
    /* Replay what was logged before this device existed. */
    idx = conring_oldest(&ring);
    while ( (n = conring_read(&ring, &idx, buf, sizeof(buf))) != 0 )
        drv->puts(buf, n);
    drv->next = drivers;
    drivers = drv;
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_ring_resize(void)
{
    unsigned long flags;
    unsigned int order;
    uint64_t size = opt_conring_size;
    char *buf;

    if ( size <= CONRING_BOOT_SIZE )
        return;
    if ( size > MB(64) )
        size = MB(64);
    order = flsl((size - 1) >> PAGE_SHIFT);
    buf = alloc_xenheap_pages(order);
    if ( !buf )
    {
        printk(XENLOG_WARNING "console: no memory for a %lu KiB ring\n", (unsigned long)(size >> 10));
        return;
    }
    spin_lock_irqsave(&console_lock, flags);
    conring_move(&ring, buf, PAGE_SIZE << order);
    spin_unlock_irqrestore(&console_lock, flags);
    printk(XENLOG_INFO "console: ring of %lu KiB\n", (PAGE_SIZE << order) >> 10);
}

void console_ring_bounds(uint64_t *oldest, uint64_t *newest)
{
    unsigned long flags;

    spin_lock_irqsave(&console_lock, flags);
    if ( oldest )
        *oldest = conring_oldest(&ring);
    if ( newest )
        *newest = conring_newest(&ring);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_ring_discard(uint64_t upto)
{
    unsigned long flags;

    spin_lock_irqsave(&console_lock, flags);
    conring_discard(&ring, upto);
    spin_unlock_irqrestore(&console_lock, flags);
}

size_t console_ring_read(uint64_t *idx, char *dst, size_t len)
{
    unsigned long flags;
    size_t n;

    spin_lock_irqsave(&console_lock, flags);
    n = conring_read(&ring, idx, dst, len);
    spin_unlock_irqrestore(&console_lock, flags);
    return n;
}

void console_force_unlock(void)
{
    spin_lock_init(&console_lock);
}

/* Messages between the thresholds: RATE_BURST per RATE_WINDOW_NS.  Called with console_lock held. */
static bool ratelimit_ok(void)
{
    static uint64_t window_start;
    static unsigned int in_window, dropped;
    uint64_t now = console_clock_ns();

    if ( now - window_start >= RATE_WINDOW_NS )
    {
        if ( dropped )
        {
            char note[64];
            int n = scnprintf(note, sizeof(note), PREFIX "printk: %u messages suppressed.\n", dropped);

            conring_put(&ring, note, n);
            devices_puts(note, n);
        }
        window_start = now;
        in_window = dropped = 0;
    }
    if ( in_window < RATE_BURST )
    {
        in_window++;
        return true;
    }
    dropped++;
    return false;
}

static void emit(const char *s, size_t len, bool to_devices)
{
    conring_put(&ring, s, len);
    if ( to_devices )
        devices_puts(s, len);
}

/* Write one message; called with console_lock held. */
static void emit_message(const char *msg, bool to_devices)
{
    while ( *msg )
    {
        const char *nl = strchr(msg, '\n');
        size_t len = nl ? (size_t)(nl - msg) + 1 : strlen(msg);

        if ( at_line_start )
        {
            char prefix[40];
            int n;

            if ( opt_timestamps )
            {
                uint64_t ns = console_clock_ns();

                n = scnprintf(prefix, sizeof(prefix), PREFIX "[%5lu.%06lu] ",
                              (unsigned long)(ns / 1000000000ULL),
                              (unsigned long)(ns % 1000000000ULL / 1000));
            }
            else
                n = scnprintf(prefix, sizeof(prefix), PREFIX);
            emit(prefix, n, to_devices);
        }
        emit(msg, len, to_devices);
        at_line_start = (msg[len - 1] == '\n');
        msg += len;
    }
}

void vprintk(const char *fmt, va_list args)
{
    char buf[1024];
    const char *msg = buf;
    unsigned long flags;
    int level = XENLOG_DEFAULT;
    bool show;

    vscnprintf(buf, sizeof(buf), fmt, args);
    if ( buf[0] == '<' && buf[1] >= '0' && buf[1] <= '3' && buf[2] == '>' )
    {
        level = buf[1] - '0';
        msg = buf + 3;
    }

    spin_lock_irqsave(&console_lock, flags);
    show = level <= log_lower || (level <= log_upper && ratelimit_ok());
    emit_message(msg, show);
    spin_unlock_irqrestore(&console_lock, flags);
}

void printk(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vprintk(fmt, args);
    va_end(args);
}

void console_domain_line(const char *s, size_t len)
{
    unsigned long flags;

    spin_lock_irqsave(&console_lock, flags);
    if ( !at_line_start )
        emit("\n", 1, true);        /* another writer's unfinished line: ours starts on its own */
    emit(s, len, true);             /* ring and devices, as the hypervisor's own lines */
    at_line_start = len && s[len - 1] == '\n';
    spin_unlock_irqrestore(&console_lock, flags);
}

/* A guest's bytes: to the devices, and to the ring unless they are dom0's (see console_to_ring). */
static void emit_guest(unsigned int domid, const char *s, size_t len)
{
    if ( domid != 0 || opt_console_to_ring )
        conring_put(&ring, s, len);
    devices_puts(s, len);
}

void console_guest_write(unsigned int domid, const char *s, size_t len)
{
    static bool guest_line_start = true;
    unsigned long flags;
    size_t i, start = 0;

    spin_lock_irqsave(&console_lock, flags);
    for ( i = 0; i < len; i++ )
    {
        if ( domid != 0 && guest_line_start )
        {
            char prefix[16];
            int n = scnprintf(prefix, sizeof(prefix), "(d%u) ", domid);

            emit_guest(domid, prefix, n);
            guest_line_start = false;
        }
        if ( s[i] == '\n' )
        {
            emit_guest(domid, s + start, i + 1 - start);
            start = i + 1;
            guest_line_start = true;
        }
    }
    if ( start < len )
        emit_guest(domid, s + start, len - start);
    /*
     * After output without a trailing newline, the hypervisor's next message continues that line
     * without its "(PARVA) " prefix, and so does the next guest write (any domain's) without a
     * "(dN) " one.  An empty write leaves at_line_start as it was.
     */
    at_line_start = guest_line_start = (len && s[len - 1] == '\n') || (!len && at_line_start);
    spin_unlock_irqrestore(&console_lock, flags);
}
