/*
 * k8s_workload.c - Deployment, ReplicaSet, StatefulSet, DaemonSet, Job and
 * CronJob: selectors that select something and match the pod template,
 * update strategies, counts, and the CronJob schedule and time zone.
 *
 * Upstream: kubernetes/kubernetes pkg/apis/apps/validation/validation.go
 * (ValidateDeploymentSpec, ValidateDeploymentStrategy,
 * ValidateRollingUpdateDeployment, ValidateReplicaSetSpec,
 * ValidatePodTemplateSpecForReplicaSet, ValidateStatefulSetSpec,
 * ValidateDaemonSetSpec, ValidateRollingUpdateDaemonSet) and
 * pkg/apis/batch/validation/validation.go (validateJobSpec,
 * ValidateJobTemplateSpec, validateCronJobSpec, validateScheduleFormat,
 * validateTimeZone), with the defaults of pkg/apis/apps/v1/defaults.go
 * that apply before validation (strategy RollingUpdate with 25%/25% for
 * Deployments, maxUnavailable 1 and maxSurge 0 for DaemonSets,
 * progressDeadlineSeconds 600).
 */
#include "k8s_rules.h"

#include "k8s.h"

#include <inttypes.h>
#include <stdio.h>
#include <strings.h>

static const char *const always[] = {"Always", NULL};
static const char *const job_restart[] = {"OnFailure", "Never", NULL};

/* the selector rules of the apps kinds: present, not empty, matching the
 * template's labels */
static void check_app_selector(tc_k8s_ctx *o, const tc_value *spec, const tc_path *sp,
                               const char *owner)
{
	tc_k8s_field sel = tc_k8s_field_of(spec, "selector", sp);
	tc_k8s_field tpl = tc_k8s_field_of(spec, "template", sp);
	if (!tc_k8s_obj(sel.v)) {
		tc_k8s_report(o, sel.v ? sel.v->pos : spec->pos, &sel.p, "a %s needs a selector",
		              owner);
		return;
	}
	tc_k8s_check_selector(o, sel.v, &sel.p);
	if (!tc_k8s_nonempty(tc_value_getz(sel.v, "matchLabels")) &&
	    !tc_k8s_nonempty(tc_value_getz(sel.v, "matchExpressions"))) {
		tc_k8s_report(o, sel.v->pos, &sel.p,
		              "an empty selector is invalid for a %s: it would select every pod",
		              owner);
		return;
	}
	tc_k8s_field meta = tc_k8s_field_of(tpl.v, "metadata", &tpl.p);
	tc_k8s_field labels = tc_k8s_field_of(meta.v, "labels", &meta.p);
	if (tc_k8s_obj(tpl.v) && !tc_k8s_selector_matches(sel.v, tc_k8s_obj(labels.v)))
		tc_k8s_report(
			o, labels.v ? labels.v->pos : tpl.v->pos, &labels.p,
			"the selector (at %u:%u) does not match the template's labels: the %s "
			"would not own its pods",
			(unsigned)sel.v->pos.line, (unsigned)sel.v->pos.col, owner);
}

static void check_template(tc_k8s_ctx *o, const tc_value *spec, const tc_path *sp,
                           const char *const *restart, const char *owner)
{
	tc_k8s_field tpl = tc_k8s_field_of(spec, "template", sp);
	if (!tc_k8s_obj(tpl.v)) {
		tc_k8s_report(o, tpl.v ? tpl.v->pos : spec->pos, &tpl.p,
		              "a %s needs a pod template", owner);
		return;
	}
	tc_k8s_check_pod_template(o, tpl.v, &tpl.p, restart, owner);
}

/* an int-or-percent field: *out its value (percent or count), false when
 * absent or invalid (reported) */
static bool int_or_percent(tc_k8s_ctx *o, const tc_value *obj, const char *key, const tc_path *at,
                           int64_t *out, bool *pct)
{
	tc_k8s_field f = tc_k8s_field_of(obj, key, at);
	if (!f.v || f.v->kind == TC_NULL)
		return false;
	*pct = false;
	if (f.v->kind == TC_INT) {
		*out = f.v->u.i;
		if (*out >= 0)
			return true;
		tc_k8s_report(o, f.v->pos, &f.p, "%s must be greater than or equal to 0", key);
		return false;
	}
	if (f.v->kind != TC_STR)
		return false;
	if (!tc_k8s_is_percent(f.v->u.str.ptr, f.v->u.str.len, out)) {
		tc_k8s_report(o, f.v->pos, &f.p,
		              "'%.*s' is not a valid %s: an integer or a percentage such as '25%%'",
		              TC_K8S_SHOW(f.v), key);
		return false;
	}
	*pct = true;
	return true;
}

/* maxUnavailable and maxSurge with their defaults */
static void check_rolling(tc_k8s_ctx *o, const tc_value *ru, const tc_path *rp, int64_t def_unavail,
                          bool def_unavail_pct, int64_t def_surge)
{
	int64_t u = def_unavail, s = def_surge;
	bool up = def_unavail_pct, spct = false, uset, sset;
	uset = int_or_percent(o, ru, "maxUnavailable", rp, &u, &up);
	sset = int_or_percent(o, ru, "maxSurge", rp, &s, &spct);
	if (!uset && tc_k8s_set(tc_value_getz(ru, "maxUnavailable")))
		return;
	if (!sset && tc_k8s_set(tc_value_getz(ru, "maxSurge")))
		return;
	tc_k8s_field uf = tc_k8s_field_of(ru, "maxUnavailable", rp);
	if (up && u > 100)
		tc_k8s_report(o, uf.v->pos, &uf.p, "maxUnavailable must not be more than 100%%");
	if (u == 0 && s == 0)
		tc_k8s_report(
			o, uf.v ? uf.v->pos : ru->pos, &uf.p,
			"maxUnavailable may not be 0 when maxSurge is 0: the rollout could not "
			"make progress");
}

void tc_k8s_rule_deployment(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	static const char *const nonneg[] = {"replicas", "minReadySeconds", "revisionHistoryLimit",
	                                     "progressDeadlineSeconds"};
	for (size_t i = 0; i < 4; i++)
		tc_k8s_check_nonneg(o, spec.v, nonneg[i], &spec.p);
	check_app_selector(o, spec.v, &spec.p, "Deployment");
	check_template(o, spec.v, &spec.p, always, "Deployment");
	tc_k8s_field st = tc_k8s_field_of(spec.v, "strategy", &spec.p);
	tc_k8s_field type = tc_k8s_field_of(st.v, "type", &st.p);
	tc_k8s_field ru = tc_k8s_field_of(st.v, "rollingUpdate", &st.p);
	if (tc_value_streq(type.v, "Recreate")) {
		if (tc_k8s_set(ru.v))
			tc_k8s_report(o, ru.v->pos, &ru.p,
			              "rollingUpdate may not be given when the strategy type is "
			              "'Recreate'");
	} else if (tc_k8s_str(type.v) && !tc_value_streq(type.v, "RollingUpdate")) {
		tc_k8s_report(o, type.v->pos, &type.p,
		              "'%.*s' is not a deployment strategy: 'Recreate' or 'RollingUpdate'",
		              TC_K8S_SHOW(type.v));
	} else if (tc_k8s_obj(ru.v)) {
		check_rolling(o, ru.v, &ru.p, 25, true, 25);
	}
	int64_t pd = 600, mr = 0;
	tc_k8s_field pdf = tc_k8s_field_of(spec.v, "progressDeadlineSeconds", &spec.p);
	tc_k8s_field mrf = tc_k8s_field_of(spec.v, "minReadySeconds", &spec.p);
	tc_k8s_int(pdf.v, &pd);
	if (tc_k8s_int(mrf.v, &mr) && pd >= 0 && pd <= mr)
		tc_k8s_report(o, pdf.v ? pdf.v->pos : mrf.v->pos, pdf.v ? &pdf.p : &mrf.p,
		              "progressDeadlineSeconds (%" PRId64 "%s) must be greater than "
		              "minReadySeconds (%" PRId64 ")",
		              pd, pdf.v ? "" : ", the default", mr);
}

void tc_k8s_rule_replicaset(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	tc_k8s_check_nonneg(o, spec.v, "replicas", &spec.p);
	tc_k8s_check_nonneg(o, spec.v, "minReadySeconds", &spec.p);
	check_app_selector(o, spec.v, &spec.p, "ReplicaSet");
	check_template(o, spec.v, &spec.p, always, "ReplicaSet");
}

void tc_k8s_rule_statefulset(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	static const char *const nonneg[] = {"replicas", "minReadySeconds", "revisionHistoryLimit"};
	for (size_t i = 0; i < 3; i++)
		tc_k8s_check_nonneg(o, spec.v, nonneg[i], &spec.p);
	tc_k8s_field ord = tc_k8s_field_of(spec.v, "ordinals", &spec.p);
	tc_k8s_check_nonneg(o, ord.v, "start", &ord.p);
	static const char *const pmp[] = {"OrderedReady", "Parallel", NULL};
	tc_k8s_check_enum(o, spec.v, "podManagementPolicy", &spec.p, pmp);
	check_app_selector(o, spec.v, &spec.p, "StatefulSet");
	check_template(o, spec.v, &spec.p, always, "StatefulSet");
	tc_k8s_field us = tc_k8s_field_of(spec.v, "updateStrategy", &spec.p);
	tc_k8s_field type = tc_k8s_field_of(us.v, "type", &us.p);
	tc_k8s_field ru = tc_k8s_field_of(us.v, "rollingUpdate", &us.p);
	static const char *const types[] = {"RollingUpdate", "OnDelete", NULL};
	tc_k8s_check_enum(o, us.v, "type", &us.p, types);
	if (tc_value_streq(type.v, "OnDelete") && tc_k8s_set(ru.v))
		tc_k8s_report(
			o, ru.v->pos, &ru.p,
			"rollingUpdate is only allowed with updateStrategy type 'RollingUpdate'");
	tc_k8s_check_nonneg(o, ru.v, "partition", &ru.p);
	tc_k8s_field mu = tc_k8s_field_of(ru.v, "maxUnavailable", &ru.p);
	int64_t n;
	bool pct;
	if (tc_k8s_set(mu.v) && int_or_percent(o, ru.v, "maxUnavailable", &ru.p, &n, &pct) &&
	    (n < 1 || (pct && n > 100)))
		tc_k8s_report(o, mu.v->pos, &mu.p, "maxUnavailable must be at least 1%s",
		              pct ? "% and at most 100%" : "");
	tc_k8s_field rp = tc_k8s_field_of(spec.v, "persistentVolumeClaimRetentionPolicy", &spec.p);
	static const char *const ret[] = {"Retain", "Delete", NULL};
	tc_k8s_check_enum(o, rp.v, "whenDeleted", &rp.p, ret);
	tc_k8s_check_enum(o, rp.v, "whenScaled", &rp.p, ret);
}

void tc_k8s_rule_daemonset(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	tc_k8s_check_nonneg(o, spec.v, "minReadySeconds", &spec.p);
	tc_k8s_check_nonneg(o, spec.v, "revisionHistoryLimit", &spec.p);
	check_app_selector(o, spec.v, &spec.p, "DaemonSet");
	check_template(o, spec.v, &spec.p, always, "DaemonSet");
	tc_k8s_field us = tc_k8s_field_of(spec.v, "updateStrategy", &spec.p);
	tc_k8s_field type = tc_k8s_field_of(us.v, "type", &us.p);
	static const char *const types[] = {"RollingUpdate", "OnDelete", NULL};
	tc_k8s_check_enum(o, us.v, "type", &us.p, types);
	tc_k8s_field ru = tc_k8s_field_of(us.v, "rollingUpdate", &us.p);
	if (!tc_value_streq(type.v, "OnDelete") && tc_k8s_obj(ru.v))
		check_rolling(o, ru.v, &ru.p, 1, false, 0);
}

void tc_k8s_check_job_spec(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	if (!tc_k8s_obj(spec))
		return;
	static const char *const nonneg[] = {"parallelism",
	                                     "completions",
	                                     "activeDeadlineSeconds",
	                                     "backoffLimit",
	                                     "ttlSecondsAfterFinished",
	                                     "backoffLimitPerIndex",
	                                     "maxFailedIndexes"};
	for (size_t i = 0; i < 7; i++)
		tc_k8s_check_nonneg(o, spec, nonneg[i], at);
	static const char *const modes[] = {"NonIndexed", "Indexed", NULL};
	tc_k8s_check_enum(o, spec, "completionMode", at, modes);
	/* SetDefaults_Job: completions is 1 when neither it nor parallelism
	 * is given */
	tc_k8s_field cm = tc_k8s_field_of(spec, "completionMode", at);
	tc_path cp = TC_PATH_KEY(at, "completions", 11);
	if (tc_value_streq(cm.v, "Indexed") && !tc_k8s_set(tc_value_getz(spec, "completions")) &&
	    tc_k8s_set(tc_value_getz(spec, "parallelism")))
		tc_k8s_report(o, cm.v->pos, &cp,
		              "completionMode 'Indexed' with parallelism needs 'completions'");
	static const char *const indexed_only[] = {"backoffLimitPerIndex", "maxFailedIndexes",
	                                           "successPolicy"};
	for (size_t i = 0; i < 3; i++) {
		tc_k8s_field f = tc_k8s_field_of(spec, indexed_only[i], at);
		if (tc_k8s_set(f.v) && !tc_value_streq(cm.v, "Indexed"))
			tc_k8s_report(o, f.v->pos, &f.p, "%s needs completionMode 'Indexed'",
			              indexed_only[i]);
	}
	tc_k8s_field mfi = tc_k8s_field_of(spec, "maxFailedIndexes", at);
	if (tc_k8s_set(mfi.v) && !tc_k8s_set(tc_value_getz(spec, "backoffLimitPerIndex")))
		tc_k8s_report(o, mfi.v->pos, &mfi.p, "maxFailedIndexes needs backoffLimitPerIndex");
	tc_k8s_field tpl = tc_k8s_field_of(spec, "template", at);
	if (!tc_k8s_obj(tpl.v)) {
		tc_k8s_report(o, tpl.v ? tpl.v->pos : spec->pos, &tpl.p,
		              "a Job needs a pod template");
		return;
	}
	tc_k8s_check_pod_template(o, tpl.v, &tpl.p, job_restart, "Job");
	tc_k8s_field pfp = tc_k8s_field_of(spec, "podFailurePolicy", at);
	const tc_value *rp = tc_value_dig(tpl.v, "spec.restartPolicy");
	tc_path tsp = TC_PATH_KEY(&tpl.p, "spec", 4);
	tc_path rpp = TC_PATH_KEY(&tsp, "restartPolicy", 13);
	if (tc_k8s_set(pfp.v) && tc_value_streq(rp, "OnFailure"))
		tc_k8s_report(o, rp->pos, &rpp,
		              "a Job with a podFailurePolicy needs restartPolicy 'Never'");
}

void tc_k8s_rule_job(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	const tc_value *name = tc_k8s_str(tc_value_dig(obj, "metadata.name"));
	if (name && name->u.str.len > 63) {
		tc_path mp = TC_PATH_KEY(at, "metadata", 8);
		tc_path np = TC_PATH_KEY(&mp, "name", 4);
		tc_k8s_report(
			o, name->pos, &np,
			"a Job name may have at most 63 characters, not %zu: its pods carry it "
			"in the label batch.kubernetes.io/job-name",
			name->u.str.len);
	}
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	tc_k8s_check_job_spec(o, spec.v, &spec.p);
	tc_k8s_field sel = tc_k8s_field_of(spec.v, "selector", &spec.p);
	const tc_value *tpl = tc_value_getz(spec.v, "template");
	tc_k8s_field ms = tc_k8s_field_of(spec.v, "manualSelector", &spec.p);
	if (tc_value_getz(spec.v, "manualSelector") && ms.v->kind == TC_BOOL && ms.v->u.b &&
	    !tc_k8s_obj(sel.v))
		tc_k8s_report(o, ms.v->pos, &sel.p, "manualSelector needs a selector");
	if (tc_k8s_obj(sel.v)) {
		tc_k8s_check_selector(o, sel.v, &sel.p);
		const tc_value *labels = tc_k8s_obj(tc_value_dig(tpl, "metadata.labels"));
		if (tc_k8s_obj(tpl) && !tc_k8s_selector_matches(sel.v, labels))
			tc_k8s_report(o, labels ? labels->pos : tpl->pos, &sel.p,
			              "the selector does not match the template's labels");
	}
}

/* validateTimeZone: not empty, not "Local", and time.LoadLocation must
 * know it: the zone database Go embeds in kube-apiserver (k8s_tz.c); a
 * node's own database may add the posix/ and right/ copies of each name */
static const char *tz_error(const char *s, size_t n)
{
	if (n == 0)
		return "timeZone must be left out or not empty";
	if (n == 5 && !strncasecmp(s, "local", 5))
		return "timeZone must be an explicit IANA time zone, not 'Local'";
	if (n > 6 && (!memcmp(s, "posix/", 6) || !memcmp(s, "right/", 6))) {
		s += 6;
		n -= 6;
	}
	if (!tc_k8s_is_time_zone(s, n))
		return "unknown time zone: not a name of the IANA time zone database (such as "
		       "'Europe/Berlin' or 'UTC')";
	return NULL;
}

void tc_k8s_rule_cronjob(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	const tc_value *name = tc_k8s_str(tc_value_dig(obj, "metadata.name"));
	if (name && name->u.str.len > 52) {
		tc_path mp = TC_PATH_KEY(at, "metadata", 8);
		tc_path np = TC_PATH_KEY(&mp, "name", 4);
		tc_k8s_report(o, name->pos, &np,
		              "a CronJob name may have at most 52 characters, not %zu: the Jobs it "
		              "creates add 11 to it",
		              name->u.str.len);
	}
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	tc_k8s_field sch = tc_k8s_field_of(spec.v, "schedule", &spec.p);
	const tc_value *s = tc_k8s_str(sch.v);
	const char *err;
	if (!s || !s->u.str.len)
		tc_k8s_report(o, s ? s->pos : spec.v->pos, &sch.p, "a CronJob needs a schedule");
	else if (memmem(s->u.str.ptr, s->u.str.len, "TZ", 2))
		tc_k8s_report(o, s->pos, &sch.p,
		              "the schedule cannot hold TZ or CRON_TZ: use spec.timeZone instead");
	else if ((err = tc_k8s_cron_error(s->u.str.ptr, s->u.str.len)))
		tc_k8s_report(
			o, s->pos, &sch.p,
			"'%.*s' is not a cron schedule: %s (five fields: minute, hour, day of "
			"month, month, day of week; or @hourly, @daily, @weekly, @monthly, "
			"@yearly, @every DURATION)",
			TC_K8S_SHOW(s), err);
	tc_k8s_field tz = tc_k8s_field_of(spec.v, "timeZone", &spec.p);
	if (tc_k8s_str(tz.v) && (err = tz_error(tz.v->u.str.ptr, tz.v->u.str.len)))
		tc_k8s_report(o, tz.v->pos, &tz.p, "'%.*s': %s", TC_K8S_SHOW(tz.v), err);
	static const char *const cp[] = {"Allow", "Forbid", "Replace", NULL};
	tc_k8s_check_enum(o, spec.v, "concurrencyPolicy", &spec.p, cp);
	static const char *const nonneg[] = {"startingDeadlineSeconds",
	                                     "successfulJobsHistoryLimit",
	                                     "failedJobsHistoryLimit"};
	for (size_t i = 0; i < 3; i++)
		tc_k8s_check_nonneg(o, spec.v, nonneg[i], &spec.p);
	tc_k8s_field jt = tc_k8s_field_of(spec.v, "jobTemplate", &spec.p);
	tc_k8s_field js = tc_k8s_field_of(jt.v, "spec", &jt.p);
	if (!tc_k8s_obj(js.v)) {
		tc_k8s_report(o, jt.v ? jt.v->pos : spec.v->pos, &js.p,
		              "a CronJob needs jobTemplate.spec");
		return;
	}
	tc_k8s_check_job_spec(o, js.v, &js.p);
	tc_k8s_field sel = tc_k8s_field_of(js.v, "selector", &js.p);
	if (tc_k8s_set(sel.v))
		tc_k8s_report(o, sel.v->pos, &sel.p,
		              "the selector of a CronJob's jobTemplate is generated and may not be "
		              "given");
	tc_k8s_field ms = tc_k8s_field_of(js.v, "manualSelector", &js.p);
	if (ms.v && ms.v->kind == TC_BOOL && ms.v->u.b)
		tc_k8s_report(o, ms.v->pos, &ms.p, "manualSelector is not supported in a CronJob");
}
