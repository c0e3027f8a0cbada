/*
 * harness.h - what the xenstored unit tests share: a fake platform whose domains are a
 * table the test fills and whose ring pages are plain memory, connections over the
 * in-memory transport, and one-line helpers to send a request and check its reply.
 */
#ifndef XSD_TEST_HARNESS_H
#define XSD_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../xenstored/core.h"

extern int fake_domain_state[DOMID_LIMIT];   /* 0 running, 1 shut down, 2 gone (default) */
extern unsigned int fake_notifications;

int h_setup(void **state);       /* fresh store, domains, quotas */
int h_teardown(void **state);

struct conn *h_priv(void);                   /* a socket-like dom0 connection */
struct conn *h_ro(void);                     /* the read-only socket */
struct conn *h_dom(unsigned int domid);      /* an unprivileged domain connection */

/* Send a request (payload given as nul-separated strings with explicit length). */
void h_send(struct conn *c, uint32_t type, uint32_t tx, const void *payload, unsigned int len);
/* Next queued message (reply or event); NULL if none. Caller frees. */
struct msg *h_next(struct conn *c);
/* Send, then expect a reply of the request's type with exactly this payload. */
void h_expect(struct conn *c, uint32_t type, uint32_t tx, const char *payload, unsigned int plen,
              const char *reply, unsigned int rlen);
/* Send, then expect an ERROR reply with this name ("ENOENT"). */
void h_expect_err(struct conn *c, uint32_t type, uint32_t tx, const char *payload,
                  unsigned int plen, const char *err);
/* Send and return the reply (asserting it is not an error), caller frees. */
struct msg *h_ok(struct conn *c, uint32_t type, uint32_t tx, const char *payload, unsigned int plen);
/* Expect the next queued message to be a watch event {path, token}. */
void h_expect_event(struct conn *c, const char *path, const char *token);
void h_expect_nothing(struct conn *c);

/* Shorthands with C strings (sizeof includes the nul). */
#define S(str) str, sizeof(str)
void h_write(struct conn *c, uint32_t tx, const char *path, const char *value);
char *h_read(struct conn *c, uint32_t tx, const char *path);     /* NULL on error */
uint32_t h_txn_start(struct conn *c);

#endif
