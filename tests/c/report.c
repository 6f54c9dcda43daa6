/* Call reports (nowgg_config_set_report_callback): from blocking and _async calls against
 * the in-process sandbox, each getter read inside the callback (the report is borrowed
 * for its duration only), a verify retried after a 503, a consume whose answer was lost
 * and reconciled, a refused grant, NULL and out-of-range arguments. Run under valgrind
 * and ASan like the others.
 *
 * usage: c_report */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "nowgg_payments.h"
#include "support/check.h"

static const char KEY[] = "report-test-key";
static const char PAID[] = "-nowgg-sample-paid";
static const char UNPAID[] = "-nowgg-sample-unpaid";

#define MAX_ATTEMPTS 4

/* What one report said, copied out of the callback. */
typedef struct seen {
    char call[32], outcome[48], token_start[64];
    uint64_t started_ms, duration_us;
    int reconciled;
    size_t attempts, waits;
    char endpoint[MAX_ATTEMPTS][16], url[MAX_ATTEMPTS][256], error[MAX_ATTEMPTS][48];
    uint16_t status[MAX_ATTEMPTS];
    int has_code[MAX_ATTEMPTS];
    int64_t code[MAX_ATTEMPTS];
    int32_t reused[MAX_ATTEMPTS];
    size_t resend[MAX_ATTEMPTS];
    uint64_t offset_us[MAX_ATTEMPTS], attempt_us[MAX_ATTEMPTS];
    size_t wait_after;
    uint64_t wait_us;
    char wait_reason[16];
    pthread_t thread;
} seen;

/* The reports heard so far, shared with the thread waiting for them. */
typedef struct heard {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int count;
    seen last;
    int freed; /* calls of free_heard */
} heard;

static void copy(char *to, size_t size, const char *from) {
    strncpy(to, from != NULL ? from : "(null)", size - 1);
    to[size - 1] = '\0';
}

static void on_report(void *user_data, const nowgg_call_report *report) {
    heard *h = (heard *)user_data;
    seen s;
    size_t i;
    memset(&s, 0, sizeof s);
    copy(s.call, sizeof s.call, nowgg_call_report_call(report));
    copy(s.outcome, sizeof s.outcome, nowgg_call_report_outcome(report));
    copy(s.token_start, sizeof s.token_start, nowgg_call_report_token_start(report));
    s.started_ms = nowgg_call_report_started_unix_ms(report);
    s.duration_us = nowgg_call_report_duration_us(report);
    s.reconciled = nowgg_call_report_reconciled(report);
    s.attempts = nowgg_call_report_attempt_count(report);
    for (i = 0; i < s.attempts && i < MAX_ATTEMPTS; i++) {
        copy(s.endpoint[i], sizeof s.endpoint[i], nowgg_call_report_attempt_endpoint(report, i));
        copy(s.url[i], sizeof s.url[i], nowgg_call_report_attempt_url(report, i));
        copy(s.error[i], sizeof s.error[i], nowgg_call_report_attempt_error(report, i));
        s.status[i] = nowgg_call_report_attempt_http_status(report, i);
        s.has_code[i] = nowgg_call_report_attempt_api_code(report, i, &s.code[i]);
        s.reused[i] = nowgg_call_report_attempt_reused_connection(report, i);
        s.resend[i] = nowgg_call_report_attempt_resend_count(report, i);
        s.offset_us[i] = nowgg_call_report_attempt_offset_us(report, i);
        s.attempt_us[i] = nowgg_call_report_attempt_duration_us(report, i);
    }
    /* Past the end: the getters' empty answers. */
    CHECK(nowgg_call_report_attempt_url(report, s.attempts) == NULL);
    CHECK(nowgg_call_report_attempt_http_status(report, s.attempts) == 0);
    CHECK(!nowgg_call_report_attempt_api_code(report, s.attempts, NULL));
    CHECK(nowgg_call_report_attempt_reused_connection(report, s.attempts) == -1);
    s.waits = nowgg_call_report_wait_count(report);
    CHECK(nowgg_call_report_wait_reason(report, s.waits) == NULL);
    if (s.waits > 0) {
        s.wait_after = nowgg_call_report_wait_after_attempt(report, 0);
        s.wait_us = nowgg_call_report_wait_duration_us(report, 0);
        copy(s.wait_reason, sizeof s.wait_reason, nowgg_call_report_wait_reason(report, 0));
    }
    s.thread = pthread_self();
    pthread_mutex_lock(&h->lock);
    h->last = s;
    h->count++;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
}

/* The callback's free_user_data: counts, so that the test sees when it runs. */
static void free_heard(void *user_data) {
    heard *h = (heard *)user_data;
    pthread_mutex_lock(&h->lock);
    h->freed++;
    pthread_mutex_unlock(&h->lock);
}

static int freed(heard *h) {
    int n;
    pthread_mutex_lock(&h->lock);
    n = h->freed;
    pthread_mutex_unlock(&h->lock);
    return n;
}

/* Waits until `count` reports have been heard; returns the last. */
static seen wait_for(heard *h, int count) {
    seen s;
    pthread_mutex_lock(&h->lock);
    while (h->count < count) pthread_cond_wait(&h->changed, &h->lock);
    s = h->last;
    pthread_mutex_unlock(&h->lock);
    return s;
}

static const nowgg_client *client_of(const nowgg_sandbox *sb, heard *h) {
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    nowgg_error *err = NULL;
    CHECK(nowgg_config_new(KEY, &config, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_base_url(config, nowgg_sandbox_url(sb), NULL) == NOWGG_OK);
    /* NULL callback and NULL config: refused, nothing set, user_data freed at once. */
    CHECK(nowgg_config_set_report_callback(config, NULL, h, free_heard, &err) == NOWGG_INVALID_ARGUMENT);
    CHECK(err != NULL && strstr(nowgg_error_message(err), "callback") != NULL);
    nowgg_error_free(err);
    CHECK(freed(h) == 1);
    CHECK(nowgg_config_set_report_callback(NULL, on_report, h, free_heard, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(freed(h) == 2);
    /* Replaced: the first one's user_data is freed then. */
    CHECK(nowgg_config_set_report_callback(config, on_report, h, free_heard, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_report_callback(config, on_report, h, free_heard, NULL) == NOWGG_OK);
    CHECK(freed(h) == 3);
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_OK);
    nowgg_config_free(config);
    /* The client still holds it. */
    CHECK(freed(h) == 3);
    return client;
}

/* The report names the token by its start only. */
static void check_token_start(const seen *s, const char *token) {
    size_t n = strlen(s->token_start);
    CHECK(n > 3 && strstr(s->token_start, token) == NULL);
    /* "-nowgg-sa…": the bytes before the ellipsis are the token's. */
    CHECK(strncmp(s->token_start, token, 6) == 0);
}

static void verify_retried_after_a_503(const nowgg_sandbox *sb, const nowgg_client *client, heard *h) {
    nowgg_purchase *purchase = NULL;
    seen s;
    CHECK(nowgg_sandbox_add_fault(sb, "{\"action\": \"status\", \"status\": 503, \"match\": \"verify\"}", NULL) ==
          NOWGG_OK);
    CHECK(nowgg_verify_purchase(client, PAID, &purchase, NULL) == NOWGG_OK);
    nowgg_purchase_free(purchase);
    s = wait_for(h, 1);
    CHECK(pthread_equal(s.thread, pthread_self()));
    CHECK(strcmp(s.call, "verify_purchase") == 0);
    CHECK(strcmp(s.outcome, "ok") == 0);
    CHECK(s.started_ms > 1600000000000ull);
    CHECK(!s.reconciled);
    CHECK(s.attempts == 2);
    CHECK(strcmp(s.endpoint[0], "verify") == 0 && strcmp(s.endpoint[1], "verify") == 0);
    CHECK(strstr(s.url[0], "/verifyPurchase") != NULL && strstr(s.url[0], KEY) == NULL);
    CHECK(s.status[0] == 503 && strcmp(s.error[0], "HTTP_STATUS") == 0 && !s.has_code[0]);
    CHECK(s.status[1] == 200 && strcmp(s.error[1], "(null)") == 0);
    CHECK(s.has_code[1] && s.code[1] == 0);
    /* A new client's first connection is new; after a 503 the pool may keep it. */
    CHECK(s.reused[0] == 0 && (s.reused[1] == 0 || s.reused[1] == 1));
    CHECK(s.resend[0] == 0 && s.resend[1] == 1);
    CHECK(s.offset_us[1] >= s.offset_us[0] + s.attempt_us[0]);
    CHECK(s.duration_us >= s.offset_us[1] + s.attempt_us[1]);
    CHECK(s.waits == 1 && s.wait_after == 0 && s.wait_us > 0);
    CHECK(strcmp(s.wait_reason, "backoff") == 0);
    check_token_start(&s, PAID);
}

static void consume_reconciled(const nowgg_sandbox *sb, const nowgg_client *client, heard *h) {
    nowgg_consume_outcome outcome;
    seen s;
    CHECK(nowgg_sandbox_add_fault(sb, "{\"action\": \"drop_after\", \"match\": \"consume\"}", NULL) == NOWGG_OK);
    CHECK(nowgg_consume_purchase(client, PAID, NULL, NULL, NULL, NULL, &outcome, NULL) == NOWGG_OK);
    CHECK(outcome == NOWGG_OUTCOME_ALREADY_CONSUMED);
    s = wait_for(h, 2);
    CHECK(strcmp(s.call, "consume_purchase") == 0);
    CHECK(strcmp(s.outcome, "already_consumed") == 0);
    CHECK(s.reconciled);
    CHECK(s.attempts == 2);
    CHECK(strcmp(s.endpoint[0], "consume") == 0 && strcmp(s.endpoint[1], "verify") == 0);
    CHECK(s.status[0] == 0 && strcmp(s.error[0], "(null)") != 0);
    CHECK(s.status[1] == 200 && s.resend[1] == 0);
    check_token_start(&s, PAID);
}

static void refused_grant(const nowgg_client *client, heard *h) {
    nowgg_grant_policy *policy = NULL;
    nowgg_purchase *purchase = NULL;
    seen s;
    CHECK(nowgg_grant_policy_new(&policy, NULL) == NOWGG_OK);
    CHECK(nowgg_verify_for_grant(client, UNPAID, policy, &purchase, NULL) == NOWGG_NOT_PAID);
    nowgg_grant_policy_free(policy);
    s = wait_for(h, 3);
    CHECK(strcmp(s.call, "verify_for_grant") == 0);
    CHECK(strcmp(s.outcome, "NOT_PAID") == 0);
    CHECK(s.attempts == 1 && s.status[0] == 200);
    check_token_start(&s, UNPAID);
}

/* The _async call's completion, which the report must precede. */
typedef struct completion {
    heard *h;
    int reports_before;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int done;
} completion;

static void verify_done(void *user_data, nowgg_status status, nowgg_purchase *purchase, nowgg_error *error) {
    completion *c = (completion *)user_data;
    CHECK(status == NOWGG_OK);
    nowgg_purchase_free(purchase);
    nowgg_error_free(error);
    pthread_mutex_lock(&c->h->lock);
    c->reports_before = c->h->count;
    pthread_mutex_unlock(&c->h->lock);
    pthread_mutex_lock(&c->lock);
    c->done = 1;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

static void async_verify(const nowgg_client *client, heard *h) {
    completion c;
    seen s;
    memset(&c, 0, sizeof c);
    c.h = h;
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.changed, NULL);
    CHECK(nowgg_verify_purchase_async(client, PAID, verify_done, &c, NULL) == NOWGG_OK);
    pthread_mutex_lock(&c.lock);
    while (!c.done) pthread_cond_wait(&c.changed, &c.lock);
    pthread_mutex_unlock(&c.lock);
    CHECK(c.reports_before == 4);
    s = wait_for(h, 4);
    CHECK(!pthread_equal(s.thread, pthread_self()));
    CHECK(strcmp(s.call, "verify_purchase") == 0 && strcmp(s.outcome, "ok") == 0);
    CHECK(s.attempts == 1 && s.status[0] == 200);
    pthread_mutex_destroy(&c.lock);
    pthread_cond_destroy(&c.changed);
}

static void null_report(void) {
    int64_t code = 7;
    CHECK(nowgg_call_report_call(NULL) == NULL);
    CHECK(nowgg_call_report_token_start(NULL) == NULL);
    CHECK(nowgg_call_report_outcome(NULL) == NULL);
    CHECK(nowgg_call_report_started_unix_ms(NULL) == 0);
    CHECK(nowgg_call_report_duration_us(NULL) == 0);
    CHECK(!nowgg_call_report_reconciled(NULL));
    CHECK(nowgg_call_report_attempt_count(NULL) == 0);
    CHECK(nowgg_call_report_attempt_endpoint(NULL, 0) == NULL);
    CHECK(nowgg_call_report_attempt_error(NULL, 0) == NULL);
    CHECK(!nowgg_call_report_attempt_api_code(NULL, 0, &code) && code == 7);
    CHECK(nowgg_call_report_attempt_reused_connection(NULL, 0) == -1);
    CHECK(nowgg_call_report_attempt_resend_count(NULL, 0) == 0);
    CHECK(nowgg_call_report_wait_count(NULL) == 0);
    CHECK(nowgg_call_report_wait_after_attempt(NULL, 0) == 0);
    CHECK(nowgg_call_report_wait_duration_us(NULL, 0) == 0);
    CHECK(nowgg_call_report_wait_reason(NULL, 0) == NULL);
}

int main(void) {
    nowgg_sandbox *sb = NULL;
    const nowgg_client *client;
    heard h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.changed, NULL);
    CHECK(nowgg_sandbox_start(KEY, &sb, NULL) == NOWGG_OK);
    client = client_of(sb, &h);

    verify_retried_after_a_503(sb, client, &h);
    consume_reconciled(sb, client, &h);
    refused_grant(client, &h);
    async_verify(client, &h);
    null_report();

    nowgg_client_free(client);
    /* The last holder is gone (the _async call's ended before its callback ran). */
    CHECK(freed(&h) == 4);
    nowgg_sandbox_free(sb);
    pthread_mutex_destroy(&h.lock);
    pthread_cond_destroy(&h.changed);
    return checks_done("c_report");
}
