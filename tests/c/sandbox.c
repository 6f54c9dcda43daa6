/* The in-process sandbox (nowgg_sandbox_*) as a game team's C tests use it: start, add a
 * purchase by its named fields, verify and consume it through a real client over HTTP,
 * queue a 503 and see NOWGG_HTTP_STATUS, read the request log, reset, free (which frees
 * the port), and every argument misused.
 *
 * usage: c_sandbox */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nowgg_payments.h"
#include "support/check.h"

static const char KEY[] = "sandbox-test-key";
static const char BAD_UTF8[] = "\xff\xfe-nowgg-";

/* A client of the sandbox, as a newcomer's test builds one: its URL and key, no retries
 * (so that one queued fault is one failure). */
static const nowgg_client *client_of(const nowgg_sandbox *sb) {
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    CHECK(nowgg_config_new(nowgg_sandbox_api_key(sb), &config, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_base_url(config, nowgg_sandbox_url(sb), NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_retries(config, 0, NULL) == NOWGG_OK);
    CHECK(nowgg_client_new(config, &client, NULL) == NOWGG_OK);
    nowgg_config_free(config);
    return client;
}

/* Checks a failed call gave `want` and an error whose message holds `needle`; frees the
 * error and resets the slot. */
static void expect_error(nowgg_status got, nowgg_status want, nowgg_error **slot, const char *needle) {
    const char *message = nowgg_error_message(*slot);
    CHECK(got == want);
    CHECK(*slot != NULL && nowgg_error_status(*slot) == want);
    CHECK(message != NULL && strstr(message, needle) != NULL);
    if (message != NULL && strstr(message, needle) == NULL) fprintf(stderr, "  message: %s\n", message);
    nowgg_error_free(*slot);
    *slot = NULL;
}

/* The port of "http://127.0.0.1:PORT". */
static int port_of(const char *url) {
    const char *colon = strrchr(url, ':');
    return colon != NULL ? atoi(colon + 1) : -1;
}

/* Whether something accepts TCP connections on 127.0.0.1:port. */
static int accepts(int port) {
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    if (!ok) CHECK(errno == ECONNREFUSED);
    close(fd);
    return ok;
}

/* Whether a listener can be bound to 127.0.0.1:port (SO_REUSEADDR, as servers do, so
 * that connections in TIME_WAIT do not count: only a listener does). */
static int bindable(int port) {
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, ok;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ok = bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(fd, 1) == 0;
    close(fd);
    return ok;
}

static void urls_and_key(const nowgg_sandbox *sb) {
    const char *url = nowgg_sandbox_url(sb), *console = nowgg_sandbox_console_url(sb);
    CHECK(url != NULL && strncmp(url, "http://127.0.0.1:", 17) == 0);
    CHECK(port_of(url) > 0);
    CHECK(console != NULL && strncmp(console, url, strlen(url)) == 0);
    CHECK(console != NULL && strcmp(console + strlen(url), "/_sandbox/") == 0);
    CHECK(strcmp(nowgg_sandbox_api_key(sb), KEY) == 0);
    CHECK(nowgg_sandbox_url(NULL) == NULL);
    CHECK(nowgg_sandbox_console_url(NULL) == NULL);
    CHECK(nowgg_sandbox_api_key(NULL) == NULL);
}

/* A purchase added by its fields is paid, verifies, and consumes once. */
static void purchase_lifecycle(const nowgg_sandbox *sb, const nowgg_client *client) {
    nowgg_sandbox_purchase_spec spec = {0};
    nowgg_purchase *purchase = NULL;
    nowgg_consume_outcome outcome = NOWGG_OUTCOME_ALREADY_CONSUMED;
    nowgg_error *err = NULL;
    char *token = NULL, *json = NULL;

    spec.product_id = "gems_500";
    spec.order_id = "ORDER-1";
    CHECK(nowgg_sandbox_add_purchase(sb, &spec, &token, &err) == NOWGG_OK);
    CHECK(err == NULL);
    CHECK(token != NULL && strncmp(token, "-nowgg-", 7) == 0);
    CHECK(nowgg_verify_purchase(client, token, &purchase, &err) == NOWGG_OK);
    CHECK(nowgg_purchase_is_paid(purchase));
    CHECK(!nowgg_purchase_is_consumed(purchase));
    CHECK(strcmp(nowgg_purchase_product_id(purchase), "gems_500") == 0);
    CHECK(strcmp(nowgg_purchase_order_id(purchase), "ORDER-1") == 0);
    nowgg_purchase_free(purchase);

    CHECK(nowgg_consume_purchase(client, token, NULL, NULL, NULL, NULL, &outcome, &err) == NOWGG_OK);
    CHECK(outcome == NOWGG_OUTCOME_CONSUMED);
    CHECK(nowgg_sandbox_purchase(sb, token, &json, &err) == NOWGG_OK);
    CHECK(json != NULL && strstr(json, "\"consumptionState\":1") != NULL);
    nowgg_sandbox_string_free(json);
    nowgg_sandbox_string_free(token);

    /* Unpaid, with a token of ours and a raw field overriding the defaults. */
    memset(&spec, 0, sizeof spec);
    spec.unpaid = 1;
    spec.token = "-nowgg-unpaid-one";
    spec.data_json = "{\"orderAmount\": \"4.99\"}";
    CHECK(nowgg_sandbox_add_purchase(sb, &spec, &token, &err) == NOWGG_OK);
    CHECK(token != NULL && strcmp(token, "-nowgg-unpaid-one") == 0);
    CHECK(nowgg_verify_purchase(client, token, &purchase, &err) == NOWGG_OK);
    CHECK(!nowgg_purchase_is_paid(purchase));
    CHECK(strcmp(nowgg_purchase_order_amount(purchase), "4.99") == 0);
    nowgg_purchase_free(purchase);
    nowgg_sandbox_string_free(token);

    /* NULL spec: every default. */
    CHECK(nowgg_sandbox_add_purchase(sb, NULL, &token, &err) == NOWGG_OK);
    CHECK(nowgg_verify_purchase(client, token, &purchase, &err) == NOWGG_OK);
    CHECK(strcmp(nowgg_purchase_product_id(purchase), "gems_100") == 0);
    nowgg_purchase_free(purchase);

    CHECK(nowgg_sandbox_purchase(sb, "-nowgg-never-added", &json, &err) == NOWGG_OK);
    CHECK(json == NULL);
    nowgg_sandbox_string_free(token);
}

/* A queued 503 fails the next call with NOWGG_HTTP_STATUS, then the sandbox serves again. */
static void fault_then_recovery(const nowgg_sandbox *sb, const nowgg_client *client) {
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    uint16_t http = 0;
    char *token = NULL;

    CHECK(nowgg_sandbox_add_purchase(sb, NULL, &token, &err) == NOWGG_OK);
    CHECK(nowgg_sandbox_add_fault(sb, "{\"action\": \"status\", \"status\": 503, \"match\": \"verify\"}", &err) ==
          NOWGG_OK);
    CHECK(nowgg_verify_purchase(client, token, &purchase, &err) == NOWGG_HTTP_STATUS);
    CHECK(purchase == NULL);
    CHECK(nowgg_error_http_status(err, &http) && http == 503);
    CHECK(nowgg_error_is_retryable(err));
    nowgg_error_free(err);
    err = NULL;
    CHECK(nowgg_verify_purchase(client, token, &purchase, &err) == NOWGG_OK);
    nowgg_purchase_free(purchase);
    nowgg_sandbox_string_free(token);

    /* An array of faults, as the control API takes it. */
    CHECK(nowgg_sandbox_add_fault(sb, "[{\"action\": \"api_code\", \"code\": 3901}, {\"action\": \"none\"}]", &err) ==
          NOWGG_OK);
    CHECK(nowgg_verify_purchase(client, "-nowgg-anything", &purchase, &err) == NOWGG_INVALID_PURCHASE_TOKEN);
    nowgg_error_free(err);
}

/* The log shows the calls (never the key), and reset empties it and forgets purchases. */
static void requests_and_reset(const nowgg_sandbox *sb, const nowgg_client *client) {
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    char *token = NULL, *json = NULL;

    CHECK(nowgg_sandbox_requests(sb, &json, &err) == NOWGG_OK);
    CHECK(json != NULL && json[0] == '[' && strstr(json, "\"call\":\"consume\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"status\":503") != NULL);
    CHECK(json != NULL && strstr(json, KEY) == NULL);
    nowgg_sandbox_string_free(json);

    CHECK(nowgg_sandbox_add_purchase(sb, NULL, &token, &err) == NOWGG_OK);
    CHECK(nowgg_sandbox_add_fault(sb, "{\"action\": \"status\", \"status\": 503}", &err) == NOWGG_OK);
    CHECK(nowgg_sandbox_reset(sb, &err) == NOWGG_OK);
    CHECK(nowgg_sandbox_requests(sb, &json, &err) == NOWGG_OK);
    CHECK(json != NULL && strcmp(json, "[]") == 0);
    nowgg_sandbox_string_free(json);
    CHECK(nowgg_sandbox_purchase(sb, token, &json, &err) == NOWGG_OK);
    CHECK(json == NULL);
    /* The fault went too: the next call is answered, with 3901 for the forgotten token. */
    CHECK(nowgg_verify_purchase(client, token, &purchase, &err) == NOWGG_INVALID_PURCHASE_TOKEN);
    nowgg_error_free(err);
    nowgg_sandbox_string_free(token);
}

static void misuse(const nowgg_sandbox *sb) {
    nowgg_sandbox *none = NULL;
    nowgg_sandbox_purchase_spec spec = {0};
    nowgg_error *err = NULL;
    char *out = NULL;

    expect_error(nowgg_sandbox_start(NULL, &none, &err), NOWGG_INVALID_ARGUMENT, &err, "api_key is NULL");
    expect_error(nowgg_sandbox_start(BAD_UTF8, &none, &err), NOWGG_INVALID_ARGUMENT, &err,
                 "api_key is not valid UTF-8");
    expect_error(nowgg_sandbox_start("", &none, &err), NOWGG_INVALID_ARGUMENT, &err, "api_key is empty");
    expect_error(nowgg_sandbox_start(KEY, NULL, &err), NOWGG_INVALID_ARGUMENT, &err, "sandbox_out is NULL");
    CHECK(none == NULL);
    CHECK(nowgg_sandbox_start(NULL, &none, NULL) == NOWGG_INVALID_ARGUMENT); /* err_out may be NULL */

    expect_error(nowgg_sandbox_add_purchase(NULL, NULL, &out, &err), NOWGG_INVALID_ARGUMENT, &err, "sandbox is NULL");
    expect_error(nowgg_sandbox_add_purchase(sb, NULL, NULL, &err), NOWGG_INVALID_ARGUMENT, &err, "token_out is NULL");
    spec.product_id = BAD_UTF8;
    expect_error(nowgg_sandbox_add_purchase(sb, &spec, &out, &err), NOWGG_INVALID_ARGUMENT, &err,
                 "spec.product_id is not valid UTF-8");
    memset(&spec, 0, sizeof spec);
    spec.store = "steam";
    expect_error(nowgg_sandbox_add_purchase(sb, &spec, &out, &err), NOWGG_INVALID_ARGUMENT, &err,
                 "spec.store is not a store");
    memset(&spec, 0, sizeof spec);
    spec.data_json = "[1, 2]";
    expect_error(nowgg_sandbox_add_purchase(sb, &spec, &out, &err), NOWGG_INVALID_ARGUMENT, &err,
                 "spec.data_json is not a JSON object");
    memset(&spec, 0, sizeof spec);
    spec.token = "";
    expect_error(nowgg_sandbox_add_purchase(sb, &spec, &out, &err), NOWGG_INVALID_ARGUMENT, &err, "token is empty");
    CHECK(out == NULL);

    expect_error(nowgg_sandbox_add_fault(NULL, "{}", &err), NOWGG_INVALID_ARGUMENT, &err, "sandbox is NULL");
    expect_error(nowgg_sandbox_add_fault(sb, NULL, &err), NOWGG_INVALID_ARGUMENT, &err, "fault_json is NULL");
    expect_error(nowgg_sandbox_add_fault(sb, BAD_UTF8, &err), NOWGG_INVALID_ARGUMENT, &err, "not valid UTF-8");
    expect_error(nowgg_sandbox_add_fault(sb, "{\"action\": \"explode\"}", &err), NOWGG_INVALID_ARGUMENT, &err,
                 "not a valid fault");
    expect_error(nowgg_sandbox_add_fault(sb, "{\"action\": \"status\"", &err), NOWGG_INVALID_ARGUMENT, &err,
                 "not a valid fault");

    expect_error(nowgg_sandbox_purchase(NULL, "t", &out, &err), NOWGG_INVALID_ARGUMENT, &err, "sandbox is NULL");
    expect_error(nowgg_sandbox_purchase(sb, NULL, &out, &err), NOWGG_INVALID_ARGUMENT, &err, "token is NULL");
    expect_error(nowgg_sandbox_purchase(sb, BAD_UTF8, &out, &err), NOWGG_INVALID_ARGUMENT, &err,
                 "token is not valid UTF-8");
    expect_error(nowgg_sandbox_purchase(sb, "t", NULL, &err), NOWGG_INVALID_ARGUMENT, &err, "json_out is NULL");
    expect_error(nowgg_sandbox_requests(NULL, &out, &err), NOWGG_INVALID_ARGUMENT, &err, "sandbox is NULL");
    expect_error(nowgg_sandbox_requests(sb, NULL, &err), NOWGG_INVALID_ARGUMENT, &err, "json_out is NULL");
    expect_error(nowgg_sandbox_reset(NULL, &err), NOWGG_INVALID_ARGUMENT, &err, "sandbox is NULL");
    CHECK(out == NULL);

    nowgg_sandbox_free(NULL);
    nowgg_sandbox_string_free(NULL);
}

int main(void) {
    nowgg_sandbox *sb = NULL, *again = NULL;
    const nowgg_client *client = NULL;
    nowgg_error *err = NULL;
    int port;

    CHECK(nowgg_sandbox_start(KEY, &sb, &err) == NOWGG_OK);
    CHECK(sb != NULL && err == NULL);
    if (sb == NULL) return checks_done("c_sandbox");
    urls_and_key(sb);
    client = client_of(sb);
    purchase_lifecycle(sb, client);
    fault_then_recovery(sb, client);
    requests_and_reset(sb, client);
    misuse(sb);
    nowgg_client_free(client);

    /* Freeing it closes the listener before it returns: the port is free at once. */
    port = port_of(nowgg_sandbox_url(sb));
    CHECK(accepts(port));
    CHECK(!bindable(port));
    nowgg_sandbox_free(sb);
    CHECK(!accepts(port));
    CHECK(bindable(port));

    /* And another starts (on a port of its own) and serves. */
    CHECK(nowgg_sandbox_start(KEY, &again, &err) == NOWGG_OK);
    if (again != NULL) {
        nowgg_purchase *purchase = NULL;
        client = client_of(again);
        CHECK(nowgg_verify_purchase(client, "-nowgg-absent", &purchase, &err) == NOWGG_INVALID_PURCHASE_TOKEN);
        nowgg_error_free(err);
        nowgg_client_free(client);
    }
    nowgg_sandbox_free(again);
    return checks_done("c_sandbox");
}
