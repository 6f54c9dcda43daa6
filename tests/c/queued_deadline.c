/* A call's deadline starts when the call is made, time spent queued included: a client
 * with deadline 1 s and max_in_flight 2 starts 8 async verifies at once against a server
 * that never answers. Each must end with NOWGG_TIMEOUT, none before its deadline and none
 * more than MARGIN_MS after it (a queued call whose deadline passed fails unsent, rather
 * than waiting its turn and then a whole deadline of its own).
 *
 * usage: c_queued_deadline SANDBOX_BIN */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/client.h"
#include "support/sandbox.h"
#include "support/wait.h"

static const char KEY[] = "queued-deadline-test-key";

enum {
    CALLS = 8,
    MAX_IN_FLIGHT = 2,
    DEADLINE_MS = 1000,
    MARGIN_MS = 1000,   /* generous: the point is queue time counting, not precision */
    EARLY_MS = 100,     /* a call may end this much before its deadline (clock skew) */
    ALL_WAIT_MS = 30000 /* how long to wait for the 8 callbacks, broken or not */
};

/* The calls, timed from just before the first was made. */
static call_group run;
static call_end results[CALLS];

static void verified(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                     nowgg_error *error) {
    nowgg_purchase_free(purchase);
    nowgg_error_free(error);
    call_ended(&run, (call_end *)user_data, status);
}

/* How many API requests the sandbox received since its last reset. */
static int requests_received(const sandbox *sb) {
    char *body = sandbox_call(sb, "GET", "/_sandbox/requests", NULL);
    cJSON *log = body != NULL ? cJSON_Parse(body) : NULL;
    int n = cJSON_IsArray(log) ? cJSON_GetArraySize(log) : -1;
    cJSON_Delete(log);
    free(body);
    return n;
}

int main(int argc, char **argv) {
    const test_options options = {.deadline_ms = DEADLINE_MS, .max_in_flight = MAX_IN_FLIGHT};
    const nowgg_client *client;
    sandbox sb;
    int i, all, started = 0;

    if (sandbox_start_from_args(&sb, argc, argv, KEY) != 0) return 2;
    /* Every verify is read and never answered (until the client closes, or 120 s). */
    test_fault(&sb, "{\"match\": \"verify\", \"action\": \"hang\", \"count\": 100}");

    call_group_init(&run);
    client = test_client(sb.url, KEY, &options);

    run.start_ms = now_ms();
    for (i = 0; i < CALLS; i++) {
        if (nowgg_verify_purchase_async(client, "-nowgg-sample-paid", verified, &results[i],
                                        NULL) == NOWGG_OK) {
            started++;
        }
    }
    CHECK(started == CALLS);
    all = call_group_wait(&run, started, ALL_WAIT_MS);

    printf("%d async verifies, deadline %d ms, max_in_flight %d, server never answers:\n",
           CALLS, (int)DEADLINE_MS, (int)MAX_IN_FLIGHT);
    printf("  ended at (ms):");
    for (i = 0; i < CALLS; i++) {
        if (results[i].done) {
            printf(" %.0f", results[i].ended_ms);
        } else {
            printf(" never");
        }
    }
    printf("\n  statuses:");
    for (i = 0; i < CALLS; i++) {
        printf(" %s", results[i].done ? nowgg_status_name(results[i].status) : "-");
    }
    printf("\n  requests the server received: %d\n", requests_received(&sb));
    for (i = 0; i < CALLS; i++) {
        const call_end *r = &results[i];
        CHECK(r->done && r->status == NOWGG_TIMEOUT);
        CHECK(r->done && r->ended_ms >= DEADLINE_MS - EARLY_MS);
        CHECK(r->done && r->ended_ms <= DEADLINE_MS + MARGIN_MS);
    }
    CHECK(all);

    nowgg_client_free(client); /* allowed with calls in flight */
    if (all) {
        call_group_destroy(&run);
    } /* else a callback may still come: leave it what it uses (failed anyway) */
    sandbox_stop(&sb);
    curl_global_cleanup();
    return checks_done("c queued deadline");
}
