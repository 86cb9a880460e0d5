/* Profile -> QEMU argv. Pure: no I/O, no environment. */
#include "qemu_argv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "net.h"
#include "rundir.h"

/* A value inside a QEMU option list (",key=value"): commas doubled. */
static char *
esc(const char *s)
{
	return qemu_opt_escape(s);
}

static void
push_opt(struct strvec *out, const char *opt, const char *value)
{
	strvec_push(out, opt);
	strvec_push(out, value);
}

static void
push_opt_owned(struct strvec *out, const char *opt, char *value)
{
	strvec_push(out, opt);
	strvec_push_owned(out, value);
}

/* A run-directory file, with commas doubled for a QEMU option value. */
static char *
run_path_esc(const char *rundir, enum run_file name)
{
	char *path = rundir_file(rundir, name);
	char *e = esc(path);

	free(path);
	return e;
}

static void
add_run_dir(const struct argv_runtime *rt, struct strvec *out)
{
	char *qmp = run_path_esc(rt->rundir, RUN_QEMU_QMP);
	char *ser = run_path_esc(rt->rundir, RUN_QEMU_SERIAL);
	char *log = run_path_esc(rt->rundir, RUN_SERIAL_LOG);

	/* -pidfile takes a plain file name, not an option list: no escaping. */
	push_opt_owned(out, "-pidfile", rundir_file(rt->rundir, RUN_QEMU_PID));
	push_opt_owned(out, "-qmp", xasprintf("unix:%s,server=on,wait=off", qmp));
	push_opt_owned(out, "-chardev", xasprintf("socket,id=serial0,path=%s,"
	    "server=on,wait=off,logfile=%s,logappend=on", ser, log));
	push_opt(out, "-serial", "chardev:serial0");
	free(qmp);
	free(ser);
	free(log);
}

/* ",key=escaped(value)" appended to *s when value is set. */
static void
append_kv(char **s, const char *key, const char *value)
{
	char *e, *n;

	if (value == NULL)
		return;
	e = esc(value);
	n = xasprintf("%s,%s=%s", *s, key, e);
	free(e);
	free(*s);
	*s = n;
}

static void
append_raw(char **s, const char *text)
{
	char *n = xasprintf("%s%s", *s, text);

	free(*s);
	*s = n;
}

static const char *const plain_ifaces[] = {
	"ide", "floppy", "virtio", "scsi", "none", "pflash", "sd", NULL,
};

static int
iface_plain(const char *iface)
{
	size_t i;

	for (i = 0; plain_ifaces[i] != NULL; i++)
		if (strcmp(plain_ifaces[i], iface) == 0)
			return 1;
	return 0;
}

/* "file=F[,format=FMT]" with if=, media, readonly, snapshot, id as given. */
static char *
drive_value(const struct drive *d, const char *iface, const char *id)
{
	char *file = esc(d->file), *v;

	v = xasprintf("file=%s", file);
	free(file);
	append_kv(&v, "format", d->format);
	append_kv(&v, "if", iface);
	append_kv(&v, "media", d->media);
	if (d->readonly)
		append_raw(&v, ",readonly=on");
	if (d->snapshot)
		append_raw(&v, ",snapshot=on");
	append_kv(&v, "id", id);
	return v;
}

static int
add_drive(const struct profile *p, const struct arch_info *ai, size_t index,
    struct strvec *out, qt_error *err)
{
	const struct drive *d = &p->drives[index];
	const char *iface = d->iface != NULL ? d->iface : ai->disk_if;
	char *defid = NULL, *id, *eid;
	const char *device = NULL;

	if (d->file == NULL) {
		err_set(err, "drives[%zu]: no \"file\"", index);
		return -1;
	}
	if (d->id == NULL)
		defid = xasprintf("drive%zu", index);
	id = d->id != NULL ? d->id : defid;

	if (iface_plain(iface)) {
		/* if=none is only useful with an id a device can name. */
		push_opt_owned(out, "-drive", drive_value(d, iface,
		    d->id != NULL || strcmp(iface, "none") == 0 ? id : NULL));
		free(defid);
		return 0;
	}
	if (strcmp(iface, "virtio-mmio") == 0)
		device = "virtio-blk-device";
	else if (strcmp(iface, "nvme") == 0)
		device = "nvme";
	else {
		err_set(err, "drives[%zu]: unknown interface \"%s\" (use virtio, "
		    "ide, floppy, scsi, nvme, virtio-mmio, none, pflash or sd)",
		    index, iface);
		free(defid);
		return -1;
	}
	push_opt_owned(out, "-drive", drive_value(d, "none", id));
	eid = esc(id);
	if (strcmp(device, "nvme") == 0)
		push_opt_owned(out, "-device", xasprintf("nvme,serial=%s,drive=%s",
		    eid, eid));
	else
		push_opt_owned(out, "-device", xasprintf("%s,drive=%s", device, eid));
	free(eid);
	free(defid);
	return 0;
}

static void
add_nic(const struct profile *p, const struct arch_info *ai, struct strvec *out)
{
	const char *model = p->net.model != NULL ? p->net.model : ai->nic_model;
	char *v = xasprintf("%s,netdev=net0", model);

	append_kv(&v, "mac", p->net.mac);
	push_opt_owned(out, "-device", v);
}

static void
append_forward(char **v, const char *proto, const char *addr, int host_port,
    int guest_port)
{
	char *fwd = xasprintf("%s:%s:%d-:%d", proto != NULL ? proto : "tcp",
	    addr != NULL ? addr : "127.0.0.1", host_port, guest_port);

	append_kv(v, "hostfwd", fwd);
	free(fwd);
}

static int
add_network(const struct profile *p, const struct argv_runtime *rt,
    const struct arch_info *ai, struct strvec *out, qt_error *err)
{
	const struct net_config *n = &p->net;
	struct net_ssh_endpoint ssh;
	char *v;
	size_t i;

	switch (n->mode) {
	case NET_USER:
		v = xstrdup("user,id=net0");
		net_ssh_endpoint(p, rt->ssh_host_port, &ssh);
		if (ssh.forward && ssh.port > 0)
			append_forward(&v, "tcp", ssh.host, ssh.port, 22);
		if (ssh.forward && rt->knock_host_port > 0)
			append_forward(&v, "tcp", ssh.host, rt->knock_host_port,
			    QEMU_KNOCK_GUEST_PORT);
		for (i = 0; i < n->nforwards; i++)
			append_forward(&v, n->forwards[i].proto,
			    n->forwards[i].host_addr, n->forwards[i].host_port,
			    n->forwards[i].guest_port);
		break;
	case NET_TAP:
		if (n->ifname == NULL) {
			err_set(err, "network: mode tap needs \"ifname\"");
			return -1;
		}
		v = xstrdup("tap,id=net0");
		append_kv(&v, "ifname", n->ifname);
		append_raw(&v, ",script=no,downscript=no");
		break;
	case NET_VMNET_SHARED:
		v = xstrdup("vmnet-shared,id=net0");
		break;
	case NET_VMNET_HOST:
		v = xstrdup("vmnet-host,id=net0");
		break;
	case NET_VMNET_BRIDGED:
		if (n->ifname == NULL) {
			err_set(err, "network: mode vmnet-bridged needs \"ifname\" "
			    "(the host interface to bridge, e.g. en0)");
			return -1;
		}
		v = xstrdup("vmnet-bridged,id=net0");
		append_kv(&v, "ifname", n->ifname);
		break;
	case NET_BRIDGE:
		if (n->bridge == NULL) {
			err_set(err, "network: mode bridge needs \"bridge\" (e.g. br0)");
			return -1;
		}
		v = xstrdup("bridge,id=net0");
		append_kv(&v, "br", n->bridge);
		append_kv(&v, "helper", rt->bridge_helper);
		break;
	case NET_NONE:
		push_opt(out, "-nic", "none");
		return 0;
	default:
		err_set(err, "network: unknown mode %d", (int)n->mode);
		return -1;
	}
	push_opt_owned(out, "-netdev", v);
	add_nic(p, ai, out);
	return 0;
}

int
qemu_argv_build(const struct profile *p, const struct argv_runtime *rt,
    struct strvec *out, qt_error *err)
{
	const struct arch_info *ai = arch_find(p->arch);
	const char *accel = rt->accel != NULL ? rt->accel : "tcg";
	const char *cpu;
	struct strvec v = STRVEC_INIT;
	size_t i;

	if (ai == NULL) {
		err_set(err, "unknown arch \"%s\" (known: %s)",
		    p->arch != NULL ? p->arch : "", arch_names());
		return -1;
	}
	if (rt->rundir == NULL) {
		err_set(err, "no run directory");
		return -1;
	}
	strvec_push(&v, p->qemu != NULL ? p->qemu : ai->qemu_binary);

	if (p->name != NULL)
		push_opt_owned(&v, "-name", esc(p->name));
	push_opt(&v, "-machine", p->machine != NULL ? p->machine : ai->machine);
	push_opt(&v, "-accel", accel);
	if (p->cpu != NULL)
		cpu = p->cpu;
	else if (strcmp(accel, "kvm") == 0 || strcmp(accel, "hvf") == 0)
		cpu = ai->cpu_accel;
	else
		cpu = ai->cpu_tcg;
	push_opt(&v, "-cpu", cpu);
	push_opt(&v, "-m", p->memory != NULL ? p->memory : "1G");
	push_opt_owned(&v, "-smp", xasprintf("%d", p->smp > 0 ? p->smp : 1));
	push_opt(&v, "-display", p->display != NULL ? p->display : "none");
	push_opt(&v, "-monitor", "none");

	add_run_dir(rt, &v);
	if (rt->start_paused)
		strvec_push(&v, "-S");
	if (p->no_shutdown)
		strvec_push(&v, "-no-shutdown");

	if (p->bios != NULL)
		push_opt(&v, "-bios", p->bios);
	if (p->firmware != NULL && strcmp(p->firmware, "uefi") == 0) {
		char *c, *s;

		if (rt->fw_code == NULL || rt->fw_vars == NULL) {
			err_set(err, "firmware: \"uefi\" was not looked up for this run");
			goto fail;
		}
		/* Two flash chips: the shared code read-only, the VM's variables writable. */
		c = esc(rt->fw_code);
		s = esc(rt->fw_vars);
		push_opt_owned(&v, "-drive", xasprintf("if=pflash,format=raw,unit=0,"
		    "readonly=on,file=%s", c));
		push_opt_owned(&v, "-drive", xasprintf("if=pflash,format=raw,unit=1,"
		    "file=%s", s));
		free(c);
		free(s);
	} else if (p->firmware != NULL) {
		char *f = esc(p->firmware);

		push_opt_owned(&v, "-drive", xasprintf("if=pflash,format=raw,"
		    "readonly=on,file=%s", f));
		free(f);
	}
	if (p->kernel != NULL)
		push_opt(&v, "-kernel", p->kernel);
	if (p->initrd != NULL)
		push_opt(&v, "-initrd", p->initrd);
	if (p->append != NULL)
		push_opt(&v, "-append", p->append);

	for (i = 0; i < p->ndrives; i++)
		if (add_drive(p, ai, i, &v, err) == -1)
			goto fail;
	for (i = 0; i < p->ndevices; i++)
		push_opt(&v, "-device", p->devices[i]);
	if (add_network(p, rt, ai, &v, err) == -1)
		goto fail;
	if (p->snapshot)
		strvec_push(&v, "-snapshot");
	for (i = 0; i < p->nextra_args; i++)
		strvec_push(&v, p->extra_args[i]);

	for (i = 0; i < v.n; i++)
		strvec_push_owned(out, v.v[i]);
	free(v.v);
	return 0;
fail:
	strvec_free(&v);
	return -1;
}

/* Options that never take a value (the rest take the next word unless it is an option). */
static const char *const flag_opts[] = {
	"-S", "-s", "-snapshot", "-no-shutdown", "-no-reboot", "-nographic",
	"-nodefaults", "-daemonize", "-enable-kvm", "-full-screen",
	"-no-user-config", "-no-hpet", "-no-acpi", "-only-migratable",
	"-enable-sync-profile", "-preconfig", "-version", "-help", NULL,
};

/* Options we emit that always take a value, even one that starts with '-'. */
static const char *const value_opts[] = {
	"-name", "-machine", "-M", "-accel", "-cpu", "-m", "-smp", "-display",
	"-monitor", "-pidfile", "-qmp", "-chardev", "-serial", "-bios", "-drive",
	"-kernel", "-initrd", "-append", "-device", "-netdev", "-nic", NULL,
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

void
qemu_argv_print(FILE *out, char *const *argv)
{
	size_t i, n = 0;
	char *q;

	while (argv != NULL && argv[n] != NULL)
		n++;
	if (n == 0)
		return;
	q = shell_quote(argv[0]);
	fputs(q, out);
	free(q);
	for (i = 1; i < n; i++) {
		fputs(" \\\n    ", out);
		q = shell_quote(argv[i]);
		fputs(q, out);
		free(q);
		if (argv[i][0] == '-' && i + 1 < n && !in_list(flag_opts, argv[i]) &&
		    (argv[i + 1][0] != '-' || in_list(value_opts, argv[i]))) {
			i++;
			q = shell_quote(argv[i]);
			fprintf(out, " %s", q);
			free(q);
		}
	}
	fputc('\n', out);
}
