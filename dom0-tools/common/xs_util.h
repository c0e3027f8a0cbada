/*
 * xs_util.h - helpers shared by xenstored, libxenstore and the xenstore tools: permission
 * strings, nul-separated string lists, path checks and value escaping.  Internal: the
 * library does not export these names (its version script keeps them local).
 */
#ifndef XS_UTIL_H
#define XS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include "xenstore.h"

#define XSU_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* "r5"-style string for one permission (IGNORE flag dropped); false + EINVAL if the
 * perms field is not one of none/read/write/both. */
bool xsu_perm_to_string(const struct xs_permissions *perm, char *buf, size_t len);
/* Parse num nul-separated strings; false + EINVAL on a bad letter or domid. */
bool xsu_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings);
/* Number of nul-terminated strings in buf[0..len) (a tail without nul is not counted). */
unsigned int xsu_count_strings(const char *buf, unsigned int len);

/* Only [A-Za-z0-9-/_@]. */
bool xsu_valid_chars(const char *path);
/* parent == child, parent == "/", or parent + "/" starts child. */
bool xsu_is_child(const char *child, const char *parent);

/* Escape a value for printing like Xen's tools (\t \n \r \\ \ooo \xhh). Returns a
 * malloc()ed string or NULL. */
char *xsu_sanitise(const char *val, unsigned int len);
/* Undo xsu_sanitise in place-compatible form: out must hold strlen(in)+1 bytes. */
void xsu_unsanitise(char *out, unsigned int *out_len, const char *in);



/* $XENSTORED_RUNDIR or /var/run/xenstored. */
const char *xsu_rundir(void);
/* $XENSTORED_PATH or <rundir>/socket; the read-only one is that + "_ro". Static buffers. */
const char *xsu_socket_path(void);
const char *xsu_socket_ro_path(void);
#endif
