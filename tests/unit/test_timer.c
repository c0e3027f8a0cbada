/* test_timer.c - per-CPU timer queues: order, re-arming, stopping, programming the hardware, expiry. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <parva/timer.h>

static uint64_t now;
static unsigned int this_cpu;
static uint64_t programmed[4];
static unsigned int programs, kicks[4];
static char fired[64];
static size_t nfired;

uint64_t timer_now(void) { return now; }
unsigned int timer_this_cpu(void) { return this_cpu; }
void arch_timer_program(uint64_t deadline) { programmed[this_cpu] = deadline; programs++; }
void arch_timer_kick(unsigned int cpu) { kicks[cpu]++; }

static void record(void *data)
{
    fired[nfired++] = *(char *)data;
    fired[nfired] = '\0';
}

static int setup(void **state)
{
    (void)state;
    now = 1000;
    this_cpu = 0;
    memset(programmed, 0, sizeof(programmed));
    memset(kicks, 0, sizeof(kicks));
    programs = 0;
    nfired = 0;
    fired[0] = '\0';
    return 0;
}

static void test_expired_timers_run_in_expiry_order(void **state)
{
    struct timer a, b, c;
    char na = 'a', nb = 'b', nc = 'c';

    (void)state;
    init_timer(&a, record, &na, 0);
    init_timer(&b, record, &nb, 0);
    init_timer(&c, record, &nc, 0);
    set_timer(&b, 3000);
    set_timer(&a, 2000);
    set_timer(&c, 5000);
    assert_int_equal(programmed[0], 2000);      /* the earliest is what the hardware waits for */
    now = 3000;
    timer_interrupt();
    assert_string_equal(fired, "ab");
    assert_false(a.active);
    assert_true(c.active);
    assert_int_equal(programmed[0], 5000);
    now = 6000;
    timer_interrupt();
    assert_string_equal(fired, "abc");
    assert_int_equal(programmed[0], 0);         /* nothing left: no interrupt */
    assert_int_equal(timer_next_expiry(0), 0);
}

static void test_rearming_moves_a_timer(void **state)
{
    struct timer a, b;
    char na = 'a', nb = 'b';

    (void)state;
    init_timer(&a, record, &na, 0);
    init_timer(&b, record, &nb, 0);
    set_timer(&a, 2000);
    set_timer(&b, 3000);
    set_timer(&a, 4000);                        /* a moves behind b */
    assert_int_equal(timer_next_expiry(0), 3000);
    assert_int_equal(programmed[0], 3000);
    now = 3500;
    timer_interrupt();
    assert_string_equal(fired, "b");
    now = 4000;
    timer_interrupt();
    assert_string_equal(fired, "ba");
}

static void test_stop_removes_and_reprograms_only_for_the_head(void **state)
{
    struct timer a, b;
    char na = 'a', nb = 'b';
    unsigned int before;

    (void)state;
    init_timer(&a, record, &na, 0);
    init_timer(&b, record, &nb, 0);
    set_timer(&a, 2000);
    set_timer(&b, 3000);
    before = programs;
    stop_timer(&b);                             /* not the head: the hardware keeps its deadline */
    assert_int_equal(programs, before);
    stop_timer(&a);
    assert_int_equal(programmed[0], 0);
    stop_timer(&a);                             /* stopping twice is harmless */
    now = 10000;
    timer_interrupt();
    assert_string_equal(fired, "");
}

static void test_past_deadline_fires_at_next_interrupt(void **state)
{
    struct timer a;
    char na = 'a';

    (void)state;
    init_timer(&a, record, &na, 0);
    set_timer(&a, 10);                          /* already past */
    assert_int_equal(programmed[0], 10);
    timer_interrupt();
    assert_string_equal(fired, "a");
}

static struct timer periodic;
static unsigned int periodic_runs;

static void rearm(void *data)
{
    (void)data;
    periodic_runs++;
    if ( periodic_runs < 3 )
        set_timer(&periodic, periodic.expires + 100);
}

static void test_callback_may_rearm_itself(void **state)
{
    (void)state;
    periodic_runs = 0;
    init_timer(&periodic, rearm, NULL, 0);
    set_timer(&periodic, 1000);
    now = 1250;
    timer_interrupt();                          /* runs at 1000, re-arms 1100 (past), runs, 1200, runs */
    assert_int_equal(periodic_runs, 3);
    assert_false(periodic.active);
}

static void test_other_cpus_queue_kicks_that_cpu(void **state)
{
    struct timer a;
    char na = 'a';

    (void)state;
    init_timer(&a, record, &na, 2);
    set_timer(&a, 5000);                        /* set from CPU 0 on CPU 2's queue */
    assert_int_equal(kicks[2], 1);
    assert_int_equal(programmed[0], 0);         /* CPU 0's hardware untouched */
    this_cpu = 2;
    now = 5000;
    timer_interrupt();
    assert_string_equal(fired, "a");
    this_cpu = 0;
    migrate_timer(&a, 1);
    assert_int_equal(a.cpu, 1);
}

static void test_migrating_an_armed_timer_keeps_its_expiry(void **state)
{
    struct timer a, b;
    char na = 'a', nb = 'b';

    (void)state;
    init_timer(&a, record, &na, 0);
    init_timer(&b, record, &nb, 0);
    set_timer(&a, 2000);
    set_timer(&b, 3000);
    migrate_timer(&a, 1);                       /* off CPU 0's head: CPU 0 now waits for b */
    assert_int_equal(a.cpu, 1);
    assert_true(a.active);
    assert_int_equal(programmed[0], 3000);
    assert_int_equal(kicks[1], 1);              /* CPU 1's head changed */
    assert_int_equal(timer_next_expiry(1), 2000);
    now = 2500;
    timer_interrupt();                          /* CPU 0: nothing due */
    assert_string_equal(fired, "");
    this_cpu = 1;
    timer_interrupt();
    assert_string_equal(fired, "a");
    this_cpu = 0;
    stop_timer(&b);                             /* leave no timer of this stack frame queued */
}

static void test_killed_timer_is_never_armed_again(void **state)
{
    struct timer a, b;
    char na = 'a', nb = 'b';

    (void)state;
    init_timer(&a, record, &na, 0);
    init_timer(&b, record, &nb, 0);
    set_timer(&a, 2000);
    set_timer(&b, 3000);
    kill_timer(&a);                             /* the head: the hardware moves on to b */
    assert_false(a.active);
    assert_int_equal(programmed[0], 3000);
    set_timer(&a, 2500);                        /* ignored from now on */
    assert_false(a.active);
    now = 4000;
    timer_interrupt();
    assert_string_equal(fired, "b");
}

/* kill_timer() of a timer whose callback runs on another CPU returns only when it has finished. */
static struct timer slow;
static volatile int slow_entered, slow_release, kill_returned;

static void slow_callback(void *data)
{
    (void)data;
    slow_entered = 1;
    while ( !slow_release )
        usleep(1000);
}

static void *interrupt_thread(void *arg)
{
    (void)arg;
    timer_interrupt();                          /* CPU 0's interrupt, as this_cpu says */
    return NULL;
}

static void *kill_thread(void *arg)
{
    (void)arg;
    kill_timer(&slow);
    kill_returned = 1;
    return NULL;
}

static void test_kill_waits_for_a_running_callback(void **state)
{
    pthread_t irq, killer;

    (void)state;
    slow_entered = slow_release = kill_returned = 0;
    init_timer(&slow, slow_callback, NULL, 0);
    set_timer(&slow, 1000);
    assert_int_equal(pthread_create(&irq, NULL, interrupt_thread, NULL), 0);
    while ( !slow_entered )
        usleep(1000);
    assert_int_equal(pthread_create(&killer, NULL, kill_thread, NULL), 0);
    usleep(50000);
    assert_false(kill_returned);                /* still inside the callback */
    slow_release = 1;
    assert_int_equal(pthread_join(killer, NULL), 0);
    assert_int_equal(pthread_join(irq, NULL), 0);
    assert_true(kill_returned);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_expired_timers_run_in_expiry_order, setup),
        cmocka_unit_test_setup(test_rearming_moves_a_timer, setup),
        cmocka_unit_test_setup(test_stop_removes_and_reprograms_only_for_the_head, setup),
        cmocka_unit_test_setup(test_past_deadline_fires_at_next_interrupt, setup),
        cmocka_unit_test_setup(test_callback_may_rearm_itself, setup),
        cmocka_unit_test_setup(test_other_cpus_queue_kicks_that_cpu, setup),
        cmocka_unit_test_setup(test_migrating_an_armed_timer_keeps_its_expiry, setup),
        cmocka_unit_test_setup(test_killed_timer_is_never_armed_again, setup),
        cmocka_unit_test_setup(test_kill_waits_for_a_running_callback, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
