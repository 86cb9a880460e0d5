/* TAP devices through /dev/net/tun and interface ioctls (see tap.h). */
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* What `ip tuntap add mode tap` makes, and QEMU attaches to. */
#define TAP_FLAGS	(IFF_TAP | IFF_NO_PI)

static void
no_right(qt_error *err, const char *what, const char *ifname)
{
	err_set(err, "%s %s needs root or CAP_NET_ADMIN", what, ifname);
}

static int
name_ok(const char *ifname, qt_error *err)
{
	if (ifname == NULL || *ifname == '\0' || strlen(ifname) >= IFNAMSIZ ||
	    strchr(ifname, '/') != NULL) {
		err_set(err, "\"%s\" is not a network device name (at most %d characters, "
		    "no '/')", ifname ? ifname : "", IFNAMSIZ - 1);
		return -1;
	}
	return 0;
}

/* Attach to (or create) the tap; the fd holds it until closed. */
static int
tun_attach(const char *ifname, qt_error *err)
{
	struct ifreq ifr;
	int fd;

	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) == -1) {
		err_errno(err, "/dev/net/tun (modprobe tun, or a container without it?)");
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = TAP_FLAGS;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		if (errno == EPERM)
			no_right(err, "creating or changing", ifname);
		else if (errno == EBUSY)
			err_set(err, "%s is in use (a running VM has it open): stop the VM first",
			    ifname);
		else if (errno == EINVAL)
			err_set(err, "%s exists and is not a tap device: choose another "
			    "network.ifname", ifname);
		else
			err_errno(err, "%s", ifname);
		close(fd);
		return -1;
	}
	return fd;
}

static int
set_addr(int sock, const char *ifname, const char *cidr, qt_error *err)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;
	char ip[64], *slash;
	unsigned long bits = 24;
	struct in_addr a;

	snprintf(ip, sizeof ip, "%s", cidr);
	if ((slash = strchr(ip, '/')) != NULL) {
		*slash = '\0';
		bits = strtoul(slash + 1, NULL, 10);
	}
	if (inet_pton(AF_INET, ip, &a) != 1 || bits < 1 || bits > 32) {
		err_set(err, "network.host_addr \"%s\" is not an IPv4 address with a prefix "
		    "(like 172.16.0.1/24)", cidr);
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	if (ioctl(sock, SIOCSIFADDR, &ifr) == -1) {
		err_errno(err, "%s: setting address %s", ifname, ip);
		return -1;
	}
	sin->sin_addr.s_addr = htonl(bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits));
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) == -1) {
		err_errno(err, "%s: setting the netmask /%lu", ifname, bits);
		return -1;
	}
	return 0;
}

int
tap_create(const char *ifname, uid_t owner, const char *host_addr, qt_error *err)
{
	struct ifreq ifr;
	int fd, sock, rc = -1;

	if (name_ok(ifname, err) == -1 || (fd = tun_attach(ifname, err)) == -1)
		return -1;
	if (ioctl(fd, TUNSETOWNER, (unsigned long)owner) == -1 ||
	    ioctl(fd, TUNSETPERSIST, 1UL) == -1) {
		if (errno == EPERM)
			no_right(err, "making", ifname);
		else
			err_errno(err, "%s: owner and persistence", ifname);
		close(fd);
		return -1;
	}
	close(fd);
	if ((sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		err_errno(err, "socket");
		return -1;
	}
	if (host_addr != NULL && set_addr(sock, ifname, host_addr, err) == -1)
		goto out;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) == -1) {
		err_errno(err, "%s", ifname);
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) == -1) {
		err_errno(err, "%s: bringing it up", ifname);
		goto out;
	}
	rc = 0;
out:
	close(sock);
	return rc;
}

int
tap_delete(const char *ifname, qt_error *err)
{
	struct tap_info info;
	int fd;

	if (name_ok(ifname, err) == -1 || tap_query(ifname, &info, err) == -1)
		return -1;
	if (!info.exists)
		return 0;
	if (!info.is_tap) {
		err_set(err, "%s is not a tap device: not removed", ifname);
		return -1;
	}
	if ((fd = tun_attach(ifname, err)) == -1)
		return -1;
	if (ioctl(fd, TUNSETPERSIST, 0UL) == -1) {
		if (errno == EPERM)
			no_right(err, "removing", ifname);
		else
			err_errno(err, "%s", ifname);
		close(fd);
		return -1;
	}
	close(fd);	/* the last holder gone: the device goes */
	return 0;
}

/* A small number from /sys/class/net/IFNAME/FILE, or def. */
static long
sys_long(const char *ifname, const char *file, long def)
{
	char path[128], *text;
	long v = def;

	snprintf(path, sizeof path, "/sys/class/net/%s/%s", ifname, file);
	if ((text = file_read(path, NULL, NULL)) != NULL) {
		v = strtol(text, NULL, 0);
		free(text);
	}
	return v;
}

int
tap_query(const char *ifname, struct tap_info *info, qt_error *err)
{
	struct ifaddrs *ifa, *i;
	char path[128], ip[INET_ADDRSTRLEN];
	long flags;

	memset(info, 0, sizeof *info);
	info->owner = -1;
	if (name_ok(ifname, err) == -1)
		return -1;
	snprintf(path, sizeof path, "/sys/class/net/%s", ifname);
	if (access(path, F_OK) == -1)
		return 0;
	info->exists = true;
	flags = sys_long(ifname, "tun_flags", -1);
	info->is_tap = flags != -1 && (flags & IFF_TAP);
	info->persistent = flags != -1 && (flags & IFF_PERSIST);
	info->owner = sys_long(ifname, "owner", -1);
	info->up = sys_long(ifname, "flags", 0) & IFF_UP;
	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i != NULL; i = i->ifa_next) {
			int bits = 0;
			uint32_t m;

			if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
			    strcmp(i->ifa_name, ifname) != 0)
				continue;
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			    ip, sizeof ip);
			if (i->ifa_netmask != NULL)
				for (m = ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
				    m & 0x80000000u; m <<= 1)
					bits++;
			snprintf(info->addrs + strlen(info->addrs),
			    sizeof info->addrs - strlen(info->addrs), "%s%s/%d",
			    info->addrs[0] ? ", " : "", ip, bits);
		}
		freeifaddrs(ifa);
	}
	return 0;
}
