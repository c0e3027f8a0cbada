/*
 * console_input.c - where bytes typed on the console go: the hypervisor's debug keys, dom0, or a
 * boot-time domain's console ring.
 *
 * As in Xen, typing Ctrl-A three times switches console input to the next in turn: the
 * hypervisor (debug keys), dom0 (which reads it with CONSOLEIO_read), then each boot-time domain
 * (Xen's dom0less does the same with its domUs), then the hypervisor again.  Input for dom0 is
 * kept in a small ring until it reads it (when full, new bytes are dropped); each byte queued
 * raises dom0's VIRQ_CONSOLE.  Input for a boot-time domain goes straight into its console page
 * (console_ring_input).  A domain whose ring goes away while it has the input leaves it to the
 * hypervisor.
 *
 * Locking: input_lock (irq-safe) protects the ring, the list of domains and the focus; the
 * receive interrupt and the guest's CONSOLEIO_read meet here.  A byte for a boot-time domain is
 * written with input_lock held (so its ring cannot go away meanwhile): input_lock nests outside
 * the console ring's lock and the domain's event lock.
 */
#include <parva/console.h>
#include <parva/console_ring.h>
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/keyhandler.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/spinlock.h>

#define CTRL_A          0x01
#define SWITCH_PRESSES  3
#define RING_SIZE       1024
#define MAX_RINGS       64

/* The focus: FOCUS_XEN, FOCUS_DOM0, or FOCUS_RING + i for rings[i]. */
#define FOCUS_XEN       0
#define FOCUS_DOM0      1
#define FOCUS_RING      2

static DEFINE_SPINLOCK(input_lock);
static unsigned int focus;
static struct domain *input_domain; /* dom0, to switch to (a reference held for good), or NULL */
static struct console_ring *rings[MAX_RINGS];
static unsigned int nr_rings;
static unsigned int ctrl_a_count;
static char ring[RING_SIZE];
static unsigned int ring_prod, ring_cons;

/* Name the focus (called without the lock: a racing switch only changes which message shows). */
static void announce(unsigned int f, unsigned int domid)
{
    if ( f == FOCUS_DOM0 )
        printk("*** Serial input to DOM0 (type 'CTRL-a' three times to switch input)\n");
    else if ( f >= FOCUS_RING )
        printk("*** Serial input to DOM%u (type 'CTRL-a' three times to switch input)\n", domid);
    else
        printk("*** Serial input to Parva (type 'CTRL-a' three times to switch input)\n");
}

/* The next focus after f that exists.  input_lock held. */
static unsigned int next_focus(unsigned int f)
{
    if ( f == FOCUS_XEN && input_domain )
        return FOCUS_DOM0;
    if ( f < FOCUS_RING )
        return nr_rings ? FOCUS_RING : FOCUS_XEN;
    return f + 1 < FOCUS_RING + nr_rings ? f + 1 : FOCUS_XEN;
}

void console_input_set_guest(struct domain *d)
{
    unsigned long flags;

    if ( d && !get_domain(d) )
        d = NULL;
    spin_lock_irqsave(&input_lock, flags);
    input_domain = d;
    focus = d ? FOCUS_DOM0 : FOCUS_XEN;
    ring_prod = ring_cons = 0;
    spin_unlock_irqrestore(&input_lock, flags);
    announce(d ? FOCUS_DOM0 : FOCUS_XEN, 0);
}

void console_input_add_ring(struct console_ring *c)
{
    unsigned long flags;

    spin_lock_irqsave(&input_lock, flags);
    if ( nr_rings < MAX_RINGS )
        rings[nr_rings++] = c;      /* beyond 64 domains, the later ones get no input */
    spin_unlock_irqrestore(&input_lock, flags);
}

void console_input_remove_ring(struct console_ring *c)
{
    unsigned long flags;
    bool lost = false;
    unsigned int i;

    spin_lock_irqsave(&input_lock, flags);
    for ( i = 0; i < nr_rings && rings[i] != c; i++ )
        ;
    if ( i < nr_rings )
    {
        if ( focus == FOCUS_RING + i )
        {
            focus = FOCUS_XEN;
            lost = true;
        }
        else if ( focus > FOCUS_RING + i )
            focus--;                /* the same domain keeps it */
        memmove(&rings[i], &rings[i + 1], (nr_rings - i - 1) * sizeof(rings[0]));
        nr_rings--;
    }
    spin_unlock_irqrestore(&input_lock, flags);
    if ( lost )
        announce(FOCUS_XEN, 0);
}

void console_input(char c)
{
    unsigned long flags;
    bool key = false, switched = false;
    struct domain *notify = NULL;
    unsigned int f = 0, domid = 0;

    spin_lock_irqsave(&input_lock, flags);
    if ( c == CTRL_A && (input_domain || nr_rings) )
    {
        if ( ++ctrl_a_count == SWITCH_PRESSES )
        {
            ctrl_a_count = 0;
            f = focus = next_focus(focus);
            if ( f >= FOCUS_RING )
                domid = console_ring_domid(rings[f - FOCUS_RING]);
            switched = true;
        }
        spin_unlock_irqrestore(&input_lock, flags);
        if ( switched )
            announce(f, domid);
        return;
    }
    ctrl_a_count = 0;
    if ( focus == FOCUS_DOM0 )
    {
        if ( ring_prod - ring_cons < RING_SIZE )
            ring[ring_prod++ % RING_SIZE] = c;
        notify = input_domain;
    }
    else if ( focus >= FOCUS_RING )
        console_ring_input(rings[focus - FOCUS_RING], c);
    else
        key = true;
    spin_unlock_irqrestore(&input_lock, flags);
    if ( notify )
        send_guest_global_virq(notify, VIRQ_CONSOLE);
    if ( key )
        handle_keypress((unsigned char)c);
}

size_t console_input_read(char *buf, size_t len)
{
    unsigned long flags;
    size_t n = 0;

    spin_lock_irqsave(&input_lock, flags);
    while ( n < len && ring_cons != ring_prod )
        buf[n++] = ring[ring_cons++ % RING_SIZE];
    spin_unlock_irqrestore(&input_lock, flags);
    return n;
}
