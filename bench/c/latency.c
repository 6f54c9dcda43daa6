/* See latency.h. A contender keeps IN_FLIGHT calls going: each finished call records its
 * latency and, until the time is up, starts the next. */
#define _POSIX_C_SOURCE 200809L

#include "latency.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nowgg_payments.h"

#define MAX_CALLS (1 << 22)

static const char KEY[] = "bench-key";
static const char TOKEN[] = "-nowgg-sample-paid";
static const char FACE[] = "C face (nowgg_verify_purchase_async)";
static const char MULTI[] = "libcurl multi + cJSON";

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What one contender measured; shared by the threads completing calls. */
typedef struct run {
    pthread_mutex_t lock;
    pthread_cond_t idle;
    double end, started;
    uint32_t *latencies_us;
    size_t calls;
    int chains, errors, most_threads;
} run;

/* User and system CPU seconds of this process so far, every thread. */
static double cpu_s(void) {
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int dir_entries(const char *dir) {
    int n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) return 0;
    while (readdir(d) != NULL) n++;
    closedir(d);
    return n - 2; /* less "." and ".." */
}

static int threads_now(void) { return dir_entries("/proc/self/task"); }

long status_kib(const char *field) {
    char line[256];
    long kib = 0;
    size_t n = strlen(field);
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, n) == 0) kib = atol(line + n);
    }
    fclose(f);
    return kib;
}

/* Records a finished call; returns whether the caller should start another. */
static int record(run *r, double started, int ok) {
    double now = now_s();
    int again;
    pthread_mutex_lock(&r->lock);
    if (!ok) r->errors++;
    if (r->calls < MAX_CALLS && now <= r->end) {
        r->latencies_us[r->calls++] = (uint32_t)((now - started) * 1e6);
    }
    again = ok && now < r->end;
    if (!again && --r->chains == 0) pthread_cond_signal(&r->idle);
    pthread_mutex_unlock(&r->lock);
    return again;
}

/* The face: each chain is a slot whose callback starts the slot's next call. */
typedef struct slot {
    run *r;
    const nowgg_client *client;
    double started;
} slot;

static void face_done(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                      nowgg_error *error) {
    slot *s = (slot *)user_data;
    int ok = status == NOWGG_OK && nowgg_purchase_is_paid(purchase);
    nowgg_purchase_free(purchase);
    nowgg_error_free(error);
    if (!record(s->r, s->started, ok)) return;
    s->started = now_s();
    if (nowgg_verify_purchase_async(s->client, TOKEN, face_done, s, NULL) != NOWGG_OK) {
        record(s->r, s->started, 0);
    }
}

static int run_face(run *r, const char *url, int in_flight) {
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    slot *slots = (slot *)calloc((size_t)in_flight, sizeof *slots);
    int i;
    if (slots == NULL || nowgg_config_new(KEY, &config, NULL) != NOWGG_OK ||
        nowgg_config_set_base_url(config, url, NULL) != NOWGG_OK ||
        nowgg_config_set_max_in_flight(config, (uint32_t)in_flight, NULL) != NOWGG_OK ||
        nowgg_client_new(config, &client, NULL) != NOWGG_OK) {
        return -1;
    }
    nowgg_config_free(config);
    for (i = 0; i < in_flight; i++) {
        slots[i].r = r;
        slots[i].client = client;
        slots[i].started = now_s();
        if (nowgg_verify_purchase_async(client, TOKEN, face_done, &slots[i], NULL) != NOWGG_OK) {
            record(r, slots[i].started, 0);
        }
    }
    return 0; /* the slots and the client live until the process ends */
}

/* libcurl's multi interface on this thread: one easy handle per call in flight, each
 * answer parsed with cJSON and its purchase state checked, like the face. */
typedef struct transfer {
    CURL *easy;
    body answer;
    double started;
} transfer;

size_t collect_body(char *data, size_t size, size_t count, void *user) {
    body *b = (body *)user;
    size_t n = size * count;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *grown = (char *)realloc(b->data, cap);
        if (grown == NULL) return 0;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static int paid(const transfer *t) {
    cJSON *envelope = cJSON_ParseWithLength(t->answer.data, t->answer.len);
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(envelope, "data"), "purchaseState");
    int ok = cJSON_IsNumber(state) && state->valuedouble == 1;
    cJSON_Delete(envelope);
    return ok;
}

static int run_multi(run *r, const char *url, int in_flight) {
    char endpoint[512], auth[128];
    struct curl_slist *headers = NULL;
    CURLM *multi = curl_multi_init();
    transfer *transfers = (transfer *)calloc((size_t)in_flight, sizeof *transfers);
    int i, running = 1;

    if (multi == NULL || transfers == NULL) return -1;
    snprintf(endpoint, sizeof endpoint, "%s/v2/seller/order/verifyPurchase", url);
    snprintf(auth, sizeof auth, "Authorization: %s", KEY);
    headers = curl_slist_append(headers, auth);
    headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
    for (i = 0; i < in_flight; i++) {
        transfer *t = &transfers[i];
        t->easy = curl_easy_init();
        curl_easy_setopt(t->easy, CURLOPT_URL, endpoint);
        curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, "purchaseToken=-nowgg-sample-paid");
        curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, collect_body);
        curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, (void *)&t->answer);
        curl_easy_setopt(t->easy, CURLOPT_PRIVATE, (void *)t);
        curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, 10000L);
        t->started = now_s();
        curl_multi_add_handle(multi, t->easy);
    }
    while (running > 0) {
        CURLMsg *msg;
        int left;
        if (curl_multi_perform(multi, &running) != CURLM_OK) break;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            transfer *t = NULL;
            long status = 0;
            if (msg->msg != CURLMSG_DONE) continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
            curl_multi_remove_handle(multi, t->easy);
            if (record(r, t->started, msg->data.result == CURLE_OK && status == 200 && paid(t))) {
                t->answer.len = 0;
                t->started = now_s();
                curl_multi_add_handle(multi, t->easy);
                running++;
            }
        }
        if (running > 0) curl_multi_poll(multi, NULL, 0, 100, NULL);
        pthread_mutex_lock(&r->lock);
        if (threads_now() > r->most_threads) r->most_threads = threads_now();
        pthread_mutex_unlock(&r->lock);
    }
    for (i = 0; i < in_flight; i++) {
        curl_easy_cleanup(transfers[i].easy);
        free(transfers[i].answer.data);
    }
    free(transfers);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    return 0;
}

static int by_value(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int latency_child(int argc, char **argv) {
    const char *contender, *url;
    int in_flight, json, face;
    double seconds, elapsed, p50, p99, cpu;
    long idle_kib;
    run r;

    if (argc != 7) return 2;
    contender = argv[2];
    in_flight = atoi(argv[3]);
    url = argv[4];
    seconds = atof(argv[5]);
    json = atoi(argv[6]);
    face = strcmp(contender, "face") == 0;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.idle, NULL);
    r.latencies_us = (uint32_t *)malloc(MAX_CALLS * sizeof *r.latencies_us);
    r.chains = in_flight;
    r.started = now_s();
    r.end = r.started + seconds;
    curl_global_init(CURL_GLOBAL_ALL);
    idle_kib = status_kib("VmRSS:");
    cpu = cpu_s();
    if (r.latencies_us == NULL || (face ? run_face(&r, url, in_flight) : run_multi(&r, url, in_flight)) != 0) {
        fprintf(stderr, "latency: %s could not start\n", contender);
        return 1;
    }
    pthread_mutex_lock(&r.lock);
    while (r.chains > 0) {
        struct timespec wake;
        int threads = threads_now();
        if (threads > r.most_threads) r.most_threads = threads;
        clock_gettime(CLOCK_REALTIME, &wake);
        wake.tv_nsec += 100 * 1000 * 1000;
        if (wake.tv_nsec >= 1000000000L) {
            wake.tv_sec++;
            wake.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r.idle, &r.lock, &wake);
    }
    pthread_mutex_unlock(&r.lock);
    cpu = cpu_s() - cpu;
    elapsed = seconds;
    qsort(r.latencies_us, r.calls, sizeof *r.latencies_us, by_value);
    p50 = r.calls ? r.latencies_us[r.calls / 2] : 0;
    p99 = r.calls ? r.latencies_us[(size_t)((double)r.calls * 0.99)] : 0;
    if (json) {
        printf("{\"kind\":\"latency\",\"face\":\"c\",\"contender\":\"%s\",\"role\":\"%s\","
               "\"in_flight\":%d,\"calls_per_s\":%.1f,\"p50_us\":%.0f,\"p99_us\":%.0f,"
               "\"cpu_us_per_call\":%.1f,\"peak_rss_kib\":%ld,\"idle_rss_kib\":%ld,\"threads\":%d,"
               "\"calls\":%zu,\"errors\":%d}\n",
               face ? FACE : MULTI, face ? "face" : "peer", in_flight, (double)r.calls / elapsed,
               p50, p99, r.calls ? cpu * 1e6 / (double)r.calls : 0, status_kib("VmHWM:"), idle_kib,
               r.most_threads, r.calls, r.errors);
    } else {
        printf("  %-38s%6d%10.0f%9.1f%9.1f%9.1f%10ld%9d%8d\n", face ? FACE : MULTI, in_flight,
               (double)r.calls / elapsed, p50 / 1000, p99 / 1000,
               r.calls ? cpu * 1e6 / (double)r.calls : 0, status_kib("VmHWM:") / 1024,
               r.most_threads, r.errors);
    }
    fflush(stdout);
    /* The face's threads may still be finishing their last calls: no cleanup races them. */
    _exit(r.errors == 0 && r.calls > 0 ? 0 : 1);
}

int latency_phase(const char *self, const char *url, double seconds, int json) {
    static const int IN_FLIGHT[] = {64, 256, 1024};
    static const char *const CONTENDERS[] = {"face", "multi"};
    char in_flight[16], secs[32], json_flag[4];
    size_t i, c;
    int failed = 0;

    fprintf(json ? stderr : stdout,
            "\nat 20 ms per answer, N in flight from one process (each contender in its own)\n"
            "  %-38s%6s%10s%9s%9s%9s%10s%9s%8s\n", "", "N", "calls/s", "p50 ms", "p99 ms", "CPU us",
            "RSS MiB",
            "threads", "errors");
    fflush(NULL);
    snprintf(secs, sizeof secs, "%g", seconds);
    snprintf(json_flag, sizeof json_flag, "%d", json);
    for (i = 0; i < sizeof IN_FLIGHT / sizeof IN_FLIGHT[0]; i++) {
        for (c = 0; c < sizeof CONTENDERS / sizeof CONTENDERS[0]; c++) {
            int status = 0;
            pid_t pid;
            snprintf(in_flight, sizeof in_flight, "%d", IN_FLIGHT[i]);
            pid = fork();
            if (pid == 0) {
                char *args[] = {(char *)self, (char *)"--latency-child", (char *)CONTENDERS[c],
                                in_flight, (char *)url, secs, json_flag, NULL};
                execv(self, args);
                _exit(127);
            }
            if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0) {
                fprintf(stderr, "latency: %s at %d in flight failed\n", CONTENDERS[c], IN_FLIGHT[i]);
                failed = 1;
            }
        }
    }
    return failed ? -1 : 0;
}
