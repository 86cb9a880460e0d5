/* Profile parsing, validation, defaults, --set and directory loading. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "profile.h"

/* ---- helpers ---- */

/* automake runs us in the build tree with top_srcdir pointing at the sources. */
static const char *
src_root(void)
{
	const char *r;

	if ((r = getenv("top_srcdir")) != NULL && *r != '\0')
		return r;
	if ((r = getenv("srcdir")) != NULL && *r != '\0')
		return r;
	return ".";
}

static char *
src_path(const char *rel)
{
	return xasprintf("%s/tests/unit/%s", src_root(), rel);
}

static char *
scratch_dir(void)
{
	char tmpl[] = "/tmp/qt-profile-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_rf(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Write dir/rel, creating the directories on the way. */
static char *
put_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel), *p;
	FILE *f;

	for (p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1)
			ck_assert_int_eq(errno, EEXIST);
		*p = '/';
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void
touch(const char *dir, const char *rel)
{
	free(put_file(dir, rel, ""));
}

static char *
slurp(const char *path)
{
	char *s = file_read(path, NULL, NULL);

	ck_assert_msg(s != NULL, "cannot read %s", path);
	return s;
}

/* Copy tests/unit/profiles-good/<name> into dir. */
static char *
stage_good(const char *dir, const char *name)
{
	char *rel = xasprintf("profiles-good/%s", name), *src = src_path(rel);
	char *text = slurp(src), *dst = put_file(dir, name, text);

	free(text);
	free(src);
	free(rel);
	return dst;
}

static struct profile *
load_text(const char *dir, const char *name, const char *text)
{
	char *path = put_file(dir, name, text);
	struct profile *p = profile_load(path);

	free(path);
	return p;
}

#define ck_good(p) ck_assert_msg((p)->broken == NULL, "broken: %s", (p)->broken)

#define ck_path(got, dir, rel) do {					\
	char *want_ = xasprintf("%s/%s", (dir), (rel));			\
	ck_assert_str_eq((got), want_);					\
	free(want_);							\
} while (0)

static const char *
default_arch(void)
{
	return arch_host() != NULL ? arch_host() : "x86_64";
}

/* ---- good profiles ---- */

START_TEST(test_design_example)
{
	char *dir = scratch_dir(), *path;
	struct profile *p;

	touch(dir, "images/boot.qcow2");
	touch(dir, "images/data.qcow2");
	path = stage_good(dir, "design-example.json");
	p = profile_load(path);
	ck_good(p);
	ck_assert_str_eq(p->path, path);
	ck_assert_str_eq(p->dir, dir);
	ck_assert_str_eq(p->name, "x86-elf-dev");
	ck_assert_str_eq(p->arch, "x86_64");
	ck_assert_str_eq(p->memory, "8G");
	ck_assert_int_eq(p->smp, 4);
	ck_assert_str_eq(p->cpu, "SandyBridge");
	ck_assert_str_eq(p->accel, "auto");
	ck_assert_uint_eq(p->ndrives, 2);
	ck_path(p->drives[0].file, dir, "images/boot.qcow2");
	ck_assert_str_eq(p->drives[0].format, "qcow2");
	ck_assert_str_eq(p->drives[0].iface, "floppy");
	ck_path(p->drives[1].file, dir, "images/data.qcow2");
	ck_assert_str_eq(p->drives[1].iface, "ide");
	ck_assert_int_eq(p->net.mode, NET_TAP);
	ck_assert_str_eq(p->net.ifname, "tap0");
	ck_assert_str_eq(p->net.model, "e1000");
	ck_assert_str_eq(p->net.mac, "08:00:27:40:f1:1e");
	ck_assert_str_eq(p->ssh.user, "root");
	ck_assert_str_eq(p->ssh.host, "172.16.0.2");
	ck_assert_ptr_null(p->append);
	profile_free(p);
	free(path);
	rm_rf(dir);
}
END_TEST

START_TEST(test_full_profile)
{
	char *dir = scratch_dir(), *path;
	struct profile *p;
	struct drive *d;

	touch(dir, "bin/qemu-system-x86_64");
	touch(dir, "fw/bios.bin");
	touch(dir, "fw/OVMF_CODE.fd");
	touch(dir, "boot/vmlinuz");
	touch(dir, "boot/initrd.img");
	touch(dir, "images/boot.qcow2");
	touch(dir, "images/data.qcow2");
	touch(dir, "images/install.iso");
	touch(dir, "keys/id_ed25519");
	path = stage_good(dir, "full.json");
	p = profile_load(path);
	ck_good(p);
	ck_assert_str_eq(p->name, "everything");
	ck_assert_str_eq(p->description, "every field set");
	ck_assert_str_eq(p->arch, "x86_64");
	ck_path(p->qemu, dir, "bin/qemu-system-x86_64");
	ck_assert_str_eq(p->machine, "q35");
	ck_assert_str_eq(p->cpu, "SandyBridge");
	ck_assert_str_eq(p->memory, "8G");
	ck_assert_int_eq(p->smp, 4);
	ck_assert_str_eq(p->accel, "tcg");
	ck_path(p->bios, dir, "fw/bios.bin");
	ck_path(p->firmware, dir, "fw/OVMF_CODE.fd");
	ck_path(p->kernel, dir, "boot/vmlinuz");
	ck_path(p->initrd, dir, "boot/initrd.img");
	ck_assert_str_eq(p->append, "console=ttyS0 root=/dev/vda");

	ck_assert_uint_eq(p->ndrives, 4);
	d = &p->drives[1];
	ck_path(d->file, dir, "images/data.qcow2");
	ck_assert_str_eq(d->format, "qcow2");
	ck_assert_str_eq(d->iface, "ide");
	ck_assert_str_eq(d->media, "disk");
	ck_assert_str_eq(d->id, "data0");
	ck_assert(d->readonly);
	ck_assert(d->snapshot);
	d = &p->drives[2];
	ck_assert_str_eq(d->media, "cdrom");
	ck_assert_str_eq(d->iface, "virtio");	/* the arch's disk_if */
	ck_assert_ptr_null(d->format);
	ck_assert_ptr_null(d->id);
	ck_assert(!d->readonly && !d->snapshot);
	/* A QEMU protocol is not a file name: neither resolved nor checked. */
	ck_assert_str_eq(p->drives[3].file, "nbd://127.0.0.1:10809/export");

	ck_assert_uint_eq(p->ndevices, 2);
	ck_assert_str_eq(p->devices[0], "virtio-rng-pci");
	ck_assert_str_eq(p->devices[1], "usb-ehci");

	ck_assert_int_eq(p->net.mode, NET_TAP);
	ck_assert_str_eq(p->net.model, "e1000");
	ck_assert_str_eq(p->net.mac, "08:00:27:40:f1:1e");
	ck_assert_str_eq(p->net.ifname, "tap0");
	ck_assert_str_eq(p->net.host_addr, "172.16.0.1/24");
	ck_assert_uint_eq(p->net.nforwards, 0);

	ck_assert_str_eq(p->ssh.user, "dev");
	ck_assert_str_eq(p->ssh.host, "172.16.0.2");
	ck_assert_int_eq(p->ssh.port, 2200);
	ck_path(p->ssh.identity, dir, "keys/id_ed25519");
	ck_assert_str_eq(p->ssh.host_key_check, "accept-new");
	ck_assert(p->ssh.auto_open);
	ck_assert_int_eq(p->ssh.connect_timeout, 120);

	ck_assert(p->snapshot);
	ck_assert_str_eq(p->display, "vnc=:1");
	ck_assert_uint_eq(p->nextra_args, 3);
	ck_assert_str_eq(p->extra_args[0], "-d");
	ck_assert_str_eq(p->extra_args[1], "int,cpu_reset");
	ck_assert_str_eq(p->extra_args[2], "-no-reboot");
	ck_assert(p->no_shutdown);
	ck_assert_int_eq(profile_validate(p, NULL), 0);
	profile_free(p);
	free(path);
	rm_rf(dir);
}
END_TEST

START_TEST(test_comments_trailing_commas)
{
	char *path = src_path("profiles-good/comments.json");
	struct profile *p = profile_load(path);

	ck_good(p);
	ck_assert_str_eq(p->name, "commented");
	ck_assert_str_eq(p->memory, "2048");	/* a number is MiB, as for -m */
	ck_assert_int_eq(p->smp, 2);
	ck_assert_uint_eq(p->ndevices, 1);
	ck_assert_int_eq(p->net.mode, NET_NONE);
	ck_assert_ptr_null(p->description);
	ck_assert_uint_eq(p->nextra_args, 0);
	profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_forwards)
{
	char *path = src_path("profiles-good/forwards.json");
	struct profile *p = profile_load(path);

	ck_good(p);
	ck_assert_str_eq(p->name, "forwards");
	ck_assert_str_eq(p->arch, "aarch64");
	ck_assert_uint_eq(p->net.nforwards, 3);
	ck_assert_str_eq(p->net.forwards[0].proto, "tcp");
	ck_assert_str_eq(p->net.forwards[0].host_addr, "127.0.0.1");
	ck_assert_int_eq(p->net.forwards[0].host_port, 8080);
	ck_assert_int_eq(p->net.forwards[0].guest_port, 80);
	ck_assert_str_eq(p->net.forwards[1].proto, "udp");
	ck_assert_str_eq(p->net.forwards[2].host_addr, "0.0.0.0");
	ck_assert_int_eq(p->ssh.port, 2222);
	profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_defaults_x86_64)
{
	char *dir = scratch_dir();
	struct profile *p = load_text(dir, "vm1.json", "{ \"arch\": \"x86_64\" }"), *u;

	/* "uefi" is a word, not a file next to the profile; "./uefi" is a file */
	u = load_text(dir, "u.json", "{ \"firmware\": \"uefi\" }");
	ck_good(u);
	ck_assert_str_eq(u->firmware, "uefi");
	profile_free(u);
	/* network.create is for a tap */
	u = load_text(dir, "c.json", "{ \"network\": { \"create\": true } }");
	ck_assert_ptr_nonnull(u->broken);
	ck_assert_ptr_nonnull(strstr(u->broken, "network.create: only works with mode tap "
	    "(mode is user)"));
	profile_free(u);
	u = load_text(dir, "c2.json", "{ \"network\": { \"mode\": \"tap\", \"ifname\": "
	    "\"tap9\", \"create\": true } }");
	ck_good(u);
	ck_assert(u->net.create);
	profile_free(u);
	/* mode bridge needs network.bridge, and only it takes one */
	u = load_text(dir, "b.json", "{ \"network\": { \"mode\": \"bridge\" } }");
	ck_assert_ptr_nonnull(u->broken);
	ck_assert_ptr_nonnull(strstr(u->broken, "network.mode: bridge needs network.bridge"));
	profile_free(u);
	u = load_text(dir, "b2.json", "{ \"network\": { \"bridge\": \"br0\" } }");
	ck_assert_ptr_nonnull(u->broken);
	ck_assert_ptr_nonnull(strstr(u->broken, "network.bridge: only works with mode bridge"));
	profile_free(u);
	u = load_text(dir, "b3.json", "{ \"network\": { \"mode\": \"bridge\", "
	    "\"bridge\": \"br0\" } }");
	ck_good(u);
	ck_assert_int_eq(u->net.mode, NET_BRIDGE);
	profile_free(u);
	u = load_text(dir, "u2.json", "{ \"firmware\": \"./uefi\" }");
	ck_assert_ptr_nonnull(u->broken);
	ck_assert_ptr_nonnull(strstr(u->broken, "/uefi does not exist"));
	profile_free(u);
	const struct arch_info *ai = arch_find("x86_64");

	ck_good(p);
	ck_assert_str_eq(p->name, "vm1");
	ck_assert_str_eq(p->machine, ai->machine);
	ck_assert_str_eq(p->machine, "pc");
	ck_assert_str_eq(p->net.model, ai->nic_model);
	ck_assert_ptr_null(p->cpu);	/* chosen with the accelerator at start */
	ck_assert_ptr_null(p->qemu);
	ck_assert_ptr_null(p->description);
	ck_assert_ptr_null(p->display);
	ck_assert_ptr_null(p->kernel);
	ck_assert_ptr_null(p->append);
	ck_assert_str_eq(p->memory, "1G");
	ck_assert_int_eq(p->smp, 1);
	ck_assert_str_eq(p->accel, "auto");
	ck_assert_int_eq(p->net.mode, NET_USER);
	/* no network.mac: one from the name, the same in every run */
	ck_assert_ptr_nonnull(p->net.mac);
	ck_assert_str_eq(p->net.mac, "52:54:00:5f:19:4e");
	ck_assert_str_eq(p->ssh.user, "root");
	ck_assert_ptr_null(p->ssh.host);
	ck_assert_int_eq(p->ssh.port, 0);
	ck_assert_str_eq(p->ssh.host_key_check, "ask");
	ck_assert(!p->ssh.auto_open);
	ck_assert_int_eq(p->ssh.connect_timeout, 60);
	ck_assert(!p->snapshot && !p->no_shutdown);
	ck_assert_uint_eq(p->ndrives + p->ndevices + p->nextra_args, 0);
	profile_free(p);
	rm_rf(dir);
}
END_TEST

START_TEST(test_defaults_aarch64)
{
	char *dir = scratch_dir();
	const struct arch_info *ai = arch_find("aarch64");
	struct profile *p;
	char *want;

	touch(dir, "Image");
	touch(dir, "disk.img");
	p = load_text(dir, "arm.json", "{ \"arch\": \"aarch64\", \"kernel\": "
	    "\"Image\", \"drives\": [ { \"file\": \"disk.img\" } ] }");
	ck_good(p);
	ck_assert_str_eq(p->machine, "virt");
	ck_assert_str_eq(p->net.model, ai->nic_model);
	ck_assert_str_eq(p->drives[0].iface, ai->disk_if);
	want = xasprintf("console=%s", ai->console);
	ck_assert_str_eq(p->append, want);
	ck_assert_str_eq(p->append, "console=ttyAMA0");
	free(want);
	profile_free(p);

	/* An explicit append wins, even an empty one. */
	p = load_text(dir, "arm2.json", "{ \"arch\": \"aarch64\", \"kernel\": "
	    "\"Image\", \"append\": \"\" }");
	ck_good(p);
	ck_assert_str_eq(p->append, "");
	profile_free(p);
	rm_rf(dir);
}
END_TEST

START_TEST(test_default_arch_is_host)
{
	char *dir = scratch_dir();
	struct profile *p = load_text(dir, "plain.json", "{}");

	ck_good(p);
	ck_assert_str_eq(p->arch, default_arch());
	ck_assert_ptr_nonnull(arch_find(p->arch));
	ck_assert_str_eq(p->machine, arch_find(p->arch)->machine);
	profile_free(p);
	rm_rf(dir);
}
END_TEST

START_TEST(test_relative_paths)
{
	char *dir = scratch_dir(), *home = xasprintf("%s/home", dir);
	char *old_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	struct profile *p;

	touch(dir, "k");
	touch(dir, "sub/d.img");
	touch(dir, "home/.ssh/key");
	setenv("HOME", home, 1);
	p = load_text(dir, "rel.json", "{ \"kernel\": \"k\", \"append\": \"x\", "
	    "\"qemu\": \"qemu-system-x86_64\", \"bios\": \"/dev/null\", "
	    "\"drives\": [ { \"file\": \"sub/d.img\" } ], "
	    "\"ssh\": { \"identity\": \"~/.ssh/key\" } }");
	ck_good(p);
	ck_path(p->kernel, dir, "k");
	ck_path(p->drives[0].file, dir, "sub/d.img");
	ck_path(p->ssh.identity, home, ".ssh/key");
	ck_assert_str_eq(p->qemu, "qemu-system-x86_64");	/* PATH, at start */
	ck_assert_str_eq(p->bios, "/dev/null");
	profile_free(p);
	if (old_home != NULL)
		setenv("HOME", old_home, 1);
	else
		unsetenv("HOME");
	free(old_home);
	free(home);
	rm_rf(dir);
}
END_TEST

/* A profile named by a relative path still gets absolute paths: QEMU runs from /. */
START_TEST(test_relative_profile_path)
{
	char *dir = scratch_dir(), *cwd = getcwd(NULL, 0), *real;
	struct profile *p;

	touch(dir, "d.img");
	free(put_file(dir, "x.json", "{ \"drives\": [ { \"file\": \"d.img\" } ] }"));
	ck_assert_int_eq(chdir(dir), 0);
	real = getcwd(NULL, 0);
	p = profile_load("x.json");
	ck_good(p);
	ck_assert_str_eq(p->dir, real);
	ck_path(p->drives[0].file, real, "d.img");
	profile_free(p);
	p = profile_load("./x.json");
	ck_good(p);
	ck_assert_str_eq(p->dir, real);
	profile_free(p);
	ck_assert_int_eq(chdir(cwd), 0);
	free(real);
	free(cwd);
	rm_rf(dir);
}
END_TEST

/* A string literal and its length, NUL bytes included. */
#define LIT(s) (s), sizeof (s) - 1

START_TEST(test_bom_crlf_null)
{
	struct profile *p;

	p = profile_parse("/x/bom.json", LIT("\xef\xbb\xbf{\r\n\"smp\": 2,\r\n"
	    "\"memory\": null\r\n}\r\n"));
	ck_good(p);
	ck_assert_int_eq(p->smp, 2);
	ck_assert_str_eq(p->memory, "1G");
	ck_assert_str_eq(p->name, "bom");
	profile_free(p);

	p = profile_parse("/x/crlf.json",
	    LIT("{\r\n\"smp\": 2,\r\n\"smp\": 0\r\n}"));
	ck_assert_ptr_nonnull(p->broken);
	/* Of duplicate keys the last counts, as in json-c, and is the one named. */
	ck_assert_str_eq(p->broken, "/x/crlf.json:3:8: smp: expected a whole "
	    "number 1..1024, got 0");
	profile_free(p);

	p = profile_parse("/x/nul.json", LIT("{ \"smp\": \0 }"));
	ck_assert_str_eq(p->broken, "/x/nul.json:1:10: a NUL byte: this is not "
	    "a text file");
	profile_free(p);
}
END_TEST

/* ---- bad profiles ---- */

static char *
replace_all(const char *s, const char *from, const char *to)
{
	char *out = xstrdup(""), *t;
	const char *hit;

	while ((hit = strstr(s, from)) != NULL) {
		t = xasprintf("%s%.*s%s", out, (int)(hit - s), s, to);
		free(out);
		out = t;
		s = hit + strlen(from);
	}
	t = xasprintf("%s%s", out, s);
	free(out);
	return t;
}

START_TEST(test_bad_profiles)
{
	char *dir = src_path("profiles-bad"), *path, *text, *nl, *want;
	char *stem, realdir[PATH_MAX], realpdir[PATH_MAX];
	struct dirent *de;
	struct profile *p;
	size_t n = 0, k;
	DIR *d;

	ck_assert_ptr_nonnull(d = opendir(dir));
	ck_assert_ptr_nonnull(realpath(dir, realdir));
	while ((de = readdir(d)) != NULL) {
		k = strlen(de->d_name);
		if (de->d_name[0] == '.' || k < 6 ||
		    strcmp(de->d_name + k - 5, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		text = slurp(path);
		ck_assert_msg(strncmp(text, "// expect: ", 11) == 0,
		    "%s: no \"// expect: \" line", path);
		nl = strchr(text, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';

		p = profile_load(path);
		ck_assert_ptr_nonnull(realpath(p->dir, realpdir));
		ck_assert_str_eq(realpdir, realdir);
		want = replace_all(text + 11, "PROFDIR", p->dir);
		ck_assert_msg(p->broken != NULL, "%s: not broken", path);
		ck_assert_msg(strncmp(p->broken, path, strlen(path)) == 0 &&
		    p->broken[strlen(path)] == ':',
		    "%s: message does not start with the path: %s", path,
		    p->broken);
		ck_assert_msg(strstr(p->broken, want) != NULL,
		    "%s:\n  want: %s\n  got:  %s", de->d_name, want, p->broken);
		/* Broken or not, a profile can be listed by a usable name. */
		ck_assert_ptr_nonnull(p->name);
		if (strncmp(de->d_name, "name-", 5) == 0) {
			stem = xstrndup(de->d_name, k - 5);
			ck_assert_str_eq(p->name, stem);
			free(stem);
		}
		ck_assert_int_eq(profile_validate(p, NULL), -1);
		profile_free(p);
		free(want);
		free(text);
		free(path);
		n++;
	}
	closedir(d);
	ck_assert_uint_ge(n, 30);
	free(dir);
}
END_TEST

/* A missing file is checked last and leaves everything else in place. */
START_TEST(test_broken_keeps_fields)
{
	char *path = src_path("profiles-bad/missing-drive-file.json");
	struct profile *p = profile_load(path);
	char *want;

	ck_assert_ptr_nonnull(p->broken);
	ck_assert_uint_eq(p->ndrives, 2);
	want = xasprintf("%s/images/data.qcow2", p->dir);
	ck_assert_str_eq(p->drives[1].file, want);
	ck_assert_str_eq(p->drives[1].format, "qcow2");
	ck_assert_str_eq(p->memory, "1G");
	ck_assert_str_eq(p->name, "missing-drive-file");
	ck_assert_ptr_nonnull(p->machine);
	free(want);
	profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_unreadable)
{
	struct profile *p = profile_load("/nonexistent/dir/gone.json");

	ck_assert_ptr_nonnull(p->broken);
	ck_assert_str_eq(p->broken, "/nonexistent/dir/gone.json: No such file "
	    "or directory");
	ck_assert_str_eq(p->name, "gone");
	ck_assert_int_eq(profile_validate(p, NULL), -1);
	profile_free(p);
}
END_TEST

/* ---- --set ---- */

START_TEST(test_set_overrides)
{
	char *dir = scratch_dir(), *k = xasprintf("%s/k", dir);
	struct profile *p;
	qt_error err;

	touch(dir, "k");
	p = load_text(dir, "s.json", "{ \"arch\": \"x86_64\", \"kernel\": \"k\", "
	    "\"network\": { \"mode\": \"none\" } }");
	ck_good(p);
	ck_assert_str_eq(p->append, "console=ttyS0");
	ck_assert_int_eq(profile_set(p, "memory=2G", &err), 0);
	ck_assert_str_eq(p->memory, "2G");
	ck_assert_int_eq(profile_set(p, "smp=4", &err), 0);
	/* A boolean's spelling is the user's: YES, On, TRUE. */
	ck_assert_int_eq(profile_set(p, "ssh.auto_open=YES", &err), 0);
	ck_assert(p->ssh.auto_open);
	ck_assert_int_eq(profile_set(p, "ssh.auto_open=Off", &err), 0);
	ck_assert(!p->ssh.auto_open);
	ck_assert_int_eq(profile_set(p, "ssh.auto_open=yess", &err), -1);
	/* A control character never gets in through --set either. */
	ck_assert_int_eq(profile_set(p, "ssh.user=a\nb", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "control characters"));
	ck_assert_int_eq(p->smp, 4);
	ck_assert_int_eq(profile_set(p, "ssh.port=2223", &err), 0);
	ck_assert_int_eq(p->ssh.port, 2223);
	ck_assert_int_eq(profile_set(p, "network.mode=user", &err), 0);
	ck_assert_int_eq(p->net.mode, NET_USER);
	ck_assert_int_eq(profile_set(p, "snapshot=yes", &err), 0);
	ck_assert(p->snapshot);
	ck_assert_int_eq(profile_set(p, "snapshot=off", &err), 0);
	ck_assert(!p->snapshot);
	ck_assert_int_eq(profile_set(p, "ssh.host_key_check=off", &err), 0);
	ck_assert_str_eq(p->ssh.host_key_check, "off");
	ck_assert_int_eq(profile_set(p, "cpu=max", &err), 0);
	ck_assert_str_eq(p->cpu, "max");

	/* Derived defaults follow the arch; explicit values stay. */
	ck_assert_str_eq(p->machine, "pc");
	ck_assert_int_eq(profile_set(p, "arch=aarch64", &err), 0);
	ck_assert_str_eq(p->arch, "aarch64");
	ck_assert_str_eq(p->machine, "virt");
	ck_assert_str_eq(p->append, "console=ttyAMA0");
	ck_assert_int_eq(profile_set(p, "machine=virt-4.2", &err), 0);
	ck_assert_int_eq(profile_set(p, "arch=x86_64", &err), 0);
	ck_assert_str_eq(p->machine, "virt-4.2");
	ck_assert_str_eq(p->append, "console=ttyS0");

	/* key= restores the default, or unsets. */
	ck_assert_int_eq(profile_set(p, "memory=", &err), 0);
	ck_assert_str_eq(p->memory, "1G");
	ck_assert_int_eq(profile_set(p, "smp=", &err), 0);
	ck_assert_int_eq(p->smp, 1);
	ck_assert_int_eq(profile_set(p, "cpu=", &err), 0);
	ck_assert_ptr_null(p->cpu);
	ck_assert_int_eq(profile_set(p, "kernel=", &err), 0);
	ck_assert_ptr_null(p->kernel);
	ck_assert_ptr_null(p->append);	/* only a default: goes with the kernel */
	ck_good(p);

	/* A path given on the command line is absolute or relative to the cwd. */
	ck_assert_int_eq(profile_set(p, "ssh.identity=/dev/null", &err), 0);
	ck_assert_str_eq(p->ssh.identity, "/dev/null");
	profile_free(p);
	free(k);
	rm_rf(dir);
}
END_TEST

START_TEST(test_set_kernel_defaults_append)
{
	char *dir = scratch_dir(), *cwd = getcwd(NULL, 0), *real, *arg;
	struct profile *p;
	qt_error err;

	touch(dir, "vmlinuz");
	p = load_text(dir, "k.json", "{ \"arch\": \"aarch64\" }");
	ck_assert_ptr_null(p->append);
	ck_assert_int_eq(chdir(dir), 0);
	real = getcwd(NULL, 0);
	ck_assert_int_eq(profile_set(p, "kernel=vmlinuz", &err), 0);
	ck_path(p->kernel, real, "vmlinuz");
	ck_assert_str_eq(p->append, "console=ttyAMA0");
	ck_good(p);
	ck_assert_int_eq(chdir(cwd), 0);

	/* A kernel that is not there: accepted, but the profile is broken. */
	arg = xasprintf("kernel=%s/nope", dir);
	ck_assert_int_eq(profile_set(p, arg, &err), 0);
	ck_assert_ptr_nonnull(p->broken);
	ck_assert_ptr_nonnull(strstr(p->broken, "kernel: "));
	ck_assert_ptr_nonnull(strstr(p->broken, "/nope does not exist"));
	ck_assert_int_eq(profile_validate(p, &err), -1);
	ck_assert_str_eq(err.msg, p->broken);
	free(arg);
	free(real);
	free(cwd);
	profile_free(p);
	rm_rf(dir);
}
END_TEST

struct bad_set {
	const char *set;
	const char *msg;
};

START_TEST(test_set_rejects)
{
	static const struct bad_set bad[] = {
		{ "smp=0", "smp: expected a whole number 1..1024, got \"0\"" },
		{ "smp=5000", "smp: expected a whole number 1..1024, got \"5000\"" },
		{ "smp=four", "smp: expected a whole number 1..1024, got \"four\"" },
		{ "smp=4x", "smp: expected a whole number 1..1024, got \"4x\"" },
		{ "memory=12X", "memory: \"12X\" is not a size like 512M or 8G" },
		{ "memory=0", "memory: must be more than 0" },
		{ "accel=kvmm", "accel: \"kvmm\" is not one of auto, kvm, hvf, "
		  "whpx, tcg" },
		{ "arch=mips", "arch: \"mips\" is not one of x86_64, aarch64, "
		  "riscv64" },
		{ "network.mode=tapp", "network.mode: \"tapp\" is not one of user, "
		  "tap, vmnet-shared, vmnet-host, vmnet-bridged, none" },
		{ "network.mac=zz", "network.mac: \"zz\" is not a MAC address" },
		{ "network.ifname=tap-with-a-long-name", "network.ifname: "
		  "\"tap-with-a-long-name\" is longer than 15 bytes" },
		{ "ssh.port=70000", "ssh.port: expected a whole number 0..65535, "
		  "got \"70000\"" },
		{ "ssh.port=-1", "ssh.port: expected a whole number 0..65535" },
		{ "ssh.host_key_check=yes", "ssh.host_key_check: \"yes\" is not one "
		  "of ask, accept-new, off" },
		{ "ssh.connect_timeout=0", "ssh.connect_timeout: expected a whole "
		  "number 1..3600" },
		{ "snapshot=maybe", "snapshot: expected true or false (yes/no, "
		  "on/off, 1/0), got \"maybe\"" },
		{ "memroy=2G", "unknown key \"memroy\" (did you mean \"memory\"?)" },
		{ "ssh.prot=22", "unknown key \"ssh.prot\" (did you mean "
		  "\"ssh.port\"?)" },
		{ "ifname=tap0", "unknown key \"ifname\" (did you mean "
		  "\"network.ifname\"?)" },
		{ "network.color=red", "unknown key \"network.color\"" },
		{ "memory.size=1", "unknown key \"memory.size\"" },
		{ "colour=blue", "unknown key \"colour\" (see `qemu-tui "
		  "profile-help`)" },
		{ "drives=x", "drives is a list: edit the profile" },
		{ "drives[0].file=x", "drives[0].file is a list" },
		{ "devices=virtio-rng-pci", "devices is a list" },
		{ "extra_args=-S", "extra_args is a list" },
		{ "network.forwards=x", "network.forwards is a list" },
		{ "network=user", "network is an object: set its fields one by one" },
		{ "name=other", "name cannot be changed with --set" },
		{ "memory", "expected KEY=VALUE (e.g. memory=2G), got \"memory\"" },
		{ "=2G", "expected KEY=VALUE" },
	};
	char *dir = scratch_dir();
	struct profile *p = load_text(dir, "r.json", "{ \"memory\": \"3G\", "
	    "\"smp\": 3, \"network\": { \"mode\": \"none\" } }");
	qt_error err;
	size_t i;

	ck_good(p);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err.msg[0] = '\0';
		ck_assert_msg(profile_set(p, bad[i].set, &err) == -1,
		    "--set %s was accepted", bad[i].set);
		ck_assert_msg(strstr(err.msg, bad[i].msg) != NULL,
		    "--set %s:\n  want: %s\n  got:  %s", bad[i].set, bad[i].msg,
		    err.msg);
	}
	/* Nothing changed. */
	ck_good(p);
	ck_assert_str_eq(p->memory, "3G");
	ck_assert_int_eq(p->smp, 3);
	ck_assert_int_eq(p->net.mode, NET_NONE);
	ck_assert_str_eq(p->name, "r");
	profile_free(p);
	rm_rf(dir);
}
END_TEST

START_TEST(test_set_revalidates)
{
	char *dir = scratch_dir();
	struct profile *p = load_text(dir, "t.json", "{}");
	qt_error err;

	ck_good(p);
	ck_assert_int_eq(profile_set(p, "network.mode=tap", &err), 0);
	ck_assert_ptr_nonnull(p->broken);
	ck_assert_ptr_nonnull(strstr(p->broken, "t.json: network.mode: tap "
	    "needs network.ifname"));
	ck_assert_int_eq(profile_validate(p, &err), -1);
	ck_assert_int_eq(profile_set(p, "network.ifname=tap0", &err), 0);
	ck_good(p);
	ck_assert_int_eq(profile_validate(p, &err), 0);
	profile_free(p);
	rm_rf(dir);
}
END_TEST

/* What parsing found cannot be set away. */
START_TEST(test_set_keeps_parse_errors)
{
	char *path = src_path("profiles-bad/syntax-missing-comma.json");
	struct profile *p = profile_load(path);
	qt_error err;
	char *before;

	ck_assert_ptr_nonnull(p->broken);
	before = xstrdup(p->broken);
	ck_assert_int_eq(profile_set(p, "memory=2G", &err), 0);
	ck_assert_str_eq(p->broken, before);
	ck_assert_int_eq(profile_validate(p, &err), -1);
	ck_assert_str_eq(err.msg, before);
	free(before);
	profile_free(p);

	/* A value that is only re-checked is fixed by --set. */
	free(path);
	path = src_path("profiles-bad/smp-5000.json");
	p = profile_load(path);
	ck_assert_ptr_nonnull(p->broken);
	ck_assert_int_eq(profile_set(p, "smp=8", &err), 0);
	ck_good(p);
	profile_free(p);
	free(path);
}
END_TEST

/* ---- directories ---- */

START_TEST(test_load_dir_mixed)
{
	char *dir = scratch_dir(), *sub, *link;
	struct profile_list l;
	qt_error err;

	free(put_file(dir, "a.json", "{ \"name\": \"alpha\", \"smp\": 2 }"));
	free(put_file(dir, "b.json", "{ \"name\": \"beta\" \"smp\": 2 }"));
	free(put_file(dir, ".hidden.json", "{}"));
	free(put_file(dir, "notes.txt", "not a profile"));
	free(put_file(dir, "d.json", "{ \"name\": \"delta\", \"kernel\": "
	    "\"missing\" }"));
	sub = xasprintf("%s/e.json", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	link = xasprintf("%s/c.json", dir);
	ck_assert_int_eq(symlink("/nonexistent/target.json", link), 0);

	ck_assert_int_eq(profile_load_dir(dir, &l, &err), 0);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.items[0]->name, "alpha");
	ck_good(l.items[0]);
	ck_assert_int_eq(l.items[0]->smp, 2);
	ck_assert_str_eq(l.items[1]->name, "b");	/* unparsable: the file name */
	ck_assert_ptr_nonnull(strstr(l.items[1]->broken, "b.json:1:18: object "
	    "value separator ',' expected"));
	ck_assert_str_eq(l.items[2]->name, "c");
	ck_assert_ptr_nonnull(strstr(l.items[2]->broken, "c.json: No such file"));
	ck_assert_str_eq(l.items[3]->name, "delta");
	ck_assert_ptr_nonnull(strstr(l.items[3]->broken, "kernel: "));
	ck_assert_ptr_eq(profile_list_find(&l, "alpha"), l.items[0]);
	ck_assert_ptr_eq(profile_list_find(&l, "delta"), l.items[3]);
	ck_assert_ptr_null(profile_list_find(&l, "hidden"));
	profile_list_free(&l);
	ck_assert_uint_eq(l.n, 0);

	ck_assert_int_eq(profile_load_dir("/nonexistent/profiles", &l, &err), -1);
	ck_assert_str_eq(err.msg, "profile directory /nonexistent/profiles does "
	    "not exist: create it (mkdir -p /nonexistent/profiles) or pass another "
	    "--profiles DIR");
	ck_assert_uint_eq(l.n, 0);
	free(link);
	free(sub);
	rm_rf(dir);
}
END_TEST

/* Without network.mac the MAC comes from the name; two profiles never share one. */
START_TEST(test_load_dir_macs)
{
	char *dir = scratch_dir(), *want;
	struct profile_list l;
	char mac[18];
	qt_error err;

	profile_name_mac("b", mac);
	ck_assert_str_eq(mac, "52:54:00:df:4c:86");	/* pinned: a lease outlives versions */
	profile_name_mac("a", mac);
	ck_assert_str_eq(mac, "52:54:00:dc:4c:86");
	free(put_file(dir, "1-a.json", "{ \"name\": \"a\", \"network\": "
	    "{ \"mac\": \"52:54:00:DF:4c:86\" } }"));
	free(put_file(dir, "2-b.json", "{ \"name\": \"b\" }"));
	free(put_file(dir, "3-c.json", "{ \"name\": \"c\", \"network\": "
	    "{ \"mode\": \"none\", \"mac\": \"52:54:00:df:4c:86\" } }"));
	free(put_file(dir, "4-d.json", "{ \"name\": \"d\", \"network\": "
	    "{ \"mac\": \"52:54:00:dc:4c:86\" } }"));
	free(put_file(dir, "5-e.json", "{ \"name\": \"e\" }"));
	ck_assert_int_eq(profile_load_dir(dir, &l, &err), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_good(l.items[0]);
	want = xasprintf("%s/2-b.json: network.mac: 52:54:00:df:4c:86 is also the MAC "
	    "of \"a\" (%s/1-a.json), derived from this profile's name; set another "
	    "network.mac in this file, e.g. \"mac\": \"", dir, dir);
	ck_assert_ptr_nonnull(l.items[1]->broken);
	ck_assert_msg(strncmp(l.items[1]->broken, want, strlen(want)) == 0, "%s",
	    l.items[1]->broken);
	free(want);
	ck_good(l.items[2]);		/* mode none: no NIC */
	/* a's own default is free, since a set its MAC: d's explicit one is no clash */
	ck_good(l.items[3]);
	ck_good(l.items[4]);
	ck_assert_str_ne(l.items[4]->net.mac, l.items[1]->net.mac);
	/* --set does not hide the clash */
	ck_assert_int_eq(profile_set(l.items[1], "smp=3", &err), 0);
	ck_assert_ptr_nonnull(l.items[1]->broken);
	ck_assert_ptr_nonnull(strstr(l.items[1]->broken, "is also the MAC"));
	profile_list_free(&l);
	free(put_file(dir, "6-f.json", "{ \"name\": \"f\", \"network\": "
	    "{ \"mac\": \"52:54:00:dc:4c:86\" } }"));
	ck_assert_int_eq(profile_load_dir(dir, &l, &err), 0);
	ck_assert_ptr_nonnull(l.items[5]->broken);
	ck_assert_ptr_nonnull(strstr(l.items[5]->broken, "52:54:00:dc:4c:86 is also the "
	    "MAC of \"d\""));
	ck_assert_ptr_null(strstr(l.items[5]->broken, "derived"));
	profile_list_free(&l);
	rm_rf(dir);
}
END_TEST

START_TEST(test_load_dir_duplicates)
{
	char *dir = scratch_dir(), *want;
	struct profile_list l;
	qt_error err;

	free(put_file(dir, "1-first.json", "{ \"name\": \"x\" }"));
	free(put_file(dir, "2-second.json", "{ \"name\": \"x\", \"smp\": 2 }"));
	free(put_file(dir, "3-other.json", "{ \"name\": \"y\" }"));
	free(put_file(dir, "x.json", "{}"));	/* named x by its file name */
	ck_assert_int_eq(profile_load_dir(dir, &l, &err), 0);
	ck_assert_uint_eq(l.n, 4);
	ck_good(l.items[0]);
	want = xasprintf("%s/2-second.json: duplicate name \"x\": also used by "
	    "%s/1-first.json", dir, dir);
	ck_assert_str_eq(l.items[1]->broken, want);
	ck_assert_int_eq(l.items[1]->smp, 2);	/* still parsed */
	ck_good(l.items[2]);
	ck_assert_ptr_nonnull(strstr(l.items[3]->broken, "duplicate name \"x\""));
	ck_assert_ptr_eq(profile_list_find(&l, "x"), l.items[0]);
	ck_assert_ptr_eq(profile_list_find(&l, "y"), l.items[2]);
	ck_assert_ptr_null(profile_list_find(&l, "z"));
	/* --set does not make a duplicate usable. */
	ck_assert_int_eq(profile_set(l.items[1], "smp=3", &err), 0);
	ck_assert_str_eq(l.items[1]->broken, want);
	free(want);
	profile_list_free(&l);
	rm_rf(dir);
}
END_TEST

static void
restore_env(const char *name, char *saved)
{
	if (saved != NULL)
		setenv(name, saved, 1);
	else
		unsetenv(name);
	free(saved);
}

static char *
save_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? xstrdup(v) : NULL;
}

static void
free_dirs(char **v)
{
	size_t i;

	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

START_TEST(test_search_dirs)
{
	char *e = save_env("QEMU_TUI_PROFILES"), *x = save_env("XDG_CONFIG_HOME");
	char *h = save_env("HOME"), **v;
	const char *installed;

	setenv("QEMU_TUI_PROFILES", "/env/profiles", 1);
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	v = profile_search_dirs("/cli");
	ck_assert_str_eq(v[0], "/cli");
	ck_assert_str_eq(v[1], "/env/profiles");
	ck_assert_str_eq(v[2], "/xdg/qemu-tui/profiles");
	ck_assert_ptr_nonnull(v[3]);
	installed = v[3];
#ifdef QT_PROFILES_DIR
	ck_assert_str_eq(installed, QT_PROFILES_DIR);
#else
	ck_assert_str_eq(installed, "/usr/local/share/qemu-tui/profiles");
#endif
	/* Last, the examples beside an uninstalled binary: <exe dir>/../profiles. */
	ck_assert_ptr_nonnull(v[4]);
	ck_assert_str_eq(v[4] + strlen(v[4]) - strlen("/profiles"), "/profiles");
	ck_assert_ptr_null(v[5]);
	free_dirs(v);

	unsetenv("QEMU_TUI_PROFILES");
	unsetenv("XDG_CONFIG_HOME");
	v = profile_search_dirs(NULL);
	ck_assert_str_eq(v[0], "/home/u/.config/qemu-tui/profiles");
	ck_assert_ptr_nonnull(v[1]);
	ck_assert_ptr_nonnull(v[2]);
	ck_assert_ptr_null(v[3]);
	free_dirs(v);

	/* A relative XDG_CONFIG_HOME is ignored, as the spec says. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	v = profile_search_dirs("");
	ck_assert_str_eq(v[0], "/home/u/.config/qemu-tui/profiles");
	free_dirs(v);

	restore_env("QEMU_TUI_PROFILES", e);
	restore_env("XDG_CONFIG_HOME", x);
	restore_env("HOME", h);
}
END_TEST

START_TEST(test_dir_pick)
{
	char *e = save_env("QEMU_TUI_PROFILES"), *x = save_env("XDG_CONFIG_HOME");
	char *h = save_env("HOME"), *dir = scratch_dir(), *pick, *want, *envd;

	touch(dir, "xdg/qemu-tui/profiles/a.json");
	touch(dir, "env/a.json");
	envd = xasprintf("%s/env", dir);
	want = xasprintf("%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", want, 1);
	free(want);
	setenv("HOME", dir, 1);

	/* The first directory that exists wins. */
	setenv("QEMU_TUI_PROFILES", envd, 1);
	pick = profile_dir_pick(NULL);
	ck_assert_str_eq(pick, envd);
	free(pick);

	setenv("QEMU_TUI_PROFILES", "/nonexistent/env", 1);
	pick = profile_dir_pick(NULL);
	want = xasprintf("%s/xdg/qemu-tui/profiles", dir);
	ck_assert_str_eq(pick, want);
	free(want);
	free(pick);

	/* A file is not a directory. */
	want = xasprintf("%s/env/a.json", dir);
	setenv("QEMU_TUI_PROFILES", want, 1);
	pick = profile_dir_pick(NULL);
	ck_assert_str_ne(pick, want);
	free(want);
	free(pick);

	/* --profiles is taken as given, even missing: the caller says so. */
	pick = profile_dir_pick("/nonexistent/cli");
	ck_assert_str_eq(pick, "/nonexistent/cli");
	free(pick);
	pick = profile_dir_pick(envd);
	ck_assert_str_eq(pick, envd);
	free(pick);

	free(envd);
	restore_env("QEMU_TUI_PROFILES", e);
	restore_env("XDG_CONFIG_HOME", x);
	restore_env("HOME", h);
	rm_rf(dir);
}
END_TEST

/* Without an absolute HOME (and XDG_CONFIG_HOME) there is no user directory. */
START_TEST(test_search_dirs_no_home)
{
	char *e = save_env("QEMU_TUI_PROFILES"), *x = save_env("XDG_CONFIG_HOME");
	char *h = save_env("HOME"), **v;

	unsetenv("QEMU_TUI_PROFILES");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	v = profile_search_dirs(NULL);
	ck_assert_str_eq(v[0] + strlen(v[0]) - strlen("/qemu-tui/profiles"),
	    "/qemu-tui/profiles");
	ck_assert_ptr_nonnull(v[1]);
	ck_assert_ptr_null(v[2]);
	free_dirs(v);
	setenv("HOME", "relative/home", 1);
	v = profile_search_dirs(NULL);
	ck_assert_ptr_null(strstr(v[0], "relative/home"));
	free_dirs(v);

	restore_env("QEMU_TUI_PROFILES", e);
	restore_env("XDG_CONFIG_HOME", x);
	restore_env("HOME", h);
}
END_TEST

/* The edit distance behind "did you mean": a swap of neighbours is one edit. */
START_TEST(test_str_distance)
{
	struct suggest sg;

	ck_assert_uint_eq(str_distance("memroy", "memory"), 1);
	ck_assert_uint_eq(str_distance("MEMORY", "memory"), 0);
	ck_assert_uint_eq(str_distance("", "smp"), 3);
	ck_assert_uint_eq(str_distance("kitten", "sitting"), 3);
	ck_assert_uint_eq(str_distance("ca", "abc"), 3);
	suggest_init(&sg, "memroy", 2);
	ck_assert_int_eq(suggest_try(&sg, "machine"), 0);
	ck_assert_int_eq(suggest_try(&sg, "memory"), 1);
	ck_assert_int_eq(suggest_try(&sg, "memory2"), 0);
	ck_assert_str_eq(sg.best, "memory");
	ck_assert_uint_eq(sg.dist, 1);
}
END_TEST

/* Every shipped example parses; only files the user must fetch may be missing. */
START_TEST(test_shipped_examples)
{
	char *dir = xasprintf("%s/profiles", src_root());
	struct profile_list l;
	qt_error err;
	size_t i;

	ck_assert_int_eq(profile_load_dir(dir, &l, &err), 0);
	ck_assert_uint_gt(l.n, 0);
	for (i = 0; i < l.n; i++)
		ck_assert_msg(l.items[i]->broken == NULL ||
		    strstr(l.items[i]->broken, " does not exist (") != NULL,
		    "%s", l.items[i]->broken);
	profile_list_free(&l);
	free(dir);
}
END_TEST

/* ---- reference ---- */

START_TEST(test_help)
{
	static const char *const names[] = {
		"name", "description", "arch", "qemu", "machine", "cpu", "memory",
		"smp", "accel", "bios", "firmware", "kernel", "initrd", "append",
		"drives[]", "drives[].file", "drives[].format", "drives[].if",
		"drives[].media", "drives[].id", "drives[].readonly",
		"drives[].snapshot", "devices", "network", "network.mode",
		"network.model", "network.mac", "network.ifname",
		"network.host_addr", "network.forwards[]",
		"network.forwards[].proto", "network.forwards[].host_addr",
		"network.forwards[].host_port", "network.forwards[].guest_port",
		"ssh", "ssh.user", "ssh.host", "ssh.port", "ssh.identity",
		"ssh.host_key_check", "ssh.auto_open", "ssh.connect_timeout",
		"snapshot", "display", "extra_args", "no_shutdown",
	};
	char *buf = NULL, *line;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	profile_help(f);
	fclose(f);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		line = xasprintf("\n%s ", names[i]);
		if (strstr(buf, line) == NULL) {
			free(line);
			line = xasprintf("\n%s\n", names[i]);
		}
		ck_assert_msg(strstr(buf, line) != NULL, "%s missing", names[i]);
		free(line);
	}
	ck_assert_ptr_nonnull(strstr(buf, "integer 1..1024"));
	ck_assert_ptr_nonnull(strstr(buf, "Default: 1G."));
	ck_assert_ptr_nonnull(strstr(buf, "console=ttyAMA0 (aarch64)"));
	free(buf);
}
END_TEST

START_TEST(test_net_mode_name)
{
	ck_assert_str_eq(net_mode_name(NET_USER), "user");
	ck_assert_str_eq(net_mode_name(NET_TAP), "tap");
	ck_assert_str_eq(net_mode_name(NET_VMNET_SHARED), "vmnet-shared");
	ck_assert_str_eq(net_mode_name(NET_VMNET_HOST), "vmnet-host");
	ck_assert_str_eq(net_mode_name(NET_VMNET_BRIDGED), "vmnet-bridged");
	ck_assert_str_eq(net_mode_name(NET_NONE), "none");
	ck_assert_str_eq(net_mode_name((enum net_mode)42), "unknown");
}
END_TEST

static Suite *
profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc;

	tc = tcase_create("good");
	tcase_add_test(tc, test_design_example);
	tcase_add_test(tc, test_full_profile);
	tcase_add_test(tc, test_comments_trailing_commas);
	tcase_add_test(tc, test_forwards);
	tcase_add_test(tc, test_defaults_x86_64);
	tcase_add_test(tc, test_defaults_aarch64);
	tcase_add_test(tc, test_default_arch_is_host);
	tcase_add_test(tc, test_relative_paths);
	tcase_add_test(tc, test_relative_profile_path);
	tcase_add_test(tc, test_bom_crlf_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_test(tc, test_bad_profiles);
	tcase_add_test(tc, test_broken_keeps_fields);
	tcase_add_test(tc, test_unreadable);
	suite_add_tcase(s, tc);

	tc = tcase_create("set");
	tcase_add_test(tc, test_set_overrides);
	tcase_add_test(tc, test_set_kernel_defaults_append);
	tcase_add_test(tc, test_set_rejects);
	tcase_add_test(tc, test_set_revalidates);
	tcase_add_test(tc, test_set_keeps_parse_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("dirs");
	tcase_add_test(tc, test_load_dir_mixed);
	tcase_add_test(tc, test_load_dir_duplicates);
	tcase_add_test(tc, test_load_dir_macs);
	tcase_add_test(tc, test_search_dirs);
	tcase_add_test(tc, test_dir_pick);
	tcase_add_test(tc, test_search_dirs_no_home);
	tcase_add_test(tc, test_str_distance);
	tcase_add_test(tc, test_shipped_examples);
	suite_add_tcase(s, tc);

	tc = tcase_create("reference");
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_net_mode_name);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(profile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
