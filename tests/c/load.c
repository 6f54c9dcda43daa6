/* Load through one client: THREADS threads share it and verify a paid purchase
 * CALLS_PER_THREAD times each. Every 10,000 calls (or every fifth of a shorter run) it
 * prints the process's open descriptors and RSS. It passes when no call failed and
 * neither grew from the first report to the last: descriptors by at most one connection
 * per thread (the pool's churn), RSS by at most MAX_RSS_GROWTH_KIB (default 1024; 0 skips
 * the check, for runs under valgrind or ASan, where RSS is the tool's own). The sandbox
 * runs as another process, so what is measured is the client alone.
 *
 * usage: c_load SANDBOX_BIN [THREADS CALLS_PER_THREAD [MAX_RSS_GROWTH_KIB]]
 *   in the test suite: c_load SANDBOX_BIN 8 625       (5,000 calls)
 *   the long run:      c_load SANDBOX_BIN 8 50000     (400,000 calls) */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/client.h"
#include "support/sandbox.h"

#define MAX_THREADS 64

static const char KEY[] = "load-test-key";

/* What the process holds at one point of the run. */
typedef struct usage {
    long calls;
    long fds;
    long rss_kib;
} usage;

/* The state the workers share; `lock` guards everything below it. */
typedef struct run {
    const nowgg_client *client;
    long calls_per_thread;
    long report_every;
    pthread_mutex_t lock;
    long done;
    long errors;
    usage first, last;
} run;

/* Open descriptors of this process (Linux), not counting the one that lists them. */
static long open_fds(void) {
    long n = dir_entries("/proc/self/fd");
    return n < 0 ? -1 : n - 1; /* the directory's own descriptor */
}

/* Resident set size of this process in KiB (Linux). */
static long rss_kib(void) {
    long size, pages = -1;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm == NULL) return -1;
    if (fscanf(statm, "%ld %ld", &size, &pages) != 2) pages = -1;
    fclose(statm);
    return pages < 0 ? -1 : pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Counts one finished call; every `report_every` calls, samples and prints the usage.
 * Sampling under the lock keeps the reports in order. */
static void count_call(run *r, int failed) {
    pthread_mutex_lock(&r->lock);
    r->done++;
    r->errors += failed;
    if (r->done % r->report_every == 0) {
        usage now;
        now.calls = r->done;
        now.fds = open_fds();
        now.rss_kib = rss_kib();
        if (r->first.calls == 0) r->first = now;
        r->last = now;
        printf("after %8ld calls: %ld fds, %ld KiB RSS\n", now.calls, now.fds, now.rss_kib);
        fflush(stdout);
    }
    pthread_mutex_unlock(&r->lock);
}

static void *verify_many(void *arg) {
    run *r = (run *)arg;
    long i;
    for (i = 0; i < r->calls_per_thread; i++) {
        count_call(r, !verifies_paid(r->client, "-nowgg-sample-paid", NULL));
    }
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t threads[MAX_THREADS];
    run r = {0};
    sandbox sb;
    nowgg_config *config = NULL;
    long n_threads = argc > 2 ? atol(argv[2]) : 8;
    long max_rss_growth = argc > 4 ? atol(argv[4]) : 1024;
    long total, i;
    double started, elapsed;
    int ok;

    r.calls_per_thread = argc > 3 ? atol(argv[3]) : 625;
    if (argc < 2 || argc == 3 || argc > 5 || n_threads <= 0 || n_threads > MAX_THREADS ||
        r.calls_per_thread <= 0 || max_rss_growth < 0) {
        fprintf(stderr, "usage: %s SANDBOX_BIN [THREADS CALLS_PER_THREAD [MAX_RSS_GROWTH_KIB]]\n",
                argv[0]);
        return 2;
    }
    total = n_threads * r.calls_per_thread;
    r.report_every = total >= 50000 ? 10000 : total / 5 > 0 ? total / 5 : 1;
    pthread_mutex_init(&r.lock, NULL);

    if (sandbox_start(&sb, argv[1], KEY) != 0) return 2;
    if (nowgg_config_new(KEY, &config, NULL) != NOWGG_OK ||
        nowgg_config_set_base_url(config, sb.url, NULL) != NOWGG_OK ||
        nowgg_client_new(config, &r.client, NULL) != NOWGG_OK) {
        fprintf(stderr, "cannot build the client\n");
        sandbox_stop(&sb);
        return 1;
    }
    nowgg_config_free(config);

    started = now_ms();
    for (i = 0; i < n_threads; i++) pthread_create(&threads[i], NULL, verify_many, &r);
    for (i = 0; i < n_threads; i++) pthread_join(threads[i], NULL);
    elapsed = now_ms() - started;

    nowgg_client_free(r.client);
    sandbox_stop(&sb);
    pthread_mutex_destroy(&r.lock);

    ok = r.errors == 0 && r.last.fds <= r.first.fds + n_threads &&
         (max_rss_growth == 0 || r.last.rss_kib - r.first.rss_kib <= max_rss_growth);
    printf("c load: %ld threads x %ld calls through one client: %ld errors, %.0f calls/s; "
           "fds %ld -> %ld, RSS %ld -> %ld KiB (%+ld; %s)\n",
           n_threads, r.calls_per_thread, r.errors, (double)total / (elapsed / 1000.0),
           r.first.fds, r.last.fds, r.first.rss_kib, r.last.rss_kib,
           r.last.rss_kib - r.first.rss_kib, max_rss_growth == 0 ? "not checked" : "checked");
    return ok ? 0 : 1;
}
