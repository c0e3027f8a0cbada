/*
 * keyhandler.c - debug keys on the hypervisor console.
 *
 * While the hypervisor owns console input (see console_input.c: Ctrl-A
 * three times switches between it and dom0), every byte received on the
 * serial console is a debug key.  Handlers print through
 * printk, so their output also lands in the console ring.
 *
 * Locking: handlers are registered at boot, before the console interrupt
 * is enabled; afterwards the table is only read.
 */
#include <parva/domain.h>
#include <parva/grant_table.h>
#include <parva/keyhandler.h>
#include <parva/sched.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/shutdown.h>

static struct {
    keyhandler_fn_t fn;
    const char *desc;
} key_table[128];

void register_keyhandler(unsigned char key, keyhandler_fn_t fn, const char *desc)
{
    if ( key < ARRAY_SIZE(key_table) )
    {
        key_table[key].fn = fn;
        key_table[key].desc = desc;
    }
}

void handle_keypress(unsigned char key)
{
    if ( key < ARRAY_SIZE(key_table) && key_table[key].fn )
    {
        printk("'%c' pressed -> %s\n", key, key_table[key].desc);
        key_table[key].fn(key);
    }
    else if ( key >= 0x20 && key < 0x7f )
        printk("'%c' pressed -> no such debug key ('h' lists them)\n", key);
}

static void show_handlers(unsigned char key)
{
    unsigned int k;

    for ( k = 0; k < ARRAY_SIZE(key_table); k++ )
        if ( key_table[k].fn )
            printk(" key '%c' (ascii '%02x') => %s\n", k, k, key_table[k].desc);
}

static void dump_memory(unsigned char key)
{
    printk("Physical memory information:\n");
    printk("    Heap: %lu of %lu frames free (%lu KiB free)\n", heap_free_count(), heap_total_count(),
           heap_free_count() * (PAGE_SIZE / 1024));
}

static void dump_sched(unsigned char key)
{
    (void)key;
    sched_dump();
}

static void dump_domains(unsigned char key)
{
    (void)key;
    domain_dump();
}

static void do_reboot(unsigned char key)
{
    machine_restart(0);
}

void keyhandler_init(void)
{
    register_keyhandler('h', show_handlers, "show this message");
    register_keyhandler('g', gnttab_dump, "print grant table usage");
    register_keyhandler('m', dump_memory, "memory info");
    register_keyhandler('q', dump_domains, "dump domain (and guest debug) info");
    register_keyhandler('r', dump_sched, "dump run queues");
    register_keyhandler('R', do_reboot, "reboot machine");
}
