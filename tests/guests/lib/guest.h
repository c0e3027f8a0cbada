/*
 * guest.h - everything a test kernel uses: include this one header.
 *
 * A test is tests/guests/<name>/main.c defining
 *     const char test_title[] = "...";
 *     void test_main(start_info_t *si);
 * and optionally `const bool test_minimal_setup = true;` to skip the framework's setup (shared_info
 * mapping, trap table, callbacks), so that the test depends on console_io and sched_op only.
 * test_main() reports with report_fail()/report_skip()/report_error(); when it returns, the framework
 * prints the one "Test result:" line and powers the domain off.
 */
#ifndef GUEST_H
#define GUEST_H

#include "types.h"
#include <xen/xen.h>
#include <xen/version.h>
#include <xen/features.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include <xen/sched.h>
#include <xen/callback.h>
#include <xen/physdev.h>
#include <xen/event_channel.h>
#include "errno.h"
#include "string.h"
#include "console.h"
#include "hypercall.h"
#include "report.h"
#include "traps.h"
#include "cpu.h"
#include "mm.h"
#include "user.h"
#include "smp.h"
#include "evtchn.h"

/* Registers exactly as the hypervisor handed them to the entry point. */
struct boot_regs
{
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rflags, cs, ss, ds, es, fs, gs;
};
extern struct boot_regs boot_regs;

/* Provided by the test. */
extern const char test_title[];
extern const bool test_minimal_setup;
void test_main(start_info_t *si);

/* The value of option `name` on the hypervisor's command line (XENVER_commandline); false if absent. */
bool hv_cmdline_option(const char *name, char *val, size_t size);
/* A size with an optional K/M/G/B suffix (no suffix: KiB, as Xen's parse_size_and_unit). */
unsigned long long parse_size(const char *s, const char **end);

/* The hypervisor's system time in ns, from vcpu_info's pvclock (vcpu_time_info) and rdtsc. */
uint64_t guest_system_time(void);

/* C entry from head.S. */
void __noreturn guest_start(start_info_t *si);

#ifdef GUEST_SHAPE_LINUX
#define GUEST_VIRT_BASE     0xffffffff80000000ul
#else
#define GUEST_VIRT_BASE     0ul
#endif

#endif /* GUEST_H */
