/* A VM's state: the pure function over every state, and the facts read from a real run directory. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ready.h"
#include "rundir.h"
#include "stages.h"
#include "util.h"
#include "vmstate.h"

/* ---- the pure function ---- */

static const char *
describe(const struct vm_run *r, enum vm_state s, const char *qmp)
{
	static char buf[96];

	vm_state_describe(r, s, qmp, buf, sizeof buf);
	return buf;
}

START_TEST(test_stopped)
{
	struct vm_run r;

	/* Never started: no run directory at all. */
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STOPPED);
	ck_assert(!vm_state_live(VM_STOPPED));
	ck_assert_str_eq(describe(&r, VM_STOPPED, NULL), "stopped");
	/* The guest powered off by itself. */
	r.exists = true;
	r.have_exit = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STOPPED);
	ck_assert_str_eq(describe(&r, VM_STOPPED, NULL), "stopped (exit 0)");
	/* A stop we drove ended it: stopped whatever QEMU's exit said (SIGTERM, SIGKILL). */
	r.exit_signal = 15;
	snprintf(r.stop_step, sizeof r.stop_step, "SIGTERM");
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STOPPED);
	ck_assert_str_eq(describe(&r, VM_STOPPED, NULL), "stopped (SIGTERM)");
	/* A QMP word left over says nothing about a VM that is gone. */
	ck_assert_int_eq(vm_state_of(&r, "running"), VM_STOPPED);
	ck_assert_str_eq(vm_state_name(VM_STOPPED), "stopped");
}
END_TEST

START_TEST(test_starting)
{
	struct vm_run r;

	/* The supervisor lives but does not serve QMP yet. */
	memset(&r, 0, sizeof r);
	r.exists = r.alive = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STARTING);
	ck_assert(vm_state_live(VM_STARTING));
	ck_assert_str_eq(describe(&r, VM_STARTING, NULL), "starting");
	ck_assert_ptr_null(vm_qmp_path(&r));
	/* This process is launching it and the run directory is still the old run's. */
	memset(&r, 0, sizeof r);
	r.have_exit = true;
	r.exit_signal = 9;
	r.launching = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_STARTING);
}
END_TEST

START_TEST(test_running)
{
	struct vm_run r;
	char *path;

	memset(&r, 0, sizeof r);
	r.dir = "/run/x";
	r.exists = r.alive = r.serving = r.qemu_alive = true;
	r.qemu_pid = 1234;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_RUNNING);
	ck_assert_int_eq(vm_state_of(&r, ""), VM_RUNNING);
	ck_assert_int_eq(vm_state_of(&r, "running"), VM_RUNNING);
	ck_assert(vm_state_live(VM_RUNNING));
	ck_assert_str_eq(describe(&r, VM_RUNNING, "running"), "running");
	path = vm_qmp_path(&r);
	ck_assert_str_eq(path, "/run/x/qmp.sock");
	free(path);
	/* A launch of ours does not hide a run that is up. */
	r.launching = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_RUNNING);
}
END_TEST

START_TEST(test_paused)
{
	struct vm_run r;

	memset(&r, 0, sizeof r);
	r.exists = r.alive = r.serving = r.qemu_alive = true;
	ck_assert_int_eq(vm_state_of(&r, "paused"), VM_PAUSED);
	ck_assert(vm_state_live(VM_PAUSED));
	ck_assert_str_eq(describe(&r, VM_PAUSED, "paused"), "paused");
	/* Any other word is a pause with a reason worth showing. */
	ck_assert_int_eq(vm_state_of(&r, "guest-panicked"), VM_PAUSED);
	ck_assert_str_eq(describe(&r, VM_PAUSED, "guest-panicked"), "paused (guest-panicked)");
	ck_assert_int_eq(vm_state_of(&r, "prelaunch"), VM_PAUSED);
	/* Still starting: QMP's word cannot make it paused. */
	r.serving = false;
	ck_assert_int_eq(vm_state_of(&r, "paused"), VM_STARTING);
}
END_TEST

START_TEST(test_shutting_down)
{
	struct vm_run r;

	memset(&r, 0, sizeof r);
	r.exists = r.alive = r.serving = r.qemu_alive = true;
	/* QMP says the guest shut down (QEMU exits in a moment). */
	ck_assert_int_eq(vm_state_of(&r, "shutdown"), VM_SHUTTING_DOWN);
	/* A stop is under way: that wins over QMP's word. */
	r.stopping = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_SHUTTING_DOWN);
	ck_assert_int_eq(vm_state_of(&r, "paused"), VM_SHUTTING_DOWN);
	ck_assert(vm_state_live(VM_SHUTTING_DOWN));
	ck_assert_str_eq(describe(&r, VM_SHUTTING_DOWN, NULL), "shutting down");
}
END_TEST

START_TEST(test_crashed)
{
	struct vm_run r;

	memset(&r, 0, sizeof r);
	r.exists = r.have_exit = true;
	r.exit_signal = 9;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_CRASHED);
	ck_assert(!vm_state_live(VM_CRASHED));
	ck_assert_str_eq(describe(&r, VM_CRASHED, NULL), "crashed (signal 9)");
	r.exit_signal = 0;
	r.exit_code = 1;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_CRASHED);
	ck_assert_str_eq(describe(&r, VM_CRASHED, NULL), "crashed (exit 1)");
	/* The supervisor is still tidying up after writing exit-status: ended all the same. */
	r.alive = r.serving = true;
	ck_assert_int_eq(vm_state_of(&r, "running"), VM_CRASHED);
}
END_TEST

START_TEST(test_supervisor_gone_facts)
{
	struct vm_run r;
	char *path;

	/* The supervisor was killed, QEMU lives on: orphaned (issue 9), and nothing
	 * serves QMP (QEMU's own socket stays free for the supervisor adopting it). */
	memset(&r, 0, sizeof r);
	r.dir = "/run/x";
	r.exists = r.qemu_alive = true;
	r.qemu_pid = 1234;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_ORPHANED);
	ck_assert_int_eq(vm_state_of(&r, "paused"), VM_ORPHANED);
	ck_assert(vm_state_live(VM_ORPHANED));
	path = vm_qmp_path(&r);
	ck_assert_ptr_null(path);
	r.stopping = true;
	ck_assert_int_eq(vm_state_of(&r, NULL), VM_ORPHANED);
}
END_TEST

/* ---- facts read from a run directory ---- */

static char tmp[64];

static void
setup(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/qt-test-vm-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	setenv("QEMU_TUI_RUNDIR", tmp, 1);
}

static void
teardown(void)
{
	char *dir = xasprintf("%s/t", tmp);

	rundir_remove(dir, NULL);
	rmdir(tmp);
	free(dir);
	unsetenv("QEMU_TUI_RUNDIR");
}

static char *
make_run(void)
{
	qt_error err;
	char *dir = rundir_path("t", &err);

	ck_assert_ptr_nonnull(dir);
	ck_assert_int_eq(rundir_create(dir, &err), 0);
	return dir;
}

static void
write_pid(const char *dir, enum run_file f, pid_t pid)
{
	char text[32];

	snprintf(text, sizeof text, "%ld\n", (long)pid);
	ck_assert_int_eq(rundir_write_str(dir, f, text), 0);
}

static enum vm_state
state_read(struct vm_run *r)
{
	qt_error err;

	ck_assert_int_eq(vm_run_read("t", r, &err), 0);
	return vm_state_of(r, NULL);
}

START_TEST(test_read_missing)
{
	struct vm_run r;

	ck_assert_int_eq(state_read(&r), VM_STOPPED);
	ck_assert(!r.exists);
	vm_run_free(&r);
}
END_TEST

START_TEST(test_read_crashed)
{
	struct vm_run r;
	char *dir = make_run();

	ck_assert_int_eq(rundir_write_exit_status(dir, 9), 0);	/* killed by SIGKILL */
	ck_assert_int_eq(rundir_write_str(dir, RUN_ACCEL, "tcg\nforced by the profile\n"), 0);
	ck_assert_int_eq(rundir_write_str(dir, RUN_SSH_PORT, "40022\n"), 0);
	ck_assert_int_eq(state_read(&r), VM_CRASHED);
	ck_assert_int_eq(r.exit_signal, 9);
	ck_assert_str_eq(r.accel, "tcg");
	ck_assert_str_eq(r.accel_reason, "forced by the profile");
	ck_assert_int_eq(r.ssh_port, 40022);
	vm_run_free(&r);
	ck_assert_int_eq(rundir_write_exit_status(dir, 3 << 8), 0);	/* exit 3 */
	ck_assert_int_eq(state_read(&r), VM_CRASHED);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_int_eq(r.exit_signal, 0);
	vm_run_free(&r);
	/* A new start clears what the old run's end left. */
	rundir_reset(dir);
	ck_assert_int_eq(state_read(&r), VM_STOPPED);
	ck_assert(!r.have_exit);
	vm_run_free(&r);
	free(dir);
}
END_TEST

START_TEST(test_read_supervisor_lock)
{
	struct vm_run r;
	char *dir = make_run(), *sock;
	int lock, fd;

	/* We play the supervisor: its lock is what says it lives. */
	lock = rundir_lock_supervisor(dir);
	ck_assert_int_ge(lock, 0);
	ck_assert_int_eq(rundir_lock_supervisor(dir), -1);	/* a second one is refused */
	ck_assert_int_eq(state_read(&r), VM_STARTING);
	ck_assert_int_eq(r.super_pid, getpid());
	vm_run_free(&r);
	sock = rundir_file(dir, RUN_QMP_SOCK);
	fd = open(sock, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(state_read(&r), VM_RUNNING);
	ck_assert(r.serving);
	vm_run_free(&r);
	ck_assert_int_eq(rundir_write_str(dir, RUN_STOPPING, "1\n"), 0);
	ck_assert_int_eq(state_read(&r), VM_SHUTTING_DOWN);
	vm_run_free(&r);
	close(lock);
	/* The supervisor is gone, nothing ran: stopped. */
	ck_assert_int_eq(state_read(&r), VM_STOPPED);
	ck_assert(!r.alive);
	vm_run_free(&r);
	free(sock);
	free(dir);
}
END_TEST

START_TEST(test_read_stale_pid)
{
	struct vm_run r;
	char *dir = make_run();

	/* After a reboot qemu.pid may name a live process that is not our QEMU (here: us). */
	write_pid(dir, RUN_QEMU_PID, getpid());
	ck_assert_int_eq(state_read(&r), VM_STOPPED);
	ck_assert(!r.qemu_alive);
	ck_assert_int_eq(r.qemu_pid, 0);
	vm_run_free(&r);
	/* A pid nobody has. */
	write_pid(dir, RUN_QEMU_PID, 0x3ffffff);
	ck_assert_int_eq(state_read(&r), VM_STOPPED);
	vm_run_free(&r);
	free(dir);
}
END_TEST

/* Wait (bounded) until pid's argv names dir: the child has exec'd. */
static bool
wait_cmdline(pid_t pid, const char *dir)
{
	char path[64], *cmd;
	size_t len, i;
	int n;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	for (n = 0; n < 500; n++) {
		if ((cmd = file_read(path, &len, NULL)) != NULL) {
			bool found;

			for (i = 0; i < len; i++)
				if (cmd[i] == '\0')
					cmd[i] = ' ';
			found = strstr(cmd, dir) != NULL;
			free(cmd);
			if (found)
				return true;
		}
		usleep(10000);
	}
	return false;
}

START_TEST(test_read_supervisor_gone)
{
	struct vm_run r;
	char *dir = make_run(), *path;
	int pfd[2];
	pid_t pid;

	/* A stand-in for QEMU: a process whose argv names the run directory, living until
	 * its stdin closes. */
	ck_assert_int_eq(pipe(pfd), 0);
	if ((pid = fork()) == 0) {
		dup2(pfd[0], 0);
		close(pfd[0]);
		close(pfd[1]);
		execl("/bin/sh", "sh", "-c", "read x", "sh", dir, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	close(pfd[0]);
	ck_assert(wait_cmdline(pid, dir));
	write_pid(dir, RUN_QEMU_PID, pid);
	ck_assert_int_eq(state_read(&r), VM_ORPHANED);
	ck_assert(!r.alive);
	ck_assert(r.qemu_alive);
	ck_assert_int_eq(r.qemu_pid, pid);
	path = vm_qmp_path(&r);
	ck_assert_ptr_null(path);
	vm_run_free(&r);
	/* With the command line recorded at start, only that exact one is our QEMU. */
	{
		char *other[] = { "sh", "-c", "read y", "sh", dir, NULL };
		char *same[] = { "sh", "-c", "read x", "sh", dir, NULL };

		ck_assert_int_eq(rundir_write_cmdline(dir, other), 0);
		ck_assert_int_eq(state_read(&r), VM_STOPPED);
		ck_assert(!vm_pid_is_our_qemu(pid, dir));
		vm_run_free(&r);
		ck_assert_int_eq(rundir_write_cmdline(dir, same), 0);
		ck_assert_int_eq(state_read(&r), VM_ORPHANED);
		ck_assert(vm_pid_is_our_qemu(pid, dir));
		vm_run_free(&r);
	}
	/* QEMU ends (no exit-status: the supervisor is gone): stopped. */
	close(pfd[1]);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert(!vm_pid_running(pid));
	ck_assert_int_eq(state_read(&r), VM_STOPPED);
	vm_run_free(&r);
	free(dir);
}
END_TEST

/* Stages are kept in the order reached, once each, and come back from the file. */
START_TEST(test_stages_file)
{
	char *dir = make_run();
	struct stages st, back;
	struct vm_run r;

	stages_read(dir, &st);
	ck_assert_int_eq(st.n, 0);
	ck_assert_int_eq(stages_last(&st), -1);
	ck_assert(stages_reach(dir, &st, STAGE_STARTED, 1000));
	ck_assert(stages_reach(dir, &st, STAGE_SSH, 3000));
	ck_assert(stages_reach(dir, &st, STAGE_PROMPT, 4000));
	ck_assert(!stages_reach(dir, &st, STAGE_SSH, 5000));
	ck_assert_int_eq(st.at[STAGE_SSH], 3000);
	ck_assert_int_eq(stages_last(&st), STAGE_SSH);
	stages_read(dir, &back);
	ck_assert_int_eq(back.n, 3);
	ck_assert_int_eq(back.order[0], STAGE_STARTED);
	ck_assert_int_eq(back.order[1], STAGE_SSH);
	ck_assert_int_eq(back.order[2], STAGE_PROMPT);
	ck_assert_int_eq(back.at[STAGE_PROMPT], 4000);
	ck_assert_int_eq(back.at[STAGE_READY], 0);
	/* Every reader gets them with the run's facts. */
	ck_assert_int_eq(vm_run_read("t", &r, NULL), 0);
	ck_assert_int_eq(r.stages.n, 3);
	vm_run_free(&r);
	/* A reset: started kept, the rest forgotten and reached again, the restart noted. */
	stages_restart(dir, &st, 6000);
	ck_assert_int_eq(st.n, 1);
	ck_assert_int_eq(st.at[STAGE_SSH], 0);
	ck_assert(stages_reach(dir, &st, STAGE_SSH, 7000));
	stages_read(dir, &back);
	ck_assert_int_eq(back.n, 2);
	ck_assert_int_eq(back.at[STAGE_STARTED], 1000);
	ck_assert_int_eq(back.restarted, 6000);
	ck_assert_int_eq(back.at[STAGE_SSH], 7000);
	ck_assert_int_eq(back.at[STAGE_PROMPT], 0);
	ck_assert_int_eq(stages_last(&back), STAGE_SSH);
	free(dir);
}
END_TEST

START_TEST(test_stages_parse)
{
	struct stages st;

	/* Unknown names, bad times and repeats are skipped; no newline at the end. */
	stages_parse("started 10\nbogus 11\nconsole x\nconsole 12\nstarted 13\nready 14", &st);
	ck_assert_int_eq(st.n, 3);
	ck_assert_int_eq(st.at[STAGE_STARTED], 10);
	ck_assert_int_eq(st.at[STAGE_CONSOLE], 12);
	ck_assert_int_eq(st.at[STAGE_READY], 14);
	ck_assert_int_eq(stages_last(&st), STAGE_READY);
	stages_parse(NULL, &st);
	ck_assert_int_eq(st.n, 0);
	ck_assert_str_eq(stage_name(STAGE_SSH_COMMAND), "ssh-command");
	ck_assert_int_eq(stage_from_name("ssh-command"), STAGE_SSH_COMMAND);
	ck_assert_int_eq(stage_from_name("nope"), -1);
}
END_TEST

/* The console's last line as the prompt regex sees it: no escapes, no CR. */
START_TEST(test_ready_line)
{
	struct ready_line l = { 0 };
	regex_t re;

	ready_line_add(&l, "Booting\r\nqtguest:~# \033[6n", 25);
	ck_assert_str_eq(l.text, "qtguest:~# ");
	ck_assert_int_eq(regcomp(&re, READY_PROMPT_RE, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regexec(&re, l.text, 0, NULL, 0), 0);
	ready_line_add(&l, "ls\r\n", 4);
	ck_assert_str_eq(l.text, "");
	ready_line_add(&l, "qtguest login: ", 15);
	ck_assert_int_eq(regexec(&re, l.text, 0, NULL, 0), 0);
	ready_line_add(&l, "\nsystemd[1]: Started foo.", 26);
	ck_assert_int_ne(regexec(&re, l.text, 0, NULL, 0), 0);
	regfree(&re);
}
END_TEST

static Suite *
vm_suite(void)
{
	Suite *s = suite_create("vm");
	TCase *tc = tcase_create("state");
	TCase *rd = tcase_create("rundir");

	tcase_add_test(tc, test_stopped);
	tcase_add_test(tc, test_starting);
	tcase_add_test(tc, test_running);
	tcase_add_test(tc, test_paused);
	tcase_add_test(tc, test_shutting_down);
	tcase_add_test(tc, test_crashed);
	tcase_add_test(tc, test_supervisor_gone_facts);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(rd, setup, teardown);
	tcase_add_test(rd, test_read_missing);
	tcase_add_test(rd, test_read_crashed);
	tcase_add_test(rd, test_read_supervisor_lock);
	tcase_add_test(rd, test_read_stale_pid);
	tcase_add_test(rd, test_read_supervisor_gone);
	tcase_add_test(rd, test_stages_file);
	tcase_add_test(rd, test_stages_parse);
	tcase_add_test(rd, test_ready_line);
	suite_add_tcase(s, rd);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
