/* CPU time and RSS of a process from /proc. */
#include "procstat.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int
proc_open(pid_t pid)
{
	char path[64];

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int
proc_sample_fd(int fd, struct proc_sample *s)
{
	char buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;
	long rss;

	if ((n = pread(fd, buf, sizeof buf - 1, 0)) <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: fields start after the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
	    "%*d %*d %*d %*d %*d %*d %*u %*u %ld", &ut, &st, &rss) != 3)
		return -1;
	s->ticks = ut + st;
	s->rss_bytes = (long long)rss * sysconf(_SC_PAGESIZE);
	s->at_ms = now_ms();
	return 0;
}

int
proc_sample(pid_t pid, struct proc_sample *s)
{
	int fd = proc_open(pid), rc;

	if (fd == -1)
		return -1;
	rc = proc_sample_fd(fd, s);
	close(fd);
	return rc;
}

double
proc_cpu_percent(const struct proc_sample *a, const struct proc_sample *b)
{
	long long dt = b->at_ms - a->at_ms;

	if (dt < 50 || b->ticks < a->ticks)
		return 0;
	return (double)(b->ticks - a->ticks) * 100000.0 /
	    ((double)sysconf(_SC_CLK_TCK) * (double)dt);
}
