/* Where an SSH session goes for a profile and a run, and the key made for a user. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "ssh.h"
#include "vm.h"

static struct profile *
parse(const char *json)
{
	struct profile *p = profile_parse("/tmp/t.json", json, strlen(json));

	ck_assert_ptr_nonnull(p);
	return p;
}

START_TEST(test_user_net_uses_the_run_port)
{
	struct profile *p = parse("{ \"name\": \"u\", \"arch\": \"x86_64\" }");
	struct vm_run run;
	struct ssh_target t;
	qt_error err;
	char *hp;

	memset(&run, 0, sizeof run);
	/* Not running and no fixed port: nothing to connect to, and the message says why. */
	ck_assert_int_eq(ssh_target_resolve(p, NULL, NULL, 0, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "chosen when it starts"));
	run.ssh_port = 40123;
	ck_assert_int_eq(ssh_target_resolve(p, &run, NULL, 0, &t, &err), 0);
	ck_assert_str_eq(t.host, "127.0.0.1");
	ck_assert_int_eq(t.port, 40123);
	ck_assert(t.port_from_run);
	ck_assert_str_eq(t.user, "root");
	ck_assert_int_eq(t.hkc, SSH_HKC_ASK);
	ck_assert_int_eq(t.connect_timeout, 60);
	hp = ssh_target_hostport(&t);
	ck_assert_str_eq(hp, "[127.0.0.1]:40123");
	free(hp);
	ssh_target_free(&t);
	profile_free(p);
}
END_TEST

START_TEST(test_fixed_port_and_options)
{
	struct profile *p = parse("{ \"name\": \"f\", \"arch\": \"x86_64\", \"ssh\": { \"user\": "
	    "\"dev\", \"port\": 2222, \"host_key_check\": \"accept-new\", "
	    "\"connect_timeout\": 5 } }");
	struct vm_run run;
	struct ssh_target t;
	qt_error err;

	memset(&run, 0, sizeof run);
	run.ssh_port = 40123;	/* the fixed port wins over what the run recorded */
	ck_assert_int_eq(ssh_target_resolve(p, &run, NULL, 0, &t, &err), 0);
	ck_assert_int_eq(t.port, 2222);
	ck_assert(!t.port_from_run);
	ck_assert_str_eq(t.user, "dev");
	ck_assert_int_eq(t.hkc, SSH_HKC_ACCEPT_NEW);
	ck_assert_int_eq(t.connect_timeout, 5);
	ssh_target_free(&t);
	/* An explicit host and port win over the profile. */
	ck_assert_int_eq(ssh_target_resolve(p, &run, "10.9.8.7", 2200, &t, &err), 0);
	ck_assert_str_eq(t.host, "10.9.8.7");
	ck_assert_int_eq(t.port, 2200);
	ssh_target_free(&t);
	profile_free(p);
}
END_TEST

/* A loopback ssh.host with user networking is the forward, not a remote. */
START_TEST(test_loopback_host_is_the_forward)
{
	struct profile *p = parse("{ \"name\": \"b\", \"arch\": \"x86_64\", \"ssh\": { "
	    "\"host\": \"127.0.0.1\", \"port\": 10023 } }");
	struct vm_run run;
	struct ssh_target t;
	qt_error err;

	memset(&run, 0, sizeof run);
	ck_assert_int_eq(ssh_target_resolve(p, NULL, NULL, 0, &t, &err), 0);
	ck_assert_str_eq(t.host, "127.0.0.1");
	ck_assert_int_eq(t.port, 10023);
	ck_assert(!t.port_from_run);
	ssh_target_free(&t);
	profile_free(p);
	p = parse("{ \"name\": \"l\", \"arch\": \"x86_64\", \"ssh\": { "
	    "\"host\": \"localhost\" } }");
	ck_assert_int_eq(ssh_target_resolve(p, NULL, NULL, 0, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "chosen when it starts"));
	run.ssh_port = 40123;
	ck_assert_int_eq(ssh_target_resolve(p, &run, NULL, 0, &t, &err), 0);
	/* Where the forward listens, whatever localhost resolves to first. */
	ck_assert_str_eq(t.host, "127.0.0.1");
	ck_assert_str_eq(t.host_name, "localhost");
	ck_assert_int_eq(t.port, 40123);
	ck_assert(t.port_from_run);
	ssh_target_free(&t);
	profile_free(p);
}
END_TEST

START_TEST(test_tap_needs_a_host)
{
	struct profile *p = parse("{ \"name\": \"t\", \"arch\": \"x86_64\", \"network\": "
	    "{ \"mode\": \"tap\", \"ifname\": \"tap0\" } }");
	struct ssh_target t;
	char *hp;
	qt_error err;

	ck_assert_int_eq(ssh_target_resolve(p, NULL, NULL, 0, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "set ssh.host"));
	ck_assert_ptr_nonnull(strstr(err.msg, "/tmp/t.json"));
	profile_free(p);
	p = parse("{ \"name\": \"t\", \"arch\": \"x86_64\", \"network\": { \"mode\": \"tap\", "
	    "\"ifname\": \"tap0\" }, \"ssh\": { \"host\": \"172.16.0.2\", "
	    "\"host_key_check\": \"off\" } }");
	ck_assert_int_eq(ssh_target_resolve(p, NULL, NULL, 0, &t, &err), 0);
	ck_assert_str_eq(t.host, "172.16.0.2");
	ck_assert_int_eq(t.port, 22);
	ck_assert_int_eq(t.hkc, SSH_HKC_OFF);
	/* Port 22 is written without brackets in known_hosts. */
	hp = ssh_target_hostport(&t);
	ck_assert_str_eq(hp, "172.16.0.2");
	free(hp);
	ssh_target_free(&t);
	profile_free(p);
}
END_TEST

START_TEST(test_keygen)
{
	char home[] = "/tmp/qt-ssh-home.XXXXXX", path[256], line[1024];
	struct ssh_target t = { 0 };
	struct stat st;
	char *pub = NULL, *hint;
	qt_error err;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(home));
	setenv("HOME", home, 1);
	unsetenv("SSH_AUTH_SOCK");
	ck_assert(!ssh_have_default_key());
	ck_assert_int_eq(ssh_keygen_default(&pub, &err), 0);
	ck_assert(ssh_have_default_key());
	ck_assert_int_eq(strncmp(pub, "ssh-ed25519 AAAA", 16), 0);
	snprintf(path, sizeof path, "%s/.ssh/id_ed25519", home);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(path, sizeof path, "%s/.ssh", home);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	snprintf(path, sizeof path, "%s/.ssh/id_ed25519.pub", home);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	ck_assert_str_eq(line, pub);
	/* A second one never overwrites the first. */
	free(pub);
	ck_assert_int_eq(ssh_keygen_default(&pub, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
	ck_assert_ptr_null(pub);
	t.host_name = (char *)"127.0.0.1";
	t.user = (char *)"root";
	t.port = 2222;
	hint = ssh_install_hint("ssh-ed25519 AAAAkey me@host", &t);
	ck_assert_ptr_nonnull(strstr(hint, "echo 'ssh-ed25519 AAAAkey me@host' >> ~/.ssh/authorized_keys"));
	ck_assert_ptr_nonnull(strstr(hint, "ssh-copy-id -i ~/.ssh/id_ed25519.pub -p 2222 root@127.0.0.1"));
	free(hint);
	snprintf(path, sizeof path, "rm -rf '%s'", home);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ssh");
	TCase *tc = tcase_create("ssh");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_user_net_uses_the_run_port);
	tcase_add_test(tc, test_fixed_port_and_options);
	tcase_add_test(tc, test_tap_needs_a_host);
	tcase_add_test(tc, test_loopback_host_is_the_forward);
	tcase_add_test(tc, test_keygen);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
