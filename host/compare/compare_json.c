/* compare_json.c — compare_to_json() of compare.h: the fields docs/compare.md lists. */
#include "compare/compare.h"
#include "util/mem.h"

#include <math.h>

static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static const char *outcome_name(enum compare_outcome o)
{
    return o == COMPARE_REGRESSION     ? "regression"
           : o == COMPARE_INCONCLUSIVE ? "inconclusive"
                                       : "no regression";
}

static json_t *options(const struct compare_options *o)
{
    static const double defaults[] = COMPARE_DEFAULT_PERCENTILES;
    json_t *pct = json_array();
    size_t n = o->npercentiles ? o->npercentiles : ARRAY_LEN(defaults);
    for (size_t k = 0; k < n; k++)
        json_array_append_new(pct, json_real(o->npercentiles ? o->percentiles[k] : defaults[k]));
    return json_pack("{s:f, s:f, s:o, s:o}", "threshold", o->threshold, "confidence",
                     o->confidence, "percentiles", pct, "histogram",
                     o->histogram ? json_string(o->histogram) : json_null());
}

static json_t *figure(const struct compare_figure *f)
{
    json_t *j = json_object();
    json_object_set_new(j, "point", json_string(f->point_id));
    json_object_set_new(j, "label", json_string(f->label));
    json_object_set_new(j, "histogram", json_string(f->histogram));
    json_object_set_new(j, "figure", json_string(f->figure));
    json_object_set_new(j, "unit", json_string(f->unit));
    json_object_set_new(j, "a", num(f->a));
    json_object_set_new(j, "b", num(f->b));
    json_object_set_new(j, "na", json_integer((json_int_t)f->na));
    json_object_set_new(j, "nb", json_integer((json_int_t)f->nb));
    json_object_set_new(j, "ratio", num(f->r.ratio));
    json_object_set_new(j, "lo", num(f->r.lo));
    json_object_set_new(j, "hi", num(f->r.hi));
    json_object_set_new(j, "exact", json_boolean(f->r.exact));
    json_object_set_new(j, "verdict", json_string(verdict_name(f->verdict)));
    json_object_set_new(j, "why", f->why[0] ? json_string(f->why) : json_null());
    return j;
}

json_t *compare_to_json(const struct compare_result *r, const struct compare_options *o)
{
    json_t *figs = json_array();
    for (size_t k = 0; k < r->nfigs; k++)
        json_array_append_new(figs, figure(&r->figs[k]));
    json_t *j = json_object();
    json_object_set_new(j, "schema", json_string("bhost.compare/1"));
    json_object_set_new(j, "a", json_null()); /* the inputs' names, where the caller has them */
    json_object_set_new(j, "b", json_null());
    json_object_set_new(j, "options", options(o));
    json_object_set_new(j, "figures", figs);
    json_object_set_new(j, "points", json_deep_copy(r->points));
    json_object_set_new(j, "unmatched", json_deep_copy(r->unmatched));
    json_object_set_new(j, "environment", json_deep_copy(r->environment));
    json_object_set_new(j, "warnings", json_deep_copy(r->warnings));
    json_object_set_new(j, "summary", json_deep_copy(r->summary));
    json_object_set_new(j, "outcome", json_string(outcome_name(r->outcome)));
    return j;
}
