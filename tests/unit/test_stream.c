/* The loop's plumbing: a stream arms POLLOUT by itself, pauses, survives being freed
 * from inside its own hooks, and keeps reading after a failed write. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "stream.h"
#include "util.h"

struct seen {
	struct stream *st;
	size_t bytes;
	int closed;
	bool free_in_data;
	bool free_in_closed;
};

static void
on_data(struct stream *s, const char *buf, size_t len, void *arg)
{
	struct seen *x = arg;

	(void)buf;
	x->bytes += len;
	if (x->free_in_data) {
		stream_free(s);
		x->st = NULL;
	}
}

static void
on_closed(struct stream *s, const char *why, void *arg)
{
	struct seen *x = arg;

	(void)why;
	x->closed++;
	if (x->free_in_closed) {
		stream_free(s);
		x->st = NULL;
	}
}

static const struct stream_hooks hooks = { on_data, on_closed };

static void
pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

/* Read everything the peer has now (non-blocking). */
static size_t
drain_peer(int fd)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
		total += (size_t)n;
	return total;
}

START_TEST(write_queue_arms_pollout)
{
	struct loop *l = loop_new();
	struct seen x = { 0 };
	size_t len = 8 * 1024 * 1024, got = 0;
	char *big = xcalloc(1, len);
	int sv[2], i;

	pair(sv);
	x.st = stream_new(l, sv[0], &hooks, &x);
	/* Far more than the socket holds: the rest waits in the queue. */
	stream_write(x.st, big, len);
	ck_assert_uint_gt(stream_queued(x.st), 0);
	/* Nobody calls anything but the loop: the stream writes the rest on POLLOUT. */
	for (i = 0; i < 10000 && got < len; i++) {
		loop_run_once(l, 10);
		got += drain_peer(sv[1]);
	}
	ck_assert_uint_eq(got, len);
	ck_assert_uint_eq(stream_queued(x.st), 0);
	stream_free(x.st);
	close(sv[1]);
	free(big);
	loop_free(l);
}
END_TEST

START_TEST(pause_and_resume)
{
	struct loop *l = loop_new();
	struct seen x = { 0 };
	int sv[2], i;

	pair(sv);
	x.st = stream_new(l, sv[0], &hooks, &x);
	stream_pause(x.st, true);
	ck_assert_int_eq(write(sv[1], "hello", 5), 5);
	for (i = 0; i < 5; i++)
		loop_run_once(l, 10);
	ck_assert_uint_eq(x.bytes, 0);
	stream_pause(x.st, false);
	for (i = 0; i < 50 && x.bytes < 5; i++)
		loop_run_once(l, 10);
	ck_assert_uint_eq(x.bytes, 5);
	stream_free(x.st);
	close(sv[1]);
	loop_free(l);
}
END_TEST

/* ASan finds any touch of the freed stream. */
START_TEST(free_inside_hooks)
{
	struct loop *l = loop_new();
	struct seen x = { 0 }, y = { 0 };
	int sv[2], sw[2], i;

	pair(sv);
	x.free_in_data = true;
	x.st = stream_new(l, sv[0], &hooks, &x);
	ck_assert_int_eq(write(sv[1], "abc", 3), 3);
	for (i = 0; i < 50 && x.st != NULL; i++)
		loop_run_once(l, 10);
	ck_assert_ptr_null(x.st);
	/* Our end is closed already: the peer's write may fail; nothing may be read. */
	(void)send(sv[1], "def", 3, MSG_NOSIGNAL);
	loop_run_once(l, 10);
	ck_assert_uint_eq(x.bytes, 3);	/* nothing read after the free */
	close(sv[1]);

	pair(sw);
	y.free_in_closed = true;
	y.st = stream_new(l, sw[0], &hooks, &y);
	close(sw[1]);
	for (i = 0; i < 50 && y.closed == 0; i++)
		loop_run_once(l, 10);
	ck_assert_int_eq(y.closed, 1);
	ck_assert_ptr_null(y.st);
	loop_run_once(l, 10);
	loop_free(l);
}
END_TEST

/* The peer stopped reading and went: keys are dropped, its last words still arrive. */
START_TEST(read_after_failed_write)
{
	struct loop *l = loop_new();
	struct seen x = { 0 };
	int sv[2], i;

	pair(sv);
	x.st = stream_new(l, sv[0], &hooks, &x);
	ck_assert_int_eq(write(sv[1], "last words", 10), 10);
	shutdown(sv[1], SHUT_RD);
	stream_write(x.st, "key", 3);
	ck_assert(stream_write_failed(x.st));
	ck_assert_uint_eq(stream_queued(x.st), 0);
	close(sv[1]);
	for (i = 0; i < 50 && x.closed == 0; i++)
		loop_run_once(l, 10);
	ck_assert_uint_eq(x.bytes, 10);
	ck_assert_int_eq(x.closed, 1);
	ck_assert(!stream_open(x.st));
	stream_free(x.st);
	loop_free(l);
}
END_TEST

static void
stop_from_idle(void *arg)
{
	loop_stop(arg);
}

static void
nothing(void *arg)
{
	(void)arg;
}

/* A console script that finished in the idle hook once waited in poll() for output
 * that never came: the turn whose hook stops the loop must not wait. */
START_TEST(idle_stop_does_not_wait)
{
	struct loop *l = loop_new();
	long long t0;

	loop_timer_add(l, 5000, 0, nothing, NULL);	/* what the poll would wait for */
	loop_set_idle(l, stop_from_idle, l);
	t0 = now_ms();
	ck_assert_int_eq(loop_run_once(l, -1), 0);
	ck_assert_msg(now_ms() - t0 < 2000, "the turn waited %lld ms", now_ms() - t0);
	loop_free(l);
}
END_TEST

START_TEST(guard)
{
	struct loop_guard g = { 0, false };

	ck_assert(loop_guard_free(&g));		/* not inside: destroy now */
	g = (struct loop_guard){ 0, false };
	loop_guard_enter(&g);
	loop_guard_enter(&g);
	ck_assert(!loop_guard_free(&g));	/* inside: later */
	ck_assert(loop_guard_dying(&g));
	ck_assert(!loop_guard_leave(&g));	/* not the outermost yet */
	ck_assert(loop_guard_leave(&g));	/* now */
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("stream");
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, guard);
	tcase_add_test(tc, idle_stop_does_not_wait);
	tcase_add_test(tc, write_queue_arms_pollout);
	tcase_add_test(tc, pause_and_resume);
	tcase_add_test(tc, free_inside_hooks);
	tcase_add_test(tc, read_after_failed_write);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
