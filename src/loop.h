/* The one poll() loop: fd watchers, timers, signals through a self-pipe, child reaping. */
#ifndef QT_LOOP_H
#define QT_LOOP_H

#include <stdbool.h>
#include <sys/types.h>

struct loop;

typedef void (*loop_io_cb)(int fd, short revents, void *arg);
typedef void (*loop_timer_cb)(void *arg);
typedef void (*loop_signal_cb)(int sig, void *arg);
typedef void (*loop_child_cb)(pid_t pid, int status, void *arg);
typedef void (*loop_hook_cb)(void *arg);

struct loop *loop_new(void);
/* In a forked child that closed its inherited fds: make the next loop_new build its own self-pipe. */
void loop_forget_inherited(void);
void loop_free(struct loop *l);

/* One watcher per fd; adding an fd again replaces its watcher. Safe inside callbacks. */
void loop_io_add(struct loop *l, int fd, short events, loop_io_cb cb, void *arg);
void loop_io_set(struct loop *l, int fd, short events);
void loop_io_del(struct loop *l, int fd);

/* Returns an id > 0 for loop_timer_del. */
unsigned long loop_timer_add(struct loop *l, long ms, int repeat,
    loop_timer_cb cb, void *arg);
void loop_timer_del(struct loop *l, unsigned long id);

/* Handlers only write the signal number to a self-pipe; cb runs inside the loop. */
int loop_signal(struct loop *l, int sig, loop_signal_cb cb, void *arg);
/*
 * SIGCHLD is the one place a loop's owner reaps its children: waitpid() runs
 * there and dispatches by pid. The only other waitpid() is ui.c's, for an
 * editor the dashboard hands the terminal to and deliberately waits for (the
 * loop is not running then).
 */
void loop_child(struct loop *l, pid_t pid, loop_child_cb cb, void *arg);

/* Runs once per turn after the callbacks, before poll(): where the UI redraws.
 * A hook that calls loop_stop gets a turn whose poll() does not wait. */
void loop_set_idle(struct loop *l, loop_hook_cb cb, void *arg);

/* One turn: wait at most max_ms (-1: until something happens). */
int loop_run_once(struct loop *l, long max_ms);
/* Turn until loop_stop. */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);

/*
 * Freeing an object from inside its own callback, the one way it is done
 * (QMP clients, SSH sessions, serial consoles, the supervisor's clients, stop
 * operations). Every entry into the object from outside (an fd or timer
 * callback, a blocking helper) is bracketed by loop_guard_enter/leave; its
 * free function asks loop_guard_free whether to destroy now or leave that to
 * the outermost loop_guard_leave. After calling out to its owner, the object
 * checks loop_guard_dying and, if so, returns without touching more.
 */
struct loop_guard {
	int depth;
	bool dying;
};

static inline void
loop_guard_enter(struct loop_guard *g)
{
	g->depth++;
}

/* True: the object was freed meanwhile and this was the outermost entry: destroy it now. */
static inline bool
loop_guard_leave(struct loop_guard *g)
{
	return --g->depth == 0 && g->dying;
}

/* True: destroy now; false: the outermost loop_guard_leave will say so. */
static inline bool
loop_guard_free(struct loop_guard *g)
{
	g->dying = true;
	return g->depth == 0;
}

static inline bool
loop_guard_dying(const struct loop_guard *g)
{
	return g->dying;
}

#endif
