/* Per-architecture defaults: the table profiles and the argv builder agree on. */
#ifndef QT_ARCH_H
#define QT_ARCH_H

struct arch_info {
	const char *name;	  /* "x86_64", "aarch64", "riscv64" */
	const char *qemu_binary;  /* "qemu-system-x86_64" */
	const char *machine;	  /* default -machine ("pc", "virt") */
	const char *cpu_accel;	  /* default -cpu under kvm/hvf ("host") */
	const char *cpu_tcg;	  /* default -cpu under tcg ("max") */
	const char *disk_if;	  /* default drive interface ("virtio") */
	const char *nic_model;	  /* default NIC ("virtio-net-pci") */
	const char *console;	  /* guest console device ("ttyS0", "ttyAMA0") */
	const char *debian_package; /* package that ships qemu_binary */
	const char *uname_machine; /* uname -m of a host that can run it under kvm */
};

/* NULL when the arch is unknown. */
const struct arch_info *arch_find(const char *name);
/* Comma-separated list of known arch names, for error messages. */
const char *arch_names(void);
/* The host's arch name in our spelling (uname -m mapped), or NULL. */
const char *arch_host(void);

#endif
