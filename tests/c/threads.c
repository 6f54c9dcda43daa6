/* One client shared by 8 threads, each verifying the same paid purchase N times
 * (default 1000): every call must succeed, and the purchases (freed on the threads that
 * made them) must all read the same.
 *
 * usage: c_threads SANDBOX_BIN [VERIFIES_PER_THREAD] */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/client.h"
#include "support/sandbox.h"

#define THREADS 8

static const char KEY[] = "threads-test-key";

typedef struct worker {
    pthread_t thread;
    const nowgg_client *client;
    long verifies;
    long good;
} worker;

static void *verify_many(void *arg) {
    worker *w = (worker *)arg;
    long i;
    for (i = 0; i < w->verifies; i++) {
        w->good += verifies_paid(w->client, "-nowgg-sample-paid", "<orderId>");
    }
    return NULL;
}

int main(int argc, char **argv) {
    worker workers[THREADS];
    sandbox sb;
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    long per_thread = argc > 2 ? atol(argv[2]) : 1000;
    long good = 0;
    double started, elapsed;
    int i;

    if (argc < 2 || per_thread <= 0) {
        fprintf(stderr, "usage: %s SANDBOX_BIN [VERIFIES_PER_THREAD]\n", argv[0]);
        return 2;
    }
    if (sandbox_start(&sb, argv[1], KEY) != 0) return 2;
    if (nowgg_config_new(KEY, &config, NULL) != NOWGG_OK ||
        nowgg_config_set_base_url(config, sb.url, NULL) != NOWGG_OK ||
        nowgg_client_new(config, &client, NULL) != NOWGG_OK) {
        fprintf(stderr, "cannot build the client\n");
        sandbox_stop(&sb);
        return 1;
    }
    nowgg_config_free(config);

    started = now_ms();
    for (i = 0; i < THREADS; i++) {
        workers[i].client = client;
        workers[i].verifies = per_thread;
        workers[i].good = 0;
        pthread_create(&workers[i].thread, NULL, verify_many, &workers[i]);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(workers[i].thread, NULL);
        good += workers[i].good;
    }
    elapsed = now_ms() - started;

    nowgg_client_free(client);
    sandbox_stop(&sb);
    printf("c threads: %ld of %ld verifies good on %d threads sharing one client (%.0f ms)\n",
           good, per_thread * THREADS, THREADS, elapsed);
    return good == per_thread * THREADS ? 0 : 1;
}
