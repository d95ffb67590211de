/*
 * verify_report.c - the verifier's findings and tables: exceptions from
 * tenantc.yaml matched as each finding is made, the rows of --explain and
 * the JSON document of --format json (see verify.h).
 *
 * A finding is reported unless an exception covers it: the exception's
 * rule equals the finding's or is its family ("network" for
 * network.egress), and every field the exception gives matches the
 * finding's subject (vsubj). Rows are kept in the order the invariants
 * make them, which follows the sorted objects, so the tables are the same
 * whatever order the render's workers finished in.
 */
#include "verify_impl.h"

#include "json_emit.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

/* ---- exceptions ---- */

void tc_vexc_load(tc_verify *v)
{
	const tc_value *list = tc_value_getz(v->settings, "exceptions");
	if (!list || list->kind != TC_ARRAY)
		return;
	v->exc = tc_xcalloc(list->u.arr.len + 1, sizeof *v->exc);
	FOREACH_ARR (e, i, list) {
		vexc *x = &v->exc[v->nexc++];
		x->rule = tc_vstr(e, "rule");
		x->namespace = tc_vstr(e, "namespace");
		x->cidr = tc_vstr(e, "cidr");
		x->to_namespace = tc_vstr(e, "toNamespace");
		x->subject = tc_vstr(e, "subject");
		x->kind = tc_vstr(e, "kind");
		x->realm = tc_vstr(e, "realm");
		x->host = tc_vstr(e, "host");
		x->ports = tc_value_getz(e, "ports");
		x->reason = tc_vstr(e, "reason");
		x->pos = e->pos;
	}
}

/* Whether the exception's port list exc holds the rule's port (a number
 * without endPort, or with an endPort equal to it; or a named port). */
static bool port_listed(const tc_value *exc, const tc_value *port, const tc_value *end)
{
	FOREACH_ARR (q, k, exc)
		if (port->kind == TC_INT && q->kind == TC_INT && q->u.i == port->u.i &&
		    (!end || (end->kind == TC_INT && end->u.i == port->u.i)))
			return true;
		else if (port->kind == TC_STR && tc_value_equal(q, port))
			return true;
	return false;
}

/* Every port of the finding's rule among the exception's ports. */
static bool ports_covered(const tc_value *exc, const tc_value *rule)
{
	if (!exc)
		return true;
	if (!rule || rule->kind != TC_ARRAY || rule->u.arr.len == 0)
		return false;
	FOREACH_ARR (p, i, rule) {
		const tc_value *port = tc_value_getz(p, "port");
		if (!port || !port_listed(exc, port, tc_value_getz(p, "endPort")))
			return false;
	}
	return true;
}

static bool str_match(const char *want, const char *have)
{
	return !want || strcmp(want, "*") == 0 || (have && strcmp(want, have) == 0);
}

/* A host: equal, or "*.D" for every host below D. */
static bool host_match(const char *want, const char *have)
{
	if (!want || strcmp(want, "*") == 0)
		return true;
	if (!have)
		return false;
	if (strncmp(want, "*.", 2) == 0) {
		size_t w = strlen(want) - 1, h = strlen(have); /* w counts the '.' */
		return h > w && strcasecmp(have + h - w, want + 1) == 0;
	}
	return strcasecmp(want, have) == 0;
}

static bool excepted(tc_verify *v, const char *rule, const vsubj *s)
{
	for (size_t i = 0; i < v->nexc; i++) {
		vexc *x = &v->exc[i];
		if (!x->rule || !x->reason)
			continue;
		size_t rl = strlen(x->rule);
		bool rule_ok = strcmp(x->rule, rule) == 0 ||
		               (strncmp(x->rule, rule, rl) == 0 && rule[rl] == '.');
		if (!rule_ok || !str_match(x->namespace, s->namespace) ||
		    !str_match(x->to_namespace, s->to_namespace) ||
		    !str_match(x->subject, s->subject) || !str_match(x->kind, s->kind) ||
		    !str_match(x->realm, s->realm) || !host_match(x->host, s->host))
			continue;
		if (x->cidr) {
			if (!s->cidr || !tc_vcidr_within(s->cidr, NULL, &x->cidr, 1))
				continue;
		}
		if (!ports_covered(x->ports, s->ports))
			continue;
		x->used++;
		return true;
	}
	return false;
}

bool tc_vfind(tc_verify *v, tc_diags *d, const char *rule, const vsubj *s, const tc_value *at,
              const vobj *o, const tc_path *path, const char *fmt, ...)
{
	static const vsubj none = {0};
	if (excepted(v, rule, s ? s : &none))
		return false;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* the value at fault, else its object: both carry the template's line */
	tc_pos pos = at && at->pos.file ? at->pos : o ? o->v->pos : TC_NOPOS;
	tc_finding(d, pos, path, "%s: %s %s/%s%s%s (%s): %s", rule, o ? o->kind : "",
	           o ? o->env : "", o && o->ns[0] ? o->ns : "", o && o->ns[0] ? "/" : "",
	           o ? o->name : "", o && o->tenant ? o->tenant : "platform", msg);
	v->nfindings++;
	return true;
}

void tc_vrow(tc_verify *v, const char *table, const char *c0, const char *c1, const char *c2,
             const char *c3, const char *c4)
{
	TC_GROW(v->rows, v->caprows, v->nrows + 1);
	v->rows[v->nrows++] = (vrow){table, {c0, c1, c2, c3, c4}};
}

static const char *const heads[][5] = {
	{"NAMESPACE", "DIRECTION", "PEER", "PORTS", "POLICY"},
	{"NAMESPACE", "SUBJECT", "RIGHTS", "WHERE", "ROLE"},
	{"RULE", "NAMESPACE", "TARGET", "STATE", "REASON"},
	{"REALM", "CLIENT", "HOST", "TRUST", "OBJECT"},
};
static const char *const tables[] = {"flow", "right", "exception", "host"};
#define NTABLES (sizeof tables / sizeof tables[0])

static const char *const titles[] = {"allowed flows", "rights", "exceptions", "trusted hosts"};

/* The rows of table t: their count, and in w the width of each of the
 * first four columns (header included). */
static size_t table_widths(const tc_verify *v, size_t t, size_t w[5])
{
	for (size_t c = 0; c < 5; c++)
		w[c] = strlen(heads[t][c]);
	size_t n = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		if (strcmp(v->rows[i].table, tables[t]) != 0)
			continue;
		n++;
		for (size_t c = 0; c < 4; c++) {
			size_t l = strlen(v->rows[i].cols[c]);
			if (l > w[c])
				w[c] = l;
		}
	}
	return n;
}

/* One line of a table: four padded columns and the last as it is. */
static void explain_line(tc_buf *out, const size_t w[5], const char *const cols[5])
{
	for (size_t c = 0; c < 4; c++)
		tc_buf_addf(out, "%-*s  ", (int)w[c], cols[c]);
	tc_buf_addf(out, "%s\n", cols[4]);
}

void tc_verify_explain(const tc_verify *v, tc_buf *out)
{
	for (size_t t = 0; t < NTABLES; t++) {
		size_t w[5];
		size_t n = table_widths(v, t, w);
		tc_buf_addf(out, "%s%s (%zu)\n", t ? "\n" : "", titles[t], n);
		if (!n)
			continue;
		explain_line(out, w, heads[t]);
		for (size_t i = 0; i < v->nrows; i++)
			if (strcmp(v->rows[i].table, tables[t]) == 0)
				explain_line(out, w, v->rows[i].cols);
	}
}

static void json_str(tc_buf *out, const char *s)
{
	tc_json_string(out, s ? s : "", s ? strlen(s) : 0);
}

/* Whether a diagnostic is a finding of the verifier, by its rule's
 * prefix: the text before colon. */
static bool verifier_rule(const char *msg, const char *colon)
{
	return colon && (strncmp(msg, "network.", 8) == 0 || strncmp(msg, "rbac.", 5) == 0 ||
	                 strncmp(msg, "gitops.", 7) == 0 || strncmp(msg, "admission.", 10) == 0 ||
	                 strncmp(msg, "realm.", 6) == 0);
}

static void json_findings(const tc_diags *d, tc_buf *out)
{
	bool first = true;
	for (size_t i = 0; d && i < d->len; i++) {
		const tc_diag *g = &d->items[i];
		const char *colon = strchr(g->msg, ':');
		if (!verifier_rule(g->msg, colon))
			continue;
		tc_buf_adds(out, first ? "\n" : ",\n");
		first = false;
		tc_buf_adds(out, "{\"rule\":");
		tc_json_string(out, g->msg, (size_t)(colon - g->msg));
		tc_buf_adds(out, ",\"file\":");
		json_str(out, g->file);
		tc_buf_addf(out, ",\"line\":%u,\"column\":%u,\"path\":", (unsigned)g->line,
		            (unsigned)g->col);
		json_str(out, g->path);
		tc_buf_adds(out, ",\"message\":");
		json_str(out, colon + 2);
		tc_buf_adds(out, "}");
	}
}

/* A row of table t as a JSON object keyed by its lower-case headers. */
static void json_row(tc_buf *out, size_t t, const vrow *r)
{
	tc_buf_adds(out, "{");
	for (size_t c = 0; c < 5; c++) {
		char key[32];
		size_t k = 0;
		for (const char *h = heads[t][c]; *h && k < sizeof key - 1; h++)
			key[k++] = (char)(*h >= 'A' && *h <= 'Z' ? *h + 32 : *h);
		key[k] = 0;
		tc_buf_addf(out, "%s\"%s\":", c ? "," : "", key);
		json_str(out, r->cols[c]);
	}
	tc_buf_adds(out, "}");
}

void tc_verify_json(const tc_verify *v, const tc_diags *d, tc_buf *out)
{
	tc_buf_adds(out, "{\"findings\":[");
	json_findings(d, out);
	for (size_t t = 0; t < NTABLES; t++) {
		tc_buf_addf(out, "],\n\"%ss\":[", tables[t]);
		bool first = true;
		for (size_t i = 0; i < v->nrows; i++) {
			if (strcmp(v->rows[i].table, tables[t]) != 0)
				continue;
			tc_buf_adds(out, first ? "\n" : ",\n");
			first = false;
			json_row(out, t, &v->rows[i]);
		}
	}
	tc_buf_adds(out, "]}\n");
}
