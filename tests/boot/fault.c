/*
 * fault.c - linked only into the "fault" test build: a deliberate page fault inside the hypervisor,
 * to prove that an unexpected exception prints the full register dump and stops the machine.
 */
#include <parva/printk.h>
#include <asm/setup.h>

#define UNMAPPED_ADDRESS 0xdead000UL    /* low half: nothing is mapped there in the idle page tables */

static __noinline __attribute__((__noclone__)) void fault_here(volatile unsigned long *p)
{
    printk("fault test: writing to %p\n", (void *)p);
    *p = 0x5a5a5a5aUL;
}

void boot_selftest_hook(void)
{
    fault_here((volatile unsigned long *)UNMAPPED_ADDRESS);
    printk("fault test: the write did not fault\n");
}
