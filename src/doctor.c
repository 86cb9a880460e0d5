/*
 * The doctor's checks (doctor.h): the host's QEMU binaries, /dev/kvm, /dev/net/tun,
 * the run directory, the bridge helper; a profile's files, disk locks, tap device and
 * fixed forward ports. Each problem with the command that fixes it.
 */
#include "doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel.h"
#include "arch.h"
#include "firmware.h"
#include "net.h"
#include "rundir.h"
#include "sshlib.h"
#include "spawnchild.h"
#include "tap.h"
#include "util.h"
#include "vm.h"
#include "vmstate.h"

/* The words the checks were written with in cmd_doctor.c: a check moved here (or
 * added on a branch made before the move) reads the same. */
#define OK DOCTOR_OK
#define WARN DOCTOR_WARN
#define FAIL DOCTOR_FAIL

const char *
doctor_level_word(enum doctor_level lv)
{
	static const char *const word[] = { "ok", "warn", "FAIL" };

	return lv <= DOCTOR_FAIL ? word[lv] : "?";
}

static void __attribute__((format(printf, 5, 6)))
check(struct doctor_report *r, enum doctor_level lv, const char *what, const char *fix,
    const char *fmt, ...)
{
	struct doctor_check *c;
	va_list ap;

	r->checks = xreallocarray(r->checks, r->n + 1, sizeof *r->checks);
	c = &r->checks[r->n++];
	c->name = xstrdup(what);
	c->level = lv;
	va_start(ap, fmt);
	c->detail = xvasprintf(fmt, ap);
	va_end(ap);
	c->fix = fix != NULL ? xstrdup(fix) : NULL;
	if (lv == DOCTOR_FAIL)
		r->fails++;
}

void
doctor_report_free(struct doctor_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->checks[i].name);
		free(r->checks[i].detail);
		free(r->checks[i].fix);
	}
	free(r->checks);
	memset(r, 0, sizeof *r);
}

char *
doctor_version_line(const char *out, size_t len)
{
	size_t n = 0;

	while (n < len && out[n] != '\n' && out[n] != '\0')
		n++;
	return n > 0 ? xstrndup(out, n) : NULL;
}

/* The first line a program prints for --version, or NULL; never waits past 5 s. */
char *
doctor_version_probe(const char *bin)
{
	char buf[512], *argv[] = { (char *)bin, "--version", NULL };
	int p[2], status;
	struct pollfd pfd;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return NULL;
	pid = spawn_child(argv, -1, p[1], -1, false, NULL, NULL);
	if (pid == -1) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	while (len < sizeof buf - 1 && poll(&pfd, 1, 5000) > 0 &&
	    (n = read(p[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return doctor_version_line(buf, len);
}

static void
check_binary(struct doctor_report *r, const struct doctor_versions *known,
    const char *bin, const char *pkg, bool needed)
{
	char what[64], fix[128], *probed = NULL;
	const char *v;

	snprintf(what, sizeof what, "%s", bin);
	snprintf(fix, sizeof fix, "sudo apt-get install %s", pkg);
	if (known != NULL)
		v = known->version(bin, known->arg);
	else
		v = probed = doctor_version_probe(bin);
	if (v != NULL)
		check(r, OK, what, NULL, "%s", v);
	else
		check(r, needed ? FAIL : WARN, what, fix, "not found in PATH");
	free(probed);
}

static void
check_kvm(struct doctor_report *r, bool needed)
{
	int fd, vm;

	if ((fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			check(r, needed ? FAIL : WARN, "/dev/kvm", "enable virtualization "
			    "(VT-x/AMD-V) in the firmware and load kvm_intel or kvm_amd; "
			    "meanwhile \"accel\": \"tcg\" works, slowly",
			    "missing: VMs run under TCG (emulation)");
		else if (errno == EACCES || errno == EPERM)
			check(r, needed ? FAIL : WARN, "/dev/kvm",
			    "sudo usermod -aG kvm $USER, then log in again",
			    "no permission (uid %ld is not in its group)", (long)getuid());
		else
			check(r, needed ? FAIL : WARN, "/dev/kvm", NULL, "%s", strerror(errno));
		return;
	}
	/* Another hypervisor (VirtualBox, VMware) holding VT-x makes this fail. */
	if ((vm = ioctl(fd, KVM_CREATE_VM, 0)) == -1)
		check(r, needed ? FAIL : WARN, "/dev/kvm", "stop the other hypervisor "
		    "(VirtualBox, VMware) or use \"accel\": \"tcg\"",
		    "cannot create a VM: %s (in use by another hypervisor?)", strerror(errno));
	else {
		close(vm);
		check(r, OK, "/dev/kvm", NULL, "usable (API %d)",
		    ioctl(fd, KVM_GET_API_VERSION, 0));
	}
	close(fd);
}

/* "firmware": "uefi" (name NULL: the host's, per arch): the EDK2 build found and
 * the VM's variables file, or the package to install. */
static void
check_uefi(struct doctor_report *r, const char *arch, const char *machine, const char *name)
{
	struct fw_image fw;
	qt_error err;
	char what[64], *vars;
	bool created;

	snprintf(what, sizeof what, name != NULL ? "firmware" : "UEFI %s", arch);
	if (name == NULL) {
		if (firmware_find(arch, NULL, firmware_default_search(), &fw, &err) == -1)
			check(r, WARN, what, firmware_install_hint(arch),
			    "no EDK2 firmware: \"firmware\": \"uefi\" will not start");
		else {
			check(r, OK, what, NULL, "%s (%s)", fw.code, fw.source);
			firmware_image_free(&fw);
		}
		return;
	}
	if (firmware_for_vm(name, arch, machine, false, &fw, &vars, &created, &err) == -1) {
		check(r, FAIL, what, firmware_install_hint(arch), "%s", err.msg);
		return;
	}
	check(r, OK, what, NULL, "uefi: %s (%s); variables %s%s", fw.code, fw.source, vars,
	    access(vars, F_OK) == 0 ? "" : " (made from the template at the first start)");
	firmware_image_free(&fw);
	free(vars);
}

void
doctor_host(struct doctor_report *r, const struct doctor_versions *known)
{
	static const char *const arches[] = { "x86_64", "aarch64", "riscv64", NULL };
	struct stat st;
	qt_error err;
	char *base;
	size_t i;
	int fd;

	check_binary(r, known, "qemu-img", "qemu-utils", true);
	for (i = 0; arches[i] != NULL; i++) {
		const struct arch_info *a = arch_find(arches[i]);

		if (a != NULL)
			check_binary(r, known, a->qemu_binary, a->debian_package, false);
	}
	check_kvm(r, false);
	/* Opened only when SSH is used: its absence would otherwise show at the first SSH pane. */
	if (sshlib_load(&err) == -1)
		check(r, WARN, "libssh", "sudo apt-get install libssh-4", "%s", err.msg);
	else
		check(r, OK, "libssh", NULL, "loads (SSH panes, ssh, run, the ssh stages)");
	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) == -1)
		check(r, WARN, "/dev/net/tun", "sudo modprobe tun",
		    "%s: tap networking will not work", strerror(errno));
	else {
		close(fd);
		check(r, OK, "/dev/net/tun", NULL, "usable");
	}
	if ((base = rundir_base(&err)) == NULL)
		check(r, FAIL, "run directory", "remove it as the message says, or set "
		    "XDG_RUNTIME_DIR", "%s", err.msg);
	else {
		check(r, OK, "run directory", NULL, "%s (yours, 0700)", base);
		free(base);
	}
	check_uefi(r, "x86_64", NULL, NULL);
	check_uefi(r, "aarch64", NULL, NULL);
	if (stat("/usr/lib/qemu/qemu-bridge-helper", &st) == 0)
		check(r, (st.st_mode & S_ISUID) ? OK : WARN, "bridge helper",
		    "sudo chmod u+s /usr/lib/qemu/qemu-bridge-helper (and an `allow BR` line "
		    "in /etc/qemu/bridge.conf)", "/usr/lib/qemu/qemu-bridge-helper %s",
		    (st.st_mode & S_ISUID) ? "is setuid" : "is not setuid: bridged "
		    "networking needs root");
}

static void
check_file(struct doctor_report *r, const char *what, const char *path)
{
	char fix[600];

	if (path == NULL)
		return;
	snprintf(fix, sizeof fix, "fix the path in the profile, or create the file");
	if (access(path, R_OK) == 0)
		check(r, OK, what, NULL, "%s", path);
	else
		check(r, FAIL, what, fix, "%s: %s", path, strerror(errno));
}

/*
 * Whether a QEMU holds the image: QEMU's file locking takes shared OFD byte
 * locks from offset 100 (permissions) and 200 (shared ones); a write lock
 * there conflicts with any of them.
 */
static bool
image_locked(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 100,
	    .l_len = 200 };
	bool locked = false;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return false;
	if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		locked = true;
	close(fd);
	return locked;
}

const char *
doctor_vm_binary(const struct profile *p)
{
	const struct arch_info *a = arch_find(p->arch);

	return p->qemu != NULL ? p->qemu : a != NULL ? a->qemu_binary : NULL;
}

void
doctor_vm(struct doctor_report *r, const struct profile *p,
    const struct doctor_versions *known)
{
	const struct arch_info *a = arch_find(p->arch);
	struct accel_host host;
	struct accel_choice acc;
	struct vm_run run;
	enum vm_state st = VM_STOPPED;
	char fix[300];
	qt_error err;
	size_t i;

	if (p->broken != NULL)
		check(r, FAIL, "profile", "fix the field it names", "%s", p->broken);
	else
		check(r, OK, "profile", NULL, "%s", p->path);
	if (vm_run_read(p->name, &run, &err) == -1)
		check(r, FAIL, "run directory", "remove it as the message says", "%s", err.msg);
	else {
		st = vm_state_of(&run, NULL);
		check(r, OK, "run directory", NULL, "%s (%s)", run.dir, vm_state_name(st));
		vm_run_free(&run);
	}
	if (a != NULL || p->qemu != NULL)
		check_binary(r, known, doctor_vm_binary(p),
		    a != NULL ? a->debian_package : "qemu-system", true);
	accel_probe_host(&host);
	accel_choose(p->accel, p->arch, &host, &acc);
	if (p->accel != NULL && strcmp(p->accel, "kvm") == 0)
		check_kvm(r, true);
	else
		check(r, OK, "accelerator", NULL, "%s: %s", acc.name, acc.reason);
	check_file(r, "kernel", p->kernel);
	check_file(r, "initrd", p->initrd);
	check_file(r, "bios", p->bios);
	if (p->firmware != NULL && strcmp(p->firmware, FIRMWARE_UEFI) == 0)
		check_uefi(r, p->arch, p->machine, p->name);
	else
		check_file(r, "firmware", p->firmware);
	for (i = 0; i < p->ndrives; i++) {
		check_file(r, "disk", p->drives[i].file);
		if (!vm_state_live(st) && p->drives[i].file != NULL &&
		    image_locked(p->drives[i].file))
			check(r, FAIL, "disk lock", "stop the VM that has it open "
			    "(qemu-tui list shows which runs)", "%s is open in another QEMU",
			    p->drives[i].file);
	}
	if (net_mode_check(p, &err) == -1)
		check(r, FAIL, "network mode", "set network.mode to user, tap or bridge",
		    "%s", err.msg);
	if (p->net.mode == NET_BRIDGE && p->net.bridge != NULL) {
		const char *helper;
		char bfix[400];

		if (net_bridge_check(p->net.bridge, &helper, bfix, sizeof bfix, &err) == -1)
			check(r, FAIL, "bridge", bfix, "%s", err.msg);
		else
			check(r, OK, "bridge", NULL, "%s through %s%s", p->net.bridge, helper,
			    geteuid() == 0 ? " (as root)" : "");
	}
	if (p->net.mode == NET_TAP && p->net.ifname != NULL) {
		struct tap_info ti;

		snprintf(fix, sizeof fix, "sudo qemu-tui net up %s", p->name);
		if (tap_query(p->net.ifname, &ti, &err) == -1)
			check(r, FAIL, "tap", NULL, "%s", err.msg);
		else if (!ti.exists && p->net.create && net_admin_right())
			check(r, OK, "tap", NULL, "%s does not exist yet: network.create makes "
			    "it at start", p->net.ifname);
		else if (!ti.exists && p->net.create)
			check(r, FAIL, "tap", fix, "%s does not exist, and network.create "
			    "needs root or CAP_NET_ADMIN to make it", p->net.ifname);
		else if (!ti.exists || !ti.is_tap)
			check(r, FAIL, "tap", fix, "%s %s", p->net.ifname,
			    ti.exists ? "is not a tap device" : "does not exist");
		else if (ti.owner >= 0 && ti.owner != (long)getuid() && getuid() != 0)
			check(r, FAIL, "tap", fix, "%s belongs to uid %ld, not to you",
			    p->net.ifname, ti.owner);
		else
			check(r, ti.up ? OK : WARN, "tap", fix, "%s %s, %s", p->net.ifname,
			    ti.up ? "up" : "down", ti.addrs[0] ? ti.addrs : "no address");
	}
	if (p->net.mode == NET_USER && !vm_state_live(st)) {
		struct net_ssh_endpoint e;

		net_ssh_endpoint(p, 0, &e);
		if (e.forward && !e.port_chosen) {
			if (net_port_available(e.host, e.port, "ssh.port", &err) == -1)
				check(r, FAIL, "ssh port", "choose another ssh.port", "%s", err.msg);
			else
				check(r, OK, "ssh port", NULL, "%s:%d is free", e.host, e.port);
		}
		for (i = 0; i < p->net.nforwards; i++) {
			const struct forward *f = &p->net.forwards[i];

			if (strcmp(f->proto, "tcp") != 0)
				continue;
			if (net_port_available(f->host_addr, f->host_port, "forward", &err) == -1)
				check(r, FAIL, "forward port", "change network.forwards", "%s",
				    err.msg);
			else
				check(r, OK, "forward port", NULL, "%s:%d is free", f->host_addr,
				    f->host_port);
		}
	}
}
