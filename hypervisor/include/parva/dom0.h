/*
 * dom0.h - dom0 sizing options (Xen's dom0_mem= and dom0_max_vcpus=) and the functions that apply them.
 *
 *   dom0_mem=[min:<sz>,][max:<sz>,][<sz>]   (items in any order; the last of a kind wins)
 *       <sz> is a size (T/G/M/K/B suffix, none = KiB), or "-<size>" meaning
 *       all available memory except <size>.  Rounded down to whole pages.
 *   dom0_max_vcpus=<N> | <min>-<max> | <min>- | -<max>
 *
 * The options are registered with the command-line parser (parva/param.h);
 * the functions below turn them into numbers once the available memory and
 * CPUs are known.
 */
#ifndef PARVA_DOM0_H
#define PARVA_DOM0_H

#include <parva/types.h>

/* dom0_compute_max_pages() when no max: was given. */
#define DOM0_MAX_PAGES_UNLIMITED    (~0UL)

/*
 * Pages to give dom0 out of avail_pages free ones (see dom0_params.c for the
 * rules).  Never more than avail_pages; may be 0 when the options leave
 * nothing (e.g. dom0_mem=max:-<more than avail>), which the builder must refuse.
 */
unsigned long dom0_compute_nr_pages(unsigned long avail_pages);

/* dom0's balloon limit (max:<sz> resolved against avail_pages), or DOM0_MAX_PAGES_UNLIMITED. */
unsigned long dom0_compute_max_pages(unsigned long avail_pages);

/*
 * dom0's vCPU count: nr_pcpus clamped to dom0_max_vcpus's [min, max], then to
 * limit (the builder's maximum, at least 1).  Always in 1..limit.
 */
unsigned int dom0_compute_max_vcpus(unsigned int nr_pcpus, unsigned int limit);

/* The settings as given, for the boot log: "dom0: memory 512 MiB (min 0, max all), vcpus 1..4". */
void dom0_params_describe(char *buf, size_t len);

/* Back to the defaults (no dom0_mem=, no dom0_max_vcpus=); for tests. */
void dom0_params_reset(void);

#endif /* PARVA_DOM0_H */
