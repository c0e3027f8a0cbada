/* errno.h - error numbers: Xen's public values, so errors reach guests unchanged. */
#ifndef PARVA_ERRNO_H
#define PARVA_ERRNO_H

#ifndef __ASSEMBLY__
#ifndef EINVAL  /* a host build may already have Linux's identical values */
#define XEN_ERRNO(name, value) name = value,
enum {
#include <xen/errno.h>
};
#endif
#endif

#endif /* PARVA_ERRNO_H */
