/* The one poll() loop. */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

struct io_watch {
	int fd;
	short events;
	loop_io_cb cb;
	void *arg;
	int dead;
};

struct timer {
	unsigned long id;
	long long due;
	long period;	/* 0: one-shot */
	loop_timer_cb cb;
	void *arg;
	int dead;
};

struct sig_watch {
	int sig;
	loop_signal_cb cb;
	void *arg;
};

struct child_watch {
	pid_t pid;
	loop_child_cb cb;
	void *arg;
	int dead;
};

struct loop {
	struct io_watch *io;
	size_t nio;
	struct timer *timers;
	size_t ntimers;
	unsigned long next_timer;
	struct sig_watch sigs[8];
	size_t nsigs;
	struct child_watch *children;
	size_t nchildren;
	loop_hook_cb idle;
	void *idle_arg;
	int stop;
	int dispatching;
};

/* A signal handler can only reach a static: the write end of the self-pipe. */
static int self_pipe[2] = { -1, -1 };

static void
signal_to_pipe(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(self_pipe[1], &c, 1) == -1) {
		/* Pipe full: a wake-up is already pending, so nothing is lost. */
	}
	errno = saved;
}

static void
self_pipe_read(int fd, short revents, void *arg)
{
	struct loop *l = arg;
	unsigned char buf[64];
	ssize_t n, i;
	size_t j;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++)
			for (j = 0; j < l->nsigs; j++)
				if (l->sigs[j].sig == buf[i])
					l->sigs[j].cb(buf[i], l->sigs[j].arg);
	}
}

static void
reap_children(int sig, void *arg)
{
	struct loop *l = arg;
	pid_t pid;
	size_t i;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < l->nchildren; i++) {
			struct child_watch *c = &l->children[i];

			if (c->dead || c->pid != pid)
				continue;
			c->dead = 1;
			c->cb(pid, status, c->arg);
			break;
		}
	}
}

void
loop_forget_inherited(void)
{
	self_pipe[0] = self_pipe[1] = -1;
}

struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof *l);

	if (self_pipe[0] == -1) {
		if (pipe(self_pipe) == -1)
			fatal("pipe: %s", strerror(errno));
		set_nonblock(self_pipe[0]);
		set_nonblock(self_pipe[1]);
		set_cloexec(self_pipe[0]);
		set_cloexec(self_pipe[1]);
	}
	loop_io_add(l, self_pipe[0], POLLIN, self_pipe_read, l);
	loop_signal(l, SIGCHLD, reap_children, l);
	return l;
}

void
loop_free(struct loop *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsigs; i++)
		signal(l->sigs[i].sig, SIG_DFL);
	free(l->io);
	free(l->timers);
	free(l->children);
	free(l);
}

void
loop_io_add(struct loop *l, int fd, short events, loop_io_cb cb, void *arg)
{
	size_t i;

	for (i = 0; i < l->nio; i++) {
		if (l->io[i].fd == fd && !l->io[i].dead) {
			l->io[i].events = events;
			l->io[i].cb = cb;
			l->io[i].arg = arg;
			return;
		}
	}
	l->io = xreallocarray(l->io, l->nio + 1, sizeof *l->io);
	l->io[l->nio++] = (struct io_watch){ fd, events, cb, arg, 0 };
}

void
loop_io_set(struct loop *l, int fd, short events)
{
	size_t i;

	for (i = 0; i < l->nio; i++)
		if (l->io[i].fd == fd && !l->io[i].dead)
			l->io[i].events = events;
}

void
loop_io_del(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->nio; i++)
		if (l->io[i].fd == fd)
			l->io[i].dead = 1;
}

unsigned long
loop_timer_add(struct loop *l, long ms, int repeat, loop_timer_cb cb, void *arg)
{
	struct timer *t;

	l->timers = xreallocarray(l->timers, l->ntimers + 1, sizeof *l->timers);
	t = &l->timers[l->ntimers++];
	t->id = ++l->next_timer;
	t->due = now_ms() + ms;
	t->period = repeat ? (ms > 0 ? ms : 1) : 0;
	t->cb = cb;
	t->arg = arg;
	t->dead = 0;
	return t->id;
}

void
loop_timer_del(struct loop *l, unsigned long id)
{
	size_t i;

	for (i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == id)
			l->timers[i].dead = 1;
}

int
loop_signal(struct loop *l, int sig, loop_signal_cb cb, void *arg)
{
	struct sigaction sa;
	size_t i;

	for (i = 0; i < l->nsigs; i++) {
		if (l->sigs[i].sig == sig) {
			l->sigs[i].cb = cb;
			l->sigs[i].arg = arg;
			return 0;
		}
	}
	if (l->nsigs == sizeof l->sigs / sizeof l->sigs[0])
		return -1;
	l->sigs[l->nsigs++] = (struct sig_watch){ sig, cb, arg };
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = signal_to_pipe;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

void
loop_child(struct loop *l, pid_t pid, loop_child_cb cb, void *arg)
{
	l->children = xreallocarray(l->children, l->nchildren + 1,
	    sizeof *l->children);
	l->children[l->nchildren++] = (struct child_watch){ pid, cb, arg, 0 };
	/* The child may have exited before it was registered. */
	signal_to_pipe(SIGCHLD);
}

void
loop_set_idle(struct loop *l, loop_hook_cb cb, void *arg)
{
	l->idle = cb;
	l->idle_arg = arg;
}

static void
compact(struct loop *l)
{
	size_t i, j;

	for (i = j = 0; i < l->nio; i++)
		if (!l->io[i].dead)
			l->io[j++] = l->io[i];
	l->nio = j;
	for (i = j = 0; i < l->ntimers; i++)
		if (!l->timers[i].dead)
			l->timers[j++] = l->timers[i];
	l->ntimers = j;
	for (i = j = 0; i < l->nchildren; i++)
		if (!l->children[i].dead)
			l->children[j++] = l->children[i];
	l->nchildren = j;
}

static void
run_timers(struct loop *l)
{
	long long now = now_ms();
	size_t i, n = l->ntimers;

	/* Timers added by a callback wait for the next turn. */
	for (i = 0; i < n; i++) {
		struct timer *t = &l->timers[i];
		loop_timer_cb cb;
		void *arg;

		if (t->dead || t->due > now)
			continue;
		cb = t->cb;
		arg = t->arg;
		if (t->period > 0)
			t->due = now + t->period;
		else
			t->dead = 1;
		cb(arg);
	}
}

int
loop_run_once(struct loop *l, long max_ms)
{
	struct pollfd *pfd;
	long long now, wait = max_ms;
	size_t i, n;
	int r, stopped;

	compact(l);
	stopped = l->stop;
	if (l->idle != NULL)
		l->idle(l->idle_arg);
	/* The hook ended the loop: nothing may come to wake a poll that waits. */
	if (l->stop && !stopped)
		wait = 0;
	now = now_ms();
	for (i = 0; i < l->ntimers; i++) {
		long long left = l->timers[i].due - now;

		if (left < 0)
			left = 0;
		if (!l->timers[i].dead && (wait < 0 || left < wait))
			wait = left;
	}
	n = l->nio;
	pfd = xcalloc(n, sizeof *pfd);
	for (i = 0; i < n; i++) {
		pfd[i].fd = l->io[i].dead ? -1 : l->io[i].fd;
		pfd[i].events = l->io[i].events;
	}
	r = poll(pfd, n, wait > (long long)1 << 30 ? 1 << 30 : (int)wait);
	if (r == -1 && errno != EINTR) {
		free(pfd);
		return -1;
	}
	for (i = 0; r > 0 && i < n; i++) {
		struct io_watch *w;

		if (pfd[i].revents == 0)
			continue;
		/* l->io may move when a callback adds a watcher: index, don't keep pointers. */
		w = &l->io[i];
		if (w->dead || w->fd != pfd[i].fd)
			continue;
		w->cb(w->fd, pfd[i].revents, w->arg);
	}
	free(pfd);
	run_timers(l);
	return 0;
}

void
loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop)
		if (loop_run_once(l, -1) == -1)
			break;
}

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}
