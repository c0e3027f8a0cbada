/*
 * keyhandler.h - debug keys: single keystrokes on the hypervisor console that print state or act,
 * as Xen's (`h` lists them).  Later reachable with `xl debug-keys` too.
 */
#ifndef PARVA_KEYHANDLER_H
#define PARVA_KEYHANDLER_H

typedef void (*keyhandler_fn_t)(unsigned char key);

/* Handlers run in interrupt context (the console's receive interrupt). */
void register_keyhandler(unsigned char key, keyhandler_fn_t fn, const char *desc);
/* Run the handler for key, as if typed. */
void handle_keypress(unsigned char key);
void keyhandler_init(void);

#endif /* PARVA_KEYHANDLER_H */
