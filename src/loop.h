/* The one poll() loop: fd watchers, timers, signals through a self-pipe, child reaping. */
#ifndef QT_LOOP_H
#define QT_LOOP_H

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
/* SIGCHLD is the one place waitpid() is called; it dispatches by pid. */
void loop_child(struct loop *l, pid_t pid, loop_child_cb cb, void *arg);

/* Runs once per turn after the callbacks, before poll(): where the UI redraws. */
void loop_set_idle(struct loop *l, loop_hook_cb cb, void *arg);

/* One turn: wait at most max_ms (-1: until something happens). */
int loop_run_once(struct loop *l, long max_ms);
/* Turn until loop_stop. */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
