/* Port forwards on a running VM (forward.h): spec, list, change through QMP, listeners. */
#include "forward.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qmp.h"
#include "rundir.h"

#define MAX_LIVE 64	/* forwards added to one run */

int
forward_parse(const char *spec, struct net_live_forward *f, qt_error *err)
{
	char buf[160], *part[4], *save = NULL, *t, *end;
	int n = 0, i = 0;
	long v;

	memset(f, 0, sizeof *f);
	snprintf(f->proto, sizeof f->proto, "tcp");
	snprintf(f->addr, sizeof f->addr, "127.0.0.1");
	snprintf(buf, sizeof buf, "%s", spec);
	for (t = strtok_r(buf, ":", &save); t != NULL && n < 4; t = strtok_r(NULL, ":", &save))
		part[n++] = t;
	if (t != NULL || n < 2)
		goto bad;
	if (strcmp(part[0], "tcp") == 0 || strcmp(part[0], "udp") == 0) {
		snprintf(f->proto, sizeof f->proto, "%s", part[0]);
		i = 1;
	}
	if (n - i == 3)
		snprintf(f->addr, sizeof f->addr, "%s", part[i++]);
	if (n - i != 2)
		goto bad;
	v = strtol(part[i], &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		goto bad;
	f->host_port = (int)v;
	v = strtol(part[i + 1], &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		goto bad;
	f->guest_port = (int)v;
	return 0;
bad:
	err_set(err, "\"%s\" is not a forward: [tcp|udp:][HOSTADDR:]HOSTPORT:GUESTPORT "
	    "(like 8080:80 or udp:127.0.0.1:5353:53)", spec);
	return -1;
}

size_t
forward_list(const struct profile *p, const struct vm_run *run, bool live,
    struct forward_entry *out, size_t max)
{
	struct net_live_forward added[MAX_LIVE];
	struct net_ssh_endpoint ssh;
	size_t n = 0, i, nadded;

	net_ssh_endpoint(p, run->ssh_port, &ssh);
	if (live && ssh.forward && ssh.port > 0 && n < max) {
		out[n] = (struct forward_entry){ { "tcp", "", ssh.port, 22 }, "ssh" };
		snprintf(out[n].f.addr, sizeof out[n].f.addr, "%s", ssh.host);
		n++;
	}
	for (i = 0; i < p->net.nforwards && n < max; i++, n++) {
		const struct forward *pf = &p->net.forwards[i];

		out[n] = (struct forward_entry){ { "", "", pf->host_port, pf->guest_port },
		    "profile" };
		snprintf(out[n].f.proto, sizeof out[n].f.proto, "%s", pf->proto);
		snprintf(out[n].f.addr, sizeof out[n].f.addr, "%s", pf->host_addr);
	}
	if (!live || run->dir == NULL)
		return n;
	nadded = net_live_forwards(run->dir, added, MAX_LIVE);
	for (i = 0; i < nadded && n < max; i++, n++)
		out[n] = (struct forward_entry){ added[i], "added" };
	return n;
}

const struct forward_entry *
forward_for_guest_port(const struct forward_entry *all, size_t n, int guest_port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (all[i].f.guest_port == guest_port && strcmp(all[i].f.proto, "tcp") == 0)
			return &all[i];
	return NULL;
}

int
forward_usable(const struct profile *p, enum vm_state st, qt_error *err)
{
	if (p->net.mode != NET_USER) {
		err_set(err, "%s uses network mode %s: forwards are for user networking "
		    "(the guest is reachable on its own address)", p->name,
		    net_mode_name(p->net.mode));
		return -1;
	}
	if (!vm_state_live(st)) {
		err_set(err, "%s is %s: forwards are added to a running VM (for every run, "
		    "put them in the profile's network.forwards)", p->name, vm_state_name(st));
		return -1;
	}
	return 0;
}

/* ---- changing one on the live run ---- */

struct forward_op {
	struct qmp_client *qmp;
	char *dir;
	bool add;
	struct net_live_forward f;
	char line[200];
	forward_done_fn done;
	void *arg;
};

static void
op_end(struct forward_op *op, const char *error)
{
	forward_done_fn done = op->done;
	void *arg = op->arg;

	/* Finished before the owner hears of it: the owner drops its pointer in done. */
	forward_op_free(op);
	done(arg, error);
}

/* The run directory's list after the change: read again now, so that a change made
 * meanwhile by another qemu-tui is kept. */
static int
record(const char *dir, bool add, const struct net_live_forward *f)
{
	struct net_live_forward live[MAX_LIVE];
	size_t n = net_live_forwards(dir, live, MAX_LIVE), i;

	for (i = 0; i < n; i++)
		if (live[i].host_port == f->host_port && strcmp(live[i].proto, f->proto) == 0) {
			memmove(&live[i], &live[i + 1], (n - i - 1) * sizeof live[0]);
			n--;
			break;
		}
	if (add && n < MAX_LIVE)
		live[n++] = *f;
	return net_live_forwards_save(dir, live, n);
}

/* hostfwd_add answers with nothing on success; hostfwd_remove reports success in
 * words ("... removed"). Anything else is QEMU's error. */
static void
hmp_reply(struct qmp_client *c, struct json_object *ret, struct json_object *error,
    void *arg)
{
	struct forward_op *op = arg;
	struct json_object *d;
	const char *said;
	char msg[300];

	if (error != NULL) {
		snprintf(msg, sizeof msg, "QMP: %s", json_object_object_get_ex(error, "desc",
		    &d) ? json_object_get_string(d) : "error");
		op_end(op, msg);
		return;
	}
	said = ret != NULL ? json_object_get_string(ret) : NULL;
	if (said != NULL && said[strspn(said, " \r\n")] != '\0' &&
	    (op->add || strstr(said, "removed") == NULL)) {
		snprintf(msg, sizeof msg, "QEMU said: %.*s", (int)strcspn(said, "\r\n"), said);
		op_end(op, msg);
		return;
	}
	if (record(op->dir, op->add, &op->f) == -1) {
		op_end(op, "the change is made but the run directory's forwards file "
		    "could not be written");
		return;
	}
	op_end(op, NULL);
}

static void
op_ready(struct qmp_client *c, void *arg)
{
	struct forward_op *op = arg;
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "command-line", json_object_new_string(op->line));
	qmp_send(c, "human-monitor-command", args, hmp_reply, op);
}

static void
op_closed(struct qmp_client *c, const char *why, void *arg)
{
	struct forward_op *op = arg;
	char msg[300];

	/* A pending reply got its Disconnected error first and ended the op; this is
	 * a close before the command was sent. */
	snprintf(msg, sizeof msg, "QMP connection closed: %s", why);
	op_end(op, msg);
}

static const struct qmp_callbacks op_cbs = { op_ready, NULL, op_closed };

struct forward_op *
forward_change(struct loop *l, const struct vm_run *run, bool add,
    const struct net_live_forward *f, forward_done_fn done, void *arg, qt_error *err)
{
	struct forward_op *op;
	char *path;

	if (run->dir == NULL || (path = vm_qmp_path(run)) == NULL) {
		err_set(err, "the VM's QMP socket is not there: is it running?");
		return NULL;
	}
	if (add && strcmp(f->proto, "tcp") == 0 &&
	    net_port_available(f->addr, f->host_port, "forward", err) == -1) {
		free(path);
		return NULL;
	}
	if (add && net_live_forwards(run->dir, (struct net_live_forward[MAX_LIVE]){ 0 },
	    MAX_LIVE) >= MAX_LIVE) {
		err_set(err, "forward: %d forwards are added already: remove one first",
		    MAX_LIVE);
		free(path);
		return NULL;
	}
	op = xcalloc(1, sizeof *op);
	op->dir = xstrdup(run->dir);
	op->add = add;
	op->f = *f;
	op->done = done;
	op->arg = arg;
	if (add)
		snprintf(op->line, sizeof op->line, "hostfwd_add net0 %s:%s:%d-:%d", f->proto,
		    f->addr, f->host_port, f->guest_port);
	else
		snprintf(op->line, sizeof op->line, "hostfwd_remove net0 %s:%s:%d", f->proto,
		    f->addr, f->host_port);
	op->qmp = qmp_open(l, path, &op_cbs, op, err);
	free(path);
	if (op->qmp == NULL) {
		free(op->dir);
		free(op);
		return NULL;
	}
	return op;
}

void
forward_op_free(struct forward_op *op)
{
	if (op == NULL)
		return;
	/* Safe inside the client's own callbacks: qmp.c defers the free. */
	qmp_free(op->qmp);
	free(op->dir);
	free(op);
}

struct sync_wait {
	bool done;
	char error[300];
};

static void
sync_done(void *arg, const char *error)
{
	struct sync_wait *w = arg;

	w->done = true;
	snprintf(w->error, sizeof w->error, "%s", error != NULL ? error : "");
}

int
forward_change_sync(const struct vm_run *run, bool add, const struct net_live_forward *f,
    qt_error *err)
{
	struct sync_wait w = { false, "" };
	struct loop *l = loop_new();
	long long deadline = now_ms() + 10000;
	struct forward_op *op;

	if ((op = forward_change(l, run, add, f, sync_done, &w, err)) == NULL) {
		loop_free(l);
		return -1;
	}
	while (!w.done && now_ms() < deadline)
		loop_run_once(l, 500);
	if (!w.done) {
		forward_op_free(op);
		snprintf(w.error, sizeof w.error, "QEMU did not answer within 10 s");
	}
	loop_free(l);
	if (w.error[0] != '\0') {
		err_set(err, "%s", w.error);
		return -1;
	}
	return 0;
}

/* ---- the guest's listeners ---- */

static int
cmp_listener(const void *a, const void *b)
{
	return ((const struct forward_listener *)a)->port -
	    ((const struct forward_listener *)b)->port;
}

/*
 * Whether a /proc/net/tcp{,6} local address is a loopback one. The kernel prints each
 * 32-bit word of the address as a number read in the guest's byte order; every guest
 * arch qemu-tui knows (x86_64, aarch64, riscv64) is little-endian, so an IPv4 word's
 * first byte is its lowest: 127.0.0.1 is "0100007F", ::1 ends in "01000000", and
 * ::ffff:127.0.0.1 is "0000000000000000FFFF00000100007F".
 */
static bool
hex_is_loopback_v4(const char *hex)
{
	return (strtoul(hex, NULL, 16) & 0xff) == 127;
}

static bool
hex_is_loopback(const char *hex)
{
	static const char zeros[] = "0000000000000000";

	if (strlen(hex) == 8)
		return hex_is_loopback_v4(hex);
	if (strlen(hex) != 32 || strncmp(hex, zeros, 16) != 0)
		return false;
	if (strcasecmp(hex + 16, "0000000001000000") == 0)
		return true;
	return strncasecmp(hex + 16, "FFFF0000", 8) == 0 && hex_is_loopback_v4(hex + 24);
}

size_t
forward_parse_listeners(const char *text, struct forward_listener *out, size_t max)
{
	const char *line = text, *nl;
	size_t n = 0, i;

	for (; line != NULL && *line != '\0'; line = nl != NULL ? nl + 1 : NULL) {
		char addr[40];
		unsigned port, st;
		bool lo;

		nl = strchr(line, '\n');
		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", addr, &port,
		    &st) != 3 || st != 0x0A || port == 0 || port > 65535)
			continue;
		lo = hex_is_loopback(addr);
		for (i = 0; i < n && out[i].port != (int)port; i++)
			;
		if (i < n) {
			/* One wildcard socket of the two makes the port reachable. */
			out[i].loopback_only = out[i].loopback_only && lo;
			continue;
		}
		if (n == max)
			continue;
		out[n++] = (struct forward_listener){ (int)port, lo };
	}
	qsort(out, n, sizeof *out, cmp_listener);
	return n;
}

int
forward_host_port_for(const char *addr, int port, qt_error *err)
{
	int p;

	for (p = port; p <= 65535; p++)
		if (net_port_is_free(addr, p))
			return p;
	err_set(err, "no free port on %s from %d up", addr, port);
	return -1;
}
