/* The settings file: values, key bindings, and errors collected without losing the rest. */
#include <check.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
