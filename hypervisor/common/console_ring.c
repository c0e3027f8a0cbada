/*
 * console_ring.c - printing a boot-time domain's console ring on the hypervisor's console
 * (parva/console_ring.h).
 *
 * Design: the page is guest memory, so nothing in it is trusted.  The consumer index is kept here
 * (c->cons) and only copied out to the page; out_prod is read once per notification, and if it
 * claims more than a ring's worth of new bytes, only the last ring's worth is read (what a well-
 * behaved producer could have left there).  Each notification reads one snapshot, so a guest that
 * keeps writing cannot keep the reader in the loop: it notifies again for the rest.  Bytes are
 * read with single loads, once each; a line is printed as a whole with one console write, so lines
 * of different domains and the hypervisor's own messages never interleave within a line.
 *
 * Locking: c->lock (irq-safe) serialises readers (two vCPUs of the domain may notify at once) and
 * the input writer, and protects cons, in_prod and the line buffer.  It nests outside the console
 * lock (the print) and outside the domain's event lock (the notification back), and inside
 * console_input.c's input_lock (input is written with that held).
 */
#include <parva/console.h>
#include <parva/console_ring.h>
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/spinlock.h>
#include <xen/io/console.h>

struct console_ring {
    struct domain *d;
    struct xencons_interface *intf;
    unsigned int port;
    spinlock_t lock;
    XENCONS_RING_IDX cons;                  /* our consumer index; out_cons is a copy for the guest */
    XENCONS_RING_IDX in_prod;               /* our producer index of `in`; in_prod is a copy */
    size_t prefix_len;                      /* "(name) " at the start of line[] */
    size_t len;                             /* characters in line[], prefix included */
    char line[CONSOLE_RING_LINE + 32];      /* "(name) " + up to CONSOLE_RING_LINE characters + "\n" */
};

/* Print the line buffered so far and start a new one.  c->lock held. */
static void flush_line(struct console_ring *c)
{
    c->line[c->len++] = '\n';
    console_domain_line(c->line, c->len);       /* as is: the prefix is ours; into `xl dmesg` too */
    c->len = c->prefix_len;
}

static void put_char(struct console_ring *c, char ch)
{
    if ( ch == '\n' )
    {
        flush_line(c);
        return;
    }
    if ( ch == '\r' || ch == '\0' )
        return;
    if ( c->len - c->prefix_len == CONSOLE_RING_LINE )
        flush_line(c);                          /* an over-long line: cut it */
    c->line[c->len++] = ch;
}

/* The guest notified its console port: consume what it wrote (parva/event.h: no event lock held). */
static void ring_notify(struct domain *d, unsigned int port, void *data)
{
    struct console_ring *c = data;
    struct xencons_interface *intf = c->intf;
    XENCONS_RING_IDX prod, cons;
    unsigned long flags;
    bool consumed;

    (void)d;
    (void)port;
    spin_lock_irqsave(&c->lock, flags);
    prod = READ_ONCE(intf->out_prod);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);    /* the data, after the index that covers it */
    cons = c->cons;
    if ( prod - cons > sizeof(intf->out) )
        cons = prod - sizeof(intf->out);        /* a guest claiming more than fits */
    consumed = cons != prod;
    for ( ; cons != prod; cons++ )
        put_char(c, READ_ONCE(intf->out[MASK_XENCONS_IDX(cons, intf->out)]));
    c->cons = cons;
    __atomic_thread_fence(__ATOMIC_RELEASE);    /* done reading before the space is given back */
    WRITE_ONCE(intf->out_cons, cons);
    spin_unlock_irqrestore(&c->lock, flags);
    if ( consumed )
        evtchn_send_port(c->d, c->port);        /* room again: tell the guest, as xenconsoled does */
}

void console_ring_input(struct console_ring *c, char ch)
{
    struct xencons_interface *intf = c->intf;
    XENCONS_RING_IDX prod, cons;
    unsigned long flags;
    bool queued = false;

    spin_lock_irqsave(&c->lock, flags);
    /* in_cons is the guest's: read once, and a value claiming more than the ring holds means full. */
    cons = READ_ONCE(intf->in_cons);
    prod = c->in_prod;
    if ( prod - cons < sizeof(intf->in) )
    {
        WRITE_ONCE(intf->in[MASK_XENCONS_IDX(prod, intf->in)], ch);
        __atomic_thread_fence(__ATOMIC_RELEASE);    /* the byte, before the index that covers it */
        c->in_prod = ++prod;
        WRITE_ONCE(intf->in_prod, prod);
        queued = true;
    }
    spin_unlock_irqrestore(&c->lock, flags);
    if ( queued )
        evtchn_send_port(c->d, c->port);
}

unsigned int console_ring_domid(const struct console_ring *c)
{
    return c->d->domain_id;
}

struct console_ring *console_ring_create(struct domain *d, void *page, const char *name, int *port)
{
    struct console_ring *c = xzalloc(struct console_ring);
    int rc;

    if ( !c )
    {
        *port = -ENOMEM;
        return NULL;
    }
    c->d = d;
    c->intf = page;
    spin_lock_init(&c->lock);
    c->prefix_len = c->len = (size_t)scnprintf(c->line, 24, "(%.16s) ", name);
    c->cons = READ_ONCE(c->intf->out_cons);
    c->in_prod = READ_ONCE(c->intf->in_prod);
    rc = evtchn_alloc_xen_port(d, 0, ring_notify, c);
    if ( rc < 0 )
    {
        xfree(c);
        *port = rc;
        return NULL;
    }
    c->port = (unsigned int)rc;
    *port = rc;
    console_input_add_ring(c);
    return c;
}

void console_ring_destroy(struct console_ring *c)
{
    unsigned long flags;

    if ( !c )
        return;
    console_input_remove_ring(c);           /* no input reaches it any more */
    evtchn_free_xen_port(c->d, c->port, c);
    spin_lock_irqsave(&c->lock, flags);
    if ( c->len > c->prefix_len )
        flush_line(c);
    spin_unlock_irqrestore(&c->lock, flags);
    xfree(c);
}
