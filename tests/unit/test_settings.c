/* The settings file: values, key bindings, and errors collected without losing the rest. */
#include <check.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
