/* The pure parts of image.c: sizes, qemu-img's progress, info JSON, its errors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

START_TEST(test_sizes)
{
	uint64_t b;
	char buf[32];

	ck_assert_int_eq(image_parse_size("204800K", &b), 0);
	ck_assert_uint_eq(b, 209715200u);
	ck_assert_int_eq(image_parse_size("10G", &b), 0);
	ck_assert_uint_eq(b, 10737418240u);
	ck_assert_int_eq(image_parse_size("1.5M", &b), 0);
	ck_assert_uint_eq(b, 1572864u);
	ck_assert_int_eq(image_parse_size("512MiB", &b), 0);
	ck_assert_uint_eq(b, 536870912u);
	ck_assert_int_eq(image_parse_size("4096", &b), 0);
	ck_assert_uint_eq(b, 4096u);
	ck_assert_int_eq(image_parse_size("10X", &b), -1);
	ck_assert_int_eq(image_parse_size("-1G", &b), -1);
	ck_assert_int_eq(image_parse_size("", &b), -1);
	ck_assert_int_eq(image_parse_size("G", &b), -1);
	ck_assert_int_eq(image_parse_size("99999999T", &b), -1);
	image_format_size(209715200, buf, sizeof buf);
	ck_assert_str_eq(buf, "200 MiB");
	image_format_size(1536, buf, sizeof buf);
	ck_assert_str_eq(buf, "1.50 KiB");
	image_format_size(12, buf, sizeof buf);
	ck_assert_str_eq(buf, "12 B");
}
END_TEST

START_TEST(test_progress)
{
	struct image_progress p = { 0 };
	static const char out[] = "    (0.00/100%)\r    (12.50/100%)\r    (100.00/100%)\r\n";
	size_t i;

	/* Cut anywhere: the same figures. */
	ck_assert(!image_progress_feed(&p, out, 16));	/* 0.00: no change */
	ck_assert(!image_progress_feed(&p, out + 16, 10));	/* half a line */
	ck_assert(image_progress_feed(&p, out + 26, 7));
	ck_assert(p.pct == 12.5);
	for (i = 33; i < sizeof out - 1; i++)
		image_progress_feed(&p, out + i, 1);
	ck_assert(p.pct == 100.0);
	/* Nonsense changes nothing, and a long line never overflows. */
	memset(&p, 0, sizeof p);
	{
		char junk[300];

		memset(junk, '(', sizeof junk);
		ck_assert(!image_progress_feed(&p, junk, sizeof junk));
		ck_assert(!image_progress_feed(&p, "(250/100%)\r", 11));
		ck_assert(p.pct == 0.0);
	}
}
END_TEST

START_TEST(test_info)
{
	struct image_info info;
	qt_error err;

	ck_assert_int_eq(image_info_parse("{ \"virtual-size\": 209715200, \"format\": \"qcow2\","
	    " \"actual-size\": 200704, \"backing-filename\": \"base.qcow2\","
	    " \"snapshots\": [ {}, {} ] }", &info, &err), 0);
	ck_assert_str_eq(info.format, "qcow2");
	ck_assert_uint_eq(info.virtual_size, 209715200u);
	ck_assert_str_eq(info.backing, "base.qcow2");
	ck_assert_int_eq(info.snapshots, 2);
	image_info_free(&info);
	ck_assert_int_eq(image_info_parse("not json", &info, &err), -1);
	ck_assert_int_eq(image_info_parse("[1]", &info, &err), -1);
}
END_TEST

START_TEST(test_explain)
{
	qt_error err;

	image_explain("qemu-img convert", "/d/x.qcow2",
	    "qemu-img: error while writing at byte 0: No space left on device\n", &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "the disk is full writing /d/x.qcow2; nothing was left behind"));
	image_explain("qemu-img info", "x.img",
	    "qemu-img: Could not open 'x.img': Unknown driver 'qcow3'\n", &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "Unknown driver 'qcow3'"));
	image_explain("qemu-img convert", "nosuch.raw",
	    "qemu-img: Could not open 'nosuch.raw': Could not open 'nosuch.raw': "
	    "No such file or directory\n", &err);
	ck_assert_str_eq(err.msg, "qemu-img convert: Could not open 'nosuch.raw': "
	    "Could not open 'nosuch.raw': No such file or directory");
	image_explain("qemu-img create", "/ro/x", "qemu-img: /ro/x: Could not create "
	    "'/ro/x': Permission denied\n", &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot write /ro/x"));
}
END_TEST

/* qemu-img 7.2's info --output=json --backing-chain, trimmed: an overlay with a snapshot on a raw base. */
static const char chain_json[] =
    "[ { \"backing-filename-format\": \"raw\", \"snapshots\": [ { \"icount\": 0,"
    " \"vm-clock-nsec\": 0, \"name\": \"s1\", \"date-sec\": 1796505950,"
    " \"date-nsec\": 339135000, \"vm-clock-sec\": 0, \"id\": \"1\","
    " \"vm-state-size\": 0 } ], \"virtual-size\": 67108864, \"filename\": \"t.qcow2\","
    " \"cluster-size\": 65536, \"format\": \"qcow2\", \"actual-size\": 208896,"
    " \"full-backing-filename\": \"b.raw\", \"backing-filename\": \"b.raw\","
    " \"dirty-flag\": false },"
    " { \"virtual-size\": 67108864, \"filename\": \"b.raw\", \"format\": \"raw\","
    " \"actual-size\": 0, \"dirty-flag\": false } ]";

START_TEST(test_chain)
{
	struct image_layer *l;
	size_t n;
	qt_error err;

	ck_assert_int_eq(image_chain_parse(chain_json, &l, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(l[0].file, "t.qcow2");
	ck_assert_str_eq(l[0].format, "qcow2");
	ck_assert_uint_eq(l[0].virtual_size, 67108864u);
	ck_assert_uint_eq(l[0].actual_size, 208896u);
	ck_assert_str_eq(l[0].backing, "b.raw");
	ck_assert_uint_eq(l[0].nsnaps, 1);
	ck_assert_str_eq(l[0].snaps[0].tag, "s1");
	ck_assert_str_eq(l[0].snaps[0].id, "1");
	ck_assert_int_eq(l[0].snaps[0].date_sec, 1796505950);
	ck_assert_str_eq(l[1].file, "b.raw");
	ck_assert_str_eq(l[1].format, "raw");
	ck_assert_ptr_null(l[1].backing);
	ck_assert_uint_eq(l[1].nsnaps, 0);
	image_chain_free(l, n);
	/* Without --backing-chain: one object. */
	ck_assert_int_eq(image_chain_parse("{ \"filename\": \"x.raw\", \"format\": \"raw\","
	    " \"virtual-size\": 1024 }", &l, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0].file, "x.raw");
	ck_assert_uint_eq(l[0].virtual_size, 1024u);
	image_chain_free(l, n);
	ck_assert_int_eq(image_chain_parse("nonsense", &l, &n, &err), -1);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(image_chain_parse("[ {}, 3 ]", &l, &n, &err), -1);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(image_chain_parse("\"a string\"", &l, &n, &err), -1);
}
END_TEST

START_TEST(test_stats_format)
{
	struct image_job_stats st = { 0 };
	char buf[200];

	st.pct = 12.5;
	st.left = -1;
	image_stats_format(&st, buf, sizeof buf);
	ck_assert_str_eq(buf, "12.5%");
	st.pct = 50;
	st.total = 2ull << 30;
	st.done = 1ull << 30;
	st.rate = 100.0 * 1048576;
	st.left = 10.4;
	image_stats_format(&st, buf, sizeof buf);
	ck_assert_str_eq(buf, "50.0%  1.00 GiB / 2.00 GiB  100 MiB/s  10 s left");
	image_bar_format("convert", &st, 32, buf, sizeof buf);
	ck_assert_str_eq(buf, "convert [####....] 50.0%  1.00 GiB / 2.00 GiB  100 MiB/s  10 s left");
	/* A short buffer is cut, never overrun. */
	image_stats_format(&st, buf, 8);
	ck_assert_str_eq(buf, "50.0%  ");
}
END_TEST

START_TEST(test_tmp_name)
{
	char *t = image_tmp_name("/a/b/disk.qcow2");

	ck_assert_ptr_nonnull(strstr(t, "/a/b/.disk.qcow2.qemu-tui-"));
	ck_assert_ptr_nonnull(strstr(t, ".tmp"));
	free(t);
	t = image_tmp_name("disk.qcow2");
	ck_assert_int_eq(strncmp(t, ".disk.qcow2.qemu-tui-", 21), 0);
	free(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("image");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_explain);
	tcase_add_test(tc, test_tmp_name);
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_stats_format);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
