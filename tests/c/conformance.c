/* Runs every case of tests/conformance/cases.json against the sandbox through the C API
 * (the rules are in tests/conformance/README.md).
 *
 * usage: c_conformance SANDBOX_BIN CASES_JSON */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nowgg_payments.h"
#include "support/sandbox.h"

typedef bool (*number_getter)(const nowgg_purchase *, int64_t *);
typedef bool (*flag_getter)(const nowgg_purchase *);

/* The keys an expectation may name besides the string fields, which the header lists
 * (nowgg_field_name, nowgg_purchase_field): each read by a number getter or by a flag
 * getter (the other is NULL). */
static const struct {
    const char *key;
    number_getter number;
    flag_getter flag;
} GETTER_KEYS[] = {
    {"purchaseState", nowgg_purchase_purchase_state, NULL},
    {"consumptionState", nowgg_purchase_consumption_state, NULL},
    {"purchaseTimeMs", nowgg_purchase_time_ms, NULL},
    {"isPaid", NULL, nowgg_purchase_is_paid},
    {"isConsumed", NULL, nowgg_purchase_is_consumed},
    {"isTestOrder", NULL, nowgg_purchase_is_test_order},
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* What a call gave: a status, and a purchase, a consume's outcome or an error. */
typedef struct outcome {
    nowgg_status status;
    nowgg_purchase *purchase;
    nowgg_consume_outcome consumed; /* 0 when the call was no successful consume */
    nowgg_error *error;
} outcome;

static void outcome_free(outcome *o) {
    nowgg_purchase_free(o->purchase);
    nowgg_error_free(o->error);
    o->purchase = NULL;
    o->error = NULL;
}

static const char *string_of(const cJSON *object, const char *key) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* The C policy for a case's `policy` object; NULL when it cannot be built. */
static nowgg_grant_policy *policy_for(const cJSON *spec) {
    const cJSON *id;
    const char *package_name = string_of(spec, "package_name");
    nowgg_grant_policy *policy = NULL;
    int ok = nowgg_grant_policy_new(&policy, NULL) == NOWGG_OK &&
             (package_name == NULL ||
              nowgg_grant_policy_set_package_name(policy, package_name, NULL) == NOWGG_OK) &&
             nowgg_grant_policy_allow_test_orders(
                 policy, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "allow_test_orders")),
                 NULL) == NOWGG_OK;
    cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(spec, "product_ids")) {
        ok = ok && nowgg_grant_policy_add_product_id(policy, id->valuestring, NULL) == NOWGG_OK;
    }
    if (!ok) {
        nowgg_grant_policy_free(policy);
        return NULL;
    }
    return policy;
}

static outcome call(const nowgg_client *client, const cJSON *spec) {
    outcome o = {NOWGG_OK, NULL, 0, NULL};
    const char *op = string_of(spec, "op");
    const char *token = string_of(spec, "token");

    if (op != NULL && strcmp(op, "verify") == 0) {
        o.status = nowgg_verify_purchase(client, token, &o.purchase, &o.error);
    } else if (op != NULL && strcmp(op, "verify_for_grant") == 0) {
        nowgg_grant_policy *policy = policy_for(cJSON_GetObjectItemCaseSensitive(spec, "policy"));
        o.status = nowgg_verify_for_grant(client, token, policy, &o.purchase, &o.error);
        nowgg_grant_policy_free(policy);
    } else {
        o.status = nowgg_consume_purchase(client, token, string_of(spec, "store"),
                                          string_of(spec, "product_id"),
                                          string_of(spec, "currency"),
                                          string_of(spec, "developer_payload"), &o.consumed,
                                          &o.error);
    }
    return o;
}

/* The reason a case failed, written to `why`; returns 0 when it did not. */
typedef struct failure {
    char why[512];
} failure;

static int fail(failure *f, const char *message, const char *detail) {
    snprintf(f->why, sizeof f->why, "%s%s%s", message, detail != NULL ? ": " : "",
             detail != NULL ? detail : "");
    return 1;
}

static int check_purchase_key(const nowgg_purchase *p, const cJSON *expected, failure *f) {
    const char *key = expected->string;
    uint32_t field;
    size_t i;

    for (field = 0; field < NOWGG_FIELD_COUNT; field++) {
        if (strcmp(key, nowgg_field_name(field)) == 0) {
            const char *actual = nowgg_purchase_field(p, field);
            if (cJSON_IsNull(expected) ? actual != NULL
                                       : actual == NULL || !cJSON_IsString(expected) ||
                                             strcmp(actual, expected->valuestring) != 0) {
                return fail(f, key, actual != NULL ? actual : "(null)");
            }
            return 0;
        }
    }
    for (i = 0; i < COUNT(GETTER_KEYS); i++) {
        if (strcmp(key, GETTER_KEYS[i].key) == 0) {
            int64_t value = 0;
            bool present;
            if (GETTER_KEYS[i].flag != NULL) {
                bool flag = GETTER_KEYS[i].flag(p);
                return flag != cJSON_IsTrue(expected) ? fail(f, key, "wrong flag") : 0;
            }
            present = GETTER_KEYS[i].number(p, &value);
            if (cJSON_IsNull(expected) ? present
                                       : !present || !cJSON_IsNumber(expected) ||
                                             (double)value != expected->valuedouble) {
                return fail(f, key, present ? "unexpected value" : "absent");
            }
            return 0;
        }
    }
    if (strcmp(key, "raw") == 0) {
        cJSON *raw = cJSON_Parse(nowgg_purchase_raw_json(p));
        const cJSON *want;
        int bad = raw == NULL;
        cJSON_ArrayForEach(want, expected) {
            if (bad) break;
            bad = !cJSON_Compare(want, cJSON_GetObjectItemCaseSensitive(raw, want->string), 1);
        }
        cJSON_Delete(raw);
        return bad ? fail(f, "raw differs", nowgg_purchase_raw_json(p)) : 0;
    }
    return fail(f, "the runner does not know the key", key);
}

static int check_expect(const cJSON *expect, const outcome *o, failure *f) {
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(expect, "error");
    const cJSON *purchase = cJSON_GetObjectItemCaseSensitive(expect, "purchase");
    const cJSON *item;

    if (error == NULL) {
        const cJSON *key;
        const char *want_outcome = string_of(expect, "outcome");
        if (o->status != NOWGG_OK) return fail(f, "failed", nowgg_error_message(o->error));
        if (want_outcome != NULL && (nowgg_consume_outcome_name(o->consumed) == NULL ||
                                     strcmp(nowgg_consume_outcome_name(o->consumed), want_outcome) != 0)) {
            return fail(f, "wrong outcome", nowgg_consume_outcome_name(o->consumed));
        }
        cJSON_ArrayForEach(key, purchase) {
            if (check_purchase_key(o->purchase, key, f)) return 1;
        }
        return 0;
    }
    if (o->status == NOWGG_OK) return fail(f, "succeeded, expected", string_of(error, "kind"));
    if (nowgg_error_status(o->error) != o->status) return fail(f, "error status differs", NULL);
    if (nowgg_status_name(o->status) == NULL ||
        strcmp(nowgg_status_name(o->status), string_of(error, "kind")) != 0) {
        return fail(f, "wrong kind", nowgg_status_name(o->status));
    }
    if ((item = cJSON_GetObjectItemCaseSensitive(error, "api_code")) != NULL) {
        int64_t code = 0;
        bool present = nowgg_error_api_code(o->error, &code);
        if (cJSON_IsNull(item) ? present : !present || (double)code != item->valuedouble) {
            return fail(f, "wrong api_code", nowgg_error_message(o->error));
        }
    }
    if ((item = cJSON_GetObjectItemCaseSensitive(error, "http_status")) != NULL) {
        uint16_t status = 0;
        bool present = nowgg_error_http_status(o->error, &status);
        if (cJSON_IsNull(item) ? present : !present || (double)status != item->valuedouble) {
            return fail(f, "wrong http_status", nowgg_error_message(o->error));
        }
    }
    if ((item = cJSON_GetObjectItemCaseSensitive(error, "retryable")) != NULL &&
        nowgg_error_is_retryable(o->error) != cJSON_IsTrue(item)) {
        return fail(f, "wrong retryable", nowgg_error_message(o->error));
    }
    return 0;
}

static int64_t option(const cJSON *client, const char *key, int64_t fallback) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(client, key);
    return cJSON_IsNumber(item) ? (int64_t)item->valuedouble : fallback;
}

static const nowgg_client *client_for(const sandbox *sb, const char *api_key,
                                      const cJSON *options, failure *f) {
    char url[256];
    const char *key = string_of(options, "api_key");
    const char *suffix = string_of(options, "base_url_suffix");
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    nowgg_error *err = NULL;
    int64_t cap = option(options, "max_response_bytes", -1);
    int64_t deadline = option(options, "deadline_ms", -1);

    snprintf(url, sizeof url, "%s%s", sb->url, suffix != NULL ? suffix : "");
    if (nowgg_config_new(key != NULL ? key : api_key, &config, &err) != NOWGG_OK ||
        nowgg_config_set_base_url(config, url, &err) != NOWGG_OK ||
        nowgg_config_set_timeout_ms(config, (uint64_t)option(options, "timeout_ms", 5000), &err) !=
            NOWGG_OK ||
        nowgg_config_set_connect_timeout_ms(
            config, (uint64_t)option(options, "connect_timeout_ms", 5000), &err) != NOWGG_OK ||
        nowgg_config_set_max_retries(config, (uint32_t)option(options, "max_retries", 0), &err) !=
            NOWGG_OK ||
        (deadline >= 0 && nowgg_config_set_deadline_ms(config, (uint64_t)deadline, &err) != NOWGG_OK) ||
        (cap >= 0 && nowgg_config_set_max_response_bytes(config, (uint64_t)cap, &err) != NOWGG_OK) ||
        nowgg_client_new(config, &client, &err) != NOWGG_OK) {
        fail(f, "client", nowgg_error_message(err));
    }
    nowgg_error_free(err);
    nowgg_config_free(config);
    return client;
}

/* One field (`path` or `form`) of each request the sandbox logged from index `from` on,
 * as a JSON array (caller deletes). */
static cJSON *logged_since(const sandbox *sb, int from, const char *field) {
    char *body = sandbox_call(sb, "GET", "/_sandbox/requests", NULL);
    cJSON *log = body != NULL ? cJSON_Parse(body) : NULL;
    cJSON *out = cJSON_CreateArray();
    int i;

    for (i = from; i < cJSON_GetArraySize(log); i++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, i), field);
        cJSON_AddItemToArray(out, item != NULL ? cJSON_Duplicate(item, 1) : cJSON_CreateNull());
    }
    cJSON_Delete(log);
    free(body);
    return out;
}

/* Whether the logged `field` of the requests since `from` are exactly `expected`. */
static int logged_differs(const sandbox *sb, int from, const char *field, const cJSON *expected,
                          failure *f) {
    cJSON *logged = logged_since(sb, from, field);
    int differs = !cJSON_Compare(logged, expected, 1);
    if (differs) {
        char *text = cJSON_PrintUnformatted(logged);
        fail(f, field, text);
        free(text);
    }
    cJSON_Delete(logged);
    return differs;
}

/* POSTs `body` (`{}` when NULL) to a control endpoint; returns whether it was taken. */
static int post_json(const sandbox *sb, const char *path, const cJSON *body) {
    char *text = body != NULL ? cJSON_PrintUnformatted(body) : NULL;
    char *answer = sandbox_call(sb, "POST", path, text != NULL ? text : "{}");
    int ok = answer != NULL;
    free(answer);
    free(text);
    return ok;
}

/* Runs `spec` and checks it against `expect`; returns 0 when it met it. */
static int call_and_check(const nowgg_client *client, const cJSON *spec, const cJSON *expect,
                          failure *f) {
    outcome o = call(client, spec);
    int failed = check_expect(expect, &o, f);
    outcome_free(&o);
    return failed;
}

static int run_case(const sandbox *sb, const char *api_key, const cJSON *c, failure *f) {
    const cJSON *setup = cJSON_GetObjectItemCaseSensitive(c, "setup");
    const cJSON *faults = cJSON_GetObjectItemCaseSensitive(setup, "faults");
    const cJSON *expected_paths = cJSON_GetObjectItemCaseSensitive(c, "expect_paths");
    const cJSON *expected_forms = cJSON_GetObjectItemCaseSensitive(c, "expect_forms");
    const cJSON *max_elapsed = cJSON_GetObjectItemCaseSensitive(c, "max_elapsed_ms");
    const cJSON *item;
    const nowgg_client *client;
    cJSON *paths;
    outcome o;
    int before, failed;
    double started, elapsed;

    if (!post_json(sb, "/_sandbox/reset", NULL)) return fail(f, "reset failed", NULL);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(setup, "purchases")) {
        if (!post_json(sb, "/_sandbox/purchases", item)) return fail(f, "setup failed", NULL);
    }
    client = client_for(sb, api_key, cJSON_GetObjectItemCaseSensitive(c, "client"), f);
    if (client == NULL) return 1;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "steps")) {
        o = call(client, item);
        failed = o.status != NOWGG_OK;
        if (failed) fail(f, "step failed", nowgg_error_message(o.error));
        outcome_free(&o);
        if (failed) {
            nowgg_client_free(client);
            return 1;
        }
    }
    paths = logged_since(sb, 0, "path");
    before = cJSON_GetArraySize(paths);
    cJSON_Delete(paths);
    if (faults != NULL && !post_json(sb, "/_sandbox/faults", faults)) {
        nowgg_client_free(client);
        return fail(f, "faults refused", NULL);
    }

    started = now_ms();
    o = call(client, cJSON_GetObjectItemCaseSensitive(c, "call"));
    elapsed = now_ms() - started;
    failed = check_expect(cJSON_GetObjectItemCaseSensitive(c, "expect"), &o, f);
    outcome_free(&o);
    if (!failed && cJSON_IsNumber(max_elapsed) && elapsed > max_elapsed->valuedouble) {
        failed = fail(f, "took too long", NULL);
    }
    if (!failed && expected_paths != NULL) failed = logged_differs(sb, before, "path", expected_paths, f);
    if (!failed && expected_forms != NULL) failed = logged_differs(sb, before, "form", expected_forms, f);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "then")) {
        if (failed) break;
        failed = call_and_check(client, cJSON_GetObjectItemCaseSensitive(item, "call"),
                                cJSON_GetObjectItemCaseSensitive(item, "expect"), f);
    }
    nowgg_client_free(client);
    return failed;
}

static int skipped_here(const cJSON *c) {
    const cJSON *face;
    cJSON_ArrayForEach(face, cJSON_GetObjectItemCaseSensitive(c, "skip")) {
        if (cJSON_IsString(face) && strcmp(face->valuestring, "c") == 0) return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    sandbox sb;
    char *text;
    cJSON *file;
    const cJSON *c;
    const char *api_key;
    int passed = 0, failed = 0, skipped = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: %s SANDBOX_BIN CASES_JSON\n", argv[0]);
        return 2;
    }
    text = read_file(argv[2]);
    file = text != NULL ? cJSON_Parse(text) : NULL;
    free(text);
    api_key = string_of(file, "api_key");
    if (api_key == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        cJSON_Delete(file);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    if (sandbox_start(&sb, argv[1], api_key) != 0) {
        cJSON_Delete(file);
        curl_global_cleanup();
        return 2;
    }

    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(file, "cases")) {
        failure f;
        if (skipped_here(c)) {
            skipped++;
        } else if (run_case(&sb, api_key, c, &f) == 0) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAILED %s: %s\n", string_of(c, "name"), f.why);
        }
    }
    printf("c conformance: %d cases passed, %d failed, %d skipped\n", passed, failed, skipped);

    sandbox_stop(&sb);
    cJSON_Delete(file);
    curl_global_cleanup();
    return failed == 0 && passed > 0 ? 0 : 1;
}
