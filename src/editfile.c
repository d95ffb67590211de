/*
 * editfile.c - the plaintext file of `tenantc secret edit`, wiped whatever
 * happens short of SIGKILL.
 *
 * Where: the private folder goes under the first of $XDG_RUNTIME_DIR (owned
 * by us, mode 0700), $TMPDIR and /dev/shm that is memory-backed (tmpfs or
 * ramfs), so the plaintext never reaches a disk and a crash of the machine
 * forgets it. When none is, it goes under $TMPDIR, else /tmp, and disk_base
 * tells the caller to warn. Overwriting with zeros frees the same pages on
 * tmpfs; on a disk it is best effort (journals, copy-on-write, flash).
 *
 * Signals: rather than a handler (which could only use async-signal-safe
 * calls and would need a mutable global holding the paths), the signals are
 * blocked for the whole session and taken with sigwait() in the one place
 * tenantc waits, for the editor. So cleanup runs in ordinary code with
 * ordinary calls, and a signal arriving while tenantc reads the file back or
 * encrypts waits until tc_editfile_interrupted or tc_editfile_close looks at
 * it. SIGCHLD and SIGALRM (the timeout while stopping the editor) are blocked
 * and taken the same way; their dispositions are set to the default for the
 * session, since SIG_IGN for SIGCHLD would make children vanish unreported.
 * A signal that was ignored when tenantc started stays ignored (nohup, a
 * background job of a script): it cannot end tenantc, so it cannot leave the
 * file either.
 *
 * The editor runs as `sh -c 'exec $EDITOR "$1"'` (without exec when $EDITOR
 * is a compound command), so a signal passed on reaches the editor rather
 * than only the shell. It gets the signal mask tenantc started with and
 * RLIMIT_CORE 0, so a crashing or SIGQUIT editor does not dump its memory,
 * the plaintext included, into a core file in the repository.
 */
#include "editfile.h"

#include "arena.h"
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

/* Seconds the editor gets after each signal passed on before the next,
 * harder one: long enough for an editor to save its recovery file (into the
 * private folder, which is wiped after), short enough for a shutdown. */
#define STOP_GRACE 2
/* Depth of folders an editor may make inside the private folder that are
 * still wiped; editors make none or one (backup or swap folders). */
#define MAX_DEPTH 8

/* The signals that end a session cleanly (the "Ctrl-C, SIGTERM or
 * SIGHUP", and Ctrl-\). */
static const int caught_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};
#define NCAUGHT (sizeof caught_signals / sizeof caught_signals[0])

static const struct {
	int sig;
	const char *name;
} signal_names[] = {{SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
                    {SIGTERM, "SIGTERM"}, {SIGKILL, "SIGKILL"}, {SIGSEGV, "SIGSEGV"},
                    {SIGABRT, "SIGABRT"}, {SIGPIPE, "SIGPIPE"}, {SIGBUS, "SIGBUS"}};

const char *tc_editfile_signame(int sig)
{
	for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	return "a signal";
}

/* ---- where --------------------------------------------------------------------------------- */

static bool in_memory(const char *dir)
{
#ifdef __linux__
	struct statfs fs;
	if (statfs(dir, &fs) != 0)
		return false;
	/* TMPFS_MAGIC and RAMFS_MAGIC from <linux/magic.h> */
	return (unsigned long)fs.f_type == 0x01021994UL || (unsigned long)fs.f_type == 0x858458f6UL;
#else
	(void)dir;
	return false;
#endif
}

static bool usable(const char *dir)
{
	struct stat st;
	return dir && dir[0] == '/' && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       access(dir, W_OK | X_OK) == 0;
}

/* The base folder; *disk is set when it is not memory-backed. */
static const char *pick_base(const char **disk)
{
	*disk = NULL;
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	if (usable(x) && stat(x, &st) == 0 && st.st_uid == geteuid() && !(st.st_mode & 077) &&
	    in_memory(x))
		return x;
	const char *t = getenv("TMPDIR");
	if (usable(t) && in_memory(t))
		return t;
	if (usable("/dev/shm") && in_memory("/dev/shm"))
		return "/dev/shm";
	*disk = t && *t ? t : "/tmp";
	return *disk;
}

/* ---- wiping -------------------------------------------------------------------------------- */

/* Overwrite a regular file with zeros, then remove it. */
static void shred(const char *path)
{
	(void)chmod(path, 0600); /* an editor may have made it read-only */
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		static const char zero[4096];
		for (off_t done = 0; done < st.st_size;) {
			off_t left = st.st_size - done;
			size_t k = left < (off_t)sizeof zero ? (size_t)left : sizeof zero;
			if (tc_fd_write(fd, zero, k) != 0)
				break;
			done += (off_t)k;
		}
		(void)fsync(fd);
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
}

/* Wipe and remove everything inside dir (not dir itself). Entries removed
 * while readdir runs may or may not be listed again, so scan until a pass
 * finds nothing. */
static void wipe_tree(const char *dir, int depth)
{
	for (int pass = 0; pass < 4; pass++) {
		DIR *dh = opendir(dir);
		if (!dh)
			return;
		bool found = false;
		for (struct dirent *de; (de = readdir(dh)) != NULL;) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char p[PATH_MAX];
			int n = snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			struct stat st;
			if (n < 0 || (size_t)n >= sizeof p || lstat(p, &st) != 0)
				continue;
			found = true;
			if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
				(void)chmod(p, 0700);
				wipe_tree(p, depth + 1);
				rmdir(p);
			} else if (S_ISREG(st.st_mode)) {
				shred(p);
			} else {
				unlink(p);
			}
		}
		closedir(dh);
		if (!found)
			return;
	}
}

void tc_editfile_remove(tc_editfile *ef)
{
	if (!ef->dir[0])
		return;
	(void)chmod(ef->dir, 0700);
	wipe_tree(ef->dir, 0);
	rmdir(ef->dir);
	ef->dir[0] = 0;
}

/* ---- the session --------------------------------------------------------------------------- */

void tc_editfile_init(tc_editfile *ef)
{
	memset(ef, 0, sizeof *ef);
}

int tc_editfile_open(tc_editfile *ef, tc_diags *d, const char *file, const char *name,
                     const char *data, size_t len)
{
	sigemptyset(&ef->caught);
	for (size_t i = 0; i < NCAUGHT; i++) {
		struct sigaction sa;
		int s = caught_signals[i];
		if (sigaction(s, NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
			sigaddset(&ef->caught, s);
	}
	ef->blocked = ef->caught;
	sigaddset(&ef->blocked, SIGCHLD);
	sigaddset(&ef->blocked, SIGALRM);
	if (sigprocmask(SIG_BLOCK, &ef->blocked, &ef->oldmask) != 0)
		return tc_fail(d, (tc_pos){file, 0, 0}, NULL, "cannot block signals: %s",
		               strerror(errno));
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &ef->old_chld);
	sigaction(SIGALRM, &dfl, &ef->old_alrm);
	ef->is_open = true;

	const char *base = pick_base(&ef->disk_base);
	int n = snprintf(ef->dir, sizeof ef->dir, "%s/tenantc-edit-XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof ef->dir) {
		ef->dir[0] = 0;
		return tc_fail(d, (tc_pos){file, 0, 0}, NULL,
		               "the temporary folder '%s' has too long a name", base);
	}
	if (!mkdtemp(ef->dir)) { /* mode 0700 */
		int e = errno;
		ef->dir[0] = 0;
		return tc_fail(d, (tc_pos){file, 0, 0}, NULL,
		               "cannot create a private folder in '%s': %s", base, strerror(e));
	}
	n = snprintf(ef->path, sizeof ef->path, "%s/%s", ef->dir, name);
	if (n < 0 || (size_t)n >= sizeof ef->path) {
		tc_editfile_remove(ef);
		return tc_fail(d, (tc_pos){file, 0, 0}, NULL,
		               "the temporary folder '%s' has too long a name", base);
	}
	int fd = open(ef->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || tc_fd_write(fd, data, len) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		tc_editfile_remove(ef);
		return tc_fail(d, (tc_pos){file, 0, 0}, NULL,
		               "cannot write the temporary plaintext file in '%s': %s", base,
		               strerror(e));
	}
	close(fd);
	return 0;
}

/* Take every pending caught signal; the first one is kept in ef->sig. */
static void take_pending(tc_editfile *ef)
{
	sigset_t p;
	if (sigpending(&p) != 0)
		return;
	for (size_t i = 0; i < NCAUGHT; i++) {
		int s = caught_signals[i], got = 0;
		if (!sigismember(&ef->caught, s) || !sigismember(&p, s))
			continue;
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, s);
		if (sigwait(&one, &got) == 0 && !ef->sig)
			ef->sig = got;
	}
}

bool tc_editfile_interrupted(tc_editfile *ef)
{
	if (ef->is_open)
		take_pending(ef);
	return ef->sig != 0;
}

/* The signal to send at each step of stopping the editor. A SIGQUIT is
 * passed on as SIGTERM: a core dump would hold the plaintext. */
static int stop_signal(int step, int first)
{
	if (step == 0)
		return first == SIGQUIT ? SIGTERM : first;
	return step == 1 ? SIGTERM : SIGKILL;
}

static const char *editor(void)
{
	const char *ed = getenv("SOPS_EDITOR");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	return ed && *ed ? ed : "vi";
}

/* Fork the editor on ef->path through /bin/sh, with the parent's signal state and no core
 * dumps; the child's pid, or -1. */
static pid_t start_editor(const tc_editfile *ef, const char *ed)
{
	/* a simple command can be exec'd by the shell; a compound one cannot */
	bool simple = strpbrk(ed, ";&|\n(){}") == NULL;
	size_t cn = strlen(ed) + 16;
	char *cmd = tc_xmalloc(cn);
	snprintf(cmd, cn, "%s%s \"$1\"", simple ? "exec " : "", ed);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		sigaction(SIGCHLD, &ef->old_chld, NULL);
		sigaction(SIGALRM, &ef->old_alrm, NULL);
		sigprocmask(SIG_SETMASK, &ef->oldmask, NULL);
		struct rlimit no_core = {0, 0};
		(void)setrlimit(RLIMIT_CORE, &no_core);
		execl("/bin/sh", "sh", "-c", cmd, "sh", ef->path, (char *)NULL);
		_exit(127);
	}
	int e = errno;
	free(cmd);
	errno = e;
	return pid;
}

/* Wait for the editor, passing a caught signal on to it and escalating after the grace
 * time. True when it was reaped (its status in *st); otherwise *lost says why not. */
static bool wait_editor(tc_editfile *ef, pid_t pid, int *st, int *lost)
{
	int step = 0;
	for (;;) {
		int s = 0;
		if ((*lost = sigwait(&ef->blocked, &s)) != 0)
			return false;
		if (s == SIGCHLD || s == SIGALRM) {
			pid_t w = waitpid(pid, st, WNOHANG);
			if (w == pid)
				return true;
			if (w < 0 && errno != EINTR) {
				*lost = errno;
				return false;
			}
			if (s == SIGCHLD || !ef->sig)
				continue;
		} else if (!ef->sig) {
			ef->sig = s;
		}
		/* stopping: a caught signal, or the grace time is over */
		if (step == 3) {
			*lost = ETIMEDOUT; /* SIGKILL did not end it either: stop waiting */
			return false;
		}
		kill(pid, stop_signal(step, ef->sig));
		step++;
		alarm(STOP_GRACE);
	}
}

/* The editor's wait status as a diagnostic: 0 only for exit status 0. */
static int editor_status(tc_diags *d, const char *file, const char *ed, int st)
{
	if (WIFSIGNALED(st))
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "the editor '%s' was killed by %s (%d); nothing was changed", ed,
		                tc_editfile_signame(WTERMSIG(st)), WTERMSIG(st));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "the editor '%s' could not be started (exit status 127); nothing "
		                "was changed",
		                ed);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "the editor '%s' failed (exit status %d); nothing was changed", ed,
		                WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

int tc_editfile_run(tc_editfile *ef, tc_diags *d, const char *file)
{
	const char *ed = editor();
	pid_t pid = start_editor(ef, ed);
	if (pid < 0)
		return tc_fail(d, (tc_pos){file, 0, 0}, NULL, "cannot start the editor: %s",
		               strerror(errno));
	int st = 0, lost = 0;
	bool reaped = wait_editor(ef, pid, &st, &lost);
	alarm(0);
	if (ef->sig)
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "stopped by %s while the editor ran; nothing was changed",
		                tc_editfile_signame(ef->sig));
	if (!reaped)
		return tc_fail(d, (tc_pos){file, 0, 0}, NULL, "lost the editor '%s': %s", ed,
		               strerror(lost));
	return editor_status(d, file, ed, st);
}

void tc_editfile_close(tc_editfile *ef)
{
	tc_editfile_remove(ef);
	if (!ef->is_open)
		return;
	alarm(0);
	take_pending(ef);
	/* a SIGCHLD or SIGALRM still pending is dropped with the default action
	 * (ignore) of SIGCHLD; SIGALRM cannot be pending after alarm(0) unless it
	 * fired, so take it first */
	sigset_t p;
	if (sigpending(&p) == 0 && sigismember(&p, SIGALRM)) {
		sigset_t one;
		int got;
		sigemptyset(&one);
		sigaddset(&one, SIGALRM);
		(void)sigwait(&one, &got);
	}
	sigaction(SIGCHLD, &ef->old_chld, NULL);
	sigaction(SIGALRM, &ef->old_alrm, NULL);
	sigprocmask(SIG_SETMASK, &ef->oldmask, NULL);
	ef->is_open = false;
}
