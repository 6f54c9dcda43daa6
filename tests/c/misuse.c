/* The C API used wrongly: NULL everywhere, invalid UTF-8, bad options, a consume called
 * again, grant policies that refuse, frees of NULL. Every misuse must give a status (never a crash), leave outputs alone,
 * and say what was wrong without leaking the API key.
 *
 * usage: c_misuse SANDBOX_BIN */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/client.h"
#include "support/sandbox.h"

static const char KEY[] = "misuse-secret-key";
static const char BAD_UTF8[] = "\xff\xfe-nowgg-";

/* The status of a failed call, with its error (read through `slot`, which the call
 * filled) checked, freed and reset. */
static nowgg_status expect_failure(nowgg_status status, nowgg_error **slot, const char *needle) {
    nowgg_error *err = *slot;
    const char *message = nowgg_error_message(err);
    CHECK(status != NOWGG_OK);
    CHECK(err != NULL && nowgg_error_status(err) == status);
    CHECK(message != NULL && strstr(message, needle) != NULL);
    CHECK(message == NULL || strstr(message, KEY) == NULL);
    if (message != NULL && strstr(message, needle) == NULL) fprintf(stderr, "  message: %s\n", message);
    nowgg_error_free(err);
    *slot = NULL;
    return status;
}

static void null_arguments(const nowgg_client *client) {
    nowgg_error *err = NULL;
    nowgg_config *config = NULL;
    const nowgg_client *no_client = NULL;
    nowgg_purchase *purchase = NULL;
    nowgg_consume_outcome outcome = 0;
    int64_t number = 0;
    uint16_t http = 0;

    CHECK(expect_failure(nowgg_config_new(NULL, &config, &err), &err, "api_key is NULL") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(config == NULL);
    CHECK(expect_failure(nowgg_config_new(KEY, NULL, &err), &err, "config_out is NULL") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(expect_failure(nowgg_config_set_base_url(NULL, "http://127.0.0.1:1", &err), &err,
                         "config is NULL") == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_region(NULL, "global", NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_timeout_ms(NULL, 1, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_connect_timeout_ms(NULL, 1, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_max_retries(NULL, 1, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_user_agent(NULL, "x", NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_proxy(NULL, "http://127.0.0.1:1", NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_add_ca_certs_pem(NULL, (const uint8_t *)"x", 1, NULL) ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_max_response_bytes(NULL, 1, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_client_new(NULL, &no_client, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(no_client == NULL);

    CHECK(nowgg_config_new(KEY, &config, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_region(config, NULL, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_base_url(config, NULL, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_user_agent(config, NULL, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_proxy(config, NULL, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_add_ca_certs_pem(config, NULL, 0, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(expect_failure(nowgg_client_new(config, NULL, &err), &err, "client_out is NULL") ==
          NOWGG_INVALID_ARGUMENT);
    nowgg_config_free(config);

    CHECK(expect_failure(nowgg_verify_purchase(NULL, "-nowgg-sample-paid", &purchase, &err), &err,
                         "client is NULL") == NOWGG_INVALID_ARGUMENT);
    CHECK(expect_failure(nowgg_verify_purchase(client, NULL, &purchase, &err), &err,
                         "token is NULL") == NOWGG_INVALID_ARGUMENT);
    CHECK(expect_failure(nowgg_verify_purchase(client, "-nowgg-sample-paid", NULL, &err), &err,
                         "purchase_out is NULL") == NOWGG_INVALID_ARGUMENT);
    CHECK(purchase == NULL);
    CHECK(nowgg_consume_purchase(NULL, "-nowgg-sample-paid", NULL, NULL, NULL, NULL, &outcome, NULL) ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(expect_failure(nowgg_consume_purchase(client, NULL, NULL, NULL, NULL, NULL, &outcome, &err), &err,
                         "token is NULL") == NOWGG_INVALID_ARGUMENT);
    CHECK(expect_failure(nowgg_consume_purchase(client, "-nowgg-sample-paid", NULL, NULL, NULL, NULL,
                                                NULL, &err),
                         &err, "outcome_out is NULL") == NOWGG_INVALID_ARGUMENT);
    CHECK(expect_failure(nowgg_verify_for_grant(client, "-nowgg-sample-paid", NULL, &purchase, &err),
                         &err, "policy is NULL") == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_grant_policy_new(NULL, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_grant_policy_set_package_name(NULL, "com.game", NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_grant_policy_add_product_id(NULL, "gems", NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_grant_policy_allow_test_orders(NULL, true, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_purchase_check(NULL, NULL, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_deadline_ms(NULL, 1, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_max_in_flight(NULL, 1, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(outcome == 0 && purchase == NULL);

    /* Getters of nothing give nothing. */
    CHECK(nowgg_purchase_order_id(NULL) == NULL);
    CHECK(nowgg_purchase_field(NULL, 0) == NULL && nowgg_field_name(NOWGG_FIELD_COUNT) == NULL);
    CHECK(nowgg_purchase_raw_json(NULL) == NULL);
    CHECK(!nowgg_purchase_purchase_state(NULL, &number));
    CHECK(!nowgg_purchase_time_ms(NULL, NULL));
    CHECK(!nowgg_purchase_is_paid(NULL) && !nowgg_purchase_is_consumed(NULL));
    CHECK(!nowgg_purchase_is_test_order(NULL));
    CHECK(nowgg_error_status(NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_error_message(NULL) == NULL);
    CHECK(!nowgg_error_api_code(NULL, &number) && !nowgg_error_http_status(NULL, &http));
    CHECK(!nowgg_error_is_retryable(NULL));
    CHECK(!nowgg_is_nowgg_token(NULL));

    /* Freeing NULL is a no-op. */
    nowgg_config_free(NULL);
    nowgg_client_free(NULL);
    nowgg_purchase_free(NULL);
    nowgg_error_free(NULL);
    nowgg_grant_policy_free(NULL);
}

static void invalid_utf8(const nowgg_client *client) {
    nowgg_error *err = NULL;
    nowgg_config *config = NULL;
    nowgg_purchase *purchase = NULL;
    nowgg_grant_policy *policy = NULL;
    nowgg_consume_outcome outcome = 0;

    CHECK(expect_failure(nowgg_config_new(BAD_UTF8, &config, &err), &err, "not valid UTF-8") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(config == NULL);
    CHECK(expect_failure(nowgg_verify_purchase(client, BAD_UTF8, &purchase, &err), &err,
                         "token is not valid UTF-8") == NOWGG_INVALID_ARGUMENT);
    CHECK(purchase == NULL);
    CHECK(expect_failure(nowgg_consume_purchase(client, "-nowgg-sample-paid", BAD_UTF8, NULL,
                                                NULL, NULL, &outcome, &err),
                         &err, "store is not valid UTF-8") == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_consume_purchase(client, "-nowgg-sample-paid", NULL, BAD_UTF8, NULL, NULL, &outcome, NULL) ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_consume_purchase(client, "-nowgg-sample-paid", NULL, NULL, BAD_UTF8, NULL, &outcome, NULL) ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_consume_purchase(client, "-nowgg-sample-paid", NULL, NULL, NULL, BAD_UTF8, &outcome, NULL) ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(!nowgg_is_nowgg_token(BAD_UTF8));
    CHECK(nowgg_grant_policy_new(&policy, NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_grant_policy_add_product_id(policy, BAD_UTF8, &err), &err,
                         "product_id is not valid UTF-8") == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_grant_policy_set_package_name(policy, NULL, NULL) == NOWGG_INVALID_ARGUMENT);
    nowgg_grant_policy_free(policy);
    CHECK(outcome == 0);
}

static void bad_options(const char *url) {
    static const char NOT_PEM[] = "not a certificate";
    nowgg_error *err = NULL;
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;

    CHECK(nowgg_config_new(KEY, &config, NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_config_set_region(config, "mars", &err), &err, "unknown region") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_region(config, "CHINA", NULL) == NOWGG_OK);

    /* Options are checked when the client is built, with the core's limits (the same in
     * every face); a config can be reused after. */
    CHECK(nowgg_config_set_timeout_ms(config, 0, NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_client_new(config, &client, &err), &err, "timeout") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK(nowgg_config_set_timeout_ms(config, 1000, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_deadline_ms(config, 24ULL * 3600 * 1000 + 1, NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_client_new(config, &client, &err), &err, "deadline") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_deadline_ms(config, 5000, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_in_flight(config, 0, NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_client_new(config, &client, &err), &err, "max_in_flight") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_max_in_flight(config, 65537, NULL) == NOWGG_OK);
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_max_in_flight(config, 8, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_retries(config, 101, NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_client_new(config, &client, &err), &err, "max_retries") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_max_retries(config, 2, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_response_bytes(config, 1ULL << 53, NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_client_new(config, &client, &err), &err, "max_response_bytes") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_max_response_bytes(config, 65536, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_proxy(config, "socks5://127.0.0.1:1080", NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_client_new(config, &client, &err), &err, "SOCKS") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK(nowgg_config_set_base_url(config, "http://example.com", NULL) == NOWGG_OK);
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_config_set_base_url(config, url, NULL) == NOWGG_OK);
    CHECK(nowgg_config_add_ca_certs_pem(config, (const uint8_t *)NOT_PEM, sizeof NOT_PEM - 1,
                                        NULL) == NOWGG_OK);
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_INVALID_ARGUMENT);
    nowgg_config_free(config);

    /* A key with a newline (read from a file) is refused, and not echoed. */
    CHECK(nowgg_config_new("misuse-secret-key\n", &config, NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_client_new(config, &client, &err), &err, "api key") ==
          NOWGG_INVALID_ARGUMENT);
    nowgg_config_free(config);
}

static void consumes(const sandbox *sb, const nowgg_client *client) {
    nowgg_error *err = NULL;
    nowgg_consume_outcome outcome = 0;

    CHECK(nowgg_consume_purchase(client, "-nowgg-sample-paid", NULL, NULL, NULL, NULL, &outcome,
                                 NULL) == NOWGG_OK);
    CHECK(outcome == NOWGG_OUTCOME_CONSUMED);
    /* Consume is "make sure it is consumed": calling again is safe, and says so. */
    CHECK(nowgg_consume_purchase(client, "-nowgg-sample-paid", NULL, NULL, NULL, NULL, &outcome,
                                 &err) == NOWGG_OK);
    CHECK(outcome == NOWGG_OUTCOME_ALREADY_CONSUMED && err == NULL);
    CHECK(strcmp(nowgg_consume_outcome_name(outcome), "already_consumed") == 0);
    CHECK(strcmp(nowgg_consume_outcome_name(NOWGG_OUTCOME_CONSUMED), "consumed") == 0);
    CHECK(nowgg_consume_outcome_name(0) == NULL);
    /* 3800 stands for a purchase that is not paid. */
    outcome = 0;
    CHECK(nowgg_consume_purchase(client, "-nowgg-sample-unpaid", NULL, NULL, NULL, NULL, &outcome,
                                 &err) == NOWGG_ERROR_CONSUMING_PRODUCT);
    CHECK(outcome == 0 && nowgg_error_api_code(err, NULL) && !nowgg_error_is_retryable(err));
    nowgg_error_free(err);
    err = NULL;
    CHECK(expect_failure(nowgg_consume_purchase(client, "xiaomi-sample-1", "steam", NULL, NULL,
                                                NULL, &outcome, &err),
                         &err, "unknown store") == NOWGG_INVALID_ARGUMENT);
    CHECK(expect_failure(nowgg_consume_purchase(client, "-nowgg-sample-paid", "amazon", NULL,
                                                NULL, NULL, &outcome, &err),
                         &err, "on the client") == NOWGG_INVALID_ARGUMENT);
    CHECK(nowgg_consume_purchase(client, "", NULL, NULL, NULL, NULL, &outcome, NULL) ==
          NOWGG_INVALID_ARGUMENT);
    free(sandbox_call(sb, "POST", "/_sandbox/reset", "{}"));
}

/* The grant check, with and without I/O: the policy's refusals, then a pass. */
static void grants(const sandbox *sb, const nowgg_client *client) {
    nowgg_grant_policy *policy = NULL;
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;

    CHECK(nowgg_grant_policy_new(&policy, NULL) == NOWGG_OK);
    CHECK(nowgg_verify_for_grant(client, "-nowgg-sample-unpaid", policy, &purchase, &err) ==
          NOWGG_NOT_PAID);
    CHECK(purchase == NULL && !nowgg_error_is_retryable(err));
    nowgg_error_free(err);
    CHECK(nowgg_grant_policy_set_package_name(policy, "com.example.other", NULL) == NOWGG_OK);
    CHECK(nowgg_verify_purchase(client, "-nowgg-sample-paid", &purchase, NULL) == NOWGG_OK);
    CHECK(nowgg_purchase_check(purchase, policy, NULL) == NOWGG_PACKAGE_MISMATCH);
    CHECK(nowgg_grant_policy_set_package_name(policy, nowgg_purchase_package_name(purchase),
                                              NULL) == NOWGG_OK);
    CHECK(nowgg_grant_policy_add_product_id(policy, "gems_100", NULL) == NOWGG_OK);
    CHECK(nowgg_purchase_check(purchase, policy, NULL) == NOWGG_PRODUCT_MISMATCH);
    CHECK(nowgg_grant_policy_add_product_id(policy, nowgg_purchase_product_id(purchase), NULL) ==
          NOWGG_OK);
    CHECK(nowgg_purchase_check(purchase, policy, NULL) == NOWGG_OK);
    nowgg_purchase_free(purchase);
    purchase = NULL;
    CHECK(nowgg_verify_for_grant(client, "-nowgg-sample-paid", policy, &purchase, NULL) ==
          NOWGG_OK);
    CHECK(nowgg_purchase_is_paid(purchase));
    nowgg_purchase_free(purchase);
    nowgg_grant_policy_free(policy);
    free(sandbox_call(sb, "POST", "/_sandbox/reset", "{}"));
}

static void secrets_and_names(const sandbox *sb) {
    const nowgg_client *wrong = test_client(sb->url, "misuse-secret-key-wrong", NULL);
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;

    CHECK(expect_failure(nowgg_verify_purchase(wrong, "-nowgg-sample-paid", &purchase, &err), &err,
                         "") == NOWGG_INVALID_AUTHORIZATION_KEY);
    CHECK(purchase == NULL);
    nowgg_client_free(wrong);

    CHECK(strcmp(nowgg_status_name(NOWGG_OK), "OK") == 0);
    CHECK(strcmp(nowgg_status_name(NOWGG_INVALID_PURCHASE_TOKEN), "INVALID_PURCHASE_TOKEN") == 0);
    CHECK(strcmp(nowgg_status_name(NOWGG_INTERNAL), "INTERNAL") == 0);
    CHECK(strcmp(nowgg_status_name(NOWGG_TEST_ORDER), "TEST_ORDER") == 0);
    CHECK(nowgg_status_name(7) == NULL);
    CHECK(strcmp(nowgg_version(), NOWGG_PAYMENTS_VERSION) == 0);
    CHECK(nowgg_is_nowgg_token("-nowgg-abc") && !nowgg_is_nowgg_token("GPA.1234"));
}

static void options_reach_the_wire(const sandbox *sb) {
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    char *log;

    CHECK(nowgg_config_new(KEY, &config, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_base_url(config, sb->url, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_user_agent(config, "misuse-test/1.0", NULL) == NOWGG_OK);
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_OK);
    CHECK(nowgg_verify_purchase(client, "-nowgg-sample-paid", &purchase, NULL) == NOWGG_OK);
    log = sandbox_call(sb, "GET", "/_sandbox/requests", NULL);
    CHECK(log != NULL && strstr(log, "misuse-test/1.0") != NULL);
    free(log);
    nowgg_purchase_free(purchase);
    nowgg_client_free(client);

    /* A proxy with a plain-http base URL would carry the key in clear: refused. */
    client = NULL;
    CHECK(nowgg_config_set_proxy(config, "http://127.0.0.1:1", NULL) == NOWGG_OK);
    CHECK(expect_failure(nowgg_client_new(config, &client, &err), &err, "proxy") ==
          NOWGG_INVALID_ARGUMENT);
    CHECK(client == NULL);

    /* Nothing listens on port 1: a proxy there must be used, and fail to connect. */
    CHECK(nowgg_config_set_base_url(config, "https://payments-api.now.gg", NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_retries(config, 0, NULL) == NOWGG_OK);
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_OK);
    purchase = NULL;
    CHECK(nowgg_verify_purchase(client, "-nowgg-sample-paid", &purchase, &err) ==
          NOWGG_CONNECTION);
    CHECK(purchase == NULL && nowgg_error_is_retryable(err));
    nowgg_error_free(err);
    nowgg_client_free(client);
    nowgg_config_free(config);
}

int main(int argc, char **argv) {
    sandbox sb;
    const nowgg_client *client;

    if (sandbox_start_from_args(&sb, argc, argv, KEY) != 0) return 2;
    client = test_client(sb.url, KEY, NULL);

    null_arguments(client);
    invalid_utf8(client);
    bad_options(sb.url);
    consumes(&sb, client);
    grants(&sb, client);
    secrets_and_names(&sb);
    options_reach_the_wire(&sb);

    nowgg_client_free(client);
    sandbox_stop(&sb);
    curl_global_cleanup();
    return checks_done("c misuse");
}
