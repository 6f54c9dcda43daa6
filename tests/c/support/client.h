/* Clients, calls and faults as the C tests make them: one place that turns a test's
 * options into a client, so that each test names only what it sets. Include
 * support/check.h first. */
#ifndef NOWGG_TEST_CLIENT_H
#define NOWGG_TEST_CLIENT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nowgg_payments.h"
#include "support/sandbox.h"

/* The options a test sets beyond the base URL; a field left 0 (or NULL) keeps the
 * library's default. Every test client makes a single attempt (max_retries 0), so that
 * a broken case fails quickly and no retry hides a failure. */
typedef struct test_options {
    uint64_t timeout_ms;
    uint64_t deadline_ms;
    uint32_t max_in_flight;
    uint64_t max_response_bytes;
    const char *ca_pem; /* a PEM bundle to trust besides the system's */
} test_options;

/* A client of `url` with `key` and `options` (NULL: all defaults), each step CHECKed.
 * NULL when the library refused it. */
static inline const nowgg_client *test_client(const char *url, const char *key,
                                              const test_options *options) {
    static const test_options defaults = {0, 0, 0, 0, NULL};
    const test_options *o = options != NULL ? options : &defaults;
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    CHECK(nowgg_config_new(key, &config, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_base_url(config, url, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_retries(config, 0, NULL) == NOWGG_OK);
    if (o->timeout_ms > 0) {
        CHECK(nowgg_config_set_timeout_ms(config, o->timeout_ms, NULL) == NOWGG_OK);
    }
    if (o->deadline_ms > 0) {
        CHECK(nowgg_config_set_deadline_ms(config, o->deadline_ms, NULL) == NOWGG_OK);
    }
    if (o->max_in_flight > 0) {
        CHECK(nowgg_config_set_max_in_flight(config, o->max_in_flight, NULL) == NOWGG_OK);
    }
    if (o->max_response_bytes > 0) {
        CHECK(nowgg_config_set_max_response_bytes(config, o->max_response_bytes, NULL) ==
              NOWGG_OK);
    }
    if (o->ca_pem != NULL) {
        CHECK(nowgg_config_add_ca_certs_pem(config, (const uint8_t *)o->ca_pem,
                                            strlen(o->ca_pem), NULL) == NOWGG_OK);
    }
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_OK);
    nowgg_config_free(config);
    return client;
}

/* A blocking verify of `token`: whether it answered a paid purchase, of order `order_id`
 * unless that is NULL. A failed call is printed with its message. */
static inline int verifies_paid(const nowgg_client *client, const char *token,
                                const char *order_id) {
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    nowgg_status status = nowgg_verify_purchase(client, token, &purchase, &err);
    const char *order = nowgg_purchase_order_id(purchase);
    int paid = status == NOWGG_OK && nowgg_purchase_is_paid(purchase) &&
               (order_id == NULL || (order != NULL && strcmp(order, order_id) == 0));
    if (status != NOWGG_OK) {
        fprintf(stderr, "verify failed: %s: %s\n", nowgg_status_name(status),
                nowgg_error_message(err));
    }
    nowgg_purchase_free(purchase);
    nowgg_error_free(err);
    return paid;
}

/* Queues `fault` (JSON, as POST /_sandbox/faults takes it) at the sandbox, CHECKing that
 * the sandbox took it. */
static inline void test_fault(const sandbox *sb, const char *fault) {
    char *answer = sandbox_call(sb, "POST", "/_sandbox/faults", fault);
    CHECK(answer != NULL);
    free(answer);
}

#endif
