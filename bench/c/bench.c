/* verifyPurchase against the sandbox: the C face (and the C++ wrapper over it) next to
 * the small C program a backend would otherwise write, libcurl reusing one handle per thread (one keep-alive
 * connection), in two forms: parsing the answer with cJSON and checking the purchase
 * state (the same work as the face), and checking only the HTTP status (the floor of
 * what any libcurl client pays). A benchmark, not a test: run it with bench/c/run.sh.
 *
 * Each group (transport x threads) runs its contenders in slices of --seconds,
 * alternating slice by slice for --rounds rounds. For each: the median slice's calls/s,
 * p50 and p99 latency over all its calls, and process CPU time per call. First of all,
 * RSS and open descriptors after 1k and after --memory-calls calls of the face.
 *
 * With --latency-url (a sandbox adding 20 ms to every answer), last: the latency phase
 * of latency.c, the C async calls next to libcurl's multi interface.
 *
 * usage: bench --url URL [--tls-url URL --ca FILE] [--latency-url URL] [--seconds S]
 *              [--rounds N] [--threads N] [--memory-calls N] [--json]
 * --json prints one JSON object a line on stdout (for bench/report.py), the table on
 * stderr. */
#define _POSIX_C_SOURCE 200809L

#include <cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "latency.h"
#include "nowgg_payments.h"

/* cpp_face.cpp: the C++ wrapper as a contender. */
void *cpp_client_new(const char *key, const char *url, const char *ca_file);
int cpp_verify(const void *client, const char *token);
void cpp_client_free(void *client);

#define MAX_THREADS 64

static const char KEY[] = "bench-key";
static const char TOKEN[] = "-nowgg-sample-paid";
static const char FORM[] = "purchaseToken=-nowgg-sample-paid";
static const char FACE[] = "C face (nowgg_verify_purchase)";

typedef struct target {
    const char *transport; /* "http" | "https" */
    const char *url;
    const char *ca_file; /* NULL over HTTP */
} target;

/* One thread's state for one contender: the shared client, or its own curl handle. */
typedef struct worker {
    const target *where;
    const nowgg_client *client;
    const void *cpp; /* the C++ wrapper's client */
    CURL *curl;
    struct curl_slist *headers;
    body answer; /* for the cJSON contender */
    uint32_t *latencies_ns;
    size_t calls, cap;
} worker;

typedef struct contender {
    const char *name;
    int (*call)(worker *w); /* 0 when the call returned the paid purchase */
    int parse;              /* libcurl: collect and parse the answer */
} contender;

static double now_s(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int face_call(worker *w) {
    nowgg_purchase *purchase = NULL;
    int ok;
    if (nowgg_verify_purchase(w->client, TOKEN, &purchase, NULL) != NOWGG_OK) return -1;
    ok = nowgg_purchase_is_paid(purchase);
    nowgg_purchase_free(purchase);
    return ok ? 0 : -1;
}

static int cpp_call(worker *w) { return cpp_verify(w->cpp, TOKEN); }

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data;
    (void)user;
    return size * count;
}

static int curl_perform(worker *w) {
    long status = 0;
    w->answer.len = 0;
    if (curl_easy_perform(w->curl) != CURLE_OK) return -1;
    curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status);
    return status == 200 ? 0 : -1;
}

static int curl_status_call(worker *w) { return curl_perform(w); }

static int curl_cjson_call(worker *w) {
    cJSON *envelope, *state;
    int ok;
    if (curl_perform(w) != 0) return -1;
    envelope = cJSON_ParseWithLength(w->answer.data, w->answer.len);
    state = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(envelope, "data"),
                                             "purchaseState");
    ok = cJSON_IsNumber(state) && state->valuedouble == 1;
    cJSON_Delete(envelope);
    return ok ? 0 : -1;
}

static const contender CONTENDERS[] = {
    {FACE, face_call, 0},
    {"C++ face (nowgg::Client::verify_purchase)", cpp_call, 0},
    {"libcurl reused handle + cJSON", curl_cjson_call, 1},
    {"libcurl reused handle, status only", curl_status_call, 0},
};
#define N_CONTENDERS (sizeof CONTENDERS / sizeof CONTENDERS[0])

static CURL *curl_handle(worker *w, int parse) {
    char url[512], auth[128];
    CURL *curl = curl_easy_init();
    if (curl == NULL) return NULL;
    snprintf(url, sizeof url, "%s/v2/seller/order/verifyPurchase", w->where->url);
    snprintf(auth, sizeof auth, "Authorization: %s", KEY);
    w->headers = curl_slist_append(NULL, auth);
    w->headers = curl_slist_append(w->headers, "Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, w->headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, FORM);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, parse ? collect_body : discard);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, parse ? (void *)&w->answer : (void *)w);
    if (w->where->ca_file != NULL) curl_easy_setopt(curl, CURLOPT_CAINFO, w->where->ca_file);
    return curl;
}

/* The face's client, shared by every thread of a group. NULL after printing why. */
static const nowgg_client *face_client(const target *where) {
    nowgg_config *config = NULL;
    const nowgg_client *client = NULL;
    nowgg_error *err = NULL;
    char *pem = NULL;
    int ok = nowgg_config_new(KEY, &config, &err) == NOWGG_OK &&
             nowgg_config_set_base_url(config, where->url, &err) == NOWGG_OK;
    if (ok && where->ca_file != NULL) {
        FILE *f = fopen(where->ca_file, "rb");
        long size = -1;
        if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 &&
            fseek(f, 0, SEEK_SET) == 0 && (pem = (char *)malloc((size_t)size)) != NULL &&
            fread(pem, 1, (size_t)size, f) == (size_t)size) {
            ok = nowgg_config_add_ca_certs_pem(config, (const uint8_t *)pem, (size_t)size, &err) ==
                 NOWGG_OK;
        } else {
            fprintf(stderr, "cannot read %s\n", where->ca_file);
            ok = 0;
        }
        if (f != NULL) fclose(f);
        free(pem);
    }
    if (ok) ok = nowgg_client_new(config, &client, &err) == NOWGG_OK;
    if (!ok && err != NULL) fprintf(stderr, "client: %s\n", nowgg_error_message(err));
    nowgg_error_free(err);
    nowgg_config_free(config);
    return ok ? client : NULL;
}

typedef struct slice_run {
    const contender *who;
    worker workers[MAX_THREADS];
    int threads;
    double deadline;
    pthread_barrier_t ready, go;
    int failed;
} slice_run;

typedef struct thread_arg {
    slice_run *run;
    worker *w;
} thread_arg;

static void *thread_main(void *p) {
    thread_arg *arg = (thread_arg *)p;
    slice_run *run = arg->run;
    worker *w = arg->w;
    const contender *who = run->who;
    int warm = who->call(w) == 0; /* the connection */
    struct timespec t0, t1;

    if (!warm) run->failed = 1;
    pthread_barrier_wait(&run->ready);
    pthread_barrier_wait(&run->go);
    while (warm) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if ((double)t0.tv_sec + (double)t0.tv_nsec / 1e9 >= run->deadline) break;
        if (who->call(w) != 0) {
            run->failed = 1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (w->calls == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 1 << 16;
            uint32_t *grown = (uint32_t *)realloc(w->latencies_ns, cap * sizeof *grown);
            if (grown == NULL) {
                run->failed = 1;
                break;
            }
            w->latencies_ns = grown;
            w->cap = cap;
        }
        w->latencies_ns[w->calls++] =
            (uint32_t)((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec));
    }
    return NULL;
}

/* What one contender did in one slice. */
typedef struct slice {
    double rate, cpu_s;
    size_t calls;
} slice;

/* Latencies of all of a contender's slices, kept for the percentiles. */
typedef struct samples {
    uint32_t *ns;
    size_t len, cap;
} samples;

/* One slice of `who` from `threads` threads; -1 when a call failed. */
static int run_slice(const contender *who, const target *where, const nowgg_client *client,
                     const void *cpp, int threads, double seconds, slice *out, samples *all) {
    static slice_run run;
    pthread_t ids[MAX_THREADS];
    thread_arg args[MAX_THREADS];
    double started, cpu;
    int i;
    size_t calls = 0;

    memset(&run, 0, sizeof run);
    run.who = who;
    run.threads = threads;
    pthread_barrier_init(&run.ready, NULL, (unsigned)threads + 1);
    pthread_barrier_init(&run.go, NULL, (unsigned)threads + 1);
    for (i = 0; i < threads; i++) {
        worker *w = &run.workers[i];
        w->where = where;
        w->client = client;
        w->cpp = cpp;
        if (who->call != face_call && who->call != cpp_call &&
            (w->curl = curl_handle(w, who->parse)) == NULL) {
            return -1;
        }
        args[i].run = &run;
        args[i].w = w;
        pthread_create(&ids[i], NULL, thread_main, &args[i]);
    }
    pthread_barrier_wait(&run.ready);
    cpu = now_s(CLOCK_PROCESS_CPUTIME_ID);
    started = now_s(CLOCK_MONOTONIC);
    run.deadline = started + seconds;
    pthread_barrier_wait(&run.go);
    for (i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    out->rate = 0;
    out->cpu_s = now_s(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    for (i = 0; i < threads; i++) {
        worker *w = &run.workers[i];
        if (all->len + w->calls > all->cap) {
            size_t cap = (all->len + w->calls) * 2;
            uint32_t *grown = (uint32_t *)realloc(all->ns, cap * sizeof *grown);
            if (grown == NULL) return -1;
            all->ns = grown;
            all->cap = cap;
        }
        memcpy(all->ns + all->len, w->latencies_ns, w->calls * sizeof *w->latencies_ns);
        all->len += w->calls;
        calls += w->calls;
        free(w->latencies_ns);
        free(w->answer.data);
        if (w->curl != NULL) curl_easy_cleanup(w->curl);
        curl_slist_free_all(w->headers);
    }
    out->calls = calls;
    out->rate = (double)calls / (now_s(CLOCK_MONOTONIC) - started);
    pthread_barrier_destroy(&run.ready);
    pthread_barrier_destroy(&run.go);
    return run.failed ? -1 : 0;
}

static int by_value(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int by_rate(const void *a, const void *b) {
    double x = ((const slice *)a)->rate, y = ((const slice *)b)->rate;
    return (x > y) - (x < y);
}

static double percentile_us(const samples *s, double p) {
    size_t i = (size_t)((double)s->len * p);
    if (s->len == 0) return 0;
    return (double)s->ns[i < s->len ? i : s->len - 1] / 1000.0;
}

typedef struct options {
    double seconds;
    int rounds, threads, json;
    long memory_calls;
} options;

/* Every contender once a round, each round starting one contender further on; then a
 * record per contender. */
static int group(const target *where, int threads, const options *o, FILE *table) {
    slice slices[N_CONTENDERS][16];
    samples all[N_CONTENDERS];
    double rates[N_CONTENDERS];
    const nowgg_client *client = face_client(where);
    void *cpp = cpp_client_new(KEY, where->url, where->ca_file);
    char mode[32];
    int r;
    size_t i, c;

    if (client == NULL || cpp == NULL) return -1;
    memset(all, 0, sizeof all);
    for (r = 0; r < o->rounds; r++) {
        for (i = 0; i < N_CONTENDERS; i++) {
            c = (i + (size_t)r) % N_CONTENDERS;
            if (run_slice(&CONTENDERS[c], where, client, cpp, threads, o->seconds, &slices[c][r],
                          &all[c]) != 0) {
                fprintf(stderr, "%s: a call failed\n", CONTENDERS[c].name);
                return -1;
            }
        }
    }
    nowgg_client_free(client);
    cpp_client_free(cpp);
    if (threads == 1) {
        snprintf(mode, sizeof mode, "sequential");
    } else {
        snprintf(mode, sizeof mode, "%d threads", threads);
    }
    fprintf(table, "\n%s, %s\n  %-36s%10s%9s%9s%9s%11s\n", where->transport, mode, "", "calls/s",
            "p50 us", "p99 us", "CPU us", "face/this");
    for (c = 0; c < N_CONTENDERS; c++) {
        double cpu = 0, list[16];
        size_t calls = 0;
        slice sorted[16];
        memcpy(sorted, slices[c], sizeof(slice) * (size_t)o->rounds);
        qsort(sorted, (size_t)o->rounds, sizeof(slice), by_rate);
        rates[c] = sorted[o->rounds / 2].rate;
        for (r = 0; r < o->rounds; r++) {
            cpu += slices[c][r].cpu_s;
            calls += slices[c][r].calls;
            list[r] = slices[c][r].rate;
        }
        qsort(all[c].ns, all[c].len, sizeof(uint32_t), by_value);
        fprintf(table, "  %-36s%10.0f%9.0f%9.0f%9.1f%10.2fx\n", CONTENDERS[c].name, rates[c],
                percentile_us(&all[c], 0.5), percentile_us(&all[c], 0.99),
                cpu * 1e6 / (double)calls, rates[0] / rates[c]);
        if (o->json) {
            printf("{\"kind\":\"throughput\",\"face\":\"c\",\"contender\":\"%s\",\"role\":\"%s\","
                   "\"transport\":\"%s\",\"mode\":\"%s\",\"concurrency\":%d,\"calls_per_s\":%.1f,"
                   "\"rounds_calls_per_s\":[",
                   CONTENDERS[c].name, CONTENDERS[c].call == face_call || CONTENDERS[c].call == cpp_call
                                           ? "face" : "peer",
                   where->transport, mode, threads,
                   rates[c]);
            for (r = 0; r < o->rounds; r++) printf("%s%.0f", r ? "," : "", list[r]);
            printf("],\"p50_us\":%.1f,\"p99_us\":%.1f,\"cpu_us_per_call\":%.2f,\"calls\":%zu}\n",
                   percentile_us(&all[c], 0.5), percentile_us(&all[c], 0.99),
                   cpu * 1e6 / (double)calls, calls);
        }
        free(all[c].ns);
    }
    fflush(stdout);
    return 0;
}

static long rss_kib(void) { return status_kib("VmRSS:"); }

static int open_fds(void) {
    int n = dir_entries("/proc/self/fd");
    return n > 0 ? n - 1 : 0; /* less this listing's own descriptor */
}

/* RSS and descriptors after 1k sequential calls of the face and after `calls`. */
static int memory(const target *where, long calls, int json, FILE *table) {
    const nowgg_client *client = face_client(where);
    worker w;
    long i, rss_first = 0;
    int fds_first = 0;

    if (client == NULL) return -1;
    memset(&w, 0, sizeof w);
    w.client = client;
    for (i = 1; i <= calls; i++) {
        if (face_call(&w) != 0) return -1;
        if (i == 1000) {
            rss_first = rss_kib();
            fds_first = open_fds();
        }
    }
    fprintf(table, "\n%s: after 1000 calls %ld KiB RSS, %d fds; after %ld calls %ld KiB RSS, %d fds\n",
            FACE, rss_first, fds_first, calls, rss_kib(), open_fds());
    if (json) {
        printf("{\"kind\":\"memory\",\"face\":\"c\",\"contender\":\"%s\",\"calls_first\":1000,"
               "\"rss_kib_first\":%ld,\"fds_first\":%d,\"calls_last\":%ld,\"rss_kib_last\":%ld,"
               "\"fds_last\":%d}\n",
               FACE, rss_first, fds_first, calls, rss_kib(), open_fds());
    }
    nowgg_client_free(client);
    return 0;
}

int main(int argc, char **argv) {
    options o = {2.0, 3, 8, 0, 100000};
    target http = {"http", NULL, NULL}, https = {"https", NULL, NULL};
    const char *latency_url = NULL;
    FILE *table;
    int i;

    if (argc > 1 && strcmp(argv[1], "--latency-child") == 0) return latency_child(argc, argv);
    for (i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--json") == 0) {
            o.json = 1;
            continue;
        }
        if (value == NULL) break;
        if (strcmp(argv[i], "--url") == 0) http.url = value;
        else if (strcmp(argv[i], "--tls-url") == 0) https.url = value;
        else if (strcmp(argv[i], "--ca") == 0) https.ca_file = value;
        else if (strcmp(argv[i], "--latency-url") == 0) latency_url = value;
        else if (strcmp(argv[i], "--seconds") == 0) o.seconds = atof(value);
        else if (strcmp(argv[i], "--rounds") == 0) o.rounds = atoi(value);
        else if (strcmp(argv[i], "--threads") == 0) o.threads = atoi(value);
        else if (strcmp(argv[i], "--memory-calls") == 0) o.memory_calls = atol(value);
        else break;
        i++;
    }
    if (i < argc || http.url == NULL || (https.url != NULL && https.ca_file == NULL) ||
        o.rounds < 1 || o.rounds > 16 || o.threads < 1 || o.threads > MAX_THREADS ||
        o.memory_calls < 1000) {
        fprintf(stderr, "usage: %s --url URL [--tls-url URL --ca FILE] [--latency-url URL] [--seconds S]\n"
                        "       [--rounds N<=16] [--threads N] [--memory-calls N>=1000] [--json]\n", argv[0]);
        return 2;
    }
    table = o.json ? stderr : stdout;
    curl_global_init(CURL_GLOBAL_ALL);
    fprintf(table, "verifyPurchase against the sandbox (%s)\n", curl_version());
    /* First, while the heap holds nothing else. */
    if (memory(&http, o.memory_calls, o.json, table) != 0) return 1;
    if (group(&http, 1, &o, table) != 0 || group(&http, o.threads, &o, table) != 0) return 1;
    if (https.url != NULL && group(&https, 1, &o, table) != 0) return 1;
    curl_global_cleanup();
    if (latency_url != NULL && latency_phase("/proc/self/exe", latency_url, o.seconds, o.json) != 0) return 1;
    return 0;
}
