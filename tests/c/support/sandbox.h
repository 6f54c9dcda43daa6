/* The sandbox as the C and C++ tests use it: start the nowgg-sandbox binary on a free
 * port, talk to its /_sandbox/ control endpoints over HTTP (libcurl), stop it. */
#ifndef NOWGG_TEST_SANDBOX_H
#define NOWGG_TEST_SANDBOX_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sandbox {
    pid_t pid;
    char url[64]; /* "http://127.0.0.1:PORT" (https with --tls) */
    char ca_file[256]; /* with --tls: the --ca-out path, which sandbox_call trusts */
} sandbox;

/* Starts `bin --port 0 --api-key api_key` and reads the URL from its first line.
 * Returns 0, or -1 after printing why. */
int sandbox_start(sandbox *sb, const char *bin, const char *api_key);

/* The same with more arguments after the key: `extra` is a NULL-terminated array (at most
 * 8), e.g. {"--tls", "--ca-out", path, NULL}, which makes the URL "https://..." (and
 * sandbox_call trust the CA written to `path`). */
int sandbox_start_with(sandbox *sb, const char *bin, const char *api_key,
                       const char *const *extra);

/* The start of a test program whose one argument is the sandbox binary: checks the
 * arguments (printing the usage when they are wrong), initialises libcurl, and starts
 * the sandbox with `api_key`. Returns 0, or 2 (the exit code of a test that cannot run). */
int sandbox_start_from_args(sandbox *sb, int argc, char **argv, const char *api_key);

/* Kills the sandbox and waits for it. */
void sandbox_stop(sandbox *sb);

/* Sends `method path` to the sandbox with `json_body` (or none when NULL) and returns
 * the response body (malloc'd, NUL-terminated; free it), or NULL after printing why.
 * A control call answering anything but 200 is a failure. */
char *sandbox_call(const sandbox *sb, const char *method, const char *path,
                   const char *json_body);

/* The whole content of a file (malloc'd, NUL-terminated), or NULL. */
char *read_file(const char *path);

/* The number of entries in the directory at `path`, "." and ".." not counted (while it
 * is read, a directory of /proc/self/fd counts the descriptor reading it), or -1. */
long dir_entries(const char *path);

/* The number of milliseconds on a monotonic clock. */
double now_ms(void);

#ifdef __cplusplus
}
#endif

#endif
