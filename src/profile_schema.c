/*
 * The profile schema: one row per field (key, type, where it lives, rules,
 * default, help text), the rules of single values, and the rules that involve
 * more than one field. Adding a field to a profile is a member in profile.h, a
 * row here, and its use in qemu_argv.c.
 */
#include "profile_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch.h"
#include "image.h"
#include "net.h"

#define NFIELDS(a) (sizeof (a) / sizeof (a)[0])

/* ---- the schema ---- */

static const char *const accel_values[] = {
	"auto", "kvm", "hvf", "whpx", "tcg", NULL
};
/* Same order as enum net_mode. */
static const char *const mode_values[] = {
	"user", "tap", "vmnet-shared", "vmnet-host", "vmnet-bridged", "none",
	"bridge", NULL
};
static const char *const if_values[] = {
	"virtio", "ide", "floppy", "scsi", "nvme", "virtio-mmio", "none",
	"pflash", "sd", NULL
};
static const char *const media_values[] = { "disk", "cdrom", NULL };
static const char *const proto_values[] = { "tcp", "udp", NULL };
static const char *const hkc_values[] = { "ask", "accept-new", "off", NULL };

_Static_assert(NET_NONE == 5, "mode_values must follow enum net_mode");
_Static_assert(NET_BRIDGE == 6, "mode_values must follow enum net_mode");

static char *check_name(const char *);
static char *check_arch(const char *);
static char *check_mac(const char *);
static char *check_ifname(const char *);
static char *check_cidr(const char *);
static char *check_ipv4(const char *);
static char *check_id(const char *);
static char *check_disk_size(const char *);
static char *check_regex(const char *);
static char *default_name(const struct profile *);
static char *default_arch(const struct profile *);
static char *default_append(const struct profile *);
static char *default_mac(const struct profile *);
static char *doc_cpu(void);
static char *doc_append(void);
static char *doc_arch_type(void);

#define FW(m) offsetof(struct forward, m)
static const struct field forward_fields[] = {
	{ .key = "proto", .type = &ft_enum, .off = FW(proto),
	  .values = proto_values, .def = "tcp",
	  .help = "Protocol of the forwarded port." },
	{ .key = "host_addr", .type = &ft_str, .off = FW(host_addr), .min = 1,
	  .check = check_ipv4, .def = "127.0.0.1",
	  .help = "Host IPv4 address to listen on (0.0.0.0: every interface)." },
	{ .key = "host_port", .type = &ft_int, .flags = F_REQ,
	  .off = FW(host_port), .min = 1, .max = 65535,
	  .help = "Port on the host." },
	{ .key = "guest_port", .type = &ft_int, .flags = F_REQ,
	  .off = FW(guest_port), .min = 1, .max = 65535,
	  .help = "Port in the guest it is forwarded to." },
};
static const struct table forward_table = {
	"network.forwards[]", forward_fields, NFIELDS(forward_fields),
	sizeof (struct forward)
};

#define DR(m) offsetof(struct drive, m)
static const struct field drive_fields[] = {
	{ .key = "file", .type = &ft_str,
	  .flags = F_PATH | F_EXISTS | F_REQ | F_URL, .off = DR(file),
	  .hint = HINT_DISK,
	  .help = "Image file (relative to the profile's directory), a block "
	    "device, or a QEMU URL such as nbd://host/export." },
	{ .key = "format", .type = &ft_str, .off = DR(format), .min = 1,
	  .doc_def = "probed by QEMU",
	  .help = "Image format: qcow2, raw, vmdk, ... (give it: QEMU warns "
	    "when it has to guess raw)." },
	{ .key = "if", .type = &ft_enum, .off = DR(iface), .values = if_values,
	  .arch_off = offsetof(struct arch_info, disk_if),
	  .help = "How the disk is attached (nvme and virtio-mmio add the "
	    "matching -device)." },
	{ .key = "media", .type = &ft_enum, .off = DR(media),
	  .values = media_values, .doc_def = "disk",
	  .help = "cdrom for ISO images." },
	{ .key = "id", .type = &ft_str, .off = DR(id), .max = 64,
	  .check = check_id, .doc_def = "drive<N>",
	  .help = "Drive id, for devices[] entries that refer to it "
	    "(drive=ID)." },
	{ .key = "readonly", .type = &ft_bool, .off = DR(readonly),
	  .def = "false", .help = "Attach read-only." },
	{ .key = "snapshot", .type = &ft_bool, .off = DR(snapshot),
	  .def = "false",
	  .help = "Throw away writes to this drive when QEMU exits." },
	{ .key = "from", .type = &ft_str, .flags = F_PATH, .off = DR(from),
	  .help = "Source image converted into file (as format, qcow2 when not "
	    "given) the first time, when file does not exist yet; the source is "
	    "never written. Not with backing." },
	{ .key = "from_format", .type = &ft_str, .off = DR(from_format), .min = 1,
	  .doc_def = "probed by qemu-img",
	  .help = "Format of from (raw for a dd image or a floppy)." },
	{ .key = "size", .type = &ft_str, .off = DR(size),
	  .check = check_disk_size,
	  .help = "Virtual size (10G, 512M, 204800K; powers of 1024): file is "
	    "created blank at this size when missing (or made from from or "
	    "backing, then grown), and grown to it when smaller; never shrunk." },
	{ .key = "backing", .type = &ft_str, .flags = F_PATH, .off = DR(backing),
	  .help = "Base image: file is created as a qcow2 overlay on it when "
	    "missing, so several VMs share one base that is never written." },
	{ .key = "backing_format", .type = &ft_str, .off = DR(backing_format),
	  .min = 1, .doc_def = "probed by qemu-img",
	  .help = "Format of backing." },
};
static const struct table drive_table = {
	"drives[]", drive_fields, NFIELDS(drive_fields), sizeof (struct drive)
};

#define NC(m) offsetof(struct net_config, m)
static const struct field net_fields[] = {
	{ .key = "mode", .type = &ft_mode, .off = NC(mode), .values = mode_values,
	  .def = "user",
	  .help = "user: QEMU's NAT with port forwards; tap: an existing tap "
	    "device (needs ifname); vmnet-*: macOS; none: no network; bridge: "
	    "a host bridge (needs bridge) through qemu-bridge-helper." },
	{ .key = "model", .type = &ft_str, .off = NC(model), .min = 1,
	  .arch_off = offsetof(struct arch_info, nic_model),
	  .help = "NIC device (e1000, virtio-net-pci, virtio-net-device, ...)." },
	{ .key = "mac", .type = &ft_str, .off = NC(mac), .check = check_mac,
	  .dyn_def = default_mac,
	  .doc_def = "52:54:00 and three bytes of a hash of the name",
	  .help = "MAC address, xx:xx:xx:xx:xx:xx. The default stays the same "
	    "from run to run (a DHCP lease is kept); two profiles never share "
	    "one." },
	{ .key = "ifname", .type = &ft_str, .off = NC(ifname), .min = 1,
	  .max = 15, .check = check_ifname,
	  .help = "tap: the tap device (create it once: ip tuntap add dev tap0 "
	    "mode tap user $USER); vmnet-bridged: the host interface." },
	{ .key = "host_addr", .type = &ft_str, .off = NC(host_addr),
	  .check = check_cidr,
	  .help = "Host side address of the tap device with its prefix "
	    "length, e.g. 172.16.0.1/24." },
	{ .key = "create", .type = &ft_bool, .off = NC(create), .def = "false",
	  .help = "tap: create the device (as `net up` does) at start when "
	    "qemu-tui runs as root or with CAP_NET_ADMIN; without that right "
	    "start says the one command to run." },
	{ .key = "bridge", .type = &ft_str, .off = NC(bridge), .min = 1,
	  .max = 15, .check = check_ifname,
	  .help = "mode bridge: the host bridge the guest joins (br0), through "
	    "qemu-bridge-helper, which must be setuid root (or qemu-tui root) "
	    "and allowed the bridge in /etc/qemu/bridge.conf (allow br0)." },
	{ .key = "forwards", .type = &ft_objlist, .flags = F_NOSET,
	  .off = NC(forwards), .count_off = NC(nforwards),
	  .sub = &forward_table, .doc_def = "[]",
	  .help = "Host ports forwarded into the guest (mode user)." },
};
static const struct table net_table = {
	"network", net_fields, NFIELDS(net_fields), sizeof (struct net_config)
};

#define SC(m) offsetof(struct ssh_config, m)
static const struct field ssh_fields[] = {
	{ .key = "user", .type = &ft_str, .off = SC(user), .min = 1,
	  .def = "root", .help = "User to log in as." },
	{ .key = "host", .type = &ft_str, .off = SC(host), .min = 1,
	  .doc_def = "127.0.0.1 (user networking)",
	  .help = "Address of the guest's sshd; needed with tap and vmnet." },
	{ .key = "port", .type = &ft_int, .off = SC(port), .min = 0,
	  .max = 65535, .def = "0",
	  .doc_def = "0: a free host port forwarded to the guest's 22 (user "
	    "networking), else 22",
	  .help = "SSH port; with user networking the host port forwarded to "
	    "the guest's port 22." },
	{ .key = "identity", .type = &ft_str, .flags = F_PATH | F_EXISTS,
	  .off = SC(identity), .hint = HINT_KEY,
	  .doc_def = "ssh-agent and ~/.ssh keys",
	  .help = "Private key file." },
	{ .key = "host_key_check", .type = &ft_enum, .off = SC(host_key_check),
	  .values = hkc_values, .def = "ask",
	  .help = "Unknown host key: ask; accept-new: trust it the first time; "
	    "off: never check (throw-away guests)." },
	{ .key = "auto_open", .type = &ft_bool, .off = SC(auto_open),
	  .def = "false", .help = "Open an SSH pane as soon as sshd answers." },
	{ .key = "connect_timeout", .type = &ft_int, .off = SC(connect_timeout),
	  .min = 1, .max = 3600, .def = "60",
	  .help = "Seconds to keep trying to connect while the guest boots." },
};
static const struct table ssh_table = {
	"ssh", ssh_fields, NFIELDS(ssh_fields), sizeof (struct ssh_config)
};

#define RC(m) offsetof(struct ready_config, m)
static const struct field ready_fields[] = {
	{ .key = "prompt", .type = &ft_str, .off = RC(prompt), .min = 1,
	  .check = check_regex,
	  .doc_def = "login: or a shell's # / $ / % / > at a line's end",
	  .help = "Extended regular expression matched against the console's "
	    "last line: the prompt stage." },
	{ .key = "probe", .type = &ft_str, .off = RC(probe), .min = 1,
	  .doc_def = "none: ready once an SSH command works",
	  .help = "Command run over SSH (by the guest's shell) until it exits "
	    "0: the ready stage." },
};
static const struct table ready_table = {
	"ready", ready_fields, NFIELDS(ready_fields), sizeof (struct ready_config)
};

#define PF(m) offsetof(struct profile, m)
static const struct field profile_fields[] = {
	{ .key = "name", .type = &ft_str, .flags = F_NOSET | F_STICKY,
	  .off = PF(name), .min = 1, .max = 64, .check = check_name,
	  .dyn_def = default_name, .doc_def = "file name without .json",
	  .help = "Unique VM name; also names the run directory. No '/', no "
	    "control characters, no leading '-'." },
	{ .key = "description", .type = &ft_str, .off = PF(description),
	  .help = "Free text shown with the VM." },
	{ .key = "arch", .type = &ft_str, .off = PF(arch), .check = check_arch,
	  .doc_type = doc_arch_type,
	  .dyn_def = default_arch, .doc_def = "the host's (x86_64 if unknown)",
	  .help = "Guest architecture." },
	{ .key = "qemu", .type = &ft_str, .flags = F_BINARY, .off = PF(qemu),
	  .min = 1, .doc_def = "qemu-system-<arch>",
	  .help = "QEMU binary: a name looked up in PATH, an absolute path, "
	    "or a path relative to the profile." },
	{ .key = "machine", .type = &ft_str, .off = PF(machine), .min = 1,
	  .arch_off = offsetof(struct arch_info, machine),
	  .help = "-machine value (q35, virt-4.2, ...)." },
	{ .key = "cpu", .type = &ft_str, .off = PF(cpu), .min = 1,
	  .doc_fn = doc_cpu,
	  .help = "-cpu value (SandyBridge, cortex-a53, max, ...)." },
	{ .key = "memory", .type = &ft_size, .off = PF(memory), .def = "1G",
	  .help = "Guest RAM: a whole number with an optional K, M, G or T "
	    "suffix; no suffix means MiB (as -m)." },
	{ .key = "smp", .type = &ft_int, .off = PF(smp), .min = 1, .max = 1024,
	  .def = "1", .help = "Number of virtual CPUs." },
	{ .key = "accel", .type = &ft_enum, .off = PF(accel),
	  .values = accel_values, .def = "auto",
	  .help = "Accelerator; auto uses kvm/hvf/whpx when the host can run "
	    "the guest arch natively, else tcg, and says why." },
	{ .key = "bios", .type = &ft_str, .flags = F_PATH | F_EXISTS,
	  .off = PF(bios), .help = "-bios firmware file." },
	{ .key = "firmware", .type = &ft_str, .flags = F_PATH | F_EXISTS,
	  .off = PF(firmware), .keyword = "uefi",
	  .help = "UEFI code image, attached read-only as pflash "
	    "(OVMF_CODE.fd, AAVMF_CODE.fd); \"uefi\": the host's EDK2 "
	    "build for the arch, with a variables file of the VM's own "
	    "(a file named uefi: \"./uefi\")." },
	{ .key = "kernel", .type = &ft_str, .flags = F_PATH | F_EXISTS,
	  .off = PF(kernel), .help = "Kernel image booted directly (-kernel)." },
	{ .key = "initrd", .type = &ft_str, .flags = F_PATH | F_EXISTS,
	  .off = PF(initrd), .help = "Initial ramdisk (-initrd); needs kernel." },
	{ .key = "append", .type = &ft_str, .off = PF(append),
	  .dyn_def = default_append, .doc_fn = doc_append,
	  .help = "Kernel command line (-append); needs kernel." },
	{ .key = "drives", .type = &ft_objlist, .flags = F_NOSET,
	  .off = PF(drives), .count_off = PF(ndrives), .sub = &drive_table,
	  .doc_def = "[]", .help = "Disks, in order." },
	{ .key = "devices", .type = &ft_list, .flags = F_NOSET,
	  .off = PF(devices), .count_off = PF(ndevices), .doc_def = "[]",
	  .help = "Extra -device values, passed as written "
	    "(\"virtio-rng-pci\")." },
	{ .key = "network", .type = &ft_obj, .off = PF(net), .sub = &net_table,
	  .doc_def = "{ \"mode\": \"user\" }", .help = "Guest network." },
	{ .key = "ssh", .type = &ft_obj, .off = PF(ssh), .sub = &ssh_table,
	  .doc_def = "{}", .help = "How to reach the guest's sshd." },
	{ .key = "ready", .type = &ft_obj, .off = PF(ready), .sub = &ready_table,
	  .doc_def = "{}", .help = "When the guest counts as ready (stages)." },
	{ .key = "snapshot", .type = &ft_bool, .off = PF(snapshot),
	  .def = "false",
	  .help = "-snapshot: writes to every drive are thrown away when QEMU "
	    "exits." },
	{ .key = "display", .type = &ft_str, .off = PF(display), .min = 1,
	  .doc_def = "none",
	  .help = "-display value (gtk, sdl, vnc=:1, ...); the serial console "
	    "is in the dashboard either way." },
	{ .key = "extra_args", .type = &ft_list, .flags = F_NOSET,
	  .off = PF(extra_args), .count_off = PF(nextra_args), .doc_def = "[]",
	  .help = "Arguments appended to the QEMU command line as they are: "
	    "one string per argument, no shell." },
	{ .key = "no_shutdown", .type = &ft_bool, .off = PF(no_shutdown),
	  .def = "false",
	  .help = "Keep QEMU running after the guest powers off "
	    "(-no-shutdown)." },
};
const struct table profile_table = {
	"", profile_fields, NFIELDS(profile_fields), sizeof (struct profile)
};

/* ---- value rules ---- */

static char *
check_name(const char *s)
{
	const unsigned char *u;

	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return xasprintf("\"%s\" cannot be used as a name", s);
	if (s[0] == '-')
		return xstrdup("must not start with '-' (it would read as an option)");
	if (strchr(s, '/') != NULL)
		return xstrdup("must not contain '/' (it names a directory)");
	for (u = (const unsigned char *)s; *u; u++)
		if (*u < 0x20 || *u == 0x7f)
			return xstrdup("must not contain control characters");
	/* It names a run directory and shows in every table. */
	if (!str_utf8_valid(s))
		return xstrdup("is not valid UTF-8");
	return NULL;
}

static char *
check_arch(const char *s)
{
	char *q, *why;

	if (arch_find(s) != NULL)
		return NULL;
	q = pf_quote(s);
	why = xasprintf("%s is not one of %s", q, arch_names());
	free(q);
	return why;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
		return (ch | 0x20) - 'a' + 10;
	return -1;
}

static char *
check_mac(const char *s)
{
	char *q, *why;
	int i;

	for (i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : hexval(s[i]) < 0)
			break;
	}
	if (i < 17 || s[17] != '\0') {
		q = pf_quote(s);
		why = xasprintf("%s is not a MAC address like 52:54:00:12:34:56", q);
		free(q);
		return why;
	}
	/* A NIC needs a unicast address: the low bit of the first byte clear. */
	if (hexval(s[1]) & 1)
		return xasprintf("\"%s\" is a multicast address (the first byte "
		    "must be even, e.g. 52:54:00:...)", s);
	return NULL;
}

static char *
check_ifname(const char *s)
{
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strpbrk(s, "/: \t\n") != NULL)
		return xstrdup("is not an interface name (no '/', ':' or spaces)");
	return NULL;
}

static char *
check_ipv4(const char *s)
{
	struct in_addr a;
	char *q, *why;

	if (inet_pton(AF_INET, s, &a) == 1)
		return NULL;
	q = pf_quote(s);
	why = xasprintf("%s is not an IPv4 address like 127.0.0.1", q);
	free(q);
	return why;
}

static char *
check_regex(const char *s)
{
	regex_t re;
	char msg[128];
	int rc;

	if ((rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB)) == 0) {
		regfree(&re);
		return NULL;
	}
	regerror(rc, &re, msg, sizeof msg);
	return xasprintf("is not an extended regular expression: %s", msg);
}

static char *
check_cidr(const char *s)
{
	const char *slash = strchr(s, '/');
	struct in_addr a;
	char *addr, *end, *q, *why = NULL;
	long bits = 32;

	addr = slash != NULL ? xstrndup(s, (size_t)(slash - s)) : xstrdup(s);
	if (slash != NULL) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || errno != 0)
			bits = -1;
	}
	if (inet_pton(AF_INET, addr, &a) != 1 || bits < 0 || bits > 32) {
		q = pf_quote(s);
		why = xasprintf("%s is not an address like 172.16.0.1/24", q);
		free(q);
	}
	free(addr);
	return why;
}

/* QEMU's rule for ids: a letter, then letters, digits, '-', '.', '_'. */
static char *
check_id(const char *s)
{
	char *q, *why;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];
		int alpha = (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';

		if (!alpha && (i == 0 || !((ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_')))
			break;
	}
	if (i > 0 && s[i] == '\0')
		return NULL;
	q = pf_quote(s);
	why = xasprintf("%s is not an id (a letter, then letters, digits, '-', "
	    "'.' or '_')", q);
	free(q);
	return why;
}

static char *
check_disk_size(const char *s)
{
	uint64_t bytes;
	char *q, *why;

	if (image_parse_size(s, &bytes) == 0 && bytes > 0)
		return NULL;
	q = pf_quote(s);
	why = xasprintf("%s is not a disk size (like 8G, 512M, 204800K)", q);
	free(q);
	return why;
}

/* ---- defaults ---- */

static char *
default_name(const struct profile *p)
{
	const char *base = strrchr(p->path, '/');

	char *name, *c;

	base = base != NULL ? base + 1 : p->path;
	if (pf_has_suffix(base, ".json"))
		name = xstrndup(base, strlen(base) - 5);
	else
		name = xstrdup(base);
	bool utf8 = str_utf8_valid(name);

	/* A file named "a\nb.json" must not break a table: show what can be shown. */
	for (c = name; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || (!utf8 && (unsigned char)*c >= 0x80))
			*c = '?';
	return name;
}

static char *
default_arch(const struct profile *p)
{
	const char *host = arch_host();

	(void)p;
	return xstrdup(host != NULL ? host : "x86_64");
}

static char *
default_append(const struct profile *p)
{
	const struct arch_info *ai = arch_find(p->arch);

	if (p->kernel == NULL || ai == NULL)
		return NULL;
	return xasprintf("console=%s", ai->console);
}

void
profile_name_mac(const char *name, char out[18])
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a: stable, and enough to spread names */
	const unsigned char *u;

	for (u = (const unsigned char *)name; *u != '\0'; u++)
		h = (h ^ *u) * 0x100000001b3ULL;
	/* 52:54:00 is QEMU's locally administered prefix, as its own default has. */
	snprintf(out, 18, "52:54:00:%02x:%02x:%02x", (unsigned)(h >> 40) & 0xff,
	    (unsigned)(h >> 32) & 0xff, (unsigned)(h >> 24) & 0xff);
}

static char *
default_mac(const struct profile *p)
{
	char mac[18];

	if (p->name == NULL)
		return NULL;
	profile_name_mac(p->name, mac);
	return xstrdup(mac);
}

/* ---- the reference's texts that come from the arch table ---- */

static char *
doc_cpu(void)
{
	char *a = pf_arch_default_text(offsetof(struct arch_info, cpu_accel), "");
	char *t = pf_arch_default_text(offsetof(struct arch_info, cpu_tcg), "");
	char *s = xasprintf("with kvm/hvf: %s; with tcg: %s", a, t);

	free(a);
	free(t);
	return s;
}

static char *
doc_append(void)
{
	char *c = pf_arch_default_text(offsetof(struct arch_info, console),
	    "console=");
	char *s = xasprintf("%s, when kernel is set", c);

	free(c);
	return s;
}

static char *
doc_arch_type(void)
{
	return xasprintf("one of: %s", arch_names());
}

/* ---- rules that involve more than one field ---- */

/* How a drive's file is made: one source at most, and only for a local file. */
static void
check_drive_recipe(struct ctx *c, const struct drive *d, size_t i)
{
	struct jpath jp = { .n = 0 };

	if (d->from != NULL && d->backing != NULL) {
		jp_at(&jp, "drives", NULL, (long)i, "backing");
		pf_problem(c, &jp, jp.n, 0, "cannot go with from: file is either "
		    "converted from a source or an overlay on a base; remove one");
	}
	if (d->backing != NULL && d->format != NULL && strcmp(d->format, "qcow2") != 0) {
		jp_at(&jp, "drives", NULL, (long)i, "format");
		pf_problem(c, &jp, jp.n, 0, "must be qcow2 with backing (an overlay "
		    "is a qcow2 file), or left out");
	}
	if (d->from_format != NULL && d->from == NULL) {
		jp_at(&jp, "drives", NULL, (long)i, "from_format");
		pf_problem(c, &jp, jp.n, 0, "needs from (the image it is the format "
		    "of)");
	}
	if (d->backing_format != NULL && d->backing == NULL) {
		jp_at(&jp, "drives", NULL, (long)i, "backing_format");
		pf_problem(c, &jp, jp.n, 0, "needs backing (the image it is the "
		    "format of)");
	}
	if ((d->from != NULL || d->backing != NULL || d->size != NULL) &&
	    d->file != NULL && pf_is_url(d->file)) {
		jp_at(&jp, "drives", NULL, (long)i, d->from != NULL ? "from" :
		    d->backing != NULL ? "backing" : "size");
		pf_problem(c, &jp, jp.n, 0, "makes a local file, but file is a "
		    "URL; remove it or give a file name");
	}
	if (d->media != NULL && strcmp(d->media, "cdrom") == 0 &&
	    (d->from != NULL || d->backing != NULL || d->size != NULL)) {
		jp_at(&jp, "drives", NULL, (long)i, d->from != NULL ? "from" :
		    d->backing != NULL ? "backing" : "size");
		pf_problem(c, &jp, jp.n, 0, "is for disks, not a cdrom (an ISO is "
		    "used as it is)");
	}
}

/* Checked after each field's own rules, before the files. */
void
pf_check_cross(struct ctx *c)
{
	const struct profile *p = c->p;
	const struct net_config *n = &p->net;
	const struct forward *a, *b;
	struct jpath jp = { .n = 0 };
	size_t i, j;

	if (p->kernel == NULL && p->initrd != NULL) {
		jp_at(&jp, "initrd", NULL, -1, NULL);
		pf_problem(c, &jp, jp.n, 0, "needs kernel (QEMU loads an initrd "
		    "only with -kernel)");
	}
	if (p->kernel == NULL && p->append != NULL) {
		jp_at(&jp, "append", NULL, -1, NULL);
		pf_problem(c, &jp, jp.n, 0, "needs kernel (QEMU refuses -append "
		    "without -kernel)");
	}
	if (n->ifname == NULL && (n->mode == NET_TAP ||
	    n->mode == NET_VMNET_BRIDGED)) {
		jp_at(&jp, "network", "mode", -1, NULL);
		if (n->mode == NET_TAP)
			pf_problem(c, &jp, jp.n, 0, "tap needs network.ifname (a "
			    "tap device you own, e.g. tap0: ip tuntap add dev "
			    "tap0 mode tap user $USER)");
		else
			pf_problem(c, &jp, jp.n, 0, "vmnet-bridged needs "
			    "network.ifname (the host interface to bridge, "
			    "e.g. en0)");
	}
	if (n->mode == NET_BRIDGE && n->bridge == NULL) {
		jp_at(&jp, "network", "mode", -1, NULL);
		pf_problem(c, &jp, jp.n, 0, "bridge needs network.bridge (the host "
		    "bridge to join, e.g. br0)");
	}
	if (n->bridge != NULL && n->mode != NET_BRIDGE) {
		jp_at(&jp, "network", "bridge", -1, NULL);
		pf_problem(c, &jp, jp.n, 0, "only works with mode bridge (mode is %s)",
		    net_mode_name(n->mode));
	}
	if (n->create && n->mode != NET_TAP) {
		jp_at(&jp, "network", "create", -1, NULL);
		pf_problem(c, &jp, jp.n, 0, "only works with mode tap (mode is %s): "
		    "remove it or set network.mode to tap", net_mode_name(n->mode));
	}
	if (n->nforwards > 0 && n->mode != NET_USER) {
		jp_at(&jp, "network", "forwards", -1, NULL);
		pf_problem(c, &jp, jp.n, 0, "only work with mode user (mode is %s)",
		    net_mode_name(n->mode));
	}
	for (i = 0; i < n->nforwards; i++) {
		a = &n->forwards[i];
		jp_at(&jp, "network", "forwards", (long)i, "host_port");
		for (j = 0; j < i; j++) {
			b = &n->forwards[j];
			if (a->host_port == b->host_port && a->proto != NULL &&
			    b->proto != NULL && strcmp(a->proto, b->proto) == 0)
				pf_problem(c, &jp, jp.n, 0, "%s port %d is also "
				    "forwarded by network.forwards[%zu]",
				    a->proto, a->host_port, j);
		}
		/* The same rule as net.c's endpoint: no host or a loopback one
		 * with user networking gets the forward to the guest's 22. */
		if (n->mode == NET_USER && (p->ssh.host == NULL ||
		    net_host_is_loopback(p->ssh.host)) &&
		    p->ssh.port > 0 && a->host_port == p->ssh.port &&
		    a->proto != NULL && strcmp(a->proto, "tcp") == 0)
			pf_problem(c, &jp, jp.n, 0, "%d is also ssh.port, which is "
			    "already forwarded to the guest's port 22",
			    a->host_port);
	}
	for (i = 0; i < p->ndrives; i++)
		check_drive_recipe(c, &p->drives[i], i);
	for (i = 0; i < p->ndrives; i++) {
		if (p->drives[i].id == NULL)
			continue;
		for (j = 0; j < i; j++) {
			if (p->drives[j].id == NULL ||
			    strcmp(p->drives[i].id, p->drives[j].id) != 0)
				continue;
			jp_at(&jp, "drives", NULL, (long)i, "id");
			pf_problem(c, &jp, jp.n, 0, "\"%s\" is also the id of "
			    "drives[%zu]", p->drives[i].id, j);
		}
	}
}

char *
pf_missing_hint(const struct field *f, const void *base, const char *path)
{
	const struct drive *d = base;
	char *q = shell_quote(path), *h;

	switch (f->hint) {
	case HINT_DISK:
		if (d->media != NULL && strcmp(d->media, "cdrom") == 0)
			h = xstrdup("fix the path");
		else
			h = xasprintf("create it with: qemu-img create -f %s %s "
			    "10G, or fix the path",
			    d->format != NULL ? d->format : "qcow2", q);
		break;
	case HINT_KEY:
		h = xasprintf("create a key with: ssh-keygen -t ed25519 -N '' "
		    "-f %s, or fix the path", q);
		break;
	default:
		h = xstrdup("fix the path");
		break;
	}
	free(q);
	return h;
}

void
pf_drive_missing(struct ctx *c, const struct jpath *jp, const struct drive *d)
{
	struct jpath at = *jp;
	const char *src = d->from != NULL ? d->from : d->backing, *fmt, *base;
	size_t idx = jp->n >= 2 ? jp->s[jp->n - 2].idx : 0;
	struct stat st;
	char *q, *file;

	if (src != NULL) {
		/* Made at start from a source: only a missing source is a problem. */
		if (stat(src, &st) == 0)
			return;
		at.s[at.n - 1].key = d->from != NULL ? "from" : "backing";
		c->ndisk++;
		pf_problem(c, &at, at.n, 0, "%s does not exist (%s is %s it at "
		    "start: build or fetch it, or fix the path)", src, d->file,
		    d->from != NULL ? "converted from" : "made as an overlay on");
		return;
	}
	if (d->size != NULL)
		return;		/* made blank at start */
	c->ndisk++;
	if (d->media != NULL && strcmp(d->media, "cdrom") == 0) {
		pf_problem(c, jp, jp->n, 0, "%s does not exist (download the ISO "
		    "there, or fix the path)", d->file);
		return;
	}
	fmt = d->format != NULL ? d->format : "qcow2";
	/* The profile by its canonical directory, as the disk is named. */
	base = strrchr(c->p->path, '/');
	file = path_join(c->p->dir, base != NULL ? base + 1 : c->p->path);
	q = shell_quote(d->file);
	pf_problem(c, jp, jp->n, 0, "%s does not exist (add \"size\": \"%s\" to "
	    "drives[%zu] in %s to have it made at start, or make it now: "
	    "qemu-tui image create %s %s --format %s; or give \"from\" to convert "
	    "an image into it, or fix the path)", d->file, PROFILE_BLANK_DISK_SIZE,
	    idx, file, q, PROFILE_BLANK_DISK_SIZE, fmt);
	free(file);
	free(q);
}

const char *
net_mode_name(enum net_mode m)
{
	if ((int)m < 0 || (int)m > NET_BRIDGE)
		return "unknown";
	return mode_values[m];
}

