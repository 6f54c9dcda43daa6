/* HTTPS against the sandbox's --tls mode, whose certificate a throwaway CA signed: a
 * client that does not trust that CA is refused (CONNECTION, not retryable: the
 * certificate rejected, nothing sent),
 * one given it with nowgg_config_add_ca_certs_pem verifies; and plain http:// to a host
 * that is not loopback is refused as INVALID_ARGUMENT when the client is built, before
 * any I/O.
 *
 * usage: c_tls SANDBOX_BIN */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/sandbox.h"

static const char KEY[] = "tls-test-key";

/* A client of `url` trusting `ca_pem` besides the system's roots (none when NULL); NULL
 * when it cannot be built, with the status in *status. */
static const nowgg_client *client_for(const char *url, const char *ca_pem, nowgg_status *status) {
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    CHECK(nowgg_config_new(KEY, &config, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_base_url(config, url, NULL) == NOWGG_OK);
    CHECK(nowgg_config_set_max_retries(config, 0, NULL) == NOWGG_OK);
    if (ca_pem != NULL) {
        CHECK(nowgg_config_add_ca_certs_pem(config, (const uint8_t *)ca_pem, strlen(ca_pem),
                                            NULL) == NOWGG_OK);
    }
    *status = nowgg_client_new(config, &client, NULL);
    nowgg_config_free(config);
    return client;
}

static void the_ca_decides(const char *url, const char *ca_pem) {
    nowgg_status status;
    nowgg_purchase *purchase = NULL;
    nowgg_error *err = NULL;
    const nowgg_client *client = client_for(url, NULL, &status);
    const char *message;

    CHECK(status == NOWGG_OK);
    CHECK(nowgg_verify_purchase(client, "-nowgg-sample-paid", &purchase, &err) ==
          NOWGG_CONNECTION);
    message = nowgg_error_message(err);
    CHECK(purchase == NULL && message != NULL && strstr(message, "certificate") != NULL);
    CHECK(nowgg_error_status(err) == NOWGG_CONNECTION && !nowgg_error_is_retryable(err));
    if (message != NULL) printf("without the CA: %s\n", message);
    nowgg_error_free(err);
    nowgg_client_free(client);

    client = client_for(url, ca_pem, &status);
    CHECK(status == NOWGG_OK);
    CHECK(nowgg_verify_purchase(client, "-nowgg-sample-paid", &purchase, NULL) == NOWGG_OK);
    CHECK(nowgg_purchase_is_paid(purchase));
    nowgg_purchase_free(purchase);
    nowgg_client_free(client);
}

static void plain_http_needs_loopback(void) {
    nowgg_status status;
    const nowgg_client *client = client_for("http://payments-api.now.gg", NULL, &status);
    CHECK(status == NOWGG_INVALID_ARGUMENT && client == NULL);
    client = client_for("http://127.0.0.1:1", NULL, &status);
    CHECK(status == NOWGG_OK && client != NULL);
    nowgg_client_free(client);
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/nowgg-tls-XXXXXX";
    char ca_path[sizeof dir + 16];
    const char *tls_args[] = {"--tls", "--ca-out", ca_path, NULL};
    sandbox sb;
    char *ca_pem;

    if (argc != 2) {
        fprintf(stderr, "usage: %s SANDBOX_BIN\n", argv[0]);
        return 2;
    }
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);
    if (sandbox_start_with(&sb, argv[1], KEY, tls_args) != 0) return 2;
    ca_pem = read_file(ca_path);
    CHECK(strncmp(sb.url, "https://", 8) == 0);
    CHECK(ca_pem != NULL && strstr(ca_pem, "BEGIN CERTIFICATE") != NULL);

    if (ca_pem != NULL) the_ca_decides(sb.url, ca_pem);
    plain_http_needs_loopback();

    free(ca_pem);
    sandbox_stop(&sb);
    remove(ca_path);
    rmdir(dir);
    return checks_done("c tls");
}
