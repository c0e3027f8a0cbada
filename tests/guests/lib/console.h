/* console.h - formatted output to the hypervisor console (HYPERVISOR_console_io, CONSOLEIO_write). */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include "types.h"

/* Formats into buf (always NUL-terminated when size > 0); returns the length the full output needs. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Writes one formatted message with a single console_io call (at most CONSOLE_LINE_MAX bytes). */
void printf(const char *fmt, ...) __printf(1, 2);
void vprintf(const char *fmt, va_list ap);
/* Writes len raw bytes. */
void console_write(const char *s, size_t len);

#define CONSOLE_LINE_MAX 1024

#endif /* GUEST_CONSOLE_H */
