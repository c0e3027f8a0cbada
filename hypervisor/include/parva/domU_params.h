/*
 * domU_params.h - boot-time domains: which multiboot modules are dom0's, which are unprivileged
 * domains (domUs) built at boot, and the options on a domU module's command line.
 *
 * The convention (docs/boot-time-domains.md), in the spirit of Xen's dom0less:
 *
 *     module2 /boot/guest.elf domU name=ping memory=64M vcpus=2 weight=512 cap=50 cpus=0-1 -- console=hvc0
 *     module2 /boot/guest.img initrd
 *
 *  - A module whose command line starts with the word "domU" is a boot-time domain; "key=value"
 *    options follow, then "--" and the guest's own command line (optional).
 *  - A module right after it whose command line starts with the word "initrd" is its initrd.
 *  - The first module is dom0's kernel unless it is a domU; the module after dom0's kernel is dom0's
 *    initrd unless it is a domU (its command line is dom0's business).  Without a dom0 the domUs
 *    run alone.
 *  - The k-th domU module is domain k (1, 2, ...), in module order, whether or not the domUs
 *    before it could be built.
 *  - Any other module is not used (reported).
 *
 * Options (each at most once meaningful: a later one overrides an earlier one):
 *   name=<name>      1-15 characters of [A-Za-z0-9_.-]; default "domU<id>"; unique
 *   memory=<size>    Xen size syntax (K/M/G/T/B suffix, none = KiB), rounded down to pages;
 *                    default DOMU_DEFAULT_MEMORY
 *   vcpus=<n>        1..MAX_VIRT_CPUS (128), default 1
 *   weight=<w>       credit scheduler weight 1..65535, default 256
 *   cap=<c>          percent of one CPU the whole domain may use, 0 (none, the default)..100 * vcpus
 *   cpus=<list>      hard affinity of every vCPU: "all", or CPU numbers and ranges, e.g. "0-1,3"
 *                    (CPUs 0..63); default all
 * Numbers are decimal.  An unknown option, a word without "=", or a bad value is an error: the
 * domain is not built (the caller says so, naming the module and the option).
 *
 * Pure code (no allocation, no output): tests/unit/test_domU_params.c.
 */
#ifndef PARVA_DOMU_PARAMS_H
#define PARVA_DOMU_PARAMS_H

#include <parva/types.h>

#define DOMU_NAME_LEN           15                  /* characters of a name, at most */
#define DOMU_DEFAULT_MEMORY     (128ULL << 20)      /* bytes */
#define DOMU_MAX_VCPUS          128                 /* MAX_VIRT_CPUS */
#define DOMU_DEFAULT_WEIGHT     256
#define DOMU_MAX_WEIGHT         65535
#define DOMU_CPUS_ALL           (~0ULL)             /* cpus= not given, or "all" */
#define DOMU_MAX_MODULES        16                  /* BOOTINFO_MAX_MODULES */

struct domU_params {
    unsigned int id;                    /* domain id (1, 2, ...) */
    char name[DOMU_NAME_LEN + 1];
    unsigned long nr_pages;             /* memory= in 4 KiB pages */
    unsigned int vcpus;
    unsigned int weight;
    unsigned int cap;
    uint64_t cpus;                      /* hard affinity: bit n = CPU n */
    const char *cmdline;                /* the guest's command line: after "--" in the module's
                                           string (which must outlive it), or "" */
};

/* Does the command line start with this word (after blanks, and after a file name starting with '/')? */
bool domU_cmdline_starts_with(const char *cmdline, const char *word);

/*
 * Parse a domU module's command line (it starts with "domU") for domain id.  0 and *p filled in; or
 * -EINVAL with a one-line reason in err naming the option, e.g.
 *     option "memory=12Q": not a size (a number with an optional K, M, G or T)
 */
int domU_params_parse(const char *cmdline, unsigned int id, struct domU_params *p, char *err, size_t errlen);

/* What each module is for. */
enum boot_module_role {
    BOOT_MOD_UNUSED = 0,
    BOOT_MOD_DOM0_KERNEL,
    BOOT_MOD_DOM0_INITRD,
    BOOT_MOD_DOMU_KERNEL,
    BOOT_MOD_DOMU_INITRD,
    BOOT_MOD_STRAY_INITRD,              /* "initrd" with no domU right before it: not used */
};

struct boot_plan {
    int dom0_kernel, dom0_initrd;       /* module index, or -1 */
    unsigned int nr_domUs;
    struct {
        unsigned int kernel;            /* module index */
        int initrd;                     /* module index, or -1 */
        unsigned int id;                /* 1, 2, ... */
    } domU[DOMU_MAX_MODULES];
    enum boot_module_role role[DOMU_MAX_MODULES];
};

/* Sort n (at most DOMU_MAX_MODULES) modules by their command lines, as above. */
void boot_plan_modules(const char *const cmdlines[], unsigned int n, struct boot_plan *plan);

/* The role's name for the boot log ("dom0 kernel", "domU 2 kernel", ...). */
const char *boot_module_role_name(enum boot_module_role r);

#endif /* PARVA_DOMU_PARAMS_H */
