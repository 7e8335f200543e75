/*
 * test_spec.c — spec loading: what good specs turn into, and one test per
 * kind of bad spec checking the message and its file:line:column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "spec/spec_yaml.h"
#include "spec/spec_json.h"
#include "spec_fixture.h"

static int has(const struct spec_experiment *e, const char *name)
{
    for (size_t i = 0; i < e->nparams; i++)
        if (strcmp(e->plugin->params[e->params[i].def_index].name, name) == 0)
            return (int)i;
    return -1;
}

/* The parameter the spec gives; the test fails if it is not there. */
static const struct spec_param *given(const struct spec_experiment *e, const char *name)
{
    static struct pvalue none;
    static const struct spec_param missing = {.values = &none, .nvalues = 1};
    int i = has(e, name);
    if (i < 0) {
        fail_msg("parameter %s not given", name);
        return &missing;
    }
    return &e->params[i];
}

static void good_spec_resolves_everything(void **state)
{
    (void)state;
    struct spec s;
    int rc = load_spec("name: s1\n"
                       "seed: 5\n"
                       "tags: [a, b]\n"
                       "iterations: {warmup: 2, measured: 10}\n"
                       "repetitions: 3\n"
                       "experiments:\n"
                       "  - experiment: test_good\n"
                       "    params:\n"
                       "      count: [1, 2]\n"
                       "      ratio: {from: 0, to: 1, step: 0.25}\n"
                       "      size_unused_here: 1\n",
                       &s, NULL, 0);
    /* size_unused_here is no parameter of test_good: the one error. */
    assert_int_equal(rc, -1);
    assert_string_equal(err, "t.yaml:11:7: experiment 'test_good' has no parameter "
                             "'size_unused_here'; it has: count, ratio, flag, label, color, "
                             "fail_every");
    rc = load_spec("name: s1\n"
                   "seed: 5\n"
                   "tags: [a, b]\n"
                   "iterations: {warmup: 2, measured: 10}\n"
                   "repetitions: 3\n"
                   "experiments:\n"
                   "  - experiment: test_good\n"
                   "    params:\n"
                   "      count: [1, 2]\n"
                   "      ratio: {from: 0, to: 1, step: 0.25}\n"
                   "      color: blue\n"
                   "      flag: yes\n"
                   "    instruments:\n"
                   "      - test_instrument\n"
                   "  - name: other\n"
                   "    experiment: noop\n"
                   "    min_time: 0.1\n"
                   "    instruments: [{instrument: test_instrument, params: {tag: x}}]\n",
                   &s, NULL, 0);
    assert_int_equal(rc, 0);
    assert_string_equal(s.name, "s1");
    assert_int_equal(s.seed, 5);
    assert_int_equal(s.ntags, 2);
    assert_int_equal(s.nexperiments, 2);
    const struct spec_experiment *e = &s.experiments[0];
    assert_string_equal(e->name, "test_good");
    assert_int_equal(e->warmup, 2);
    assert_int_equal(e->measured, 10);
    assert_true(e->min_time == 0);
    assert_int_equal(e->repetitions, 3);
    assert_int_equal(e->seed, 5);
    const struct spec_param *count = given(e, "count"), *ratio = given(e, "ratio");
    assert_true(count->is_axis);
    assert_int_equal(count->nvalues, 2);
    assert_int_equal(count->values[1].i, 2);
    assert_int_equal(ratio->nvalues, 5);
    assert_true(ratio->values[4].f == 1.0);
    assert_false(given(e, "color")->is_axis);
    assert_int_equal(given(e, "color")->values[0].i, 2);
    assert_int_equal(given(e, "flag")->values[0].i, 1);
    assert_int_equal(has(e, "label"), -1);
    assert_int_equal(e->ninstruments, 1);
    assert_string_equal(e->instruments[0].values[0].s, "t"); /* default filled */
    const struct spec_experiment *o = &s.experiments[1];
    assert_string_equal(o->name, "other");
    /* Its own min_time sets its stopping rule: the top level's measured does not apply. */
    assert_int_equal(o->measured, 0);
    assert_true(o->min_time == 0.1);
    assert_int_equal(o->warmup, 2);
    assert_int_equal(o->repetitions, 3);
    assert_string_equal(o->instruments[0].values[0].s, "x");
    spec_free(&s);
}

static void defaults_apply_when_the_spec_is_silent(void **state)
{
    (void)state;
    struct spec s;
    assert_int_equal(load_spec("experiments: [{experiment: noop}]\n", &s, NULL, 0), 0);
    assert_string_equal(s.name, "t"); /* from the file name */
    assert_int_equal(s.max_points, SPEC_DEFAULT_MAX_POINTS);
    const struct spec_experiment *e = &s.experiments[0];
    assert_int_equal(e->warmup, SPEC_DEFAULT_WARMUP);
    assert_int_equal(e->measured, 0);
    assert_true(e->min_time == SPEC_DEFAULT_MIN_TIME);
    assert_int_equal(e->repetitions, 1);
    assert_int_equal(e->ninstruments, 0);
    spec_free(&s);
}

static void ranges_expand_inclusively(void **state)
{
    (void)state;
    struct spec s;
    assert_int_equal(load_spec("experiments:\n"
                               "  - experiment: test_good\n"
                               "    params:\n"
                               "      count: {from: 1, to: 64, mul: 2}\n"
                               "      fail_every: {from: 10, to: 0, step: -5}\n",
                               &s, NULL, 0),
                     0);
    const struct spec_param *c = &s.experiments[0].params[0];
    assert_int_equal(c->nvalues, 7);
    assert_int_equal(c->values[0].i, 1);
    assert_int_equal(c->values[6].i, 64);
    const struct spec_param *f = &s.experiments[0].params[1];
    assert_int_equal(f->nvalues, 3);
    assert_int_equal(f->values[2].i, 0);
    spec_free(&s);
}

/* A step that would pass INT64_MAX ends the range instead of overflowing. */
static void huge_steps_stop_before_overflow(void **state)
{
    (void)state;
    struct spec s;
    assert_int_equal(load_spec("experiments:\n"
                               "  - experiment: test_good\n"
                               "    params:\n"
                               "      fail_every: {from: 0, to: 9223372036854775807,\n"
                               "                   step: 4611686018427387904}\n",
                               &s, NULL, 0),
                     0);
    const struct spec_param *f = &s.experiments[0].params[0];
    assert_int_equal(f->nvalues, 2);
    assert_true(f->values[1].i == INT64_C(4611686018427387904));
    spec_free(&s);
}

/* Integers are decimal unless they say 0x: 010 is ten, not eight. */
static void integers_are_decimal_or_hex(void **state)
{
    (void)state;
    struct spec s;
    assert_int_equal(load_spec("experiments:\n"
                               "  - experiment: test_good\n"
                               "    params: {count: [010, 0x10, +7]}\n",
                               &s, NULL, 0),
                     0);
    const struct spec_param *c = &s.experiments[0].params[0];
    assert_int_equal(c->values[0].i, 10);
    assert_int_equal(c->values[1].i, 16);
    assert_int_equal(c->values[2].i, 7);
    spec_free(&s);
    /* Settings too. */
    assert_int_equal(load_spec("seed: 010\nexperiments: [{experiment: noop}]\n", &s, NULL, 0), 0);
    assert_int_equal(s.seed, 10);
    spec_free(&s);
}

/* max_points bounds ranges too, and --set max_points (what --max-points passes) raises it. */
static void point_limit_bounds_ranges(void **state)
{
    (void)state;
    struct spec s;
    const char *text = "experiments:\n"
                       "  - experiment: test_good\n"
                       "    params: {fail_every: {from: 0, to: 150000, step: 1}}\n";
    assert_int_equal(load_spec(text, &s, NULL, 0), -1);
    assert_string_equal(err, "t.yaml:3:26: fail_every: range has more than 100000 values");
    const char *sets[] = {"max_points=200000"};
    assert_int_equal(load_spec(text, &s, sets, 1), 0);
    assert_int_equal(s.experiments[0].params[0].nvalues, 150001);
    assert_int_equal(s.max_points, 200000);
    spec_free(&s);
}

/* A file range that a --set replaces is checked, but its values neither count
 * toward max_points nor get generated. */
static void replaced_ranges_do_not_count(void **state)
{
    (void)state;
    struct spec s;
    const char *text = "experiments:\n"
                       "  - experiment: test_good\n"
                       "    params:\n"
                       "      count: {from: 1, to: 100, step: 1}\n"
                       "      fail_every: {from: 0, to: 99999, step: 1}\n";
    const char *sets[] = {"fail_every=[1, 2]"};
    assert_int_equal(load_spec(text, &s, sets, 1), 0);
    assert_int_equal(s.experiments[0].params[0].nvalues, 100);
    assert_int_equal(s.experiments[0].params[1].nvalues, 2);
    spec_free(&s);
    /* Still checked: a file range longer than max_points is refused. */
    const char *wide = "experiments:\n"
                       "  - experiment: test_good\n"
                       "    params: {fail_every: {from: 0, to: 100000, step: 1}}\n";
    assert_int_equal(load_spec(wide, &s, sets, 1), -1);
    assert_string_equal(err, "t.yaml:3:26: fail_every: range has more than 100000 values");
}

/* What the reviewer's specs did, each refused at once. */
static void huge_sweeps_are_refused_before_generating(void **state)
{
    (void)state;
    struct spec s;
    const char *sets[] = {"max_points=1000000"};
    assert_int_equal(load_spec("experiments:\n"
                               "  - experiment: test_good\n"
                               "    params:\n"
                               "      fail_every: {from: 0, to: 999999, step: 1}\n"
                               "      count: {from: 1, to: 100, step: 1}\n"
                               "      ratio: {from: 0, to: 1, step: 0.001}\n",
                               &s, sets, 1),
                     -1);
    assert_string_equal(err, "t.yaml:5:14: count: a range of 100 values takes the sweep past "
                             "max_points (1000000 points)");
    /* 2000 experiments of 60 values each: the range that passes the limit is refused. */
    char *text = malloc(2000 * 120 + 64);
    size_t n = (size_t)sprintf(text, "experiments:\n");
    for (int i = 0; i < 2000; i++)
        n += (size_t)sprintf(text + n, "  - {name: e%d, experiment: test_good, params: "
                             "{fail_every: {from: 1, to: 60, step: 1}}}\n", i);
    assert_int_equal(load_spec(text, &s, NULL, 0), -1);
    assert_string_equal(err, "t.yaml:1668:63: fail_every: a range of 60 values takes the sweep "
                             "past max_points (100000 points)");
    free(text);
}

static char *repeat(const char *head, const char *piece, size_t times, const char *tail)
{
    size_t h = strlen(head), p = strlen(piece), t = strlen(tail);
    char *s = malloc(h + p * times + t + 1);
    memcpy(s, head, h);
    for (size_t i = 0; i < times; i++)
        memcpy(s + h + i * p, piece, p);
    memcpy(s + h + p * times, tail, t + 1);
    return s;
}

/* Deep nesting, huge texts and aliases are refused before libyaml loads them. */
static void yaml_limits(void **state)
{
    (void)state;
    struct spec s;
    char *deep = repeat("experiments: ", "[", 64, "]");
    assert_int_equal(load_spec(deep, &s, NULL, 0), -1);
    assert_string_equal(err, "t.yaml:1:77: nested deeper than 64 levels");
    free(deep);
    /* 80 KB of brackets: refused in well under a second. */
    deep = repeat("", "[", 80000, "");
    assert_int_equal(load_spec(deep, &s, NULL, 0), -1);
    assert_string_equal(err, "t.yaml:1:65: nested deeper than 64 levels");
    char *set = repeat("count=", "[", 80000, "");
    const char *sets[] = {set};
    assert_int_equal(load_spec("experiments: [{experiment: test_good}]\n", &s, sets, 1), -1);
    /* The label is cut short, so that the position and message fit. */
    char *want = repeat("--set count=", "[", 71, "...:1:65: nested deeper than 64 levels");
    assert_string_equal(err, want);
    free(want);
    free(set);
    free(deep);
    /* 63 levels inside the top mapping are fine (a YAML error here, not a limit). */
    deep = repeat("experiments: ", "[", 63, "");
    assert_int_equal(load_spec(deep, &s, NULL, 0), -1);
    assert_null(strstr(err, "nested"));
    free(deep);

    char *big = repeat("notes: ", "x", SPEC_MAX_TEXT_BYTES, "\n");
    assert_int_equal(load_spec(big, &s, NULL, 0), -1);
    assert_string_equal(err, "t.yaml: the spec is 4194312 bytes; a spec may be at most 4194304 "
                             "bytes (4 MiB)");
    free(big);

    char *aliases = repeat("tags: &t [a]\nexperiments: [{experiment: noop, notes: [", "*t, ",
                           SPEC_MAX_ALIASES + 1, "]}]\n");
    assert_int_equal(load_spec(aliases, &s, NULL, 0), -1);
    assert_string_equal(err, "t.yaml:2:4042: more than 1000 aliases; a spec may use at most "
                             "1000");
    free(aliases);

    char *anchors = repeat("tags: [", "&a x, ", SPEC_MAX_ANCHORS + 1, "]\n");
    assert_int_equal(load_spec(anchors, &s, NULL, 0), -1);
    assert_string_equal(err, "t.yaml:1:6008: more than 1000 anchors; a spec may define at most "
                             "1000");
    free(anchors);

    /* A 1 MB note used five times stands for 5 MB. */
    char *note = repeat("notes: &n \"", "y", 1 << 20, "\"\nexperiments:\n");
    char *spec = malloc(strlen(note) + 200);
    sprintf(spec, "%s  - {name: a, experiment: noop, notes: *n}\n"
                  "  - {name: b, experiment: noop, notes: *n}\n"
                  "  - {name: c, experiment: noop, notes: *n}\n"
                  "  - {name: d, experiment: noop, notes: *n}\n", note);
    assert_int_equal(load_spec(spec, &s, NULL, 0), -1);
    assert_string_equal(err, "t.yaml:6:40: the aliases stand for more than 4194304 bytes of text; "
                             "a spec's aliases may expand to at most 4194304");
    free(spec);
    free(note);

    /* Aliases within the limits work as before. */
    assert_int_equal(load_spec("iterations: &it {warmup: 0, measured: 1}\n"
                               "experiments:\n"
                               "  - {experiment: test_good, iterations: *it, params: &p {count: [1, 2]}}\n"
                               "  - {name: again, experiment: test_good, params: *p}\n",
                               &s, NULL, 0),
                     0);
    assert_int_equal(s.experiments[1].params[0].nvalues, 2);
    assert_int_equal(s.experiments[0].measured, 1);
    spec_free(&s);
}

static void overrides_take_precedence(void **state)
{
    (void)state;
    struct spec s;
    const char *text = "repetitions: 2\n"
                       "experiments:\n"
                       "  - experiment: test_good\n"
                       "    repetitions: 5\n"
                       "    params: {count: 4}\n"
                       "  - {name: b, experiment: test_good}\n";
    const char *sets[] = {"count=[1,2,3]", "b.label=hi", "repetitions=7", "b.measured=9"};
    assert_int_equal(load_spec(text, &s, sets, 4), 0);
    const struct spec_experiment *a = &s.experiments[0], *b = &s.experiments[1];
    assert_int_equal(given(a, "count")->nvalues, 3);
    assert_int_equal(given(b, "count")->nvalues, 3); /* unscoped: every experiment */
    assert_int_equal(has(a, "label"), -1);
    assert_string_equal(given(b, "label")->values[0].s, "hi");
    assert_int_equal(a->repetitions, 7);
    assert_int_equal(b->repetitions, 7);
    assert_int_equal(a->measured, 0);
    assert_int_equal(b->measured, 9);
    spec_free(&s);
}

/* --set INSTRUMENT.PARAM reaches an attached instrument's parameter on every experiment it
 * is attached to; unscoped overrides do not; a name it lacks is said as such. */
static void overrides_reach_instruments(void **state)
{
    (void)state;
    struct spec s;
    const char *text = "experiments:\n"
                       "  - experiment: test_good\n"
                       "    instruments: [{instrument: test_instrument, params: {tag: spec}}]\n"
                       "  - {name: b, experiment: test_good, instruments: [test_instrument]}\n";
    const char *sets[] = {"test_instrument.tag=cli"};
    assert_int_equal(load_spec(text, &s, sets, 1), 0);
    for (size_t e = 0; e < 2; e++) {
        const struct plugin *p = s.experiments[e].instruments[0].plugin;
        int i = pdef_find(p->params, p->nparams, "tag");
        assert_string_equal(s.experiments[e].instruments[0].values[i].s, "cli");
    }
    spec_free(&s);
    const char *bad[] = {"test_instrument.tga=x"};
    assert_int_equal(load_spec(text, &s, bad, 1), -1);
    assert_string_equal(err, "--set test_instrument.tga=x: instrument 'test_instrument' has no "
                             "parameter 'tga'; `bhost list test_instrument` shows its parameters");
    const char *nowhere[] = {"sampler.mode=wall"};
    assert_int_equal(load_spec(text, &s, nowhere, 1), -1);
    assert_string_equal(err, "--set sampler.mode=wall: the spec has no experiment named "
                             "'sampler', and no experiment has an instrument of that name "
                             "attached");
}

/* rate and arrival: per experiment or at the top level, and through --set. */
static void open_loop_settings(void **state)
{
    (void)state;
    struct spec s;
    const char *text = "rate: 0.5\n"
                       "experiments:\n"
                       "  - {name: a, experiment: noop}\n"
                       "  - {name: b, experiment: noop, rate: 2000, arrival: poisson}\n";
    assert_int_equal(load_spec(text, &s, NULL, 0), 0);
    assert_true(s.experiments[0].rate == 0.5);
    assert_int_equal(s.experiments[0].arrival, SPEC_ARRIVAL_FIXED);
    assert_true(s.experiments[1].rate == 2000);
    assert_int_equal(s.experiments[1].arrival, SPEC_ARRIVAL_POISSON);
    spec_free(&s);
    const char *sets[] = {"a.rate=1e3", "arrival=poisson"};
    assert_int_equal(load_spec(text, &s, sets, 2), 0);
    assert_true(s.experiments[0].rate == 1000);
    assert_int_equal(s.experiments[0].arrival, SPEC_ARRIVAL_POISSON);
    assert_true(s.experiments[1].rate == 2000);
    spec_free(&s);
    /* Without a rate, the loop is closed. */
    assert_int_equal(load_spec("experiments: [{experiment: noop}]\n", &s, NULL, 0), 0);
    assert_true(s.experiments[0].rate == 0);
    spec_free(&s);
}

struct bad {
    const char *text;
    const char *set;     /* one --set, or NULL */
    const char *message; /* the whole message */
};

static const struct bad bad_specs[] = {
    {"experiments: [\n", NULL,
     "t.yaml:2:1: invalid YAML: did not find expected node content while parsing a flow node"},
    {"", NULL, "t.yaml:1:1: the spec is empty; it needs 'experiments:'"},
    {"- 1\n", NULL,
     "t.yaml:1:1: expected a mapping with 'experiments:' at the top level, got a list"},
    {"name: x\n", NULL, "t.yaml:1:1: the spec needs 'experiments:', a list of experiments"},
    {"experiments: []\n", NULL, "t.yaml:1:14: 'experiments:' is empty; give at least one"},
    {"iteratons: 5\nexperiments: [{experiment: noop}]\n", NULL,
     "t.yaml:1:1: unknown key 'iteratons' in the spec (did you mean 'iterations'?)"},
    {"experiments:\n  - experiment: noop\n    bogus_key_here: 1\n", NULL,
     "t.yaml:3:5: unknown key 'bogus_key_here' in an experiment; expected one of: name, "
     "experiment, params, iterations, min_time, repetitions, instruments, seed, tags, notes, "
     "timeout, rate, arrival, threads, fresh_process, gates"},
    {"seed: 1\nseed: 2\nexperiments: [{experiment: noop}]\n", NULL,
     "t.yaml:2:1: duplicate key 'seed' (first given at line 1)"},
    {"experiments:\n  - experiment: test_god\n", NULL,
     "t.yaml:2:17: unknown experiment 'test_god' (did you mean 'test_good'?)"},
    {"experiments:\n  - experiment: zzzzzz\n", NULL,
     "t.yaml:2:17: unknown experiment 'zzzzzz'; `bhost --list` shows what is installed"},
    {"experiments:\n  - experiment: test_instrument\n", NULL,
     "t.yaml:2:17: 'test_instrument' is an instrument, not an experiment"},
    {"experiments:\n  - params: {count: 1}\n", NULL,
     "t.yaml:2:5: an experiment needs 'experiment: PLUGIN'"},
    {"experiments:\n  - experiment: test_good\n    params: {cout: 2}\n", NULL,
     "t.yaml:3:14: experiment 'test_good' has no parameter 'cout' (did you mean 'count'?)"},
    {"experiments:\n  - experiment: test_good\n    params: {count: abc}\n", NULL,
     "t.yaml:3:21: count: expected an integer, got 'abc'"},
    {"experiments:\n  - experiment: test_good\n    params: {count: [1, 2.5]}\n", NULL,
     "t.yaml:3:25: count: expected an integer, got '2.5'"},
    {"experiments:\n  - experiment: test_good\n    params: {count: 1000}\n", NULL,
     "t.yaml:3:21: count = 1000 is out of range: expected >= 1 and <= 100"},
    {"experiments:\n  - experiment: test_good\n    params: {ratio: -0.5}\n", NULL,
     "t.yaml:3:21: ratio = -0.5 is out of range: expected >= 0 and <= 1"},
    {"experiments:\n  - experiment: test_good\n    params: {color: gren}\n", NULL,
     "t.yaml:3:21: color: 'gren' is not one of: red, green, blue (did you mean 'green'?)"},
    /* Cut short or run on: the one name it begins, or that begins it. */
    {"experiments:\n  - experiment: test_good\n    params: {color: greenish}\n", NULL,
     "t.yaml:3:21: color: 'greenish' is not one of: red, green, blue (did you mean 'green'?)"},
    {"experiments:\n  - experiment: test_good\n    params: {fail: 2}\n", NULL,
     "t.yaml:3:14: experiment 'test_good' has no parameter 'fail' (did you mean "
     "'fail_every'?)"},
    {"experiments:\n  - experiment: test_good\n    params: {co: 2}\n", NULL,
     "t.yaml:3:14: experiment 'test_good' has no parameter 'co'; it has: count, ratio, flag, "
     "label, color, fail_every"},
    {"experiments:\n  - experiment: test_good\n    params: {flag: maybe}\n", NULL,
     "t.yaml:3:20: flag: expected true or false, got 'maybe'"},
    {"experiments:\n  - experiment: test_good\n    params: {count: }\n", NULL,
     "t.yaml:3:21: count: expected an int, got no value"},
    {"experiments:\n  - experiment: test_good\n    params: {count: []}\n", NULL,
     "t.yaml:3:21: count: an empty list sweeps over nothing"},
    {"experiments:\n  - experiment: test_good\n    params: {count: {from: 1, to: 9}}\n", NULL,
     "t.yaml:3:21: count: a range is {from: A, to: B, step: S} or {from: A, to: B, mul: M}"},
    {"experiments:\n  - experiment: test_good\n    params: {count: {from: 1, to: 9, step: 0}}\n",
     NULL, "t.yaml:3:44: count: step 0 never gets from 1 to 9"},
    {"experiments:\n  - experiment: test_good\n    params: {count: {from: 1, to: 9, mul: 1}}\n",
     NULL, "t.yaml:3:43: count: mul needs from > 0, to >= from and mul > 1"},
    {"experiments:\n  - experiment: test_good\n    params: {count: {from: 1, to: 300, step: 50}}\n",
     NULL, "t.yaml:3:35: count = 300 is out of range: expected >= 1 and <= 100"},
    {"experiments:\n  - experiment: test_good\n    params: {label: {from: 1, to: 2, step: 1}}\n",
     NULL, "t.yaml:3:21: label: a range needs an int or float parameter, not string"},
    {"experiments:\n  - experiment: noop\n    iterations: {warmup: -1}\n", NULL,
     "t.yaml:3:26: expected a number of warm-up iterations, got '-1'"},
    {"experiments:\n  - experiment: noop\n    iterations: {measured: 0}\n", NULL,
     "t.yaml:2:5: experiment 'noop' would measure nothing: set iterations.measured or "
     "min_time above 0"},
    {"experiments:\n  - experiment: noop\n    repetitions: 0\n", NULL,
     "t.yaml:3:18: a number of repetitions must be between 1 and 10000, got 0"},
    {"experiments:\n  - experiment: noop\n    min_time: soon\n", NULL,
     "t.yaml:3:15: expected a duration in seconds (0 to 1e6), got 'soon'"},
    {"experiments:\n  - experiment: noop\n  - experiment: noop\n", NULL,
     "t.yaml:3:5: a second experiment named 'noop': give each its own 'name:'"},
    {"experiments:\n  - {experiment: noop, name: 'a b'}\n", NULL,
     "t.yaml:2:30: experiment name 'a b' may only use letters, digits, '_' and '-'"},
    {"experiments:\n  - experiment: noop\n    instruments: [qqqqqq]\n", NULL,
     "t.yaml:3:19: unknown instrument 'qqqqqq'; `bhost --list` shows what is installed"},
    {"experiments:\n  - experiment: noop\n    instruments: [test_instrumnt]\n", NULL,
     "t.yaml:3:19: unknown instrument 'test_instrumnt' (did you mean 'test_instrument'?)"},
    {"experiments:\n  - experiment: noop\n    instruments:\n"
     "      - {instrument: test_instrument, params: {tag: [a, b]}}\n",
     NULL, "t.yaml:4:53: tag: instrument parameters take one value, not a list"},
    {"experiments:\n  - experiment: noop\n    instruments: [test_instrument, test_instrument]\n",
     NULL, "t.yaml:3:36: instrument 'test_instrument' is attached twice"},
    {"experiments: [{experiment: noop}]\n---\nfoo: 1\n", NULL,
     "t.yaml:3:1: a second YAML document; a spec is one document"},
    {"experiments:\n  - experiment: test_good\n    params: {count: [1, 2, 0x1]}\n", NULL,
     "t.yaml:3:28: count: 1 appears twice on this axis (values 1 and 3)"},
    {"experiments:\n  - experiment: test_good\n    params: {ratio: [0.1, 1e-1]}\n", NULL,
     "t.yaml:3:27: ratio: 0.1 appears twice on this axis (values 1 and 2)"},
    {"name: ../x\nexperiments: [{experiment: noop}]\n", NULL,
     "t.yaml:1:7: spec name '../x' may only use letters, digits, '_' and '-'"},
    {"output_dir: ''\nexperiments: [{experiment: noop}]\n", NULL,
     "t.yaml:1:13: output_dir is empty; leave it out for results/"},
    {"experiments:\n  - experiment: test_good\n    params: {count: {from: 1, to: 2}}\n",
     "count=5", "t.yaml:3:21: count: a range is {from: A, to: B, step: S} or "
     "{from: A, to: B, mul: M}"},
    {"experiments:\n  - experiment: noop\n    arrival: poisson\n", NULL,
     "t.yaml:3:14: arrival needs a rate: add 'rate: N' (iterations per second) to run on a "
     "schedule"},
    {"arrival: fixed\nexperiments:\n  - {experiment: noop, rate: 5}\n  - experiment: test_good\n",
     NULL, "t.yaml:1:10: arrival needs a rate: add 'rate: N' (iterations per second) to run on "
     "a schedule"},
    {"experiments:\n  - experiment: noop\n    rate: -1\n", NULL,
     "t.yaml:3:11: expected a rate in iterations per second (0.001 to 1e9), got '-1'"},
    {"experiments:\n  - experiment: noop\n    rate: 0\n", NULL,
     "t.yaml:3:11: expected a rate in iterations per second (0.001 to 1e9), got '0'"},
    {"experiments:\n  - experiment: noop\n    rate: 1e-300\n", NULL,
     "t.yaml:3:11: expected a rate in iterations per second (0.001 to 1e9), got '1e-300'"},
    {"experiments:\n  - experiment: noop\n    rate: fast\n", NULL,
     "t.yaml:3:11: expected a rate in iterations per second (0.001 to 1e9), got 'fast'"},
    {"experiments:\n  - experiment: noop\n    rate: [1, 2]\n", NULL,
     "t.yaml:3:11: expected a rate in iterations per second, got a list"},
    {"experiments:\n  - experiment: noop\n    rate: 10\n    arrival: poison\n", NULL,
     "t.yaml:4:14: arrival: 'poison' is not one of: fixed, poisson (did you mean 'poisson'?)"},
    {"experiments:\n  - experiment: noop\n    rates: 10\n", NULL,
     "t.yaml:3:5: unknown key 'rates' in an experiment (did you mean 'rate'?)"},
    {"arival: poisson\nexperiments: [{experiment: noop}]\n", NULL,
     "t.yaml:1:1: unknown key 'arival' in the spec (did you mean 'arrival'?)"},
    {"experiments: [{experiment: noop}]\n", "rate=-1",
     "--set rate=-1:1:1: expected a rate in iterations per second (0.001 to 1e9), "
     "got '-1'"},
    {"experiments: [{experiment: test_good}]\n", "count=abc",
     "--set count=abc:1:1: count: expected an integer, got 'abc'"},
    {"experiments: [{experiment: test_good}]\n", "nosuch=1",
     "--set nosuch=1: no experiment has a parameter or setting 'nosuch'"},
    {"experiments: [{experiment: test_good}]\n", "cout=1",
     "--set cout=1: no experiment has a parameter or setting 'cout' (did you mean 'count'?)"},
    {"experiments: [{experiment: test_good}]\n", "zz.count=1",
     "--set zz.count=1: the spec has no experiment named 'zz', and no experiment has an "
     "instrument of that name attached"},
    {"experiments: [{experiment: test_good}]\n", "count",
     "--set count: expected key=value"},
    {"experiments: [{experiment: test_good}]\n", "count=[1,",
     "--set count=[1,:2:1: invalid YAML: did not find expected node content while parsing a "
     "flow node"},
    /* Limits no spec can raise. */
    {"max_points: 1000001\nexperiments: [{experiment: noop}]\n", NULL,
     "t.yaml:1:13: a point limit must be between 1 and 1000000, got 1000001"},
    {"experiments: [{experiment: noop}]\n", "max_points=18446744073709551615",
     "--set max_points=18446744073709551615:1:1: a point limit must be between 1 and 1000000, "
     "got 18446744073709551615"},
    {"max_points: 1000000\nexperiments:\n  - experiment: test_good\n"
     "    params: {fail_every: {from: 0, to: 10000000000, step: 1}}\n", NULL,
     "t.yaml:4:26: fail_every: range has more than 1000000 values"},
    {"max_points: 1000000\nexperiments:\n  - experiment: test_good\n"
     "    params: {ratio: {from: 0, to: 1, step: 1e-300}}\n", NULL,
     "t.yaml:4:21: ratio: range has more than 1000000 values"},
    {"experiments:\n  - experiment: test_good\n"
     "    params: {ratio: {from: 0.5, to: 1, step: 1e-20}}\n", NULL,
     "t.yaml:3:46: ratio: the step 1e-20 does not change the value 0.5"},
    {"experiments:\n  - experiment: test_good\n    params:\n      count: {from: 1, to: 100, step: 1}\n"
     "      fail_every: {from: 0, to: 9999, step: 1}\n", NULL,
     "t.yaml:5:19: fail_every: a range of 10000 values takes the sweep past max_points "
     "(100000 points)"},
    {"experiments:\n  - {name: a, experiment: test_good, params: {fail_every: {from: 1, to: 60000, "
     "step: 1}}}\n  - {name: b, experiment: test_good, params: {fail_every: {from: 1, to: 60000, "
     "step: 1}}}\n", NULL,
     "t.yaml:3:59: fail_every: a range of 60000 values takes the sweep past max_points "
     "(100000 points)"},
    /* Instrument parameters, like experiment parameters, are given once. */
    {"experiments:\n  - experiment: noop\n    instruments:\n"
     "      - {instrument: test_instrument, params: {tag: a, tag: b}}\n",
     NULL, "t.yaml:4:56: parameter 'tag' is given twice"},
    /* Bad UTF-8 is reported where it is, and not echoed raw. */
    {"experiments:\n  - experiment: noop\n    tags: [x]\n    notes: \"ab\xff\"\n", NULL,
     "t.yaml:4:15: invalid YAML: invalid leading UTF-8 octet (0xFF)"},
    {"experiments: [{experiment: test_good}]\n", "label=\xc3\xa9\xff",
     "--set label=\xc3\xa9\\xFF:1:2: invalid YAML: invalid leading UTF-8 octet (0xFF)"},
    {"experiments: [{experiment: test_good}]\n", "\x01" "bad=1",
     "--set \\x01bad=1: no experiment has a parameter or setting '\\x01bad'"},
    /* A NUL would cut the value short. */
    {"experiments:\n  - experiment: noop\n    notes: \"ab\\0cd\"\n", NULL,
     "t.yaml:3:12: the value contains a NUL byte"},
    {"experiments: [{experiment: test_good}]\n", "label=\"a\\0\"",
     "--set label=\"a\\0\":1:1: the value contains a NUL byte"},
    /* Anchors: none inside itself, and a bounded number of uses. */
    {"experiments: &e [{experiment: noop, tags: *e}]\n", NULL,
     "t.yaml:1:43: alias *e is inside the node it refers to"},
};

static void bad_specs_name_file_line_column(void **state)
{
    (void)state;
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad_specs / sizeof bad_specs[0]; i++) {
        const struct bad *b = &bad_specs[i];
        struct spec s;
        const char *sets[] = {b->set};
        int rc = load_spec(b->text, &s, sets, b->set ? 1 : 0);
        if (rc == 0) {
            spec_free(&s);
            print_error("bad spec #%zu was accepted:\n%s\n", i, b->text);
            wrong++;
        } else if (strcmp(err, b->message) != 0) {
            print_error("bad spec #%zu:\n got: %s\nwant: %s\n", i, err, b->message);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void missing_file_is_reported(void **state)
{
    (void)state;
    struct spec s;
    assert_int_equal(spec_load("/nonexistent/x.yaml", &reg, NULL, 0, &s, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/x.yaml: cannot read: No such file or directory");
}

static void spec_as_json_shows_axes_and_defaults(void **state)
{
    (void)state;
    struct spec s;
    assert_int_equal(load_spec("experiments:\n"
                               "  - experiment: test_good\n"
                               "    params: {count: [1, 2], color: red}\n",
                               &s, NULL, 0),
                     0);
    json_t *j = spec_to_json(&s);
    json_t *params = json_object_get(json_array_get(json_object_get(j, "experiments"), 0),
                                     "params");
    assert_int_equal(json_array_size(json_object_get(params, "count")), 2);
    assert_string_equal(json_string_value(json_object_get(params, "color")), "red");
    assert_null(json_object_get(params, "label")); /* only what the spec sets */
    assert_int_equal(json_integer_value(json_object_get(j, "max_points")), 100000);
    json_decref(j);
    spec_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_spec_resolves_everything),
        cmocka_unit_test(defaults_apply_when_the_spec_is_silent),
        cmocka_unit_test(ranges_expand_inclusively),
        cmocka_unit_test(huge_steps_stop_before_overflow),
        cmocka_unit_test(integers_are_decimal_or_hex),
        cmocka_unit_test(point_limit_bounds_ranges),
        cmocka_unit_test(replaced_ranges_do_not_count),
        cmocka_unit_test(huge_sweeps_are_refused_before_generating),
        cmocka_unit_test(yaml_limits),
        cmocka_unit_test(overrides_take_precedence),
        cmocka_unit_test(overrides_reach_instruments),
        cmocka_unit_test(open_loop_settings),
        cmocka_unit_test(bad_specs_name_file_line_column),
        cmocka_unit_test(missing_file_is_reported),
        cmocka_unit_test(spec_as_json_shows_axes_and_defaults),
    };
    return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
