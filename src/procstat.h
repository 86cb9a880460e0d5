/* CPU time and RSS of a process from /proc (Linux). */
#ifndef QT_PROCSTAT_H
#define QT_PROCSTAT_H

#include <sys/types.h>

struct proc_sample {
	unsigned long long ticks;	/* utime + stime, in clock ticks */
	long long rss_bytes;
	long long at_ms;		/* monotonic time of the sample */
};

int proc_sample(pid_t pid, struct proc_sample *s);
/* The same from a kept-open /proc/PID/stat (proc_open): no path lookup each time. */
int proc_open(pid_t pid);
int proc_sample_fd(int fd, struct proc_sample *s);
/* CPU % of one core between two samples (0 when they are too close). */
double proc_cpu_percent(const struct proc_sample *a, const struct proc_sample *b);

#endif
