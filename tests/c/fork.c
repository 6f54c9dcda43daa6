/* A client across fork(), as pre-forking servers use one: built (and used) in the parent,
 * then used by the parent and by its forked child at once. Each process must get the
 * answers to its own requests: the child may not read from a connection the parent
 * opened (nor the parent from one the child writes to), whether over plain HTTP or TLS,
 * and the child's async calls must run although the parent's library threads do not
 * exist in it.
 *
 * 1. A client used once (one verify) before fork(); then parent and child each verify
 *    1,000 tokens of their own at the same time, and count the answers that carry
 *    another token (and the failures). The sandbox answers the first 20 of them 20 ms
 *    late, so that a shared connection would have both processes' requests on it. After
 *    the child has exited, the parent verifies 10 more: its connections outlive the
 *    child.
 * 2. A client whose async calls ran before fork() (8 library threads, idle then); after
 *    the fork the child and the parent each make 8 async calls one after another (fewer
 *    than the threads the parent had: the child must start threads of its own), then 50
 *    at once: all complete, each with its own token.
 *
 * After the fork the child says it is ready through a pipe and both start together (the
 * most overlap on a shared connection); it sends its counts through the same pipe, frees
 * what it made, and ends with _exit (its status also says whether it passed). The parent
 * waits for each, boundedly.
 *
 * usage: c_fork SANDBOX_BIN plain|tls */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "nowgg_payments.h"
#include "support/check.h"
#include "support/client.h"
#include "support/sandbox.h"
#include "support/wait.h"

static const char KEY[] = "fork-test-key";

enum {
    VERIFIES = 1000,       /* blocking verifies per process */
    AFTER_CHILD = 10,      /* the parent's verifies once the child is gone */
    ASYNC_WARM = 8,        /* async calls before the fork */
    ASYNC_ONE_BY_ONE = 8,  /* async calls per process after it, one after another */
    ASYNC_AT_ONCE = 50,    /* ... then all at once */
    ASYNC_CALLS = ASYNC_ONE_BY_ONE + ASYNC_AT_ONCE,
    MAX_ERRORS = 10,       /* a process stops verifying after this many failures */
    ASYNC_WAIT_MS = 20000, /* the longest wait for async calls to complete */
    READY_WAIT_MS = 30000, /* the longest wait for the child to start */
    CHILD_WAIT_MS = 300000 /* the longest wait for the child's counts (valgrind is slow) */
};

/* What one process saw. */
typedef struct counts {
    int ok;       /* answers carrying the token asked for */
    int wrong;    /* answers carrying another token: another request's answer */
    int errors;   /* failed calls */
    int not_done; /* calls never made (after MAX_ERRORS) or never completed */
} counts;

static void token_name(char *out, size_t size, const char *prefix, int i) {
    snprintf(out, size, "fork-%s-%04d", prefix, i);
}

/* Writes the fixtures: every token the test verifies, each a paid purchase whose
 * purchaseToken (set by the sandbox) and orderId name it. */
static int write_fixtures(const char *path) {
    static const struct {
        const char *prefix;
        int count;
    } sets[] = {{"warm", 1},
                {"parent", VERIFIES + AFTER_CHILD},
                {"child", VERIFIES},
                {"async-warm", ASYNC_WARM},
                {"async-parent", ASYNC_CALLS},
                {"async-child", ASYNC_CALLS}};
    FILE *f = fopen(path, "w");
    size_t s;
    int i, first = 1;
    char token[64];

    if (f == NULL) {
        perror(path);
        return -1;
    }
    fputs("[\n", f);
    for (s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        for (i = 0; i < sets[s].count; i++) {
            token_name(token, sizeof token, sets[s].prefix, i);
            fprintf(f,
                    "%s{\"token\": \"%s\", \"store\": \"nowgg\", \"data\": {\"orderId\": "
                    "\"order-%s\", \"purchaseState\": 1, \"consumptionState\": 0}}\n",
                    first ? "" : ",", token, token);
            first = 0;
        }
    }
    fputs("]\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

/* A retry would hide nothing here (a crossed answer is no failure), but a bounded
 * attempt keeps the broken case quick. */
static const nowgg_client *client_for(const char *url, const char *ca_pem) {
    test_options options = {.timeout_ms = 3000, .deadline_ms = 5000, .ca_pem = ca_pem};
    return test_client(url, KEY, &options);
}

/* Whether `purchase` is the answer for `token`. */
static int answers(const nowgg_purchase *purchase, const char *token) {
    const char *got = nowgg_purchase_purchase_token(purchase);
    const char *order = nowgg_purchase_order_id(purchase);
    return got != NULL && strcmp(got, token) == 0 && order != NULL &&
           strncmp(order, "order-", 6) == 0 && strcmp(order + 6, token) == 0;
}

/* Verifies tokens `prefix` first..first+count-1, one after another, on this thread. */
static counts verify_range(const nowgg_client *client, const char *who, const char *prefix,
                           int first, int count) {
    counts c = {0, 0, 0, 0};
    char token[64];
    int i;

    for (i = first; i < first + count; i++) {
        nowgg_purchase *purchase = NULL;
        nowgg_error *err = NULL;
        nowgg_status s;
        if (c.errors >= MAX_ERRORS) {
            c.not_done = first + count - i;
            break;
        }
        token_name(token, sizeof token, prefix, i);
        s = nowgg_verify_purchase(client, token, &purchase, &err);
        if (s != NOWGG_OK) {
            if (c.errors < 3) {
                fprintf(stderr, "  %s: verify %s: %s: %s\n", who, token, nowgg_status_name(s),
                        nowgg_error_message(err));
            }
            c.errors++;
        } else if (answers(purchase, token)) {
            c.ok++;
        } else {
            if (c.wrong < 3) {
                const char *got = nowgg_purchase_purchase_token(purchase);
                fprintf(stderr, "  %s: verify %s answered for %s\n", who, token,
                        got != NULL ? got : "(no token)");
            }
            c.wrong++;
        }
        nowgg_purchase_free(purchase);
        nowgg_error_free(err);
    }
    return c;
}

/* Async calls: what their callbacks saw. Heap-allocated so that a run whose callbacks do
 * not all come in time can leave it to them (a failure then, reported). */
typedef struct async_run {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    counts c;
    int done;
    struct async_call {
        struct async_run *run;
        char token[64];
    } calls[ASYNC_AT_ONCE];
} async_run;

static void verified(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                     nowgg_error *error) {
    struct async_call *call = (struct async_call *)user_data;
    async_run *run = call->run;
    pthread_mutex_lock(&run->lock);
    if (status != NOWGG_OK) {
        run->c.errors++;
    } else if (answers(purchase, call->token)) {
        run->c.ok++;
    } else {
        run->c.wrong++;
    }
    run->done++;
    pthread_cond_broadcast(&run->changed);
    pthread_mutex_unlock(&run->lock);
    nowgg_purchase_free(purchase);
    nowgg_error_free(error);
}

/* Verifies tokens `prefix` first..first+count-1 (count at most ASYNC_AT_ONCE) with async
 * calls, all at once or one after another, waiting up to ASYNC_WAIT_MS for each callback
 * (for all of them when at once). One after another stops at the first call that does
 * not complete. */
static counts async_range(const nowgg_client *client, const char *who, const char *prefix,
                          int first, int count, int one_by_one) {
    async_run *run = (async_run *)calloc(1, sizeof *run);
    counts c = {0, 0, 0, 0};
    int i, started = 0, all = 1;

    if (run == NULL) {
        c.not_done = count;
        return c;
    }
    pthread_mutex_init(&run->lock, NULL);
    monotonic_cond_init(&run->changed);
    for (i = 0; i < count; i++) {
        run->calls[i].run = run;
        token_name(run->calls[i].token, sizeof run->calls[i].token, prefix, first + i);
    }
    for (i = 0; i < count && all; i++) {
        if (nowgg_verify_purchase_async(client, run->calls[i].token, verified, &run->calls[i],
                                        NULL) == NOWGG_OK) {
            started++;
        } else {
            c.errors++;
        }
        if (one_by_one) {
            pthread_mutex_lock(&run->lock);
            all = wait_at_least(&run->changed, &run->lock, &run->done, started, ASYNC_WAIT_MS);
            pthread_mutex_unlock(&run->lock);
        }
    }
    pthread_mutex_lock(&run->lock);
    if (all) all = wait_at_least(&run->changed, &run->lock, &run->done, started, ASYNC_WAIT_MS);
    c.ok = run->c.ok;
    c.wrong = run->c.wrong;
    c.errors += run->c.errors;
    c.not_done = count - (c.errors + c.ok + c.wrong);
    pthread_mutex_unlock(&run->lock);
    if (!all) {
        /* Late callbacks may still come: leave them the memory (the check fails). */
        fprintf(stderr, "  %s: an async call did not complete within %d ms (%s)\n", who,
                (int)ASYNC_WAIT_MS, one_by_one ? "one after another" : "all at once");
        return c;
    }
    pthread_mutex_destroy(&run->lock);
    pthread_cond_destroy(&run->changed);
    free(run);
    return c;
}

/* Adds `b` to `a`. */
static void add(counts *a, counts b) {
    a->ok += b.ok;
    a->wrong += b.wrong;
    a->errors += b.errors;
    a->not_done += b.not_done;
}

/* The async calls of one process after the fork (see the top), of tokens "async-<who>-N". */
static counts async_side(const nowgg_client *client, const char *who) {
    char prefix[32];
    counts c;
    snprintf(prefix, sizeof prefix, "async-%s", who);
    c = async_range(client, who, prefix, 0, ASYNC_ONE_BY_ONE, 1);
    add(&c, async_range(client, who, prefix, ASYNC_ONE_BY_ONE, ASYNC_AT_ONCE, 0));
    return c;
}

static void print_counts(const char *what, const counts *c) {
    printf("  %-34s %4d right, %4d for another token, %2d failed, %4d not done\n", what, c->ok,
           c->wrong, c->errors, c->not_done);
}

static int clean(const counts *c, int expected) {
    return c->ok == expected && c->wrong == 0 && c->errors == 0 && c->not_done == 0;
}

/* The child's end: writes its counts to `fd`, frees the client, and _exits (status 0 when
 * the counts are clean and no check failed). `fd` stays open until the process ends, so
 * that the parent's bounded wait for its end covers the freeing too. */
static void child_finishes(int fd, const nowgg_client *client, const counts *c, int expected) {
    ssize_t n = write(fd, c, sizeof *c);
    int status = n == (ssize_t)sizeof *c && clean(c, expected) && checks_failed == 0 ? 0 : 1;
    nowgg_client_free(client);
    fflush(stdout);
    fflush(stderr);
    _exit(status);
}

/* Waits (at most `ms`) until `fd` has something to read, or its writers are gone. */
static int readable(int fd, int ms) {
    struct pollfd p;
    double until = now_ms() + ms;
    p.fd = fd;
    p.events = POLLIN;
    for (;;) {
        int left = (int)(until - now_ms());
        int ready = left > 0 ? poll(&p, 1, left) : 0;
        if (ready < 0 && errno == EINTR) continue;
        return ready > 0;
    }
}

/* The child's first word: it runs, and starts now. */
static void child_ready(int fd) {
    char byte = 'R';
    if (write(fd, &byte, 1) != 1) perror("write");
}

/* The parent waits for it (bounded); 0 when it did not come. */
static int await_child(int fd) {
    char byte = 0;
    if (!readable(fd, READY_WAIT_MS) || read(fd, &byte, 1) != 1 || byte != 'R') {
        fprintf(stderr, "  the child did not start within %d ms\n", (int)READY_WAIT_MS);
        return 0;
    }
    return 1;
}

/* Reads the child's counts from `fd` and reaps it, each wait bounded: a child that does
 * not answer or does not end is killed, and counted as failed. Returns the child's exit
 * status (-1 when it did not exit normally or had to be killed). */
static int collect_child(pid_t pid, int fd, counts *c) {
    size_t got = 0;
    int status = 0, rc = -1;
    char byte;

    while (got < sizeof *c) {
        ssize_t n;
        if (!readable(fd, CHILD_WAIT_MS)) {
            fprintf(stderr, "  the child sent no counts within %d ms: killed\n",
                    (int)CHILD_WAIT_MS);
            goto kill_it;
        }
        n = read(fd, (char *)c + got, sizeof *c - got);
        if (n <= 0) {
            fprintf(stderr, "  the child ended without sending its counts\n");
            break;
        }
        got += (size_t)n;
    }
    /* Its end closes the pipe (valgrind's leak check of the child runs before that). */
    for (;;) {
        if (!readable(fd, CHILD_WAIT_MS)) {
            fprintf(stderr, "  the child did not end within %d ms: killed\n",
                    (int)CHILD_WAIT_MS);
            goto kill_it;
        }
        if (read(fd, &byte, 1) <= 0) break;
    }
    close(fd);
    if (waitpid(pid, &status, 0) == pid && WIFEXITED(status)) rc = WEXITSTATUS(status);
    if (got < sizeof *c) return -1;
    return rc;

kill_it:
    close(fd);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* What one process (`who`: "parent" or "child") does after the fork: its calls, counted. */
typedef counts (*side)(const nowgg_client *client, const char *who);

/* Forks, then runs `run_side` in both processes at once; the child sends its counts
 * through a pipe and ends there (child_finishes). Prints both sides' counts and checks
 * them (`expected` right answers each, nothing else) and the child's exit status (0).
 * Returns whether the fork was made. */
static int across_fork(const nowgg_client *client, side run_side, int expected) {
    counts parent, child = {0, 0, 0, 0};
    int fds[2], child_status;
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0) {
        perror("pipe");
        CHECK(0);
        return 0;
    }
    pid = fork();
    if (pid < 0) {
        perror("fork");
        CHECK(0);
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    if (pid == 0) {
        close(fds[0]);
        child_ready(fds[1]);
        child = run_side(client, "child");
        child_finishes(fds[1], client, &child, expected);
    }
    close(fds[1]);
    CHECK(await_child(fds[0]));
    parent = run_side(client, "parent");
    child_status = collect_child(pid, fds[0], &child);

    print_counts("parent", &parent);
    print_counts("child", &child);
    printf("  child exit status %d\n", child_status);
    CHECK(clean(&parent, expected));
    CHECK(clean(&child, expected));
    CHECK(child_status == 0);
    return 1;
}

/* The blocking side: VERIFIES verifies of tokens of its own. */
static counts blocking_side(const nowgg_client *client, const char *who) {
    return verify_range(client, who, who, 0, VERIFIES);
}

/* 1. A client used once before the fork; 1,000 verifies in each process at once. */
static void blocking_across_fork(const sandbox *sb, const char *ca_pem) {
    const nowgg_client *client = client_for(sb->url, ca_pem);
    nowgg_purchase *purchase = NULL;
    counts after;

    /* The one use before the fork: the pool now holds a kept-alive connection. */
    CHECK(nowgg_verify_purchase(client, "fork-warm-0000", &purchase, NULL) == NOWGG_OK);
    CHECK(answers(purchase, "fork-warm-0000"));
    nowgg_purchase_free(purchase);
    /* The first 20 verifies after the fork are answered 20 ms late: a request stays
     * unanswered long enough for the other process's to be sent on the same connection
     * too, if it is shared (on loopback an exchange is so short that two processes
     * sharing one may go on taking turns). */
    test_fault(sb, "{\"match\": \"verify\", \"action\": \"none\", \"delay_ms\": 20, "
                   "\"count\": 20}");

    printf("blocking verifies across fork():\n");
    if (across_fork(client, blocking_side, VERIFIES)) {
        /* The child is gone (and freed its client): the parent's connections still work. */
        after = verify_range(client, "parent after", "parent", VERIFIES, AFTER_CHILD);
        print_counts("parent, after the child ended", &after);
        CHECK(clean(&after, AFTER_CHILD));
    }
    nowgg_client_free(client);
}

/* 2. A client whose library threads exist (idle) at the fork: async calls in both. */
static void async_across_fork(const char *url, const char *ca_pem) {
    const nowgg_client *client = client_for(url, ca_pem);
    counts warm = async_range(client, "warm-up", "async-warm", 0, ASYNC_WARM, 0);

    CHECK(clean(&warm, ASYNC_WARM));
    printf("async verifies across fork() (%d library threads alive before it; %d one after "
           "another, then %d at once):\n",
           (int)ASYNC_WARM, (int)ASYNC_ONE_BY_ONE, (int)ASYNC_AT_ONCE);
    print_counts("before the fork", &warm);
    across_fork(client, async_side, ASYNC_CALLS);
    nowgg_client_free(client);
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/nowgg-fork-XXXXXX";
    char fixtures[sizeof dir + 16], ca_path[sizeof dir + 16];
    const char *plain_args[] = {"--fixtures", fixtures, NULL};
    const char *tls_args[] = {"--fixtures", fixtures, "--tls", "--ca-out", ca_path, NULL};
    char *ca_pem = NULL;
    sandbox sb;
    int tls;

    if (argc != 3 || (strcmp(argv[2], "plain") != 0 && strcmp(argv[2], "tls") != 0)) {
        fprintf(stderr, "usage: %s SANDBOX_BIN plain|tls\n", argv[0]);
        return 2;
    }
    tls = strcmp(argv[2], "tls") == 0;
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(fixtures, sizeof fixtures, "%s/fixtures.json", dir);
    snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);
    if (write_fixtures(fixtures) != 0) return 2;
    curl_global_init(CURL_GLOBAL_ALL);
    if (sandbox_start_with(&sb, argv[1], KEY, tls ? tls_args : plain_args) != 0) return 2;
    if (tls) {
        ca_pem = read_file(ca_path);
        CHECK(strncmp(sb.url, "https://", 8) == 0);
        CHECK(ca_pem != NULL && strstr(ca_pem, "BEGIN CERTIFICATE") != NULL);
    }
    printf("c fork (%s, %s)\n", argv[2], sb.url);

    if (!tls || ca_pem != NULL) {
        blocking_across_fork(&sb, ca_pem);
        async_across_fork(sb.url, ca_pem);
    }

    free(ca_pem);
    sandbox_stop(&sb);
    curl_global_cleanup();
    remove(fixtures);
    remove(ca_path);
    rmdir(dir);
    return checks_done(tls ? "c fork (tls)" : "c fork (plain)");
}
