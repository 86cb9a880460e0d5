/* A QEMU command line into a profile (see import.h). */
#include "import.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options that take no argument (everything else takes one). */
static const char *const no_arg[] = {
	"-nographic", "-snapshot", "-enable-kvm", "-no-reboot", "-no-shutdown", "-usb",
	"-S", "-s", "-daemonize", "-nodefaults", "-no-hpet", "-no-acpi", "-full-screen",
	"-no-user-config", "-no-fd-bootchk", "-alt-grab", "-ctrl-grab", "-win2k-hack",
	"-only-migratable", "-preconfig", "-no-quit", "-semihosting", "-enable-fips",
	NULL
};
/* What qemu-tui does itself: dropped, with a note. */
static const char *const owned[] = {
	"-serial", "-monitor", "-qmp", "-qmp-pretty", "-chardev", "-mon", "-pidfile",
	"-daemonize", "-D", NULL
};

static bool
in(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* QEMU's key=value,key=value with ",," for a literal comma. */
struct kv {
	char *key[32], *val[32];
	int n;
	char buf[4096];
};

static void
kv_parse(const char *s, const char *implied_key, struct kv *kv)
{
	char *o = kv->buf, *start = kv->buf;
	const char *p;

	kv->n = 0;
	for (p = s; ; p++) {
		if (*p == ',' && p[1] == ',') {
			*o++ = ',';
			p++;
			continue;
		}
		if (*p == ',' || *p == '\0') {
			*o++ = '\0';
			if (kv->n < 32 && *start != '\0') {
				char *eq = strchr(start, '=');

				if (eq != NULL) {
					*eq = '\0';
					kv->key[kv->n] = start;
					kv->val[kv->n] = eq + 1;
				} else if (kv->n == 0 && implied_key != NULL) {
					kv->key[kv->n] = (char *)implied_key;
					kv->val[kv->n] = start;
				} else {
					kv->key[kv->n] = start;
					kv->val[kv->n] = (char *)"on";
				}
				kv->n++;
			}
			start = o;
			if (*p == '\0')
				break;
			continue;
		}
		if ((size_t)(o - kv->buf) < sizeof kv->buf - 2)
			*o++ = *p;
	}
}

static const char *
kv_get(const struct kv *kv, const char *key)
{
	int i;
	const char *v = NULL;

	for (i = 0; i < kv->n; i++)
		if (strcmp(kv->key[i], key) == 0)
			v = kv->val[i];	/* the last one wins, as in QEMU */
	return v;
}

static bool
kv_only(const struct kv *kv, const char *const *keys)
{
	int i;

	for (i = 0; i < kv->n; i++)
		if (!in(keys, kv->key[i]))
			return false;
	return true;
}

static bool
truthy(const char *v)
{
	return v != NULL && (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "yes") == 0);
}

static char *
abs_path(const char *cwd, const char *path)
{
	/* URLs and QEMU's protocol prefixes stay as they are. */
	if (path[0] == '/' || strstr(path, "://") != NULL || strchr(path, '$') != NULL ||
	    strncmp(path, "nbd:", 4) == 0)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

struct ctx {
	struct json_object *prof, *drives, *devices, *extra, *net, *forwards;
	struct strvec *notes;
	const char *cwd;
	char *nic_netdev;	/* id of the netdev the profile's NIC uses */
	bool have_net;
	bool net_in_extra;	/* a network went to extra_args */
};

static void
extra2(struct ctx *c, const char *opt, const char *arg)
{
	json_object_array_add(c->extra, json_object_new_string(opt));
	if (arg != NULL)
		json_object_array_add(c->extra, json_object_new_string(arg));
}

static void
set_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

static void
add_drive(struct ctx *c, const char *file, const char *format, const char *iface,
    const char *media, bool readonly, bool snapshot, const char *id)
{
	struct json_object *d = json_object_new_object();
	char *f = abs_path(c->cwd, file);

	set_str(d, "file", f);
	free(f);
	if (format != NULL)
		set_str(d, "format", format);
	if (iface != NULL)
		set_str(d, "if", iface);
	if (media != NULL)
		set_str(d, "media", media);
	if (id != NULL)
		set_str(d, "id", id);
	if (readonly)
		json_object_object_add(d, "readonly", json_object_new_boolean(1));
	if (snapshot)
		json_object_object_add(d, "snapshot", json_object_new_boolean(1));
	json_object_array_add(c->drives, d);
}

static void
do_drive(struct ctx *c, const char *arg)
{
	static const char *const known[] = { "file", "format", "if", "media", "id",
	    "readonly", "snapshot", "unit", "index", NULL };
	const char *iface, *file;
	struct kv kv;
	char *f;

	kv_parse(arg, NULL, &kv);
	file = kv_get(&kv, "file");
	iface = kv_get(&kv, "if");
	if (file == NULL || !kv_only(&kv, known)) {
		strvec_pushf(c->notes, "-drive %s: has settings no profile field holds; kept "
		    "in extra_args", arg);
		extra2(c, "-drive", arg);
		return;
	}
	if (kv_get(&kv, "unit") != NULL || kv_get(&kv, "index") != NULL)
		strvec_pushf(c->notes, "-drive %s: unit=/index= dropped; the profile keeps the "
		    "drives in this order", arg);
	/* The first read-only pflash is the UEFI code. */
	if (iface != NULL && strcmp(iface, "pflash") == 0 && truthy(kv_get(&kv, "readonly")) &&
	    json_object_object_get_ex(c->prof, "firmware", NULL) == 0) {
		f = abs_path(c->cwd, file);
		set_str(c->prof, "firmware", f);
		free(f);
		return;
	}
	add_drive(c, file, kv_get(&kv, "format"), iface, kv_get(&kv, "media"),
	    truthy(kv_get(&kv, "readonly")), truthy(kv_get(&kv, "snapshot")),
	    kv_get(&kv, "id"));
}

/* hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport */
static bool
do_hostfwd(struct ctx *c, const char *spec)
{
	char proto[8] = "tcp", haddr[64] = "", rest[128];
	int hport, gport;
	const char *s = spec;
	struct json_object *f;

	if (strncmp(s, "tcp:", 4) == 0 || strncmp(s, "udp:", 4) == 0) {
		snprintf(proto, sizeof proto, "%.3s", s);
		s += 4;
	}
	if (sscanf(s, "%63[^:]:%d-%127s", haddr, &hport, rest) != 3 &&
	    (haddr[0] = '\0', sscanf(s, ":%d-%127s", &hport, rest) != 2))
		return false;
	if (sscanf(rest, "%*[^:]:%d", &gport) != 1 && sscanf(rest, ":%d", &gport) != 1)
		return false;
	/* The guest's sshd is the profile's ssh port (qemu-tui forwards it). */
	if (strcmp(proto, "tcp") == 0 && gport == 22 &&
	    !json_object_object_get_ex(c->prof, "ssh", NULL)) {
		struct json_object *ssh = json_object_new_object();

		json_object_object_add(ssh, "port", json_object_new_int(hport));
		json_object_object_add(c->prof, "ssh", ssh);
		if (haddr[0] == '\0' || strcmp(haddr, "0.0.0.0") == 0)
			strvec_pushf(c->notes, "hostfwd %s: the SSH forward listens on 127.0.0.1 "
			    "only (QEMU's empty address was every interface)", spec);
		return true;
	}
	f = json_object_new_object();
	if (strcmp(proto, "tcp") != 0)
		set_str(f, "proto", proto);
	/* QEMU's empty host address is every interface: say so. */
	set_str(f, "host_addr", haddr[0] ? haddr : "0.0.0.0");
	json_object_object_add(f, "host_port", json_object_new_int(hport));
	json_object_object_add(f, "guest_port", json_object_new_int(gport));
	json_object_array_add(c->forwards, f);
	return true;
}

/* A user/tap backend: -netdev, -nic, -net user. */
static bool
do_backend(struct ctx *c, const struct kv *kv, const char *type, const char *arg)
{
	static const char *const user_keys[] = { "type", "id", "hostfwd", "model", "mac",
	    "vlan", NULL };
	static const char *const tap_keys[] = { "type", "id", "ifname", "script",
	    "downscript", "model", "mac", NULL };
	int i;

	if (c->have_net) {
		strvec_pushf(c->notes, "%s: a second network is kept in extra_args", arg);
		return false;
	}
	if (strcmp(type, "user") == 0 && kv_only(kv, user_keys)) {
		set_str(c->net, "mode", "user");
		for (i = 0; i < kv->n; i++)
			if (strcmp(kv->key[i], "hostfwd") == 0 && !do_hostfwd(c, kv->val[i])) {
				strvec_pushf(c->notes, "hostfwd=%s: not understood; the network "
				    "is kept in extra_args", kv->val[i]);
				return false;
			}
	} else if (strcmp(type, "tap") == 0 && kv_only(kv, tap_keys) &&
	    kv_get(kv, "ifname") != NULL) {
		const char *sc = kv_get(kv, "script");

		if (sc != NULL && strcmp(sc, "no") != 0)
			strvec_pushf(c->notes, "%s: qemu-tui never runs an ifup script; set the "
			    "tap up with `qemu-tui net up NAME`", arg);
		set_str(c->net, "mode", "tap");
		set_str(c->net, "ifname", kv_get(kv, "ifname"));
	} else if (strncmp(type, "vmnet-", 6) == 0 && kv->n <= 2) {
		set_str(c->net, "mode", type);
	} else {
		return false;
	}
	c->have_net = true;
	return true;
}

static void
set_nic(struct ctx *c, const struct kv *kv, const char *model_key)
{
	const char *model = kv_get(kv, model_key), *mac = kv_get(kv, "mac");

	if (model != NULL)
		set_str(c->net, "model", model);
	if (mac != NULL)
		set_str(c->net, "mac", mac);
}

static void
do_netdev(struct ctx *c, const char *arg)
{
	struct kv kv;
	const char *id;

	kv_parse(arg, "type", &kv);
	if (!do_backend(c, &kv, kv_get(&kv, "type") ? kv_get(&kv, "type") : "", arg)) {
		extra2(c, "-netdev", arg);
		c->net_in_extra = true;
		return;
	}
	if ((id = kv_get(&kv, "id")) != NULL)
		c->nic_netdev = xstrdup(id);
}

static void
do_nic(struct ctx *c, const char *opt, const char *arg)
{
	struct kv kv;
	const char *type;

	kv_parse(arg, "type", &kv);
	type = kv_get(&kv, "type") ? kv_get(&kv, "type") : "";
	if (strcmp(opt, "-nic") == 0 && strcmp(type, "none") == 0 && !c->have_net) {
		set_str(c->net, "mode", "none");
		c->have_net = true;
		return;
	}
	/* -net nic[,model=M]: the card; -net user,...: the backend. */
	if (strcmp(opt, "-net") == 0 && strcmp(type, "nic") == 0) {
		set_nic(c, &kv, "model");
		return;
	}
	if (!do_backend(c, &kv, type, arg)) {
		extra2(c, opt, arg);
		c->net_in_extra = true;
		return;
	}
	set_nic(c, &kv, "model");
}

static void
do_device(struct ctx *c, const char *arg)
{
	struct kv kv;
	const char *nd;

	kv_parse(arg, "driver", &kv);
	nd = kv_get(&kv, "netdev");
	if (nd != NULL && c->nic_netdev != NULL && strcmp(nd, c->nic_netdev) == 0 &&
	    !json_object_object_get_ex(c->net, "model", NULL)) {
		static const char *const nic_keys[] = { "driver", "netdev", "mac", NULL };

		if (kv_only(&kv, nic_keys)) {
			set_nic(c, &kv, "driver");
			return;
		}
	}
	if (nd != NULL)
		strvec_pushf(c->notes, "-device %s: refers to a netdev the profile does not "
		    "hold; kept as a device", arg);
	json_object_array_add(c->devices, json_object_new_string(arg));
}

static const char *
arch_of(const char *bin)
{
	const char *base = strrchr(bin, '/'), *a;

	base = base != NULL ? base + 1 : bin;
	if (strncmp(base, "qemu-system-", 12) != 0)
		return NULL;
	a = base + 12;
	if (strcmp(a, "arm64") == 0)
		return "aarch64";
	return a;
}

struct json_object *
import_argv(const char *name, char *const *argv, int argc, const char *cwd,
    struct strvec *notes, qt_error *err)
{
	struct ctx c = { 0 };
	const char *arch;
	int i;

	if (argc < 1 || (arch = arch_of(argv[0])) == NULL) {
		err_set(err, "the command line must begin with a qemu-system-ARCH binary "
		    "(got \"%s\")", argc > 0 ? argv[0] : "");
		return NULL;
	}
	c.notes = notes;
	c.cwd = cwd;
	c.prof = json_object_new_object();
	c.drives = json_object_new_array();
	c.devices = json_object_new_array();
	c.extra = json_object_new_array();
	c.net = json_object_new_object();
	c.forwards = json_object_new_array();
	set_str(c.prof, "name", name);
	set_str(c.prof, "arch", arch);
	if (strchr(argv[0], '/') != NULL)
		set_str(c.prof, "qemu", argv[0]);
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *a = NULL;
		char opt[64];

		/* --opt is -opt to QEMU. */
		snprintf(opt, sizeof opt, "%s", o[0] == '-' && o[1] == '-' ? o + 1 : o);
		if (opt[0] != '-') {
			/* A bare word is the first disk, as QEMU takes it. */
			add_drive(&c, o, NULL, NULL, NULL, false, false, NULL);
			continue;
		}
		if (!in(no_arg, opt)) {
			if (i + 1 >= argc) {
				strvec_pushf(notes, "%s at the end has no value: dropped", o);
				break;
			}
			a = argv[++i];
		}
		if (in(owned, opt)) {
			strvec_pushf(notes, "%s%s%s: dropped; qemu-tui provides it (serial console "
			    "pane, QMP, pid file, detached run)", opt, a ? " " : "", a ? a : "");
		} else if (strcmp(opt, "-m") == 0) {
			struct kv kv;
			const char *sz;
			char buf[64];

			kv_parse(a, "size", &kv);
			sz = kv_get(&kv, "size");
			if (sz == NULL)
				sz = a;
			/* A bare number is MiB to QEMU. */
			if (strspn(sz, "0123456789") == strlen(sz)) {
				snprintf(buf, sizeof buf, "%sM", sz);
				sz = buf;
			}
			set_str(c.prof, "memory", sz);
			if (kv.n > 1)
				strvec_pushf(notes, "-m %s: only the size is kept", a);
		} else if (strcmp(opt, "-smp") == 0) {
			struct kv kv;
			const char *n;
			int cpus;

			kv_parse(a, "cpus", &kv);
			n = kv_get(&kv, "cpus");
			if (n != NULL)
				cpus = atoi(n);
			else {
				/* No count: QEMU multiplies the topology out. */
				static const char *const topo[] = { "sockets", "dies", "clusters",
				    "cores", "threads", NULL };
				int t;

				for (cpus = 1, t = 0; topo[t] != NULL; t++)
					if (kv_get(&kv, topo[t]) != NULL)
						cpus *= atoi(kv_get(&kv, topo[t]));
			}
			json_object_object_add(c.prof, "smp", json_object_new_int(cpus));
			if (kv.n > 1)
				strvec_pushf(notes, "-smp %s: the topology is dropped; smp holds "
				    "the CPU count", a);
		} else if (strcmp(opt, "-cpu") == 0) {
			set_str(c.prof, "cpu", a);
		} else if (strcmp(opt, "-machine") == 0 || strcmp(opt, "-M") == 0) {
			struct kv kv;
			const char *ac, *type;
			char *rest = xstrdup(""), *next;
			int k;

			kv_parse(a, "type", &kv);
			type = kv_get(&kv, "type");
			for (k = 0; k < kv.n; k++) {
				if (strcmp(kv.key[k], "type") == 0 || strcmp(kv.key[k], "accel") == 0)
					continue;
				next = xasprintf("%s,%s=%s", rest, kv.key[k], kv.val[k]);
				free(rest);
				rest = next;
			}
			if (type != NULL) {
				next = xasprintf("%s%s", type, rest);
				set_str(c.prof, "machine", next);
				free(next);
			}
			free(rest);
			if ((ac = kv_get(&kv, "accel")) != NULL)
				set_str(c.prof, "accel", strchr(ac, ':') ? "auto" : ac);
		} else if (strcmp(opt, "-accel") == 0) {
			struct kv kv;

			kv_parse(a, "accel", &kv);
			set_str(c.prof, "accel", kv_get(&kv, "accel"));
			if (kv.n > 1)
				strvec_pushf(notes, "-accel %s: only the accelerator is kept", a);
		} else if (strcmp(opt, "-enable-kvm") == 0) {
			set_str(c.prof, "accel", "kvm");
		} else if (strcmp(opt, "-kernel") == 0 || strcmp(opt, "-initrd") == 0 ||
		    strcmp(opt, "-bios") == 0) {
			char *f = abs_path(cwd, a);

			set_str(c.prof, opt + 1, f);
			free(f);
		} else if (strcmp(opt, "-append") == 0) {
			set_str(c.prof, "append", a);
		} else if (strcmp(opt, "-drive") == 0) {
			do_drive(&c, a);
		} else if (strncmp(opt, "-hd", 3) == 0 && strlen(opt) == 4) {
			/* The machine's default interface: IDE on a PC, virtio on virt. */
			add_drive(&c, a, NULL, strcmp(arch, "x86_64") == 0 ||
			    strcmp(arch, "i386") == 0 ? "ide" : NULL, NULL, false, false, NULL);
		} else if (strcmp(opt, "-cdrom") == 0) {
			add_drive(&c, a, NULL, NULL, "cdrom", false, false, NULL);
		} else if (strcmp(opt, "-fda") == 0 || strcmp(opt, "-fdb") == 0) {
			add_drive(&c, a, NULL, "floppy", NULL, false, false, NULL);
		} else if (strcmp(opt, "-netdev") == 0) {
			do_netdev(&c, a);
		} else if (strcmp(opt, "-nic") == 0 || strcmp(opt, "-net") == 0) {
			do_nic(&c, opt, a);
		} else if (strcmp(opt, "-device") == 0) {
			do_device(&c, a);
		} else if (strcmp(opt, "-snapshot") == 0) {
			json_object_object_add(c.prof, "snapshot", json_object_new_boolean(1));
		} else if (strcmp(opt, "-nographic") == 0) {
			set_str(c.prof, "display", "none");
			strvec_pushf(notes, "-nographic: display none; the serial console is the "
			    "dashboard's console pane (c) or `qemu-tui console NAME`");
		} else if (strcmp(opt, "-display") == 0) {
			set_str(c.prof, "display", a);
		} else if (strcmp(opt, "-name") == 0) {
			char *d = xasprintf("imported (-name %s)", a);

			set_str(c.prof, "description", d);
			free(d);
		} else if (strcmp(opt, "-no-shutdown") == 0) {
			json_object_object_add(c.prof, "no_shutdown", json_object_new_boolean(1));
		} else {
			extra2(&c, opt, a);
		}
	}
	if (json_object_array_length(c.drives) > 0)
		json_object_object_add(c.prof, "drives", json_object_get(c.drives));
	if (json_object_array_length(c.devices) > 0)
		json_object_object_add(c.prof, "devices", json_object_get(c.devices));
	if (json_object_array_length(c.forwards) > 0)
		json_object_object_add(c.net, "forwards", json_object_get(c.forwards));
	/* A network kept verbatim in extra_args: the profile adds none of its own. */
	if (!c.have_net && c.net_in_extra) {
		set_str(c.net, "mode", "none");
		strvec_pushf(notes, "the network stays in extra_args as written: network.mode "
		    "is none so that qemu-tui adds no NIC of its own");
	}
	/* No network option: QEMU's default is a user NIC; so is the profile's. */
	if (json_object_object_length(c.net) > 0)
		json_object_object_add(c.prof, "network", json_object_get(c.net));
	if (json_object_array_length(c.extra) > 0)
		json_object_object_add(c.prof, "extra_args", json_object_get(c.extra));
	if (!json_object_object_get_ex(c.prof, "accel", NULL)) {
		/* QEMU without an accelerator option runs TCG. */
		set_str(c.prof, "accel", "tcg");
		strvec_pushf(notes, "no -accel in the line: QEMU ran it under TCG, and so "
		    "does the profile (\"accel\": \"auto\" would use KVM where it can)");
	}
	json_object_put(c.drives);
	json_object_put(c.devices);
	json_object_put(c.forwards);
	json_object_put(c.net);
	json_object_put(c.extra);
	free(c.nic_netdev);
	return c.prof;
}

/* Rust's Debug quoting in a runner's log wraps a value in \'...\'. */
static void
unwrap_rust_quotes(char *w)
{
	size_t n = strlen(w);

	if (n >= 4 && strncmp(w, "\\'", 2) == 0 && strcmp(w + n - 2, "\\'") == 0) {
		memmove(w, w + 2, n - 4);
		w[n - 4] = '\0';
	}
}

int
import_split_script(const char *text, struct strvec *words, struct strvec *notes,
    qt_error *err)
{
	char *joined = xmalloc(strlen(text) + 1), *o = joined, *line, *w, *wo;
	const char *p;
	struct strvec all = STRVEC_INIT;
	bool sudo = false, found = false;
	size_t i;

	/* Backslash-newline joins lines, in scripts and Makefile recipes alike. */
	for (p = text; *p != '\0'; p++) {
		if (*p == '\\' && p[1] == '\n') {
			p++;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	for (line = joined; line != NULL && !found; line = o) {
		o = strchr(line, '\n');
		if (o != NULL)
			*o++ = '\0';
		if (strstr(line, "qemu-system-") == NULL)
			continue;
		found = true;
		/* The shell's word splitting: quotes and backslashes. */
		w = xmalloc(strlen(line) + 1);
		for (p = line; *p != '\0';) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '\0' || *p == '#')
				break;
			wo = w;
			while (*p != '\0' && *p != ' ' && *p != '\t') {
				if (*p == '\'') {
					for (p++; *p != '\0' && *p != '\''; p++)
						*wo++ = *p;
					if (*p == '\'')
						p++;
				} else if (*p == '"') {
					for (p++; *p != '\0' && *p != '"'; p++) {
						if (*p == '\\' && (p[1] == '"' || p[1] == '\\' ||
						    p[1] == '$' || p[1] == '`'))
							p++;
						*wo++ = *p;
					}
					if (*p == '"')
						p++;
				} else if (*p == '\\' && p[1] != '\0') {
					*wo++ = p[1];
					p += 2;
				} else {
					*wo++ = *p++;
				}
			}
			*wo = '\0';
			/* The command ends at a pipe or a list; redirections are the shell's. */
			if (strcmp(w, "|") == 0 || strcmp(w, "||") == 0 || strcmp(w, "&&") == 0 ||
			    strcmp(w, ";") == 0 || strcmp(w, "&") == 0)
				break;
			if (w[strspn(w, "0123456789&")] == '>' || w[strspn(w, "0123456789")] == '<') {
				/* "> file" takes the next word too. */
				if (w[strspn(w, "0123456789&<>")] == '\0') {
					while (*p == ' ' || *p == '\t')
						p++;
					while (*p != '\0' && *p != ' ' && *p != '\t')
						p++;
				}
				continue;
			}
			unwrap_rust_quotes(w);
			strvec_push(&all, w);
		}
		free(w);
	}
	free(joined);
	if (!found) {
		err_set(err, "no qemu-system-* command in it");
		strvec_free(&all);
		return -1;
	}
	for (i = 0; i < all.n && arch_of(all.v[i]) == NULL; i++)
		if (strcmp(all.v[i], "sudo") == 0)
			sudo = true;
	if (i == all.n) {
		err_set(err, "no qemu-system-* word in its QEMU line");
		strvec_free(&all);
		return -1;
	}
	if (sudo)
		strvec_pushf(notes, "sudo dropped: qemu-tui runs QEMU as you (a tap device "
		    "comes from `sudo qemu-tui net up NAME` once)");
	for (; i < all.n; i++) {
		if (strchr(all.v[i], '$') != NULL)
			strvec_pushf(notes, "\"%s\" holds a variable ($VAR or $(VAR)); it is left "
			    "as it is: edit the profile to its value", all.v[i]);
		strvec_push(words, all.v[i]);
	}
	strvec_free(&all);
	return 0;
}
