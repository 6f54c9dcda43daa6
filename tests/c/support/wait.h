/* Bounded waits for the C tests: condition variables timed on the monotonic clock, so
 * that a test whose callback never comes fails instead of hanging. Needs
 * _POSIX_C_SOURCE 200809L (define it before any include). */
#ifndef NOWGG_TEST_WAIT_H
#define NOWGG_TEST_WAIT_H

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "nowgg_payments.h"
#include "support/sandbox.h"

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

/* Calls waited for together: how many have ended, under `lock`, signalled on `changed`
 * (set up by call_group_init), their ends timed from `start_ms`. */
typedef struct call_group {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    double start_ms;
    int done;
} call_group;

/* One call's end, as its group saw it. */
typedef struct call_end {
    int done;
    nowgg_status status;
    double ended_ms; /* from the group's start */
} call_end;

static inline void call_group_init(call_group *g) {
    pthread_mutex_init(&g->lock, NULL);
    monotonic_cond_init(&g->changed);
    g->done = 0;
}

/* Records that the call of `end` ended with `status` now, and wakes the waiters. */
static inline void call_ended(call_group *g, call_end *end, nowgg_status status) {
    double now = now_ms();
    pthread_mutex_lock(&g->lock);
    end->status = status;
    end->ended_ms = now - g->start_ms;
    end->done = 1;
    g->done++;
    pthread_cond_broadcast(&g->changed);
    pthread_mutex_unlock(&g->lock);
}

/* Waits (with `g`'s lock not held) at most `ms` until `n` calls of `g` have ended.
 * Returns whether they have. */
static inline int call_group_wait(call_group *g, int n, long ms) {
    int all;
    pthread_mutex_lock(&g->lock);
    all = wait_at_least(&g->changed, &g->lock, &g->done, n, ms);
    pthread_mutex_unlock(&g->lock);
    return all;
}

/* Frees what call_group_init made. */
static inline void call_group_destroy(call_group *g) {
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->changed);
}

#endif
