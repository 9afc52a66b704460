/* periodic.h - a thread that runs one job every interval until it is stopped: the server's
 * maintenance (the held files' re-scan, the idempotency-key purge). The wait is a timed
 * condition on the monotonic clock, so stopping never waits out an interval. */
#ifndef TS_BASE_PERIODIC_H
#define TS_BASE_PERIODIC_H

#include <pthread.h>
#include <stdbool.h>

struct ts_periodic {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stop;
	int interval_s;
	void (*run)(void *arg);
	void *arg;
};

#define TS_PERIODIC_INIT {.mu = PTHREAD_MUTEX_INITIALIZER}

/* Starts p: run(arg) every interval_s seconds, first after one interval. 0 when started or
 * already running, -1 when the thread could not be made. */
int ts_periodic_start(struct ts_periodic *p, int interval_s, void (*run)(void *arg), void *arg);

/* Stops p and waits for a run in progress to end; nothing when p is not running. */
void ts_periodic_stop(struct ts_periodic *p);

#endif
