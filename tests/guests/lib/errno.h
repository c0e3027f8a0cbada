/* errno.h - Xen's error numbers as plain E* names (from <xen/errno.h>) and their names as strings. */
#ifndef GUEST_ERRNO_H
#define GUEST_ERRNO_H

enum guest_errno
{
#define XEN_ERRNO(name, value) name = value,
#include <xen/errno.h>
};

/* "-EINVAL" for -22, "0" for 0, "?" for unknown values. */
const char *errno_name(long rc);

#endif /* GUEST_ERRNO_H */
