/*
 * test_console_ring.c - the hypervisor's console backend for boot-time domains
 * (common/console_ring.c): lines with the domain's name, line buffering, cut lines, dropped
 * characters, the consumer index, notifications both ways, a guest that lies about its ring, and
 * input into the `in` ring (registered with console_input, dropped when full).
 *
 * Stand-ins: the Xen port API (one port, its function called by the test as the guest's
 * EVTCHNOP_send would), console_domain_line (captured), xmalloc (the C library's, counted).
 */
#include <stdlib.h>
#include <string.h>
#include <parva/console.h>
#include <parva/console_ring.h>
#include <parva/event.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <xen/io/console.h>

static struct domain *const the_domain = (struct domain *)0x1000;
static evtchn_xen_fn_t port_fn;
static void *port_data;
static int alloc_result;                /* what evtchn_alloc_xen_port returns */
static unsigned int notifies_back, frees, live_allocs;
static char out[8192];
static size_t out_len;
static unsigned int writes, bad_domids;

int evtchn_alloc_xen_port(struct domain *d, unsigned int vcpu, evtchn_xen_fn_t fn, void *data)
{
    assert_ptr_equal(d, the_domain);
    assert_int_equal(vcpu, 0);
    port_fn = fn;
    port_data = data;
    return alloc_result;
}

void evtchn_free_xen_port(struct domain *d, unsigned int port, void *data)
{
    assert_ptr_equal(d, the_domain);
    assert_int_equal(port, 7);
    assert_ptr_equal(data, port_data);
    frees++;
}

int evtchn_send_port(struct domain *d, unsigned int port)
{
    assert_ptr_equal(d, the_domain);
    assert_int_equal(port, 7);
    notifies_back++;
    return 0;
}

void console_domain_line(const char *s, size_t len)
{
    assert_true(len && s[len - 1] == '\n');     /* whole lines only */
    assert_true(out_len + len < sizeof(out));
    memcpy(out + out_len, s, len);
    out_len += len;
    out[out_len] = '\0';
    writes++;
}

static struct console_ring *registered;
static unsigned int registrations;

void console_input_add_ring(struct console_ring *c)
{
    registered = c;
    registrations++;
}

void console_input_remove_ring(struct console_ring *c)
{
    if ( registered == c )
        registered = NULL;
    registrations--;
}

void *xzalloc_bytes(size_t size)
{
    live_allocs++;
    return calloc(1, size);
}

void xfree(void *p)
{
    if ( p )
        live_allocs--;
    free(p);
}

static struct xencons_interface page;
static struct console_ring *ring;

static int setup(void **state)
{
    int port;

    (void)state;
    memset(&page, 0, sizeof(page));
    out_len = 0;
    out[0] = '\0';
    writes = bad_domids = notifies_back = frees = live_allocs = 0;
    alloc_result = 7;
    ring = console_ring_create(the_domain, &page, "ping", &port);
    assert_non_null(ring);
    assert_int_equal(port, 7);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    console_ring_destroy(ring);
    assert_int_equal(frees, 1);
    assert_int_equal(live_allocs, 0);
    assert_int_equal(registrations, 0);         /* every ring left console input again */
    assert_null(registered);
    assert_int_equal(bad_domids, 0);
    return 0;
}

/* The guest: append s to the out ring as Linux's hvc_xen does, then notify. */
static void guest_write(const char *s)
{
    size_t i, n = strlen(s);

    for ( i = 0; i < n; i++ )
        page.out[MASK_XENCONS_IDX(page.out_prod + i, page.out)] = s[i];
    page.out_prod += (XENCONS_RING_IDX)n;
    port_fn(the_domain, 7, port_data);
}

static void test_lines_get_the_domain_name(void **state)
{
    (void)state;
    guest_write("hello\n");
    assert_string_equal(out, "(ping) hello\n");
    guest_write("one\ntwo\n");
    assert_string_equal(out, "(ping) hello\n(ping) one\n(ping) two\n");
    assert_int_equal(writes, 3);                /* one console write per line */
    assert_int_equal(page.out_cons, page.out_prod);
    assert_int_equal(notifies_back, 2);
}

static void test_output_is_line_buffered(void **state)
{
    (void)state;
    guest_write("Linux ver");
    assert_string_equal(out, "");
    assert_int_equal(page.out_cons, 9);         /* consumed, though not printed yet */
    guest_write("sion 6.1\nnext");
    assert_string_equal(out, "(ping) Linux version 6.1\n");
    guest_write("");                            /* a notification with nothing new */
    assert_int_equal(notifies_back, 2);
    console_ring_destroy(ring);                 /* the unfinished line is printed at the end */
    ring = NULL;
    assert_string_equal(out, "(ping) Linux version 6.1\n(ping) next\n");
}

static void test_carriage_returns_and_nuls_are_dropped(void **state)
{
    char s[] = "a\r\nb\0c\n";

    (void)state;
    for ( size_t i = 0; i < sizeof(s) - 1; i++ )
        page.out[MASK_XENCONS_IDX(page.out_prod + i, page.out)] = s[i];
    page.out_prod += sizeof(s) - 1;
    port_fn(the_domain, 7, port_data);
    assert_string_equal(out, "(ping) a\n(ping) bc\n");
}

static void test_long_lines_are_cut(void **state)
{
    char s[CONSOLE_RING_LINE * 2 + 2], want[CONSOLE_RING_LINE * 2 + 64];

    (void)state;
    memset(s, 'x', CONSOLE_RING_LINE * 2 + 1);
    s[CONSOLE_RING_LINE * 2 + 1] = '\0';
    guest_write(s);
    guest_write("\n");
    snprintf(want, sizeof(want), "(ping) %.*s\n(ping) %.*s\n(ping) x\n", CONSOLE_RING_LINE, s, CONSOLE_RING_LINE, s);
    assert_string_equal(out, want);
}

static void test_indexes_wrap_around(void **state)
{
    unsigned int i;

    (void)state;
    page.out_prod = page.out_cons = 0xfffffff0u;        /* the guest starts near the wrap */
    console_ring_destroy(ring);
    ring = console_ring_create(the_domain, &page, "ping", &(int){ 0 });
    assert_non_null(ring);
    frees = 0;
    out_len = 0;
    for ( i = 0; i < 3000; i++ )                        /* more than the ring, in pieces */
        guest_write(i % 10 == 9 ? "\n" : "z");
    assert_int_equal(writes, 300);
    assert_int_equal(page.out_cons, page.out_prod);
    assert_int_equal(strlen(out), 300 * strlen("(ping) zzzzzzzzz\n"));
}

static void test_a_guest_claiming_too_much_gets_one_ring(void **state)
{
    size_t nl = 0, i;

    (void)state;
    memset(page.out, 'y', sizeof(page.out));
    page.out[100] = '\n';
    page.out_prod += 1000000;                   /* a lie: far more than the ring holds */
    port_fn(the_domain, 7, port_data);
    assert_int_equal(page.out_cons, page.out_prod);
    for ( i = 0; i < out_len; i++ )
        nl += out[i] == '\n';
    assert_true(out_len <= sizeof(page.out) + nl * 8);      /* one ring's worth, plus prefixes */
    /* Changing out_cons behind our back changes nothing: our own index counts. */
    page.out_cons = page.out_prod - 5;
    out_len = 0;
    out[0] = '\0';
    port_fn(the_domain, 7, port_data);
    assert_string_equal(out, "");
}

static void test_input_goes_into_the_in_ring(void **state)
{
    unsigned int i;

    (void)state;
    assert_ptr_equal(registered, ring);
    notifies_back = 0;
    console_ring_input(ring, 'l');
    console_ring_input(ring, 's');
    assert_int_equal(page.in_prod, 2);
    assert_int_equal(page.in[0], 'l');
    assert_int_equal(page.in[1], 's');
    assert_int_equal(notifies_back, 2);
    /* The guest reads nothing: the ring fills, and what does not fit is dropped, unannounced. */
    for ( i = 2; i < sizeof(page.in) + 10; i++ )
        console_ring_input(ring, 'x');
    assert_int_equal(page.in_prod, sizeof(page.in));
    assert_int_equal(notifies_back, sizeof(page.in));
    /* The guest consumes some: room again, and the index wraps around the ring. */
    page.in_cons = 100;
    console_ring_input(ring, 'y');
    assert_int_equal(page.in_prod, sizeof(page.in) + 1);
    assert_int_equal(page.in[0], 'y');
    /* A guest whose in_cons lies (ahead of in_prod) is taken as full, not as room. */
    page.in_cons = page.in_prod + 5000;
    console_ring_input(ring, 'z');
    assert_int_equal(page.in_prod, sizeof(page.in) + 1);
    /* The in_prod the guest sees is a copy: scribbling on it changes nothing here. */
    page.in_cons = page.in_prod;
    page.in_prod = 12345;
    console_ring_input(ring, 'w');
    assert_int_equal(page.in_prod, sizeof(page.in) + 2);
}

static void test_names_and_failures(void **state)
{
    struct console_ring *c;
    int port;

    (void)state;
    out_len = 0;
    c = console_ring_create(the_domain, &page, "abcdefghijklmno", &port);
    assert_non_null(c);
    page.out_prod = page.out_cons = 0;
    page.out[0] = 'k';
    page.out[1] = '\n';
    page.out_prod = 2;
    port_fn(the_domain, 7, c);
    assert_string_equal(out, "(abcdefghijklmno) k\n");
    console_ring_destroy(c);
    port_data = ring;
    frees = 0;
    alloc_result = -ENOSPC;
    assert_null(console_ring_create(the_domain, &page, "x", &port));
    assert_int_equal(port, -ENOSPC);
    port_data = ring;
    assert_int_equal(live_allocs, 1);           /* only the fixture's */
    console_ring_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_lines_get_the_domain_name),
        T(test_output_is_line_buffered),
        T(test_carriage_returns_and_nuls_are_dropped),
        T(test_long_lines_are_cut),
        T(test_indexes_wrap_around),
        T(test_a_guest_claiming_too_much_gets_one_ring),
        T(test_input_goes_into_the_in_ring),
        T(test_names_and_failures),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
