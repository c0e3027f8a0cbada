/*
 * console_input.c - where bytes typed on the console go: the hypervisor's debug keys, or dom0.
 *
 * As in Xen, typing Ctrl-A three times switches console input between the
 * hypervisor (debug keys) and dom0 (which reads it with CONSOLEIO_read).
 * Input for dom0 is kept in a small ring until it reads it; when the ring is
 * full, new bytes are dropped.  Each byte queued raises dom0's VIRQ_CONSOLE,
 * which is how its console driver learns there is something to read.
 *
 * Locking: input_lock (irq-safe) protects the ring and the switch; the
 * receive interrupt and the guest's CONSOLEIO_read meet here.  Leaf lock.
 */
#include <parva/console.h>
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/keyhandler.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/spinlock.h>

#define CTRL_A          0x01
#define SWITCH_PRESSES  3
#define RING_SIZE       1024

static DEFINE_SPINLOCK(input_lock);
static bool to_guest;               /* input goes to dom0 */
static struct domain *input_domain; /* dom0, to switch to (a reference held for good), or NULL */
static unsigned int ctrl_a_count;
static char ring[RING_SIZE];
static unsigned int ring_prod, ring_cons;

static void announce(void)
{
    if ( to_guest )
        printk("*** Serial input to DOM0 (type 'CTRL-a' three times to switch input)\n");
    else
        printk("*** Serial input to Parva (type 'CTRL-a' three times to switch input)\n");
}

void console_input_set_guest(struct domain *d)
{
    unsigned long flags;

    if ( d && !get_domain(d) )
        d = NULL;
    spin_lock_irqsave(&input_lock, flags);
    input_domain = d;
    to_guest = d != NULL;
    ring_prod = ring_cons = 0;
    spin_unlock_irqrestore(&input_lock, flags);
    announce();
}

void console_input(char c)
{
    unsigned long flags;
    bool key = false, switched = false;
    struct domain *notify = NULL;

    spin_lock_irqsave(&input_lock, flags);
    if ( c == CTRL_A && input_domain )
    {
        if ( ++ctrl_a_count == SWITCH_PRESSES )
        {
            ctrl_a_count = 0;
            to_guest = !to_guest;
            switched = true;
        }
        spin_unlock_irqrestore(&input_lock, flags);
        if ( switched )
            announce();
        return;
    }
    ctrl_a_count = 0;
    if ( to_guest )
    {
        if ( ring_prod - ring_cons < RING_SIZE )
            ring[ring_prod++ % RING_SIZE] = c;
        notify = input_domain;
    }
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
