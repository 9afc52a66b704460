/* periodic.c - see periodic.h. */
#include "base/periodic.h"

#include <errno.h>
#include <time.h>

static void *periodic_main(void *vp)
{
	struct ts_periodic *p = vp;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += p->interval_s;
		while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &until) != ETIMEDOUT)
			;
		if (p->stop)
			break;
		pthread_mutex_unlock(&p->mu);
		p->run(p->arg);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int ts_periodic_start(struct ts_periodic *p, int interval_s, void (*run)(void *arg), void *arg)
{
	pthread_condattr_t ca;
	int rc;

	if (p->running)
		return 0;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		return -1;
	p->interval_s = interval_s;
	p->run = run;
	p->arg = arg;
	p->stop = false;
	if (pthread_create(&p->thread, NULL, periodic_main, p) != 0) {
		pthread_cond_destroy(&p->cv);
		return -1;
	}
	p->running = true;
	return 0;
}

void ts_periodic_stop(struct ts_periodic *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	p->running = false;
}
