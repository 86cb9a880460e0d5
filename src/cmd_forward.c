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
#include "forward.h"
#include "net.h"
#include "rundir.h"
#include "vm.h"
#include "vmstate.h"

static const char usage_text[] =
    "usage: qemu-tui forward NAME list [--json]\n"
    "       qemu-tui forward NAME add|remove [tcp|udp:][HOSTADDR:]HOSTPORT:GUESTPORT\n";

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
	struct forward_entry all_fwd[80];
	struct profile_list list;
	struct net_live_forward f;
	struct profile *p;
	struct vm_run run;
	enum vm_state st;
	const char *verb;
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
		(void)forward_usable(p, VM_RUNNING, &err);
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out;
	}
	if (vm_run_read(p->name, &run, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out;
	}
	st = vm_state_of(&run, NULL);
	if (strcmp(verb, "list") == 0) {
		if (json)
			all = json_object_new_array();
		n = forward_list(p, &run, vm_state_live(st), all_fwd,
		    sizeof all_fwd / sizeof all_fwd[0]);
		for (i = 0; i < n; i++)
			fwd_print(all, &all_fwd[i].f, all_fwd[i].from);
		if (all != NULL) {
			printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
			json_object_put(all);
		}
		rc = 0;
		goto out_run;
	}
	if (forward_parse(argv[3], &f, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out_run;
	}
	if (forward_usable(p, st, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out_run;
	}
	if (strcmp(verb, "add") == 0) {
		if (forward_change_sync(&run, true, &f, &err) == -1) {
			/* The port checks name themselves ("forward: port ..."); QEMU's
			 * answer gets the spec. */
			if (strncmp(err.msg, "forward: ", 9) == 0)
				fprintf(stderr, "qemu-tui: %s: %s\n", p->name, err.msg);
			else
				fprintf(stderr, "qemu-tui: %s: forward %s: %s\n", p->name, argv[3],
				    err.msg);
			goto out_run;
		}
		printf("%s: forwarding %s %s:%d to the guest's port %d\n", p->name, f.proto,
		    f.addr, f.host_port, f.guest_port);
	} else {
		if (forward_change_sync(&run, false, &f, &err) == -1) {
			fprintf(stderr, "qemu-tui: %s: remove %s: %s\n", p->name, argv[3], err.msg);
			goto out_run;
		}
		printf("%s: forward %s %s:%d removed\n", p->name, f.proto, f.addr, f.host_port);
	}
	rc = 0;
out_run:
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
