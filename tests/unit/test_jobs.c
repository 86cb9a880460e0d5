/* jobs.c with the real qemu-img on a loop: the list, its line, cancel, detach, drain. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobs.h"

struct seen {
	int done, changed;
	bool ok;
	char error[512];
	char out[256];
};

static void
on_changed(void *arg)
{
	((struct seen *)arg)->changed++;
}

static void
on_done(bool ok, const char *error, const char *out, void *arg)
{
	struct seen *s = arg;

	s->done++;
	s->ok = ok;
	snprintf(s->error, sizeof s->error, "%s", error ? error : "");
	snprintf(s->out, sizeof s->out, "%s", out);
}

static void
turn_until(struct loop *l, const int *flag, int want)
{
	int i;

	for (i = 0; i < 300 && *flag < want; i++)
		loop_run_once(l, 100);
	ck_assert_int_ge(*flag, want);
}

START_TEST(test_version_job)
{
	struct loop *l = loop_new();
	struct seen s = { 0 }, ch = { 0 };
	struct jobs *js = jobs_new(l, on_changed, &ch);
	char *args[] = { "--version", NULL };
	struct job_spec spec = { .title = "version", .vm = "vm1", .file = "/x/disk.raw",
	    .args = args, .done = on_done, .arg = &s };
	char line[300];
	qt_error err;
	struct job *j;

	ck_assert_ptr_nonnull(j = jobs_start(js, &spec, &err));
	ck_assert_uint_eq(jobs_count(js), 1);
	ck_assert_ptr_eq(jobs_at(js, 0), j);
	ck_assert_ptr_null(jobs_at(js, 1));
	ck_assert_ptr_eq(jobs_find_file(js, "/x/disk.raw"), j);
	ck_assert_ptr_null(jobs_find_file(js, "/x/other.raw"));
	ck_assert_str_eq(job_title(j), "version");
	ck_assert_str_eq(job_vm(j), "vm1");
	jobs_describe(js, line, sizeof line);
	ck_assert_str_eq(line, "version: 0.0%");
	ck_assert_int_ge(ch.changed, 1);
	turn_until(l, &s.done, 1);
	ck_assert(s.ok);
	ck_assert_ptr_nonnull(strstr(s.out, "qemu-img version"));
	/* It left the list before done ran. */
	ck_assert_uint_eq(jobs_count(js), 0);
	jobs_describe(js, line, sizeof line);
	ck_assert_str_eq(line, "");
	jobs_drain(js, 1000);
	jobs_free(js);
	loop_free(l);
}
END_TEST

/* A convert capped at 64 KiB/s of 4 MiB: it would take a minute. */
static char *
slow_source(char *dir)
{
	char *src = xasprintf("%s/src.raw", dir);
	FILE *f = fopen(src, "w");
	char block[4096];
	int i;

	ck_assert_ptr_nonnull(f);
	memset(block, 0x5a, sizeof block);
	for (i = 0; i < 1024; i++)
		ck_assert_uint_eq(fwrite(block, 1, sizeof block, f), sizeof block);
	fclose(f);
	return src;
}

static bool
tmp_left(const char *tmp)
{
	struct stat st;

	return stat(tmp, &st) == 0;
}

START_TEST(test_cancel_quiet_detach)
{
	char dir[] = "/tmp/qt-test-jobs.XXXXXX";
	struct loop *l = loop_new();
	struct seen s = { 0 }, q = { 0 }, d = { 0 };
	struct jobs *js = jobs_new(l, NULL, NULL);
	char *src, *dst, *tmp, line[300];
	struct job_spec spec = { 0 };
	struct job *j, *quiet, *det;
	qt_error err;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	src = slow_source(dir);
	dst = xasprintf("%s/dst.qcow2", dir);
	tmp = image_tmp_name(dst);
	{
		char *args[] = { "convert", "-p", "-r", "64K", "-f", "raw", "-O", "qcow2", src,
		    tmp, NULL };

		spec = (struct job_spec){ .title = "convert src.raw to dst.qcow2",
		    .file = src, .args = args, .target = dst, .tmp = tmp,
		    .total = 4u << 20, .done = on_done, .arg = &s };
		ck_assert_ptr_nonnull(j = jobs_start(js, &spec, &err));
	}
	{
		char *args[] = { "info", "--output=json", src, NULL };

		spec = (struct job_spec){ .title = "info", .file = src, .args = args,
		    .done = on_done, .arg = &q, .quiet = true };
		ck_assert_ptr_nonnull(quiet = jobs_start(js, &spec, &err));
		spec.arg = &d;
		ck_assert_ptr_nonnull(det = jobs_start(js, &spec, &err));
	}
	/* Quiet ones are neither counted, described nor busy. */
	ck_assert_uint_eq(jobs_count(js), 1);
	ck_assert_ptr_eq(jobs_at(js, 0), j);
	ck_assert_ptr_eq(jobs_find_file(js, src), j);
	jobs_describe(js, line, sizeof line);
	ck_assert_int_eq(strncmp(line, "convert src.raw to dst.qcow2: ", 30), 0);
	job_detach(det);
	turn_until(l, &q.done, 1);
	ck_assert(q.ok);
	ck_assert_ptr_nonnull(strstr(q.out, "\"virtual-size\": 4194304"));
	/* The convert runs; its temporary file is there. */
	while (!tmp_left(tmp))
		loop_run_once(l, 50);
	ck_assert_int_eq(s.done, 0);
	job_cancel(j);
	turn_until(l, &s.done, 1);
	ck_assert(!s.ok);
	ck_assert_str_eq(s.error, "qemu-img convert: cancelled; nothing was left behind");
	ck_assert(!tmp_left(tmp));
	ck_assert(!tmp_left(dst));
	/* The detached one said nothing. */
	jobs_drain(js, 2000);
	ck_assert_int_eq(d.done, 0);
	jobs_free(js);
	loop_free(l);
	unlink(src);
	rmdir(dir);
	free(src);
	free(dst);
	free(tmp);
}
END_TEST

/* Drain cancels what runs, and each done still runs: nothing outlives the owner. */
START_TEST(test_drain)
{
	char dir[] = "/tmp/qt-test-jobs.XXXXXX";
	struct loop *l = loop_new();
	struct seen s = { 0 };
	struct jobs *js = jobs_new(l, NULL, NULL);
	char *src, *dst, *tmp;
	struct job_spec spec = { 0 };
	qt_error err;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	src = slow_source(dir);
	dst = xasprintf("%s/dst.qcow2", dir);
	tmp = image_tmp_name(dst);
	{
		char *args[] = { "convert", "-p", "-r", "64K", "-f", "raw", "-O", "qcow2", src,
		    tmp, NULL };

		spec = (struct job_spec){ .title = "convert", .file = src, .args = args,
		    .target = dst, .tmp = tmp, .done = on_done, .arg = &s };
		ck_assert_ptr_nonnull(jobs_start(js, &spec, &err));
	}
	while (!tmp_left(tmp))
		loop_run_once(l, 50);
	jobs_drain(js, 3000);
	ck_assert_int_eq(s.done, 1);
	ck_assert_uint_eq(jobs_count(js), 0);
	ck_assert(!tmp_left(tmp));
	jobs_free(js);
	loop_free(l);
	unlink(src);
	rmdir(dir);
	free(src);
	free(dst);
	free(tmp);
}
END_TEST

/* No qemu-img in PATH: posix_spawnp says so at once, and the words come from us. */
START_TEST(test_no_qemu_img)
{
	struct loop *l = loop_new();
	struct jobs *js = jobs_new(l, NULL, NULL);
	char *args[] = { "--version", NULL };
	struct job_spec spec = { .title = "version", .args = args };
	char *path = getenv("PATH") != NULL ? xstrdup(getenv("PATH")) : NULL;
	qt_error err;
	struct seen s = { 0 };
	struct job *j;

	spec.done = on_done;
	spec.arg = &s;
	setenv("PATH", "/nonexistent", 1);
	j = jobs_start(js, &spec, &err);
	if (path != NULL)
		setenv("PATH", path, 1);
	free(path);
	if (j == NULL)
		ck_assert_str_eq(err.msg, "cannot run qemu-img: No such file or directory "
		    "(install qemu-utils)");
	else {
		/* Under valgrind the exec failure comes back as the child's 127. */
		turn_until(l, &s.done, 1);
		ck_assert(!s.ok);
		ck_assert_str_eq(s.error, "qemu-img --version: cannot run qemu-img "
		    "(install qemu-utils)");
	}
	ck_assert_uint_eq(jobs_count(js), 0);
	jobs_free(js);
	loop_free(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("jobs");
	TCase *tc = tcase_create("jobs");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_version_job);
	tcase_add_test(tc, test_cancel_quiet_detach);
	tcase_add_test(tc, test_drain);
	tcase_add_test(tc, test_no_qemu_img);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
