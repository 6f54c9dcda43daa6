/* See sandbox.h. */
#define _POSIX_C_SOURCE 200809L

#include "sandbox.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char LISTENING[] = "listening on ";

int sandbox_start(sandbox *sb, const char *bin, const char *api_key) {
    return sandbox_start_with(sb, bin, api_key, NULL);
}

int sandbox_start_from_args(sandbox *sb, int argc, char **argv, const char *api_key) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SANDBOX_BIN\n", argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    return sandbox_start(sb, argv[1], api_key) == 0 ? 0 : 2;
}

int sandbox_start_with(sandbox *sb, const char *bin, const char *api_key,
                       const char *const *extra) {
    enum { MAX_EXTRA = 8 };
    const char *argv[6 + MAX_EXTRA] = {NULL, "--port", "0", "--api-key", NULL, NULL};
    int fds[2];
    char line[128];
    FILE *out;
    size_t len, n;

    argv[0] = bin;
    argv[4] = api_key;
    sb->ca_file[0] = '\0';
    for (n = 0; extra != NULL && extra[n] != NULL; n++) {
        if (n == MAX_EXTRA) {
            fprintf(stderr, "sandbox_start_with: more than %d extra arguments\n", MAX_EXTRA);
            return -1;
        }
        argv[5 + n] = extra[n];
        if (n > 0 && strcmp(extra[n - 1], "--ca-out") == 0) {
            snprintf(sb->ca_file, sizeof sb->ca_file, "%s", extra[n]);
        }
    }
    if (pipe(fds) != 0) {
        perror("pipe");
        return -1;
    }
    sb->pid = fork();
    if (sb->pid < 0) {
        perror("fork");
        return -1;
    }
    if (sb->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        /* execv's argv is `char *const[]` for historical reasons; it is not written. */
        execv(bin, (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    /* Only the first line is read; the sandbox may keep writing to a closed pipe, which
     * it tolerates (it ignores SIGPIPE like every Rust program). */
    out = fdopen(fds[0], "r");
    if (out == NULL || fgets(line, sizeof line, out) == NULL ||
        strncmp(line, LISTENING, sizeof LISTENING - 1) != 0) {
        fprintf(stderr, "sandbox %s did not print its URL\n", bin);
        if (out != NULL) fclose(out);
        sandbox_stop(sb);
        return -1;
    }
    fclose(out);
    len = strcspn(line + sizeof LISTENING - 1, "\r\n");
    if (len >= sizeof sb->url) len = sizeof sb->url - 1;
    memcpy(sb->url, line + sizeof LISTENING - 1, len);
    sb->url[len] = '\0';
    return 0;
}

void sandbox_stop(sandbox *sb) {
    if (sb->pid > 0) {
        kill(sb->pid, SIGTERM);
        waitpid(sb->pid, NULL, 0);
        sb->pid = 0;
    }
}

typedef struct buffer {
    char *data;
    size_t len;
} buffer;

static size_t append(char *chunk, size_t size, size_t count, void *user) {
    buffer *buf = (buffer *)user;
    size_t n = size * count;
    char *grown = (char *)realloc(buf->data, buf->len + n + 1);
    if (grown == NULL) return 0;
    memcpy(grown + buf->len, chunk, n);
    buf->data = grown;
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

char *sandbox_call(const sandbox *sb, const char *method, const char *path,
                   const char *json_body) {
    char url[512];
    buffer body = {NULL, 0};
    struct curl_slist *headers = NULL;
    long status = 0;
    CURLcode rc;
    CURL *curl = curl_easy_init();

    if (curl == NULL) return NULL;
    snprintf(url, sizeof url, "%s%s", sb->url, path);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (json_body != NULL) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (sb->ca_file[0] != '\0') curl_easy_setopt(curl, CURLOPT_CAINFO, sb->ca_file);
    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || status != 200) {
        fprintf(stderr, "%s %s: %s, HTTP %ld: %s\n", method, path, curl_easy_strerror(rc),
                status, body.data != NULL ? body.data : "");
        free(body.data);
        return NULL;
    }
    if (body.data == NULL) body.data = (char *)calloc(1, 1);
    return body.data;
}

char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long size;

    if (f == NULL) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        text = (char *)malloc((size_t)size + 1);
        if (text != NULL && fread(text, 1, (size_t)size, f) == (size_t)size) {
            text[size] = '\0';
        } else {
            free(text);
            text = NULL;
        }
    }
    fclose(f);
    return text;
}

long dir_entries(const char *path) {
    long n = 0;
    DIR *dir = opendir(path);
    if (dir == NULL) return -1;
    while (readdir(dir) != NULL) n++;
    closedir(dir);
    return n - 2; /* "." and ".." */
}

double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
