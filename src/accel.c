/* Which accelerator a VM gets, and why. */
#include "accel.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"

void
accel_probe_host(struct accel_host *h)
{
	int fd;

	memset(h, 0, sizeof *h);
#if defined(__linux__)
	h->os = "linux";
#elif defined(__APPLE__)
	h->os = "darwin";
#elif defined(_WIN32)
	h->os = "windows";
#else
	h->os = "unknown";
#endif
	h->arch = arch_host();
	if ((fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)) != -1) {
		h->kvm_usable = 1;
		close(fd);
	} else
		h->kvm_errno = errno;
}

static void
choose(struct accel_choice *out, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
choose(struct accel_choice *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	snprintf(out->name, sizeof out->name, "%s", name);
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof out->reason, fmt, ap);
	va_end(ap);
}

/* Why /dev/kvm cannot be used, in words a user can act on. */
static void
kvm_unusable(const struct accel_host *h, struct accel_choice *out)
{
	switch (h->kvm_errno) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		choose(out, "tcg", "/dev/kvm does not exist (KVM is off in the "
		    "BIOS, its module is not loaded, or this is a VM without "
		    "nested virtualization)");
		break;
	case 0:		/* not probed: no reason known */
	case EACCES:
	case EPERM:
		choose(out, "tcg", "/dev/kvm is not usable (add yourself to the "
		    "kvm group)");
		break;
	default:
		choose(out, "tcg", "/dev/kvm is not usable: %s",
		    strerror(h->kvm_errno));
		break;
	}
}

void
accel_choose(const char *setting, const char *guest_arch,
    const struct accel_host *h, struct accel_choice *out)
{
	const char *os = h->os != NULL ? h->os : "unknown";

	if (setting != NULL && *setting != '\0' && strcmp(setting, "auto") != 0) {
		choose(out, setting, "set in the profile");
		return;
	}
	if (guest_arch == NULL) {
		choose(out, "tcg", "the guest architecture is not known");
		return;
	}
	if (h->arch == NULL) {
		choose(out, "tcg", "the host architecture is not known");
		return;
	}
	if (strcmp(guest_arch, h->arch) != 0) {
		choose(out, "tcg", "guest %s differs from host %s", guest_arch,
		    h->arch);
		return;
	}
	if (strcmp(os, "linux") == 0) {
		if (h->kvm_usable)
			choose(out, "kvm", "guest and host are %s and /dev/kvm is "
			    "usable", h->arch);
		else
			kvm_unusable(h, out);
	} else if (strcmp(os, "darwin") == 0)
		choose(out, "hvf", "guest and host are %s (Hypervisor.framework)",
		    h->arch);
	else if (strcmp(os, "windows") == 0)
		choose(out, "tcg", "whpx is never chosen automatically (set "
		    "accel to whpx to try it)");
	else
		choose(out, "tcg", "no accelerator is known for host OS %s", os);
}
