/* Editing a profile's text in place (profile_edit.c): the values rename and clone change,
 * and nothing else -- comments, blank lines, indentation, a value in a comment. */
#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

/* text after the edits, checked to be JSON json-c reads as the loader does. */
static void
expect(struct profile_edit *e, const char *want)
{
	const char *got = profile_edit_text(e, NULL);
	struct json_tokener *tok = json_tokener_new();
	json_object *o;

	ck_assert_msg(strcmp(got, want) == 0, "got:\n%s\nwant:\n%s", got, want);
	if (strncmp(got, "\xef\xbb\xbf", 3) == 0)
		got += 3;	/* the loader skips a byte-order mark */
	o = json_tokener_parse_ex(tok, got, (int)strlen(got));
	ck_assert_msg(o != NULL, "not JSON any more:\n%s", got);
	json_object_put(o);
	json_tokener_free(tok);
}

static struct profile_edit *
edit_of(const char *text)
{
	return profile_edit_new(text, strlen(text));
}

static void
set(struct profile_edit *e, const char *path, const char *value)
{
	qt_error err;

	ck_assert_msg(profile_edit_set(e, path, value, &err) == 0, "%s: %s", path, err.msg);
}

/* Comments, blank lines and tabs stay; only the value changes. */
START_TEST(test_value_changed_comments_kept)
{
	struct profile_edit *e = edit_of(
	    "// The test guest.\n"
	    "//   tests/guest/build.sh\n"
	    "{\n"
	    "\t\"name\": \"demo\",   // the VM's name\n"
	    "\n"
	    "\t/* memory */ \"memory\": \"256M\",\n"
	    "\t\"kernel\": \"../k\",\n"
	    "}\n");

	set(e, "name", "twin");
	set(e, "kernel", "/abs/k");
	expect(e,
	    "// The test guest.\n"
	    "//   tests/guest/build.sh\n"
	    "{\n"
	    "\t\"name\": \"twin\",   // the VM's name\n"
	    "\n"
	    "\t/* memory */ \"memory\": \"256M\",\n"
	    "\t\"kernel\": \"/abs/k\",\n"
	    "}\n");
	profile_edit_comment(e, "cloned from demo by qemu-tui clone");
	ck_assert_int_eq(strncmp(profile_edit_text(e, NULL),
	    "// cloned from demo by qemu-tui clone\n// The test guest.\n", 56), 0);
	profile_edit_free(e);
}
END_TEST

/* A value in a comment is not the value: the one json-c reads changes. */
START_TEST(test_comment_value_untouched)
{
	struct profile_edit *e = edit_of(
	    "// \"name\": \"demo\" was its old name\n"
	    "{ /* \"name\": \"demo\" */\n"
	    "  \"memory\": \"1G\", // \"name\": \"x\"\n"
	    "  \"name\": \"demo\"\n"
	    "}\n");

	set(e, "name", "demo2");
	expect(e,
	    "// \"name\": \"demo\" was its old name\n"
	    "{ /* \"name\": \"demo\" */\n"
	    "  \"memory\": \"1G\", // \"name\": \"x\"\n"
	    "  \"name\": \"demo2\"\n"
	    "}\n");
	profile_edit_free(e);
}
END_TEST

/* Absent keys go after the last key of their object, with its indentation. */
START_TEST(test_key_inserted)
{
	struct profile_edit *e = edit_of(
	    "{\n"
	    "    \"memory\": \"1G\",\n"
	    "    \"network\": { \"mode\": \"user\" },\n"
	    "    \"ssh\": {\n"
	    "\t\"user\": \"root\" // who logs in\n"
	    "    }\n"
	    "}\n");

	set(e, "name", "n");
	set(e, "network.mac", "52:54:00:00:00:01");
	set(e, "ssh.identity", "/k");
	expect(e,
	    "{\n"
	    "    \"memory\": \"1G\",\n"
	    "    \"network\": { \"mode\": \"user\", \"mac\": \"52:54:00:00:00:01\" },\n"
	    "    \"ssh\": {\n"
	    "\t\"user\": \"root\", // who logs in\n"
	    "\t\"identity\": \"/k\"\n"
	    "    },\n"
	    "    \"name\": \"n\"\n"
	    "}\n");
	profile_edit_free(e);
}
END_TEST

/* Trailing commas stay trailing commas; a drive written over two lines (the example
 * profiles' style) gets its new keys in its own column. */
START_TEST(test_odd_layouts)
{
	struct profile_edit *e = edit_of(
	    "{\"drives\": [\n"
	    "\t\t{ \"file\": \"images/a.qcow2\", \"format\": \"qcow2\", \"if\": \"virtio\",\n"
	    "\t\t  \"size\": \"8G\" },\n"
	    "\t\t{ \"file\": 'b.img', },\n"
	    "\t],\n"
	    "\t\"snapshot\": false,\n"
	    "}");

	set(e, "drives[0].file", "/p/twin-a.qcow2");
	set(e, "drives[0].backing", "/p/images/a.qcow2");
	set(e, "drives[1].file", "/p/b.img");
	set(e, "drives[1].format", "raw");
	set(e, "name", "twin");
	expect(e,
	    "{\"drives\": [\n"
	    "\t\t{ \"file\": \"/p/twin-a.qcow2\", \"format\": \"qcow2\", \"if\": \"virtio\",\n"
	    "\t\t  \"size\": \"8G\",\n"
	    "\t\t  \"backing\": \"/p/images/a.qcow2\" },\n"
	    "\t\t{ \"file\": \"/p/b.img\", \"format\": \"raw\", },\n"
	    "\t],\n"
	    "\t\"snapshot\": false,\n"
	    "\t\"name\": \"twin\",\n"
	    "}");
	profile_edit_free(e);

	/* CRLF lines, a byte-order mark, an empty object */
	e = edit_of("\xef\xbb\xbf{\r\n  \"ssh\": {},\r\n  \"memory\": \"1G\" // m\r\n}\r\n");
	set(e, "ssh.user", "root");
	set(e, "name", "w");
	profile_edit_comment(e, "c");
	expect(e, "\xef\xbb\xbf// c\n{\r\n  \"ssh\": { \"user\": \"root\" },\r\n"
	    "  \"memory\": \"1G\", // m\r\n  \"name\": \"w\"\r\n}\r\n");
	profile_edit_free(e);
}
END_TEST

/* Strings with escapes: read as json-c reads them, written escaped. */
START_TEST(test_escapes)
{
	struct profile_edit *e = edit_of(
	    "{ \"append\": \"a \\\"quoted\\\" \\\\ word\", \"kernel\": \"\\/boot\\/k\" }");
	json_object *o, *v;
	qt_error err;

	/* the same string written another way: nothing changes */
	set(e, "kernel", "/boot/k");
	set(e, "append", "a \"quoted\" \\ word");
	expect(e, "{ \"append\": \"a \\\"quoted\\\" \\\\ word\", \"kernel\": \"\\/boot\\/k\" }");
	set(e, "append", "tab\there \"q\" back\\slash \x01 caf\xc3\xa9");
	o = json_tokener_parse(profile_edit_text(e, NULL));
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "append", &v));
	ck_assert_str_eq(json_object_get_string(v), "tab\there \"q\" back\\slash \x01 caf\xc3\xa9");
	json_object_put(o);
	/* a path that is not one */
	ck_assert_int_eq(profile_edit_set(e, "drives[0].file", "x", &err), -1);
	ck_assert_int_eq(profile_edit_set(e, "a..b", "x", &err), -1);
	ck_assert_int_eq(profile_edit_set(e, "drives[0]", "x", &err), -1);
	profile_edit_free(e);
}
END_TEST

/* Duplicate keys: json-c keeps the last, so the last is the one edited. */
START_TEST(test_duplicate_key)
{
	struct profile_edit *e = edit_of("{ \"name\": \"a\", \"name\": \"b\" }");

	set(e, "name", "c");
	expect(e, "{ \"name\": \"a\", \"name\": \"c\" }");
	profile_edit_free(e);
}
END_TEST

/* A removed key takes its comma, and its line when it had one to itself. */
START_TEST(test_remove)
{
	struct profile_edit *e = edit_of(
	    "{\n"
	    "\t\"ssh\": {\n"
	    "\t\t\"user\": \"shell\",\n"
	    "\t\t\"port\": 10023, // the seed's port\n"
	    "\t\t\"identity\": \"k\",\n"
	    "\t},\n"
	    "\t\"net\": { \"a\": 1, \"port\": 2 }\n"
	    "}\n");
	qt_error err;

	ck_assert_int_eq(profile_edit_remove(e, "ssh.port", &err), 0);
	ck_assert_int_eq(profile_edit_remove(e, "net.port", &err), 0);
	ck_assert_int_eq(profile_edit_remove(e, "ssh.nothing", &err), 0);
	expect(e,
	    "{\n"
	    "\t\"ssh\": {\n"
	    "\t\t\"user\": \"shell\",\n"
	    "\t\t // the seed's port\n"
	    "\t\t\"identity\": \"k\",\n"
	    "\t},\n"
	    "\t\"net\": { \"a\": 1 }\n"
	    "}\n");
	profile_edit_free(e);

	e = edit_of("{\n  \"a\": 1,\n  \"port\": 2\n}\n");
	ck_assert_int_eq(profile_edit_remove(e, "port", &err), 0);
	expect(e, "{\n  \"a\": 1\n}\n");
	profile_edit_free(e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("profile_edit");
	TCase *tc = tcase_create("edit");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_value_changed_comments_kept);
	tcase_add_test(tc, test_comment_value_untouched);
	tcase_add_test(tc, test_key_inserted);
	tcase_add_test(tc, test_odd_layouts);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_remove);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
