/* Host-side networking facts: the SSH endpoint, free ports, TAP checks. */
#include "net.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "rundir.h"
#include "tap.h"

bool
net_host_is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (host == NULL)
		return false;
	if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

void
net_ssh_endpoint(const struct profile *p, int run_port, struct net_ssh_endpoint *e)
{
	const char *h = p->ssh.host;
	struct in_addr a4;

	memset(e, 0, sizeof e[0]);
	e->forward = p->net.mode == NET_USER && (h == NULL || net_host_is_loopback(h));
	if (!e->forward) {
		e->host = e->host_name = h;
		e->port = p->ssh.port > 0 ? p->ssh.port : 22;
		return;
	}
	/* QEMU's hostfwd listens on an IPv4 address: an IPv4 loopback as written, else
	 * (no host, localhost, ::1) 127.0.0.1, and the session connects there too. */
	e->host = h != NULL && inet_pton(AF_INET, h, &a4) == 1 ? h : "127.0.0.1";
	/* "localhost" reaches 127.0.0.1 too; "::1" would not: name the forward then. */
	e->host_name = h != NULL && strchr(h, ':') == NULL ? h : e->host;
	e->port_chosen = p->ssh.port <= 0;
	e->port = e->port_chosen ? (run_port > 0 ? run_port : 0) : p->ssh.port;
}

static int
bind_probe(const char *addr, int port, int *out_port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd, one = 1, rc = -1;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* QEMU sets SO_REUSEADDR too, so TIME_WAIT leftovers do not count as busy. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0) {
		if (out_port != NULL)
			*out_port = ntohs(sin.sin_port);
		rc = 0;
	}
	close(fd);
	return rc;
}

bool
net_port_is_free(const char *addr, int port)
{
	return bind_probe(addr, port, NULL) == 0;
}

int
net_free_port(const char *addr, qt_error *err)
{
	int port;

	if (bind_probe(addr, 0, &port) == -1) {
		err_errno(err, "cannot find a free port on %s", addr);
		return -1;
	}
	return port;
}

/* The socket inode listening on TCP port (or bound to a UDP one), from /proc/net. */
static unsigned long
port_inode(int port, bool udp)
{
	static const char *const tcp[] = { "/proc/net/tcp", "/proc/net/tcp6", NULL };
	static const char *const udps[] = { "/proc/net/udp", "/proc/net/udp6", NULL };
	const char *const *f;
	char line[512];
	unsigned long inode = 0;

	for (f = udp ? udps : tcp; *f != NULL && inode == 0; f++) {
		FILE *fp = fopen(*f, "re");

		if (fp == NULL)
			continue;
		while (inode == 0 && fgets(line, sizeof line, fp) != NULL) {
			unsigned lport, st;
			unsigned long ino;

			if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*s %*s "
			    "%*s %*s %*s %lu", &lport, &st, &ino) == 3 && (int)lport == port &&
			    (udp || st == 0x0A) && ino != 0)
				inode = ino;
		}
		fclose(fp);
	}
	return inode;
}

bool
net_port_holder(int port, bool udp, char *buf, size_t len)
{
	unsigned long inode = port_inode(port, udp);
	char want[64], path[600], link[64], comm[64];
	struct dirent *p, *fd;
	bool found = false;
	DIR *procs, *fds;

	if (inode == 0 || (procs = opendir("/proc")) == NULL)
		return false;
	snprintf(want, sizeof want, "socket:[%lu]", inode);
	while (!found && (p = readdir(procs)) != NULL) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;	/* another user's: not ours to see */
		while (!found && (fd = readdir(fds)) != NULL) {
			ssize_t n;

			snprintf(path, sizeof path, "/proc/%s/fd/%s", p->d_name, fd->d_name);
			if ((n = readlink(path, link, sizeof link - 1)) <= 0)
				continue;
			link[n] = '\0';
			found = strcmp(link, want) == 0;
		}
		closedir(fds);
		if (found) {
			FILE *c;

			snprintf(path, sizeof path, "/proc/%s/comm", p->d_name);
			comm[0] = '\0';
			if ((c = fopen(path, "re")) != NULL) {
				if (fgets(comm, sizeof comm, c) == NULL)
					comm[0] = '\0';
				fclose(c);
			}
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(buf, len, "%s (pid %s)", comm, p->d_name);
		}
	}
	closedir(procs);
	return found;
}

int
net_port_available(const char *addr, int port, const char *what, qt_error *err)
{
	char holder[128];

	if (bind_probe(addr, port, NULL) == 0)
		return 0;
	if (errno == EADDRINUSE && net_port_holder(port, false, holder, sizeof holder))
		err_set(err, "%s: port %s:%d is busy: %s holds it; pick another port or "
		    "stop that one", what, addr, port, holder);
	else if (errno == EADDRINUSE)
		err_set(err, "%s: port %s:%d is busy (another VM or program uses it: "
		    "see `ss -ltnp 'sport = %d'`); pick another port or stop that one",
		    what, addr, port, port);
	else if (errno == EACCES && port < 1024)
		err_set(err, "%s: port %d is below 1024, which needs root or "
		    "CAP_NET_BIND_SERVICE (or a lower net.ipv4.ip_unprivileged_port_start): "
		    "pick a port of 1024 or above", what, port);
	else
		err_errno(err, "%s: cannot use %s:%d", what, addr, port);
	return -1;
}

static int
tap_check(const char *name, const char *ifname, qt_error *err)
{
	const char *user = getenv("USER") ? getenv("USER") : "$USER";
	struct tap_info ti;

	if (tap_query(ifname, &ti, err) == -1)
		return -1;
	if (!ti.exists) {
		err_set(err, "network.ifname: TAP device %s does not exist; create it "
		    "once as root: sudo qemu-tui net up %s (or: ip tuntap add dev %s mode "
		    "tap user %s && ip link set %s up)", ifname, name, ifname, user, ifname);
		return -1;
	}
	if (!ti.is_tap) {
		err_set(err, "network.ifname: %s exists but is not a TAP device", ifname);
		return -1;
	}
	if (ti.owner != -1 && geteuid() != 0 && ti.owner != (long)geteuid()) {
		err_set(err, "network.ifname: TAP device %s belongs to uid %ld, so QEMU "
		    "cannot open it as you (uid %ld); make it yours as root with "
		    "sudo qemu-tui net up %s (or `ip tuntap del dev %s mode tap && ip tuntap "
		    "add dev %s mode tap user %s`)", ifname, ti.owner, (long)geteuid(), name,
		    ifname, ifname, user);
		return -1;
	}
	return 0;
}

int
net_mode_check(const struct profile *p, qt_error *err)
{
#ifndef __APPLE__
	const char *mode = net_mode_name(p->net.mode);

	switch (p->net.mode) {
	case NET_VMNET_SHARED:
	case NET_VMNET_HOST:
	case NET_VMNET_BRIDGED:
		/* QEMU on Linux has no vmnet backend: it would only fail later, vaguely. */
		err_set(err, "network.mode: %s is macOS only (Apple's vmnet framework, "
		    "QEMU 7.1 or later; there it needs root or the "
		    "com.apple.vm.networking entitlement, or socket_vmnet for a rootless "
		    "run). On Linux set \"mode\" to \"user\" (NAT with port forwards), "
		    "\"tap\" (network.ifname; sudo qemu-tui net up %s creates it) or "
		    "\"bridge\" (network.bridge, through qemu-bridge-helper)", mode,
		    p->name);
		return -1;
	default:
		break;
	}
#else
	(void)p;
	(void)err;
#endif
	return 0;
}

/* Where distributions install it: Debian and Ubuntu, Fedora and Arch, a source build. */
static const char *const bridge_helpers[] = {
	"/usr/lib/qemu/qemu-bridge-helper", "/usr/libexec/qemu-bridge-helper",
	"/usr/local/libexec/qemu-bridge-helper", "/usr/lib/qemu-bridge-helper", NULL,
};

const char *
net_bridge_helper(void)
{
	size_t i;

	for (i = 0; bridge_helpers[i] != NULL; i++)
		if (access(bridge_helpers[i], F_OK) == 0)
			return bridge_helpers[i];
	return NULL;
}

/* The helper's rules (qemu-bridge-helper.c): allowed when some allow line names the
 * bridge or all, and no deny line does; include FILE reads another file. */
static int
acl_read(const char *path, const char *br, int depth, bool *allow, bool *deny)
{
	char line[512], *w, *arg, *save;
	FILE *f;

	if (depth > 8 || (f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		save = NULL;
		if ((w = strtok_r(line, " \t\r\n", &save)) == NULL || w[0] == '#')
			continue;
		if ((arg = strtok_r(NULL, " \t\r\n", &save)) == NULL)
			continue;
		if (strcmp(w, "allow") == 0 && (strcmp(arg, "all") == 0 || strcmp(arg, br) == 0))
			*allow = true;
		else if (strcmp(w, "deny") == 0 && (strcmp(arg, "all") == 0 ||
		    strcmp(arg, br) == 0))
			*deny = true;
		else if (strcmp(w, "include") == 0)
			acl_read(arg, br, depth + 1, allow, deny);
	}
	fclose(f);
	return 0;
}

int
net_bridge_check(const char *br, const char **helper_out, char *fix, size_t fixlen,
    qt_error *err)
{
	const char *helper = net_bridge_helper(), *conf = NET_BRIDGE_CONF;
	char sys[128];
	bool allow = false, deny = false;
	struct stat st;

	*helper_out = helper;
	fix[0] = '\0';
	if (helper == NULL) {
		err_set(err, "network.mode bridge: qemu-bridge-helper is not installed "
		    "(looked in /usr/lib/qemu, /usr/libexec, /usr/local/libexec)");
		snprintf(fix, fixlen, "sudo apt-get install qemu-system-common "
		    "(Fedora: qemu-common)");
		return -1;
	}
	/* QEMU runs the helper as us: only setuid root (or file capabilities) lets it
	 * make a tap and join the bridge. As root it needs neither. */
	if (geteuid() != 0 && stat(helper, &st) == 0 &&
	    !((st.st_mode & S_ISUID) && st.st_uid == 0) &&
	    getxattr(helper, "security.capability", NULL, 0) <= 0) {
		err_set(err, "network.mode bridge: %s is not setuid root, so it cannot "
		    "attach the guest to %s for you (Debian installs it so)", helper, br);
		snprintf(fix, fixlen, "sudo chmod u+s %s (or start the VM as root)", helper);
		return -1;
	}
	if (acl_read(conf, br, 0, &allow, &deny) == -1) {
		if (errno == EACCES)	/* the setuid helper can read it; we cannot tell */
			goto bridge;
		err_set(err, "network.mode bridge: %s %s, so qemu-bridge-helper refuses "
		    "every bridge (\"failed to parse default acl file\")", conf,
		    errno == ENOENT ? "does not exist" : strerror(errno));
		snprintf(fix, fixlen, "sudo mkdir -p /etc/qemu && echo 'allow %s' | "
		    "sudo tee -a %s", br, conf);
		return -1;
	}
	if (!allow || deny) {
		err_set(err, "network.mode bridge: %s %s %s, so qemu-bridge-helper refuses "
		    "it (\"access denied by acl file\")", conf, deny ? "denies" :
		    "has no `allow` line for", br);
		if (deny)
			snprintf(fix, fixlen, "remove the deny line for %s (or deny all) from "
			    "%s and add: allow %s", br, conf, br);
		else
			snprintf(fix, fixlen, "echo 'allow %s' | sudo tee -a %s", br, conf);
		return -1;
	}
bridge:
	snprintf(sys, sizeof sys, "/sys/class/net/%s", br);
	if (stat(sys, &st) == -1) {
		err_set(err, "network.bridge: there is no network device %s on this host", br);
		snprintf(fix, fixlen, "sudo ip link add %s type bridge && sudo ip link set %s "
		    "up (and add the host's uplink to it: sudo ip link set eth0 master %s)",
		    br, br, br);
		return -1;
	}
	snprintf(sys, sizeof sys, "/sys/class/net/%s/bridge", br);
	if (stat(sys, &st) == -1) {
		err_set(err, "network.bridge: %s is not a bridge", br);
		snprintf(fix, fixlen, "set network.bridge to a bridge (ip -d link show type "
		    "bridge lists them)");
		return -1;
	}
	return 0;
}

bool
net_admin_right(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f;

	if (geteuid() == 0)
		return true;
	if ((f = fopen("/proc/self/status", "re")) == NULL)
		return false;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return (caps >> 12) & 1;	/* CAP_NET_ADMIN */
}

int
net_prepare(const struct profile *p, qt_error *err)
{
	const struct net_config *n = &p->net;
	struct tap_info ti;
	qt_error why;

	if (n->mode != NET_TAP || !n->create || n->ifname == NULL)
		return 0;
	/* Ready as it is: nothing to change, so no right needed (TUNSETOWNER asks
	 * for CAP_NET_ADMIN even when the owner stays the same). */
	if (tap_query(n->ifname, &ti, err) == -1)
		return -1;
	if (ti.exists && ti.is_tap && ti.up &&
	    (ti.owner == -1 || ti.owner == (long)geteuid()))
		return 0;
	/* QEMU runs as we do: the device is made ours. */
	if (tap_create(n->ifname, geteuid(), n->host_addr, &why) == 0)
		return 0;
	if (geteuid() != 0)
		err_set(err, "network.create: %s; run once: sudo qemu-tui net up %s "
		    "(then start works without root)", why.msg, p->name);
	else
		err_set(err, "network.create: %s", why.msg);
	return -1;
}

int
net_check(const struct profile *p, qt_error *err)
{
	struct net_ssh_endpoint ssh;
	size_t i;

	if (net_mode_check(p, err) == -1)
		return -1;
	switch (p->net.mode) {
	case NET_TAP:
		return tap_check(p->name, p->net.ifname, err);
	case NET_BRIDGE: {
		const char *helper;
		char fix[400];
		qt_error why;

		if (net_bridge_check(p->net.bridge, &helper, fix, sizeof fix, &why) == 0)
			return 0;
		err_set(err, "%s; fix: %s", why.msg, fix);
		return -1;
	}
	case NET_USER:
		/* A chosen port was free a moment ago: only a fixed one can be taken. */
		net_ssh_endpoint(p, 0, &ssh);
		if (ssh.forward && !ssh.port_chosen && net_port_available(ssh.host,
		    ssh.port, "ssh.port", err) == -1)
			return -1;
		for (i = 0; i < p->net.nforwards; i++) {
			const struct forward *f = &p->net.forwards[i];
			char what[64];

			if (strcmp(f->proto, "tcp") != 0)
				continue;
			snprintf(what, sizeof what, "network.forwards[%zu]", i);
			if (net_port_available(f->host_addr, f->host_port, what, err) == -1)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* The live forwards, one per line of the run directory's file. */
size_t
net_live_forwards(const char *dir, struct net_live_forward *out, size_t max)
{
	char *text = rundir_read(dir, RUN_FORWARDS), *line, *save = NULL;
	size_t n = 0;

	if (text == NULL)
		return 0;
	for (line = strtok_r(text, "\n", &save); line != NULL && n < max;
	    line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%3s %63s %d %d", out[n].proto, out[n].addr,
		    &out[n].host_port, &out[n].guest_port) == 4)
			n++;
	free(text);
	return n;
}

int
net_live_forwards_save(const char *dir, const struct net_live_forward *f, size_t n)
{
	char *text = xstrdup(""), *next;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		next = xasprintf("%s%s %s %d %d\n", text, f[i].proto, f[i].addr,
		    f[i].host_port, f[i].guest_port);
		free(text);
		text = next;
	}
	rc = rundir_write_str(dir, RUN_FORWARDS, text);
	free(text);
	return rc;
}
