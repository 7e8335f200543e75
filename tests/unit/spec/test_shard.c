/*
 * test_shard.c — sweep shards (spec/shard.h): the dealt split is a
 * partition balanced per experiment and stable when an experiment is
 * added; the balanced split is exactly longest-processing-time first;
 * costs from a run; --shard I/N and auto from each engine's variables
 * (through a table, not the real environment); the refusals; what a
 * shard records, and its record read back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "spec_fixture.h"
#include "spec/shard.h"
#include "spec/sweep.h"
#include "util/hash.h"

#include <stdio.h>

/* 14 points of test_good and 3 of noop. */
static const char two_experiments[] = "seed: 5\n"
                                      "experiments:\n"
                                      "  - experiment: test_good\n"
                                      "    params:\n"
                                      "      count: [1, 2, 3, 4, 5, 6, 7]\n"
                                      "      color: [red, green]\n"
                                      "  - experiment: noop\n"
                                      "    threads: [1, 2, 3]\n";

static void expand(const char *text, struct spec *s, struct sweep *w)
{
    assert_int_equal(load_spec(text, s, NULL, 0), 0);
    assert_int_equal(sweep_expand(s, NULL, s->max_points, w, err, sizeof err), 0);
}

static void dealt_split_is_a_partition_balanced_per_experiment(void **state)
{
    (void)state;
    static const uint32_t counts[] = {1, 2, 3, 7, 40};
    struct spec s;
    struct sweep w;
    expand(two_experiments, &s, &w);
    assert_int_equal(w.npoints, 17);
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        uint32_t n = counts[c];
        uint32_t of[17];
        shard_deal(&w, n, of);
        size_t good[40] = {0}, noop[40] = {0};
        for (size_t i = 0; i < w.npoints; i++) {
            assert_in_range(of[i], 1, n);
            (strcmp(w.points[i].exp->name, "noop") == 0 ? noop : good)[of[i] - 1]++;
        }
        /* Per experiment, shards differ by at most one point. */
        for (size_t k = 0; k < n; k++) {
            assert_in_range(good[k], 14 / n, (14 + n - 1) / n);
            assert_in_range(noop[k], 3 / n, (3 + n - 1) / n);
        }
        /* Each shard's own sweep, cut by shard_apply: every point exactly once over all. */
        size_t seen[17] = {0}, total = 0;
        for (uint32_t k = 1; k <= n; k++) {
            struct spec s2;
            struct sweep w2;
            expand(two_experiments, &s2, &w2);
            struct shard sh = {.index = k, .count = n};
            assert_int_equal(shard_apply(&sh, &w2, err, sizeof err), 0);
            assert_int_equal(sh.sweep_points, 17);
            for (size_t i = 0; i < w2.npoints; i++) {
                size_t at = w2.points[i].index;
                assert_int_equal(of[at], k);
                /* The point keeps what it has unsharded. */
                assert_string_equal(w2.points[i].id, w.points[at].id);
                assert_string_equal(w2.points[i].label, w.points[at].label);
                assert_true(w2.points[i].seed == w.points[at].seed);
                assert_true(i == 0 || w2.points[i - 1].index < at); /* sweep order */
                seen[at]++;
            }
            total += w2.npoints;
            sweep_free(&w2);
            spec_free(&s2);
        }
        assert_int_equal(total, 17);
        for (size_t i = 0; i < 17; i++)
            assert_int_equal(seen[i], 1);
    }
    sweep_free(&w);
    spec_free(&s);
}

static void adding_an_experiment_moves_no_other_point(void **state)
{
    (void)state;
    static const char one[] = "seed: 5\n"
                              "experiments:\n"
                              "  - experiment: test_good\n"
                              "    params:\n"
                              "      count: [1, 2, 3, 4, 5, 6, 7]\n"
                              "      color: [red, green]\n";
    static const char more[] = "seed: 5\n"
                               "experiments:\n"
                               "  - experiment: noop\n"
                               "    threads: [1, 2, 3, 4, 5]\n"
                               "  - experiment: test_good\n"
                               "    params:\n"
                               "      count: [1, 2, 3, 4, 5, 6, 7]\n"
                               "      color: [red, green]\n";
    for (uint32_t n = 2; n <= 5; n++) {
        struct spec sa, sb;
        struct sweep wa, wb;
        expand(one, &sa, &wa);
        expand(more, &sb, &wb);
        uint32_t ofa[14], ofb[19];
        shard_deal(&wa, n, ofa);
        shard_deal(&wb, n, ofb);
        size_t shared = 0;
        for (size_t i = 0; i < wa.npoints; i++)
            for (size_t j = 0; j < wb.npoints; j++)
                if (strcmp(wa.points[i].id, wb.points[j].id) == 0) {
                    assert_int_equal(ofa[i], ofb[j]);
                    shared++;
                }
        assert_int_equal(shared, 14);
        sweep_free(&wa);
        sweep_free(&wb);
        spec_free(&sa);
        spec_free(&sb);
    }
}

/* Dealing starts at shard (FNV-1a 64 of the name mod N) + 1, in id order. */
static void dealing_follows_the_documented_rule(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    expand(two_experiments, &s, &w);
    uint32_t of[17];
    shard_deal(&w, 4, of);
    /* noop's three points, sorted by id, go to consecutive shards from its start. */
    const char *name = "noop";
    uint32_t start = (uint32_t)(fnv1a64(name, 4, FNV1A64_INIT) % 4);
    size_t at[3], n = 0;
    for (size_t i = 0; i < w.npoints; i++)
        if (strcmp(w.points[i].exp->name, name) == 0)
            at[n++] = i;
    assert_int_equal(n, 3);
    for (size_t a = 0; a < 3; a++) {
        size_t rank = 0;
        for (size_t b = 0; b < 3; b++)
            rank += strcmp(w.points[at[b]].id, w.points[at[a]].id) < 0;
        assert_int_equal(of[at[a]], (start + rank) % 4 + 1);
    }
    sweep_free(&w);
    spec_free(&s);
}

static const char seven[] = "seed: 5\n"
                            "experiments:\n"
                            "  - experiment: test_good\n"
                            "    params:\n"
                            "      count: [1, 2, 3, 4, 5, 6, 7]\n";

static void balanced_split_is_longest_processing_time_first(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    expand(seven, &s, &w);
    /* By cost: 7 to shard 1; 6 to 2; 5 to 3; 4 to 3 (5); 3 to 2 (6); 2 to 1 (7); loads
     * are 9, 9, 9 and the last, 1, goes to the lowest index. */
    const double cost[7] = {1, 7, 3, 5, 2, 6, 4};
    const uint32_t want[7] = {1, 1, 2, 3, 1, 2, 3};
    uint32_t of[7];
    shard_balance(&w, cost, 3, of);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(of[i], want[i]);
    /* Equal costs: in id order, each to the lowest of the least loaded shards. */
    const double flat[7] = {1, 1, 1, 1, 1, 1, 1};
    shard_balance(&w, flat, 2, of);
    for (size_t i = 0; i < 7; i++) {
        size_t rank = 0;
        for (size_t j = 0; j < 7; j++)
            rank += strcmp(w.points[j].id, w.points[i].id) < 0;
        assert_int_equal(of[i], rank % 2 + 1);
    }
    sweep_free(&w);
    spec_free(&s);
}

/* A point of a results document, as shard_costs() reads it. */
static void add_point(json_t *by_id, const char *id, const char *status, double wall)
{
    json_object_set_new(by_id, id, json_pack("{s:s, s:f}", "status", status, "wall_s", wall));
}

static void costs_come_from_the_run_and_its_median(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    expand(seven, &s, &w);
    json_t *by_id = json_object();
    add_point(by_id, w.points[0].id, "ok", 2);
    add_point(by_id, w.points[1].id, "failed", 6);
    add_point(by_id, w.points[2].id, "skipped", 0); /* never ran: unknown */
    add_point(by_id, w.points[4].id, "ok", 4);
    add_point(by_id, "00000000deadbeef", "ok", 100); /* not in this sweep */
    double cost[7];
    shard_costs(&w, by_id, cost);
    const double want[7] = {2, 6, 4, 4, 4, 4, 4};
    for (size_t i = 0; i < 7; i++)
        assert_true(cost[i] == want[i]);
    /* Two known: their mean is the median. */
    json_object_del(by_id, w.points[4].id);
    shard_costs(&w, by_id, cost);
    assert_true(cost[3] == 4 && cost[0] == 2 && cost[1] == 6);
    /* None known: 1 each, so the split is by count. */
    json_object_clear(by_id);
    shard_costs(&w, by_id, cost);
    for (size_t i = 0; i < 7; i++)
        assert_true(cost[i] == 1);
    json_decref(by_id);
    sweep_free(&w);
    spec_free(&s);
}

/* A fake environment: NAME=VALUE pairs, NULL-terminated. */
static const char *const *fake_env;

static const char *lookup(const char *name)
{
    for (size_t i = 0; fake_env[i]; i += 2)
        if (strcmp(fake_env[i], name) == 0)
            return fake_env[i + 1];
    return NULL;
}

/* --shard `arg` in the environment `env`: the shard it gives, or fails. */
static void expect_shard(const char *arg, const char *const *env, uint32_t index,
                         uint32_t count)
{
    struct shard sh;
    fake_env = env;
    if (shard_parse(arg, lookup, &sh, err, sizeof err) != 0)
        fail_msg("--shard %s: %s", arg, err);
    assert_int_equal(sh.index, index);
    assert_int_equal(sh.count, count);
    assert_null(sh.balance_from);
    assert_string_equal(shard_method(&sh), "dealt");
}

/* --shard `arg` refused with a message containing `says` (and `also`, if not NULL). */
static void expect_refusal(const char *arg, const char *const *env, const char *says,
                           const char *also)
{
    struct shard sh;
    fake_env = env;
    err[0] = '\0';
    if (shard_parse(arg, lookup, &sh, err, sizeof err) == 0)
        fail_msg("--shard %s accepted as %u/%u", arg, sh.index, sh.count);
    if (!strstr(err, says) || (also && !strstr(err, also)))
        fail_msg("--shard %s: \"%s\" does not say '%s'", arg, err, says);
}

static void explicit_shards_and_refusals(void **state)
{
    (void)state;
    static const char *const none[] = {NULL};
    /* Sharding is never implicit: I/N does not look at the environment. */
    static const char *const slurm[] = {"SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT",
                                        "4", NULL};
    expect_shard("1/1", none, 1, 1);
    expect_shard("3/4", slurm, 3, 4);
    expect_shard("100000/100000", none, 100000, 100000);
    expect_refusal("0/4", none, "shards count from 1", NULL);
    expect_refusal("5/4", none, "shard 5 of 4 does not exist", NULL);
    expect_refusal("2/0", none, "number of shards must be 1 to 100000", NULL);
    expect_refusal("1/100001", none, "number of shards must be 1 to 100000", NULL);
    static const char *const junk[] = {"x", "", "1/", "/4", "a/b", "1/4x", "-1/4", " 1/4",
                                       "1/+4", "1//4", "99999999999999999999/4"};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; i++)
        expect_refusal(junk[i], none, "expected I/N", NULL);
    expect_refusal("auto/0", none, "N in auto/N", NULL);
    expect_refusal("auto/x", none, "N in auto/N", NULL);
}

static void auto_reads_each_engines_variables(void **state)
{
    (void)state;
    static const char *const generic[] = {"BHOST_SHARD", "2/5", "SLURM_ARRAY_TASK_ID", "0",
                                          "SLURM_ARRAY_TASK_COUNT", "2", NULL};
    expect_shard("auto", generic, 2, 5); /* BHOST_SHARD comes first */
    expect_shard("auto/5", generic, 2, 5);
    static const char *const slurm[] = {"SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT",
                                        "4", NULL};
    expect_shard("auto", slurm, 4, 4); /* MIN defaults to 0 */
    expect_shard("auto/4", slurm, 4, 4);
    static const char *const slurm_min[] = {"SLURM_ARRAY_TASK_ID", "11", "SLURM_ARRAY_TASK_MIN",
                                            "10", "SLURM_ARRAY_TASK_COUNT", "3", NULL};
    expect_shard("auto", slurm_min, 2, 3);
    static const char *const gitlab[] = {"CI_NODE_INDEX", "2", "CI_NODE_TOTAL", "5",
                                         "JOB_COMPLETION_INDEX", "0", NULL};
    expect_shard("auto", gitlab, 2, 5); /* 1-based, and before Kubernetes */
    static const char *const k8s[] = {"JOB_COMPLETION_INDEX", "0", NULL};
    expect_shard("auto/3", k8s, 1, 3);
    static const char *const k8s_last[] = {"JOB_COMPLETION_INDEX", "2", NULL};
    expect_shard("auto/3", k8s_last, 3, 3);
    static const char *const k8s_count[] = {"JOB_COMPLETION_INDEX", "3", "BHOST_SHARD_COUNT",
                                            "4", NULL};
    expect_shard("auto", k8s_count, 4, 4);
    expect_shard("auto/4", k8s_count, 4, 4);
    /* Set but empty is unset. */
    static const char *const empty[] = {"BHOST_SHARD", "", "CI_NODE_INDEX", "1",
                                        "CI_NODE_TOTAL", "2", NULL};
    expect_shard("auto", empty, 1, 2);
}

static void auto_refuses_what_it_cannot_trust(void **state)
{
    (void)state;
    static const char *const none[] = {"PATH", "/usr/bin", NULL};
    expect_refusal("auto", none, "no shard in the environment", "BHOST_SHARD; "
                   "SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT; CI_NODE_INDEX with "
                   "CI_NODE_TOTAL; JOB_COMPLETION_INDEX with auto/N or BHOST_SHARD_COUNT");
    expect_refusal("auto/4", none, "no shard in the environment", "JOB_COMPLETION_INDEX");
    static const char *const bad_generic[] = {"BHOST_SHARD", "two", NULL};
    expect_refusal("auto", bad_generic, "BHOST_SHARD=two is not I/N", NULL);
    static const char *const over[] = {"BHOST_SHARD", "5/4", NULL};
    expect_refusal("auto", over, "BHOST_SHARD=5/4", "does not exist");
    static const char *const other_n[] = {"BHOST_SHARD", "1/4", NULL};
    expect_refusal("auto/3", other_n, "BHOST_SHARD=1/4 says 4 shards", NULL);
    static const char *const slurm_over[] = {"SLURM_ARRAY_TASK_ID", "4",
                                             "SLURM_ARRAY_TASK_COUNT", "4", NULL};
    expect_refusal("auto", slurm_over, "SLURM_ARRAY_TASK_ID=4", "shard 5 of 4 does not exist");
    static const char *const slurm_under[] = {"SLURM_ARRAY_TASK_ID", "1",
                                              "SLURM_ARRAY_TASK_MIN", "2",
                                              "SLURM_ARRAY_TASK_COUNT", "4", NULL};
    expect_refusal("auto", slurm_under, "SLURM_ARRAY_TASK_MIN=2", "count from 1");
    static const char *const slurm_junk[] = {"SLURM_ARRAY_TASK_ID", "1",
                                             "SLURM_ARRAY_TASK_COUNT", "four", NULL};
    expect_refusal("auto", slurm_junk, "SLURM_ARRAY_TASK_COUNT='four' is not a number", NULL);
    expect_refusal("auto/3", slurm_over, "SLURM_ARRAY_TASK_COUNT=4 says 4 shards", NULL);
    static const char *const gitlab_zero[] = {"CI_NODE_INDEX", "0", "CI_NODE_TOTAL", "3",
                                              NULL};
    expect_refusal("auto", gitlab_zero, "CI_NODE_INDEX=0", "count from 1");
    static const char *const gitlab_no_total[] = {"CI_NODE_INDEX", "1", NULL};
    expect_refusal("auto", gitlab_no_total, "CI_NODE_INDEX is set", "CI_NODE_TOTAL");
    static const char *const k8s[] = {"JOB_COMPLETION_INDEX", "0", NULL};
    expect_refusal("auto", k8s, "JOB_COMPLETION_INDEX is set", "BHOST_SHARD_COUNT");
    static const char *const k8s_over[] = {"JOB_COMPLETION_INDEX", "3", NULL};
    expect_refusal("auto/3", k8s_over, "JOB_COMPLETION_INDEX=3", "shard 4 of 3");
    static const char *const k8s_differ[] = {"JOB_COMPLETION_INDEX", "0", "BHOST_SHARD_COUNT",
                                             "4", NULL};
    expect_refusal("auto/3", k8s_differ, "BHOST_SHARD_COUNT=4 says 4 shards", NULL);
    static const char *const k8s_junk[] = {"JOB_COMPLETION_INDEX", "-1", "BHOST_SHARD_COUNT",
                                           "4", NULL};
    expect_refusal("auto", k8s_junk, "JOB_COMPLETION_INDEX='-1' is not a number", NULL);
}

static void records_say_what_the_shard_is(void **state)
{
    (void)state;
    struct spec s;
    struct sweep w;
    expand(two_experiments, &s, &w);
    /* The digest: the sweep's ids sorted, each and a newline. */
    char want[CHECKSUM_HEX_LEN + 1];
    {
        const char *ids[17];
        for (size_t i = 0; i < 17; i++)
            ids[i] = w.points[i].id;
        for (size_t i = 1; i < 17; i++)
            for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
                const char *t = ids[j];
                ids[j] = ids[j - 1];
                ids[j - 1] = t;
            }
        char text[17 * 17 + 1] = "";
        for (size_t i = 0; i < 17; i++)
            strcat(strcat(text, ids[i]), "\n");
        checksum_hex(text, strlen(text), want);
    }
    struct shard sh = {.index = 2, .count = 3};
    assert_int_equal(shard_apply(&sh, &w, err, sizeof err), 0);
    assert_string_equal(sh.sweep_ids_sha256, want);
    json_t *run = shard_results_json(&sh, w.npoints);
    json_t *expect = json_pack("{s:i, s:i, s:s, s:n, s:i, s:s, s:I}", "index", 2, "count", 3,
                               "method", "dealt", "balance_from", "sweep_points", 17,
                               "sweep_ids_sha256", want, "points", (json_int_t)w.npoints);
    assert_true(json_equal(run, expect));
    json_decref(run);
    json_decref(expect);
    /* run.json's record, read back: the same shard. */
    json_t *rec = shard_record_json(&sh);
    expect = json_pack("{s:i, s:i, s:s, s:n, s:n}", "index", 2, "count", 3, "method", "dealt",
                       "balance_from", "balance_sha256");
    assert_true(json_equal(rec, expect));
    json_decref(expect);
    struct shard back;
    assert_int_equal(shard_from_record(rec, "run.json", &back, err, sizeof err), 0);
    assert_int_equal(back.index, 2);
    assert_int_equal(back.count, 3);
    assert_null(back.balance_from);
    json_decref(rec);
    /* Balanced: the file and its digest come back, to be checked again. */
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    rec = json_pack("{s:i, s:i, s:s, s:s, s:s}", "index", 1, "count", 2, "method", "balanced",
                    "balance_from", "/runs/all/results.json", "balance_sha256", sha);
    assert_int_equal(shard_from_record(rec, "run.json", &back, err, sizeof err), 0);
    assert_string_equal(back.balance_from, "/runs/all/results.json");
    assert_string_equal(back.balance_sha256, sha);
    assert_string_equal(shard_method(&back), "balanced");
    shard_free(&back);
    json_decref(rec);
    /* What this bhost does not write is refused, naming the file. */
    static const char *const bad[] = {
        "{\"index\": 0, \"count\": 2, \"method\": \"dealt\"}",
        "{\"index\": 3, \"count\": 2, \"method\": \"dealt\"}",
        "{\"index\": 1, \"count\": 2, \"method\": \"random\"}",
        "{\"index\": 1, \"count\": 2, \"method\": \"balanced\", \"balance_from\": \"/x\"}",
        "{\"index\": \"1\", \"count\": 2, \"method\": \"dealt\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rec = json_loads(bad[i], 0, NULL);
        assert_non_null(rec);
        assert_int_equal(shard_from_record(rec, "d/run.json", &back, err, sizeof err), -1);
        assert_non_null(strstr(err, "d/run.json: cannot resume"));
        json_decref(rec);
    }
    sweep_free(&w);
    spec_free(&s);
}

/* More shards than points: the rest are empty, and that is no error. */
static void empty_shards_are_no_error(void **state)
{
    (void)state;
    for (uint32_t k = 1; k <= 9; k++) {
        struct spec s;
        struct sweep w;
        expand(seven, &s, &w);
        struct shard sh = {.index = k, .count = 9};
        assert_int_equal(shard_apply(&sh, &w, err, sizeof err), 0);
        assert_int_equal(sh.sweep_points, 7);
        assert_true(w.npoints <= 1);
        sweep_free(&w);
        spec_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dealt_split_is_a_partition_balanced_per_experiment),
        cmocka_unit_test(adding_an_experiment_moves_no_other_point),
        cmocka_unit_test(dealing_follows_the_documented_rule),
        cmocka_unit_test(balanced_split_is_longest_processing_time_first),
        cmocka_unit_test(costs_come_from_the_run_and_its_median),
        cmocka_unit_test(explicit_shards_and_refusals),
        cmocka_unit_test(auto_reads_each_engines_variables),
        cmocka_unit_test(auto_refuses_what_it_cannot_trust),
        cmocka_unit_test(records_say_what_the_shard_is),
        cmocka_unit_test(empty_shards_are_no_error),
    };
    return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
