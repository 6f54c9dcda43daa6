/* Every error status the C API can give, each triggered for real (against the sandbox,
 * whose faults echo the key and the token back as a careless gateway would): no
 * nowgg_error_message contains the API key or the whole purchase token. NOWGG_INTERNAL
 * is the one status left out: only a bug in the library can produce it.
 *
 * usage: c_secrets SANDBOX_BIN */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/client.h"
#include "support/sandbox.h"

#define SECRET "c-secret-key-0123456789"
#define TOKEN "-nowgg-secret-token-abcdefghijklmnop"
#define ECHO "echo " SECRET " " TOKEN

/* The table of names is scanned this far, so a status added later fails this test until
 * it is covered here. */
#define LAST_STATUS 65535
#define MAX_STATUSES 32

static nowgg_status seen[MAX_STATUSES];
static int n_seen = 0;

/* Checks a failed call: the status wanted, a message without the secrets. The error is
 * read through `slot` (which the call filled), then freed and the slot reset. */
static void record(nowgg_status want, nowgg_status got, nowgg_error **slot) {
    nowgg_error *err = *slot;
    const char *message = nowgg_error_message(err);
    CHECK(got == want);
    if (got != want) fprintf(stderr, "  wanted %s, got %s\n", nowgg_status_name(want), nowgg_status_name(got));
    CHECK(err != NULL && nowgg_error_status(err) == got);
    CHECK(message != NULL && strstr(message, SECRET) == NULL && strstr(message, TOKEN) == NULL);
    if (message != NULL && (strstr(message, SECRET) != NULL || strstr(message, TOKEN) != NULL)) {
        fprintf(stderr, "  a secret leaked: %s\n", message);
    }
    if (got == want && n_seen < MAX_STATUSES) seen[n_seen++] = got;
    nowgg_error_free(err);
    *slot = NULL;
}

static const nowgg_client *client_for(const char *url, const char *key) {
    test_options options = {.timeout_ms = 300, .max_response_bytes = 4096};
    return test_client(url, key, &options);
}

/* Back to a paid, unconsumed purchase under TOKEN, with `fault` (JSON, or NULL) queued. */
static void prepare(const sandbox *sb, const char *fault) {
    free(sandbox_call(sb, "POST", "/_sandbox/reset", "{}"));
    free(sandbox_call(sb, "POST", "/_sandbox/purchases",
                      "{\"token\": \"" TOKEN "\", \"data\": {\"purchaseState\": 1, "
                      "\"consumptionState\": 0, \"packageName\": \"com.game\", "
                      "\"productId\": \"gems\", \"isTestOrder\": true}}"));
    if (fault != NULL) free(sandbox_call(sb, "POST", "/_sandbox/faults", fault));
}

/* One verify of TOKEN against `fault`, which must fail with `want`. */
static void verify_against(const sandbox *sb, const nowgg_client *client, const char *fault,
                           nowgg_status want) {
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    prepare(sb, fault);
    record(want, nowgg_verify_purchase(client, TOKEN, &purchase, &err), &err);
    CHECK(purchase == NULL);
}

static void server_side(const sandbox *sb, const nowgg_client *client) {
    nowgg_error *err = NULL;
    nowgg_consume_outcome outcome;
    const nowgg_client *wrong;

    verify_against(sb, client, "{\"action\": \"hang\"}", NOWGG_TIMEOUT);
    verify_against(sb, client, "{\"action\": \"drop_before\"}", NOWGG_CONNECTION);
    verify_against(sb, client, "{\"action\": \"status\", \"status\": 502, \"body\": \"" ECHO "\"}",
                   NOWGG_HTTP_STATUS);
    verify_against(sb, client, "{\"action\": \"malformed\"}", NOWGG_DECODE);
    verify_against(sb, client, "{\"action\": \"oversized\", \"bytes\": 10000}", NOWGG_DECODE);
    verify_against(sb, client, "{\"action\": \"api_code\", \"code\": 4242, \"msg\": \"" ECHO "\"}",
                   NOWGG_API_ERROR);
    verify_against(sb, client, "{\"action\": \"api_code\", \"code\": 3901, \"msg\": \"" ECHO "\"}",
                   NOWGG_INVALID_PURCHASE_TOKEN);
    verify_against(sb, client, "{\"action\": \"api_code\", \"code\": 5014, \"msg\": \"" ECHO "\"}",
                   NOWGG_MULTISTORE_UNKNOWN_ERROR);
    verify_against(sb, client, "{\"action\": \"api_code\", \"code\": 5015, \"msg\": \"" ECHO "\"}",
                   NOWGG_MULTISTORE_AUTH_ERROR);

    /* The second consume of a purchase is refused by the server itself. */
    free(sandbox_call(sb, "POST", "/_sandbox/reset", "{}"));
    record(NOWGG_ERROR_CONSUMING_PRODUCT,
           nowgg_consume_purchase(client, "-nowgg-sample-unpaid", NULL, NULL, NULL, NULL, &outcome,
                                  &err),
           &err);

    /* A wrong key, refused by the server. */
    wrong = client_for(sb->url, SECRET "-wrong");
    prepare(sb, NULL);
    record(NOWGG_INVALID_AUTHORIZATION_KEY,
           nowgg_consume_purchase(wrong, TOKEN, NULL, NULL, NULL, NULL, &outcome, &err), &err);
    nowgg_client_free(wrong);
}

/* Each refusal of the grant check, on the purchase `prepare` makes (paid, unconsumed,
 * com.game's gems, a test order), then the consumed one. */
static void grant_refusals(const sandbox *sb, const nowgg_client *client) {
    static const struct {
        const char *package_name, *product_id;
        bool allow_test_orders;
        nowgg_status want;
    } POLICIES[] = {
        {"com.other", "gems", true, NOWGG_PACKAGE_MISMATCH},
        {"com.game", "coins", true, NOWGG_PRODUCT_MISMATCH},
        {"com.game", "gems", false, NOWGG_TEST_ORDER},
    };
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    nowgg_consume_outcome outcome;
    size_t i;

    prepare(sb, NULL);
    for (i = 0; i < sizeof POLICIES / sizeof POLICIES[0]; i++) {
        nowgg_grant_policy *policy = NULL;
        CHECK(nowgg_grant_policy_new(&policy, NULL) == NOWGG_OK);
        CHECK(nowgg_grant_policy_set_package_name(policy, POLICIES[i].package_name, NULL) == NOWGG_OK);
        CHECK(nowgg_grant_policy_add_product_id(policy, POLICIES[i].product_id, NULL) == NOWGG_OK);
        CHECK(nowgg_grant_policy_allow_test_orders(policy, POLICIES[i].allow_test_orders, NULL) ==
              NOWGG_OK);
        record(POLICIES[i].want, nowgg_verify_for_grant(client, TOKEN, policy, &purchase, &err), &err);
        CHECK(purchase == NULL);
        if (i + 1 == sizeof POLICIES / sizeof POLICIES[0]) {
            CHECK(nowgg_consume_purchase(client, TOKEN, NULL, NULL, NULL, NULL, &outcome, NULL) ==
                  NOWGG_OK);
            record(NOWGG_ALREADY_CONSUMED,
                   nowgg_verify_for_grant(client, TOKEN, policy, &purchase, &err), &err);
            record(NOWGG_NOT_PAID,
                   nowgg_verify_for_grant(client, "-nowgg-sample-unpaid", policy, &purchase, &err),
                   &err);
        }
        nowgg_grant_policy_free(policy);
    }
}

static void before_any_io(const nowgg_client *client) {
    nowgg_config *config = NULL;
    const nowgg_client *none = NULL;
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    nowgg_consume_outcome outcome;

    record(NOWGG_INVALID_ARGUMENT, nowgg_verify_purchase(client, TOKEN "\n", &purchase, &err), &err);
    record(NOWGG_INVALID_ARGUMENT,
           nowgg_consume_purchase(client, TOKEN, "xiaomi", NULL, NULL, NULL, &outcome, &err), &err);

    CHECK(nowgg_config_new(SECRET "\n", &config, NULL) == NOWGG_OK);
    record(NOWGG_INVALID_ARGUMENT, nowgg_client_new(config, &none, &err), &err);
    nowgg_config_free(config);
    CHECK(none == NULL);
}

/* Every status the table names, apart from OK and INTERNAL, was seen. */
static void every_status_was_triggered(void) {
    uint32_t status;
    int i, found;
    for (status = 1; status <= LAST_STATUS; status++) {
        if (nowgg_status_name(status) == NULL || status == NOWGG_INTERNAL) continue;
        for (found = 0, i = 0; i < n_seen; i++) found |= seen[i] == (nowgg_status)status;
        CHECK(found);
        if (!found) fprintf(stderr, "  %s was never triggered\n", nowgg_status_name(status));
    }
}

int main(int argc, char **argv) {
    sandbox sb;
    const nowgg_client *client;

    if (sandbox_start_from_args(&sb, argc, argv, SECRET) != 0) return 2;
    client = client_for(sb.url, SECRET);

    server_side(&sb, client);
    grant_refusals(&sb, client);
    before_any_io(client);
    every_status_was_triggered();

    nowgg_client_free(client);
    sandbox_stop(&sb);
    curl_global_cleanup();
    return checks_done("c secrets");
}
