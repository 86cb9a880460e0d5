/*
 * qemu-tui forward NAME list|add|remove [tcp|udp:][HOSTADDR:]HOSTPORT:GUESTPORT:
 * port forwards on a running VM with user networking, through QMP's
 * human-monitor-command (hostfwd_add / hostfwd_remove on net0). Forwards added
 * this way are kept in the run directory, so list, status and a restarted
 * dashboard show them; they end with the run.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "net.h"
#include "qmp.h"
#include "rundir.h"
#include "vm.h"
#include "vmstate.h"

static const char usage_text[] =
    "usage: qemu-tui forward NAME list [--json]\n"
    "       qemu-tui forward NAME add|remove [tcp|udp:][HOSTADDR:]HOSTPORT:GUESTPORT\n";

/* [tcp|udp:][HOSTADDR:]HOSTPORT:GUESTPORT */
static int
fwd_parse(const char *spec, struct net_live_forward *f, qt_error *err)
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

/* One HMP line through QMP; its text answer is an error when not empty (or, with
 * ok_word, when it lacks that word: hostfwd_remove reports success in words). */
static int
hmp(const char *path, const char *line, const char *ok_word, qt_error *err)
{
	struct json_object *args, *r;
	struct qmp_client *c;
	const char *said;

	if ((c = qmp_open_sync(path, 5000, NULL, NULL, err)) == NULL)
		return -1;
	args = json_object_new_object();
	json_object_object_add(args, "command-line", json_object_new_string(line));
	r = qmp_call_sync(c, "human-monitor-command", args, 5000, err);
	qmp_free(c);
	if (r == NULL)
		return -1;
	said = json_object_get_string(r);
	if (said != NULL && said[strspn(said, " \r\n")] != '\0' &&
	    (ok_word == NULL || strstr(said, ok_word) == NULL)) {
		err_set(err, "QEMU said: %.*s", (int)strcspn(said, "\r\n"), said);
		json_object_put(r);
		return -1;
	}
	json_object_put(r);
	return 0;
}

/* One line of the list, or (into all) one object of its --json array. */
static void
fwd_print(struct json_object *all, const struct net_live_forward *f, const char *from)
{
	struct json_object *o;

	if (all != NULL) {
		o = json_object_new_object();
		json_object_object_add(o, "proto", json_object_new_string(f->proto));
		json_object_object_add(o, "host_addr", json_object_new_string(f->addr));
		json_object_object_add(o, "host_port", json_object_new_int(f->host_port));
		json_object_object_add(o, "guest_port", json_object_new_int(f->guest_port));
		json_object_object_add(o, "from", json_object_new_string(from));
		json_object_array_add(all, o);
		return;
	}
	printf("%s %s:%d -> guest %d  (%s)\n", f->proto, f->addr, f->host_port,
	    f->guest_port, from);
}

static int
cmd_forward_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	struct net_live_forward live[64], f;
	struct net_ssh_endpoint ssh;
	struct profile *p;
	struct vm_run run;
	enum vm_state st;
	const char *verb;
	char line[200], *path = NULL;
	qt_error err;
	size_t n, i;
	int rc = 1;

	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct json_object *all = NULL;
	bool json = false;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else {
			fputs(usage_text, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	/* The words, options taken out: NAME VERB [SPEC]. */
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 3 || argc > 4) {
		fputs(usage_text, stderr);
		return 2;
	}
	verb = argv[2];
	if ((strcmp(verb, "list") == 0) != (argc == 3) ||
	    (strcmp(verb, "list") != 0 && strcmp(verb, "add") != 0 &&
	    strcmp(verb, "remove") != 0)) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (json && strcmp(verb, "list") != 0) {
		fprintf(stderr, "qemu-tui: forward: --json is for list (%s prints no "
		    "document)\n", verb);
		return 2;
	}
	if ((p = cmd_profile(ctx, argv[1], &list, 1)) == NULL)
		return 1;
	if (p->net.mode != NET_USER) {
		fprintf(stderr, "qemu-tui: %s uses network mode %s: forwards are for user "
		    "networking (the guest is reachable on its own address)\n", p->name,
		    net_mode_name(p->net.mode));
		goto out;
	}
	if (vm_run_read(p->name, &run, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out;
	}
	st = vm_state_of(&run, NULL);
	n = net_live_forwards(run.dir, live, sizeof live / sizeof live[0]);
	if (strcmp(verb, "list") == 0) {
		if (json)
			all = json_object_new_array();
		net_ssh_endpoint(p, run.ssh_port, &ssh);
		if (ssh.forward && ssh.port > 0 && vm_state_live(st)) {
			f = (struct net_live_forward){ "tcp", "", ssh.port, 22 };
			snprintf(f.addr, sizeof f.addr, "%s", ssh.host);
			fwd_print(all, &f, "ssh");
		}
		for (i = 0; i < p->net.nforwards; i++) {
			const struct forward *pf = &p->net.forwards[i];

			f = (struct net_live_forward){ "", "", pf->host_port, pf->guest_port };
			snprintf(f.proto, sizeof f.proto, "%s", pf->proto);
			snprintf(f.addr, sizeof f.addr, "%s", pf->host_addr);
			fwd_print(all, &f, "profile");
		}
		for (i = 0; vm_state_live(st) && i < n; i++)
			fwd_print(all, &live[i], "added");
		if (all != NULL) {
			printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
			json_object_put(all);
		}
		rc = 0;
		goto out_run;
	}
	if (fwd_parse(argv[3], &f, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out_run;
	}
	if (!vm_state_live(st) || (path = vm_qmp_path(&run)) == NULL) {
		fprintf(stderr, "qemu-tui: %s is %s: forwards are added to a running VM "
		    "(for every run, put them in the profile's network.forwards)\n", p->name,
		    vm_state_name(st));
		goto out_run;
	}
	if (strcmp(verb, "add") == 0) {
		if (strcmp(f.proto, "tcp") == 0 &&
		    net_port_available(f.addr, f.host_port, "forward", &err) == -1) {
			fprintf(stderr, "qemu-tui: %s: %s\n", p->name, err.msg);
			goto out_run;
		}
		snprintf(line, sizeof line, "hostfwd_add net0 %s:%s:%d-:%d", f.proto, f.addr,
		    f.host_port, f.guest_port);
		if (hmp(path, line, NULL, &err) == -1 || n >= sizeof live / sizeof live[0]) {
			fprintf(stderr, "qemu-tui: %s: forward %s: %s\n", p->name, argv[3],
			    n >= sizeof live / sizeof live[0] ? "too many" : err.msg);
			goto out_run;
		}
		live[n++] = f;
		net_live_forwards_save(run.dir, live, n);
		printf("%s: forwarding %s %s:%d to the guest's port %d\n", p->name, f.proto,
		    f.addr, f.host_port, f.guest_port);
	} else {
		snprintf(line, sizeof line, "hostfwd_remove net0 %s:%s:%d", f.proto, f.addr,
		    f.host_port);
		if (hmp(path, line, "removed", &err) == -1) {
			fprintf(stderr, "qemu-tui: %s: remove %s: %s\n", p->name, argv[3], err.msg);
			goto out_run;
		}
		for (i = 0; i < n; i++)
			if (live[i].host_port == f.host_port && strcmp(live[i].proto, f.proto) == 0) {
				memmove(&live[i], &live[i + 1], (n - i - 1) * sizeof live[0]);
				n--;
				break;
			}
		net_live_forwards_save(run.dir, live, n);
		printf("%s: forward %s %s:%d removed\n", p->name, f.proto, f.addr, f.host_port);
	}
	rc = 0;
out_run:
	free(path);
	vm_run_free(&run);
out:
	profile_list_free(&list);
	return rc;
}

/* For completion and the docs test: exec reads its own argv. */
static const struct cmd_option forward_options[] = { CMD_OPTION_JSON, CMD_OPTIONS_END };

const struct cmd_entry cmd_forward_entry = {
	.name = "forward", .args = "NAME list [--json] | add|remove [tcp|udp:][ADDR:]HOSTPORT:GUESTPORT",
	.min_args = 2, .max_args = 3, .flags = CMD_ARG_PROFILE | CMD_OWN_ARGS,
	.options = forward_options,
	.help = "port forwards on a running VM (user networking), kept for this run",
	.exec = cmd_forward_exec
};
