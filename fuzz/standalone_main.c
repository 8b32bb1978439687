/* A plain main() for the fuzz harnesses: replays files through
 * LLVMFuzzerTestOneInput without libFuzzer, so any compiler can build the
 * harnesses and ctest can replay the corpora and every crash input found.
 *
 * Usage: <target>_replay PATH...   (files, or directories read one level
 * deep).  A missing directory counts as empty, so a target may have no
 * regressions yet.  Each input is copied into a heap block of exactly its
 * size, as libFuzzer does, so a sanitizer build flags over-reads.  Exits 0
 * when every input ran (a broken invariant aborts). */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long replayed;
static const char *current; /* the input being replayed, for crash reports */

static void on_abort(int sig)
{
    static const char msg[] = "replay: crashed on input ";
    (void)sig;
    if (current) {
        /* async-signal-safe output only */
        if (write(2, msg, sizeof msg - 1) < 0 || write(2, current, strlen(current)) < 0 ||
            write(2, "\n", 1) < 0) {
            /* nothing more to do */
        }
    }
    signal(SIGABRT, SIG_DFL);
    raise(SIGABRT);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            char *nb;
            cap = cap ? cap * 2 : 4096;
            nb = (char *)realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    {
        /* exactly n bytes, so a read past the input is out of bounds */
        char *exact = fuzz_dup(buf, n);
        free(buf);
        current = path;
        LLVMFuzzerTestOneInput((const uint8_t *)exact, n);
        current = NULL;
        free(exact);
    }
    replayed++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;
    if (!d) return errno == ENOENT ? 0 : -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue; /* ., .., .gitkeep */
        if (n == cap) {
            char **nn;
            cap = cap ? cap * 2 : 64;
            nn = (char **)realloc(names, cap * sizeof *names);
            if (!nn) { rc = -1; break; }
            names = nn;
        }
        names[n] = (char *)malloc(strlen(path) + strlen(e->d_name) + 2);
        if (!names[n]) { rc = -1; break; }
        sprintf(names[n], "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names); /* a stable order */
    for (i = 0; i < n; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            rc = run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int i;
    signal(SIGABRT, on_abort);
    for (i = 1; i < argc; i++) {
        struct stat st;
        int rc;
        if (stat(argv[i], &st) != 0)
            rc = (errno == ENOENT) ? 0 : -1;
        else if (S_ISDIR(st.st_mode))
            rc = run_dir(argv[i]);
        else
            rc = run_file(argv[i]);
        if (rc != 0) {
            fprintf(stderr, "replay: error reading %s\n", argv[i]);
            return 1;
        }
    }
    printf("replayed %lu inputs\n", replayed);
    return 0;
}
