/* An orphaned VM (QEMU alive, supervisor gone) and the end of an adopted one: the state
 * function, its wording, and the facts read from a real run directory. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "rundir.h"
#include "vmstate.h"

/* QEMU_TUI_RUNDIR is a private base (a run directory under /tmp itself is refused). */
static char base[] = "/tmp/qt-orphan-XXXXXX";
static char *dir;	/* base/vm */

static struct vm_run
facts(void)
{
	struct vm_run r;

	memset(&r, 0, sizeof r);
	r.dir = dir;
	r.exists = true;
	return r;
}

START_TEST(test_qemu_without_supervisor_is_orphaned)
{
	struct vm_run r = facts();
	char text[160];

	r.qemu_pid = 4242;
	r.qemu_alive = true;
	r.super_pid = 4241;	/* what the dead supervisor's pid file still says */
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_ORPHANED);
	ck_assert_str_eq(vm_state_name(VM_ORPHANED), "orphaned");
	vm_state_describe(&r, VM_ORPHANED, NULL, text, sizeof text);
	ck_assert_ptr_nonnull(strstr(text, "orphaned (supervisor gone; `qemu-tui start "));
	ck_assert_ptr_nonnull(strstr(text, "` adopts it)"));
	ck_assert_ptr_null(strstr(text, "4241"));
	/* A stop under way does not make it something else: start must still adopt it. */
	r.stopping = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_ORPHANED);
	vm_state_describe(&r, VM_ORPHANED, NULL, text, sizeof text);
	ck_assert_str_eq(text, "orphaned (supervisor gone; a stop is under way)");
}
END_TEST

START_TEST(test_live_supervisor_or_dead_qemu_is_not_orphaned)
{
	struct vm_run r = facts();

	r.qemu_alive = true;
	r.alive = true;
	r.serving = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_RUNNING);
	r.serving = false;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STARTING);
	r.alive = false;
	r.qemu_alive = false;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STOPPED);
	/* exit-status is written before the tidy-up: an ended run, not an orphan. */
	r.qemu_alive = true;
	r.have_exit = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STOPPED);
}
END_TEST

START_TEST(test_adopted_end_has_no_made_up_code)
{
	struct vm_run r = facts();
	char text[160];

	r.have_exit = r.exit_unknown = true;
	/* No SHUTDOWN event: QEMU was killed or died. */
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_CRASHED);
	vm_state_describe(&r, VM_CRASHED, NULL, text, sizeof text);
	ck_assert_str_eq(text, "crashed (exit status unknown)");
	snprintf(r.exit_reason, sizeof r.exit_reason, "guest-panic");
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_CRASHED);
	vm_state_describe(&r, VM_CRASHED, NULL, text, sizeof text);
	ck_assert_str_eq(text, "crashed (guest-panic; exit status unknown)");
	snprintf(r.exit_reason, sizeof r.exit_reason, "guest-shutdown");
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STOPPED);
	vm_state_describe(&r, VM_STOPPED, NULL, text, sizeof text);
	ck_assert_str_eq(text, "stopped (guest-shutdown; exit status unknown)");
	snprintf(r.stop_step, sizeof r.stop_step, "powerdown");
	vm_state_describe(&r, VM_STOPPED, NULL, text, sizeof text);
	ck_assert_str_eq(text, "stopped (powerdown; exit status unknown)");
}
END_TEST

static void
put(enum run_file name, const void *data, size_t len)
{
	char *path = rundir_file(dir, name);

	ck_assert_int_eq(file_write_atomic(path, data, len, 0600, NULL), 0);
	free(path);
}

/* This test process plays QEMU: its pid and its command line are in the run directory. */
START_TEST(test_read_an_orphan_from_its_run_directory)
{
	struct vm_run r;
	char text[64], *cmd, *path;
	size_t len;
	qt_error err;
	int fd;

	cmd = file_read("/proc/self/cmdline", &len, NULL);
	ck_assert_ptr_nonnull(cmd);
	put(RUN_CMDLINE, cmd, len);
	free(cmd);
	snprintf(text, sizeof text, "%ld\n", (long)getpid());
	put(RUN_QEMU_PID, text, strlen(text));
	put(RUN_SUPER_PID, "999999\n", 7);	/* unlocked: that supervisor is dead */
	ck_assert_int_eq(vm_run_read("vm", &r, &err), 0);
	ck_assert(!r.alive);
	ck_assert(r.qemu_alive);
	ck_assert_int_eq(r.qemu_pid, getpid());
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_ORPHANED);
	vm_run_free(&r);

	/* A live supervisor holds its lock: then it is not an orphan. */
	path = rundir_file(dir, RUN_SUPER_PID);
	fd = open(path, O_RDONLY);
	free(path);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	put(RUN_QMP_SOCK, "", 0);
	ck_assert_int_eq(vm_run_read("vm", &r, &err), 0);
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_RUNNING);
	vm_run_free(&r);
	close(fd);

	/* Another command line at that pid is not our QEMU. */
	put(RUN_CMDLINE, "qemu-system-aarch64\0-other\0", 27);
	ck_assert_int_eq(vm_run_read("vm", &r, &err), 0);
	ck_assert(!r.qemu_alive);
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STOPPED);
	vm_run_free(&r);

	/* What an adopting supervisor writes at the end. */
	put(RUN_EXIT_STATUS, "shutdown guest-shutdown\n", 24);
	ck_assert_int_eq(vm_run_read("vm", &r, &err), 0);
	ck_assert(r.have_exit && r.exit_unknown);
	ck_assert_str_eq(r.exit_reason, "guest-shutdown");
	ck_assert_int_eq(r.exit_code, 0);
	vm_run_free(&r);
	put(RUN_EXIT_STATUS, "unknown\n", 8);
	ck_assert_int_eq(vm_run_read("vm", &r, &err), 0);
	ck_assert(r.have_exit && r.exit_unknown);
	ck_assert_str_eq(r.exit_reason, "");
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_CRASHED);
	vm_run_free(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("orphan");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	if (mkdtemp(base) == NULL)
		return EXIT_FAILURE;
	setenv("QEMU_TUI_RUNDIR", base, 1);
	dir = xasprintf("%s/vm", base);
	if (rundir_create(dir, NULL) == -1)
		return EXIT_FAILURE;
	tcase_add_test(tc, test_qemu_without_supervisor_is_orphaned);
	tcase_add_test(tc, test_live_supervisor_or_dead_qemu_is_not_orphaned);
	tcase_add_test(tc, test_adopted_end_has_no_made_up_code);
	tcase_add_test(tc, test_read_an_orphan_from_its_run_directory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rundir_remove(dir, NULL);
	rmdir(base);
	free(dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
