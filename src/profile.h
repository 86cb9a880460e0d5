/* VM profiles: one JSON file per VM, parsed, validated and defaulted from one field table. */
#ifndef QT_PROFILE_H
#define QT_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

enum net_mode {
	NET_USER,
	NET_TAP,
	NET_VMNET_SHARED,
	NET_VMNET_HOST,
	NET_VMNET_BRIDGED,
	NET_NONE,
	NET_BRIDGE,		/* a host bridge, through qemu-bridge-helper */
};

struct forward {
	char *proto;	 /* "tcp" (default) or "udp" */
	char *host_addr; /* default "127.0.0.1" */
	int host_port;	 /* 1..65535 */
	int guest_port;	 /* 1..65535 */
};

/* The size a missing disk is offered blank at ("needs disk"). */
#define PROFILE_BLANK_DISK_SIZE "8G"

struct drive {
	char *file;	/* absolute after load (relative ones resolved against the profile dir) */
	char *format;	/* "qcow2", "raw", ...; NULL = let QEMU probe (raw warns) */
	char *iface;	/* "virtio" "ide" "floppy" "scsi" "nvme" "virtio-mmio" "none" "pflash" "sd"; default per arch */
	char *media;	/* "disk" or "cdrom"; NULL = QEMU's default */
	char *id;	/* optional drive id (for devices[] that refer to it) */
	bool readonly;
	bool snapshot;
	/* How file is made when it is missing (prepare.c); absolute after load. */
	char *from;		/* a source image converted into file the first time */
	char *from_format;	/* its format; NULL = probed by qemu-img */
	char *size;		/* "8G": file made blank at this size, grown to it, never shrunk */
	char *backing;		/* file is a qcow2 overlay on this base (not with from) */
	char *backing_format;	/* the base's format; NULL = probed by qemu-img */
};

struct net_config {
	enum net_mode mode;	/* default NET_USER */
	char *model;		/* NIC device; default per arch */
	char *mac;		/* "52:54:00:12:34:56"; default: profile_name_mac(name) */
	char *ifname;		/* tap device name (mode tap) */
	char *host_addr;	/* host side address, e.g. "172.16.0.1/24" (tap create) */
	bool create;		/* tap: make the device at start when we have the right */
	char *bridge;		/* mode bridge: the host bridge, e.g. "br0" */
	struct forward *forwards;
	size_t nforwards;
};

struct ssh_config {
	char *user;		/* default "root" */
	char *host;		/* NULL = 127.0.0.1 with user networking */
	int port;		/* 0 = choose: forwarded free port (user) or 22 */
	char *identity;		/* private key file, absolute after load; NULL = defaults */
	char *host_key_check;	/* "ask" (default), "accept-new", "off" */
	bool auto_open;		/* open an SSH pane once sshd answers */
	int connect_timeout;	/* seconds to keep retrying; default 60 */
};

/* When the guest counts as ready (ready.c in the supervisor). */
struct ready_config {
	char *prompt;		/* regex for a console line's end; NULL = login: or # / $ */
	char *probe;		/* command run over SSH until it exits 0; NULL = none */
};

struct profile {
	char *path;		/* the file it came from */
	char *dir;		/* the file's directory (base for relative paths) */
	char *broken;		/* non-NULL: why this profile cannot be used ("file:line:col: ...") */

	char *name;		/* unique; no '/', no control characters; default: file name sans .json */
	char *description;
	char *arch;		/* default: the host's arch */
	char *qemu;		/* binary override (absolute or in PATH); default per arch */
	char *machine;		/* default per arch */
	char *cpu;		/* NULL = per arch and accelerator */
	char *memory;		/* "512M", "8G"; default "1G" */
	int smp;		/* default 1 */
	char *accel;		/* "auto" (default), "kvm", "hvf", "whpx", "tcg" */
	char *bios;		/* -bios file */
	char *firmware;		/* EFI code as read-only pflash */
	char *kernel;
	char *initrd;
	char *append;		/* default "console=<arch console>" when kernel is set */
	struct drive *drives;
	size_t ndrives;
	char **devices;		/* raw -device values */
	size_t ndevices;
	struct net_config net;
	struct ssh_config ssh;
	struct ready_config ready;
	bool snapshot;		/* -snapshot */
	char *display;		/* NULL = "none" */
	char **extra_args;	/* appended verbatim, never through a shell */
	size_t nextra_args;
	bool no_shutdown;	/* keep QEMU alive after guest poweroff */

	/*
	 * Added for profile.c: the first problem parsing or loading found
	 * (syntax, unknown key, wrong type, duplicate name). Kept apart from
	 * ->broken because --set can fix a validation problem but never
	 * this one, so profile_validate() must not clear it.
	 */
	char *load_error;
	/*
	 * Added for prepare.c: non-NULL (the same text as ->broken) when every
	 * problem is a disk file that is missing and that the profile does not
	 * say how to make: the list shows "needs disk", not "broken".
	 */
	char *needs_disk;
};

struct profile_list {
	struct profile **items;
	size_t n;
};

/*
 * Load one file. Always returns a profile unless out of memory: a file that
 * fails to parse or validate comes back with ->broken set (and ->name from the
 * file name), so it can still be listed.
 */
struct profile *profile_load(const char *path);
/* Parse from memory (path is used for messages and relative paths). */
struct profile *profile_parse(const char *path, const char *text, size_t len);
void profile_free(struct profile *p);

/*
 * Directories searched, in order: cli_dir, $QEMU_TUI_PROFILES,
 * $XDG_CONFIG_HOME/qemu-tui/profiles (~/.config/...), the installed examples,
 * the source tree's examples (an uninstalled build).
 * The first existing one is used (a user directory replaces the examples).
 * Returns a NULL-terminated malloc'd array of malloc'd strings.
 */
char **profile_search_dirs(const char *cli_dir);
/* The directory profile_load_dir would use, or NULL if none exists. */
char *profile_dir_pick(const char *cli_dir);
/* Every *.json in dir, sorted by name; duplicates after the first are broken. */
int profile_load_dir(const char *dir, struct profile_list *out, qt_error *err);
void profile_list_free(struct profile_list *l);
struct profile *profile_list_find(const struct profile_list *l, const char *name);

/* ---- writing (profile_write.c): import, new, clone, rename and the form ---- */

struct json_object;

/*
 * Where new profiles go: --profiles DIR, $QEMU_TUI_PROFILES, else
 * $XDG_CONFIG_HOME/qemu-tui/profiles (~/.config/...), created when missing.
 */
char *profile_user_dir(const char *cli_dir, qt_error *err);
/* Why name cannot name a profile file NAME.json, or NULL. */
char *profile_name_problem(const char *name);
#define PROFILE_WRITE_REPLACE	0x1	/* replace an existing NAME.json (import --force) */
#define PROFILE_WRITE_BROKEN	0x2	/* write even when it does not load cleanly yet
					 * (import: the user fixes what is missing) */
/*
 * obj ("name" set to name) as dir/NAME.json, with a "// comment" line first:
 * checked by the loader (profile_parse) first, written atomically, never over an
 * existing file without PROFILE_WRITE_REPLACE, then loaded back. The loaded
 * profile (->broken set only with PROFILE_WRITE_BROKEN), or NULL with err and
 * nothing written.
 */
struct profile *profile_write(const char *dir, const char *name,
    struct json_object *obj, const char *comment, unsigned flags, qt_error *err);
/* Text already edited (profile_edit): "name" must say name; the same checks, the same
 * atomic write, the same load back as profile_write. */
struct profile *profile_write_text(const char *dir, const char *name, const char *text,
    size_t len, unsigned flags, qt_error *err);
/* "nbd://host/x", "fat:rw:/dir": a drive's file that is a QEMU protocol, not a file. */
bool profile_is_url(const char *s);

/* ---- editing a profile's text in place (profile_edit.c): rename and clone ---- */

/*
 * Only the values that change are replaced, at the positions profile_json.c finds
 * (a value in a comment is never one); every comment, blank line and indentation
 * stays. A path is "name", "network.mac", "drives[0].file".
 */
struct profile_edit;
/* text: what the loader accepted (json-c's non-strict JSON); copied. */
struct profile_edit *profile_edit_new(const char *text, size_t len);
void profile_edit_free(struct profile_edit *e);
/* The string value at path: replaced in place (nothing when it already says value), or
 * when the key is absent inserted after the last key of its object, with that key's
 * indentation. -1 with err when path's object is not there. */
int profile_edit_set(struct profile_edit *e, const char *path, const char *value,
    qt_error *err);
/* Remove the key at path with its comma (its line too when nothing else is on it);
 * 0 when it is absent. */
int profile_edit_remove(struct profile_edit *e, const char *path, qt_error *err);
/* A "// line" before everything (after a byte-order mark). */
void profile_edit_comment(struct profile_edit *e, const char *line);
/* The text now (NUL-terminated; len may be NULL). */
const char *profile_edit_text(const struct profile_edit *e, size_t *len);
/* A profile file as JSON (comments allowed, as the loader reads it), or NULL. */
struct json_object *profile_read_json(const char *path, qt_error *err);

/* Apply "key=value" (memory=2G, smp=4, arch=aarch64, ssh.port=2223, network.mode=user, ...). */
int profile_set(struct profile *p, const char *assignment, qt_error *err);
/*
 * One field's value alone ("memory", "ssh.user", "drives[].file"), by the rules a
 * loaded profile meets (the field's row: type, range, format, the file exists);
 * relative paths against dir. "" is "not given": fine unless required. For
 * forms that check a value as it is typed; -1 with "KEY: why" in err.
 */
int profile_check_field(const char *key, const char *value, const char *dir,
    qt_error *err);
/* Re-check the cross-field rules after --set (disk files exist, tap has ifname, ...). */
int profile_validate(struct profile *p, qt_error *err);

/* The field reference, printed by `qemu-tui profile-help`. */
void profile_help(FILE *out);

const char *net_mode_name(enum net_mode m);
/* The MAC a profile gets without network.mac: 52:54:00 and 3 bytes of a hash of name. */
void profile_name_mac(const char *name, char out[18]);

#endif
