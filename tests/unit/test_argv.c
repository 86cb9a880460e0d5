/* qemu_argv_build / qemu_argv_print against the seed workflows, plus accel_choose. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "net.h"
#include "profile.h"
#include "qemu_argv.h"
#include "strvec.h"
#include "util.h"

#define RUNDIR "/run/qt/x"

/* ---- helpers ---- */

/* A zeroed x86_64 profile with the loader's defaults, built by hand (string literals: never freed). */
static struct profile
base_profile(void)
{
	struct profile p;

	memset(&p, 0, sizeof p);
	p.name = "t";
	p.arch = "x86_64";
	p.memory = "1G";
	p.smp = 1;
	p.accel = "auto";
	p.net.mode = NET_USER;
	return p;
}

static struct argv_runtime
base_rt(const char *accel)
{
	struct argv_runtime rt;

	memset(&rt, 0, sizeof rt);
	rt.rundir = RUNDIR;
	rt.accel = accel;
	return rt;
}

static void
build_ok(const struct profile *p, const struct argv_runtime *rt, struct strvec *out)
{
	qt_error err;

	err.msg[0] = '\0';
	ck_assert_msg(qemu_argv_build(p, rt, out, &err) == 0, "build failed: %s",
	    err.msg);
	ck_assert_ptr_nonnull(out->v);
	ck_assert_ptr_null(out->v[out->n]);
}

/* Index of the first "opt value" pair at or after from, or -1. */
static long
find_pair_from(const struct strvec *sv, size_t from, const char *opt,
    const char *val)
{
	size_t i;

	for (i = from; i + 1 < sv->n; i++)
		if (strcmp(sv->v[i], opt) == 0 && strcmp(sv->v[i + 1], val) == 0)
			return (long)i;
	return -1;
}

static long
find_pair(const struct strvec *sv, const char *opt, const char *val)
{
	return find_pair_from(sv, 1, opt, val);
}

static long
find_word(const struct strvec *sv, const char *w)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], w) == 0)
			return (long)i;
	return -1;
}

static int
count_word(const struct strvec *sv, const char *w)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sv->n; i++)
		n += strcmp(sv->v[i], w) == 0;
	return n;
}

static char *
joined(const struct strvec *sv)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (i = 0; i < sv->n; i++) {
		strcat(s, sv->v[i]);
		strcat(s, i + 1 < sv->n ? " " : "");
	}
	return s;
}

#define ASSERT_PAIR(sv, opt, val) do {					\
	char *j_ = joined(sv);						\
	ck_assert_msg(find_pair(sv, opt, val) != -1,			\
	    "missing \"%s %s\" in: %s", opt, val, j_);			\
	free(j_);							\
} while (0)

#define ASSERT_NO_WORD(sv, w) do {					\
	char *j_ = joined(sv);						\
	ck_assert_msg(find_word(sv, w) == -1, "unexpected \"%s\" in: %s", w, j_); \
	free(j_);							\
} while (0)

/* ---- option-list comparison for the golden tests ---- */

/* Split a QEMU option value on single commas (",," stays inside an element). */
static size_t
opt_split(const char *s, char **out, size_t max)
{
	size_t n = 0;
	const char *start = s, *p = s;

	for (;;) {
		if (*p == ',' && p[1] == ',') {
			p += 2;
			continue;
		}
		if (*p == ',' || *p == '\0') {
			if (n < max)
				out[n++] = xstrndup(start, (size_t)(p - start));
			if (*p == '\0')
				break;
			start = ++p;
			continue;
		}
		p++;
	}
	return n;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Same option list: the first element (the driver/backend, "tap", "e1000",
 * "file=...") in place, the rest in any order, as QEMU reads them.
 */
static int
opt_same(const char *a, const char *b)
{
	char *ea[32], *eb[32];
	size_t na = opt_split(a, ea, 32), nb = opt_split(b, eb, 32), i;
	int same = na == nb;

	if (same && na > 0 && strchr(ea[0], '=') == NULL)
		same = strcmp(ea[0], eb[0]) == 0;
	if (same) {
		qsort(ea, na, sizeof *ea, cmp_str);
		qsort(eb, nb, sizeof *eb, cmp_str);
		for (i = 0; i < na && same; i++)
			same = strcmp(ea[i], eb[i]) == 0;
	}
	for (i = 0; i < na; i++)
		free(ea[i]);
	for (i = 0; i < nb; i++)
		free(eb[i]);
	return same;
}

static long
find_pair_same(const struct strvec *sv, const char *opt, const char *val)
{
	size_t i;

	for (i = 1; i + 1 < sv->n; i++)
		if (strcmp(sv->v[i], opt) == 0 && opt_same(val, sv->v[i + 1]))
			return (long)i;
	return -1;
}

/* s with every "{D}" replaced by dir. */
static char *
subst_dir(const char *s, const char *dir)
{
	char *out = xstrdup(""), *n;
	const char *p;

	while ((p = strstr(s, "{D}")) != NULL) {
		/* The loader collapses "dir/../x" to the parent's "x". */
		if (strncmp(p, "{D}/../", 7) == 0) {
			const char *slash = strrchr(dir, '/');

			n = xasprintf("%s%.*s%.*s", out, (int)(p - s), s,
			    (int)(slash - dir), dir);
			s = p + 6;
		} else {
			n = xasprintf("%s%.*s%s", out, (int)(p - s), s, dir);
			s = p + 3;
		}
		free(out);
		out = n;
	}
	n = xasprintf("%s%s", out, s);
	free(out);
	return n;
}

static const char *
src_root(void)
{
	const char *r = getenv("top_srcdir");

	if (r == NULL || *r == '\0')
		r = getenv("srcdir");
	if (r == NULL || *r == '\0')
		r = ".";
	return r;
}

/* ---- golden tests: one per seed workflow ---- */

struct golden_opt {
	const char *opt;
	const char *val;	/* "{D}" = the profiles directory (absolute) */
};

struct golden {
	const char *file;
	const char *accel;		/* what accel_choose would have given on the seed's host */
	const char *binary;
	const struct golden_opt *opts;	/* { NULL } terminated */
	const char *const *flags;	/* options without a value, NULL terminated */
	const char *const *absent;	/* words that must not appear */
};

/*
 * x86_64-elf-os-dev.md, Linux:
 *   qemu-system-x86_64 -m 8G -smp 4
 *     -drive file=$(HOST_IMAGE)/boot.qcow2,format=qcow2,if=floppy,media=disk[,if=ide]
 *     -drive file=$(HOST_IMAGE)/data.qcow2,format=qcow2,media=disk,if=ide
 *     -netdev tap,id=vmnet,ifname=$(TAP_NAME),script=no,downscript=no
 *     -device e1000,netdev=vmnet,mac=08:00:27:40:f1:1e -accel kvm -cpu SandyBridge
 * (The seed's boot drive says if= twice, a markdown accident; its text says floppy.
 *  The netdev id is ours: net0 instead of vmnet.)
 */
static const struct golden_opt x86_elf_opts[] = {
	{ "-m", "8G" },
	{ "-smp", "4" },
	{ "-drive", "file={D}/images/boot.qcow2,format=qcow2,if=floppy,media=disk" },
	{ "-drive", "file={D}/images/data.qcow2,format=qcow2,media=disk,if=ide" },
	{ "-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no" },
	{ "-device", "e1000,netdev=net0,mac=08:00:27:40:f1:1e" },
	{ "-accel", "kvm" },
	{ "-cpu", "SandyBridge" },
	{ "-machine", "pc" },
	{ NULL, NULL },
};
static const char *const x86_elf_absent[] = { "-snapshot", "-kernel", NULL };

/*
 * qnx-qemu-runner.md, x86_64: default machine (i440FX), IDE disk,
 * virtio-net-pci, virtio-rng-pci, user net with SSH on localhost:2222,
 * RAM 1G, SMP 2, KVM on an x86_64 host.
 */
static const struct golden_opt qnx_x86_opts[] = {
	{ "-machine", "pc" },
	{ "-accel", "kvm" },
	{ "-cpu", "host" },
	{ "-m", "1G" },
	{ "-smp", "2" },
	{ "-drive", "file={D}/images/qnx-x86_64.img,if=ide" },
	{ "-device", "virtio-rng-pci" },
	{ "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22" },
	{ "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:23:a2:df" },
	{ NULL, NULL },
};

/*
 * qnx-qemu-runner.md, aarch64: virt-4.2, virtio-blk MMIO, virtio-net-device,
 * virtio-rng-device, TCG on an x86_64 host.
 */
static const struct golden_opt qnx_arm_opts[] = {
	{ "-machine", "virt-4.2" },
	{ "-accel", "tcg" },
	{ "-cpu", "max" },
	{ "-m", "1G" },
	{ "-smp", "2" },
	{ "-drive", "file={D}/images/qnx-aarch64.img,if=none,id=drive0" },
	{ "-device", "virtio-blk-device,drive=drive0" },
	{ "-device", "virtio-rng-device" },
	{ "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22" },
	{ "-device", "virtio-net-device,netdev=net0,mac=52:54:00:69:24:b4" },
	{ NULL, NULL },
};
static const char *const no_pci_nic[] = { "virtio-net-pci,netdev=net0",
	"virtio-rng-pci", NULL };

/*
 * qemu-guide.md: qemu-system-aarch64 -machine virt -cpu cortex-a53
 *   -kernel installer-linux -nographic
 * (-nographic = no display + the serial line on a terminal: ours is the
 *  serial socket with its log.)
 */
static const struct golden_opt debian_opts[] = {
	{ "-machine", "virt" },
	{ "-cpu", "cortex-a53" },
	{ "-kernel", "{D}/images/debian-installer/installer-linux" },
	{ "-initrd", "{D}/images/debian-installer/initrd.gz" },
	{ "-append", "console=ttyAMA0" },
	{ "-display", "none" },
	{ "-serial", "chardev:serial0" },
	{ "-accel", "tcg" },
	{ NULL, NULL },
};

/*
 * cijoe-qemu-nvme.rst (+ CIJOE's qemu env): QEMU_BIN=/opt/qemu-nvme/bin/qemu-system-x86_64,
 * guest emujoe in /opt/qemu-guests/emujoe: bzImage, boot.qcow2, NVMe drives on
 * backing files (-drive ...,if=none,id=X -device nvme,drive=X,serial=...),
 * QEMU_GUEST_MEM=3G, QEMU_GUEST_SMP=4, hostfwd tcp::2022-:22.
 */
static const struct golden_opt nvme_opts[] = {
	{ "-m", "3G" },
	{ "-smp", "4" },
	{ "-kernel", "/opt/qemu-guests/emujoe/bzImage" },
	{ "-append", "root=/dev/vda1 console=ttyS0" },
	{ "-drive", "file=/opt/qemu-guests/emujoe/boot.qcow2,format=qcow2,if=virtio" },
	{ "-drive", "file=/opt/qemu-guests/emujoe/nvme0.img,format=raw,if=none,id=nvme0" },
	{ "-device", "nvme,drive=nvme0,serial=nvme0" },
	{ "-drive", "file=/opt/qemu-guests/emujoe/nvme1.img,format=raw,if=none,id=nvme1" },
	{ "-device", "nvme,drive=nvme1,serial=nvme1" },
	{ "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:2022-:22" },
	{ "-accel", "kvm" },
	{ NULL, NULL },
};

/*
 * buildroot-images.md: "qemu-system-aarch64" "-nographic" "-smp" "4" "-m" "1G"
 *   "-kernel" K "-hda" D "-net" "nic" "-machine" "virt" "-cpu" "max"
 *   "-append" "console=ttyAMA0 root=/dev/vda earlyprintk=serial page_alloc.shuffle selinux=0 nokaslr"
 *   "-net" "user,hostfwd=tcp::10023-:22"  (+ -snapshot)
 * (-hda on virt is a virtio disk: /dev/vda.)
 */
static const struct golden_opt buildroot_opts[] = {
	{ "-smp", "4" },
	{ "-m", "1G" },
	{ "-kernel", "{D}/images/aarch64/Image" },
	{ "-drive", "file={D}/images/aarch64/rootfs.qcow2,format=qcow2,if=virtio" },
	{ "-machine", "virt" },
	{ "-cpu", "max" },
	{ "-append", "console=ttyAMA0 root=/dev/vda earlyprintk=serial "
	    "page_alloc.shuffle selinux=0 nokaslr" },
	{ "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:10023-:22" },
	{ "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:e7:53:4b" },
	{ NULL, NULL },
};
static const char *const snapshot_flag[] = { "-snapshot", NULL };

/* The project's own test guest (tests/guest/build.sh). */
static const struct golden_opt demo_opts[] = {
	{ "-machine", "pc" },
	{ "-accel", "tcg" },
	{ "-cpu", "max" },
	{ "-m", "256M" },
	{ "-smp", "1" },
	{ "-kernel", "{D}/../tests/guest/out/x86_64/vmlinuz" },
	{ "-initrd", "{D}/../tests/guest/out/x86_64/initrd.img" },
	{ "-append", "console=ttyS0 quiet" },
	{ "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22" },
	{ "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:1b:67:42" },
	{ NULL, NULL },
};
static const struct golden_opt demo_arm_opts[] = {
	{ "-machine", "virt" },
	{ "-accel", "tcg" },
	{ "-cpu", "max" },
	{ "-m", "256M" },
	{ "-kernel", "{D}/../tests/guest/out/aarch64/vmlinuz" },
	{ "-initrd", "{D}/../tests/guest/out/aarch64/initrd.img" },
	{ "-append", "console=ttyAMA0 quiet" },
	{ "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22" },
	{ NULL, NULL },
};

static const struct golden goldens[] = {
	{ "x86-elf-dev", "kvm", "qemu-system-x86_64", x86_elf_opts, NULL, x86_elf_absent },
	{ "qnx-x86_64", "kvm", "qemu-system-x86_64", qnx_x86_opts, NULL, NULL },
	{ "qnx-aarch64", "tcg", "qemu-system-aarch64", qnx_arm_opts, NULL, no_pci_nic },
	{ "debian-arm64-installer", "tcg", "qemu-system-aarch64", debian_opts, NULL, NULL },
	{ "nvme-guest", "kvm", "/opt/qemu-nvme/bin/qemu-system-x86_64", nvme_opts, NULL, NULL },
	{ "buildroot-aarch64", "tcg", "qemu-system-aarch64", buildroot_opts, snapshot_flag, NULL },
	{ "demo", "tcg", "qemu-system-x86_64", demo_opts, NULL, NULL },
	{ "demo-arm64", "tcg", "qemu-system-aarch64", demo_arm_opts, NULL, NULL },
};
#define NGOLDENS (sizeof goldens / sizeof goldens[0])

/* The absolute profiles directory: what relative paths in a profile resolve against. */
static char *
profiles_dir(void)
{
	char *rel = xasprintf("%s/profiles", src_root());
	char *abs = realpath(rel, NULL);

	ck_assert_msg(abs != NULL, "no profiles directory at %s", rel);
	free(rel);
	return abs;
}

static struct profile *
load_example(const char *name, char **dirp)
{
	char *dir = profiles_dir();
	char *path = xasprintf("%s/profiles/%s.json", src_root(), name);
	struct profile *p = profile_load(path);

	ck_assert_msg(p != NULL, "profile_load(%s) returned NULL", path);
	/* Example images do not exist here: that, and only that, may mark it broken. */
	ck_assert_msg(p->broken == NULL || strstr(p->broken, "does not exist") != NULL,
	    "%s is broken for another reason: %s", path, p->broken);
	free(path);
	*dirp = dir;
	return p;
}

/* The ssh port vm_launch would forward: the profile's, or a chosen free one. */
static int
ssh_host_port(const struct profile *p)
{
	struct net_ssh_endpoint e;

	net_ssh_endpoint(p, 40022, &e);
	return e.forward ? e.port : 0;
}

START_TEST(test_golden)
{
	const struct golden *g = &goldens[_i];
	struct strvec sv = STRVEC_INIT;
	struct argv_runtime rt = base_rt(g->accel);
	struct profile *p;
	char *dir, *val, *j;
	size_t k;

	p = load_example(g->file, &dir);
	ck_assert_str_eq(p->name, g->file);
	ck_assert_msg((p->description != NULL && strstr(p->description, "seed") != NULL)
	    || strncmp(g->file, "demo", 4) == 0, "%s: description should name its seed",
	    g->file);
	rt.ssh_host_port = ssh_host_port(p);
	build_ok(p, &rt, &sv);
	j = joined(&sv);
	ck_assert_str_eq(sv.v[0], g->binary);
	for (k = 0; g->opts[k].opt != NULL; k++) {
		val = subst_dir(g->opts[k].val, dir);
		ck_assert_msg(find_pair_same(&sv, g->opts[k].opt, val) != -1,
		    "%s: missing \"%s %s\" in: %s", g->file, g->opts[k].opt, val, j);
		free(val);
	}
	for (k = 0; g->flags != NULL && g->flags[k] != NULL; k++)
		ck_assert_msg(find_word(&sv, g->flags[k]) != -1, "%s: missing %s in: %s",
		    g->file, g->flags[k], j);
	for (k = 0; g->absent != NULL && g->absent[k] != NULL; k++)
		ck_assert_msg(find_word(&sv, g->absent[k]) == -1,
		    "%s: unexpected %s in: %s", g->file, g->absent[k], j);
	/* Always ours: one network, one QMP, the serial socket, no stdio monitor. */
	ck_assert_int_le(count_word(&sv, "-netdev"), 1);
	ck_assert_int_eq(count_word(&sv, "-qmp"), 1);
	ck_assert_int_eq(count_word(&sv, "-machine"), 1);
	ASSERT_PAIR(&sv, "-monitor", "none");
	ASSERT_PAIR(&sv, "-qmp", "unix:" RUNDIR "/qemu-qmp.sock,server=on,wait=off");
	ASSERT_PAIR(&sv, "-pidfile", RUNDIR "/qemu.pid");
	ASSERT_NO_WORD(&sv, "-nographic");
	ASSERT_NO_WORD(&sv, "-daemonize");
	free(j);
	free(dir);
	strvec_free(&sv);
	profile_free(p);
}
END_TEST

/* Fields the argv does not show but the seeds need. */
START_TEST(test_golden_ssh)
{
	struct profile *p;
	char *dir, *want;

	p = load_example("x86-elf-dev", &dir);
	ck_assert_str_eq(p->ssh.user, "root");
	ck_assert_str_eq(p->ssh.host, "172.16.0.2");
	ck_assert_str_eq(p->net.host_addr, "172.16.0.1/24");
	ck_assert_int_eq(ssh_host_port(p), 0);
	profile_free(p);
	free(dir);

	p = load_example("buildroot-aarch64", &dir);
	ck_assert_str_eq(p->ssh.user, "shell");
	ck_assert_int_eq(p->ssh.port, 10023);
	want = xasprintf("%s/keys/qemu_id_rsa", dir);
	ck_assert_str_eq(p->ssh.identity, want);
	ck_assert(p->snapshot);
	free(want);
	profile_free(p);
	free(dir);

	p = load_example("demo", &dir);
	ck_assert_str_eq(p->ssh.user, "root");
	ck_assert_int_eq(p->ssh.port, 0);
	ck_assert_ptr_null(p->ssh.host);
	ck_assert_str_eq(p->ssh.host_key_check, "accept-new");
	ck_assert_str_eq(p->accel, "tcg");
	{
		/* The loader canonicalises paths: "profiles/../tests" is "tests". */
		char *real = realpath(dir, NULL), *slash;

		ck_assert_ptr_nonnull(real);
		slash = strrchr(real, '/');
		*slash = '\0';
		want = xasprintf("%s/tests/guest/out/id_ed25519", real);
		free(real);
	}
	ck_assert_str_eq(p->ssh.identity, want);
	free(want);
	profile_free(p);
	free(dir);

	p = load_example("qnx-aarch64", &dir);
	ck_assert_int_eq(p->ssh.port, 2222);
	ck_assert_str_eq(p->accel, "auto");
	profile_free(p);
	free(dir);
}
END_TEST

/* ---- hand-built profiles ---- */

START_TEST(test_order_and_defaults)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	static const char *const want[] = {
		"qemu-system-x86_64",
		"-name", "t",
		"-machine", "pc",
		"-accel", "tcg",
		"-cpu", "max",
		"-m", "1G",
		"-smp", "1",
		"-display", "none",
		"-monitor", "none",
		"-pidfile", RUNDIR "/qemu.pid",
		"-qmp", "unix:" RUNDIR "/qemu-qmp.sock,server=on,wait=off",
		"-chardev", "socket,id=serial0,path=" RUNDIR "/qemu-serial.sock,"
		    "server=on,wait=off,logfile=" RUNDIR "/serial.log,logappend=on",
		"-serial", "chardev:serial0",
		"-netdev", "user,id=net0",
		"-device", "virtio-net-pci,netdev=net0",
		NULL,
	};
	size_t i;

	build_ok(&p, &rt, &sv);
	for (i = 0; want[i] != NULL; i++) {
		ck_assert_msg(i < sv.n, "argv too short at %zu", i);
		ck_assert_str_eq(sv.v[i], want[i]);
	}
	ck_assert_uint_eq(sv.n, i);
	strvec_free(&sv);
}
END_TEST

START_TEST(test_appends_to_out)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	qt_error err;

	strvec_push(&sv, "keep");
	build_ok(&p, &rt, &sv);
	ck_assert_str_eq(sv.v[0], "keep");
	ck_assert_str_eq(sv.v[1], "qemu-system-x86_64");
	strvec_free(&sv);

	/* A failed build leaves out as it was. */
	p.arch = "sparc";
	strvec_push(&sv, "keep");
	ck_assert_int_eq(qemu_argv_build(&p, &rt, &sv, &err), -1);
	ck_assert_uint_eq(sv.n, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "sparc"));
	ck_assert_ptr_nonnull(strstr(err.msg, "x86_64"));
	strvec_free(&sv);
}
END_TEST

START_TEST(test_arch_defaults)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;

	p.arch = "aarch64";
	build_ok(&p, &rt, &sv);
	ck_assert_str_eq(sv.v[0], "qemu-system-aarch64");
	ASSERT_PAIR(&sv, "-machine", "virt");
	ASSERT_PAIR(&sv, "-cpu", "max");
	ASSERT_PAIR(&sv, "-device", "virtio-net-pci,netdev=net0");
	strvec_free(&sv);

	p.arch = "riscv64";
	build_ok(&p, &rt, &sv);
	ck_assert_str_eq(sv.v[0], "qemu-system-riscv64");
	ASSERT_PAIR(&sv, "-machine", "virt");
	strvec_free(&sv);

	p.arch = "x86_64";
	p.qemu = "/opt/q/bin/qemu-system-x86_64";
	p.machine = "q35,smm=on";
	p.display = "gtk";
	build_ok(&p, &rt, &sv);
	ck_assert_str_eq(sv.v[0], "/opt/q/bin/qemu-system-x86_64");
	ASSERT_PAIR(&sv, "-machine", "q35,smm=on");
	ASSERT_PAIR(&sv, "-display", "gtk");
	ck_assert_int_eq(count_word(&sv, "-display"), 1);
	strvec_free(&sv);
}
END_TEST

/* cpu: the profile's, else host under kvm/hvf, max otherwise. */
static const struct {
	const char *arch, *accel, *cpu, *want;
} cpu_cases[] = {
	{ "x86_64", "kvm", NULL, "host" },
	{ "x86_64", "tcg", NULL, "max" },
	{ "x86_64", "whpx", NULL, "max" },
	{ "aarch64", "hvf", NULL, "host" },
	{ "aarch64", "tcg", NULL, "max" },
	{ "aarch64", "kvm", "cortex-a53", "cortex-a53" },
	{ "x86_64", "tcg", "SandyBridge", "SandyBridge" },
	{ "riscv64", "kvm", NULL, "host" },
	{ "x86_64", NULL, NULL, "max" },
};

START_TEST(test_cpu_choice)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt(cpu_cases[_i].accel);
	struct strvec sv = STRVEC_INIT;

	p.arch = (char *)cpu_cases[_i].arch;
	p.cpu = (char *)cpu_cases[_i].cpu;
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-cpu", cpu_cases[_i].want);
	ASSERT_PAIR(&sv, "-accel", cpu_cases[_i].accel ? cpu_cases[_i].accel : "tcg");
	strvec_free(&sv);
}
END_TEST

START_TEST(test_comma_escaping)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	struct drive d[2];

	memset(d, 0, sizeof d);
	d[0].file = "/img/a,b.qcow2";
	d[0].format = "qcow2";
	d[0].iface = "virtio";
	d[0].id = "x,y";
	d[1].file = "/img/n,v.img";
	d[1].iface = "nvme";
	p.drives = d;
	p.ndrives = 2;
	p.name = "my,vm";
	p.firmware = "/fw/e,fi.fd";
	p.kernel = "/k/vm,linuz";
	p.net.mode = NET_TAP;
	p.net.ifname = "tap,0";
	p.net.mac = "52:54:00:00:00:01";
	rt.rundir = "/run/q,t";
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-name", "my,,vm");
	/* -pidfile and -kernel take a plain file name: no escaping there. */
	ASSERT_PAIR(&sv, "-pidfile", "/run/q,t/qemu.pid");
	ASSERT_PAIR(&sv, "-kernel", "/k/vm,linuz");
	ASSERT_PAIR(&sv, "-qmp", "unix:/run/q,,t/qemu-qmp.sock,server=on,wait=off");
	ASSERT_PAIR(&sv, "-chardev", "socket,id=serial0,path=/run/q,,t/qemu-serial.sock,"
	    "server=on,wait=off,logfile=/run/q,,t/serial.log,logappend=on");
	ASSERT_PAIR(&sv, "-drive", "if=pflash,format=raw,readonly=on,file=/fw/e,,fi.fd");
	ASSERT_PAIR(&sv, "-drive", "file=/img/a,,b.qcow2,format=qcow2,if=virtio,id=x,,y");
	ASSERT_PAIR(&sv, "-drive", "file=/img/n,,v.img,if=none,id=drive1");
	ASSERT_PAIR(&sv, "-device", "nvme,serial=drive1,drive=drive1");
	ASSERT_PAIR(&sv, "-netdev", "tap,id=net0,ifname=tap,,0,script=no,downscript=no");
	strvec_free(&sv);
}
END_TEST

/* Every interface QEMU's -drive if= knows, plus ours that add a device. */
static const struct {
	const char *iface;
	const char *drive;	/* for file=/d.img,format=raw */
	const char *device;	/* NULL: none */
} drive_cases[] = {
	{ "ide", "file=/d.img,format=raw,if=ide", NULL },
	{ "floppy", "file=/d.img,format=raw,if=floppy", NULL },
	{ "virtio", "file=/d.img,format=raw,if=virtio", NULL },
	{ "scsi", "file=/d.img,format=raw,if=scsi", NULL },
	{ "none", "file=/d.img,format=raw,if=none,id=drive0", NULL },
	{ "pflash", "file=/d.img,format=raw,if=pflash", NULL },
	{ "sd", "file=/d.img,format=raw,if=sd", NULL },
	{ "virtio-mmio", "file=/d.img,format=raw,if=none,id=drive0",
	    "virtio-blk-device,drive=drive0" },
	{ "nvme", "file=/d.img,format=raw,if=none,id=drive0",
	    "nvme,serial=drive0,drive=drive0" },
	{ NULL, "file=/d.img,format=raw,if=virtio", NULL },	/* the arch's default */
};

START_TEST(test_drive_ifaces)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	struct drive d;
	long at;

	memset(&d, 0, sizeof d);
	d.file = "/d.img";
	d.format = "raw";
	d.iface = (char *)drive_cases[_i].iface;
	p.drives = &d;
	p.ndrives = 1;
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-drive", drive_cases[_i].drive);
	ck_assert_int_eq(count_word(&sv, "-drive"), 1);
	if (drive_cases[_i].device != NULL) {
		at = find_pair(&sv, "-drive", drive_cases[_i].drive);
		/* the device right after its drive */
		ck_assert_int_eq(find_pair(&sv, "-device", drive_cases[_i].device), at + 2);
	}
	strvec_free(&sv);
}
END_TEST

START_TEST(test_drive_options)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	struct drive d[4];
	qt_error err;

	memset(d, 0, sizeof d);
	d[0].file = "/cd.iso";
	d[0].format = "raw";
	d[0].iface = "ide";
	d[0].media = "cdrom";
	d[0].readonly = true;
	d[1].file = "/s.qcow2";
	d[1].iface = "virtio";
	d[1].snapshot = true;
	d[1].id = "sys";
	d[2].file = "/m.qcow2";
	d[2].format = "qcow2";
	d[2].iface = "virtio-mmio";
	d[2].id = "root";
	d[2].readonly = true;
	d[3].file = "/e.img";
	d[3].iface = "nvme";
	d[3].id = "nvm";
	p.drives = d;
	p.ndrives = 4;
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-drive", "file=/cd.iso,format=raw,if=ide,media=cdrom,readonly=on");
	ASSERT_PAIR(&sv, "-drive", "file=/s.qcow2,if=virtio,snapshot=on,id=sys");
	ASSERT_PAIR(&sv, "-drive", "file=/m.qcow2,format=qcow2,if=none,readonly=on,id=root");
	ASSERT_PAIR(&sv, "-device", "virtio-blk-device,drive=root");
	ASSERT_PAIR(&sv, "-drive", "file=/e.img,if=none,id=nvm");
	ASSERT_PAIR(&sv, "-device", "nvme,serial=nvm,drive=nvm");
	/* in profile order */
	ck_assert_int_lt(find_pair(&sv, "-drive", "file=/cd.iso,format=raw,if=ide,media=cdrom,readonly=on"),
	    find_pair(&sv, "-drive", "file=/s.qcow2,if=virtio,snapshot=on,id=sys"));
	strvec_free(&sv);

	d[1].iface = "usb-stick";
	strvec_push(&sv, "x");
	err.msg[0] = '\0';
	ck_assert_int_eq(qemu_argv_build(&p, &rt, &sv, &err), -1);
	ck_assert_uint_eq(sv.n, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "usb-stick"));
	ck_assert_ptr_nonnull(strstr(err.msg, "drives[1]"));
	strvec_free(&sv);
}
END_TEST

START_TEST(test_firmware_kernel)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	long k, i, a;

	p.bios = "/usr/share/seabios/bios.bin";
	p.firmware = "/usr/share/OVMF/OVMF_CODE.fd";
	p.kernel = "/b/vmlinuz";
	p.initrd = "/b/initrd.img";
	p.append = "console=ttyS0 root=/dev/vda quiet";
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-bios", "/usr/share/seabios/bios.bin");
	ASSERT_PAIR(&sv, "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd");
	k = find_pair(&sv, "-kernel", "/b/vmlinuz");
	i = find_pair(&sv, "-initrd", "/b/initrd.img");
	a = find_pair(&sv, "-append", "console=ttyS0 root=/dev/vda quiet");
	ck_assert(k > 0 && i > k && a > i);
	strvec_free(&sv);

	/* no kernel, no -append */
	p = base_profile();
	build_ok(&p, &rt, &sv);
	ASSERT_NO_WORD(&sv, "-kernel");
	ASSERT_NO_WORD(&sv, "-append");
	ASSERT_NO_WORD(&sv, "-bios");
	strvec_free(&sv);
}
END_TEST

/* "firmware": "uefi": two flash chips, the code read-only and the VM's own variables. */
START_TEST(test_firmware_uefi)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	qt_error err;
	long c, v;

	p.firmware = "uefi";
	ck_assert_int_eq(qemu_argv_build(&p, &rt, &sv, &err), -1);	/* not looked up */
	ck_assert_ptr_nonnull(strstr(err.msg, "firmware"));
	strvec_free(&sv);
	rt.fw_code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
	rt.fw_vars = "/home/u/.local/state/qemu-tui/t,1/efi-vars.fd";
	build_ok(&p, &rt, &sv);
	c = find_pair(&sv, "-drive", "if=pflash,format=raw,unit=0,readonly=on,"
	    "file=/usr/share/OVMF/OVMF_CODE_4M.fd");
	v = find_pair(&sv, "-drive", "if=pflash,format=raw,unit=1,"
	    "file=/home/u/.local/state/qemu-tui/t,,1/efi-vars.fd");
	ck_assert(c > 0 && v > c);
	strvec_free(&sv);
}
END_TEST

/* mode bridge: QEMU's bridge backend through the helper the host has. */
START_TEST(test_net_bridge)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;

	p.net.mode = NET_BRIDGE;
	p.net.bridge = "br0";
	p.net.mac = "52:54:00:aa:bb:cc";
	rt.bridge_helper = "/usr/lib/qemu/qemu-bridge-helper";
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-netdev", "bridge,id=net0,br=br0,"
	    "helper=/usr/lib/qemu/qemu-bridge-helper");
	ASSERT_PAIR(&sv, "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:aa:bb:cc");
	strvec_free(&sv);
	rt.bridge_helper = NULL;	/* none found: QEMU's compiled-in one */
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-netdev", "bridge,id=net0,br=br0");
	strvec_free(&sv);
	ck_assert_str_eq(net_mode_name(NET_BRIDGE), "bridge");
}
END_TEST

START_TEST(test_net_user)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	struct forward fw[2] = {
		{ "udp", "0.0.0.0", 5353, 53 },
		{ NULL, NULL, 8080, 80 },	/* defaults: tcp, 127.0.0.1 */
	};

	p.net.forwards = fw;
	p.net.nforwards = 2;
	p.net.mac = "52:54:00:12:34:56";
	rt.ssh_host_port = 2222;
	build_ok(&p, &rt, &sv);
	/* the ssh forward first, then the profile's, in order */
	ASSERT_PAIR(&sv, "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,"
	    "hostfwd=udp:0.0.0.0:5353-:53,hostfwd=tcp:127.0.0.1:8080-:80");
	ASSERT_PAIR(&sv, "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56");
	ck_assert_int_eq(find_pair(&sv, "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56"),
	    find_word(&sv, "-netdev") + 2);
	strvec_free(&sv);

	rt.ssh_host_port = 0;
	p.net.nforwards = 0;
	p.net.mac = NULL;
	p.net.model = "e1000";
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-netdev", "user,id=net0");
	ASSERT_PAIR(&sv, "-device", "e1000,netdev=net0");
	strvec_free(&sv);
}
END_TEST

/*
 * The forward to the guest's sshd, as start and cmdline build it: with user networking
 * a loopback ssh.host (the Buildroot write-up's "127.0.0.1", 10023) still gets it, on
 * that address; a real remote gets none.
 */
static const struct {
	enum net_mode mode;
	const char *host;
	int port;		/* ssh.port */
	int chosen;		/* the port start chose, 0 = cmdline (none yet) */
	const char *netdev;
} fwd_cases[] = {
	{ NET_USER, NULL, 0, 0, "user,id=net0" },
	{ NET_USER, NULL, 0, 40022, "user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22" },
	{ NET_USER, NULL, 2222, 0, "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22" },
	{ NET_USER, NULL, 2222, 40022, "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22" },
	{ NET_USER, "127.0.0.1", 10023, 0, "user,id=net0,hostfwd=tcp:127.0.0.1:10023-:22" },
	{ NET_USER, "127.0.0.2", 10023, 0, "user,id=net0,hostfwd=tcp:127.0.0.2:10023-:22" },
	{ NET_USER, "localhost", 10023, 0, "user,id=net0,hostfwd=tcp:127.0.0.1:10023-:22" },
	{ NET_USER, "::1", 10023, 0, "user,id=net0,hostfwd=tcp:127.0.0.1:10023-:22" },
	{ NET_USER, "127.0.0.1", 0, 40100, "user,id=net0,hostfwd=tcp:127.0.0.1:40100-:22" },
	{ NET_USER, "127.0.0.1", 0, 0, "user,id=net0" },
	{ NET_USER, "192.168.1.20", 22, 40022, "user,id=net0" },
	{ NET_USER, "guest.example", 0, 40022, "user,id=net0" },
	{ NET_USER, "128.0.0.1", 10023, 0, "user,id=net0" },
	{ NET_TAP, "127.0.0.1", 10023, 40022, "tap,id=net0,ifname=tap0,script=no,downscript=no" },
};

START_TEST(test_ssh_forward)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;

	p.net.mode = fwd_cases[_i].mode;
	p.net.ifname = "tap0";
	p.net.model = "e1000";
	p.ssh.host = (char *)fwd_cases[_i].host;
	p.ssh.port = fwd_cases[_i].port;
	rt.ssh_host_port = fwd_cases[_i].chosen;
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-netdev", fwd_cases[_i].netdev);
	strvec_free(&sv);
}
END_TEST

START_TEST(test_ssh_endpoint)
{
	static const char *const loop[] = { "127.0.0.1", "127.1.2.3", "::1", "localhost",
	    "LocalHost", NULL };
	static const char *const remote[] = { "128.0.0.1", "10.0.2.15", "::2", "guest",
	    "localhost.example", "", NULL };
	struct profile p = base_profile();
	struct net_ssh_endpoint e;
	size_t i;

	for (i = 0; loop[i] != NULL; i++)
		ck_assert_msg(net_host_is_loopback(loop[i]), "%s is loopback", loop[i]);
	for (i = 0; remote[i] != NULL; i++)
		ck_assert_msg(!net_host_is_loopback(remote[i]), "%s is not", remote[i]);
	ck_assert(!net_host_is_loopback(NULL));

	/* User networking, nothing set: a port chosen at start, not known before. */
	net_ssh_endpoint(&p, 0, &e);
	ck_assert(e.forward && e.port_chosen);
	ck_assert_int_eq(e.port, 0);
	ck_assert_str_eq(e.host, "127.0.0.1");
	net_ssh_endpoint(&p, 40022, &e);
	ck_assert_int_eq(e.port, 40022);
	/* The write-up's ssh_config: a loopback host and a fixed port, forwarded. */
	p.ssh.host = "localhost";
	p.ssh.port = 10023;
	net_ssh_endpoint(&p, 40022, &e);
	ck_assert(e.forward && !e.port_chosen);
	ck_assert_int_eq(e.port, 10023);
	ck_assert_str_eq(e.host, "127.0.0.1");
	ck_assert_str_eq(e.host_name, "localhost");
	/* A real remote: no forward, its own port (22 by default). */
	p.ssh.host = "192.168.1.20";
	p.ssh.port = 0;
	net_ssh_endpoint(&p, 40022, &e);
	ck_assert(!e.forward && !e.port_chosen);
	ck_assert_int_eq(e.port, 22);
	ck_assert_str_eq(e.host, "192.168.1.20");
	/* TAP without ssh.host: nowhere to connect. */
	p.net.mode = NET_TAP;
	p.ssh.host = NULL;
	net_ssh_endpoint(&p, 40022, &e);
	ck_assert(!e.forward);
	ck_assert_ptr_null(e.host);
}
END_TEST

static const struct {
	enum net_mode mode;
	const char *ifname;
	const char *netdev;	/* NULL: build fails */
} net_cases[] = {
	{ NET_TAP, "tap0", "tap,id=net0,ifname=tap0,script=no,downscript=no" },
	{ NET_TAP, NULL, NULL },
	{ NET_VMNET_SHARED, NULL, "vmnet-shared,id=net0" },
	{ NET_VMNET_HOST, NULL, "vmnet-host,id=net0" },
	{ NET_VMNET_BRIDGED, "en0", "vmnet-bridged,id=net0,ifname=en0" },
	{ NET_VMNET_BRIDGED, NULL, NULL },
};

START_TEST(test_net_modes)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	qt_error err;

	p.net.mode = net_cases[_i].mode;
	p.net.ifname = (char *)net_cases[_i].ifname;
	p.net.model = "e1000";
	p.net.mac = "08:00:27:40:f1:1e";
	rt.ssh_host_port = 2222;	/* only user networking forwards */
	if (net_cases[_i].netdev == NULL) {
		err.msg[0] = '\0';
		ck_assert_int_eq(qemu_argv_build(&p, &rt, &sv, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "ifname"));
		ck_assert_uint_eq(sv.n, 0);
		return;
	}
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-netdev", net_cases[_i].netdev);
	ASSERT_PAIR(&sv, "-device", "e1000,netdev=net0,mac=08:00:27:40:f1:1e");
	ck_assert_int_eq(count_word(&sv, "-netdev"), 1);
	ASSERT_NO_WORD(&sv, "-nic");
	strvec_free(&sv);
}
END_TEST

START_TEST(test_net_none)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;

	p.net.mode = NET_NONE;
	p.net.model = "e1000";
	rt.ssh_host_port = 2222;
	build_ok(&p, &rt, &sv);
	ASSERT_PAIR(&sv, "-nic", "none");
	ASSERT_NO_WORD(&sv, "-netdev");
	ASSERT_NO_WORD(&sv, "-device");
	strvec_free(&sv);
}
END_TEST

START_TEST(test_devices_snapshot_extra)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	char *devices[] = { "virtio-rng-pci", "VGA", "usb-ehci,id=ehci" };
	char *extra[] = { "-no-reboot", "-object", "rng-random,id=r,filename=/dev/urandom" };
	long a, b, c;

	p.devices = devices;
	p.ndevices = 3;
	p.extra_args = extra;
	p.nextra_args = 3;
	p.snapshot = true;
	p.no_shutdown = true;
	rt.start_paused = 1;
	build_ok(&p, &rt, &sv);
	a = find_pair(&sv, "-device", "virtio-rng-pci");
	b = find_pair(&sv, "-device", "VGA");
	c = find_pair(&sv, "-device", "usb-ehci,id=ehci");
	ck_assert(a > 0 && b > a && c > b);
	ck_assert_int_eq(count_word(&sv, "-S"), 1);
	ck_assert_int_eq(count_word(&sv, "-no-shutdown"), 1);
	ck_assert_int_lt(find_word(&sv, "-S"), find_word(&sv, "-netdev"));
	/* -snapshot, then extra_args verbatim, last */
	ck_assert_str_eq(sv.v[sv.n - 4], "-snapshot");
	ck_assert_str_eq(sv.v[sv.n - 3], "-no-reboot");
	ck_assert_str_eq(sv.v[sv.n - 2], "-object");
	ck_assert_str_eq(sv.v[sv.n - 1], "rng-random,id=r,filename=/dev/urandom");
	strvec_free(&sv);

	p = base_profile();
	build_ok(&p, &rt, &sv);
	ASSERT_NO_WORD(&sv, "-snapshot");
	ASSERT_NO_WORD(&sv, "-no-shutdown");
	ck_assert_int_eq(count_word(&sv, "-S"), 1);
	strvec_free(&sv);
	rt.start_paused = 0;
	build_ok(&p, &rt, &sv);
	ASSERT_NO_WORD(&sv, "-S");
	strvec_free(&sv);
}
END_TEST

/* ---- qemu_argv_print ---- */

static char *
print_to_string(char *const *argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	qemu_argv_print(f, argv);
	fclose(f);
	return buf;
}

START_TEST(test_print_layout)
{
	char *argv[] = { "qemu-system-x86_64", "-m", "8G", "-S", "-name", "a b",
		"-snapshot", "-append", "console=ttyS0 quiet", "-no-reboot",
		"-object", "x,id=y", "-d", NULL };
	char *s = print_to_string(argv);

	ck_assert_str_eq(s,
	    "qemu-system-x86_64 \\\n"
	    "    -m 8G \\\n"
	    "    -S \\\n"
	    "    -name 'a b' \\\n"
	    "    -snapshot \\\n"
	    "    -append 'console=ttyS0 quiet' \\\n"
	    "    -no-reboot \\\n"
	    "    -object x,id=y \\\n"
	    "    -d\n");
	free(s);
}
END_TEST

/* What a shell makes of the printed text is the argv again. */
START_TEST(test_print_roundtrip)
{
	struct profile p = base_profile();
	struct argv_runtime rt = base_rt("tcg");
	struct strvec sv = STRVEC_INIT;
	char *extra[] = { "-fw_cfg", "name=opt/x,string=it's \"quoted\" $HOME `id` \\ *", "" };
	char tmpl[] = "/tmp/test_argv_XXXXXX", line[4096], *text, *cmd;
	FILE *f, *sh;
	size_t i = 0;
	int fd;

	p.name = "vm with space's";
	p.append = "console=ttyS0 init=/bin/sh -c 'x'";
	p.kernel = "/k/v m";
	p.extra_args = extra;
	p.nextra_args = 3;
	p.qemu = "argv_echo";
	build_ok(&p, &rt, &sv);
	text = print_to_string(sv.v);
	fd = mkstemp(tmpl);
	ck_assert_int_ne(fd, -1);
	f = fdopen(fd, "w");
	fputs("argv_echo() { printf '%s\\n' argv_echo \"$@\"; }\n", f);
	fputs(text, f);
	fclose(f);
	cmd = xasprintf("sh %s", tmpl);
	sh = popen(cmd, "r");
	ck_assert_ptr_nonnull(sh);
	while (fgets(line, sizeof line, sh) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		ck_assert_msg(i < sv.n, "shell gave more words than argv: %s", line);
		ck_assert_str_eq(line, sv.v[i]);
		i++;
	}
	ck_assert_int_eq(pclose(sh), 0);
	ck_assert_uint_eq(i, sv.n);
	unlink(tmpl);
	free(cmd);
	free(text);
	strvec_free(&sv);
}
END_TEST

/* ---- accel_choose ---- */

static const struct {
	const char *setting, *guest, *os, *host;
	int kvm, kvm_errno;
	const char *name, *reason;	/* reason: a substring */
} accel_cases[] = {
	{ "auto", "x86_64", "linux", "x86_64", 1, 0, "kvm", "x86_64" },
	{ NULL, "x86_64", "linux", "x86_64", 1, 0, "kvm", "/dev/kvm" },
	{ "auto", "aarch64", "linux", "x86_64", 1, 0, "tcg",
	    "guest aarch64 differs from host x86_64" },
	{ "auto", "x86_64", "linux", "aarch64", 1, 0, "tcg",
	    "guest x86_64 differs from host aarch64" },
	{ "auto", "x86_64", "linux", "x86_64", 0, 13 /* EACCES */, "tcg",
	    "/dev/kvm is not usable (add yourself to the kvm group)" },
	{ "auto", "x86_64", "linux", "x86_64", 0, 0, "tcg",
	    "/dev/kvm is not usable (add yourself to the kvm group)" },
	{ "auto", "x86_64", "linux", "x86_64", 0, 2 /* ENOENT */, "tcg",
	    "/dev/kvm does not exist" },
	{ "auto", "aarch64", "darwin", "aarch64", 0, 0, "hvf", "aarch64" },
	{ "auto", "x86_64", "darwin", "aarch64", 0, 0, "tcg",
	    "guest x86_64 differs from host aarch64" },
	{ "auto", "x86_64", "darwin", "x86_64", 0, 0, "hvf", "Hypervisor" },
	{ "auto", "x86_64", "windows", "x86_64", 0, 0, "tcg", "whpx" },
	{ "auto", "riscv64", "freebsd", "riscv64", 0, 0, "tcg", "freebsd" },
	{ "auto", "x86_64", "linux", NULL, 1, 0, "tcg", "host architecture" },
	{ "kvm", "aarch64", "linux", "x86_64", 0, 0, "kvm", "set in the profile" },
	{ "tcg", "x86_64", "linux", "x86_64", 1, 0, "tcg", "set in the profile" },
	{ "whpx", "x86_64", "windows", "x86_64", 0, 0, "whpx", "set in the profile" },
	{ "hvf", "aarch64", "darwin", "aarch64", 0, 0, "hvf", "set in the profile" },
};

START_TEST(test_accel_choose)
{
	struct accel_host h;
	struct accel_choice c;

	memset(&h, 0, sizeof h);
	h.os = accel_cases[_i].os;
	h.arch = accel_cases[_i].host;
	h.kvm_usable = accel_cases[_i].kvm;
	h.kvm_errno = accel_cases[_i].kvm_errno;
	memset(&c, 'x', sizeof c);
	accel_choose(accel_cases[_i].setting, accel_cases[_i].guest, &h, &c);
	ck_assert_str_eq(c.name, accel_cases[_i].name);
	ck_assert_msg(strstr(c.reason, accel_cases[_i].reason) != NULL,
	    "reason \"%s\" lacks \"%s\"", c.reason, accel_cases[_i].reason);
}
END_TEST

START_TEST(test_accel_probe)
{
	struct accel_host h;

	accel_probe_host(&h);
#ifdef __linux__
	ck_assert_str_eq(h.os, "linux");
#endif
	ck_assert_ptr_nonnull(h.arch);
	ck_assert(h.kvm_usable == (access("/dev/kvm", R_OK | W_OK) == 0));
	ck_assert(h.kvm_usable ? h.kvm_errno == 0 : h.kvm_errno != 0);
}
END_TEST

static Suite *
argv_suite(void)
{
	Suite *s = suite_create("argv");
	TCase *tc;

	tc = tcase_create("golden");
	tcase_add_loop_test(tc, test_golden, 0, (int)NGOLDENS);
	tcase_add_test(tc, test_golden_ssh);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, test_order_and_defaults);
	tcase_add_test(tc, test_appends_to_out);
	tcase_add_test(tc, test_arch_defaults);
	tcase_add_loop_test(tc, test_cpu_choice, 0,
	    (int)(sizeof cpu_cases / sizeof cpu_cases[0]));
	tcase_add_test(tc, test_comma_escaping);
	tcase_add_loop_test(tc, test_drive_ifaces, 0,
	    (int)(sizeof drive_cases / sizeof drive_cases[0]));
	tcase_add_test(tc, test_drive_options);
	tcase_add_test(tc, test_firmware_kernel);
	tcase_add_test(tc, test_firmware_uefi);
	tcase_add_test(tc, test_net_bridge);
	tcase_add_test(tc, test_net_user);
	tcase_add_loop_test(tc, test_net_modes, 0,
	    (int)(sizeof net_cases / sizeof net_cases[0]));
	tcase_add_test(tc, test_net_none);
	tcase_add_loop_test(tc, test_ssh_forward, 0,
	    (int)(sizeof fwd_cases / sizeof fwd_cases[0]));
	tcase_add_test(tc, test_ssh_endpoint);
	tcase_add_test(tc, test_devices_snapshot_extra);
	suite_add_tcase(s, tc);

	tc = tcase_create("print");
	tcase_add_test(tc, test_print_layout);
	tcase_add_test(tc, test_print_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("accel");
	tcase_add_loop_test(tc, test_accel_choose, 0,
	    (int)(sizeof accel_cases / sizeof accel_cases[0]));
	tcase_add_test(tc, test_accel_probe);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(argv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
