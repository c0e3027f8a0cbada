/*
 * test_tasklet.c - tasklets (common/tasklet.c): queued once, run in order from the idle loop with
 * no lock held, rescheduled from their own function, an idle CPU kicked (never this one), and
 * with every CPU busy this one told to reschedule and named to go idle for the work.
 * Stand-ins: which CPUs are online and what they run (sched_online_cpus, sched_curr), the kick
 * and the reschedule request.
 */
#include <string.h>
#include <parva/domain.h>
#include <parva/sched.h>
#include <parva/tasklet.h>
#include <parva/timer.h>

static cpumask_t online = 0xf;
static struct vcpu *running[64];
static struct vcpu busy;
static unsigned int this_cpu, kicks[64], nr_kicks, tickles[64], nr_tickles;

cpumask_t sched_online_cpus(void)
{
    return online;
}

struct vcpu *sched_curr(unsigned int cpu)
{
    return running[cpu];
}

unsigned int timer_this_cpu(void)
{
    return this_cpu;
}

void arch_kick_cpu(unsigned int cpu)
{
    kicks[cpu]++;
    nr_kicks++;
}

void sched_tickle(unsigned int cpu)
{
    tickles[cpu]++;
    nr_tickles++;
}

static char order[64];
static struct tasklet a, b, c;
static unsigned int again;

static void record(void *data)
{
    size_t n = strlen(order);

    order[n] = *(const char *)data;
    order[n + 1] = '\0';
    if ( data == (void *)"c" && again && again-- )
        tasklet_schedule(&c);               /* from its own function: runs again */
}

static int setup(void **state)
{
    (void)state;
    memset(order, 0, sizeof(order));
    memset(running, 0, sizeof(running));
    memset(kicks, 0, sizeof(kicks));
    memset(tickles, 0, sizeof(tickles));
    nr_kicks = nr_tickles = 0;
    this_cpu = 0;
    online = 0xf;
    again = 0;
    tasklet_init(&a, record, "a");
    tasklet_init(&b, record, "b");
    tasklet_init(&c, record, "c");
    return 0;
}

static void test_nothing_pending_at_first(void **state)
{
    (void)state;
    assert_false(tasklet_work_pending());
    tasklet_run_pending();
    assert_string_equal(order, "");
}

static void test_run_once_in_order(void **state)
{
    (void)state;
    running[0] = &busy;                     /* this CPU runs a vCPU; CPU 1 is idle */
    tasklet_schedule(&b);
    tasklet_schedule(&a);
    tasklet_schedule(&b);                   /* already queued: nothing */
    assert_true(tasklet_work_pending());
    tasklet_run_pending();
    assert_string_equal(order, "ba");
    assert_false(tasklet_work_pending());
    tasklet_run_pending();
    assert_string_equal(order, "ba");
    assert_int_equal(kicks[1], 2);          /* one kick per tasklet queued, to the first idle CPU */
    assert_int_equal(nr_kicks, 2);
}

static void test_rescheduled_from_its_own_function(void **state)
{
    (void)state;
    again = 2;
    tasklet_schedule(&c);
    tasklet_schedule(&a);
    tasklet_run_pending();
    assert_string_equal(order, "cacc");
}

static void test_kicks_an_idle_cpu_but_never_itself(void **state)
{
    (void)state;
    tasklet_schedule(&a);                   /* this CPU (0) is idle: its own idle loop will see it */
    assert_int_equal(nr_kicks, 0);
    tasklet_run_pending();
    running[0] = running[1] = running[3] = &busy;
    this_cpu = 3;                           /* busy: the first idle CPU, 2, is kicked */
    tasklet_schedule(&a);
    assert_int_equal(kicks[2], 1);
    assert_true(tasklet_wants_cpu(2));
    tasklet_run_pending();
    assert_false(tasklet_wants_cpu(2));     /* nothing pending: nobody is named */
    running[2] = &busy;                     /* every CPU busy: this one reschedules for it */
    tasklet_schedule(&b);
    assert_int_equal(nr_kicks, 1);
    assert_int_equal(tickles[3], 1);
    assert_int_equal(nr_tickles, 1);
    assert_true(tasklet_work_pending());
    assert_true(tasklet_wants_cpu(3));      /* its schedule() goes idle for the work */
    assert_false(tasklet_wants_cpu(2));
    online = 0x3;                           /* offline CPUs are never kicked */
    running[2] = running[3] = NULL;
    tasklet_schedule(&a);
    assert_int_equal(nr_kicks, 1);
    assert_int_equal(nr_tickles, 1);
    assert_true(tasklet_wants_cpu(3));      /* still named: it passes its idle loop next */
    tasklet_run_pending();
    assert_string_equal(order, "aaba");
    assert_false(tasklet_wants_cpu(3));     /* all done */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_nothing_pending_at_first, setup),
        cmocka_unit_test_setup(test_run_once_in_order, setup),
        cmocka_unit_test_setup(test_rescheduled_from_its_own_function, setup),
        cmocka_unit_test_setup(test_kicks_an_idle_cpu_but_never_itself, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
