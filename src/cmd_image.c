/*
 * qemu-tui image create|convert|resize|info|overlay|snapshot: disk images with
 * the real qemu-img, from an argv vector, with a progress bar on a terminal
 * (plain lines otherwise). Nothing is overwritten: a new image is written
 * beside its name and renamed when complete; Ctrl-C cancels cleanly.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clibar.h"
#include "cmd.h"
#include "image.h"
#include "loop.h"

static const char usage_text[] =
    "usage: qemu-tui image create FILE SIZE [--format F]\n"
    "       qemu-tui image convert SRC DST [--format F] [--from-format F] [--rate R]\n"
    "       qemu-tui image resize FILE SIZE [--shrink]\n"
    "       qemu-tui image info FILE [--json]\n"
    "       qemu-tui image overlay BASE FILE\n"
    "       qemu-tui image snapshot FILE list [--json]\n"
    "       qemu-tui image snapshot FILE create|apply|delete TAG\n";

struct run {
	struct loop *loop;
	struct image_job *job;
	struct image_job *sizer;	/* the bar's total, learnt beside the job */
	bool done, ok;
	char *out;
	struct clibar bar;
};

static void
on_progress(double pct, void *arg)
{
	struct run *r = arg;
	struct image_job_stats st;

	(void)pct;
	if (r->job == NULL)
		return;
	image_job_stats(r->job, &st);
	clibar_draw(&r->bar, &st);
}

static void
on_done(bool ok, const char *error, const char *out, void *arg)
{
	struct run *r = arg;

	clibar_end(&r->bar);
	r->done = true;
	r->ok = ok;
	r->job = NULL;
	r->out = xstrdup(out);
	if (!ok)
		fprintf(stderr, "qemu-tui: %s\n", error);
}

/* The size of the work, for the bar's bytes, rate and time left. */
static void
on_size(bool ok, const char *error, const char *out, void *arg)
{
	struct run *r = arg;
	struct image_info info;
	qt_error err;

	(void)error;
	r->sizer = NULL;
	if (ok && r->job != NULL && image_info_parse(out, &info, &err) == 0) {
		image_job_set_total(r->job, info.virtual_size);
		image_info_free(&info);
	}
}

static void
on_signal(int sig, void *arg)
{
	struct run *r = arg;

	(void)sig;
	if (r->job != NULL)
		image_job_cancel(r->job);
}

/*
 * Run one qemu-img job to its end; returns its stdout (NULL on failure). file
 * is the image errors name; a new one (fresh) is written under a temporary
 * name, "@" in args, and renamed when complete. With a bar on a terminal,
 * size_of (format size_fmt, NULL: probed) is the image whose virtual size the
 * bar's figures are of: read by a qemu-img info running beside the job, not
 * before it, so the wrapper adds no wait (bench/image-convert).
 */
static char *
run_job(char *const args[], const char *file, bool fresh, const char *what,
    const char *size_of, const char *size_fmt, bool progress)
{
	static const struct image_job_cbs size_cbs = { NULL, on_size };
	static const struct image_job_cbs quiet_cbs = { NULL, on_done };
	static const struct image_job_cbs bar_cbs = { on_progress, on_done };
	struct run r = { 0 };
	char *tmp = fresh ? image_tmp_name(file) : NULL;
	struct strvec argv = STRVEC_INIT;
	qt_error err;
	size_t i;

	/* The target position in args is written as "@": the temporary name goes there. */
	for (i = 0; args[i] != NULL; i++)
		strvec_push(&argv, strcmp(args[i], "@") == 0 && tmp ? tmp : args[i]);
	r.loop = loop_new();
	clibar_init(&r.bar, what, 0);
	loop_signal(r.loop, SIGINT, on_signal, &r);
	loop_signal(r.loop, SIGTERM, on_signal, &r);
	loop_signal(r.loop, SIGHUP, on_signal, &r);
	r.job = image_job_start(r.loop, argv.v, file, tmp,
	    progress ? &bar_cbs : &quiet_cbs, &r, &err);
	strvec_free(&argv);
	free(tmp);
	if (r.job == NULL) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		loop_free(r.loop);
		return NULL;
	}
	if (progress && r.bar.tty && size_of != NULL) {
		char *info[7] = { "info", "--output=json", "-U" };
		int n = 3;

		if (size_fmt != NULL) {
			info[n++] = "-f";
			info[n++] = (char *)size_fmt;
		}
		info[n++] = (char *)size_of;
		info[n] = NULL;
		/* No bytes in the bar when it cannot be started: nothing else lost. */
		r.sizer = image_job_start(r.loop, info, size_of, NULL, &size_cbs, &r, &err);
	}
	/* The sizer is reaped too: nothing of it outlives the loop. */
	while (!r.done || r.sizer != NULL)
		loop_run_once(r.loop, -1);
	loop_free(r.loop);
	if (!r.ok) {
		free(r.out);
		return NULL;
	}
	return r.out;
}

static int
info_of(const char *file, const char *fmt, struct image_info *info)
{
	/* -U: the facts of an image a running VM holds are still readable. */
	char *args[7] = { "info", "--output=json", "-U" }, *out;
	qt_error err;
	int rc, n = 3;

	if (fmt != NULL) {
		args[n++] = "-f";
		args[n++] = (char *)fmt;
	}
	args[n++] = (char *)file;
	args[n] = NULL;
	if ((out = run_job(args, file, false, "info", NULL, NULL, false)) == NULL)
		return -1;
	if ((rc = image_info_parse(out, info, &err)) == -1)
		fprintf(stderr, "qemu-tui: %s: %s\n", file, err.msg);
	free(out);
	return rc;
}

static int
refuse_existing(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		fprintf(stderr, "qemu-tui: %s exists; nothing was overwritten (choose another "
		    "name, or remove it first)\n", path);
		return -1;
	}
	return 0;
}

static int
do_create(const char *file, const char *size, const char *fmt)
{
	char *args[] = { "create", "-q", "-f", (char *)fmt, "@", (char *)size, NULL };
	uint64_t bytes;
	char *out;

	if (image_parse_size(size, &bytes) == -1) {
		fprintf(stderr, "qemu-tui: image create: size \"%s\" is not a size "
		    "(like 10G, 512M, 204800K)\n", size);
		return 2;
	}
	if (refuse_existing(file) == -1)
		return 1;
	if ((out = run_job(args, file, true, "create", NULL, NULL, false)) == NULL)
		return 1;
	free(out);
	printf("%s: created, %s, %s\n", file, fmt, size);
	return 0;
}

static int
do_convert(const char *src, const char *dst, const char *fmt, const char *from,
    const char *rate)
{
	char *args[12];
	int n = 0;
	char *out;

	if (refuse_existing(dst) == -1)
		return 1;
	args[n++] = "convert";
	args[n++] = "-p";
	/* Bytes a second, so a convert does not starve running VMs' disks. */
	if (rate != NULL) {
		args[n++] = "-r";
		args[n++] = (char *)rate;
	}
	if (from != NULL) {
		args[n++] = "-f";
		args[n++] = (char *)from;
	}
	args[n++] = "-O";
	args[n++] = (char *)fmt;
	args[n++] = (char *)src;
	args[n++] = "@";
	args[n] = NULL;
	out = run_job(args, dst, true, "convert", src, from, true);
	if (out == NULL)
		return 1;
	free(out);
	printf("%s: converted from %s (%s)\n", dst, src, fmt);
	return 0;
}

static int
do_resize(const char *file, const char *size, bool shrink)
{
	char *args[] = { "resize", "-q", NULL, (char *)file, (char *)size, NULL };
	struct image_info info;
	char have[32], want[32], *out;
	uint64_t bytes;

	if (image_parse_size(size, &bytes) == -1) {
		fprintf(stderr, "qemu-tui: image resize: size \"%s\" is not a size "
		    "(like 10G, 512M, 204800K)\n", size);
		return 2;
	}
	if (info_of(file, NULL, &info) == -1)
		return 1;
	image_info_free(&info);
	image_format_size(info.virtual_size, have, sizeof have);
	image_format_size(bytes, want, sizeof want);
	if (bytes < info.virtual_size && !shrink) {
		fprintf(stderr, "qemu-tui: image resize: %s is %s; %s would shrink it and lose "
		    "what lies beyond: add --shrink if that is what you want (nothing was "
		    "changed)\n", file, have, want);
		return 1;
	}
	if (bytes == info.virtual_size) {
		printf("%s: already %s\n", file, have);
		return 0;
	}
	if (shrink) {
		args[2] = "--shrink";
	} else {
		args[2] = (char *)file;
		args[3] = (char *)size;
		args[4] = NULL;
	}
	if ((out = run_job(args, file, false, "resize", NULL, NULL, false)) == NULL)
		return 1;
	free(out);
	printf("%s: resized from %s to %s\n", file, have, want);
	return 0;
}

static int
do_info(const char *file, bool json)
{
	char *args[] = { "info", "--output=json", "-U", (char *)file, NULL };
	struct image_info info;
	char vs[32], as[32], *out;
	qt_error err;

	if ((out = run_job(args, file, false, "info", NULL, NULL, false)) == NULL)
		return 1;
	if (json) {
		fputs(out, stdout);
		free(out);
		return 0;
	}
	if (image_info_parse(out, &info, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s: %s\n", file, err.msg);
		free(out);
		return 1;
	}
	free(out);
	image_format_size(info.virtual_size, vs, sizeof vs);
	image_format_size(info.actual_size, as, sizeof as);
	printf("%s\n  format     %s\n  virtual    %s (%llu bytes)\n  on disk    %s\n",
	    file, info.format, vs, (unsigned long long)info.virtual_size, as);
	if (info.backing != NULL)
		printf("  backing    %s\n", info.backing);
	printf("  snapshots  %d\n", info.snapshots);
	image_info_free(&info);
	return 0;
}

static int
do_overlay(const char *base, const char *file)
{
	char *args[] = { "create", "-q", "-f", "qcow2", "-b", (char *)base, "-F", NULL,
	    "@", NULL };
	struct image_info info;
	char *out;

	if (refuse_existing(file) == -1)
		return 1;
	if (info_of(base, NULL, &info) == -1)
		return 1;
	args[7] = info.format;
	out = run_job(args, file, true, "overlay", NULL, NULL, false);
	if (out != NULL)
		printf("%s: overlay on %s (%s); %s itself is never written\n", file, base,
		    info.format, base);
	image_info_free(&info);
	free(out);
	return out != NULL ? 0 : 1;
}

static long long
json_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (long long)json_object_get_int64(v) : 0;
}

/* qemu-img info's "snapshots" array (numbers, not -l's columns of text) as
 * {"id","tag","vm_size","date","vm_clock"}, with the same figures -l prints. */
static int
snapshot_list_json(const char *file)
{
	char *args[] = { "info", "--output=json", "-U", (char *)file, NULL };
	struct json_object *info, *snaps, *all, *s, *o, *v;
	char date[32], clock[32];
	long long ns;
	time_t t;
	struct tm tm;
	char *out;
	size_t i;

	if ((out = run_job(args, file, false, "info", NULL, NULL, false)) == NULL)
		return 1;
	info = json_tokener_parse(out);
	free(out);
	if (info == NULL || !json_object_is_type(info, json_type_object)) {
		fprintf(stderr, "qemu-tui: %s: qemu-img info gave no JSON object\n", file);
		json_object_put(info);
		return 1;
	}
	all = json_object_new_array();
	if (json_object_object_get_ex(info, "snapshots", &snaps) &&
	    json_object_is_type(snaps, json_type_array)) {
		for (i = 0; i < json_object_array_length(snaps); i++) {
			s = json_object_array_get_idx(snaps, i);
			o = json_object_new_object();
			json_object_object_add(o, "id", json_object_new_string(
			    json_object_object_get_ex(s, "id", &v) ? json_object_get_string(v) : ""));
			json_object_object_add(o, "tag", json_object_new_string(
			    json_object_object_get_ex(s, "name", &v) ? json_object_get_string(v) : ""));
			json_object_object_add(o, "vm_size",
			    json_object_new_int64(json_int(s, "vm-state-size")));
			/* Local time, as qemu-img snapshot -l shows it. */
			t = (time_t)json_int(s, "date-sec");
			if (localtime_r(&t, &tm) == NULL ||
			    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm) == 0)
				date[0] = '\0';
			json_object_object_add(o, "date", json_object_new_string(date));
			json_object_object_add(o, "date_sec", json_object_new_int64((int64_t)t));
			ns = json_int(s, "vm-clock-sec") * 1000000000LL + json_int(s, "vm-clock-nsec");
			snprintf(clock, sizeof clock, "%02lld:%02lld:%02lld.%03lld",
			    ns / 3600000000000LL, ns / 60000000000LL % 60, ns / 1000000000LL % 60,
			    ns / 1000000LL % 1000);
			json_object_object_add(o, "vm_clock", json_object_new_string(clock));
			json_object_object_add(o, "vm_clock_nsec", json_object_new_int64(ns));
			json_object_array_add(all, o);
		}
	}
	printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
	json_object_put(all);
	json_object_put(info);
	return 0;
}

static int
do_snapshot(const char *file, const char *what, const char *tag, bool json)
{
	static const char *const ops[][2] = {
		{ "list", "-l" }, { "create", "-c" }, { "apply", "-a" }, { "delete", "-d" },
	};
	char *args[6], *out;
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(what, ops[i][0]) == 0)
			break;
	if (i == sizeof ops / sizeof ops[0] || (i > 0) != (tag != NULL)) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (json && i != 0) {
		fprintf(stderr, "qemu-tui: image snapshot: --json is for list (%s prints no "
		    "document)\n", what);
		return 2;
	}
	if (json)
		return snapshot_list_json(file);
	args[0] = "snapshot";
	args[1] = (char *)ops[i][1];
	if (tag != NULL) {
		args[2] = (char *)tag;
		args[3] = (char *)file;
		args[4] = NULL;
	} else {
		args[2] = (char *)file;
		args[3] = NULL;
	}
	if ((out = run_job(args, file, false, "snapshot", NULL, NULL, false)) == NULL)
		return 1;
	if (i == 0)
		fputs(out[0] ? out : "no snapshots\n", stdout);
	else
		printf("%s: snapshot %s %sd\n", file, tag,
		    i == 1 ? "create" : i == 2 ? "applie" : "delete");
	free(out);
	return 0;
}

static int
cmd_image_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "from-format", required_argument, NULL, 'F' },
		{ "rate", required_argument, NULL, 'r' },
		{ "shrink", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *fmt = "qcow2", *from = NULL, *rate = NULL, *sub;
	bool shrink = false, json = false;
	int c, n;

	(void)ctx;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	sub = argv[optind];
	/* The subcommand's own options, anywhere after it. */
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': fmt = optarg; break;
		case 'F': from = optarg; break;
		case 'r':
			if (image_parse_size(optarg, &(uint64_t){ 0 }) == -1) {
				fprintf(stderr, "qemu-tui: image convert: --rate \"%s\" is not bytes a "
				    "second (like 50M)\n", optarg);
				return 2;
			}
			rate = optarg;
			break;
		case 's': shrink = true; break;
		case 'j': json = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	argv += optind;
	n = argc - optind;
	if (strcmp(sub, "create") == 0 && n == 2)
		return do_create(argv[0], argv[1], fmt);
	if (strcmp(sub, "convert") == 0 && n == 2)
		return do_convert(argv[0], argv[1], fmt, from, rate);
	if (strcmp(sub, "resize") == 0 && n == 2)
		return do_resize(argv[0], argv[1], shrink);
	if (strcmp(sub, "info") == 0 && n == 1)
		return do_info(argv[0], json);
	if (strcmp(sub, "overlay") == 0 && n == 2)
		return do_overlay(argv[0], argv[1]);
	if (strcmp(sub, "snapshot") == 0 && (n == 2 || n == 3))
		return do_snapshot(argv[0], argv[1], n == 3 ? argv[2] : NULL, json);
	fputs(usage_text, stderr);
	return 2;
}

/* For completion and the docs test: exec reads its own argv. */
static const struct cmd_option image_options[] = { CMD_OPTION_JSON, CMD_OPTIONS_END };

const struct cmd_entry cmd_image_entry = {
	.name = "image", .args = "create|convert|resize|info|overlay|snapshot ...",
	.min_args = 1, .max_args = -1, .flags = CMD_OWN_ARGS, .options = image_options,
	.words = "create convert resize info overlay snapshot",
	.help = "disk images with qemu-img: progress, nothing overwritten, Ctrl-C cancels",
	.exec = cmd_image_exec
};
