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
	struct pane *p;
	char *name;
	char *where;		/* "root@127.0.0.1:2222" for the title */
	struct ssh_target target;
	struct ssh_sess *sess;
	struct term *term;
	bool prefix;
	bool scrolling;
	char note[200];		/* in the title: state, how it ended */
	bool ended;		/* the session is over: any key closes */

	enum question q;
	char qtext[600];
	bool qecho;
	char answer[256];	/* typed so far; wiped after use */
	size_t alen;
};

static int
inner_rows(const struct pane *p)
{
	return p->r.h > 2 ? p->r.h - 2 : 1;
}

static int
inner_cols(const struct pane *p)
{
	return p->r.w > 2 ? p->r.w - 2 : 1;
}

/* A line of our own in the terminal, dimmed (red for errors), so it reads apart
 * from the guest's output. */
static void
say(struct spane *sp, bool error, const char *text)
{
	const char *nl;

	term_feed(sp->term, error ? "\033[31m" : "\033[2m", error ? 5 : 4);
	/* A CR before every LF: nobody's line discipline is between us and the term. */
	while ((nl = strchr(text, '\n')) != NULL) {
		term_feed(sp->term, text, (size_t)(nl - text));
		term_feed(sp->term, "\r\n", 2);
		text = nl + 1;
	}
	term_feed(sp->term, text, strlen(text));
	term_feed(sp->term, "\033[0m\r\n", 6);
	sp->p->dirty = true;
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
	sp->q = q;
	sp->qecho = echo;
	snprintf(sp->note, sizeof sp->note, "%s", q == Q_PROMPT ? "password?" :
	    q == Q_HOSTKEY ? "host key?" : "make a key?");
	wipe_answer(sp);
	sp->p->dirty = true;
	ui_mark(sp->p->ui);
	if (!ui_focused(sp->p->ui, sp->p))
		ui_message(sp->p->ui, false, "%s: a question waits in its SSH pane", sp->name);
}

static void
term_out(const char *buf, size_t len, void *arg)
{
	struct spane *sp = arg;

	if (sp->sess != NULL && !sp->ended)
		ssh_sess_write(sp->sess, buf, len);
}

/* ---- session hooks ---- */

static void
on_status(void *arg, const char *msg)
{
	struct spane *sp = arg;

	say(sp, false, msg);
	snprintf(sp->note, sizeof sp->note, "%s", ssh_sess_state(sp->sess));
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

	sp->note[0] = '\0';
	/* The greeting and prompt start on a clean screen, the way a terminal's ssh does. */
	term_feed(sp->term, "\033[H\033[2J", 7);
	sp->p->dirty = true;
	ui_mark(sp->p->ui);
}

static void
on_data(void *arg, bool is_stderr, const char *data, size_t len)
{
	struct spane *sp = arg;

	(void)is_stderr;
	term_feed(sp->term, data, len);
	sp->p->dirty = true;
}

static void
ended(struct spane *sp, const char *how)
{
	char pfx[16];

	sp->ended = true;
	sp->q = Q_NONE;
	wipe_answer(sp);
	ssh_sess_free(sp->sess);	/* deferred: we are inside its hook */
	sp->sess = NULL;
	settings_keyname(sp->p->ui->settings.prefix, pfx, sizeof pfx);
	snprintf(sp->note, sizeof sp->note, "%s; a key closes", how);
	sp->p->dirty = true;
	ui_mark(sp->p->ui);
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
	ui_message(sp->p->ui, true, "%s: %s", sp->name, msg);
	ended(sp, strstr(msg, "lost") != NULL ? "connection lost" : "failed");
}

static void
connect_now(struct spane *sp)
{
	static const struct ssh_hooks hooks = {
		.status = on_status, .hostkey = on_hostkey, .prompt = on_prompt,
		.ready = on_ready, .data = on_data, .closed = on_closed, .failed = on_failed,
	};
	struct ui *ui = sp->p->ui;
	qt_error err;

	sp->sess = ssh_sess_open(ui->loop, &sp->target, NULL, inner_rows(sp->p),
	    inner_cols(sp->p), &hooks, sp, &err);
	if (sp->sess == NULL) {
		say(sp, true, err.msg);
		sp->ended = true;
		snprintf(sp->note, sizeof sp->note, "failed; a key closes");
	}
}

struct pane *
pane_ssh_new(struct ui *ui, struct vmwatch *vm)
{
	static const struct term_callbacks tcb = { term_out, NULL, NULL };
	struct spane *sp;
	struct pane *p;
	qt_error err;
	bool live = vm->state == VM_RUNNING || vm->state == VM_PAUSED ||
	    vm->state == VM_STARTING;
	struct ssh_target t;

	if (ssh_target_resolve(vm->profile, live ? &vm->run : NULL, NULL, 0, &t, &err) == -1) {
		ui_message(ui, true, "%s", err.msg);
		return NULL;
	}
	sp = xcalloc(1, sizeof *sp);
	p = xcalloc(1, sizeof *p);
	p->ops = &pane_ssh_ops;
	p->ui = ui;
	p->dirty = true;
	p->data = sp;
	sp->p = p;
	sp->name = xstrdup(vm->name);
	sp->target = t;
	sp->where = xasprintf("%s@%s:%d", t.user, t.host_name, t.port);
	/* The real size comes with the first resize; 24x80 until then. */
	sp->term = term_new(24, 80, ui->settings.scrollback, &tcb, sp);
	if (t.identity == NULL && getenv("SSH_AUTH_SOCK") == NULL && !ssh_have_default_key()) {
		char *path = ssh_default_key_path();

		ask(sp, Q_KEYGEN, true, "There is no SSH key in ~/.ssh yet. Make %s (ed25519, "
		    "with the .pub beside it) now?\n\n[y] yes, make it   [n] no, use a password",
		    path);
		free(path);
	} else
		connect_now(sp);
	return p;
}

const char *
pane_ssh_vm(struct pane *p)
{
	return ((struct spane *)p->data)->name;
}

/* ---- pane ops ---- */

static void
ssh_resize(struct pane *p)
{
	struct spane *sp = p->data;

	term_resize(sp->term, inner_rows(p), inner_cols(p));
	term_touch(sp->term);
	if (sp->sess != NULL)
		ssh_sess_resize(sp->sess, inner_rows(p), inner_cols(p));
}

/* The question box over the pane's lower part: text wrapped, then the typed answer
 * (nothing at all for a password). */
static void
draw_question(struct spane *sp)
{
	struct pane *p = sp->p;
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
	struct ui *ui = p->ui;
	char title[300];
	int off = term_scroll(sp->term, 0);

	if (off > 0 || sp->scrolling)
		snprintf(title, sizeof title, "%s: ssh %s  [scroll -%d, q leaves]", sp->name,
		    sp->where, off);
	else
		snprintf(title, sizeof title, "%s: ssh %s%s%s%s", sp->name, sp->where,
		    sp->note[0] ? "  [" : "", sp->note, sp->note[0] ? "]" : "");
	if (ui->dirty_all || !p->framed) {
		werase(p->win);
		p->framed = true;
		term_touch(sp->term);
	}
	ui_box(ui, p, title);
	/* Under a question the whole term is redrawn, so the box never leaves debris. */
	if (sp->q != Q_NONE)
		term_touch(sp->term);
	term_draw(sp->term, p->win, 1, 1, ui_focused(ui, p));
	if (sp->q != Q_NONE)
		draw_question(sp);
}

static bool
ssh_cursor(struct pane *p, int *y, int *x)
{
	struct spane *sp = p->data;
	int row, col;

	if (sp->q == Q_PROMPT) {
		*y = p->r.h - 2;
		*x = 4 + (sp->qecho ? (int)sp->alen : 0);
		return *x < p->r.w - 1;
	}
	if (sp->q != Q_NONE || sp->ended || sp->scrolling || term_scroll(sp->term, 0) > 0 ||
	    !term_cursor(sp->term, &row, &col))
		return false;
	*y = row + 1;
	*x = col + 1;
	return true;
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
	term_feed(sp->term, pub, strlen(pub));
	term_feed(sp->term, "\r\n", 2);
	say(sp, false, hint);
	ui_message(sp->p->ui, false, "made ~/.ssh/id_ed25519; put the .pub into the guest "
	    "(the line is in the SSH pane)");
	free(hint);
	free(pub);
}

static bool
question_key(struct spane *sp, int key, bool keycode)
{
	enum question q = sp->q;

	if (q == Q_KEYGEN) {
		if (keycode || (key != 'y' && key != 'Y' && key != 'n' && key != 'N' && key != 27))
			return true;
		sp->q = Q_NONE;
		sp->note[0] = '\0';
		if (key == 'y' || key == 'Y')
			keygen(sp);
		connect_now(sp);
	} else if (q == Q_HOSTKEY) {
		enum ssh_hostkey_answer a;

		if (keycode)
			return true;
		if (key == 'o' || key == 'O')
			a = SSH_HOSTKEY_ONCE;
		else if (key == 's' || key == 'S')
			a = SSH_HOSTKEY_SAVE;
		else if (key == 'r' || key == 'R' || key == 27)
			a = SSH_HOSTKEY_REJECT;
		else
			return true;
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
	sp->p->dirty = true;
	ui_mark(sp->p->ui);
	return true;
}

static bool
scroll_key(struct spane *sp, int key, bool keycode)
{
	int page = inner_rows(sp->p) - 1;

	if (keycode && key == KEY_PPAGE)
		term_scroll(sp->term, page);
	else if (keycode && key == KEY_NPAGE)
		term_scroll(sp->term, -page);
	else if ((keycode && key == KEY_UP) || (!keycode && key == 'k'))
		term_scroll(sp->term, 1);
	else if ((keycode && key == KEY_DOWN) || (!keycode && key == 'j'))
		term_scroll(sp->term, -1);
	else if (!keycode && (key == 'q' || key == 27)) {
		sp->scrolling = false;
		term_scroll_reset(sp->term);
	}
	if (sp->scrolling && term_scroll(sp->term, 0) == 0 && keycode && key != KEY_PPAGE &&
	    key != KEY_UP)
		sp->scrolling = false;
	return true;
}

static bool
ssh_key(struct pane *p, int key, bool keycode)
{
	struct spane *sp = p->data;
	struct ui *ui = p->ui;

	p->dirty = true;
	if (sp->prefix) {
		sp->prefix = false;
		if (!keycode && key == ui->settings.prefix) {
			char byte = (char)key;

			if (sp->sess != NULL && !sp->ended)
				ssh_sess_write(sp->sess, &byte, 1);
		} else if (!keycode && key == 'x') {
			ui_pane_close(ui, p);
		} else if ((keycode && key == KEY_PPAGE) || (!keycode && key == '[')) {
			sp->scrolling = true;
			if (keycode)
				term_scroll(sp->term, inner_rows(p) - 1);
		} else if (keycode && (key == KEY_LEFT || key == KEY_RIGHT ||
		    key == KEY_UP || key == KEY_DOWN)) {
			layout_focus_dir(ui->layout, key == KEY_LEFT ? LAYOUT_LEFT :
			    key == KEY_RIGHT ? LAYOUT_RIGHT : key == KEY_UP ? LAYOUT_UP :
			    LAYOUT_DOWN);
			ui_mark(ui);
		} else
			ui_dashboard_key(ui, key);
		return true;
	}
	if (!keycode && key == ui->settings.prefix) {
		sp->prefix = true;
		return true;
	}
	if (sp->q != Q_NONE)
		return question_key(sp, key, keycode);
	if (sp->ended) {
		ui_pane_close(ui, p);
		return true;
	}
	if (sp->scrolling)
		return scroll_key(sp, key, keycode);
	if (term_scroll(sp->term, 0) > 0)
		term_scroll_reset(sp->term);
	term_key(sp->term, key, keycode);
	return true;
}

static void
ssh_click(struct pane *p, int x, int y, int button)
{
	struct spane *sp = p->data;

	(void)x;
	(void)y;
	if (button == 4) {
		sp->scrolling = true;
		term_scroll(sp->term, 3);
	} else if (button == 5) {
		term_scroll(sp->term, -3);
		if (term_scroll(sp->term, 0) == 0)
			sp->scrolling = false;
	}
	p->dirty = true;
}

static void
ssh_free_pane(struct pane *p)
{
	struct spane *sp = p->data;

	wipe_answer(sp);
	ssh_sess_free(sp->sess);
	ssh_target_free(&sp->target);
	term_free(sp->term);
	free(sp->name);
	free(sp->where);
	free(sp);
}

const struct pane_ops pane_ssh_ops = {
	"ssh", ssh_draw, ssh_key, ssh_click, ssh_free_pane, ssh_resize, ssh_cursor
};
