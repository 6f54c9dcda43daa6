/* Bounded waits for the C tests: condition variables timed on the monotonic clock, so
 * that a test whose callback never comes fails instead of hanging. Needs
 * _POSIX_C_SOURCE 200809L (define it before any include). */
#ifndef NOWGG_TEST_WAIT_H
#define NOWGG_TEST_WAIT_H

#include <errno.h>
#include <pthread.h>
#include <time.h>

/* Initialises `cond` so that its timed waits use CLOCK_MONOTONIC. */
static inline int monotonic_cond_init(pthread_cond_t *cond) {
    pthread_condattr_t attr;
    int rc;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

/* The CLOCK_MONOTONIC time `ms` milliseconds from now. */
static inline struct timespec monotonic_after_ms(long ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* With `lock` held, waits on `cond` (made by monotonic_cond_init) until `*value` reaches
 * `target` or `ms` milliseconds pass. Returns whether it reached `target`. */
static inline int wait_at_least(pthread_cond_t *cond, pthread_mutex_t *lock, const int *value,
                                int target, long ms) {
    struct timespec until = monotonic_after_ms(ms);
    while (*value < target) {
        if (pthread_cond_timedwait(cond, lock, &until) == ETIMEDOUT) return *value >= target;
    }
    return 1;
}

#endif
