/*
 * An SSH pane: a libssh session (ssh.c) shown through a terminal (term.c). Every key goes
 * to the remote shell except the prefix key (settings, C-b by default), after which one
 * key is the dashboard's. Questions on the way in (make a key? trust this host key? a
 * password) are asked in a box inside the pane, so the other panes keep running.
 */
#include "ui_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh.h"
#include "term.h"

enum question {
	Q_NONE,
	Q_KEYGEN,	/* no key yet: make ~/.ssh/id_ed25519? */
	Q_HOSTKEY,	/* unknown host key: once, save, reject */
	Q_PROMPT,	/* a password or keyboard-interactive answer */
};

struct spane {
	struct tpane tp;	/* first: the shared terminal pane */
	char *name;
	char *where;		/* "root@127.0.0.1:2222" for the title */
	struct ssh_target target;
	struct ssh_sess *sess;
	bool ended;		/* the session is over: any key closes */

	enum question q;
	char qtext[600];
	bool qecho;
	char answer[256];	/* typed so far; wiped after use */
	size_t alen;
};

/* A line of our own in the terminal, dimmed (red for errors), so it reads apart
 * from the guest's output. */
static void
say(struct spane *sp, bool error, const char *text)
{
	const char *nl;

	term_feed(sp->tp.term, error ? "\033[31m" : "\033[2m", error ? 5 : 4);
	/* A CR before every LF: nobody's line discipline is between us and the term. */
	while ((nl = strchr(text, '\n')) != NULL) {
		term_feed(sp->tp.term, text, (size_t)(nl - text));
		term_feed(sp->tp.term, "\r\n", 2);
		text = nl + 1;
	}
	term_feed(sp->tp.term, text, strlen(text));
	term_feed(sp->tp.term, "\033[0m\r\n", 6);
	sp->tp.p->dirty = true;
}

static void
wipe_answer(struct spane *sp)
{
	explicit_bzero(sp->answer, sizeof sp->answer);
	sp->alen = 0;
}

static void
ask(struct spane *sp, enum question q, bool echo, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
ask(struct spane *sp, enum question q, bool echo, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sp->qtext, sizeof sp->qtext, fmt, ap);
	va_end(ap);
	/* The answer is the next key: back to the live screen, where the box is. */
	if (sp->tp.scroll != NULL)
		tpane_live(&sp->tp);
	sp->q = q;
	sp->qecho = echo;
	snprintf(sp->tp.note, sizeof sp->tp.note, "%s", q == Q_PROMPT ? "password?" :
	    q == Q_HOSTKEY ? "host key?" : "make a key?");
	wipe_answer(sp);
	sp->tp.p->dirty = true;
	ui_mark(sp->tp.p->ui);
	if (!ui_focused(sp->tp.p->ui, sp->tp.p))
		ui_message(sp->tp.p->ui, false, "%s: a question waits in its SSH pane", sp->name);
}

static void
term_out(const char *buf, size_t len, void *arg)
{
	struct spane *sp = arg;

	if (sp->sess != NULL && !sp->ended)
		ssh_sess_write(sp->sess, buf, len);
}

static void
send_raw(struct tpane *tp, const char *buf, size_t len)
{
	term_out(buf, len, tp);
}

/* ---- session hooks ---- */

static void
on_status(void *arg, const char *msg)
{
	struct spane *sp = arg;

	say(sp, false, msg);
	snprintf(sp->tp.note, sizeof sp->tp.note, "%s", ssh_sess_state(sp->sess));
}

static void
on_hostkey(void *arg, const char *fp, const char *hostport)
{
	struct spane *sp = arg;

	ask(sp, Q_HOSTKEY, true, "The host key of %s (%s) is not known yet. Its "
	    "fingerprint is %s.\n\n[o] accept once  [s] accept and save  [r] reject",
	    sp->name, hostport, fp);
}

static void
on_prompt(void *arg, const char *question, bool echo)
{
	struct spane *sp = arg;

	ask(sp, Q_PROMPT, echo, "%s", question);
}

static void
on_ready(void *arg)
{
	struct spane *sp = arg;

	sp->tp.note[0] = '\0';
	/* The greeting and prompt start on a clean screen, the way a terminal's ssh does. */
	term_feed(sp->tp.term, "\033[H\033[2J", 7);
	sp->tp.p->dirty = true;
	ui_mark(sp->tp.p->ui);
}

static void
on_data(void *arg, bool is_stderr, const char *data, size_t len)
{
	struct spane *sp = arg;

	(void)is_stderr;
	term_feed(sp->tp.term, data, len);
	sp->tp.p->dirty = true;
}

static void
ended(struct spane *sp, const char *how)
{
	sp->ended = sp->tp.keep_note = true;
	sp->q = Q_NONE;
	wipe_answer(sp);
	ssh_sess_free(sp->sess);	/* deferred: we are inside its hook */
	sp->sess = NULL;
	snprintf(sp->tp.note, sizeof sp->tp.note, "%s; a key closes", how);
	sp->tp.p->dirty = true;
	ui_mark(sp->tp.p->ui);
}

static void
on_closed(void *arg, int exit_status)
{
	struct spane *sp = arg;
	char how[64];

	if (exit_status >= 0)
		snprintf(how, sizeof how, "the shell exited (status %d)", exit_status);
	else
		snprintf(how, sizeof how, "the shell ended");
	say(sp, false, how);
	ended(sp, how);
}

static void
on_failed(void *arg, const char *msg)
{
	struct spane *sp = arg;

	say(sp, true, msg);
	ui_message(sp->tp.p->ui, true, "%s: %s", sp->name, msg);
	ended(sp, strstr(msg, "lost") != NULL ? "connection lost" : "failed");
}

static void
connect_now(struct spane *sp)
{
	static const struct ssh_hooks hooks = {
		.status = on_status, .hostkey = on_hostkey, .prompt = on_prompt,
		.ready = on_ready, .data = on_data, .closed = on_closed, .failed = on_failed,
	};
	struct ui *ui = sp->tp.p->ui;
	qt_error err;

	sp->sess = ssh_sess_open(ui->loop, &sp->target, NULL, tpane_rows(sp->tp.p),
	    tpane_cols(sp->tp.p), &hooks, sp, &err);
	if (sp->sess == NULL) {
		say(sp, true, err.msg);
		sp->ended = true;
		snprintf(sp->tp.note, sizeof sp->tp.note, "failed; a key closes");
	}
}

static enum pane_key ssh_input(struct tpane *tp, int key, bool keycode);

static const struct tpane_hooks tp_hooks = { send_raw, ssh_input };

static int
ssh_init(struct pane *p, struct vmwatch *vm, qt_error *err)
{
	static const struct term_callbacks tcb = { term_out, NULL, NULL };
	struct ui *ui = p->ui;
	struct spane *sp;
	bool live = vm_state_live(vm->state);
	struct ssh_target t;

	if (ssh_target_resolve(vm->profile, live ? &vm->run : NULL, NULL, 0, &t, err) == -1)
		return -1;
	sp = xcalloc(1, sizeof *sp);
	p->data = sp;
	sp->name = xstrdup(vm->name);
	sp->target = t;
	sp->where = xasprintf("%s@%s:%d", t.user, t.host_name, t.port);
	/* The real size comes with the first resize; 24x80 until then. */
	tpane_init(&sp->tp, p, term_new(24, 80, ui->settings.scrollback, &tcb, sp),
	    &tp_hooks);
	if (t.identity == NULL && getenv("SSH_AUTH_SOCK") == NULL && !ssh_have_default_key()) {
		char *path = ssh_default_key_path();

		ask(sp, Q_KEYGEN, true, "There is no SSH key in ~/.ssh yet. Make %s (ed25519, "
		    "with the .pub beside it) now?\n\n[y] yes, make it   [n] no, use a password",
		    path);
		free(path);
	} else
		connect_now(sp);
	return 0;
}

static const char *
ssh_vm(struct pane *p)
{
	return ((struct spane *)p->data)->name;
}

/* ---- pane ops ---- */

static void
ssh_resize(struct pane *p)
{
	struct spane *sp = p->data;

	tpane_resize(&sp->tp);
	if (sp->sess != NULL)
		ssh_sess_resize(sp->sess, tpane_rows(p), tpane_cols(p));
}

/* The question box over the pane's lower part: text wrapped, then the typed answer
 * (nothing at all for a password). */
static void
draw_question(struct spane *sp)
{
	struct pane *p = sp->tp.p;
	struct ui *ui = p->ui;
	char lines[12][160];
	int n = 0, w = p->r.w - 4, y, i;
	const char *s = sp->qtext;

	if (w < 8 || p->r.h < 5)
		return;
	if (w > 159)
		w = 159;
	while (*s != '\0' && n < 10) {
		int len = (int)strcspn(s, "\n");

		if (len > w) {
			/* Break at the last space that fits. */
			for (len = w; len > 0 && s[len] != ' '; len--)
				;
			if (len == 0)
				len = w;
		}
		snprintf(lines[n++], sizeof lines[0], "%.*s", len, s);
		s += len;
		if (*s == '\n' || *s == ' ')
			s++;
	}
	if (sp->q == Q_PROMPT)
		snprintf(lines[n++], sizeof lines[0], "> %.*s", w - 2,
		    sp->qecho ? sp->answer : "");
	y = p->r.h - 2 - n;
	if (y < 1)
		y = 1;
	wattrset(p->win, ui_attr(ui, EL_DIALOG));
	for (i = 0; i < n && y + i < p->r.h - 1; i++) {
		mvwhline(p->win, y + i, 1, ' ', p->r.w - 2);
		ui_put(p->win, y + i, 2, w, lines[i]);
	}
	wattrset(p->win, ui_attr(ui, EL_DEFAULT));
}

static void
ssh_draw(struct pane *p)
{
	struct spane *sp = p->data;
	char what[300];

	snprintf(what, sizeof what, "%s: ssh %s", sp->name, sp->where);
	/* Under a question the whole term is redrawn, so the box never leaves debris. */
	if (sp->q != Q_NONE)
		term_touch(sp->tp.term);
	tpane_draw(&sp->tp, what);
	if (sp->q != Q_NONE)
		draw_question(sp);
}

static bool
ssh_cursor(struct pane *p, int *y, int *x)
{
	struct spane *sp = p->data;

	if (sp->q == Q_PROMPT) {
		*y = p->r.h - 2;
		*x = 4 + (sp->qecho ? (int)sp->alen : 0);
		return *x < p->r.w - 1;
	}
	return sp->q == Q_NONE && !sp->ended && tpane_cursor(&sp->tp, y, x);
}

static void
keygen(struct spane *sp)
{
	char *pub = NULL, *hint;
	qt_error err;

	if (ssh_keygen_default(&pub, &err) == -1) {
		say(sp, true, err.msg);
		return;
	}
	hint = ssh_install_hint(pub, &sp->target);
	say(sp, false, "Made ~/.ssh/id_ed25519. Its public key:");
	term_feed(sp->tp.term, pub, strlen(pub));
	term_feed(sp->tp.term, "\r\n", 2);
	say(sp, false, hint);
	ui_message(sp->tp.p->ui, false, "made ~/.ssh/id_ed25519; put the .pub into the guest "
	    "(the line is in the SSH pane)");
	free(hint);
	free(pub);
}

static enum pane_key
question_key(struct spane *sp, int key, bool keycode)
{
	enum question q = sp->q;

	if (q == Q_KEYGEN) {
		if (keycode || (key != 'y' && key != 'Y' && key != 'n' && key != 'N' && key != 27))
			return PANE_KEY_HANDLED;
		sp->q = Q_NONE;
		sp->tp.note[0] = '\0';
		if (key == 'y' || key == 'Y')
			keygen(sp);
		connect_now(sp);
	} else if (q == Q_HOSTKEY) {
		enum ssh_hostkey_answer a;

		if (keycode)
			return PANE_KEY_HANDLED;
		if (key == 'o' || key == 'O')
			a = SSH_HOSTKEY_ONCE;
		else if (key == 's' || key == 'S')
			a = SSH_HOSTKEY_SAVE;
		else if (key == 'r' || key == 'R' || key == 27)
			a = SSH_HOSTKEY_REJECT;
		else
			return PANE_KEY_HANDLED;
		sp->q = Q_NONE;
		say(sp, false, a == SSH_HOSTKEY_SAVE ? "host key accepted and saved in "
		    "~/.ssh/known_hosts" : a == SSH_HOSTKEY_ONCE ? "host key accepted for "
		    "this session" : "host key rejected");
		ssh_sess_hostkey_answer(sp->sess, a);
	} else if (q == Q_PROMPT) {
		if ((!keycode && (key == '\r' || key == '\n')) || (keycode && key == KEY_ENTER)) {
			sp->q = Q_NONE;
			ssh_sess_prompt_answer(sp->sess, sp->answer);
			wipe_answer(sp);
		} else if (!keycode && key == 27) {
			sp->q = Q_NONE;
			wipe_answer(sp);
			ssh_sess_prompt_answer(sp->sess, NULL);
		} else if ((keycode && key == KEY_BACKSPACE) || key == 127 || key == 8) {
			if (sp->alen > 0)
				sp->answer[--sp->alen] = '\0';
		} else if (!keycode && key == 0x15) {	/* C-u */
			wipe_answer(sp);
		} else if (!keycode && key >= 32) {
			char mb[8];
			int n = wctomb(mb, (wchar_t)key);

			if (n > 0 && sp->alen + (size_t)n < sizeof sp->answer - 1) {
				memcpy(sp->answer + sp->alen, mb, (size_t)n);
				sp->alen += (size_t)n;
				sp->answer[sp->alen] = '\0';
			}
		}
	}
	sp->tp.p->dirty = true;
	ui_mark(sp->tp.p->ui);
	return PANE_KEY_HANDLED;
}

/* A live key: the question's answer, any key once the session ended (it closes the
 * pane), else the remote shell's. */
static enum pane_key
ssh_input(struct tpane *tp, int key, bool keycode)
{
	struct spane *sp = (struct spane *)tp;

	/* A question is this pane's: keys typed in another broadcast receiver never
	 * answer it. */
	if (sp->q != Q_NONE)
		return tp->mirroring ? PANE_KEY_HANDLED : question_key(sp, key, keycode);
	if (sp->ended)
		return PANE_KEY_CLOSE;
	term_key(sp->tp.term, key, keycode);
	return PANE_KEY_HANDLED;
}

static enum pane_key
ssh_key(struct pane *p, int key, bool keycode)
{
	return tpane_key(p->data, key, keycode);
}

static void
ssh_click(struct pane *p, int x, int y, int button)
{
	(void)x;
	(void)y;
	tpane_click(p->data, button);
}

static void
ssh_free_pane(struct pane *p)
{
	struct spane *sp = p->data;

	wipe_answer(sp);
	ssh_sess_free(sp->sess);
	ssh_target_free(&sp->target);
	tpane_free(&sp->tp);
	free(sp->name);
	free(sp->where);
	free(sp);
}

const struct pane_ops pane_ssh_ops = {
	.name = "ssh",
	.terminal = true,
	.init = ssh_init,
	.free = ssh_free_pane,
	.resize = ssh_resize,
	.draw = ssh_draw,
	.key = ssh_key,
	.click = ssh_click,
	.cursor = ssh_cursor,
	.vm = ssh_vm,
};
