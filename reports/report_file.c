/* report_file: writes rendered reports to files atomically (a reader, or a
 * CI step uploading artifacts, sees the old file or the new one, never half
 * of one), and writes every output a run or `wsspec report` asked for. */
#include "reports/report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int report_mkdir_p(const char *dir, char *errmsg, size_t cap) {
    char path[PATH_MAX];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof path) {
        snprintf(errmsg, cap, "%s: bad directory name", dir);
        return -1;
    }
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        struct stat st;
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            snprintf(errmsg, cap, "cannot create directory %s: %s", path, strerror(errno));
            return -1;
        }
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(errmsg, cap, "%s is not a directory", path);
            return -1;
        }
        path[i] = saved;
    }
    return 0;
}

/* fsync the directory holding path, so the rename itself survives a crash.
 * Best effort: some file systems refuse fsync on a directory. */
static void sync_parent(const char *path) {
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == path) {
        snprintf(dir, sizeof dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int report_write_file(const json_t *report, const char *path, int (*render)(const json_t *, FILE *),
                      char *errmsg, size_t cap) {
    /* "-": standard output (no atomicity there), e.g. `--md - >> $GITHUB_STEP_SUMMARY`. */
    if (strcmp(path, "-") == 0) {
        if (render(report, stdout) != 0 || fflush(stdout) != 0) {
            snprintf(errmsg, cap, "cannot write to standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        snprintf(errmsg, cap, "%s: path too long", path);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(errmsg, cap, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        snprintf(errmsg, cap, "cannot open %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    const char *step = "write";
    errno = 0;
    if (render(report, f) != 0)
        goto fail;
    step = "flush";
    if (fflush(f) != 0)
        goto fail;
    step = "fsync";
    if (fsync(fileno(f)) != 0)
        goto fail;
    step = "close";
    int rc = fclose(f);
    f = NULL;
    if (rc != 0)
        goto fail;
    step = "rename";
    if (rename(tmp, path) != 0)
        goto fail;
    sync_parent(path);
    return 0;
fail:
    snprintf(errmsg, cap, "cannot %s %s: %s", step, strcmp(step, "rename") == 0 ? path : tmp,
             strerror(errno ? errno : EIO));
    if (f)
        fclose(f);
    unlink(tmp);
    return -1;
}

/* One output: prints the failure to stderr, returns 0 or -1. */
static int write_one(const json_t *report, const char *path,
                     int (*render)(const json_t *, FILE *)) {
    char err[PATH_MAX + 256];
    if (report_write_file(report, path, render, err, sizeof err) != 0) {
        fprintf(stderr, "wsspec: report: %s\n", err);
        return -1;
    }
    return 0;
}

/* The CTRF document of report to path; 0 or -1 (printed). */
static int write_ctrf(const json_t *report, const char *path, const char *run_id) {
    char id[512];
    report_ctrf_run_id(report, run_id, id, sizeof id);
    json_t *ctrf = report_ctrf_build(report, id);
    if (!ctrf) {
        fprintf(stderr, "wsspec: report: %s: out of memory building the CTRF report\n", path);
        return -1;
    }
    int rc = write_one(ctrf, path, report_json_write);
    json_decref(ctrf);
    return rc;
}

int report_write_outputs(const json_t *report, const struct report_outputs *outs) {
    int status = 0;
    char path[PATH_MAX];
    if (outs->dir) {
        char err[PATH_MAX + 256];
        if (report_mkdir_p(outs->dir, err, sizeof err) != 0) {
            fprintf(stderr, "wsspec: report: %s\n", err);
            status = -1;
        } else {
            static const struct {
                const char *name;
                int (*render)(const json_t *, FILE *);
            } files[] = {
                {"report.json", report_json_write},
                {"junit.xml", report_junit_write},
                {"report.html", report_html_write},
                {"summary.md", report_markdown_write},
            };
            for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
                snprintf(path, sizeof path, "%s/%s", outs->dir, files[i].name);
                if (write_one(report, path, files[i].render) != 0)
                    status = -1;
            }
            snprintf(path, sizeof path, "%s/report.ctrf.json", outs->dir);
            if (write_ctrf(report, path, outs->run_id) != 0)
                status = -1;
            snprintf(path, sizeof path, "%s/autobahn", outs->dir);
            if (report_autobahn_write_dir(report, path, err, sizeof err) != 0) {
                fprintf(stderr, "wsspec: report: %s\n", err);
                status = -1;
            }
        }
    }
    if (outs->json && write_one(report, outs->json, report_json_write) != 0)
        status = -1;
    if (outs->junit && write_one(report, outs->junit, report_junit_write) != 0)
        status = -1;
    if (outs->html && write_one(report, outs->html, report_html_write) != 0)
        status = -1;
    if (outs->md && write_one(report, outs->md, report_markdown_write) != 0)
        status = -1;
    if (outs->summary && write_one(report, outs->summary, report_summary_write) != 0)
        status = -1;
    if (outs->ctrf && write_ctrf(report, outs->ctrf, outs->run_id) != 0)
        status = -1;
    if (outs->annotations && write_one(report, outs->annotations, report_annotations_write) != 0)
        status = -1;
    return status;
}
