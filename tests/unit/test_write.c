/* The one profile writer (profile_write.c): checked by the loader before it writes,
 * never over another profile, loaded back; and one field checked alone
 * (profile_check_field), by the schema's own rules. */
#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profile.h"
#include "vmfile.h"

static char dir[] = "/tmp/qt-write.XXXXXX";

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char *cmd[] = { "rm", "-rf", dir, NULL };
	pid_t pid = fork();

	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	strcpy(dir, "/tmp/qt-write.XXXXXX");
}

static struct json_object *
obj_of(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	ck_assert_ptr_nonnull(o);
	return o;
}

static char *
slurp(const char *name)
{
	char *path = xasprintf("%s/%s.json", dir, name), *t;
	qt_error err;

	t = file_read(path, NULL, &err);
	free(path);
	return t;
}

START_TEST(test_write_and_load_back)
{
	struct json_object *o = obj_of("{\"memory\": \"256M\", \"smp\": 2}");
	struct profile *p;
	qt_error err;
	char *t;

	p = profile_write(dir, "vm1", o, "made by a test", 0, &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_ptr_null(p->broken);
	ck_assert_str_eq(p->name, "vm1");
	ck_assert_str_eq(p->memory, "256M");
	ck_assert_int_eq(p->smp, 2);
	profile_free(p);
	t = slurp("vm1");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(strncmp(t, "// made by a test\n{", 19), 0);
	ck_assert_ptr_nonnull(strstr(t, "\"name\": \"vm1\""));
	free(t);
	json_object_put(o);
}
END_TEST

START_TEST(test_never_over_another)
{
	struct json_object *a = obj_of("{\"memory\": \"256M\"}"), *b = obj_of("{\"memory\": \"2G\"}");
	struct profile *p;
	qt_error err;
	char *t;

	p = profile_write(dir, "vm", a, NULL, 0, &err);
	ck_assert_ptr_nonnull(p);
	profile_free(p);
	ck_assert_ptr_null(profile_write(dir, "vm", b, NULL, 0, &err));
	ck_assert_msg(strstr(err.msg, "vm.json exists; nothing was written") != NULL, "%s", err.msg);
	t = slurp("vm");
	ck_assert_ptr_nonnull(strstr(t, "256M"));
	free(t);
	/* import --force */
	p = profile_write(dir, "vm", b, NULL, PROFILE_WRITE_REPLACE, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->memory, "2G");
	profile_free(p);
	json_object_put(a);
	json_object_put(b);
}
END_TEST

START_TEST(test_refuses_what_the_loader_refuses)
{
	struct json_object *o = obj_of("{\"memory\": \"12Q\"}");
	struct profile *p;
	qt_error err;
	char *t;

	ck_assert_ptr_null(profile_write(dir, "bad", o, NULL, 0, &err));
	ck_assert_msg(strstr(err.msg, "memory") != NULL && strstr(err.msg, "nothing was written"),
	    "%s", err.msg);
	t = slurp("bad");
	ck_assert_ptr_null(t);
	/* import writes it anyway and says why it does not load */
	p = profile_write(dir, "bad", o, NULL, PROFILE_WRITE_BROKEN, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(p->broken);
	ck_assert_ptr_nonnull(strstr(p->broken, "memory"));
	profile_free(p);
	json_object_put(o);

	o = obj_of("{\"kernel\": \"no-such-kernel\"}");
	ck_assert_ptr_null(profile_write(dir, "nok", o, NULL, 0, &err));
	ck_assert_msg(strstr(err.msg, "no-such-kernel does not exist") != NULL, "%s", err.msg);
	json_object_put(o);
}
END_TEST

START_TEST(test_names)
{
	static const char *const bad[] = { "", ".hidden", "-opt", "a/b", "a b", "x\ny",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL };
	struct json_object *o = obj_of("{}");
	qt_error err;
	char *why;
	int i;

	for (i = 0; bad[i] != NULL; i++) {
		why = profile_name_problem(bad[i]);
		ck_assert_msg(why != NULL, "%s", bad[i]);
		free(why);
		ck_assert_ptr_null(profile_write(dir, bad[i], o, NULL, 0, &err));
	}
	ck_assert_ptr_null(profile_name_problem("debian-12_arm.2"));
	json_object_put(o);
}
END_TEST

START_TEST(test_user_dir)
{
	char *x = xasprintf("%s/cfg", dir), *d;
	struct stat st;
	qt_error err;

	unsetenv("QEMU_TUI_PROFILES");
	setenv("XDG_CONFIG_HOME", x, 1);
	d = profile_user_dir(NULL, &err);
	ck_assert_msg(d != NULL, "%s", err.msg);
	ck_assert_str_eq(d + strlen(x), "/qemu-tui/profiles");
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	free(d);
	d = profile_user_dir("/some/where", &err);
	ck_assert_str_eq(d, "/some/where");
	free(d);
	setenv("QEMU_TUI_PROFILES", "/env/dir", 1);
	d = profile_user_dir(NULL, &err);
	ck_assert_str_eq(d, "/env/dir");
	free(d);
	unsetenv("QEMU_TUI_PROFILES");
	free(x);
}
END_TEST

/* key, value, NULL when fine or a piece of the error */
static const struct { const char *key, *value, *want; } checks[] = {
	{ "memory", "256M", NULL },
	{ "memory", "12Q", "memory: " },
	{ "memory", "", NULL },
	{ "smp", "4", NULL },
	{ "smp", "0", "smp: " },
	{ "smp", "x", "smp: " },
	{ "arch", "aarch64", NULL },
	{ "arch", "arm65", "arch: " },
	{ "accel", "tcg", NULL },
	{ "accel", "fast", "accel: " },
	{ "name", "ok-name", NULL },
	{ "name", "a/b", "must not contain '/'" },
	{ "network.mode", "none", NULL },
	{ "network.mode", "bridged", "network.mode: " },
	{ "ssh.user", "root", NULL },
	{ "kernel", "/no/such/kernel", "/no/such/kernel does not exist" },
	{ "kernel", "/", "is a directory" },
	{ "drives[].file", "/no/such/disk.qcow2", "disk.qcow2 does not exist" },
	{ "nosuch", "1", "unknown key" },
	{ "network", "x", "not a single value" },
};

START_TEST(test_check_field)
{
	qt_error err;
	int rc;

	rc = profile_check_field(checks[_i].key, checks[_i].value, dir, &err);
	if (checks[_i].want == NULL)
		ck_assert_msg(rc == 0, "%s=%s: %s", checks[_i].key, checks[_i].value, err.msg);
	else {
		ck_assert_msg(rc == -1, "%s=%s accepted", checks[_i].key, checks[_i].value);
		ck_assert_msg(strstr(err.msg, checks[_i].want) != NULL, "%s=%s: %s",
		    checks[_i].key, checks[_i].value, err.msg);
	}
}
END_TEST

/* A relative file is found against the directory given (the profile's). */
START_TEST(test_check_field_relative)
{
	char *f = xasprintf("%s/vmlinuz", dir), *sub = xasprintf("%s/sub", dir);
	qt_error err;
	FILE *fp = fopen(f, "w");

	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(profile_check_field("kernel", "vmlinuz", dir, &err), 0);
	ck_assert_int_eq(profile_check_field("kernel", "vmlinuz", sub, &err), -1);
	ck_assert_int_eq(profile_check_field("kernel", "../vmlinuz", sub, &err), 0);
	free(f);
	free(sub);
}
END_TEST

static void
put_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static void
put_text(const char *path, const char *text)
{
	put_file(path, text, strlen(text));
}

/* A qcow2 header that names a backing file (all delete's plan reads of it). */
static void
put_overlay(const char *path, const char *backing)
{
	unsigned char h[512] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
	size_t n = strlen(backing);

	h[15] = 72;			/* backing_file_offset */
	h[19] = (unsigned char)n;	/* backing_file_size */
	memcpy(h + 72, backing, n);
	put_file(path, h, sizeof h);
}

/* The form's answers: the schema's words, the name's file rule, qemu-img's sizes. */
START_TEST(test_newvm_check)
{
	static const struct { const char *key, *value, *want; } cases[] = {
		{ "name", "", "a name is needed" },
		{ "name", "a/b", "not a profile name" },
		{ "name", "ok_1", NULL },
		{ "memory", "12Q", "\"12Q\" is not a size" },
		{ "memory", "", NULL },
		{ "smp", "0", "smp: " },
		{ "network.mode", "bridged", "network.mode: " },
		{ "kernel", "/no/such/kernel", "does not exist" },
	};
	const struct newvm_field *f, *disk = NULL;
	char *why;
	size_t i, k;

	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		for (i = 0, f = NULL; i < newvm_nfields; i++)
			if (newvm_fields[i].key != NULL &&
			    strcmp(newvm_fields[i].key, cases[k].key) == 0)
				f = &newvm_fields[i];
		ck_assert_msg(f != NULL, "no field %s", cases[k].key);
		why = newvm_check(f, cases[k].value, dir);
		if (cases[k].want == NULL)
			ck_assert_msg(why == NULL, "%s=%s: %s", cases[k].key, cases[k].value, why);
		else
			ck_assert_msg(why != NULL && strstr(why, cases[k].want) != NULL,
			    "%s=%s: %s", cases[k].key, cases[k].value, why ? why : "(accepted)");
		free(why);
	}
	for (i = 0; i < newvm_nfields; i++)
		if (newvm_fields[i].key == NULL)
			disk = &newvm_fields[i];
	ck_assert_ptr_nonnull(disk);
	ck_assert_ptr_null(newvm_check(disk, "8G", dir));
	why = newvm_check(disk, "8Q", dir);
	ck_assert_ptr_nonnull(why);
	free(why);
}
END_TEST

START_TEST(test_mac)
{
	char a[32], a2[32], b[32];

	vmfile_mac_for("a", a, sizeof a);
	vmfile_mac_for("a", a2, sizeof a2);
	vmfile_mac_for("b", b, sizeof b);
	ck_assert_str_eq(a, a2);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(strncmp(a, "52:54:00:", 9), 0);
	ck_assert_uint_eq(strlen(a), 17);
}
END_TEST

/* delete --disks: only the profile's own disks that no other profile uses. */
START_TEST(test_delete_plan)
{
	struct strvec rm = STRVEC_INIT, keep = STRVEC_INIT;
	struct profile_list list;
	char *pd = xasprintf("%s/profiles", dir), *od = xasprintf("%s/elsewhere", dir), *path;
	const struct profile *p;
	qt_error err;

	ck_assert_int_eq(mkdir(pd, 0755), 0);
	ck_assert_int_eq(mkdir(od, 0755), 0);
	path = xasprintf("%s/own.qcow2", pd);
	put_text(path, "x");
	free(path);
	path = xasprintf("%s/base.qcow2", pd);
	put_text(path, "x");
	free(path);
	path = xasprintf("%s/cd.iso", pd);
	put_text(path, "x");
	free(path);
	path = xasprintf("%s/far.qcow2", od);
	put_text(path, "x");
	free(path);
	/* q's disk is an overlay on p's base.qcow2 */
	path = xasprintf("%s/q-base.qcow2", pd);
	put_overlay(path, "base.qcow2");
	free(path);
	path = xasprintf("%s/p.json", pd);
	put_text(path, "{ \"drives\": [ { \"file\": \"own.qcow2\" }, { \"file\": \"base.qcow2\" },"
	    " { \"file\": \"cd.iso\", \"media\": \"cdrom\" }, { \"file\": \"../elsewhere/far.qcow2\" } ] }");
	free(path);
	path = xasprintf("%s/q.json", pd);
	put_text(path, "{ \"drives\": [ { \"file\": \"q-base.qcow2\" } ] }");
	free(path);
	ck_assert_int_eq(profile_load_dir(pd, &list, &err), 0);
	p = profile_list_find(&list, "p");
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(p->broken == NULL, "%s", p->broken);
	vmfile_delete_plan(p, &list, &rm, &keep);
	ck_assert_uint_eq(rm.n, 1);
	ck_assert_ptr_nonnull(strstr(rm.v[0], "/own.qcow2"));
	ck_assert_uint_eq(keep.n, 3);
	ck_assert_msg(strstr(keep.v[0], "base.qcow2 (used by q)") != NULL, "%s", keep.v[0]);
	ck_assert_msg(strstr(keep.v[1], "cd.iso (read-only or a CD-ROM") != NULL, "%s", keep.v[1]);
	ck_assert_msg(strstr(keep.v[2], "far.qcow2 (not in the profile's directory") != NULL, "%s",
	    keep.v[2]);
	/* delete: the profile and the listed disk, nothing else */
	setenv("QEMU_TUI_RUNDIR", dir, 1);
	setenv("XDG_STATE_HOME", dir, 1);	/* never the user's own state */
	ck_assert_int_eq(vmfile_delete(p, &rm, &err), 0);
	ck_assert_int_eq(access(p->path, F_OK), -1);
	ck_assert_int_eq(access(rm.v[0], F_OK), -1);
	path = xasprintf("%s/base.qcow2", pd);
	ck_assert_int_eq(access(path, F_OK), 0);
	free(path);
	strvec_free(&rm);
	strvec_free(&keep);
	profile_list_free(&list);
	free(pd);
	free(od);
}
END_TEST

/* A VM's state directory (its UEFI variables) goes with it: rename moves it, delete
 * removes it, and a rename never lands on another VM's. */
START_TEST(test_state_dir)
{
	struct profile_list list;
	const struct profile *p;
	char *pd = xasprintf("%s/profiles", dir), *sd = xasprintf("%s/state", dir), *path;
	qt_error err;

	setenv("QEMU_TUI_RUNDIR", dir, 1);
	setenv("XDG_STATE_HOME", sd, 1);
	ck_assert_int_eq(mkdir(pd, 0755), 0);
	ck_assert_int_eq(mkdir(sd, 0700), 0);
	path = xasprintf("%s/qemu-tui", sd);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	free(path);
	path = xasprintf("%s/qemu-tui/a", sd);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	free(path);
	path = xasprintf("%s/qemu-tui/a/efi-vars.fd", sd);
	put_text(path, "a's boot entries");
	free(path);
	path = xasprintf("%s/qemu-tui/old", sd);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	free(path);
	path = xasprintf("%s/a.json", pd);
	put_text(path, "{ \"memory\": \"64M\" }");
	free(path);
	ck_assert_int_eq(profile_load_dir(pd, &list, &err), 0);
	ck_assert_ptr_nonnull(p = profile_list_find(&list, "a"));

	/* "old" has a state directory an earlier VM left: refused, nothing moved */
	ck_assert_int_eq(vmfile_rename(p, "old", &list, &err), -1);
	ck_assert_msg(strstr(err.msg, "/state/qemu-tui/old exists: the state (UEFI variables) "
	    "of an earlier VM named old") != NULL, "%s", err.msg);
	ck_assert_int_eq(access(p->path, F_OK), 0);
	ck_assert_ptr_nonnull(path = vmfile_state_dir("a"));
	free(path);

	ck_assert_int_eq(vmfile_rename(p, "b", &list, &err), 0);
	ck_assert_ptr_null(vmfile_state_dir("a"));
	path = xasprintf("%s/qemu-tui/b/efi-vars.fd", sd);
	ck_assert_int_eq(access(path, F_OK), 0);
	free(path);
	profile_list_free(&list);

	ck_assert_int_eq(profile_load_dir(pd, &list, &err), 0);
	ck_assert_ptr_nonnull(p = profile_list_find(&list, "b"));
	ck_assert_int_eq(vmfile_delete(p, NULL, &err), 0);
	ck_assert_ptr_null(vmfile_state_dir("b"));
	ck_assert_ptr_nonnull(path = vmfile_state_dir("old"));	/* not b's */
	free(path);
	profile_list_free(&list);
	free(pd);
	free(sd);
}
END_TEST

/* rename and clone edit the profile's text: its comments stay; clone copies the UEFI
 * variables (0600) and says so. */
START_TEST(test_comments_kept)
{
	static const char src[] =
	    "// Where the seed came from.\n"
	    "//   and how to build it\n"
	    "{\n"
	    "\t\"name\": \"c1\",\n"
	    "\n"
	    "\t// memory: enough\n"
	    "\t\"memory\": \"64M\",\n"
	    "\t\"network\": { \"mode\": \"user\", \"mac\": \"52:54:00:12:34:56\" },\n"
	    "\t\"ssh\": {\n"
	    "\t\t\"user\": \"root\",\n"
	    "\t\t\"port\": 10022, // the seed's\n"
	    "\t},\n"
	    "}\n";
	struct profile_list list;
	struct vmfile_result r;
	const struct profile *p;
	char *pd = xasprintf("%s/profiles", dir), *sd = xasprintf("%s/state", dir), *path, *t;
	char mac[32], *want;
	struct stat st;
	qt_error err;

	setenv("QEMU_TUI_RUNDIR", dir, 1);
	setenv("XDG_STATE_HOME", sd, 1);
	ck_assert_int_eq(mkdir(pd, 0755), 0);
	path = xasprintf("%s/c1.json", pd);
	put_text(path, src);
	free(path);
	ck_assert_int_eq(profile_load_dir(pd, &list, &err), 0);
	ck_assert_ptr_nonnull(p = profile_list_find(&list, "c1"));
	ck_assert_int_eq(vmfile_rename(p, "c2", &list, &err), 0);
	profile_list_free(&list);
	t = file_read(path = xasprintf("%s/c2.json", pd), NULL, &err);
	free(path);
	ck_assert_ptr_nonnull(t);
	want = xstrdup(src);
	memcpy(strstr(want, "\"c1\""), "\"c2\"", 4);
	ck_assert_str_eq(t, want);	/* the name, nothing else */
	free(t);
	free(want);

	/* c2 has UEFI variables: the clone gets a copy of them */
	ck_assert_int_eq(mkdir(sd, 0700), 0);
	path = xasprintf("%s/qemu-tui", sd);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	free(path);
	path = xasprintf("%s/qemu-tui/c2", sd);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	free(path);
	path = xasprintf("%s/qemu-tui/c2/efi-vars.fd", sd);
	put_text(path, "c2's boot entries");
	free(path);
	ck_assert_int_eq(profile_load_dir(pd, &list, &err), 0);
	ck_assert_ptr_nonnull(p = profile_list_find(&list, "c2"));
	vmfile_clone_sync(pd, p, &list, "c3", false, &r);
	ck_assert_msg(r.ok, "%s", r.text);
	ck_assert_msg(strstr(r.text, "UEFI variables (its boot entries): copied ") != NULL, "%s",
	    r.text);
	free(r.text);
	profile_list_free(&list);
	path = xasprintf("%s/qemu-tui/c3/efi-vars.fd", sd);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	free(path);
	t = file_read(path = xasprintf("%s/c3.json", pd), NULL, &err);
	free(path);
	ck_assert_ptr_nonnull(t);
	vmfile_mac_for("c3", mac, sizeof mac);
	want = xasprintf(
	    "// cloned from c2 by qemu-tui clone\n"
	    "// Where the seed came from.\n"
	    "//   and how to build it\n"
	    "{\n"
	    "\t\"name\": \"c3\",\n"
	    "\n"
	    "\t// memory: enough\n"
	    "\t\"memory\": \"64M\",\n"
	    "\t\"network\": { \"mode\": \"user\", \"mac\": \"%s\" },\n"
	    "\t\"ssh\": {\n"
	    "\t\t\"user\": \"root\",\n"
	    "\t\t // the seed's\n"
	    "\t},\n"
	    "}\n", mac);
	ck_assert_str_eq(t, want);
	free(t);
	free(want);
	/* the source is untouched: no disk of its became an overlay */
	t = file_read(path = xasprintf("%s/c2.json", pd), NULL, &err);
	free(path);
	ck_assert_ptr_nonnull(strstr(t, "\"c2\""));
	ck_assert_ptr_nonnull(strstr(t, "\"port\": 10022"));
	free(t);
	/* a clone onto a name whose state an earlier VM left is refused */
	ck_assert_int_eq(profile_load_dir(pd, &list, &err), 0);
	ck_assert_ptr_nonnull(p = profile_list_find(&list, "c2"));
	path = xasprintf("%s/qemu-tui/old", sd);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	free(path);
	vmfile_clone_sync(pd, p, &list, "old", false, &r);
	ck_assert(!r.ok);
	ck_assert_msg(strstr(r.text, "of an earlier VM named old") != NULL, "%s", r.text);
	free(r.text);
	path = xasprintf("%s/old.json", pd);
	ck_assert_int_eq(access(path, F_OK), -1);
	free(path);
	profile_list_free(&list);
	free(pd);
	free(sd);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("write");
	TCase *tc = tcase_create("write");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_and_load_back);
	tcase_add_test(tc, test_never_over_another);
	tcase_add_test(tc, test_refuses_what_the_loader_refuses);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_user_dir);
	tcase_add_loop_test(tc, test_check_field, 0, (int)(sizeof checks / sizeof checks[0]));
	tcase_add_test(tc, test_check_field_relative);
	tcase_add_test(tc, test_newvm_check);
	tcase_add_test(tc, test_mac);
	tcase_add_test(tc, test_delete_plan);
	tcase_add_test(tc, test_comments_kept);
	tcase_add_test(tc, test_state_dir);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
