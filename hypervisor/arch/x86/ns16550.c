/*
 * ns16550.c - the 16550 UART console (com1/com2): polled output, interrupt-driven input.
 *
 * Options, as Xen's:  com1=<baud>[/<base-baud>][,<data><parity><stop>[,<io-base>[,<irq>]]]
 * e.g. com1=115200,8n1 or com1=auto,8n1,0x3f8,4.  "auto" (the default) keeps the
 * rate the boot loader programmed; base-baud is the UART clock divided by 16
 * (115200 for a PC's 1.8432 MHz).  IRQ 0 means no interrupt: output works,
 * input is ignored (Xen polls instead; Parva has no polling yet).  Output polls the transmitter (bounded, so a
 * missing UART cannot hang the machine); received bytes arrive through the
 * port's interrupt, routed by the IO-APIC, and go to the console input handler.
 *
 * Locking: output runs under the console lock; the receive handler runs in
 * interrupt context and only touches the UART's receive registers.
 */
#include <parva/console.h>
#include <parva/lib.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <asm/irq.h>
#include <asm/processor.h>
#include <asm/ns16550.h>
#include <asm/system.h>

/* registers (offsets from the I/O base) */
#define RBR 0       /* receive buffer (read) */
#define THR 0       /* transmit holding (write) */
#define DLL 0       /* divisor latch low (DLAB=1) */
#define IER 1       /* interrupt enable */
#define DLM 1       /* divisor latch high (DLAB=1) */
#define IIR 2       /* interrupt identification (read) */
#define FCR 2       /* FIFO control (write) */
#define LCR 3       /* line control */
#define MCR 4       /* modem control */
#define LSR 5       /* line status */
#define SCR 7       /* scratch */

#define IER_ERDAI   0x01        /* received data available */
#define LCR_DLAB    0x80
#define MCR_DTR     0x01
#define MCR_RTS     0x02
#define MCR_OUT2    0x08        /* gates the IRQ line on PCs */
#define LSR_DR      0x01
#define LSR_THRE    0x20
#define FCR_ENABLE  0x01
#define FCR_CLRX    0x02
#define FCR_CLTX    0x04

#define DEFAULT_BASE_BAUD 115200
#define TX_SPIN_LIMIT    100000  /* ~ 100 ms at ISA port speed: give up on a dead UART */

struct uart {
    const char *name;
    uint16_t io_base;
    uint8_t irq;
    unsigned int baud;          /* 0: auto */
    unsigned int base_baud;
    uint8_t data_bits, stop_bits;
    char parity;
    bool present;
    unsigned long rx_count;
    struct console_driver drv;
};

static struct uart uarts[2] = {
    { .name = "com1", .io_base = 0x3f8, .irq = 4, .base_baud = DEFAULT_BASE_BAUD,
      .data_bits = 8, .stop_bits = 1, .parity = 'n' },
    { .name = "com2", .io_base = 0x2f8, .irq = 3, .base_baud = DEFAULT_BASE_BAUD,
      .data_bits = 8, .stop_bits = 1, .parity = 'n' },
};

/* Parse into a copy and store it only when the whole value is valid. */
static int parse_com(struct uart *u, const char *s)
{
    struct uart t = *u;
    const char *p = s;
    unsigned long long v;

    if ( !strncmp(p, "auto", 4) )
    {
        t.baud = 0;
        p += 4;
    }
    else
    {
        v = parse_ull(p, &p, 10);
        if ( v < 50 || v > 4000000 )
            return -EINVAL;
        t.baud = v;
        if ( *p == '/' )
        {
            v = parse_ull(p + 1, &p, 10);       /* base baud: the UART clock / 16 */
            if ( v < 50 || v > 10000000 )
                return -EINVAL;
            t.base_baud = v;
        }
    }
    if ( *p == ',' && p[1] && p[1] != ',' )
    {
        p++;
        if ( p[0] < '5' || p[0] > '8' || p[1] == '\0' || !strchr("noems", p[1]) ||
             (p[2] != '1' && p[2] != '2') )
            return -EINVAL;
        t.data_bits = p[0] - '0';
        t.parity = p[1];
        t.stop_bits = p[2] - '0';
        p += 3;
    }
    else if ( *p == ',' )
        p++;
    if ( *p == ',' )
        p++;
    if ( *p && *p != ',' )
    {
        v = parse_ull(p, &p, 0);
        if ( v == 0 || v > 0xfff8 )
            return -EINVAL;
        t.io_base = v;
    }
    if ( *p == ',' )
    {
        v = parse_ull(p + 1, &p, 0);
        if ( v > 15 )
            return -EINVAL;
        t.irq = v;              /* 0: no interrupt (receive disabled) */
    }
    if ( *p )
        return -EINVAL;
    *u = t;
    return 0;
}

static int parse_com1(const char *s) { return parse_com(&uarts[0], s); }
static int parse_com2(const char *s) { return parse_com(&uarts[1], s); }
custom_param("com1", parse_com1);
custom_param("com2", parse_com2);

static void uart_putc(const struct uart *u, char c)
{
    unsigned int spins = 0;

    while ( !(inb(u->io_base + LSR) & LSR_THRE) && ++spins < TX_SPIN_LIMIT )
        cpu_relax();
    outb(c, u->io_base + THR);
}

static void puts_com(struct uart *u, const char *s, size_t len)
{
    size_t i;

    for ( i = 0; i < len; i++ )
    {
        if ( s[i] == '\n' )
            uart_putc(u, '\r');
        uart_putc(u, s[i]);
    }
}

static void puts_com1(const char *s, size_t len) { puts_com(&uarts[0], s, len); }
static void puts_com2(const char *s, size_t len) { puts_com(&uarts[1], s, len); }

static bool uart_probe(const struct uart *u)
{
    uint8_t old = inb(u->io_base + SCR);
    bool ok;

    outb(0x5a, u->io_base + SCR);
    ok = inb(u->io_base + SCR) == 0x5a;
    outb(0xa5, u->io_base + SCR);
    ok = ok && inb(u->io_base + SCR) == 0xa5;
    outb(old, u->io_base + SCR);
    return ok;
}

static void uart_setup(const struct uart *u)
{
    uint8_t lcr = (u->data_bits - 5) | ((u->stop_bits - 1) << 2);

    switch ( u->parity )
    {
    case 'o': lcr |= 0x08; break;
    case 'e': lcr |= 0x18; break;
    case 'm': lcr |= 0x28; break;
    case 's': lcr |= 0x38; break;
    default: break;
    }
    outb(0, u->io_base + IER);
    if ( u->baud )
    {
        unsigned int div = u->base_baud / u->baud;

        if ( div == 0 )
            div = 1;
        outb(lcr | LCR_DLAB, u->io_base + LCR);
        outb(div & 0xff, u->io_base + DLL);
        outb(div >> 8, u->io_base + DLM);
    }
    outb(lcr, u->io_base + LCR);
    outb(FCR_ENABLE | FCR_CLRX | FCR_CLTX, u->io_base + FCR);
    outb(MCR_DTR | MCR_RTS | MCR_OUT2, u->io_base + MCR);
}

void __init ns16550_init(void)
{
    unsigned int i;

    uarts[0].drv = (struct console_driver){ .name = "com1", .puts = puts_com1 };
    uarts[1].drv = (struct console_driver){ .name = "com2", .puts = puts_com2 };
    for ( i = 0; i < ARRAY_SIZE(uarts); i++ )
    {
        struct uart *u = &uarts[i];

        if ( !console_wants(u->name) || !uart_probe(u) )
            continue;
        uart_setup(u);
        u->present = true;
        console_register(&u->drv);
    }
}

static void uart_interrupt(unsigned int irq, void *data)
{
    struct uart *u = data;
    unsigned int budget = 64;

    while ( (inb(u->io_base + LSR) & LSR_DR) && budget-- )
    {
        char c = inb(u->io_base + RBR);

        u->rx_count++;
        console_input(c);
    }
}

void __init ns16550_init_irq(void)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(uarts); i++ )
    {
        struct uart *u = &uarts[i];
        int rc;

        if ( !u->present )
            continue;
        if ( u->irq == 0 )
        {
            printk(XENLOG_INFO "%s: no IRQ configured: console input disabled\n", u->name);
            continue;
        }
        /* Drain stale input, then take receive interrupts. */
        while ( inb(u->io_base + LSR) & LSR_DR )
            inb(u->io_base + RBR);
        rc = request_isa_irq(u->irq, uart_interrupt, u, u->name);
        if ( rc )
        {
            printk(XENLOG_WARNING "%s: no interrupt (IRQ %u: %d), input disabled\n", u->name, u->irq, rc);
            continue;
        }
        outb(IER_ERDAI, u->io_base + IER);
        if ( u->baud )
            printk(XENLOG_INFO "%s: I/O port %#x, %u baud, %u%c%u, IRQ %u\n", u->name, u->io_base,
                   u->baud, u->data_bits, u->parity, u->stop_bits, u->irq);
        else
            printk(XENLOG_INFO "%s: I/O port %#x, baud rate as the boot loader set it, %u%c%u, IRQ %u\n",
                   u->name, u->io_base, u->data_bits, u->parity, u->stop_bits, u->irq);
    }
}
