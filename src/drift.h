/*
 * drift.h - compare a render made in memory with the output folder read
 * from a source: what `tenantc check` reports.
 *
 * Files are compared by bytes first; only a file that differs is parsed,
 * to name the object it holds and, when both sides hold the same object,
 * the fields that differ (through diff.h, so Secret data is never more than
 * a path). Every differing file is one finding at "<dir>/<path>":
 *
 *   rendered/prod/tenants/acme/namespace-acme-prod.yaml:7:11: error:
 *     Namespace acme-prod is out of date: '.metadata.labels.tier' changed
 *
 * with the line and column of the first changed value in the committed
 * file when there is one (1:1 otherwise). Messages hold kinds, names and
 * field paths, never a value.
 */
#ifndef TC_DRIFT_H
#define TC_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "output.h"
#include "source.h"

/* Counts of files. */
typedef struct tc_drift {
	size_t missing; /* render writes it, the folder lacks it */
	size_t stale;   /* the folder holds it, render no longer writes it */
	size_t changed; /* both have it, the bytes differ */
	size_t same;
} tc_drift;

static inline bool tc_drift_any(const tc_drift *x)
{
	return x->missing || x->stale || x->changed;
}

/* Called with the bytes of every file read from the folder (the files that
 * are not byte-identical to the render's: stale and changed ones), e.g. to
 * look for plaintext Secrets in them. path is "<dir>/<path>". */
typedef void tc_drift_inspect_fn(void *ctx, const char *path, const char *data, size_t len,
                                 tc_diags *d);

/* The most field paths one finding lists; the rest are counted. */
#define TC_DRIFT_MAX_FIELDS 5

/* Compare rendered (every file with its bytes, or with its range of spool
 * when spooled, sorted by path, relative to the output folder,
 * kustomization.yaml files included) with the files below dir in src.
 * spool and inspect may be NULL. Returns 0 when the comparison ran (*out
 * says whether anything differs), -1 when the folder could not be read
 * completely (reported; *out is then partial). */
int tc_drift_compare(tc_drift *out, tc_source *src, const char *dir, const tc_outlist *rendered,
                     tc_spool *spool, tc_drift_inspect_fn *inspect, void *ctx, tc_diags *d)
	__attribute__((warn_unused_result));

#endif
