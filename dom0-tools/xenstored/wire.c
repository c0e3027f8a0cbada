/* wire.c - payload parsing for xs_wire.h messages: strings, names of types and errors. */
#include <stdlib.h>
#include <string.h>
#include "core.h"

const char *wire_onearg(const char *body, unsigned int len)
{
    const char *nul;

    if (!len)
        return NULL;
    nul = memchr(body, '\0', len);
    if (!nul || (unsigned int)(nul - body) != len - 1)
        return NULL;
    return body;
}

unsigned int wire_strings(const char *body, unsigned int len, const char **vec, unsigned int max)
{
    unsigned int off = 0, i = 0;

    while (off < len) {
        const char *nul = memchr(body + off, '\0', len - off);

        if (!nul)
            break;
        if (i < max)
            vec[i] = body + off;
        i++;
        off = nul - body + 1;
    }
    return i;
}

static const char *const type_names[XS_TYPE_COUNT] = {
    [XS_CONTROL] = "CONTROL",
    [XS_DIRECTORY] = "DIRECTORY",
    [XS_READ] = "READ",
    [XS_GET_PERMS] = "GET_PERMS",
    [XS_WATCH] = "WATCH",
    [XS_UNWATCH] = "UNWATCH",
    [XS_TRANSACTION_START] = "TRANSACTION_START",
    [XS_TRANSACTION_END] = "TRANSACTION_END",
    [XS_INTRODUCE] = "INTRODUCE",
    [XS_RELEASE] = "RELEASE",
    [XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
    [XS_WRITE] = "WRITE",
    [XS_MKDIR] = "MKDIR",
    [XS_RM] = "RM",
    [XS_SET_PERMS] = "SET_PERMS",
    [XS_WATCH_EVENT] = "WATCH_EVENT",
    [XS_ERROR] = "ERROR",
    [XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
    [XS_RESUME] = "RESUME",
    [XS_SET_TARGET] = "SET_TARGET",
    [XS_RESET_WATCHES] = "RESET_WATCHES",
    [XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

const char *wire_type_name(uint32_t type)
{
    if (type < XS_TYPE_COUNT && type_names[type])
        return type_names[type];
    return "**UNKNOWN**";
}

const char *wire_errno_name(int err)
{
    unsigned int i;

    for (i = 0; i < XSU_ARRAY_SIZE(xsd_errors); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    xsd_log(LOG_ERROR_L, "error %d untranslatable", err);
    return "EINVAL";
}

unsigned int wire_domid(const char *s)
{
    return (unsigned int)atoi(s);
}
