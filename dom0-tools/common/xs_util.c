/* xs_util.c - permission strings, string lists, path checks and value escaping (see xs_util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xs_util.h"

bool xsu_perm_to_string(const struct xs_permissions *perm, char *buf, size_t len)
{
    char c;

    switch (perm->perms & ~XS_PERM_IGNORE) {
    case XS_PERM_NONE: c = 'n'; break;
    case XS_PERM_READ: c = 'r'; break;
    case XS_PERM_WRITE: c = 'w'; break;
    case XS_PERM_READ | XS_PERM_WRITE: c = 'b'; break;
    default: errno = EINVAL; return false;
    }
    if (len < 2) {
        errno = EINVAL;
        return false;
    }
    buf[0] = c;
    snprintf(buf + 1, len - 1, "%i", (int)perm->id);
    return true;
}

bool xsu_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings)
{
    const char *p = strings;
    unsigned int i;

    for (i = 0; i < num; i++, p += strlen(p) + 1) {
        char *end;
        unsigned long id;

        switch (*p) {
        case 'n': perms[i].perms = XS_PERM_NONE; break;
        case 'r': perms[i].perms = XS_PERM_READ; break;
        case 'w': perms[i].perms = XS_PERM_WRITE; break;
        case 'b': perms[i].perms = XS_PERM_READ | XS_PERM_WRITE; break;
        default: errno = EINVAL; return false;
        }
        errno = 0;
        id = strtoul(p + 1, &end, 0);
        if (p[1] == '\0' || *end != '\0' || errno || id > UINT_MAX) {
            errno = EINVAL;
            return false;
        }
        perms[i].id = id;
    }
    return true;
}

unsigned int xsu_count_strings(const char *buf, unsigned int len)
{
    unsigned int n = 0, i;

    for (i = 0; i < len; i++)
        if (buf[i] == '\0')
            n++;
    return n;
}

bool xsu_valid_chars(const char *path)
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_@";

    return strspn(path, ok) == strlen(path);
}

bool xsu_is_child(const char *child, const char *parent)
{
    size_t len = strlen(parent);

    if (strcmp(parent, "/") == 0)
        return true;
    if (strncmp(child, parent, len) != 0)
        return false;
    return child[len] == '/' || child[len] == '\0';
}

char *xsu_sanitise(const char *val, unsigned int len)
{
    char *out = malloc((size_t)len * 4 + 1), *o = out;
    unsigned int i;

    if (!out)
        return NULL;
    for (i = 0; i < len; i++) {
        unsigned char c = val[i];

        if (c >= ' ' && c <= '~' && c != '\\') {
            *o++ = c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '\t': *o++ = 't'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\\': *o++ = '\\'; break;
        default:
            o += c < 010 ? sprintf(o, "%03o", c) : sprintf(o, "x%02x", c);
        }
    }
    *o = '\0';
    return out;
}

void xsu_unsanitise(char *out, unsigned int *out_len, const char *in)
{
    const char *ip = in;
    char *op = out;
    unsigned int c;
    int n;

    while ((c = (unsigned char)*ip++)) {
        if (c == '\\') {
            c = (unsigned char)*ip++;
            switch (c) {
            case 't': c = '\t'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case '\\': c = '\\'; break;
            case 'x':
                n = 0;
                sscanf(ip, "%2x%n", &c, &n);
                ip += n;
                break;
            case '0': case '1': case '2': case '3':
            case '4': case '5': case '6': case '7':
                --ip;
                n = 0;
                sscanf(ip, "%3o%n", &c, &n);
                ip += n;
                break;
            case 0:
                --ip;
                break;
            default:
                break;
            }
        }
        *op++ = (char)c;
    }
    *op = '\0';
    if (out_len)
        *out_len = op - out;
}

const char *xsu_rundir(void)
{
    const char *s = getenv("XENSTORED_RUNDIR");

    return s ? s : "/var/run/xenstored";
}

const char *xsu_socket_path(void)
{
    static char buf[4096];
    const char *s = getenv("XENSTORED_PATH");

    if (s)
        return s;
    if (snprintf(buf, sizeof(buf), "%s/socket", xsu_rundir()) >= (int)sizeof(buf))
        return NULL;
    return buf;
}

const char *xsu_socket_ro_path(void)
{
    static char buf[4096];
    const char *s = xsu_socket_path();

    if (!s || snprintf(buf, sizeof(buf), "%s_ro", s) >= (int)sizeof(buf))
        return NULL;
    return buf;
}
