/* The smallest test harness: CHECK counts, prints what failed, and the program's exit
 * code says whether any check failed. Works in C99 and C++17. */
#ifndef NOWGG_TEST_CHECK_H
#define NOWGG_TEST_CHECK_H

#include <stdio.h>

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            checks_passed++;                                                   \
        } else {                                                               \
            checks_failed++;                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                      \
    } while (0)

/* Prints the tally and gives the exit code. */
static inline int checks_done(const char *suite) {
    printf("%s: %d checks passed, %d failed\n", suite, checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif
