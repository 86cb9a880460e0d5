/* The settings file: values, key bindings, and errors collected without losing the rest. */
#include <check.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "settings.h"
#include "util.h"

/* Actions are rows of action.c's table, known by name; short names for the checks. */
#define ACT_NONE ACTION_NONE
#define ACT_START action_find("start")
#define ACT_QUIT action_find("quit")
#define ACT_RELOAD action_find("reload")
#define ACT_HELP action_find("help")
#define ACT_SSH action_find("ssh")
#define ACT_SSH_BELOW action_find("ssh-below")
#define ACT_CLOSE_PANE action_find("close-pane")
#define ACT_LIST action_find("list")

START_TEST(test_defaults)
{
	struct settings s;

	settings_defaults(&s);
	ck_assert_str_eq(s.theme, "dark");
	ck_assert_int_eq(s.prefix, 2);
	ck_assert_int_eq(s.scrollback, 10000);
	ck_assert_int_eq(settings_action(&s, 's'), ACT_START);
	ck_assert_int_eq(settings_action(&s, 'q'), ACT_QUIT);
	ck_assert_int_eq(settings_action(&s, KEY_F(5)), ACT_RELOAD);
	ck_assert_int_eq(settings_action(&s, 'h'), ACT_SSH);
	ck_assert_int_eq(settings_action(&s, '|'), ACT_SSH);
	ck_assert_int_eq(settings_action(&s, 'H'), ACT_SSH_BELOW);
	ck_assert_int_eq(settings_action(&s, '-'), ACT_SSH_BELOW);
	ck_assert_int_eq(settings_action(&s, 'x'), ACT_CLOSE_PANE);
	ck_assert_int_eq(settings_action(&s, 'b'), ACT_LIST);
	ck_assert_ptr_null(s.errors);
	settings_free(&s);
}
END_TEST

START_TEST(test_values_and_bindings)
{
	struct settings s;
	char buf[16];

	settings_defaults(&s);
	settings_parse(&s, "cfg", "# comment\n\ntheme = light\nprefix = C-a\n"
	    "scrollback = 20000   # lines\nbind x start\nbind F2 help\nbind s none\n");
	ck_assert_ptr_null(s.errors);
	ck_assert_str_eq(s.theme, "light");
	ck_assert_int_eq(s.prefix, 1);
	ck_assert_int_eq(s.scrollback, 20000);
	ck_assert_int_eq(settings_action(&s, 'x'), ACT_START);
	ck_assert_int_eq(settings_action(&s, KEY_F(2)), ACT_HELP);
	ck_assert_int_eq(settings_action(&s, 's'), ACT_NONE);
	ck_assert_str_eq(settings_key_for(&s, ACT_START, buf, sizeof buf), "x");
	settings_free(&s);
}
END_TEST

START_TEST(test_errors_are_collected)
{
	struct settings s;

	settings_defaults(&s);
	settings_parse(&s, "/home/u/.config/qemu-tui/config",
	    "theme = mono\nprefx = C-a\nscrollback = lots\nbind Q quitt\n"
	    "bind NoSuchKey start\njunk line\nprefix = C-x\n");
	ck_assert_ptr_nonnull(s.errors);
	ck_assert_ptr_nonnull(strstr(s.errors, "config:2: unknown setting \"prefx\""));
	ck_assert_ptr_nonnull(strstr(s.errors, "config:3: scrollback"));
	ck_assert_ptr_nonnull(strstr(s.errors, "config:4: unknown action \"quitt\""));
	ck_assert_ptr_nonnull(strstr(s.errors, "config:5: unknown key \"NoSuchKey\""));
	ck_assert_ptr_nonnull(strstr(s.errors, "config:6: expected"));
	/* Lines around the bad ones still apply. */
	ck_assert_str_eq(s.theme, "mono");
	ck_assert_int_eq(s.prefix, 24);
	ck_assert_int_eq(s.scrollback, 10000);
	settings_free(&s);
}
END_TEST

/* image-rate: a size a second for the dashboard's qemu-img jobs; nonsense is reported. */
START_TEST(test_image_rate)
{
	struct settings s;

	settings_defaults(&s);
	ck_assert_str_eq(s.image_rate, "");
	settings_parse(&s, "cfg", "image-rate = 16M\n");
	ck_assert_ptr_null(s.errors);
	ck_assert_str_eq(s.image_rate, "16M");
	settings_parse(&s, "cfg", "image-rate = fast\nimage-rate = 0\n");
	ck_assert_ptr_nonnull(strstr(s.errors, "cfg:1: image-rate: \"fast\" is not bytes a second"));
	ck_assert_ptr_nonnull(strstr(s.errors, "cfg:2: image-rate"));
	ck_assert_str_eq(s.image_rate, "16M");
	settings_free(&s);
}
END_TEST

/* Every action has a name, a help line and default keys that parse; names are unique. */
START_TEST(test_action_table)
{
	int a, b;
	char buf[64];
	struct settings s;

	ck_assert_int_gt(action_count(), 20);
	for (a = 0; a < action_count(); a++) {
		char keys[64], *k, *save = NULL;

		ck_assert_int_eq(action_find(action_name(a)), a);
		ck_assert_str_ne(action_help(a), "");
		snprintf(keys, sizeof keys, "%s", action_keys(a));
		for (k = strtok_r(keys, " ", &save); k != NULL; k = strtok_r(NULL, " ", &save))
			ck_assert_msg(settings_keyparse(k) != -1, "%s: key %s", action_name(a), k);
		for (b = a + 1; b < action_count(); b++)
			ck_assert_str_ne(action_name(a), action_name(b));
	}
	ck_assert_int_eq(action_find("nosuch"), ACTION_NONE);
	/* Arrows move the selection, and the focus after the prefix. */
	settings_defaults(&s);
	ck_assert_int_eq(settings_action(&s, KEY_UP), action_find("up"));
	ck_assert_int_eq(settings_action_prefixed(&s, KEY_UP), action_find("focus-up"));
	ck_assert_int_eq(settings_action_prefixed(&s, 's'), ACT_START);
	ck_assert_str_eq(settings_key_for(&s, action_find("focus-left"), buf, sizeof buf),
	    "C-b Left");
	ck_assert_str_eq(settings_keys_for(&s, ACT_RELOAD, buf, sizeof buf), "F5 R");
	settings_free(&s);
}
END_TEST

START_TEST(test_key_names_round_trip)
{
	static const char *const names[] = { "a", "C-b", "Tab", "Enter", "F12",
	    "PgUp", "Up", "Esc", "/" };
	char buf[16];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		int k = settings_keyparse(names[i]);

		ck_assert_int_ne(k, -1);
		ck_assert_str_eq(settings_keyname(k, buf, sizeof buf), names[i]);
	}
	ck_assert_int_eq(settings_keyparse("C-"), -1);
	ck_assert_int_eq(settings_keyparse("F13"), -1);
}
END_TEST

/* Hostile or careless settings files: nothing dropped silently, nothing slow. */
START_TEST(test_bad_files)
{
	char dir[] = "/tmp/qt-settings-XXXXXX", path[600], *text;
	struct settings s;
	struct timespec t0, t1;
	FILE *f;
	size_t i, n;
	double secs;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* A directory, and a missing file named by --config: said; a missing default: fine. */
	settings_defaults(&s);
	settings_load(&s, dir, true);
	ck_assert_ptr_nonnull(s.errors);
	ck_assert_ptr_nonnull(strstr(s.errors, "not a regular file (a directory)"));
	settings_free(&s);
	snprintf(path, sizeof path, "%s/nosuch", dir);
	settings_defaults(&s);
	settings_load(&s, path, true);
	ck_assert_ptr_nonnull(s.errors);
	ck_assert_ptr_nonnull(strstr(s.errors, "No such file"));
	settings_free(&s);
	settings_defaults(&s);
	settings_load(&s, path, false);
	ck_assert_ptr_null(s.errors);
	settings_free(&s);

	/* A NUL no longer ends the file: the lines after it count. */
	snprintf(path, sizeof path, "%s/nul", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fwrite("theme = light\0junk\nscrollback = 500\n", 1, 36, f);
	fclose(f);
	settings_defaults(&s);
	settings_load(&s, path, true);
	ck_assert_str_eq(s.theme, "light");
	ck_assert_int_eq(s.scrollback, 500);
	ck_assert_ptr_nonnull(strstr(s.errors, ":1: a NUL byte"));
	settings_free(&s);

	/* More bindings than the table holds, and a theme path too long: said. */
	text = xmalloc(200 * 32 + 200);
	n = (size_t)sprintf(text, "theme = /%0100d\n", 0);
	/* Every printable character, C-a..C-z and F1..F12: more keys than the table. */
	for (i = 33; i < 127; i++)
		if (i != '#')
			n += (size_t)sprintf(text + n, "bind %c quit\n", (int)i);
	for (i = 0; i < 26; i++)
		n += (size_t)sprintf(text + n, "bind C-%c quit\n", (int)('a' + i));
	for (i = 1; i <= 12; i++)
		n += (size_t)sprintf(text + n, "bind F%zu quit\n", i);
	settings_defaults(&s);
	settings_parse(&s, "many.conf", text);
	ck_assert_str_eq(s.theme, "dark");
	ck_assert_ptr_nonnull(strstr(s.errors, "many.conf:1: theme: a name or path of more than 63 bytes"));
	ck_assert_ptr_nonnull(strstr(s.errors, "too many bindings"));
	settings_free(&s);
	free(text);

	/* 1.1 MB of bad lines: linear, and the count of those not kept. */
	text = xmalloc(1200000);
	for (n = 0; n < 1100000; n += 11)
		memcpy(text + n, "bad line!!\n", 11);
	text[n] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	settings_defaults(&s);
	settings_parse(&s, "bad.conf", text);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(secs < 2.0, "1.1 MB of bad lines took %.2f s", secs);
	ck_assert_int_eq(s.nerrors, 100000);
	ck_assert_ptr_nonnull(strstr(s.errors, "... and 99950 more errors"));
	settings_free(&s);
	free(text);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("settings");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values_and_bindings);
	tcase_add_test(tc, test_errors_are_collected);
	tcase_add_test(tc, test_key_names_round_trip);
	tcase_add_test(tc, test_action_table);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_image_rate);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
