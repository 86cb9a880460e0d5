/* Console scripts: a send's escapes, the script format, plain text from terminal
 * output, and the window an expect matches in. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "util.h"

START_TEST(unescape)
{
	qt_error err;
	size_t len;
	char *out;

	ck_assert_int_eq(expect_unescape("root\\n", &out, &len, &err), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(out, "root\n", 5);
	free(out);
	ck_assert_int_eq(expect_unescape("a\\r\\t\\e[A\\x1b\\x7\\\\z", &out, &len, &err), 0);
	ck_assert_uint_eq(len, 10);
	ck_assert_mem_eq(out, "a\r\t\033[A\033\007\\z", 10);
	free(out);
	/* No newline is added; an empty send is nothing. */
	ck_assert_int_eq(expect_unescape("", &out, &len, &err), 0);
	ck_assert_uint_eq(len, 0);
	free(out);
	ck_assert_int_eq(expect_unescape("\\x00", &out, &len, &err), 0);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(out[0], 0);
	free(out);
	ck_assert_int_eq(expect_unescape("a\\q", &out, &len, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown escape \\q"));
	ck_assert_int_eq(expect_unescape("a\\", &out, &len, &err), -1);
	ck_assert_int_eq(expect_unescape("\\xg", &out, &len, &err), -1);
}
END_TEST

START_TEST(steps)
{
	struct expect_script s = { NULL, 0, 0 };
	qt_error err;

	ck_assert_int_eq(expect_script_add(&s, "send", "root\\n", "--send", &err), 0);
	ck_assert_int_eq(expect_script_add(&s, "expect", "^Pass(word)?:", "--expect", &err), 0);
	ck_assert_int_eq(expect_script_add(&s, "timeout", "5", "x:3", &err), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.v[0].kind, EXPECT_SEND);
	ck_assert_uint_eq(s.v[0].len, 5);
	ck_assert_int_eq(s.v[1].kind, EXPECT_EXPECT);
	ck_assert_int_eq(s.v[2].seconds, 5);
	ck_assert_int_eq(expect_script_add(&s, "expect", "a(", "f:2", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "f:2: bad regular expression \"a(\""));
	ck_assert_int_eq(expect_script_add(&s, "expect", "", "f:2", &err), -1);
	ck_assert_int_eq(expect_script_add(&s, "timeout", "0", "f:4", &err), -1);
	ck_assert_int_eq(expect_script_add(&s, "timeout", "3s", "f:4", &err), -1);
	ck_assert_int_eq(expect_script_add(&s, "sned", "x", "f:5", &err), -1);
	ck_assert_str_eq(err.msg, "f:5: unknown step \"sned\" (send, expect or timeout)");
	ck_assert_uint_eq(s.n, 3);
	expect_script_free(&s);
}
END_TEST

static char *
write_script(const char *text)
{
	char *path = xstrdup("/tmp/qt-expect-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(script_file)
{
	struct expect_script s = { NULL, 0, 0 };
	qt_error err;
	char *path, *want;

	path = write_script("# log in\n\n  expect login: \r\nsend root\\n\n"
	    "timeout\t7\n\texpect # $\nsend\n");
	ck_assert_int_eq(expect_script_load(&s, path, &err), 0);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_str_eq(s.v[0].arg, "login:");	/* blanks and CR at the end go */
	want = xasprintf("%s:3", path);
	ck_assert_str_eq(s.v[0].where, want);
	free(want);
	ck_assert_str_eq(s.v[1].arg, "root\\n");
	ck_assert_int_eq(s.v[2].seconds, 7);
	ck_assert_str_eq(s.v[3].arg, "# $");	/* a # inside a line is the argument's */
	ck_assert_uint_eq(s.v[4].len, 0);
	expect_script_free(&s);
	unlink(path);
	free(path);

	path = write_script("send ok\nexpect (\n");
	ck_assert_int_eq(expect_script_load(&s, path, &err), -1);
	want = xasprintf("%s:2: bad regular expression", path);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
	free(want);
	expect_script_free(&s);
	unlink(path);
	free(path);

	ck_assert_int_eq(expect_script_load(&s, "/nonexistent/script", &err), -1);
	expect_script_free(&s);
}
END_TEST

static char *
plain(struct expect_plain *p, const char *in)
{
	char *out = xmalloc(strlen(in) + 1);
	size_t n = expect_plain_filter(p, in, strlen(in), out);

	out[n] = '\0';
	return out;
}

START_TEST(plain_text)
{
	struct expect_plain p = { 0 };
	char *o;

	o = plain(&p, "qtguest:~# \033[6n\033[1;31mred\033[0m\r\n\033]0;title\007x\033(By\ttab\b");
	ck_assert_str_eq(o, "qtguest:~# red\nxy\ttab");
	free(o);
	/* A sequence split between reads. */
	o = plain(&p, "a\033[1");
	ck_assert_str_eq(o, "a");
	free(o);
	o = plain(&p, ";2Hb\033]2;t\033");
	ck_assert_str_eq(o, "b");
	free(o);
	o = plain(&p, "\\c\033Pq#0\033\\d\033[12\030e");	/* ST, then CAN cancels */
	ck_assert_str_eq(o, "cde");
	free(o);
	o = plain(&p, "h\xc3\xa9llo");	/* UTF-8 stays */
	ck_assert_str_eq(o, "h\xc3\xa9llo");
	free(o);
}
END_TEST

static void
add(struct expect_window *w, const char *text)
{
	expect_window_add(w, text, strlen(text));
}

START_TEST(window)
{
	struct expect_window w = { NULL, 0 };
	regex_t re42, prompt, old;
	char *big, *tail;

	ck_assert_int_eq(regcomp(&re42, "^42$", REG_EXTENDED | REG_NEWLINE), 0);
	ck_assert_int_eq(regcomp(&prompt, "# $", REG_EXTENDED | REG_NEWLINE), 0);
	ck_assert_int_eq(regcomp(&old, "marker", REG_EXTENDED | REG_NEWLINE), 0);
	ck_assert(!expect_window_match(&w, &re42));	/* empty */
	add(&w, "echo $((6*7))\n4");
	ck_assert(!expect_window_match(&w, &re42));
	add(&w, "2\nqtguest:~# ");
	ck_assert(expect_window_match(&w, &re42));
	/* The match and what came before it are gone; the rest stays. */
	ck_assert_str_eq(w.buf, "\nqtguest:~# ");
	ck_assert(!expect_window_match(&w, &re42));
	ck_assert(expect_window_match(&w, &prompt));
	ck_assert_str_eq(w.buf, "");
	expect_window_add(&w, "marker\n", 7);
	expect_window_clear(&w);
	ck_assert(!expect_window_match(&w, &old));

	/* Older text falls out of the window. */
	big = xmalloc(EXPECT_WINDOW + 1);
	memset(big, 'x', EXPECT_WINDOW);
	expect_window_add(&w, "marker\n", 7);
	expect_window_add(&w, big, EXPECT_WINDOW - 7);
	ck_assert(expect_window_match(&w, &old));
	expect_window_add(&w, "marker\n", 7);
	expect_window_add(&w, big, EXPECT_WINDOW);
	ck_assert_uint_eq(w.len, EXPECT_WINDOW);
	ck_assert(!expect_window_match(&w, &old));
	free(big);

	/* The tail: the last lines, blank ones skipped, an unfinished one too. */
	expect_window_clear(&w);
	add(&w, "one\ntwo\n\n  \nthree\nfour");
	tail = expect_window_tail(&w, 3, "| ");
	ck_assert_str_eq(tail, "| two\n| three\n| four\n");
	free(tail);
	expect_window_add(&w, "\n", 1);
	tail = expect_window_tail(&w, 10, "");
	ck_assert_str_eq(tail, "one\ntwo\nthree\nfour\n");
	free(tail);
	expect_window_clear(&w);
	tail = expect_window_tail(&w, 10, "");
	ck_assert_str_eq(tail, "");
	free(tail);

	expect_window_free(&w);
	tail = expect_window_tail(&w, 10, "");
	ck_assert_str_eq(tail, "");
	free(tail);
	regfree(&re42);
	regfree(&prompt);
	regfree(&old);
}
END_TEST

struct sent {
	char text[256];
	size_t len;
};

static void
on_send(const char *text, size_t len, void *arg)
{
	struct sent *x = arg;

	ck_assert_uint_lt(x->len + len, sizeof x->text);
	memcpy(x->text + x->len, text, len);
	x->len += len;
	x->text[x->len] = '\0';
}

static void
feed(struct expect_run *r, const char *raw)
{
	expect_run_output(r, raw, strlen(raw));
}

/* The steps in order; a send empties what the next expect looks at, so a marker the
 * guest printed before the send never meets it, however it arrived. */
START_TEST(run_steps)
{
	struct expect_script s = { NULL, 0, 0 };
	struct expect_run r;
	struct sent x = { "", 0 };
	qt_error err;

	ck_assert_int_eq(expect_script_add(&s, "send", "a\\n", "1", &err), 0);
	ck_assert_int_eq(expect_script_add(&s, "expect", "^mark$", "2", &err), 0);
	ck_assert_int_eq(expect_script_add(&s, "timeout", "9", "3", &err), 0);
	ck_assert_int_eq(expect_script_add(&s, "send", "b", "4", &err), 0);
	ck_assert_int_eq(expect_script_add(&s, "expect", "^mark$", "5", &err), 0);
	ck_assert_int_eq(expect_script_add(&s, "send", "c", "6", &err), 0);
	memset(&r, 0, sizeof r);
	r.script = &s;
	r.timeout_s = 30;

	/* Output before the first send does not count either. */
	feed(&r, "mark\n");
	ck_assert(!expect_run_steps(&r, on_send, &x));
	ck_assert_str_eq(x.text, "a\n");
	ck_assert_uint_eq(r.step, 1);
	/* Two marks in one read: the first meets step 2, the second is still there when
	 * step 4 sends, and must not meet step 5. */
	feed(&r, "\033[1mmark\033[0m\r\nmark\r\n");
	ck_assert(!expect_run_steps(&r, on_send, &x));
	ck_assert_str_eq(x.text, "a\nb");
	ck_assert_uint_eq(r.step, 4);
	ck_assert_int_eq(r.timeout_s, 9);
	ck_assert(!expect_run_steps(&r, on_send, &x));	/* nothing new: still waiting */
	ck_assert_str_eq(x.text, "a\nb");
	feed(&r, "ma");
	ck_assert(!expect_run_steps(&r, on_send, &x));
	feed(&r, "rk\n");
	ck_assert(expect_run_steps(&r, on_send, &x));
	ck_assert_str_eq(x.text, "a\nbc");
	ck_assert_uint_eq(r.step, s.n);
	/* seen keeps everything since the start, plain. */
	ck_assert_str_eq(r.seen.buf, "mark\nmark\nmark\nmark\n");
	expect_run_free(&r);
	expect_script_free(&s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("expect");
	TCase *tc = tcase_create("expect");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, unescape);
	tcase_add_test(tc, steps);
	tcase_add_test(tc, script_file);
	tcase_add_test(tc, plain_text);
	tcase_add_test(tc, window);
	tcase_add_test(tc, run_steps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
