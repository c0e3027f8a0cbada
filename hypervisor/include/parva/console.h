/* console.h - console output drivers, the console ring and printk's configuration. */
#ifndef PARVA_CONSOLE_H
#define PARVA_CONSOLE_H

#include <parva/types.h>

/* An output device: serial port, VGA text screen. */
struct console_driver {
    const char *name;
    void (*puts)(const char *s, size_t len);    /* called with the console lock held */
    struct console_driver *next;
};

/* Add a driver; everything already in the console ring is replayed to it first. */
void console_register(struct console_driver *drv);
/* Is `name` among the devices listed in console= (e.g. "com1", "vga")? */
bool console_wants(const char *name);
/* Move the ring to the heap if conring_size= asked for a bigger one (after the heap is up). */
void console_ring_resize(void);
/* Read the console ring from *idx (see conring_read); for the boot log and later `xl dmesg`. */
size_t console_ring_read(uint64_t *idx, char *dst, size_t len);
/* A whole line of a boot-time domain's console, "(name) text\n": to the devices and the ring. */
void console_domain_line(const char *s, size_t len);
/* The ring's oldest byte held and next byte to come (either pointer may be NULL). */
void console_ring_bounds(uint64_t *oldest, uint64_t *newest);
/* Forget the bytes before upto (XEN_SYSCTL_readconsole's clear). */
void console_ring_discard(uint64_t upto);
/* Panic and crash paths: break the console lock if this CPU cannot take it. */
void console_force_unlock(void);

/* Console input (console_input.c): a byte typed on the console, from the receive interrupt. */
void console_input(char c);
struct domain;
struct console_ring;
/* A boot-time domain's console ring joins (or leaves) the domains Ctrl-A x3 cycles input through. */
void console_input_add_ring(struct console_ring *c);
void console_input_remove_ring(struct console_ring *c);
/* dom0 exists (NULL: not): input switches to it, Ctrl-A x3 switches back and forth; VIRQ_CONSOLE tells it. */
void console_input_set_guest(struct domain *d);
/* dom0's CONSOLEIO_read: up to len bytes typed for it. */
size_t console_input_read(char *buf, size_t len);
/* A guest's console_io output: dom0's as it is, other domains' with a "(dN) " prefix per line. */
void console_guest_write(unsigned int domid, const char *s, size_t len);

/* Arch hook: nanoseconds since boot for log timestamps, 0 while the clock is not calibrated. */
uint64_t console_clock_ns(void);

#endif /* PARVA_CONSOLE_H */
