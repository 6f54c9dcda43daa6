/* The _async calls: callbacks on the library's threads receiving what the blocking calls
 * hand out, many calls in flight, max_in_flight honoured at the sandbox, arguments copied
 * before the call returns, and clients freed while their calls are in flight, even from a
 * callback. Run under valgrind and ASan like the others, which check that no callback
 * touches freed memory and nothing leaks.
 *
 * usage: c_async SANDBOX_BIN */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/client.h"
#include "support/sandbox.h"

static const char KEY[] = "async-test-key";

/* What the callbacks saw, shared with the thread waiting for them. */
typedef struct tally {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int done, paid, failed, consumed, already_consumed;
    nowgg_status last_failure;
    pthread_t main_thread;
    int on_main_thread; /* callbacks that ran on the caller's thread: must stay 0 */
    const nowgg_client *to_free; /* freed by the next callback, when set */
} tally;

static void tally_init(tally *t) {
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->changed, NULL);
    t->main_thread = pthread_self();
}

static void tally_destroy(tally *t) {
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->changed);
}

/* Waits until `calls` callbacks have run. */
static void wait_for(tally *t, int calls) {
    pthread_mutex_lock(&t->lock);
    while (t->done < calls) pthread_cond_wait(&t->changed, &t->lock);
    pthread_mutex_unlock(&t->lock);
}

/* Counts one finished call; frees the client waiting in `to_free`, from this thread. */
static void finish(tally *t, nowgg_status status) {
    const nowgg_client *to_free;
    pthread_mutex_lock(&t->lock);
    if (pthread_equal(pthread_self(), t->main_thread)) t->on_main_thread++;
    if (status != NOWGG_OK) {
        t->failed++;
        t->last_failure = status;
    }
    to_free = t->to_free;
    t->to_free = NULL;
    pthread_mutex_unlock(&t->lock);
    nowgg_client_free(to_free);
    pthread_mutex_lock(&t->lock);
    t->done++;
    pthread_cond_broadcast(&t->changed);
    pthread_mutex_unlock(&t->lock);
}

static void purchase_done(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                          nowgg_error *error) {
    tally *t = (tally *)user_data;
    const char *order = nowgg_purchase_order_id(purchase);
    int good = status == NOWGG_OK && error == NULL && nowgg_purchase_is_paid(purchase) &&
               order != NULL && strcmp(order, "<orderId>") == 0;
    int coherent = status == NOWGG_OK ? purchase != NULL && error == NULL
                                      : purchase == NULL && nowgg_error_status(error) == status;
    pthread_mutex_lock(&t->lock);
    t->paid += good;
    if (!coherent) t->failed += 1000;
    pthread_mutex_unlock(&t->lock);
    /* The callback owns both: free them here (or keep them, and free them later). */
    nowgg_purchase_free(purchase);
    nowgg_error_free(error);
    finish(t, status);
}

static void consume_done(void *user_data, nowgg_status status,
                         const nowgg_consume_outcome *outcome, nowgg_error *error) {
    tally *t = (tally *)user_data;
    pthread_mutex_lock(&t->lock);
    if (status == NOWGG_OK && outcome != NULL && error == NULL) {
        t->consumed += *outcome == NOWGG_OUTCOME_CONSUMED;
        t->already_consumed += *outcome == NOWGG_OUTCOME_ALREADY_CONSUMED;
    } else if (status == NOWGG_OK || outcome != NULL) {
        t->failed += 1000;
    }
    pthread_mutex_unlock(&t->lock);
    nowgg_error_free(error);
    finish(t, status);
}

static const nowgg_client *client_for(const char *url, uint32_t max_in_flight) {
    test_options options = {.deadline_ms = 20000, .max_in_flight = max_in_flight};
    return test_client(url, KEY, &options);
}

/* The sandbox holds the next `count` verifies for `delay_ms` each. */
static void slow_verifies(const sandbox *sb, int count, int delay_ms) {
    char fault[128];
    snprintf(fault, sizeof fault,
             "{\"match\": \"verify\", \"action\": \"none\", \"delay_ms\": %d, \"count\": %d}",
             delay_ms, count);
    free(sandbox_call(sb, "POST", "/_sandbox/reset", "{}"));
    free(sandbox_call(sb, "POST", "/_sandbox/faults", fault));
}

/* The most API requests the sandbox was serving at once since its last reset. */
static int most_in_flight(const sandbox *sb) {
    char *body = sandbox_call(sb, "GET", "/_sandbox/requests", NULL);
    cJSON *log = body != NULL ? cJSON_Parse(body) : NULL;
    const cJSON *request;
    int most = 0;
    cJSON_ArrayForEach(request, log) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(request, "in_flight");
        if (cJSON_IsNumber(n) && n->valueint > most) most = n->valueint;
    }
    cJSON_Delete(log);
    free(body);
    return most;
}

static int threads_now(void) {
    return (int)dir_entries("/proc/self/task");
}

/* Whether the process is back to `threads` threads within 20 s: the library's threads
 * end once their client is gone and no call is left. */
static int threads_end(int threads) {
    struct timespec pause = {0, 20 * 1000 * 1000};
    int i;
    for (i = 0; i < 1000; i++) {
        if (threads_now() <= threads) return 1;
        nanosleep(&pause, NULL);
    }
    fprintf(stderr, "  %d threads left, expected %d\n", threads_now(), threads);
    return 0;
}

/* Starts `calls` async verifies at once, each held `delay_ms` by the sandbox, through a
 * client of `max_in_flight` (0: the default), and waits for them into `t` (tally_init'd).
 * Returns the most the sandbox was serving at once. */
static int slow_burst(const sandbox *sb, uint32_t max_in_flight, int calls, int delay_ms,
                      tally *t) {
    const nowgg_client *client = client_for(sb->url, max_in_flight);
    int i, most;
    slow_verifies(sb, calls, delay_ms);
    for (i = 0; i < calls; i++) {
        CHECK(nowgg_verify_purchase_async(client, "-nowgg-sample-paid", purchase_done, t, NULL) ==
              NOWGG_OK);
    }
    wait_for(t, calls);
    most = most_in_flight(sb);
    nowgg_client_free(client);
    return most;
}

/* 64 verifies held 300 ms each are all in flight together, each on a library thread. */
static void many_in_flight(const sandbox *sb) {
    tally t;
    int most;
    tally_init(&t);
    most = slow_burst(sb, 0, 64, 300, &t);
    printf("64 async verifies: %d paid, at most %d at the sandbox at once\n", t.paid, most);
    CHECK(t.paid == 64 && t.failed == 0 && t.on_main_thread == 0);
    CHECK(most >= 32); /* not one after another */
    tally_destroy(&t);
}

/* max_in_flight = 8: 32 slow calls never have more than 8 requests at the sandbox. */
static void max_in_flight_is_honoured(const sandbox *sb) {
    tally t;
    int most;
    tally_init(&t);
    most = slow_burst(sb, 8, 32, 200, &t);
    printf("max_in_flight 8: 32 verifies, %d paid, at most %d at the sandbox at once\n", t.paid,
           most);
    CHECK(t.paid == 32 && t.failed == 0);
    CHECK(most <= 8 && most >= 2);
    tally_destroy(&t);
}

/* A client freed while 16 calls are in flight, and one freed by a callback: every call
 * completes, then the library's threads end (nothing of the client is left). */
static void freed_while_in_flight(const sandbox *sb, int threads_before) {
    const nowgg_client *client = client_for(sb->url, 0);
    tally t;
    int i;
    tally_init(&t);
    slow_verifies(sb, 16, 300);
    for (i = 0; i < 16; i++) {
        CHECK(nowgg_verify_purchase_async(client, "-nowgg-sample-paid", purchase_done, &t, NULL) ==
              NOWGG_OK);
    }
    nowgg_client_free(client);
    wait_for(&t, 16);
    CHECK(t.paid == 16 && t.failed == 0);
    CHECK(threads_end(threads_before));

    /* The callback frees the last handle to the client, on the library's thread. */
    t.to_free = client_for(sb->url, 0);
    CHECK(nowgg_consume_purchase_async(t.to_free, "-nowgg-sample-paid", NULL, NULL, NULL, NULL,
                                       consume_done, &t, NULL) == NOWGG_OK);
    wait_for(&t, 17);
    CHECK(t.consumed == 1 && t.to_free == NULL);
    CHECK(threads_end(threads_before));
    tally_destroy(&t);
}

/* Consume's outcomes, the grant check, and the errors the callbacks receive. */
static void outcomes_and_errors(const sandbox *sb) {
    const nowgg_client *client = client_for(sb->url, 0);
    nowgg_grant_policy *policy = NULL;
    tally t;
    char token[] = "-nowgg-sample-paid";
    tally_init(&t);
    free(sandbox_call(sb, "POST", "/_sandbox/reset", "{}"));

    /* Strings and policies are copied before the call returns: scribble over them. */
    CHECK(nowgg_grant_policy_new(&policy, NULL) == NOWGG_OK);
    CHECK(nowgg_grant_policy_add_product_id(policy, "gems_100", NULL) == NOWGG_OK);
    CHECK(nowgg_verify_for_grant_async(client, token, policy, purchase_done, &t, NULL) ==
          NOWGG_OK);
    nowgg_grant_policy_free(policy);
    memset(token, 'x', sizeof token - 1);
    wait_for(&t, 1);
    CHECK(t.failed == 1 && t.last_failure == NOWGG_PRODUCT_MISMATCH);

    CHECK(nowgg_consume_purchase_async(client, "-nowgg-sample-paid", "NOWGG", NULL, NULL, NULL,
                                       consume_done, &t, NULL) == NOWGG_OK);
    wait_for(&t, 2);
    CHECK(nowgg_consume_purchase_async(client, "-nowgg-sample-paid", NULL, NULL, NULL, NULL,
                                       consume_done, &t, NULL) == NOWGG_OK);
    wait_for(&t, 3);
    CHECK(t.consumed == 1 && t.already_consumed == 1);

    /* The core's own checks reach the callback, like any failure. */
    CHECK(nowgg_verify_purchase_async(client, "", purchase_done, &t, NULL) == NOWGG_OK);
    wait_for(&t, 4);
    CHECK(t.failed == 2 && t.last_failure == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_verify_purchase_async(client, "-nowgg-forged", purchase_done, &t, NULL) ==
          NOWGG_OK);
    wait_for(&t, 5);
    CHECK(t.failed == 3 && t.last_failure == NOWGG_INVALID_PURCHASE_TOKEN);
    CHECK(t.on_main_thread == 0);
    nowgg_client_free(client);
    tally_destroy(&t);
}

/* What the C layer refuses at once: the callback is never called. */
static void refused_at_once(const sandbox *sb) {
    const nowgg_client *client = client_for(sb->url, 0);
    nowgg_error *err = NULL;
    tally t;
    tally_init(&t);
    CHECK(nowgg_verify_purchase_async(client, "-nowgg-sample-paid", NULL, &t, &err) ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(err != NULL && strstr(nowgg_error_message(err), "callback is NULL") != NULL);
    nowgg_error_free(err);
    CHECK(nowgg_verify_purchase_async(NULL, "-nowgg-sample-paid", purchase_done, &t, NULL) ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_verify_purchase_async(client, "\xff\xfe", purchase_done, &t, NULL) ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_verify_for_grant_async(client, "-nowgg-sample-paid", NULL, purchase_done, &t,
                                       NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_consume_purchase_async(client, "-nowgg-sample-paid", "steam", NULL, NULL, NULL,
                                       consume_done, &t, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_consume_purchase_async(client, NULL, NULL, NULL, NULL, NULL, consume_done, &t,
                                       NULL) == NOWGG_INVALID_ARGUMENT);
    nowgg_client_free(client);
    CHECK(t.done == 0);
    tally_destroy(&t);
}

int main(int argc, char **argv) {
    sandbox sb;
    int threads_before;

    if (sandbox_start_from_args(&sb, argc, argv, KEY) != 0) return 2;
    threads_before = threads_now();

    many_in_flight(&sb);
    max_in_flight_is_honoured(&sb);
    freed_while_in_flight(&sb, threads_before);
    outcomes_and_errors(&sb);
    refused_at_once(&sb);

    sandbox_stop(&sb);
    curl_global_cleanup();
    return checks_done("c async");
}
