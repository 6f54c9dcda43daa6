/* An async call started from a completion callback, and waited for there: the thread
 * running a callback is not idle, so the nested call gets a thread of its own (within
 * max_in_flight) instead of waiting for the callback's thread, which waits for it.
 *
 * A chain of DEPTH calls on one fresh client (max_in_flight 8): the callback of call i
 * starts call i+1 and waits for its callback (a condition variable, at most
 * NESTED_WAIT_MS); the last one starts nothing. Each level must see its nested call
 * complete inside its own callback, with the right purchase.
 *
 * usage: c_nested SANDBOX_BIN */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/client.h"
#include "support/sandbox.h"
#include "support/wait.h"

static const char KEY[] = "nested-test-key";

enum {
    DEPTH = 3,              /* calls in the chain: the outer one and two nested */
    NESTED_WAIT_MS = 10000, /* how long a callback waits for the call it started */
    ALL_WAIT_MS = 60000     /* how long main waits for the chain, broken or not */
};

/* One call of the chain. */
typedef struct level {
    nowgg_status status;
    int right_purchase;  /* the answer was the sample's paid purchase */
    int done;            /* its callback has returned (set last) */
    int nested_started;  /* its callback started the next call (NOWGG_OK) */
    int nested_seen;     /* ... and saw it complete before returning */
    double nested_ms;    /* how long it waited for it */
    double ended_ms;     /* when its callback returned, from the start */
} level;

static struct chain {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    const nowgg_client *client;
    double start_ms;
    int done; /* levels whose callback has returned */
    level levels[DEPTH];
} chain;

static void verified(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                     nowgg_error *error);

/* Starts call `i` of the chain; its user data is its index. */
static nowgg_status start_level(int i) {
    return nowgg_verify_purchase_async(chain.client, "-nowgg-sample-paid", verified,
                                       &chain.levels[i], NULL);
}

static void verified(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                     nowgg_error *error) {
    level *me = (level *)user_data;
    int i = (int)(me - chain.levels);
    const char *order = nowgg_purchase_order_id(purchase);
    int right = status == NOWGG_OK && nowgg_purchase_is_paid(purchase) && order != NULL &&
                strcmp(order, "<orderId>") == 0;

    nowgg_purchase_free(purchase);
    if (error != NULL) {
        fprintf(stderr, "  call %d: %s\n", i, nowgg_error_message(error));
    }
    nowgg_error_free(error);

    pthread_mutex_lock(&chain.lock);
    me->status = status;
    me->right_purchase = right;
    pthread_mutex_unlock(&chain.lock);

    if (i + 1 < DEPTH) {
        /* Start the next call from this callback, and wait for it here. */
        double asked = now_ms();
        int started = start_level(i + 1) == NOWGG_OK;
        pthread_mutex_lock(&chain.lock);
        me->nested_started = started;
        if (started) {
            me->nested_seen = wait_at_least(&chain.changed, &chain.lock,
                                            &chain.levels[i + 1].done, 1, NESTED_WAIT_MS);
        }
        me->nested_ms = now_ms() - asked;
        pthread_mutex_unlock(&chain.lock);
    }

    pthread_mutex_lock(&chain.lock);
    me->ended_ms = now_ms() - chain.start_ms;
    me->done = 1;
    chain.done++;
    pthread_cond_broadcast(&chain.changed);
    pthread_mutex_unlock(&chain.lock);
}

int main(int argc, char **argv) {
    const test_options options = {.max_in_flight = 8};
    sandbox sb;
    int i, all;

    if (sandbox_start_from_args(&sb, argc, argv, KEY) != 0) return 2;

    memset(&chain, 0, sizeof chain);
    pthread_mutex_init(&chain.lock, NULL);
    monotonic_cond_init(&chain.changed);
    chain.client = test_client(sb.url, KEY, &options);
    chain.start_ms = now_ms();
    CHECK(start_level(0) == NOWGG_OK);

    /* Broken, each level waits NESTED_WAIT_MS before its nested call can run: wait for
     * the whole chain anyway (bounded), so that nothing is freed under a callback. */
    pthread_mutex_lock(&chain.lock);
    all = wait_at_least(&chain.changed, &chain.lock, &chain.done, DEPTH, ALL_WAIT_MS);
    pthread_mutex_unlock(&chain.lock);

    printf("a chain of %d async calls, each started from the previous one's callback:\n",
           DEPTH);
    for (i = 0; i < DEPTH; i++) {
        const level *l = &chain.levels[i];
        printf("  call %d: %s%s, ", i, l->done ? nowgg_status_name(l->status) : "not completed",
               l->done && !l->right_purchase ? " (wrong purchase)" : "");
        if (i + 1 < DEPTH) {
            printf("its callback %s call %d complete (waited %.0f ms), ",
                   l->nested_seen ? "saw" : "did NOT see", i + 1, l->nested_ms);
        }
        printf("callback returned at %.0f ms\n", l->ended_ms);
        CHECK(l->done && l->status == NOWGG_OK && l->right_purchase);
        if (i + 1 < DEPTH) CHECK(l->nested_started && l->nested_seen);
    }
    CHECK(all);

    if (all) {
        nowgg_client_free(chain.client);
        pthread_mutex_destroy(&chain.lock);
        pthread_cond_destroy(&chain.changed);
    } /* else a callback may still run: leave it the client and the lock (failed anyway) */
    sandbox_stop(&sb);
    curl_global_cleanup();
    return checks_done("c nested");
}
