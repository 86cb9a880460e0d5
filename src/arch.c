/* Per-architecture defaults. */
#include "arch.h"

#include <string.h>
#include <sys/utsname.h>

static const struct arch_info arches[] = {
	{ "x86_64", "qemu-system-x86_64", "pc", "host", "max", "virtio",
	    "virtio-net-pci", "ttyS0", "qemu-system-x86", "x86_64" },
	{ "aarch64", "qemu-system-aarch64", "virt", "host", "max", "virtio",
	    "virtio-net-pci", "ttyAMA0", "qemu-system-arm", "aarch64" },
	{ "riscv64", "qemu-system-riscv64", "virt", "host", "max", "virtio",
	    "virtio-net-pci", "ttyS0", "qemu-system-misc", "riscv64" },
};

const struct arch_info *
arch_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof arches / sizeof arches[0]; i++)
		if (strcmp(arches[i].name, name) == 0)
			return &arches[i];
	return NULL;
}

const char *
arch_names(void)
{
	return "x86_64, aarch64, riscv64";
}

const char *
arch_host(void)
{
	static struct utsname u;	/* read-only after the first call */
	size_t i;

	if (u.machine[0] == '\0' && uname(&u) == -1)
		return NULL;
	if (strcmp(u.machine, "arm64") == 0)
		return "aarch64";
	if (strcmp(u.machine, "amd64") == 0)
		return "x86_64";
	for (i = 0; i < sizeof arches / sizeof arches[0]; i++)
		if (strcmp(arches[i].uname_machine, u.machine) == 0)
			return arches[i].name;
	return NULL;
}
