/* qemu-tui status [NAME] and list: state from the run directory, facts from QMP and /proc. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "net.h"
#include "procstat.h"
#include "qmp.h"
#include "rundir.h"
#include "vm.h"

/* QMP's facts into o; its status word into qmp_status. */
static void
add_qmp_facts(struct json_object *o, const struct vm_run *run, int want_cpu,
    char *qmp_status, size_t len)
{
	struct json_object *r, *v, *arr;
	struct qmp_client *c;
	qt_error err;
	char *path = vm_qmp_path(run);
	size_t i;

	if (path == NULL)
		return;		/* still starting: nothing serves QMP yet */
	c = qmp_open_sync(path, 3000, NULL, NULL, &err);
	free(path);
	if (c == NULL) {
		json_object_object_add(o, "qmp_error", json_object_new_string(err.msg));
		return;
	}
	json_object_object_add(o, "qemu_version",
	    json_object_new_string(qmp_qemu_version(c)));
	if ((r = qmp_call_sync(c, "query-status", NULL, 3000, &err)) != NULL) {
		if (json_object_object_get_ex(r, "status", &v)) {
			const char *s = json_object_get_string(v);

			json_object_object_add(o, "qmp_status", json_object_new_string(s));
			snprintf(qmp_status, len, "%s", s);
		}
		json_object_put(r);
	}
	if (!want_cpu)
		goto out;
	if ((r = qmp_call_sync(c, "query-cpus-fast", NULL, 3000, &err)) != NULL) {
		json_object_object_add(o, "vcpus",
		    json_object_new_int((int)json_object_array_length(r)));
		json_object_put(r);
	}
	if ((r = qmp_call_sync(c, "query-block", NULL, 3000, &err)) != NULL) {
		arr = json_object_new_array();
		for (i = 0; i < json_object_array_length(r); i++) {
			struct json_object *b = json_object_array_get_idx(r, i);
			struct json_object *d = json_object_new_object(), *ins, *x;
			const char *dev = "";

			if (json_object_object_get_ex(b, "device", &x))
				dev = json_object_get_string(x);
			if (*dev == '\0' && json_object_object_get_ex(b, "qdev", &x))
				dev = json_object_get_string(x);
			json_object_object_add(d, "device", json_object_new_string(dev));
			if (json_object_object_get_ex(b, "inserted", &ins)) {
				if (json_object_object_get_ex(ins, "file", &x))
					json_object_object_add(d, "file", json_object_get(x));
				if (json_object_object_get_ex(ins, "drv", &x))
					json_object_object_add(d, "format", json_object_get(x));
				if (json_object_object_get_ex(ins, "ro", &x))
					json_object_object_add(d, "readonly", json_object_get(x));
			}
			json_object_array_add(arr, d);
		}
		json_object_object_add(o, "block", arr);
		json_object_put(r);
	}
out:
	qmp_free(c);
}

/* {"stage": NAME, "at": epoch seconds with the milliseconds the file keeps, as written}. */
static struct json_object *
stage_entry(const char *name, long long at_ms)
{
	struct json_object *e = json_object_new_object();
	char at[32];

	json_object_object_add(e, "stage", json_object_new_string(name));
	snprintf(at, sizeof at, "%lld.%03lld", at_ms / 1000, at_ms % 1000);
	json_object_object_add(e, "at", json_object_new_double_s((double)at_ms / 1000.0, at));
	return e;
}

static struct json_object *
vm_facts(const char *name, const struct profile *p, int full)
{
	struct json_object *o = json_object_new_object(), *ports;
	struct net_ssh_endpoint ssh;
	struct proc_sample a, b;
	struct vm_run run;
	enum vm_state st;
	qt_error err;
	char desc[160], qmp_status[24] = "";
	size_t i;

	json_object_object_add(o, "name", json_object_new_string(name));
	if (p != NULL) {
		json_object_object_add(o, "arch", json_object_new_string(p->arch));
		json_object_object_add(o, "memory", json_object_new_string(p->memory));
		json_object_object_add(o, "network",
		    json_object_new_string(net_mode_name(p->net.mode)));
		if (p->broken != NULL)
			json_object_object_add(o, "broken", json_object_new_string(p->broken));
		/* Only missing disks: the remedy, and "needs disk" rather than "broken". */
		if (p->needs_disk != NULL)
			json_object_object_add(o, "needs_disk",
			    json_object_new_string(p->needs_disk));
	}
	if (vm_run_read(name, &run, &err) == -1) {
		json_object_object_add(o, "state", json_object_new_string("unknown"));
		json_object_object_add(o, "state_detail", json_object_new_string("unknown"));
		json_object_object_add(o, "error", json_object_new_string(err.msg));
		return o;
	}
	st = vm_state_of(&run, NULL);
	if (vm_state_live(st) && st != VM_ORPHANED) {
		json_object_object_add(o, "pid", json_object_new_int(run.qemu_pid));
		json_object_object_add(o, "supervisor_pid", json_object_new_int(run.super_pid));
		if (run.started > 0)
			json_object_object_add(o, "uptime_s",
			    json_object_new_int64((long long)time(NULL) - run.started));
		json_object_object_add(o, "accel", json_object_new_string(run.accel));
		json_object_object_add(o, "accel_reason",
		    json_object_new_string(run.accel_reason));
		add_qmp_facts(o, &run, full, qmp_status, sizeof qmp_status);
		st = vm_state_of(&run, qmp_status);
		if (full && proc_sample(run.qemu_pid, &a) == 0) {
			/* A short sample: the lifetime average hides what the VM does now. */
			usleep(250000);
			if (proc_sample(run.qemu_pid, &b) == 0) {
				char pct[32];

				/* One decimal, written as such: a double prints as 99.599999999999994. */
				snprintf(pct, sizeof pct, "%.1f", proc_cpu_percent(&a, &b));
				json_object_object_add(o, "cpu_percent",
				    json_object_new_double_s(atof(pct), pct));
				json_object_object_add(o, "rss_bytes",
				    json_object_new_int64(b.rss_bytes));
			}
		}
		ports = json_object_new_array();
		if (p != NULL)
			net_ssh_endpoint(p, run.ssh_port, &ssh);
		if (p != NULL && ssh.forward && ssh.port > 0) {
			struct json_object *f = json_object_new_object();

			json_object_object_add(f, "proto", json_object_new_string("tcp"));
			json_object_object_add(f, "host", json_object_new_string(ssh.host));
			json_object_object_add(f, "host_port", json_object_new_int(ssh.port));
			json_object_object_add(f, "guest_port", json_object_new_int(22));
			json_object_object_add(f, "ssh", json_object_new_boolean(1));
			json_object_array_add(ports, f);
		}
		for (i = 0; p != NULL && p->net.mode == NET_USER && i < p->net.nforwards; i++) {
			const struct forward *fw = &p->net.forwards[i];
			struct json_object *f = json_object_new_object();

			json_object_object_add(f, "proto", json_object_new_string(fw->proto));
			json_object_object_add(f, "host", json_object_new_string(fw->host_addr));
			json_object_object_add(f, "host_port", json_object_new_int(fw->host_port));
			json_object_object_add(f, "guest_port", json_object_new_int(fw->guest_port));
			json_object_array_add(ports, f);
		}
		{
			struct net_live_forward live[64];
			size_t k, nl = net_live_forwards(run.dir, live, 64);

			for (k = 0; k < nl; k++) {
				struct json_object *f = json_object_new_object();

				json_object_object_add(f, "proto", json_object_new_string(live[k].proto));
				json_object_object_add(f, "host", json_object_new_string(live[k].addr));
				json_object_object_add(f, "host_port", json_object_new_int(live[k].host_port));
				json_object_object_add(f, "guest_port", json_object_new_int(live[k].guest_port));
				json_object_object_add(f, "added", json_object_new_boolean(1));
				json_object_array_add(ports, f);
			}
		}
		json_object_object_add(o, "forwards", ports);
	} else if (st == VM_ORPHANED) {
		/* No supervisor_pid: it is dead. No QMP: QEMU's own socket takes one
		 * client, and it must stay free for the adopting supervisor. */
		json_object_object_add(o, "pid", json_object_new_int(run.qemu_pid));
		json_object_object_add(o, "supervisor", json_object_new_string("gone"));
		if (run.started > 0)
			json_object_object_add(o, "uptime_s",
			    json_object_new_int64((long long)time(NULL) - run.started));
		json_object_object_add(o, "accel", json_object_new_string(run.accel));
		json_object_object_add(o, "accel_reason",
		    json_object_new_string(run.accel_reason));
	} else if (run.have_exit) {
		if (run.exit_unknown)
			json_object_object_add(o, "exit_status", json_object_new_string("unknown"));
		if (run.exit_reason[0])
			json_object_object_add(o, "shutdown_reason",
			    json_object_new_string(run.exit_reason));
		if (run.exit_signal)
			json_object_object_add(o, "exit_signal", json_object_new_int(run.exit_signal));
		else if (!run.exit_unknown)
			json_object_object_add(o, "exit_code", json_object_new_int(run.exit_code));
		if (run.stop_step[0])
			json_object_object_add(o, "stopped_by", json_object_new_string(run.stop_step));
		if (st == VM_CRASHED) {
			char *tail = rundir_tail(run.dir, RUN_QEMU_LOG, 8);

			if (tail != NULL)
				json_object_object_add(o, "log_tail", json_object_new_string(tail));
			free(tail);
		}
	}
	/* A live run says for itself; a profile with "snapshot": true is one at every start. */
	json_object_object_add(o, "throwaway", json_object_new_boolean(
	    (vm_state_live(st) && run.throwaway) || (p != NULL && p->snapshot)));
	vm_state_describe(&run, st, qmp_status, desc, sizeof desc);
	if (run.stages.n > 0) {
		struct json_object *arr = json_object_new_array();
		int j, last = stages_last(&run.stages);

		for (j = 0; j < run.stages.n; j++) {
			enum stage sg = run.stages.order[j];

			json_object_array_add(arr, stage_entry(stage_name(sg), run.stages.at[sg]));
			/* A reset of the guest: the stages after it were reached again. */
			if (j == 0 && run.stages.restarted != 0)
				json_object_array_add(arr,
				    stage_entry("restarted", run.stages.restarted));
		}
		json_object_object_add(o, "stages", arr);
		/* The furthest this run got; the list shows it beside a live state. */
		json_object_object_add(o, "stage", json_object_new_string(stage_name(last)));
		if (vm_state_live(st))
			json_object_object_add(o, "state_stage",
			    json_object_new_string(stage_name(last)));
	}
	json_object_object_add(o, "state", json_object_new_string(vm_state_name(st)));
	json_object_object_add(o, "state_detail", json_object_new_string(desc));
	json_object_object_add(o, "rundir", json_object_new_string(run.dir));
	vm_run_free(&run);
	return o;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void
print_status(struct json_object *o)
{
	struct json_object *v;
	const char *s;
	size_t i;

	printf("%s: %s\n", jstr(o, "name"), jstr(o, "state_detail"));
	if ((s = jstr(o, "error")) != NULL)
		printf("  ! %s\n", s);
	if ((s = jstr(o, "needs_disk")) != NULL)
		printf("  profile    needs disk: %s\n", s);
	else if ((s = jstr(o, "broken")) != NULL)
		printf("  profile    broken: %s\n", s);
	if (json_object_object_get_ex(o, "pid", &v))
		printf("  pid        %s (supervisor %s)\n", json_object_get_string(v),
		    jstr(o, "supervisor_pid") ? jstr(o, "supervisor_pid") : "gone");
	if (json_object_object_get_ex(o, "uptime_s", &v)) {
		long long up = json_object_get_int64(v);

		printf("  uptime     %lldh %02lldm %02llds\n", up / 3600, up / 60 % 60, up % 60);
	}
	if ((s = jstr(o, "accel")) != NULL)
		printf("  accel      %s (%s)\n", s, jstr(o, "accel_reason"));
	if (json_object_object_get_ex(o, "throwaway", &v) && json_object_get_boolean(v))
		printf("  throwaway  every write is thrown away when QEMU exits (-snapshot)\n");
	if (json_object_object_get_ex(o, "stages", &v)) {
		double first = 0;

		printf("  stages    ");
		for (i = 0; i < json_object_array_length(v); i++) {
			struct json_object *e = json_object_array_get_idx(v, i), *at;
			double t = json_object_object_get_ex(e, "at", &at) ?
			    json_object_get_double(at) : 0;

			if (i == 0) {
				time_t sec = (time_t)t;
				char hms[16];

				first = t;
				strftime(hms, sizeof hms, "%H:%M:%S", localtime(&sec));
				printf(" %s %s", jstr(e, "stage"), hms);
			} else
				printf(", %s +%.2f s", jstr(e, "stage"), t - first);
		}
		printf("\n");
	}
	if ((s = jstr(o, "qmp_status")) != NULL)
		printf("  qmp        %s, QEMU %s\n", s, jstr(o, "qemu_version"));
	if ((s = jstr(o, "qmp_error")) != NULL)
		printf("  qmp        unreachable: %s\n", s);
	if ((s = jstr(o, "vcpus")) != NULL)
		printf("  vcpus      %s\n", s);
	if (json_object_object_get_ex(o, "rss_bytes", &v))
		printf("  host       cpu %s%%, rss %.1f MiB\n", jstr(o, "cpu_percent"),
		    (double)json_object_get_int64(v) / (1024 * 1024));
	if (json_object_object_get_ex(o, "block", &v)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			struct json_object *b = json_object_array_get_idx(v, i);

			if (jstr(b, "file") == NULL)
				continue;
			printf("  disk       %s: %s (%s)\n", jstr(b, "device"),
			    jstr(b, "file"), jstr(b, "format"));
		}
	}
	if (json_object_object_get_ex(o, "forwards", &v)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			struct json_object *f = json_object_array_get_idx(v, i);

			printf("  forward    %s %s:%s -> guest %s%s\n", jstr(f, "proto"),
			    jstr(f, "host"), jstr(f, "host_port"), jstr(f, "guest_port"),
			    json_object_object_get_ex(f, "ssh", NULL) ? " (ssh)" :
			    json_object_object_get_ex(f, "added", NULL) ? " (added)" : "");
		}
	}
	if ((s = jstr(o, "log_tail")) != NULL)
		printf("  qemu.log (last lines):\n%s\n", s);
	printf("  rundir     %s\n", jstr(o, "rundir"));
}

static int
cmd_status_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	struct json_object *all, *o;
	const struct cmd_opts o2 = ctx->opts;
	struct profile *p;
	size_t i;
	int idx = 0;	/* argv[idx]: NAME, if given */

	if (cmd_load_profiles(ctx, &list) == -1)
		return 1;
	if (idx == argc - 1) {
		p = profile_list_find(&list, argv[idx]);
		if (p == NULL) {
			fprintf(stderr, "qemu-tui: no profile named \"%s\" (see `qemu-tui list`)\n",
			    argv[idx]);
			profile_list_free(&list);
			return 1;
		}
		o = vm_facts(p->name, p, 1);
		if (o2.json)
			printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		else
			print_status(o);
		idx = jstr(o, "error") != NULL;	/* the run directory is not to be trusted */
		json_object_put(o);
		profile_list_free(&list);
		return idx;
	}
	all = json_object_new_array();
	for (i = 0; i < list.n; i++) {
		o = vm_facts(list.items[i]->name, list.items[i], 1);
		if (!o2.json)
			print_status(o);
		json_object_array_add(all, o);
	}
	if (o2.json)
		printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
	json_object_put(all);
	profile_list_free(&list);
	return 0;
}

static int
cmd_list_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	struct json_object *all, *o;
	const struct cmd_opts o2 = ctx->opts;
	size_t i;

	if (o2.names)
		return cmd_list_names(ctx);
	if (cmd_load_profiles(ctx, &list) == -1)
		return 1;
	all = json_object_new_array();
	if (!o2.json)
		printf("%-24s %-22s %-8s %-6s %-13s %s\n", "NAME", "STATE", "ARCH",
		    "MEMORY", "NETWORK", "PID");
	for (i = 0; i < list.n; i++) {
		struct profile *p = list.items[i];

		o = vm_facts(p->name, p, 0);
		if (!o2.json) {
			struct json_object *t;
			bool throwaway = json_object_object_get_ex(o, "throwaway", &t) &&
			    json_object_get_boolean(t);

			char state[160];

			/* "running, ssh": how far a live run got. */
			snprintf(state, sizeof state, "%s%s%s", jstr(o, "state_detail"),
			    jstr(o, "state_stage") ? ", " : "",
			    jstr(o, "state_stage") ? jstr(o, "state_stage") : "");
			printf("%-24s %-22s %-8s %-6s %-13s %s%s\n", p->name,
			    p->needs_disk ? "needs disk" : p->broken ? "broken" : state,
			    p->arch ? p->arch : "-", p->memory ? p->memory : "-",
			    net_mode_name(p->net.mode),
			    jstr(o, "pid") ? jstr(o, "pid") : "-",
			    throwaway ? "  throwaway" : "");
			if (p->broken)
				printf("  ! %s\n", p->broken);
			if (jstr(o, "error") != NULL)
				printf("  ! %s\n", jstr(o, "error"));
		}
		json_object_array_add(all, o);
	}
	if (o2.json)
		printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
	json_object_put(all);
	profile_list_free(&list);
	return 0;
}

static const struct cmd_option status_options[] = {
	CMD_OPTION_JSON,
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_status_entry = {
	.name = "status", .args = "[NAME]", .min_args = 0, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = status_options,
	.help = "state, pid, uptime, accelerator, vCPUs, disks, host CPU/RSS, forwards",
	.exec = cmd_status_exec
};

static const struct cmd_option list_options[] = {
	CMD_OPTION_JSON,
	{ "names", 0, CMD_OPT_FLAG, CMD_FIELD(names),
	    "only the profiles' names, one a line (for shell completion)" },
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_list_entry = {
	.name = "list", .args = "", .min_args = 0, .max_args = 0,
	.options = list_options,
	.help = "every profile with its state, one line each",
	.exec = cmd_list_exec
};
