/* VM profiles: JSON file -> struct profile, driven by one field table. */
#include "profile.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "arch.h"
#include "xdg.h"

#ifndef QT_PROFILES_DIR
#define QT_PROFILES_DIR "/usr/local/share/qemu-tui/profiles"
#endif

/*
 * Our schema is four levels deep (network.forwards[0].host_port); anything
 * much deeper is a mistake, and a small limit keeps json-c's recursion cheap.
 */
#define PARSE_DEPTH 16

enum ftype {
	T_STR,		/* char * */
	T_INT,		/* int, min..max */
	T_BOOL,		/* bool */
	T_ENUM,		/* char *, one of values[] */
	T_MODE,		/* enum net_mode: the index into values[] */
	T_SIZE,		/* char *, "512M" */
	T_LIST,		/* char ** and a size_t count */
	T_OBJ,		/* a nested struct described by sub */
	T_OBJLIST,	/* an array of structs described by sub, and a size_t count */
};

#define F_PATH	 0x01	/* relative to the profile's directory, ~/ is HOME */
#define F_EXISTS 0x02	/* the file must exist (checked after everything else) */
#define F_BINARY 0x04	/* resolved only when it contains a '/' (else PATH) */
#define F_NOSET	 0x08	/* not settable with --set */
#define F_REQ	 0x10	/* must be given */
#define F_URL	 0x20	/* "nbd://...", "fat:..." are left alone */
#define F_STICKY 0x40	/* checked while parsing: a bad value is not kept */

enum hint { HINT_FIX, HINT_DISK, HINT_KEY };

struct table;

struct field {
	const char *key;
	enum ftype type;
	unsigned flags;
	size_t off;
	size_t count_off;		/* T_LIST, T_OBJLIST */
	long long min, max;		/* T_INT range; T_STR length in bytes */
	const char *const *values;	/* T_ENUM, T_MODE */
	const struct table *sub;	/* T_OBJ, T_OBJLIST */
	const char *def;		/* the default, spelled as in JSON */
	size_t arch_off;		/* default from struct arch_info (0: none) */
	char *(*dyn_def)(const struct profile *);
	char *(*check)(const char *);	/* extra format rule: why not, or NULL */
	enum hint hint;			/* F_EXISTS: how to fix a missing file */
	const char *doc_def;		/* the default as profile-help shows it */
	char *(*doc_fn)(void);		/* ... when it comes from the arch table */
	const char *help;
};

struct table {
	const char *name;		/* "", "network", "drives[]" */
	const struct field *fields;
	size_t nfields;
	size_t size;			/* of one element (T_OBJLIST) */
};

#define NFIELDS(a) (sizeof (a) / sizeof (a)[0])

static const char *const accel_values[] = {
	"auto", "kvm", "hvf", "whpx", "tcg", NULL
};
/* Same order as enum net_mode. */
static const char *const mode_values[] = {
	"user", "tap", "vmnet-shared", "vmnet-host", "vmnet-bridged", "none", NULL
};
static const char *const if_values[] = {
	"virtio", "ide", "floppy", "scsi", "nvme", "virtio-mmio", "none",
	"pflash", "sd", NULL
};
static const char *const media_values[] = { "disk", "cdrom", NULL };
static const char *const proto_values[] = { "tcp", "udp", NULL };
static const char *const hkc_values[] = { "ask", "accept-new", "off", NULL };

_Static_assert(NET_NONE == 5, "mode_values must follow enum net_mode");

static char *check_name(const char *);
static char *check_arch(const char *);
static char *check_mac(const char *);
static char *check_ifname(const char *);
static char *check_cidr(const char *);
static char *check_ipv4(const char *);
static char *check_id(const char *);
static char *default_name(const struct profile *);
static char *default_arch(const struct profile *);
static char *default_append(const struct profile *);
static char *doc_cpu(void);
static char *doc_append(void);

#define FW(m) offsetof(struct forward, m)
static const struct field forward_fields[] = {
	{ .key = "proto", .type = T_ENUM, .off = FW(proto),
	  .values = proto_values, .def = "tcp",
	  .help = "Protocol of the forwarded port." },
	{ .key = "host_addr", .type = T_STR, .off = FW(host_addr), .min = 1,
	  .check = check_ipv4, .def = "127.0.0.1",
	  .help = "Host IPv4 address to listen on (0.0.0.0: every interface)." },
	{ .key = "host_port", .type = T_INT, .flags = F_REQ,
	  .off = FW(host_port), .min = 1, .max = 65535,
	  .help = "Port on the host." },
	{ .key = "guest_port", .type = T_INT, .flags = F_REQ,
	  .off = FW(guest_port), .min = 1, .max = 65535,
	  .help = "Port in the guest it is forwarded to." },
};
static const struct table forward_table = {
	"network.forwards[]", forward_fields, NFIELDS(forward_fields),
	sizeof (struct forward)
};

#define DR(m) offsetof(struct drive, m)
static const struct field drive_fields[] = {
	{ .key = "file", .type = T_STR,
	  .flags = F_PATH | F_EXISTS | F_REQ | F_URL, .off = DR(file),
	  .hint = HINT_DISK,
	  .help = "Image file (relative to the profile's directory), a block "
	    "device, or a QEMU URL such as nbd://host/export." },
	{ .key = "format", .type = T_STR, .off = DR(format), .min = 1,
	  .doc_def = "probed by QEMU",
	  .help = "Image format: qcow2, raw, vmdk, ... (give it: QEMU warns "
	    "when it has to guess raw)." },
	{ .key = "if", .type = T_ENUM, .off = DR(iface), .values = if_values,
	  .arch_off = offsetof(struct arch_info, disk_if),
	  .help = "How the disk is attached (nvme and virtio-mmio add the "
	    "matching -device)." },
	{ .key = "media", .type = T_ENUM, .off = DR(media),
	  .values = media_values, .doc_def = "disk",
	  .help = "cdrom for ISO images." },
	{ .key = "id", .type = T_STR, .off = DR(id), .max = 64,
	  .check = check_id, .doc_def = "drive<N>",
	  .help = "Drive id, for devices[] entries that refer to it "
	    "(drive=ID)." },
	{ .key = "readonly", .type = T_BOOL, .off = DR(readonly),
	  .def = "false", .help = "Attach read-only." },
	{ .key = "snapshot", .type = T_BOOL, .off = DR(snapshot),
	  .def = "false",
	  .help = "Throw away writes to this drive when QEMU exits." },
};
static const struct table drive_table = {
	"drives[]", drive_fields, NFIELDS(drive_fields), sizeof (struct drive)
};

#define NC(m) offsetof(struct net_config, m)
static const struct field net_fields[] = {
	{ .key = "mode", .type = T_MODE, .off = NC(mode), .values = mode_values,
	  .def = "user",
	  .help = "user: QEMU's NAT with port forwards; tap: an existing tap "
	    "device (needs ifname); vmnet-*: macOS; none: no network." },
	{ .key = "model", .type = T_STR, .off = NC(model), .min = 1,
	  .arch_off = offsetof(struct arch_info, nic_model),
	  .help = "NIC device (e1000, virtio-net-pci, virtio-net-device, ...)." },
	{ .key = "mac", .type = T_STR, .off = NC(mac), .check = check_mac,
	  .doc_def = "QEMU's (52:54:00:12:34:56)",
	  .help = "MAC address, xx:xx:xx:xx:xx:xx." },
	{ .key = "ifname", .type = T_STR, .off = NC(ifname), .min = 1,
	  .max = 15, .check = check_ifname,
	  .help = "tap: the tap device (create it once: ip tuntap add dev tap0 "
	    "mode tap user $USER); vmnet-bridged: the host interface." },
	{ .key = "host_addr", .type = T_STR, .off = NC(host_addr),
	  .check = check_cidr,
	  .help = "Host side address of the tap device with its prefix "
	    "length, e.g. 172.16.0.1/24." },
	{ .key = "forwards", .type = T_OBJLIST, .flags = F_NOSET,
	  .off = NC(forwards), .count_off = NC(nforwards),
	  .sub = &forward_table, .doc_def = "[]",
	  .help = "Host ports forwarded into the guest (mode user)." },
};
static const struct table net_table = {
	"network", net_fields, NFIELDS(net_fields), sizeof (struct net_config)
};

#define SC(m) offsetof(struct ssh_config, m)
static const struct field ssh_fields[] = {
	{ .key = "user", .type = T_STR, .off = SC(user), .min = 1,
	  .def = "root", .help = "User to log in as." },
	{ .key = "host", .type = T_STR, .off = SC(host), .min = 1,
	  .doc_def = "127.0.0.1 (user networking)",
	  .help = "Address of the guest's sshd; needed with tap and vmnet." },
	{ .key = "port", .type = T_INT, .off = SC(port), .min = 0,
	  .max = 65535, .def = "0",
	  .doc_def = "0: a free host port forwarded to the guest's 22 (user "
	    "networking), else 22",
	  .help = "SSH port; with user networking the host port forwarded to "
	    "the guest's port 22." },
	{ .key = "identity", .type = T_STR, .flags = F_PATH | F_EXISTS,
	  .off = SC(identity), .hint = HINT_KEY,
	  .doc_def = "ssh-agent and ~/.ssh keys",
	  .help = "Private key file." },
	{ .key = "host_key_check", .type = T_ENUM, .off = SC(host_key_check),
	  .values = hkc_values, .def = "ask",
	  .help = "Unknown host key: ask; accept-new: trust it the first time; "
	    "off: never check (throw-away guests)." },
	{ .key = "auto_open", .type = T_BOOL, .off = SC(auto_open),
	  .def = "false", .help = "Open an SSH pane as soon as sshd answers." },
	{ .key = "connect_timeout", .type = T_INT, .off = SC(connect_timeout),
	  .min = 1, .max = 3600, .def = "60",
	  .help = "Seconds to keep trying to connect while the guest boots." },
};
static const struct table ssh_table = {
	"ssh", ssh_fields, NFIELDS(ssh_fields), sizeof (struct ssh_config)
};

#define PF(m) offsetof(struct profile, m)
static const struct field profile_fields[] = {
	{ .key = "name", .type = T_STR, .flags = F_NOSET | F_STICKY,
	  .off = PF(name), .min = 1, .max = 64, .check = check_name,
	  .dyn_def = default_name, .doc_def = "file name without .json",
	  .help = "Unique VM name; also names the run directory. No '/', no "
	    "control characters, no leading '-'." },
	{ .key = "description", .type = T_STR, .off = PF(description),
	  .help = "Free text shown with the VM." },
	{ .key = "arch", .type = T_STR, .off = PF(arch), .check = check_arch,
	  .dyn_def = default_arch, .doc_def = "the host's (x86_64 if unknown)",
	  .help = "Guest architecture." },
	{ .key = "qemu", .type = T_STR, .flags = F_BINARY, .off = PF(qemu),
	  .min = 1, .doc_def = "qemu-system-<arch>",
	  .help = "QEMU binary: a name looked up in PATH, an absolute path, "
	    "or a path relative to the profile." },
	{ .key = "machine", .type = T_STR, .off = PF(machine), .min = 1,
	  .arch_off = offsetof(struct arch_info, machine),
	  .help = "-machine value (q35, virt-4.2, ...)." },
	{ .key = "cpu", .type = T_STR, .off = PF(cpu), .min = 1,
	  .doc_fn = doc_cpu,
	  .help = "-cpu value (SandyBridge, cortex-a53, max, ...)." },
	{ .key = "memory", .type = T_SIZE, .off = PF(memory), .def = "1G",
	  .help = "Guest RAM: a whole number with an optional K, M, G or T "
	    "suffix; no suffix means MiB (as -m)." },
	{ .key = "smp", .type = T_INT, .off = PF(smp), .min = 1, .max = 1024,
	  .def = "1", .help = "Number of virtual CPUs." },
	{ .key = "accel", .type = T_ENUM, .off = PF(accel),
	  .values = accel_values, .def = "auto",
	  .help = "Accelerator; auto uses kvm/hvf/whpx when the host can run "
	    "the guest arch natively, else tcg, and says why." },
	{ .key = "bios", .type = T_STR, .flags = F_PATH | F_EXISTS,
	  .off = PF(bios), .help = "-bios firmware file." },
	{ .key = "firmware", .type = T_STR, .flags = F_PATH | F_EXISTS,
	  .off = PF(firmware),
	  .help = "UEFI code image, attached read-only as pflash "
	    "(OVMF_CODE.fd, AAVMF_CODE.fd)." },
	{ .key = "kernel", .type = T_STR, .flags = F_PATH | F_EXISTS,
	  .off = PF(kernel), .help = "Kernel image booted directly (-kernel)." },
	{ .key = "initrd", .type = T_STR, .flags = F_PATH | F_EXISTS,
	  .off = PF(initrd), .help = "Initial ramdisk (-initrd); needs kernel." },
	{ .key = "append", .type = T_STR, .off = PF(append),
	  .dyn_def = default_append, .doc_fn = doc_append,
	  .help = "Kernel command line (-append); needs kernel." },
	{ .key = "drives", .type = T_OBJLIST, .flags = F_NOSET,
	  .off = PF(drives), .count_off = PF(ndrives), .sub = &drive_table,
	  .doc_def = "[]", .help = "Disks, in order." },
	{ .key = "devices", .type = T_LIST, .flags = F_NOSET,
	  .off = PF(devices), .count_off = PF(ndevices), .doc_def = "[]",
	  .help = "Extra -device values, passed as written "
	    "(\"virtio-rng-pci\")." },
	{ .key = "network", .type = T_OBJ, .off = PF(net), .sub = &net_table,
	  .doc_def = "{ \"mode\": \"user\" }", .help = "Guest network." },
	{ .key = "ssh", .type = T_OBJ, .off = PF(ssh), .sub = &ssh_table,
	  .doc_def = "{}", .help = "How to reach the guest's sshd." },
	{ .key = "snapshot", .type = T_BOOL, .off = PF(snapshot),
	  .def = "false",
	  .help = "-snapshot: writes to every drive are thrown away when QEMU "
	    "exits." },
	{ .key = "display", .type = T_STR, .off = PF(display), .min = 1,
	  .doc_def = "none",
	  .help = "-display value (gtk, sdl, vnc=:1, ...); the serial console "
	    "is in the dashboard either way." },
	{ .key = "extra_args", .type = T_LIST, .flags = F_NOSET,
	  .off = PF(extra_args), .count_off = PF(nextra_args), .doc_def = "[]",
	  .help = "Arguments appended to the QEMU command line as they are: "
	    "one string per argument, no shell." },
	{ .key = "no_shutdown", .type = T_BOOL, .off = PF(no_shutdown),
	  .def = "false",
	  .help = "Keep QEMU running after the guest powers off "
	    "(-no-shutdown)." },
};
static const struct table profile_table = {
	"", profile_fields, NFIELDS(profile_fields), sizeof (struct profile)
};

/* ---- small helpers ---- */

static void *
slot_of(const void *base, const struct field *f)
{
	return (char *)base + f->off;
}

static size_t *
count_of(const void *base, const struct field *f)
{
	return (size_t *)((char *)base + f->count_off);
}

static int
is_string_type(enum ftype t)
{
	return t == T_STR || t == T_ENUM || t == T_SIZE;
}

static const struct field *
field_find(const struct table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].key, key) == 0)
			return &t->fields[i];
	return NULL;
}

static int
enum_index(const char *const *values, const char *s)
{
	int i;

	for (i = 0; values[i] != NULL; i++)
		if (strcmp(values[i], s) == 0)
			return i;
	return -1;
}

static char *
join_values(const char *const *values)
{
	size_t i, n = 0;
	char *s;

	for (i = 0; values[i] != NULL; i++)
		n += strlen(values[i]) + 2;
	s = xmalloc(n + 1);
	s[0] = '\0';
	for (i = 0; values[i] != NULL; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, values[i]);
	}
	return s;
}

/* A value for a message: quoted, escaped, cut short, so it cannot mess up a terminal. */
static char *
quote(const char *s)
{
	size_t i, o = 0, max = 48;
	char *out = xmalloc(max * 4 + 8);

	out[o++] = '"';
	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f)
			o += (size_t)sprintf(out + o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	if (s[i] != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "nbd://host/x", "fat:rw:/dir": QEMU protocols, not file names. */
static int
is_url(const char *s)
{
	size_t i = 0;

	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
	    s[i] == '-' || s[i] == '.')))
		i++;
	/* Two letters at least, so "c:..." stays a (strange) relative file name. */
	return i >= 2 && s[i] == ':';
}

static int
close_enough(const char *typed, const char *known, size_t *best)
{
	size_t d = str_distance(typed, known);
	size_t limit = strlen(typed) <= 3 ? 1 : 2;

	if (d <= limit && d < *best) {
		*best = d;
		return 1;
	}
	return 0;
}

static const char *
suggest_key(const struct table *t, const char *key)
{
	const char *found = NULL;
	size_t i, best = SIZE_MAX;

	for (i = 0; i < t->nfields; i++)
		if (close_enough(key, t->fields[i].key, &best))
			found = t->fields[i].key;
	return found;
}

/* ---- where things are in the source text ---- */

/*
 * json-c keeps no positions, so errors about a value find it again in the
 * text. The text already parsed, so this scanner only needs to skip what
 * json-c's non-strict mode accepts: comments, both quote styles, trailing
 * commas.
 */
struct seg {
	const char *key;	/* NULL: an array index */
	size_t idx;
};

#define JP_MAX 8		/* deeper than the schema goes */

struct jpath {
	struct seg s[JP_MAX];
	int n;
};

static void
jp_key(struct jpath *jp, const char *key)
{
	if (jp->n >= JP_MAX)
		fatal("profile path too deep");
	jp->s[jp->n].key = key;
	jp->s[jp->n].idx = 0;
	jp->n++;
}

static void
jp_idx(struct jpath *jp, size_t idx)
{
	if (jp->n >= JP_MAX)
		fatal("profile path too deep");
	jp->s[jp->n].key = NULL;
	jp->s[jp->n].idx = idx;
	jp->n++;
}

static char *
jp_name(const struct jpath *jp, int n)
{
	char *s = xstrdup(""), *t;
	int i;

	for (i = 0; i < n; i++) {
		if (jp->s[i].key == NULL)
			t = xasprintf("%s[%zu]", s, jp->s[i].idx);
		else
			t = xasprintf("%s%s%s", s, i > 0 ? "." : "", jp->s[i].key);
		free(s);
		s = t;
	}
	return s;
}

static size_t
bom_len(const char *s, size_t len)
{
	return len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

static size_t
skip_space(const char *s, size_t len, size_t i)
{
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			i++;
		else if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			i += 2;
			while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			i = i + 2 < len ? i + 2 : len;
		} else
			break;
	}
	return i;
}

static size_t
skip_string(const char *s, size_t len, size_t i)
{
	char q = s[i++];

	while (i < len && s[i] != q) {
		if (s[i] == '\\')
			i++;
		i++;
	}
	return i < len ? i + 1 : len;
}

static size_t
skip_value(const char *s, size_t len, size_t i)
{
	int depth = 0;

	if (i >= len)
		return len;
	if (s[i] == '"' || s[i] == '\'')
		return skip_string(s, len, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < len && strchr(",]} \t\r\n/", s[i]) == NULL)
			i++;
		return i;
	}
	while (i < len) {
		i = skip_space(s, len, i);
		if (i >= len)
			break;
		if (s[i] == '"' || s[i] == '\'') {
			i = skip_string(s, len, i);
			continue;
		}
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
			return i + 1;
		i++;
	}
	return len;
}

/* Does the quoted key at s[i] spell key? (Escaped keys never match: no position then.) */
static int
key_is(const char *s, size_t len, size_t i, size_t end, const char *key)
{
	size_t n = strlen(key);

	return end - i == n + 2 && i + n + 1 < len &&
	    memcmp(s + i + 1, key, n) == 0 && memchr(s + i + 1, '\\', n) == NULL;
}

/*
 * Offset of the value at the first n segments of jp (or of its key), or
 * (size_t)-1. The last of duplicate keys wins, as in json-c.
 */
static size_t
locate(const char *s, size_t len, const struct jpath *jp, int n, int want_key)
{
	size_t i = skip_space(s, len, bom_len(s, len)), keyat = (size_t)-1;
	size_t val, k, end;
	int d;

	for (d = 0; d < n; d++) {
		if (jp->s[d].key != NULL) {
			if (i >= len || s[i] != '{')
				return (size_t)-1;
			val = (size_t)-1;
			i++;
			for (;;) {
				i = skip_space(s, len, i);
				if (i >= len || (s[i] != '"' && s[i] != '\''))
					break;
				end = skip_string(s, len, i);
				k = i;
				i = skip_space(s, len, end);
				if (i >= len || s[i] != ':')
					return (size_t)-1;
				i = skip_space(s, len, i + 1);
				if (key_is(s, len, k, end, jp->s[d].key)) {
					keyat = k;
					val = i;
				}
				i = skip_space(s, len, skip_value(s, len, i));
				if (i < len && s[i] == ',')
					i++;
			}
			if (val == (size_t)-1)
				return (size_t)-1;
			i = val;
		} else {
			if (i >= len || s[i] != '[')
				return (size_t)-1;
			i++;
			for (k = 0;; k++) {
				i = skip_space(s, len, i);
				if (i >= len || s[i] == ']')
					return (size_t)-1;
				if (k == jp->s[d].idx)
					break;
				i = skip_space(s, len, skip_value(s, len, i));
				if (i < len && s[i] == ',')
					i++;
			}
			keyat = i;
		}
	}
	return want_key && n > 0 ? keyat : i;
}

/* ---- collecting the first problem ---- */

struct ctx {
	struct profile *p;
	const char *src;	/* NULL after --set: no positions */
	size_t len;
	char *first;		/* the problem ->broken reports */
};

static char *
where(const struct ctx *c, size_t off)
{
	int line = 1, col = 1;
	size_t i;

	if (c->src == NULL || off == (size_t)-1)
		return xasprintf("%s: ", c->p->path);
	for (i = bom_len(c->src, c->len); i < off && i < c->len; i++) {
		if (c->src[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)c->src[i] & 0xc0) != 0x80)
			col++;	/* characters, not bytes, as editors count */
	}
	return xasprintf("%s:%d:%d: ", c->p->path, line, col);
}

static void __attribute__((format(printf, 3, 4)))
problem_at(struct ctx *c, size_t off, const char *fmt, ...)
{
	va_list ap;
	char *w, *msg;

	if (c->first != NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	w = where(c, off);
	c->first = xasprintf("%s%s", w, msg);
	free(w);
	free(msg);
}

/*
 * A problem with the value at the first n segments of jp, or with its key
 * (at_key: unknown keys), labelled with the field's dotted name.
 */
static void __attribute__((format(printf, 5, 6)))
problem(struct ctx *c, const struct jpath *jp, int n, int at_key,
    const char *fmt, ...)
{
	size_t off = (size_t)-1;
	char *w, *label, *msg;
	va_list ap;
	int m;

	if (c->first != NULL)
		return;
	if (c->src != NULL) {
		off = locate(c->src, c->len, jp, n, at_key);
		/* A missing key: point at the nearest thing that is there. */
		for (m = n - 1; off == (size_t)-1 && m >= 0; m--)
			off = locate(c->src, c->len, jp, m, 0);
	}
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	w = where(c, off);
	label = jp_name(jp, at_key ? n - 1 : n);
	c->first = xasprintf("%s%s%s%s", w, label, *label ? ": " : "", msg);
	free(label);
	free(w);
	free(msg);
}

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
	return NULL;
}

static char *
check_arch(const char *s)
{
	char *q, *why;

	if (arch_find(s) != NULL)
		return NULL;
	q = quote(s);
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
		q = quote(s);
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
	q = quote(s);
	why = xasprintf("%s is not an IPv4 address like 127.0.0.1", q);
	free(q);
	return why;
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
		q = quote(s);
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
	q = quote(s);
	why = xasprintf("%s is not an id (a letter, then letters, digits, '-', "
	    "'.' or '_')", q);
	free(q);
	return why;
}

static char *
check_size(const char *s)
{
	unsigned long long v = 0, limit;
	const char *p = s;
	char *q, *why;
	int shift = 20;	/* plain numbers are MiB, as for -m */

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			goto big;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	switch (*p) {
	case 'K': case 'k': shift = 10; p++; break;
	case 'M': case 'm': shift = 20; p++; break;
	case 'G': case 'g': shift = 30; p++; break;
	case 'T': case 't': shift = 40; p++; break;
	}
	if (*p != '\0')
		goto bad;
	if (v == 0)
		return xstrdup("must be more than 0");
	limit = (1ULL << 62) >> shift;
	if (v > limit)
		goto big;
	return NULL;
bad:
	q = quote(s);
	why = xasprintf("%s is not a size like 512M or 8G (a whole number with "
	    "an optional K, M, G or T; no suffix means MiB)", q);
	free(q);
	return why;
big:
	q = quote(s);
	why = xasprintf("%s is too large", q);
	free(q);
	return why;
}

/* Why the string s does not fit field f, or NULL. */
static char *
check_string(const struct field *f, const char *s)
{
	size_t n = strlen(s);
	char *q, *vals, *why;

	switch (f->type) {
	case T_ENUM:
	case T_MODE:
		if (enum_index(f->values, s) >= 0)
			return NULL;
		q = quote(s);
		vals = join_values(f->values);
		why = xasprintf("%s is not one of %s", q, vals);
		free(vals);
		free(q);
		return why;
	case T_SIZE:
		return check_size(s);
	default:
		break;
	}
	if (f->min > 0 && n == 0)
		return xstrdup("must not be empty");
	if (f->max > 0 && n > (size_t)f->max) {
		q = quote(s);
		why = xasprintf("%s is longer than %lld bytes", q, f->max);
		free(q);
		return why;
	}
	return f->check != NULL ? f->check(s) : NULL;
}

static char *
expect_text(const struct field *f)
{
	char *vals, *s;

	switch (f->type) {
	case T_INT:
		return xasprintf("a whole number %lld..%lld", f->min, f->max);
	case T_BOOL:
		return xstrdup("true or false");
	case T_ENUM:
	case T_MODE:
		vals = join_values(f->values);
		s = xasprintf("one of %s", vals);
		free(vals);
		return s;
	case T_SIZE:
		return xstrdup("a size like 512M or 8G");
	case T_LIST:
		return xstrdup("a list of strings");
	case T_OBJ:
		return xstrdup("an object { ... }");
	case T_OBJLIST:
		return xstrdup("a list of objects");
	case T_STR:
		break;
	}
	return xstrdup("a string");
}

static char *
got_text(json_object *o)
{
	char *q, *s;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return xstrdup("null");
	case json_type_boolean:
		return xstrdup(json_object_get_boolean(o) ? "true" : "false");
	case json_type_int:
	case json_type_double:
		return xstrdup(json_object_get_string(o));
	case json_type_string:
		q = quote(json_object_get_string(o));
		s = xasprintf("a string (%s)", q);
		free(q);
		return s;
	case json_type_object:
		return xstrdup("an object");
	case json_type_array:
		return xstrdup("a list");
	}
	return xstrdup("something else");
}

static char *
check_int(const struct field *f, long long v)
{
	if (v >= f->min && v <= f->max)
		return NULL;
	return xasprintf("expected a whole number %lld..%lld, got %lld", f->min,
	    f->max, v);
}

/* ---- defaults ---- */

static char *
default_name(const struct profile *p)
{
	const char *base = strrchr(p->path, '/');

	base = base != NULL ? base + 1 : p->path;
	if (has_suffix(base, ".json"))
		return xstrndup(base, strlen(base) - 5);
	return xstrdup(base);
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

static char *
default_value(const struct profile *p, const struct field *f)
{
	const struct arch_info *ai;

	if (f->dyn_def != NULL)
		return f->dyn_def(p);
	if (f->arch_off != 0) {
		if ((ai = arch_find(p->arch)) == NULL)
			return NULL;
		return xstrdup(*(const char *const *)((const char *)ai +
		    f->arch_off));
	}
	if (f->def != NULL && is_string_type(f->type))
		return xstrdup(f->def);
	return NULL;
}

/* Numbers and flags get their defaults before parsing: 0 can be a real value. */
static void
init_table(const struct table *t, void *base)
{
	const struct field *f;
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		switch (f->type) {
		case T_INT:
			*(int *)slot_of(base, f) = f->def != NULL ? atoi(f->def) : 0;
			break;
		case T_BOOL:
			*(bool *)slot_of(base, f) = f->def != NULL &&
			    strcmp(f->def, "true") == 0;
			break;
		case T_MODE:
			*(enum net_mode *)slot_of(base, f) =
			    (enum net_mode)enum_index(f->values, f->def);
			break;
		case T_OBJ:
			init_table(f->sub, slot_of(base, f));
			break;
		default:
			break;
		}
	}
}

/* Strings get theirs after: some depend on others (arch, kernel). Table order matters. */
static void
fill_defaults(struct profile *p, const struct table *t, void *base)
{
	const struct field *f;
	size_t i, j;
	char **s;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		if (is_string_type(f->type)) {
			s = slot_of(base, f);
			if (*s == NULL)
				*s = default_value(p, f);
		} else if (f->type == T_OBJ)
			fill_defaults(p, f->sub, slot_of(base, f));
		else if (f->type == T_OBJLIST)
			for (j = 0; j < *count_of(base, f); j++)
				fill_defaults(p, f->sub, *(char **)slot_of(base, f) +
				    j * f->sub->size);
	}
}

/*
 * Before a --set: forget values that only hold a derived default, so they
 * follow the change (arch=aarch64 turns machine "pc" into "virt"). Walked
 * backwards so arch is still there while the fields that depend on it look.
 */
static void
undefault(struct profile *p, const struct table *t, void *base)
{
	const struct field *f;
	char **s, *d;
	size_t i, j;

	for (i = t->nfields; i-- > 0;) {
		f = &t->fields[i];
		if (f->type == T_OBJ)
			undefault(p, f->sub, slot_of(base, f));
		else if (f->type == T_OBJLIST)
			for (j = 0; j < *count_of(base, f); j++)
				undefault(p, f->sub, *(char **)slot_of(base, f) +
				    j * f->sub->size);
		if (!is_string_type(f->type) ||
		    (f->arch_off == 0 && f->dyn_def == NULL))
			continue;
		s = slot_of(base, f);
		if (*s == NULL)
			continue;
		d = default_value(p, f);
		if (d != NULL && strcmp(d, *s) == 0) {
			free(*s);
			*s = NULL;
		}
		free(d);
	}
}

static void
free_table(const struct table *t, void *base)
{
	const struct field *f;
	size_t i, j, n;
	char **list, *arr;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		switch (f->type) {
		case T_STR:
		case T_ENUM:
		case T_SIZE:
			free(*(char **)slot_of(base, f));
			*(char **)slot_of(base, f) = NULL;
			break;
		case T_LIST:
			list = *(char ***)slot_of(base, f);
			n = *count_of(base, f);
			for (j = 0; j < n; j++)
				free(list[j]);
			free(list);
			*(char ***)slot_of(base, f) = NULL;
			*count_of(base, f) = 0;
			break;
		case T_OBJ:
			free_table(f->sub, slot_of(base, f));
			break;
		case T_OBJLIST:
			arr = *(char **)slot_of(base, f);
			n = *count_of(base, f);
			for (j = 0; j < n; j++)
				free_table(f->sub, arr + j * f->sub->size);
			free(arr);
			*(char **)slot_of(base, f) = NULL;
			*count_of(base, f) = 0;
			break;
		default:
			break;
		}
	}
}

/* ---- parsing ---- */

static char *
resolve(const struct field *f, const char *dir, const char *s)
{
	if ((f->flags & F_URL) && is_url(s))
		return xstrdup(s);
	if ((f->flags & F_BINARY) && strchr(s, '/') == NULL)
		return xstrdup(s);
	if (f->flags & (F_PATH | F_BINARY))
		return path_join(dir, s);
	return xstrdup(s);
}

static void parse_table(struct ctx *, const struct table *, void *,
    json_object *, struct jpath *);

static void
parse_string(struct ctx *c, const struct field *f, void *base, const char *s,
    struct jpath *jp)
{
	char **slot = slot_of(base, f), *why;

	if ((f->flags & (F_PATH | F_BINARY)) && *s == '\0') {
		problem(c, jp, jp->n, 0, "expected a file name, got an empty "
		    "string");
		return;
	}
	if (f->flags & F_STICKY) {
		if ((why = check_string(f, s)) != NULL) {
			problem(c, jp, jp->n, 0, "%s", why);
			free(why);
			return;
		}
	}
	free(*slot);
	*slot = resolve(f, c->p->dir, s);
}

static void
parse_list(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	size_t i, k = 0, n = json_object_array_length(val);
	char **list = xcalloc(n + 1, sizeof *list);
	json_object *e;
	char *got;

	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(val, i);
		if (json_object_is_type(e, json_type_string)) {
			list[k++] = xstrdup(json_object_get_string(e));
			continue;
		}
		jp_idx(jp, i);
		got = got_text(e);
		problem(c, jp, jp->n, 0, "expected a string, got %s", got);
		free(got);
		jp->n--;
	}
	*(char ***)slot_of(base, f) = list;
	*count_of(base, f) = k;
}

static void
parse_objlist(struct ctx *c, const struct field *f, void *base,
    json_object *val, struct jpath *jp)
{
	size_t i, n = json_object_array_length(val);
	char *arr = xcalloc(n, f->sub->size), *elem, *got;
	json_object *e;

	for (i = 0; i < n; i++) {
		elem = arr + i * f->sub->size;
		init_table(f->sub, elem);
		e = json_object_array_get_idx(val, i);
		jp_idx(jp, i);
		if (json_object_is_type(e, json_type_object))
			parse_table(c, f->sub, elem, e, jp);
		else {
			got = got_text(e);
			problem(c, jp, jp->n, 0, "expected an object { ... }, "
			    "got %s", got);
			free(got);
		}
		jp->n--;
	}
	*(char **)slot_of(base, f) = arr;
	*count_of(base, f) = n;
}

static void
parse_field(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	enum json_type jt = json_object_get_type(val);
	char *exp, *got, *why;
	int64_t v;
	int i;

	if (jt == json_type_null)
		return;		/* null: the default */
	switch (f->type) {
	case T_STR:
	case T_ENUM:
		if (jt != json_type_string)
			break;
		parse_string(c, f, base, json_object_get_string(val), jp);
		return;
	case T_SIZE:
		/* A bare number is MiB, as for -m. */
		if (jt == json_type_int) {
			got = xasprintf("%lld", (long long)json_object_get_int64(val));
			parse_string(c, f, base, got, jp);
			free(got);
			return;
		}
		if (jt != json_type_string)
			break;
		parse_string(c, f, base, json_object_get_string(val), jp);
		return;
	case T_INT:
		if (jt != json_type_int)
			break;
		v = json_object_get_int64(val);
		if (v < INT_MIN || v > INT_MAX) {
			exp = expect_text(f);
			problem(c, jp, jp->n, 0, "expected %s, got %s", exp,
			    json_object_get_string(val));
			free(exp);
			return;
		}
		*(int *)slot_of(base, f) = (int)v;
		return;
	case T_BOOL:
		if (jt != json_type_boolean)
			break;
		*(bool *)slot_of(base, f) = json_object_get_boolean(val);
		return;
	case T_MODE:
		if (jt != json_type_string)
			break;
		if ((i = enum_index(f->values, json_object_get_string(val))) < 0) {
			why = check_string(f, json_object_get_string(val));
			problem(c, jp, jp->n, 0, "%s", why);
			free(why);
			return;
		}
		*(enum net_mode *)slot_of(base, f) = (enum net_mode)i;
		return;
	case T_LIST:
		if (jt != json_type_array)
			break;
		parse_list(c, f, base, val, jp);
		return;
	case T_OBJ:
		if (jt != json_type_object)
			break;
		parse_table(c, f->sub, slot_of(base, f), val, jp);
		return;
	case T_OBJLIST:
		if (jt != json_type_array)
			break;
		parse_objlist(c, f, base, val, jp);
		return;
	}
	exp = expect_text(f);
	got = got_text(val);
	problem(c, jp, jp->n, 0, "expected %s, got %s", exp, got);
	free(exp);
	free(got);
}

static char *
key_list(const struct table *t)
{
	size_t i, n = 0;
	char *s;

	for (i = 0; i < t->nfields; i++)
		n += strlen(t->fields[i].key) + 2;
	s = xmalloc(n + 1);
	s[0] = '\0';
	for (i = 0; i < t->nfields; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, t->fields[i].key);
	}
	return s;
}

static void
unknown_key(struct ctx *c, const struct table *t, const char *key,
    const struct jpath *jp)
{
	const char *near = suggest_key(t, key);
	char *q = quote(key), *keys;

	if (near != NULL)
		problem(c, jp, jp->n, 1, "unknown key %s (did you mean \"%s\"?)",
		    q, near);
	else if (t == &profile_table)
		problem(c, jp, jp->n, 1, "unknown key %s (see `qemu-tui "
		    "profile-help`)", q);
	else {
		keys = key_list(t);
		problem(c, jp, jp->n, 1, "unknown key %s (known: %s)", q, keys);
		free(keys);
	}
	free(q);
}

static void
parse_table(struct ctx *c, const struct table *t, void *base, json_object *obj,
    struct jpath *jp)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	const struct field *f;
	const char *key;

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		jp_key(jp, key);
		if ((f = field_find(t, key)) == NULL)
			unknown_key(c, t, key, jp);
		else
			parse_field(c, f, base, json_object_iter_peek_value(&it),
			    jp);
		jp->n--;
	}
	/* Only here is "missing" told apart from a 0 that was written. */
	for (f = t->fields; f < t->fields + t->nfields; f++)
		if ((f->flags & F_REQ) && !json_object_object_get_ex(obj, f->key,
		    NULL))
			problem(c, jp, jp->n, 0, "\"%s\" is required", f->key);
}

static void
parse_text(struct ctx *c)
{
	const char *s = c->src;
	size_t len = c->len, start = bom_len(s, len), end;
	struct jpath jp = { .n = 0 };
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	const char *nul;
	json_object *obj;
	char *got;

	if ((nul = memchr(s, '\0', len)) != NULL) {
		problem_at(c, (size_t)(nul - s), "a NUL byte: this is not a "
		    "text file");
		return;
	}
	if (len - start > INT_MAX) {
		problem_at(c, (size_t)-1, "too large for a profile");
		return;
	}
	if ((tok = json_tokener_new_ex(PARSE_DEPTH)) == NULL)
		fatal("out of memory");
	obj = json_tokener_parse_ex(tok, s + start, (int)(len - start));
	jerr = json_tokener_get_error(tok);
	end = start + json_tokener_get_parse_end(tok);
	if (obj == NULL) {
		if (jerr == json_tokener_error_depth)
			problem_at(c, end, "%s (a profile nests at most %d "
			    "levels)", json_tokener_error_desc(jerr), PARSE_DEPTH);
		else if (jerr != json_tokener_continue)
			problem_at(c, end, "%s", json_tokener_error_desc(jerr));
		else if (skip_space(s, len, start) == len)
			problem_at(c, (size_t)-1, "empty: expected a JSON object "
			    "{ ... }");
		else
			problem_at(c, len, "unexpected end of file (a { [ or "
			    "\" is not closed)");
		goto out;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		got = got_text(obj);
		problem_at(c, skip_space(s, len, start), "the top level must be "
		    "an object { ... }, got %s", got);
		free(got);
		goto out;
	}
	if ((end = skip_space(s, len, end)) < len)
		problem_at(c, end, "unexpected text after the closing }");
	parse_table(c, &profile_table, c->p, obj, &jp);
out:
	json_object_put(obj);
	json_tokener_free(tok);
}

/* ---- validation ---- */

static void
check_values(struct ctx *c, const struct table *t, const void *base,
    struct jpath *jp)
{
	const struct field *f;
	const char *s;
	char *why, *elem;
	size_t i, j;
	int v;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		jp_key(jp, f->key);
		switch (f->type) {
		case T_STR:
		case T_ENUM:
		case T_SIZE:
			s = *(char *const *)slot_of(base, f);
			if (s == NULL) {
				if (f->flags & F_REQ)
					problem(c, jp, jp->n - 1, 0,
					    "\"%s\" is required", f->key);
			} else if ((why = check_string(f, s)) != NULL) {
				problem(c, jp, jp->n, 0, "%s", why);
				free(why);
			}
			break;
		case T_INT:
			v = *(const int *)slot_of(base, f);
			if ((why = check_int(f, v)) != NULL) {
				problem(c, jp, jp->n, 0, "%s", why);
				free(why);
			}
			break;
		case T_OBJ:
			check_values(c, f->sub, slot_of(base, f), jp);
			break;
		case T_OBJLIST:
			elem = *(char **)slot_of(base, f);
			for (j = 0; j < *count_of(base, f); j++) {
				jp_idx(jp, j);
				check_values(c, f->sub, elem + j * f->sub->size, jp);
				jp->n--;
			}
			break;
		default:
			break;
		}
		jp->n--;
	}
}

static void
at_field(struct jpath *jp, const char *a, const char *b, long idx,
    const char *d)
{
	jp->n = 0;
	jp_key(jp, a);
	if (b != NULL)
		jp_key(jp, b);
	if (idx >= 0)
		jp_idx(jp, (size_t)idx);
	if (d != NULL)
		jp_key(jp, d);
}

/* Rules that involve more than one field. */
static void
check_cross(struct ctx *c)
{
	const struct profile *p = c->p;
	const struct net_config *n = &p->net;
	const struct forward *a, *b;
	struct jpath jp = { .n = 0 };
	size_t i, j;

	if (p->kernel == NULL && p->initrd != NULL) {
		at_field(&jp, "initrd", NULL, -1, NULL);
		problem(c, &jp, jp.n, 0, "needs kernel (QEMU loads an initrd "
		    "only with -kernel)");
	}
	if (p->kernel == NULL && p->append != NULL) {
		at_field(&jp, "append", NULL, -1, NULL);
		problem(c, &jp, jp.n, 0, "needs kernel (QEMU refuses -append "
		    "without -kernel)");
	}
	if (n->ifname == NULL && (n->mode == NET_TAP ||
	    n->mode == NET_VMNET_BRIDGED)) {
		at_field(&jp, "network", "mode", -1, NULL);
		if (n->mode == NET_TAP)
			problem(c, &jp, jp.n, 0, "tap needs network.ifname (a "
			    "tap device you own, e.g. tap0: ip tuntap add dev "
			    "tap0 mode tap user $USER)");
		else
			problem(c, &jp, jp.n, 0, "vmnet-bridged needs "
			    "network.ifname (the host interface to bridge, "
			    "e.g. en0)");
	}
	if (n->nforwards > 0 && n->mode != NET_USER) {
		at_field(&jp, "network", "forwards", -1, NULL);
		problem(c, &jp, jp.n, 0, "only work with mode user (mode is %s)",
		    net_mode_name(n->mode));
	}
	for (i = 0; i < n->nforwards; i++) {
		a = &n->forwards[i];
		at_field(&jp, "network", "forwards", (long)i, "host_port");
		for (j = 0; j < i; j++) {
			b = &n->forwards[j];
			if (a->host_port == b->host_port && a->proto != NULL &&
			    b->proto != NULL && strcmp(a->proto, b->proto) == 0)
				problem(c, &jp, jp.n, 0, "%s port %d is also "
				    "forwarded by network.forwards[%zu]",
				    a->proto, a->host_port, j);
		}
		if (n->mode == NET_USER && p->ssh.host == NULL &&
		    p->ssh.port > 0 && a->host_port == p->ssh.port &&
		    a->proto != NULL && strcmp(a->proto, "tcp") == 0)
			problem(c, &jp, jp.n, 0, "%d is also ssh.port, which is "
			    "already forwarded to the guest's port 22",
			    a->host_port);
	}
	for (i = 0; i < p->ndrives; i++) {
		if (p->drives[i].id == NULL)
			continue;
		for (j = 0; j < i; j++) {
			if (p->drives[j].id == NULL ||
			    strcmp(p->drives[i].id, p->drives[j].id) != 0)
				continue;
			at_field(&jp, "drives", NULL, (long)i, "id");
			problem(c, &jp, jp.n, 0, "\"%s\" is also the id of "
			    "drives[%zu]", p->drives[i].id, j);
		}
	}
}

static char *
missing_hint(const struct field *f, const void *base, const char *path)
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

/* Last: a missing disk still leaves a profile whose command line can be shown. */
static void
check_files(struct ctx *c, const struct table *t, const void *base,
    struct jpath *jp)
{
	const struct field *f;
	struct stat st;
	const char *s;
	char *elem, *hint;
	size_t i, j;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		jp_key(jp, f->key);
		if (f->type == T_OBJ)
			check_files(c, f->sub, slot_of(base, f), jp);
		else if (f->type == T_OBJLIST) {
			elem = *(char **)slot_of(base, f);
			for (j = 0; j < *count_of(base, f); j++) {
				jp_idx(jp, j);
				check_files(c, f->sub, elem + j * f->sub->size, jp);
				jp->n--;
			}
		} else if ((f->flags & F_EXISTS) &&
		    (s = *(char *const *)slot_of(base, f)) != NULL &&
		    !((f->flags & F_URL) && is_url(s))) {
			if (stat(s, &st) == 0) {
				if (S_ISDIR(st.st_mode))
					problem(c, jp, jp->n, 0, "%s is a directory, "
					    "not a file", s);
				else if (access(s, R_OK) == -1)
					problem(c, jp, jp->n, 0, "%s is not readable: "
					    "%s", s, strerror(errno));
			} else if (errno == ENOENT || errno == ENOTDIR) {
				hint = missing_hint(f, base, s);
				problem(c, jp, jp->n, 0, "%s does not exist (%s)", s,
				    hint);
				free(hint);
			} else
				problem(c, jp, jp->n, 0, "%s: %s", s, strerror(errno));
		}
		jp->n--;
	}
}

static void
validate(struct ctx *c)
{
	struct jpath jp = { .n = 0 };

	check_values(c, &profile_table, c->p, &jp);
	check_cross(c);
	check_files(c, &profile_table, c->p, &jp);
}

/* ---- loading ---- */

/* The profile's directory, absolute: QEMU runs from / (-daemonize). */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d, *cwd, *abs;

	if (slash == NULL)
		d = xstrdup("");
	else if (slash == path)
		return xstrdup("/");
	else
		d = xstrndup(path, (size_t)(slash - path));
	/* A canonical directory keeps "dir/../x" out of command lines and messages. */
	if ((abs = realpath(d[0] ? d : ".", NULL)) != NULL) {
		free(d);
		return abs;
	}
	if (d[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return d;
	if (d[0] == '\0' || strcmp(d, ".") == 0)
		abs = xstrdup(cwd);
	else
		abs = path_join(cwd, strncmp(d, "./", 2) == 0 ? d + 2 : d);
	free(cwd);
	free(d);
	return abs;
}

static struct profile *
profile_new(const char *path)
{
	struct profile *p = xcalloc(1, sizeof *p);

	p->path = xstrdup(path != NULL ? path : "(profile)");
	p->dir = dir_of(p->path);
	init_table(&profile_table, p);
	return p;
}

struct profile *
profile_parse(const char *path, const char *text, size_t len)
{
	struct profile *p = profile_new(path);
	struct ctx c = { .p = p, .src = text, .len = len };

	parse_text(&c);
	/* What parsing found stays, whatever --set changes later. */
	if (c.first != NULL)
		p->load_error = xstrdup(c.first);
	fill_defaults(p, &profile_table, p);
	validate(&c);
	p->broken = c.first;
	return p;
}

struct profile *
profile_load(const char *path)
{
	struct profile *p;
	qt_error err;
	size_t len;
	char *text;

	if ((text = file_read(path, &len, &err)) == NULL) {
		p = profile_new(path);
		fill_defaults(p, &profile_table, p);
		p->broken = xasprintf("%s", err.msg);
		p->load_error = xstrdup(p->broken);
		return p;
	}
	p = profile_parse(path, text, len);
	free(text);
	return p;
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	free_table(&profile_table, p);
	free(p->path);
	free(p->dir);
	free(p->broken);
	free(p->load_error);
	free(p);
}

int
profile_validate(struct profile *p, qt_error *err)
{
	struct ctx c = { .p = p };

	fill_defaults(p, &profile_table, p);
	validate(&c);
	free(p->broken);
	if (p->load_error != NULL) {
		p->broken = xstrdup(p->load_error);
		free(c.first);
	} else
		p->broken = c.first;
	if (p->broken == NULL)
		return 0;
	err_set(err, "%s", p->broken);
	return -1;
}

/* ---- directories ---- */

char **
profile_search_dirs(const char *cli_dir)
{
	char **v = xcalloc(6, sizeof *v);
	const char *e;
	size_t n = 0;

	if (cli_dir != NULL && *cli_dir != '\0')
		v[n++] = xstrdup(cli_dir);
	if ((e = getenv("QEMU_TUI_PROFILES")) != NULL && *e != '\0')
		v[n++] = xstrdup(e);
	if ((v[n] = xdg_config_path("profiles")) != NULL)
		n++;
	v[n++] = xstrdup(QT_PROFILES_DIR);
	/* An uninstalled build (build/qemu-tui) uses the source tree's examples. */
	v[n++] = xdg_source_path("profiles");
	v[n] = NULL;
	return v;
}

char *
profile_dir_pick(const char *cli_dir)
{
	char **v, *pick = NULL;
	struct stat st;
	size_t i;

	/* An explicit --profiles that is missing is the caller's error to report. */
	if (cli_dir != NULL && *cli_dir != '\0')
		return xstrdup(cli_dir);
	v = profile_search_dirs(NULL);
	for (i = 0; v[i] != NULL; i++) {
		if (pick == NULL && stat(v[i], &st) == 0 && S_ISDIR(st.st_mode))
			pick = v[i];
		else
			free(v[i]);
	}
	free(v);
	return pick;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
mark_duplicate(struct profile *p, const struct profile *first)
{
	/* A parse error says more about the file than the name it fell back to. */
	if (p->load_error != NULL)
		return;
	p->load_error = xasprintf("%s: duplicate name \"%s\": also used by %s",
	    p->path, p->name, first->path);
	free(p->broken);
	p->broken = xstrdup(p->load_error);
}

int
profile_load_dir(const char *dir, struct profile_list *out, qt_error *err)
{
	char **paths = NULL, *path;
	size_t n = 0, cap = 0, i, j;
	struct dirent *de;
	struct stat st;
	DIR *d;

	out->items = NULL;
	out->n = 0;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			err_set(err, "profile directory %s does not exist: create it "
			    "(mkdir -p %s) or pass another --profiles DIR", dir, dir);
		else
			err_errno(err, "profile directory %s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".json"))
			continue;
		path = path_join(dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap)
			paths = xreallocarray(paths, cap = cap ? cap * 2 : 16,
			    sizeof *paths);
		paths[n++] = path;
	}
	closedir(d);
	/* One directory: sorting the paths sorts the file names. */
	qsort(paths, n, sizeof *paths, cmp_str);
	out->items = xcalloc(n, sizeof *out->items);
	for (i = 0; i < n; i++) {
		out->items[i] = profile_load(paths[i]);
		free(paths[i]);
		for (j = 0; j < i; j++) {
			if (strcmp(out->items[j]->name, out->items[i]->name) == 0) {
				mark_duplicate(out->items[i], out->items[j]);
				break;
			}
		}
	}
	out->n = n;
	free(paths);
	return 0;
}

void
profile_list_free(struct profile_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		profile_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

struct profile *
profile_list_find(const struct profile_list *l, const char *name)
{
	size_t i;

	for (i = 0; l != NULL && i < l->n; i++)
		if (strcmp(l->items[i]->name, name) == 0)
			return l->items[i];
	return NULL;
}

/* ---- --set ---- */

static const struct field *
set_lookup(const char *key, void *root, void **basep, const char **why)
{
	const struct table *t = &profile_table;
	const struct field *f = NULL;
	char *copy = xstrdup(key), *seg, *next, *br;
	void *base = root;

	*why = NULL;
	for (seg = copy; seg != NULL; seg = next) {
		if ((next = strchr(seg, '.')) != NULL)
			*next++ = '\0';
		if ((br = strchr(seg, '[')) != NULL)
			*br = '\0';
		if (t == NULL || (f = field_find(t, seg)) == NULL) {
			f = NULL;
			break;
		}
		if (f->type == T_LIST || f->type == T_OBJLIST) {
			*why = "is a list: edit the profile to change it (--set "
			    "takes single values)";
			break;
		}
		if (f->type == T_OBJ) {
			if (next == NULL) {
				*why = "is an object: set its fields one by one "
				    "(e.g. network.mode=user)";
				break;
			}
			base = slot_of(base, f);
			t = f->sub;
		} else {
			if (next != NULL || br != NULL)
				f = NULL;
			t = NULL;
		}
	}
	free(copy);
	if (f != NULL && *why == NULL && (f->flags & F_NOSET))
		*why = "cannot be changed with --set (it names the VM's run "
		    "directory)";
	*basep = base;
	return f;
}

/* Every settable dotted name, for suggestions. */
static void
suggest_set(const struct table *t, const char *prefix, const char *key,
    char **found, size_t *best)
{
	const struct field *f;
	const char *last;
	char *full;
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		if (f->flags & F_NOSET || f->type == T_LIST ||
		    f->type == T_OBJLIST)
			continue;
		full = xasprintf("%s%s", prefix, f->key);
		if (f->type == T_OBJ) {
			char *pre = xasprintf("%s.", full);

			suggest_set(f->sub, pre, key, found, best);
			free(pre);
			free(full);
			continue;
		}
		/* "port" finds ssh.port: compare with the last part too. */
		last = strrchr(key, '.') == NULL ? f->key : full;
		if (close_enough(key, full, best) ||
		    (last != full && close_enough(key, last, best))) {
			free(*found);
			*found = full;
		} else
			free(full);
	}
}

static int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };

	if (enum_index(yes, s) >= 0)
		*out = true;
	else if (enum_index(no, s) >= 0)
		*out = false;
	else
		return -1;
	return 0;
}

static int
set_value(struct profile *p, const struct field *f, void *base,
    const char *key, const char *value, qt_error *err)
{
	char **sslot = slot_of(base, f), *why, *end, *q, *cwd;
	long long v;
	bool b;

	if (*value == '\0') {
		/* key= : back to the default. */
		if (is_string_type(f->type)) {
			free(*sslot);
			*sslot = NULL;
		} else if (f->type == T_INT)
			*(int *)slot_of(base, f) = f->def != NULL ? atoi(f->def) : 0;
		else if (f->type == T_BOOL)
			*(bool *)slot_of(base, f) = f->def != NULL &&
			    strcmp(f->def, "true") == 0;
		else if (f->type == T_MODE)
			*(enum net_mode *)slot_of(base, f) =
			    (enum net_mode)enum_index(f->values, f->def);
		return 0;
	}
	switch (f->type) {
	case T_INT:
		errno = 0;
		v = strtoll(value, &end, 10);
		if (*end != '\0' || errno != 0 || v < f->min || v > f->max) {
			q = quote(value);
			err_set(err, "%s: expected a whole number %lld..%lld, got %s",
			    key, f->min, f->max, q);
			free(q);
			return -1;
		}
		*(int *)slot_of(base, f) = (int)v;
		return 0;
	case T_BOOL:
		if (parse_bool(value, &b) == -1) {
			q = quote(value);
			err_set(err, "%s: expected true or false (yes/no, on/off, "
			    "1/0), got %s", key, q);
			free(q);
			return -1;
		}
		*(bool *)slot_of(base, f) = b;
		return 0;
	case T_MODE:
		if ((why = check_string(f, value)) != NULL)
			break;
		*(enum net_mode *)slot_of(base, f) =
		    (enum net_mode)enum_index(f->values, value);
		return 0;
	default:
		if ((why = check_string(f, value)) != NULL)
			break;
		/* A path on the command line is relative to where it was typed. */
		cwd = getcwd(NULL, 0);
		free(*sslot);
		*sslot = resolve(f, cwd != NULL ? cwd : p->dir, value);
		free(cwd);
		return 0;
	}
	err_set(err, "%s: %s", key, why);
	free(why);
	return -1;
}

int
profile_set(struct profile *p, const char *assignment, qt_error *err)
{
	const char *eq = strchr(assignment, '='), *why;
	const struct field *f;
	char *key, *found = NULL;
	size_t best = SIZE_MAX;
	void *base;
	int rc = -1;

	if (eq == NULL || eq == assignment) {
		err_set(err, "expected KEY=VALUE (e.g. memory=2G), got \"%s\"",
		    assignment);
		return -1;
	}
	key = xstrndup(assignment, (size_t)(eq - assignment));
	f = set_lookup(key, p, &base, &why);
	if (f == NULL && why == NULL) {
		suggest_set(&profile_table, "", key, &found, &best);
		if (found != NULL)
			err_set(err, "unknown key \"%s\" (did you mean \"%s\"?)",
			    key, found);
		else
			err_set(err, "unknown key \"%s\" (see `qemu-tui "
			    "profile-help`)", key);
		free(found);
		goto out;
	}
	if (why != NULL) {
		err_set(err, "%s %s", key, why);
		goto out;
	}
	/*
	 * Values that only held a derived default follow the change; when the
	 * value is refused, fill_defaults() puts back exactly what was there.
	 */
	undefault(p, &profile_table, p);
	if (set_value(p, f, base, key, eq + 1, err) == -1) {
		fill_defaults(p, &profile_table, p);
		goto out;
	}
	profile_validate(p, NULL);
	rc = 0;
out:
	free(key);
	return rc;
}

/* ---- reference ---- */

const char *
net_mode_name(enum net_mode m)
{
	if ((int)m < 0 || (int)m > NET_NONE)
		return "unknown";
	return mode_values[m];
}

static char *
type_text(const struct field *f)
{
	char *vals, *s;

	switch (f->type) {
	case T_STR:
		if (f->check == check_arch)
			return xasprintf("one of: %s", arch_names());
		if (f->flags & F_BINARY)
			return xstrdup("command or path");
		if (f->flags & F_PATH)
			return xstrdup("path");
		if (f->max > 0)
			return xasprintf("string (up to %lld bytes)", f->max);
		return xstrdup("string");
	case T_INT:
		return xasprintf("integer %lld..%lld", f->min, f->max);
	case T_BOOL:
		return xstrdup("true/false");
	case T_ENUM:
	case T_MODE:
		vals = join_values(f->values);
		s = xasprintf("one of: %s", vals);
		free(vals);
		return s;
	case T_SIZE:
		return xstrdup("size (512M, 8G)");
	case T_LIST:
		return xstrdup("list of strings");
	case T_OBJ:
		return xstrdup("object");
	case T_OBJLIST:
		return xstrdup("list of objects");
	}
	return xstrdup("?");
}

/* "pc (x86_64), virt (aarch64, riscv64)": the per-arch default, from arch.c. */
static char *
arch_default_text(size_t arch_off, const char *prefix)
{
	char *names = xstrdup(arch_names()), *tok, *save = NULL, *out;
	const char *vals[16], *archs[16][16];
	size_t nv = 0, na[16] = { 0 }, i, j;
	const struct arch_info *ai;
	const char *v;

	for (tok = strtok_r(names, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if ((ai = arch_find(tok)) == NULL)
			continue;
		v = *(const char *const *)((const char *)ai + arch_off);
		for (i = 0; i < nv && strcmp(vals[i], v) != 0; i++)
			;
		if (i == nv) {
			if (nv == 16)
				continue;
			vals[nv++] = v;
		}
		if (na[i] < 16)
			archs[i][na[i]++] = ai->name;
	}
	out = xstrdup("");
	for (i = 0; i < nv; i++) {
		char *t = xasprintf("%s%s%s%s (", out, i > 0 ? ", " : "",
		    prefix, vals[i]);

		free(out);
		out = t;
		for (j = 0; j < na[i]; j++) {
			t = xasprintf("%s%s%s", out, j > 0 ? ", " : "",
			    archs[i][j]);
			free(out);
			out = t;
		}
		t = xasprintf("%s)", out);
		free(out);
		out = t;
	}
	/* strtok_r pointers point into names: free it only after the last use. */
	free(names);
	return out;
}

static char *
doc_cpu(void)
{
	char *a = arch_default_text(offsetof(struct arch_info, cpu_accel), "");
	char *t = arch_default_text(offsetof(struct arch_info, cpu_tcg), "");
	char *s = xasprintf("with kvm/hvf: %s; with tcg: %s", a, t);

	free(a);
	free(t);
	return s;
}

static char *
doc_append(void)
{
	char *c = arch_default_text(offsetof(struct arch_info, console),
	    "console=");
	char *s = xasprintf("%s, when kernel is set", c);

	free(c);
	return s;
}

static char *
default_text(const struct field *f)
{
	if (f->flags & F_REQ)
		return xstrdup("required");
	if (f->doc_fn != NULL)
		return f->doc_fn();
	if (f->doc_def != NULL)
		return xstrdup(f->doc_def);
	if (f->arch_off != 0)
		return arch_default_text(f->arch_off, "");
	if (f->def != NULL)
		return xstrdup(f->def);
	return xstrdup("unset");
}

typedef void (*help_emit)(void *arg, const char *field, const char *type,
    const char *def, const char *help);

static void
help_rows(const struct table *t, const char *prefix, help_emit emit, void *arg)
{
	const struct field *f;
	char *name, *type, *def, *pre;
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		name = xasprintf("%s%s%s", prefix, f->key,
		    f->type == T_OBJLIST ? "[]" : "");
		type = type_text(f);
		def = default_text(f);
		emit(arg, name, type, def, f->help);
		if (f->type == T_OBJ || f->type == T_OBJLIST) {
			pre = xasprintf("%s.", name);
			help_rows(f->sub, pre, emit, arg);
			free(pre);
		}
		free(def);
		free(type);
		free(name);
	}
}

/* Indented and wrapped at word boundaries to fit 80 columns. */
static void
help_wrap(FILE *out, const char *text)
{
	const char *p = text, *brk;
	size_t width = 74, n;

	while (*p != '\0') {
		n = strlen(p);
		if (n > width) {
			for (brk = p + width; brk > p && *brk != ' '; brk--)
				;
			n = brk > p ? (size_t)(brk - p) : width;
		}
		fprintf(out, "      %.*s\n", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void
help_emit_text(void *arg, const char *field, const char *type,
    const char *def, const char *help)
{
	FILE *out = arg;
	char *d = xasprintf("Default: %s.", def);

	if (strlen(type) <= 48)
		fprintf(out, "%-30s %s\n", field, type);
	else {
		fprintf(out, "%s\n", field);
		help_wrap(out, type);
	}
	help_wrap(out, help);
	help_wrap(out, d);
	free(d);
}

void
profile_help(FILE *out)
{
	fputs("A profile is one JSON file per VM; comments (// and /* */) and "
	    "trailing commas\n"
	    "are allowed. Relative paths are relative to the profile's "
	    "directory, ~/ is\n"
	    "your home directory, and null means the default. Start-time "
	    "overrides:\n"
	    "--set KEY=VALUE for any field that is not a list (an empty VALUE "
	    "restores\n"
	    "the default; booleans take true/false, yes/no, on/off, 1/0).\n\n",
	    out);
	help_rows(&profile_table, "", help_emit_text, out);
}
