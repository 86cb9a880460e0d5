/* forward.c's pure parts: the spec syntax and the guest's listeners from real
 * /proc/net/tcp and tcp6 text (the aarch64 test guest's, and a Linux host's). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"

/* `cat /proc/net/tcp /proc/net/tcp6` in the aarch64 test guest: dropbear on 22 (both
 * families, one session established), busybox httpd on 8080 and nc on 7070 (tcp6
 * wildcard sockets, which take IPv4 too). */
static const char guest_text[] =
"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     \n"
"   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9034 1 00000000a2994bfc 100 0 0 10 5                      \n"
"   1: 0F02000A:0016 0202000A:E7DC 01 00000000:00000000 00:00000000 00000000     0        0 9071 1 000000006de4cd44 21 4 30 10 -1                     \n"
"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
"   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9035 1 0000000062e4094a 100 0 0 10 5\n"
"   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9069 1 00000000554f6547 100 0 0 10 0\n"
"   2: 00000000000000000000000000000000:1B9E 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9253 1 00000000f274c4fb 100 0 0 10 0\n";

/* A host's: a wildcard listener on 2024, loopback ones on 37417 (127.0.0.1) and
 * 40941 (::1), TIME_WAIT leftovers (06) of a loopback server on 38303. */
static const char host_text[] =
"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     \n"
"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1098 1 000000009a17b7ca 100 0 0 10 0                      \n"
"   2: 0100007F:9229 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 213010 1 0000000021cdcfcd 100 0 0 10 0                    \n"
"   3: 0100007F:959F 0100007F:9C36 06 00000000:00000000 03:00000041 00000000     0        0 0 3 00000000c41e0542                                      \n"
"   4: 0100007F:959F 0100007F:DF24 06 00000000:00000000 03:0000041E 00000000     0        0 0 3 0000000004d0c02b                                      \n"
"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
"   0: 00000000000000000000000001000000:9FED 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 213009 1 0000000068e8b095 100 0 0 10 0\n";

START_TEST(test_guest_listeners)
{
	struct forward_listener l[8];
	size_t n = forward_parse_listeners(guest_text, l, 8);

	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(l[0].port, 22);	/* once, though in both files */
	ck_assert_int_eq(l[1].port, 7070);	/* sorted by port */
	ck_assert_int_eq(l[2].port, 8080);
	ck_assert(!l[0].loopback_only && !l[1].loopback_only && !l[2].loopback_only);
}
END_TEST

START_TEST(test_host_listeners)
{
	struct forward_listener l[8];
	size_t n = forward_parse_listeners(host_text, l, 8);

	ck_assert_uint_eq(n, 3);	/* no TIME_WAIT port */
	ck_assert_int_eq(l[0].port, 2024);
	ck_assert(!l[0].loopback_only);
	ck_assert_int_eq(l[1].port, 37417);
	ck_assert(l[1].loopback_only);
	ck_assert_int_eq(l[2].port, 40941);
	ck_assert(l[2].loopback_only);
}
END_TEST

/* A port on 127.0.0.1 and on the wildcard: the wildcard one makes it reachable. */
START_TEST(test_loopback_and_wildcard)
{
	static const char text[] =
	    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
	    "   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n"
	    "   2: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0\n";
	struct forward_listener l[4];

	ck_assert_uint_eq(forward_parse_listeners(text, l, 4), 2);
	ck_assert_int_eq(l[0].port, 80);
	ck_assert(l[0].loopback_only);	/* ::ffff:127.0.0.1 */
	ck_assert_int_eq(l[1].port, 8080);
	ck_assert(!l[1].loopback_only);
}
END_TEST

START_TEST(test_listeners_edges)
{
	struct forward_listener l[2];

	ck_assert_uint_eq(forward_parse_listeners("", l, 2), 0);
	ck_assert_uint_eq(forward_parse_listeners("garbage\n\n: : :\n", l, 2), 0);
	/* No newline at the end; the cap. */
	ck_assert_uint_eq(forward_parse_listeners(guest_text, l, 2), 2);
	ck_assert_uint_eq(forward_parse_listeners(
	    "   0: 00000000:0016 00000000:0000 0A 0", l, 2), 1);
	ck_assert_int_eq(l[0].port, 22);
}
END_TEST

START_TEST(test_parse_spec)
{
	struct net_live_forward f;
	qt_error err;

	ck_assert_int_eq(forward_parse("8080:80", &f, &err), 0);
	ck_assert_str_eq(f.proto, "tcp");
	ck_assert_str_eq(f.addr, "127.0.0.1");
	ck_assert_int_eq(f.host_port, 8080);
	ck_assert_int_eq(f.guest_port, 80);
	ck_assert_int_eq(forward_parse("udp:127.0.0.2:5353:53", &f, &err), 0);
	ck_assert_str_eq(f.proto, "udp");
	ck_assert_str_eq(f.addr, "127.0.0.2");
	ck_assert_int_eq(f.host_port, 5353);
	ck_assert_int_eq(forward_parse("0.0.0.0:2222:22", &f, &err), 0);
	ck_assert_str_eq(f.proto, "tcp");
	ck_assert_str_eq(f.addr, "0.0.0.0");
	ck_assert_int_eq(forward_parse("80", &f, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "HOSTPORT:GUESTPORT"));
	ck_assert_int_eq(forward_parse("a:b", &f, &err), -1);
	ck_assert_int_eq(forward_parse("70000:1", &f, &err), -1);
	ck_assert_int_eq(forward_parse("0:22", &f, &err), -1);
	ck_assert_int_eq(forward_parse("tcp:1.2.3.4:1:2:3", &f, &err), -1);
	ck_assert_int_eq(forward_parse("tcp:22", &f, &err), -1);
}
END_TEST

static Suite *
forward_suite(void)
{
	Suite *s = suite_create("forward");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_guest_listeners);
	tcase_add_test(tc, test_host_listeners);
	tcase_add_test(tc, test_loopback_and_wildcard);
	tcase_add_test(tc, test_listeners_edges);
	tcase_add_test(tc, test_parse_spec);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(forward_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
