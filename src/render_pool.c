/*
 * render_pool.c - the worker pool: jobs are taken from an atomic counter by
 * --jobs threads, each with its own arena; results stay in the job's slot,
 * so nothing depends on which thread finished first.
 */
#include "render_impl.h"

#include <time.h>
#include <unistd.h>

void tc_render_run_job(pool *p, job *j, tc_arena *a)
{
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_sops_leaks leaks;
	tc_sops_leaks_init(&leaks, a, &sm);
	work w = {.p = p, .j = j, .a = a, .sm = &sm, .leaks = &leaks};
	size_t first = j->diags.len;
	if (j->env)
		tc_render_run_cluster(&w);
	else if (j->identify || j->rewrite || j->peer)
		tc_render_tenant_objects(&w); /* not from the cache: the objects are needed */
	else
		tc_render_run_tenant(&w);
	tc_render_flush_identities(&w);
	/* no message of the job may quote a decrypted value, whatever said it */
	tc_sops_leaks_redact(&leaks, &j->diags, first);
	tc_sops_leaks_release(&leaks);
	tc_secmem_release(&sm);
	tc_arena_reset(a);
	/* a job lives until the merge: keep its chunks at their size */
	if (j->nchunks && j->nchunks < j->capchunks) {
		j->chunks = tc_xrealloc(j->chunks, j->nchunks * sizeof *j->chunks);
		j->capchunks = j->nchunks;
	}
}

static void *worker(void *arg)
{
	pool *p = arg;
	tc_arena a;
	tc_arena_init(&a);
	for (;;) {
		size_t k = atomic_fetch_add(&p->next, 1);
		if (k >= p->njobs)
			break;
		tc_render_run_job(p, &p->jobs[k], &a);
		atomic_fetch_add(&p->done, 1);
	}
	tc_arena_release(&a);
	return NULL;
}

/* While the workers run: "[k/n] rendering" on the terminal, then erased. */
static void show_progress(pool *p)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	bool shown = false;
	/* a render that ends within half a second shows nothing */
	for (int ticks = 0;; ticks++) {
		size_t done = atomic_load(&p->done);
		if (done >= p->njobs)
			break;
		if (ticks >= 5) {
			fprintf(stderr, "\r[%zu/%zu] rendering", done, p->njobs);
			fflush(stderr);
			shown = true;
		}
		nanosleep(&tick, NULL);
	}
	if (shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

static long default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

void tc_render_run_pool(pool *p)
{
	const tc_render_opts *o = p->opts;
	/* what every tenant job would otherwise find in the templates again */
	p->client_secrets = tc_render_checks_client_secrets(p->repo);
	long nthreads = o->jobs > 0 ? o->jobs : default_jobs();
	if ((size_t)nthreads > p->njobs)
		nthreads = p->njobs ? (long)p->njobs : 1;
	if (nthreads <= 1) {
		worker(p);
		return;
	}
	pthread_t *th = tc_xmalloc((size_t)nthreads * sizeof *th);
	long started = 0;
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, p) == 0)
			started++;
		else
			break;
	if (started == 0)
		worker(p);
	if (o->progress && started > 0)
		show_progress(p);
	for (long i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
}
