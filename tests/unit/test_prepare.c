/* prepare.c's plan: which qemu-img steps a profile's drives need, and their argv. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobs.h"
#include "prepare.h"

#define DIR "/nonexistent/qt-prepare"

static struct profile *
parse(const char *text)
{
	return profile_parse(DIR "/p.json", text, strlen(text));
}

/* The step's qemu-img arguments joined by spaces. */
static char *
args_of(const struct prepare_step *s, const char *tmp, const char *probed)
{
	struct strvec v = STRVEC_INIT;
	char *out = xstrdup(""), *t;
	size_t i;

	prepare_step_args(s, tmp, probed, &v);
	for (i = 0; v.v != NULL && v.v[i] != NULL; i++) {
		t = xasprintf("%s%s%s", out, i ? " " : "", v.v[i]);
		free(out);
		out = t;
	}
	strvec_free(&v);
	return out;
}

#define ck_args(s, tmp, probed, want) do {				\
	char *got_ = args_of((s), (tmp), (probed));			\
	ck_assert_str_eq(got_, (want));					\
	free(got_);							\
} while (0)

#define ck_describe(s, want) do {					\
	char *got_ = prepare_step_describe(s);				\
	ck_assert_str_eq(got_, (want));					\
	free(got_);							\
} while (0)

/* The x86-elf write-up: a floppy and a data disk converted, the data disk grown. */
START_TEST(test_plan_x86_elf)
{
	struct profile *p = parse("{ \"arch\": \"x86_64\", \"drives\": ["
	    " { \"file\": \"boot.qcow2\", \"format\": \"qcow2\", \"if\": \"floppy\","
	    "   \"from\": \"boot.flp\", \"from_format\": \"raw\" },"
	    " { \"file\": \"data.qcow2\", \"format\": \"qcow2\", \"if\": \"ide\","
	    "   \"from\": \"data.raw\", \"from_format\": \"raw\", \"size\": \"204800K\" } ] }");
	struct prepare_fact none[2] = { { 0 }, { 0 } };
	struct prepare_fact made[2] = {
		{ .exists = true }, { .exists = true, .size_known = true, .vsize = 209715200 },
	};
	struct prepare_plan plan;

	prepare_plan(p, none, NULL, &plan);
	ck_assert_uint_eq(plan.n, 3);
	ck_assert_int_eq(plan.steps[0].kind, PREP_CONVERT);
	ck_assert_uint_eq(plan.steps[0].drive, 0);
	ck_args(&plan.steps[0], "T", NULL,
	    "convert -p -f raw -O qcow2 " DIR "/boot.flp T");
	ck_describe(&plan.steps[0], "drives[0]: convert " DIR "/boot.flp (raw) into "
	    DIR "/boot.qcow2 (qcow2)");
	ck_assert_int_eq(plan.steps[1].kind, PREP_CONVERT);
	ck_assert_uint_eq(plan.steps[1].drive, 1);
	ck_args(&plan.steps[1], "T", NULL,
	    "convert -p -f raw -O qcow2 " DIR "/data.raw T");
	/* The converted size is known only once converted: grown if smaller. */
	ck_assert_int_eq(plan.steps[2].kind, PREP_GROW);
	ck_assert(!plan.steps[2].have_known);
	ck_assert_uint_eq(plan.steps[2].bytes, 209715200u);
	ck_args(&plan.steps[2], NULL, NULL,
	    "resize -q -f qcow2 " DIR "/data.qcow2 209715200");
	ck_describe(&plan.steps[2], "drives[1]: grow " DIR "/data.qcow2 to 204800K if "
	    "it is smaller");
	prepare_plan_free(&plan);
	ck_assert_uint_eq(plan.n, 0);

	/* A second start: nothing. */
	prepare_plan(p, made, NULL, &plan);
	ck_assert_uint_eq(plan.n, 0);
	prepare_plan_free(&plan);
	profile_free(p);
}
END_TEST

/* size: grown when smaller or not known, never shrunk. */
START_TEST(test_plan_grow)
{
	struct profile *p = parse("{ \"drives\": [ { \"file\": \"d.img\", \"size\": \"1G\" } ] }");
	struct prepare_fact f = { .exists = true, .size_known = true, .vsize = 512u << 20 };
	struct prepare_plan plan;

	prepare_plan(p, &f, NULL, &plan);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_int_eq(plan.steps[0].kind, PREP_GROW);
	ck_assert(plan.steps[0].have_known);
	/* No format in the profile: qemu-img probes the file's own. */
	ck_args(&plan.steps[0], NULL, NULL, "resize -q " DIR "/d.img 1073741824");
	ck_describe(&plan.steps[0], "drives[0]: grow " DIR "/d.img from 512 MiB to 1G");
	prepare_plan_free(&plan);

	f.vsize = 2ull << 30;		/* bigger: left alone */
	prepare_plan(p, &f, NULL, &plan);
	ck_assert_uint_eq(plan.n, 0);
	prepare_plan_free(&plan);

	f.vsize = 1ull << 30;		/* the same */
	prepare_plan(p, &f, NULL, &plan);
	ck_assert_uint_eq(plan.n, 0);
	prepare_plan_free(&plan);

	f.size_known = false;		/* not probed (the dashboard): decided when it runs */
	prepare_plan(p, &f, NULL, &plan);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert(!plan.steps[0].have_known);
	prepare_plan_free(&plan);

	f.exists = false;		/* missing: created blank, as qcow2 */
	prepare_plan(p, &f, NULL, &plan);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_int_eq(plan.steps[0].kind, PREP_CREATE);
	ck_args(&plan.steps[0], "T", NULL, "create -q -f qcow2 T 1073741824");
	ck_describe(&plan.steps[0], "drives[0]: create " DIR "/d.img blank, qcow2, 1G");
	prepare_plan_free(&plan);
	profile_free(p);
}
END_TEST

/* backing: a qcow2 overlay; the base's format given or probed at run time. */
START_TEST(test_plan_overlay)
{
	struct profile *p = parse("{ \"drives\": ["
	    " { \"file\": \"a.qcow2\", \"backing\": \"base.img\" },"
	    " { \"file\": \"b.qcow2\", \"backing\": \"base.img\", \"backing_format\": \"raw\","
	    "   \"size\": \"2G\" } ] }");
	struct prepare_fact f[2] = { { 0 }, { 0 } };
	struct prepare_plan plan;

	prepare_plan(p, f, NULL, &plan);
	ck_assert_uint_eq(plan.n, 3);
	ck_assert_int_eq(plan.steps[0].kind, PREP_OVERLAY);
	ck_args(&plan.steps[0], "T", NULL, "create -q -f qcow2 -b " DIR "/base.img T");
	ck_args(&plan.steps[0], "T", "raw",
	    "create -q -f qcow2 -b " DIR "/base.img -F raw T");
	ck_describe(&plan.steps[0], "drives[0]: create " DIR "/a.qcow2 as a qcow2 "
	    "overlay on " DIR "/base.img (format probed)");
	ck_assert_int_eq(plan.steps[1].kind, PREP_OVERLAY);
	ck_args(&plan.steps[1], "T", NULL,
	    "create -q -f qcow2 -b " DIR "/base.img -F raw T 2147483648");
	ck_assert_int_eq(plan.steps[2].kind, PREP_GROW);
	ck_assert_uint_eq(plan.steps[2].drive, 1);
	prepare_plan_free(&plan);
	profile_free(p);
}
END_TEST

/* No recipe: nothing, unless the dashboard asks for a blank disk; never a cdrom. */
START_TEST(test_plan_blank)
{
	struct profile *p = parse("{ \"drives\": ["
	    " { \"file\": \"d.raw\", \"format\": \"raw\" },"
	    " { \"file\": \"x.iso\", \"media\": \"cdrom\" },"
	    " { \"file\": \"nbd://127.0.0.1/x\" } ] }");
	struct prepare_fact f[3] = { { 0 }, { 0 }, { .exists = true } };
	struct prepare_plan plan;

	ck_assert_ptr_nonnull(p->needs_disk);
	prepare_plan(p, f, NULL, &plan);
	ck_assert_uint_eq(plan.n, 0);
	prepare_plan_free(&plan);
	prepare_plan(p, f, "8G", &plan);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_int_eq(plan.steps[0].kind, PREP_CREATE);
	ck_assert_uint_eq(plan.steps[0].drive, 0);
	ck_args(&plan.steps[0], "T", NULL, "create -q -f raw T 8589934592");
	prepare_plan_free(&plan);
	profile_free(p);
}
END_TEST

/* The facts: stat() only unless asked; a missing file is missing. */
START_TEST(test_facts)
{
	struct profile *p = parse("{ \"drives\": [ { \"file\": \"/dev/null\", \"format\": \"raw\" },"
	    " { \"file\": \"gone.qcow2\", \"size\": \"1G\" },"
	    " { \"file\": \"nbd://127.0.0.1/x\" } ] }");
	struct prepare_fact *f = prepare_facts(p, false);
	struct prepare_plan plan;

	ck_assert(f[0].exists);
	ck_assert(!f[0].size_known);
	ck_assert(!f[1].exists);
	/* A URL is QEMU's to open: never "missing", never made blank. */
	ck_assert(f[2].exists);
	prepare_plan(p, f, "8G", &plan);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_uint_eq(plan.steps[0].drive, 1);
	prepare_plan_free(&plan);
	free(f);
	profile_free(p);
}
END_TEST

struct prep_seen {
	int done, starts;
	bool ok;
	char error[512];
};

static void
seen_progress(const struct prepare_step *st, size_t i, size_t n, double pct, void *arg)
{
	/* With jobs only a step's start comes here: the figures are the job's. */
	ck_assert(pct < 0);
	((struct prep_seen *)arg)->starts++;
}

static void
seen_done(bool ok, const char *error, void *arg)
{
	struct prep_seen *w = arg;

	w->done++;
	w->ok = ok;
	snprintf(w->error, sizeof w->error, "%s", error != NULL ? error : "");
}

/* The dashboard's way: each step a job in its list, titled and tied to the VM. */
START_TEST(test_run_as_jobs)
{
	static const struct prepare_cbs cbs = { seen_progress, NULL, seen_done };
	char dir[] = "/tmp/qt-prepare.XXXXXX", *text, *file;
	struct loop *l = loop_new();
	struct jobs *js = jobs_new(l, NULL, NULL);
	struct prep_seen w = { 0 };
	struct prepare_fact f[1] = { { 0 } };
	struct prepare_plan plan;
	struct prepare_run *r;
	struct profile *p;
	struct stat st;
	qt_error err;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	text = xasprintf("{ \"drives\": [ { \"file\": \"%s/d.qcow2\", \"size\": \"1M\" } ] }",
	    dir);
	p = profile_parse("/nonexistent/p.json", text, strlen(text));
	prepare_plan(p, f, NULL, &plan);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_ptr_nonnull(r = prepare_begin(l, &plan, &cbs, &w, &err));
	prepare_set_jobs(r, js, "vm1");
	for (i = 0; i < 300 && jobs_count(js) == 0 && w.done == 0; i++)
		loop_run_once(l, 100);
	ck_assert_uint_eq(jobs_count(js), 1);
	ck_assert_str_eq(job_title(jobs_at(js, 0)), "create d.qcow2 (1M)");
	ck_assert_str_eq(job_vm(jobs_at(js, 0)), "vm1");
	file = xasprintf("%s/d.qcow2", dir);
	ck_assert_ptr_nonnull(jobs_find_file(js, file));
	for (i = 0; i < 300 && w.done == 0; i++)
		loop_run_once(l, 100);
	ck_assert_int_eq(w.done, 1);
	ck_assert_msg(w.ok, "%s", w.error);
	ck_assert_int_eq(w.starts, 1);
	ck_assert_uint_eq(jobs_count(js), 0);
	ck_assert_int_eq(stat(file, &st), 0);
	unlink(file);
	rmdir(dir);
	free(file);
	free(text);
	prepare_plan_free(&plan);
	profile_free(p);
	jobs_drain(js, 1000);
	jobs_free(js);
	loop_free(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("prepare");
	TCase *tc = tcase_create("plan");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_plan_x86_elf);
	tcase_add_test(tc, test_plan_grow);
	tcase_add_test(tc, test_plan_overlay);
	tcase_add_test(tc, test_plan_blank);
	tcase_add_test(tc, test_facts);
	tcase_add_test(tc, test_run_as_jobs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
