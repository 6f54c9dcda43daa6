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

static struct run {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    double start_ms;
    int done;
    struct result {
        int done;
        nowgg_status status;
        double ended_ms; /* from just before the first call was made */
    } results[CALLS];
} run;

static void verified(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                     nowgg_error *error) {
    struct result *r = (struct result *)user_data;
    double now = now_ms();
    nowgg_purchase_free(purchase);
    nowgg_error_free(error);
    pthread_mutex_lock(&run.lock);
    r->status = status;
    r->ended_ms = now - run.start_ms;
    r->done = 1;
    run.done++;
    pthread_cond_broadcast(&run.changed);
    pthread_mutex_unlock(&run.lock);
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
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    sandbox sb;
    int i, all, started = 0;
    char *answer;

    if (argc != 2) {
        fprintf(stderr, "usage: %s SANDBOX_BIN\n", argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    if (sandbox_start(&sb, argv[1], KEY) != 0) return 2;
    /* Every verify is read and never answered (until the client closes, or 120 s). */
    answer = sandbox_call(&sb, "POST", "/_sandbox/faults",
                          "{\"match\": \"verify\", \"action\": \"hang\", \"count\": 100}");
    CHECK(answer != NULL);
    free(answer);

    memset(&run, 0, sizeof run);
    pthread_mutex_init(&run.lock, NULL);
    monotonic_cond_init(&run.changed);
    CHECK(nowgg_config_new(KEY, &config, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_base_url(config, sb.url, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_retries(config, 0, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_deadline_ms(config, DEADLINE_MS, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_in_flight(config, MAX_IN_FLIGHT, NULL) == NOWGG_OK);
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_OK);
    nowgg_config_free(config);

    run.start_ms = now_ms();
    for (i = 0; i < CALLS; i++) {
        if (nowgg_verify_purchase_async(client, "-nowgg-sample-paid", verified, &run.results[i],
                                        NULL) == NOWGG_OK) {
            started++;
        }
    }
    CHECK(started == CALLS);
    pthread_mutex_lock(&run.lock);
    all = wait_at_least(&run.changed, &run.lock, &run.done, started, ALL_WAIT_MS);
    pthread_mutex_unlock(&run.lock);

    printf("%d async verifies, deadline %d ms, max_in_flight %d, server never answers:\n",
           CALLS, (int)DEADLINE_MS, (int)MAX_IN_FLIGHT);
    printf("  ended at (ms):");
    for (i = 0; i < CALLS; i++) {
        if (run.results[i].done) {
            printf(" %.0f", run.results[i].ended_ms);
        } else {
            printf(" never");
        }
    }
    printf("\n  statuses:");
    for (i = 0; i < CALLS; i++) {
        printf(" %s", run.results[i].done ? nowgg_status_name(run.results[i].status) : "-");
    }
    printf("\n  requests the server received: %d\n", requests_received(&sb));
    for (i = 0; i < CALLS; i++) {
        const struct result *r = &run.results[i];
        CHECK(r->done && r->status == NOWGG_TIMEOUT);
        CHECK(r->done && r->ended_ms >= DEADLINE_MS - EARLY_MS);
        CHECK(r->done && r->ended_ms <= DEADLINE_MS + MARGIN_MS);
    }
    CHECK(all);

    nowgg_client_free(client); /* allowed with calls in flight */
    if (all) {
        pthread_mutex_destroy(&run.lock);
        pthread_cond_destroy(&run.changed);
    } /* else a callback may still come: leave it what it uses (failed anyway) */
    sandbox_stop(&sb);
    curl_global_cleanup();
    return checks_done("c queued deadline");
}
