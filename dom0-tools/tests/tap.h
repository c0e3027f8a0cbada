/* tap.h - minimal TAP output for the dom0-tools test programs. */
#ifndef DOM0_TOOLS_TAP_H
#define DOM0_TOOLS_TAP_H
#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_PLAN(n) printf("1..%d\n", (n))
#define OK(cond, ...) do {                                             \
        int ok_ = !!(cond);                                            \
        printf("%s %d - ", ok_ ? "ok" : "not ok", ++tap_n);            \
        printf(__VA_ARGS__);                                           \
        printf("\n");                                                  \
        if (!ok_) {                                                    \
            tap_failed++;                                              \
            printf("#   failed at %s:%d\n", __FILE__, __LINE__);       \
        }                                                              \
        fflush(stdout);                                                \
    } while (0)
#define TAP_DONE() (tap_failed ? 1 : 0)
#endif
