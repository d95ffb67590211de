/*
 * editfile.h - a plaintext file handed to an editor, and nothing left behind.
 *
 * `tenantc secret edit` must show the user a decrypted Secret in their own
 * editor. A tc_editfile is that one file: it lives in a fresh private folder
 * (mode 0700, name from mkdtemp) on memory-backed storage where the system
 * has one, holds the plaintext (mode 0600) only while the editor runs, and is
 * overwritten with zeros and removed, with everything else the editor left in
 * the folder, by tc_editfile_remove.
 *
 * Signals: from tc_editfile_open to tc_editfile_close, SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT (those not ignored when tenantc started) are blocked and
 * only ever received synchronously, with sigwait(), while waiting for the
 * editor, so no signal handler runs and none is installed. A signal stops the
 * editor (it is passed on, then SIGTERM, then SIGKILL), the folder is wiped,
 * and the signal is recorded in `sig` for the caller to end with 128 + sig.
 * The editor itself runs with the signal mask tenantc started with and no
 * core dumps. Only SIGKILL of tenantc while the editor runs can leave the
 * file; see docs/secrets.md.
 *
 * Used by one thread; the process must not have other threads that could
 * receive these signals.
 */
#ifndef TC_EDITFILE_H
#define TC_EDITFILE_H

#include "diag.h"

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tc_editfile {
	char dir[PATH_MAX];                  /* the private folder; "" once removed */
	char path[PATH_MAX];                 /* the plaintext file inside it */
	const char *disk_base;               /* non-NULL: the folder is under this base, which
	                                      * is not memory-backed (the caller warns) */
	sigset_t caught;                     /* INT TERM HUP QUIT, less those ignored at start */
	sigset_t blocked;                    /* caught + CHLD + ALRM: blocked while open */
	sigset_t oldmask;                    /* the mask before tc_editfile_open */
	struct sigaction old_chld, old_alrm; /* set to SIG_DFL while open */
	bool is_open;
	int sig; /* the first caught signal, 0 if none */
} tc_editfile;

/* An empty session: close does nothing. Call before anything else. */
void tc_editfile_init(tc_editfile *ef);
/* Block the signals, make the private folder and write data[0..len) to the
 * file `name` in it. Errors are reported at `file` (what is being edited);
 * on failure nothing is left on disk. Call tc_editfile_close in any case. */
int tc_editfile_open(tc_editfile *ef, tc_diags *d, const char *file, const char *name,
                     const char *data, size_t len) __attribute__((warn_unused_result));
/* Run the editor ($SOPS_EDITOR, else $EDITOR, else vi) on ef->path and wait.
 * -1 with an error when it fails (non-zero exit, killed, not found) or when
 * a caught signal arrives (ef->sig is set, the editor has been stopped). */
int tc_editfile_run(tc_editfile *ef, tc_diags *d, const char *file)
	__attribute__((warn_unused_result));
/* True when a caught signal has arrived (it is consumed and kept in ef->sig). */
bool tc_editfile_interrupted(tc_editfile *ef);
/* Overwrite every file in the folder with zeros, remove them and the folder.
 * Signals stay blocked. Idempotent. */
void tc_editfile_remove(tc_editfile *ef);
/* Remove (if not yet done), consume pending signals into ef->sig and
 * restore the signal mask. Safe after init alone or a failed open. */
void tc_editfile_close(tc_editfile *ef);
/* "SIGINT" for SIGINT and so on for common signals; "a signal" else. */
const char *tc_editfile_signame(int sig);

#endif
