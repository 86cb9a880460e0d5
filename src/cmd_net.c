/*
 * qemu-tui net up|down|check NAME: the profile's tap device, as the seeds'
 * create_tap / delete_tap / check_tap Makefile targets did with sudo ip lines.
 * `up` needs root (or CAP_NET_ADMIN) once; QEMU then runs on the device as the
 * user it belongs to (--user, else $SUDO_USER under sudo, else the caller).
 */
#include <getopt.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "tap.h"

static const char usage_text[] = "usage: qemu-tui net up|down NAME [--user USER]\n"
    "       qemu-tui net check NAME [--json]\n";

static int
owner_uid(const char *user, uid_t *uid)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw;

	if (user == NULL && getuid() == 0 && sudo != NULL && *sudo != '\0')
		user = sudo;
	if (user == NULL) {
		*uid = getuid();
		return 0;
	}
	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "qemu-tui: net: no user named \"%s\"\n", user);
		return -1;
	}
	*uid = pw->pw_uid;
	return 0;
}

static const char *
user_name(long uid, char *buf, size_t len)
{
	struct passwd *pw;

	if (uid < 0)
		return "anyone";
	pw = getpwuid((uid_t)uid);
	snprintf(buf, len, "%s (uid %ld)", pw != NULL ? pw->pw_name : "?", uid);
	return buf;
}

/* check --json: the facts the text gives, one object; the exit status is the text's. */
static int
net_check_json(const struct profile *p, const struct tap_info *ti, bool usable)
{
	struct json_object *o = json_object_new_object(), *addrs = json_object_new_array();
	struct passwd *pw;
	char buf[sizeof ti->addrs], *a, *save = NULL;

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "ifname", json_object_new_string(p->net.ifname));
	json_object_object_add(o, "exists", json_object_new_boolean(ti->exists));
	json_object_object_add(o, "tap", json_object_new_boolean(ti->exists && ti->is_tap));
	json_object_object_add(o, "persistent", json_object_new_boolean(ti->persistent));
	json_object_object_add(o, "up", json_object_new_boolean(ti->up));
	/* owner null: no device, or one anyone may attach to. */
	json_object_object_add(o, "owner", ti->exists && ti->owner >= 0 ?
	    json_object_new_int64(ti->owner) : NULL);
	pw = ti->exists && ti->owner >= 0 ? getpwuid((uid_t)ti->owner) : NULL;
	json_object_object_add(o, "owner_name", pw != NULL ?
	    json_object_new_string(pw->pw_name) : NULL);
	json_object_object_add(o, "usable", json_object_new_boolean(usable));
	snprintf(buf, sizeof buf, "%s", ti->addrs);
	for (a = strtok_r(buf, ", ", &save); a != NULL; a = strtok_r(NULL, ", ", &save))
		json_object_array_add(addrs, json_object_new_string(a));
	json_object_object_add(o, "addresses", addrs);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return usable && ti->up ? 0 : 1;
}

static int
net_check(const struct profile *p, bool json)
{
	struct tap_info ti;
	qt_error err;
	char who[96];
	bool usable;

	if (tap_query(p->net.ifname, &ti, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		return 1;
	}
	usable = ti.exists && ti.is_tap &&
	    (ti.owner < 0 || (uid_t)ti.owner == getuid() || getuid() == 0);
	if (json)
		return net_check_json(p, &ti, usable);
	if (!ti.exists) {
		printf("%s: tap %s does not exist; create it: sudo qemu-tui net up %s\n",
		    p->name, p->net.ifname, p->name);
		return 1;
	}
	if (!ti.is_tap) {
		printf("%s: %s exists and is not a tap device: choose another network.ifname\n",
		    p->name, p->net.ifname);
		return 1;
	}
	printf("%s: tap %s: %s, %s, owner %s, %s\n", p->name, p->net.ifname,
	    ti.persistent ? "persistent" : "not persistent", ti.up ? "up" : "down",
	    user_name(ti.owner, who, sizeof who), ti.addrs[0] ? ti.addrs : "no address");
	if (!usable)
		printf("  you (uid %ld) cannot open it: it belongs to another user; "
		    "sudo qemu-tui net up %s makes it yours\n", (long)getuid(), p->name);
	if (!ti.up)
		printf("  it is down: sudo qemu-tui net up %s\n", p->name);
	return usable && ti.up ? 0 : 1;
}

static int
cmd_net_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *user = NULL, *verb;
	struct profile_list list;
	struct profile *p;
	qt_error err;
	char who[96];
	bool json = false;
	uid_t uid;
	int c, rc = 1;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'u')
			user = optarg;
		else if (c == 'j')
			json = true;
		else {
			fputs(usage_text, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	verb = argv[optind];
	if (strcmp(verb, "up") != 0 && strcmp(verb, "down") != 0 &&
	    strcmp(verb, "check") != 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (json && strcmp(verb, "check") != 0) {
		fprintf(stderr, "qemu-tui: net: --json is for check (%s prints no document)\n",
		    verb);
		return 2;
	}
	if ((p = cmd_profile(ctx, argv[optind + 1], &list, 1)) == NULL)
		return 1;
	if (p->net.mode != NET_TAP || p->net.ifname == NULL) {
		fprintf(stderr, "qemu-tui: %s uses network mode %s: it has no tap device to "
		    "set up (network.mode tap with network.ifname has one)\n", p->name,
		    net_mode_name(p->net.mode));
		goto out;
	}
	if (strcmp(verb, "check") == 0) {
		rc = net_check(p, json);
	} else if (strcmp(verb, "up") == 0) {
		if (owner_uid(user, &uid) == -1)
			goto out;
		if (tap_create(p->net.ifname, uid, p->net.host_addr, &err) == -1) {
			fprintf(stderr, "qemu-tui: %s: %s; nothing was created%s%s\n", p->name,
			    err.msg, getuid() != 0 ? ". Run: sudo qemu-tui net up " : "",
			    getuid() != 0 ? p->name : "");
			goto out;
		}
		printf("%s: tap %s is up, owned by %s%s%s\n", p->name, p->net.ifname,
		    user_name(uid, who, sizeof who), p->net.host_addr ? ", host address " : "",
		    p->net.host_addr ? p->net.host_addr : "");
		rc = 0;
	} else {
		struct tap_info ti;

		if (tap_query(p->net.ifname, &ti, &err) == 0 && !ti.exists) {
			printf("%s: tap %s does not exist; nothing to remove\n", p->name,
			    p->net.ifname);
			rc = 0;
			goto out;
		}
		if (tap_delete(p->net.ifname, &err) == -1) {
			fprintf(stderr, "qemu-tui: %s: %s%s%s\n", p->name, err.msg,
			    getuid() != 0 ? ". Run: sudo qemu-tui net down " : "",
			    getuid() != 0 ? p->name : "");
			goto out;
		}
		printf("%s: tap %s removed\n", p->name, p->net.ifname);
		rc = 0;
	}
out:
	profile_list_free(&list);
	return rc;
}

/* For completion and the docs test: exec reads its own argv. */
static const struct cmd_option net_options[] = { CMD_OPTION_JSON, CMD_OPTIONS_END };

const struct cmd_entry cmd_net_entry = {
	.name = "net", .args = "up|down|check NAME [--user USER] [--json]",
	.min_args = 2, .max_args = 2, .flags = CMD_OWN_ARGS, .words = "up down check",
	.options = net_options,
	.help = "create, remove or check the profile's tap device (up and down need root once)",
	.exec = cmd_net_exec
};
