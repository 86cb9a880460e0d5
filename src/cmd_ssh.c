/*
 * qemu-tui ssh NAME [-- COMMAND...]: the dashboard's SSH session on this terminal, or one
 * command with its exit status, like ssh itself. qemu-tui ssh-config NAME: a Host block
 * for ~/.ssh/config.
 *
 * Questions (an unknown host key, a password) are asked on /dev/tty while the session
 * waits for them: the only thing this loop would otherwise do is wait for the answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "loop.h"
#include "net.h"
#include "ssh.h"
#include "util.h"
#include "vm.h"

struct sshcli {
	struct loop *loop;
	struct ssh_sess *sess;
	const char *name;
	bool done;
	int rc;
	bool in_tty, in_open, in_watched, ready;
	struct buf out[2];	/* stdout, stderr */
	bool out_watched[2];
};

/* The terminal's modes, put back on every way out (the fatal hook included). */
static struct {
	bool raw;
	struct termios saved;
} tty = { false, { 0 } };

static void
tty_restore(void)
{
	if (tty.raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &tty.saved);
		tty.raw = false;
	}
}

/* A line from /dev/tty, echo off when asked; NULL without a terminal. */
static char *
ask_tty(const char *question, bool echo)
{
	struct termios t, saved;
	char line[1024];
	bool quiet = false;
	FILE *f;
	size_t n;

	if ((f = fopen("/dev/tty", "r+")) == NULL)
		return NULL;
	if (tty.raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &tty.saved);
	fprintf(f, "%s", question);
	fflush(f);
	if (!echo && tcgetattr(fileno(f), &saved) == 0) {
		t = saved;
		t.c_lflag &= ~(tcflag_t)ECHO;
		quiet = tcsetattr(fileno(f), TCSANOW, &t) == 0;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	if (quiet) {
		tcsetattr(fileno(f), TCSANOW, &saved);
		fprintf(f, "\n");
	}
	fclose(f);
	if (tty.raw) {
		struct termios raw = tty.saved;

		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	{
		char *r = xstrdup(line);

		explicit_bzero(line, sizeof line);
		return r;
	}
}

static void out_io(int fd, short revents, void *arg);
static void in_io(int fd, short revents, void *arg);

static void
want(struct sshcli *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		bool w = buf_used(&c->out[i]) > 0;

		if (w && !c->out_watched[i])
			loop_io_add(c->loop, i + 1, POLLOUT, out_io, c);
		else if (!w && c->out_watched[i])
			loop_io_del(c->loop, i + 1);
		c->out_watched[i] = w;
	}
	{
		bool w = c->ready && c->in_open && !c->done;

		if (w && !c->in_watched)
			loop_io_add(c->loop, STDIN_FILENO, POLLIN, in_io, c);
		else if (!w && c->in_watched)
			loop_io_del(c->loop, STDIN_FILENO);
		c->in_watched = w;
	}
}

static void
out_io(int fd, short revents, void *arg)
{
	struct sshcli *c = arg;

	(void)revents;
	if (buf_flush(&c->out[fd - 1], fd) == -1)
		buf_free(&c->out[fd - 1]);	/* the reader went away: drop */
	want(c);
	if (c->done && buf_used(&c->out[0]) == 0 && buf_used(&c->out[1]) == 0)
		loop_stop(c->loop);
}

static void
in_io(int fd, short revents, void *arg)
{
	struct sshcli *c = arg;
	char data[4096];
	ssize_t n;

	(void)revents;
	n = read(fd, data, sizeof data);
	if (n > 0)
		ssh_sess_write(c->sess, data, (size_t)n);
	else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		c->in_open = false;
		ssh_sess_send_eof(c->sess);
	}
	want(c);
}

static void
finish(struct sshcli *c, int rc)
{
	c->done = true;
	c->rc = rc;
	c->sess = NULL;	/* freed by the hook's caller, below */
	want(c);
	if (buf_used(&c->out[0]) == 0 && buf_used(&c->out[1]) == 0)
		loop_stop(c->loop);
}

static void
on_status(void *arg, const char *msg)
{
	struct sshcli *c = arg;

	/* Progress only when someone watches; a script wants the command's output alone. */
	if (c->in_tty && strncmp(msg, "waiting", 7) == 0) {
		fprintf(stderr, "qemu-tui: %s\r\n", msg);
		fflush(stderr);
	} else if (strncmp(msg, "could not", 9) == 0)
		fprintf(stderr, "qemu-tui: %s\r\n", msg);
}

static void
on_hostkey(void *arg, const char *fp, const char *hostport)
{
	struct sshcli *c = arg;
	enum ssh_hostkey_answer a = SSH_HOSTKEY_REJECT;
	char *q, *ans;

	q = xasprintf("The host key of %s (%s) is not known yet.\n"
	    "Its fingerprint is %s.\nAccept it (o)nce, accept and (s)ave it, or (r)eject? ",
	    c->name, hostport, fp);
	ans = ask_tty(q, true);
	free(q);
	if (ans == NULL)
		fprintf(stderr, "qemu-tui: the host key of %s (%s, %s) is not known and there "
		    "is no terminal to ask on (set ssh.host_key_check to accept-new for a "
		    "throw-away guest)\n", c->name, hostport, fp);
	else if (ans[0] == 'o' || ans[0] == 'O')
		a = SSH_HOSTKEY_ONCE;
	else if (ans[0] == 's' || ans[0] == 'S' || ans[0] == 'y' || ans[0] == 'Y')
		a = SSH_HOSTKEY_SAVE;
	free(ans);
	ssh_sess_hostkey_answer(c->sess, a);
}

static void
on_prompt(void *arg, const char *question, bool echo)
{
	struct sshcli *c = arg;
	char *ans = ask_tty(question, echo);

	ssh_sess_prompt_answer(c->sess, ans);
	if (ans != NULL) {
		explicit_bzero(ans, strlen(ans));
		free(ans);
	}
}

static void
on_ready(void *arg)
{
	struct sshcli *c = arg;

	c->ready = true;
	want(c);
}

static void
on_data(void *arg, bool is_stderr, const char *data, size_t len)
{
	struct sshcli *c = arg;
	struct buf *b = &c->out[is_stderr ? 1 : 0];

	buf_add(b, data, len);
	if (buf_flush(b, is_stderr ? 2 : 1) == -1)
		buf_free(b);
	want(c);
}

static void
on_closed(void *arg, int exit_status)
{
	struct sshcli *c = arg;

	ssh_sess_free(c->sess);
	finish(c, exit_status >= 0 ? exit_status : 255);
}

static void
on_failed(void *arg, const char *msg)
{
	struct sshcli *c = arg;

	tty_restore();
	fprintf(stderr, "%sqemu-tui: %s: %s\n", c->ready ? "\r\n" : "", c->name, msg);
	ssh_sess_free(c->sess);
	finish(c, 255);
}

static void
on_winch(int sig, void *arg)
{
	struct sshcli *c = arg;
	struct winsize ws;

	(void)sig;
	if (c->sess != NULL && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		ssh_sess_resize(c->sess, ws.ws_row, ws.ws_col);
}

static void
on_signal(int sig, void *arg)
{
	struct sshcli *c = arg;

	if (c->sess != NULL) {
		ssh_sess_free(c->sess);
		c->sess = NULL;
	}
	finish(c, 128 + sig);
}

/* Load the profile and where its sshd is; prints errors. */
static int
target_for(struct cmd_ctx *ctx, const char *name, struct profile_list *list,
    struct ssh_target *t, bool need_running)
{
	struct net_ssh_endpoint ssh;
	struct profile *p;
	struct vm_run run;
	enum vm_state st;
	qt_error err;
	int rc, have_run;

	if ((p = cmd_profile(ctx, name, list, 0)) == NULL)
		return -1;
	have_run = vm_run_read(name, &run, &err) == 0;
	if (have_run && !vm_state_live(st = vm_state_of(&run, NULL))) {
		/* Nothing can answer on a stopped VM's forwarded port. */
		net_ssh_endpoint(p, 0, &ssh);
		if (need_running && ssh.forward) {
			fprintf(stderr, "qemu-tui: %s is %s (start it with `qemu-tui start %s`)\n",
			    name, vm_state_name(st), name);
			vm_run_free(&run);
			return -1;
		}
		run.ssh_port = 0;	/* a stale port from an earlier run */
	}
	rc = ssh_target_resolve(p, have_run ? &run : NULL, NULL, 0, t, &err);
	if (have_run)
		vm_run_free(&run);
	if (rc == -1)
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
	return rc;
}

/* No agent, no identity, no key: offer one, as the dashboard does. */
static void
offer_key(const struct ssh_target *t)
{
	char *ans, *pub = NULL, *hint, *path;
	qt_error err;

	if (t->identity != NULL || getenv("SSH_AUTH_SOCK") != NULL || ssh_have_default_key() ||
	    !isatty(STDIN_FILENO))
		return;
	path = ssh_default_key_path();
	ans = ask_tty("There is no SSH key in ~/.ssh yet. Create ~/.ssh/id_ed25519 now? "
	    "[y/N] ", true);
	if (ans != NULL && (ans[0] == 'y' || ans[0] == 'Y')) {
		if (ssh_keygen_default(&pub, &err) == -1)
			fprintf(stderr, "qemu-tui: %s\n", err.msg);
		else {
			hint = ssh_install_hint(pub, t);
			fprintf(stderr, "Created %s (and %s.pub):\n%s\n%s\n", path, path, pub, hint);
			free(hint);
			free(pub);
		}
	}
	free(ans);
	free(path);
}

static int
cmd_ssh_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct ssh_hooks hooks = {
		.status = on_status, .hostkey = on_hostkey, .prompt = on_prompt,
		.ready = on_ready, .data = on_data, .closed = on_closed, .failed = on_failed,
	};
	struct profile_list list = { NULL, 0 };
	struct ssh_target t;
	struct sshcli c;
	struct winsize ws;
	qt_error err;
	char *command = NULL;
	int first = 0, i, cstart, rows = 24, cols = 80;	/* argv[first]: NAME */
	size_t len = 0;

	/* The words after NAME (and an optional --) make one command line. */
	i = first + 1;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	for (cstart = i; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len > 0) {
		command = xcalloc(1, len);
		for (i = cstart; i < argc; i++) {
			if (i > cstart)
				strcat(command, " ");
			strcat(command, argv[i]);
		}
	}
	memset(&c, 0, sizeof c);
	c.name = argv[first];
	if (target_for(ctx, c.name, &list, &t, true) == -1) {
		profile_list_free(&list);
		free(command);
		return 255;
	}
	profile_list_free(&list);
	offer_key(&t);

	c.in_tty = isatty(STDIN_FILENO);
	c.in_open = true;
	if (c.in_tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
	signal(SIGPIPE, SIG_IGN);
	c.loop = loop_new();
	loop_signal(c.loop, SIGWINCH, on_winch, &c);
	loop_signal(c.loop, SIGTERM, on_signal, &c);
	loop_signal(c.loop, SIGHUP, on_signal, &c);
	if (command != NULL || !c.in_tty)
		loop_signal(c.loop, SIGINT, on_signal, &c);
	c.sess = ssh_sess_open(c.loop, &t, command, rows, cols, &hooks, &c, &err);
	ssh_target_free(&t);
	free(command);
	if (c.sess == NULL) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		loop_free(c.loop);
		return 255;
	}
	/* A shell on a terminal: raw, so every key (Ctrl-C too) goes to the guest. */
	fatal_set_hook(tty_restore);
	if (c.in_tty && len == 0 && tcgetattr(STDIN_FILENO, &tty.saved) == 0) {
		struct termios raw = tty.saved;

		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			tty.raw = true;
	}
	loop_run(c.loop);
	tty_restore();
	fatal_set_hook(NULL);
	if (c.sess != NULL)
		ssh_sess_free(c.sess);
	loop_free(c.loop);
	buf_free(&c.out[0]);
	buf_free(&c.out[1]);
	signal(SIGPIPE, SIG_DFL);
	return c.rc;
}

static const struct cmd_option ssh_options[] = {
	CMD_OPTION_SET,
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_ssh_entry = {
	.name = "ssh", .args = "NAME [-- COMMAND...]", .min_args = 1, .max_args = -1,
	.flags = CMD_ARG_PROFILE | CMD_OPTS_TO_ARG, .options = ssh_options,
	.help = "an SSH shell into the VM here, or run one command",
	.exec = cmd_ssh_exec
};

/*
 * One ssh_config argument: as it is, or in double quotes when it holds a
 * blank, '#' or a backslash. ssh_config has no escape for '"' or a control
 * character: NULL (the block would say something else than the profile).
 */
static char *
config_word(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"')
			return NULL;
	if (*s != '\0' && strpbrk(s, " \t#\\") == NULL)
		return xstrdup(s);
	return xasprintf("\"%s\"", s);
}

static int
cmd_ssh_config_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list = { NULL, 0 };
	struct ssh_target t;
	char *key;
	int first = 0;		/* argv[first]: NAME */

	if (target_for(ctx, argv[first], &list, &t, false) == -1) {
		profile_list_free(&list);
		return 1;
	}
	profile_list_free(&list);
	key = t.identity != NULL ? xstrdup(t.identity) : ssh_default_key_path();
	if (t.port_from_run)
		printf("# The port was chosen when %s started and changes with every start;\n"
		    "# fix it with \"ssh\": { \"port\": N } in the profile.\n", argv[first]);
	{
		const char *raw[] = { argv[first], t.host_name, t.user, key };
		char *w[4];
		size_t i;
		bool ok = true;

		for (i = 0; i < 4; i++)
			if ((w[i] = config_word(raw[i])) == NULL) {
				fprintf(stderr, "qemu-tui: ssh-config %s: \"%s\" cannot be written "
				    "into ssh_config (a '\"' or a control character); nothing was "
				    "printed\n", argv[first], raw[i]);
				ok = false;
			}
		if (ok)
			printf("Host %s\n    HostName %s\n    Port %d\n    User %s\n"
			    "    IdentityFile %s\n", w[0], w[1], t.port, w[2], w[3]);
		for (i = 0; i < 4; i++)
			free(w[i]);
		if (!ok) {
			free(key);
			ssh_target_free(&t);
			return 1;
		}
	}
	if (t.hkc == SSH_HKC_ACCEPT_NEW)
		printf("    StrictHostKeyChecking accept-new\n");
	else if (t.hkc == SSH_HKC_OFF)
		printf("    StrictHostKeyChecking no\n    UserKnownHostsFile /dev/null\n"
		    "    LogLevel ERROR\n");
	free(key);
	ssh_target_free(&t);
	return 0;
}

const struct cmd_entry cmd_ssh_config_entry = {
	.name = "ssh-config", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = ssh_options,
	.help = "a Host block for ~/.ssh/config",
	.exec = cmd_ssh_config_exec
};
