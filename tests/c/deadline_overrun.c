/* No socket wait outlives the call's deadline, whatever `timeout` says: a client with
 * timeout 3,000 s and deadline 0.5 s, against a server that never answers, ends its
 * calls with NOWGG_TIMEOUT soon after 0.5 s (within MARGIN_MS here; the design allows
 * 10 ms), not at a socket timeout rounded up to a step of timeout/100 (30 s).
 *
 * One blocking verify (on a thread of the test's, so that the test can give up waiting
 * for it) and one async verify, at the same time on one client.
 *
 * usage: c_deadline_overrun SANDBOX_BIN */
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

static const char KEY[] = "deadline-overrun-test-key";

enum {
    DEADLINE_MS = 500,
    MARGIN_MS = 1000, /* "well under 5 s": ends by deadline + 1 s, valgrind included */
    GIVE_UP_MS = 5000 /* how long the test waits before calling the call stuck */
};

static const uint64_t TIMEOUT_MS = 3000000; /* 3,000 s */

/* The two calls, timed from just before they were made, and their client. */
static call_group run;
static call_end blocking, async;
static const nowgg_client *client;

static void *blocking_verify(void *unused) {
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    nowgg_status s = nowgg_verify_purchase(client, "-nowgg-sample-paid", &purchase, &err);
    (void)unused;
    if (err != NULL) printf("  blocking: %s\n", nowgg_error_message(err));
    nowgg_purchase_free(purchase);
    nowgg_error_free(err);
    call_ended(&run, &blocking, s);
    return NULL;
}

static void async_verified(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                           nowgg_error *error) {
    (void)user_data;
    if (error != NULL) printf("  async: %s\n", nowgg_error_message(error));
    nowgg_purchase_free(purchase);
    nowgg_error_free(error);
    call_ended(&run, &async, status);
}

static void report(const char *what, const call_end *c) {
    if (c->done) {
        printf("  %s verify: %s after %.0f ms\n", what, nowgg_status_name(c->status),
               c->ended_ms);
    } else {
        printf("  %s verify: still running after %d ms\n", what, (int)GIVE_UP_MS);
    }
    CHECK(c->done && c->status == NOWGG_TIMEOUT);
    CHECK(c->done && c->ended_ms >= DEADLINE_MS - 100 && c->ended_ms <= DEADLINE_MS + MARGIN_MS);
}

int main(int argc, char **argv) {
    const test_options options = {.timeout_ms = TIMEOUT_MS, .deadline_ms = DEADLINE_MS};
    sandbox sb;
    pthread_t thread;
    int started_thread, started_async, all;

    if (sandbox_start_from_args(&sb, argc, argv, KEY) != 0) return 2;
    test_fault(&sb, "{\"match\": \"verify\", \"action\": \"hang\", \"count\": 100}");

    call_group_init(&run);
    client = test_client(sb.url, KEY, &options);

    run.start_ms = now_ms();
    started_thread = pthread_create(&thread, NULL, blocking_verify, NULL) == 0;
    started_async = nowgg_verify_purchase_async(client, "-nowgg-sample-paid", async_verified,
                                                NULL, NULL) == NOWGG_OK;
    CHECK(started_thread && started_async);

    pthread_mutex_lock(&run.lock);
    all = wait_at_least(&run.changed, &run.lock, &run.done, started_thread + started_async,
                        GIVE_UP_MS);
    printf("timeout %.0f s, deadline %d ms, server never answers:\n", (double)TIMEOUT_MS / 1000,
           (int)DEADLINE_MS);
    report("blocking", &blocking);
    report("async", &async);
    CHECK(all);
    /* Broken, the calls end at the socket timeout (about 30 s): wait for them, boundedly
     * (ctest's TIMEOUT), to free everything; the checks above have failed already. */
    if (!all) {
        wait_at_least(&run.changed, &run.lock, &run.done, started_thread + started_async, 90000);
        printf("  (then blocking %.0f ms, async %.0f ms)\n", blocking.ended_ms, async.ended_ms);
    }
    all = run.done == started_thread + started_async;
    pthread_mutex_unlock(&run.lock);

    if (started_thread) pthread_join(thread, NULL);
    nowgg_client_free(client);
    if (all) call_group_destroy(&run);
    sandbox_stop(&sb);
    curl_global_cleanup();
    return checks_done("c deadline overrun");
}
