/*
 * boot_domains.c - boot-time domUs: building them from their modules, starting them, and
 * destroying them when they end (parva/boot_domains.h).
 *
 * Design: one table entry per domU module, filled at boot on the boot CPU:
 * its parsed options, then its domain and console once built.  A domain's
 * end comes through domain_shutdown() (its own SCHEDOP_shutdown, a crash,
 * or dom0's remote shutdown), on whatever CPU and in whatever context that
 * happens, usually on the CPU that still runs the domain's vCPU: there the
 * domain cannot be destroyed (domain_destroy() waits for its vCPUs to leave
 * their CPUs, and frees their page tables).  So the entry's tasklet does it
 * from the idle loop of a CPU that runs no vCPU, with interrupts on, where
 * waiting for the other CPUs and flushing their TLBs is safe: it releases
 * the frames other frees left pending, counts the heap, prints the
 * console's last line, kills the domain (dropping the domain list's
 * reference destroys it, unless a hypercall elsewhere still holds one: then
 * that hypercall's put_domain() does), counts the heap again and reports
 * the difference.  The machine's end, without dom0, follows the last one.
 *
 * Locking: boot_domains_lock (irq-safe leaf) covers `alive` and the
 * shutting-down flags; the rest of an entry is written at boot only.
 * reap_lock serialises destructions, which idle CPUs may otherwise run at
 * the same time, so that one domain's heap counts do not include another's
 * frees; it is taken only by the tasklet, with interrupts on (a CPU waiting
 * for it still answers the cross-CPU calls the holder makes), and outside
 * every other lock.
 */
#include <parva/boot_domains.h>
#include <parva/bootinfo.h>
#include <parva/console_ring.h>
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/sched.h>
#include <parva/shutdown.h>
#include <parva/spinlock.h>
#include <parva/tasklet.h>
#include <xen/sched.h>

struct boot_domain {
    struct domU_params p;
    bool valid;                         /* its options parsed: to be built */
    int kernel, initrd;                 /* module indexes (initrd -1: none) */
    char who[32];                       /* "domain 1 (ping)" */
    struct domain *d;                   /* built, and not destroyed yet */
    struct console_ring *console;
    int console_port;
    bool shutting_down;                 /* its reaper is scheduled */
    struct tasklet reaper;
};

#define RELEASE_WAIT_MS     100         /* for frees in flight on other CPUs (reap) */

static struct boot_domain table[DOMU_MAX_MODULES];
static unsigned int nr_entries;
static unsigned int alive;              /* built and not yet destroyed */
static bool machine_has_dom0;
static DEFINE_SPINLOCK(boot_domains_lock);
static DEFINE_SPINLOCK(reap_lock);      /* one destruction at a time (see Locking) */

static const char *shutdown_reason(unsigned int code)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot", [SHUTDOWN_suspend] = "suspend",
        [SHUTDOWN_crash] = "crash", [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
    };

    return code < ARRAY_SIZE(names) && names[code] ? names[code] : "unknown reason";
}

unsigned long boot_domains_prepare(const struct boot_info *bi, const struct boot_plan *plan)
{
    unsigned long pages = 0, extra = 0;
    char err[160];
    unsigned int k, j;

    for ( k = 0; k < plan->nr_domUs; k++ )
    {
        struct boot_domain *bd = &table[nr_entries++];
        const struct boot_module *m = &bi->modules[plan->domU[k].kernel];

        bd->kernel = (int)plan->domU[k].kernel;
        bd->initrd = plan->domU[k].initrd;
        if ( domU_params_parse(m->cmdline, plan->domU[k].id, &bd->p, err, sizeof(err)) )
        {
            printk(XENLOG_ERR "Module %d (domU %u): %s: domain %u not built\n", bd->kernel, plan->domU[k].id,
                   err, plan->domU[k].id);
            continue;
        }
        snprintf(bd->who, sizeof(bd->who), "domain %u (%s)", bd->p.id, bd->p.name);
        for ( j = 0; j < nr_entries - 1; j++ )
            if ( table[j].valid && !strcmp(table[j].p.name, bd->p.name) )
                break;
        if ( j < nr_entries - 1 )
        {
            printk(XENLOG_ERR "Module %d (domU %u): option \"name=%s\": %s has that name already: domain %u "
                   "not built\n", bd->kernel, bd->p.id, bd->p.name, table[j].who, bd->p.id);
            continue;
        }
        if ( !(bd->p.cpus & sched_online_cpus()) )
        {
            printk(XENLOG_ERR "Module %d (domU %u): option cpus=: none of those CPUs is online (%#lx): domain "
                   "%u not built\n", bd->kernel, bd->p.id, (unsigned long)sched_online_cpus(), bd->p.id);
            continue;
        }
        bd->valid = true;
        pages += bd->p.nr_pages;
        extra = max(extra, arch_boot_domain_build_extra(m));
        printk("%s: memory %lu MiB, %u vCPU%s, weight %u, cap %u, cpus %#lx, command line \"%s\"\n", bd->who,
               bd->p.nr_pages >> (20 - 12), bd->p.vcpus, bd->p.vcpus == 1 ? "" : "s", bd->p.weight,
               bd->p.cap, (unsigned long)(bd->p.cpus & sched_online_cpus()), bd->p.cmdline);
    }
    /* They are built one at a time: the biggest temporary need counts once. */
    return pages ? pages + extra : 0;
}

/* The builder's console callback: serve the domain's ring under its name; the port. */
static int serve_console(struct domain *d, void *page, void *arg)
{
    struct boot_domain *bd = arg;
    int port;

    bd->console = console_ring_create(d, page, bd->p.name, &port);
    bd->console_port = port;
    return port;
}

static void reap(void *arg);

unsigned int boot_domains_build(const struct boot_info *bi)
{
    unsigned int i, built = 0;

    for ( i = 0; i < nr_entries; i++ )
    {
        struct boot_domain *bd = &table[i];
        struct sched_params sp;
        unsigned long free_before;
        struct domain *d;
        struct vcpu *v;
        int rc;

        if ( !bd->valid )
            continue;
        printk("*** Building a PV DomU: %s ***\n", bd->who);
        domain_page_release_pending();
        free_before = heap_free_count();
        rc = arch_boot_domain_build(&bd->p, bd->who, &bi->modules[bd->kernel],
                                    bd->initrd >= 0 ? &bi->modules[bd->initrd] : NULL, serve_console, bd, &d);
        if ( rc )
        {
            printk(XENLOG_ERR "%s not built (see above); the others carry on\n", bd->who);
            continue;
        }
        sp.weight = bd->p.weight;
        sp.cap = bd->p.cap;
        rc = sched_adjust(d, &sp);
        if ( rc )
            printk(XENLOG_WARNING "%s: weight %u cap %u refused by the scheduler (%d): defaults kept\n",
                   bd->who, sp.weight, sp.cap, rc);
        for_each_vcpu ( d, v )
            v->hard_affinity = bd->p.cpus & sched_online_cpus();
        tasklet_init(&bd->reaper, reap, bd);
        bd->d = d;
        alive++;
        built++;
        printk("%s built: %u vCPU%s, console on port %d; it took %lu pages, heap %lu pages free\n", bd->who,
               d->max_vcpus, d->max_vcpus == 1 ? "" : "s", bd->console_port, free_before - heap_free_count(),
               heap_free_count());
    }
    return built;
}

void boot_domains_start(bool dom0_exists)
{
    unsigned int i;

    machine_has_dom0 = dom0_exists;
    for ( i = 0; i < nr_entries; i++ )
        if ( table[i].d )
            vcpu_up(table[i].d->vcpu[0]);
}

/* The boot-time domain of d, now marked as ending, or NULL (*ours: whether d is one at all). */
static struct boot_domain *claim(struct domain *d, bool *ours)
{
    struct boot_domain *bd = NULL;
    unsigned long flags;
    unsigned int i;

    *ours = false;
    spin_lock_irqsave(&boot_domains_lock, flags);
    for ( i = 0; i < nr_entries; i++ )
        if ( table[i].d == d )
        {
            *ours = true;
            if ( !table[i].shutting_down )
            {
                bd = &table[i];
                bd->shutting_down = true;
            }
        }
    spin_unlock_irqrestore(&boot_domains_lock, flags);
    return bd;
}

void boot_domain_shutdown(struct domain *d)
{
    bool ours;
    struct boot_domain *bd = claim(d, &ours);

    if ( !bd )
        return;
    printk("%s has shut down (%s): destroying it\n", bd->who, shutdown_reason(d->shutdown_code));
    tasklet_schedule(&bd->reaper);
}

int boot_domain_destroy(struct domain *d)
{
    bool ours;
    struct boot_domain *bd = claim(d, &ours);
    struct vcpu *v;

    if ( !bd )
        return ours ? 0 : -EOPNOTSUPP;      /* already on its way out, or not a boot-time domain */
    printk("%s: destroyed by the control domain (XEN_DOMCTL_destroydomain)\n", bd->who);
    /* Its vCPUs stop for good, as at a shutdown; the tasklet then destroys it. */
    for_each_vcpu ( d, v )
    {
        vcpu_pause_flag_set(v, VPF_dying);
        vcpu_timers_stop(v);
        stop_timer(&v->poll_timer);
    }
    tasklet_schedule(&bd->reaper);
    return 0;
}

/* The tasklet: destroy a boot-time domain that has shut down (see Design). */
static void reap(void *arg)
{
    struct boot_domain *bd = arg;
    struct domain *d = bd->d, *dom0;
    unsigned long before, after, owned, flags;
    unsigned int i;
    bool last;

    spin_lock(&reap_lock);
    domain_page_release_pending();      /* earlier frees, so that the difference is this domain's */
    before = heap_free_count();
    owned = d->tot_pages;
    console_ring_destroy(bd->console);  /* its last unfinished line; no vCPU of it can run now */
    bd->console = NULL;
    domain_kill(d);
    domain_page_release_pending();
    /*
     * Another CPU's release of the pending frees (on its way out of any hypercall) may have taken
     * some of this domain's frames and not given them to the heap yet: give it a moment (bounded:
     * other activity may use memory meanwhile) so that the count says what came back.
     */
    for ( i = 0, after = heap_free_count(); after - before < owned && i < RELEASE_WAIT_MS; i++ )
    {
        mdelay(1);
        domain_page_release_pending();
        after = heap_free_count();
    }
    printk("Domain %u (%s) destroyed: %lu pages returned (it owned %lu), heap %lu -> %lu pages free\n",
           bd->p.id, bd->p.name, after - before, owned, before, after);
    spin_unlock(&reap_lock);

    dom0 = domain_lookup(0);
    if ( dom0 )
    {
        send_guest_global_virq(dom0, VIRQ_DOM_EXC);     /* as Xen when a domain's destruction completes */
        put_domain(dom0);
    }

    spin_lock_irqsave(&boot_domains_lock, flags);
    bd->d = NULL;
    last = --alive == 0 && !machine_has_dom0;
    spin_unlock_irqrestore(&boot_domains_lock, flags);
    if ( !last )
        return;
    printk("The last boot-time domain has ended, and there is no dom0.\n");
    if ( opt_noreboot )
    {
        printk("'noreboot' given: staying up. Debug keys work on the console ('h' lists them, 'R' reboots).\n");
        return;
    }
    machine_power_off();
}
