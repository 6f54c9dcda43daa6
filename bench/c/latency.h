/* The latency phase of bench/c: verifies against a sandbox that adds 20 ms to every
 * answer, N in flight from one process, the C face's async calls next to libcurl's multi
 * interface. Each contender runs in a process of its own (this program run again with
 * --latency-child), so its peak RSS and thread count are its own. */
#ifndef NOWGG_BENCH_LATENCY_H
#define NOWGG_BENCH_LATENCY_H

#include <stddef.h>

/* A response body as libcurl delivers it, NUL-terminated. */
typedef struct body {
    char *data;
    size_t len, cap;
} body;

/* A size field of /proc/self/status in KiB, e.g. status_kib("VmRSS:"); 0 if unknown. */
long status_kib(const char *field);

/* How many entries `dir` lists, "." and ".." not counted; 0 if it cannot be read. */
int dir_entries(const char *dir);

/* A CURLOPT_WRITEFUNCTION appending to the `body` given as CURLOPT_WRITEDATA. */
size_t collect_body(char *data, size_t size, size_t count, void *body);

/* Runs every contender at 64, 256 and 1,024 in flight against `url` for `seconds` each, one
 * child process at a time; returns 0 when all of them succeeded. */
int latency_phase(const char *self, const char *url, double seconds, int json);

/* The child's side: `--latency-child CONTENDER IN_FLIGHT URL SECONDS JSON`. */
int latency_child(int argc, char **argv);

#endif
