/*
 * The doctor's checks, shared by `qemu-tui doctor` and the dashboard's doctor pane:
 * each check is a result (name, ok/warn/fail, detail, the command that fixes it).
 * One function for the host, one for a profile. The only slow checks are the
 * `--version` probes of the QEMU binaries: a caller that must not block (the
 * dashboard) runs them itself as children on its loop and hands the answers in
 * through struct doctor_versions; without it they are run here and waited for.
 */
#ifndef QT_DOCTOR_H
#define QT_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

enum doctor_level { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL };

struct doctor_check {
	char *name;		/* "kernel", "qemu-system-aarch64", "ssh port" */
	enum doctor_level level;
	char *detail;
	char *fix;		/* the command or step that fixes it; NULL: none */
};

struct doctor_report {
	struct doctor_check *checks;
	size_t n;
	int fails;
};

/* Versions known already: the first line of `BIN --version`, or NULL when the binary
 * is not there. Asked once per binary a check needs. */
struct doctor_versions {
	const char *(*version)(const char *bin, void *arg);
	void *arg;
};

/* What this host has for running VMs. */
void doctor_host(struct doctor_report *r, const struct doctor_versions *v);
/* What profile p needs; r->fails > 0 means something blocks its start. */
void doctor_vm(struct doctor_report *r, const struct profile *p,
    const struct doctor_versions *v);
/* The QEMU binary doctor_vm probes for p (its qemu or its arch's), or NULL. */
const char *doctor_vm_binary(const struct profile *p);
/* "ok", "warn", "FAIL". */
const char *doctor_level_word(enum doctor_level lv);
void doctor_report_free(struct doctor_report *r);

/* The answer of a version probe (BIN --version) from what it printed:
 * the first line, or NULL when it printed nothing (malloc'd). */
char *doctor_version_line(const char *out, size_t len);
/* The probe, run here and waited for (at most 5 s): for the CLI. */
char *doctor_version_probe(const char *bin);

#endif
