/* Calls per second of a sequential verify through the C face, next to a plain libcurl
 * loop that reuses one handle (one keep-alive connection) to POST the same form to the
 * same sandbox. The libcurl loop only checks the HTTP status: it does not parse the
 * answer nor build a purchase, so it is the floor of what any C client pays for HTTP.
 * A benchmark, not a test: run it with bench/c/run.sh.
 *
 * usage: bench SANDBOX_BIN [CALLS_PER_ROUND] */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nowgg_payments.h"
#include "support/sandbox.h"

#define ROUNDS 3

static const char KEY[] = "bench-key";
static const char TOKEN[] = "-nowgg-sample-paid";

/* The C face: verify and free the purchase, N times. Returns calls/s, or -1. */
static double c_face(const nowgg_client *client, long calls) {
    double started = now_ms();
    long i;
    for (i = 0; i < calls; i++) {
        nowgg_purchase *purchase = NULL;
        if (nowgg_verify_purchase(client, TOKEN, &purchase, NULL) != NOWGG_OK) return -1;
        nowgg_purchase_free(purchase);
    }
    return (double)calls * 1000.0 / (now_ms() - started);
}

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data;
    (void)user;
    return size * count;
}

/* One libcurl handle POSTing the verify form N times. Returns calls/s, or -1. */
static double libcurl_loop(CURL *curl, long calls) {
    double started = now_ms();
    long i, status = 0;
    for (i = 0; i < calls; i++) {
        if (curl_easy_perform(curl) != CURLE_OK) return -1;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) return -1;
    }
    return (double)calls * 1000.0 / (now_ms() - started);
}

int main(int argc, char **argv) {
    sandbox sb;
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    struct curl_slist *headers = NULL;
    char url[256], auth[128];
    long calls = argc > 2 ? atol(argv[2]) : 5000;
    double best_face = 0, best_curl = 0;
    CURL *curl;
    int round;

    if (argc < 2 || calls <= 0) {
        fprintf(stderr, "usage: %s SANDBOX_BIN [CALLS_PER_ROUND]\n", argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    if (sandbox_start(&sb, argv[1], KEY) != 0) return 2;

    nowgg_config_new(KEY, &config, NULL);
    nowgg_config_set_base_url(config, sb.url, NULL);
    if (nowgg_client_new(config, &client, NULL) != NOWGG_OK) return 1;
    nowgg_config_free(config);

    curl = curl_easy_init();
    snprintf(url, sizeof url, "%s/v2/seller/order/verifyPurchase", sb.url);
    snprintf(auth, sizeof auth, "Authorization: %s", KEY);
    headers = curl_slist_append(headers, auth);
    headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "purchaseToken=-nowgg-sample-paid");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);

    /* Warm both up (connections, caches), then alternate rounds and keep the best. */
    if (c_face(client, 200) < 0 || libcurl_loop(curl, 200) < 0) {
        fprintf(stderr, "warm-up failed\n");
        return 1;
    }
    for (round = 0; round < ROUNDS; round++) {
        double face = c_face(client, calls), plain = libcurl_loop(curl, calls);
        if (face < 0 || plain < 0) {
            fprintf(stderr, "a call failed\n");
            return 1;
        }
        if (face > best_face) best_face = face;
        if (plain > best_curl) best_curl = plain;
    }
    printf("sequential verifies against the sandbox, best of %d rounds of %ld calls:\n", ROUNDS, calls);
    printf("  C face (nowgg_verify_purchase + nowgg_purchase_free): %8.0f calls/s\n", best_face);
    printf("  libcurl, one reused handle, status check only:        %8.0f calls/s\n", best_curl);
    printf("  ratio C face / libcurl: %.2f\n", best_face / best_curl);

    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    nowgg_client_free(client);
    sandbox_stop(&sb);
    curl_global_cleanup();
    return 0;
}
