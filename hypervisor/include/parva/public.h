/* public.h - the guest ABI: Xen's public headers (Debian's libxen-dev), included, never copied. */
#ifndef PARVA_PUBLIC_H
#define PARVA_PUBLIC_H

#include <parva/types.h>    /* the public headers expect the fixed-width types to exist */
#include <xen/xen.h>

#endif /* PARVA_PUBLIC_H */
