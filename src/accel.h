/* Which accelerator a VM gets, and why (shown in status). */
#ifndef QT_ACCEL_H
#define QT_ACCEL_H

struct accel_host {
	const char *os;		/* "linux", "darwin", "windows" */
	const char *arch;	/* host arch in our spelling ("x86_64") */
	int kvm_usable;		/* /dev/kvm opens read-write */
	int kvm_errno;		/* why it did not (ENOENT, EACCES, ...); 0 when usable */
};

struct accel_choice {
	char name[8];		/* "kvm" "hvf" "whpx" "tcg" */
	char reason[160];	/* "guest aarch64 differs from host x86_64" */
};

/* Facts about this machine (opens /dev/kvm). */
void accel_probe_host(struct accel_host *h);
/* Pure: the profile's accel setting ("auto" or explicit) for a guest arch on a host. */
void accel_choose(const char *setting, const char *guest_arch,
    const struct accel_host *h, struct accel_choice *out);

#endif
