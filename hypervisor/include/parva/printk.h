/* printk.h - the hypervisor's log: levels, printk, panic and assertions. */
#ifndef PARVA_PRINTK_H
#define PARVA_PRINTK_H

#include <stdarg.h>
#include <parva/compiler.h>

/*
 * Log levels, as Xen's: a message starts with an optional level prefix.
 * Messages without one are XENLOG_WARNING (always shown by default).
 * `loglvl=` on the command line picks what reaches the serial console;
 * every message reaches the in-memory console ring (for `xl dmesg`).
 */
#define XENLOG_ERR      "<0>"
#define XENLOG_WARNING  "<1>"
#define XENLOG_INFO     "<2>"
#define XENLOG_DEBUG    "<3>"
#define XENLOG_DEFAULT  1

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list args);
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Arch hook: print this CPU's registers and call trace (BUG reports, debug keys). */
void dump_execution_state(void);

/* Broken hypervisor invariant: print where, then panic.  Never for guest mistakes. */
__noreturn void bug_fail(const char *cond, const char *file, int line);
#define BUG()       bug_fail("BUG", __FILE__, __LINE__)
#define BUG_ON(c)   do { if ( unlikely(c) ) bug_fail(#c, __FILE__, __LINE__); } while ( 0 )
#define ASSERT(c)   BUG_ON(!(c))

#endif /* PARVA_PRINTK_H */
