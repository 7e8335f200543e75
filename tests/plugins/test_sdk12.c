/*
 * test_sdk12 — an instrument that uses every service ABI 1.2 added, so that
 * the tests can check each one in results.json and on the terminal:
 *
 *   - point_end: a note "label" (the point's label, bhost_point_label()),
 *     the metric "cycles" unavailable (and a value given to it afterwards,
 *     which must be ignored), a shown table "top" (a text column, a
 *     percentage, a count; a row with no text) and a series "series"
 *     (t_ms, rss in bytes) of 5 rows;
 *   - thread_start: a row per thread in a table "threads", from any thread;
 *   - pause/resume: counted (counters "pauses", "resumes"); a resume that does
 *     not follow a pause, or a thread_end that does not find the thread
 *     paused, sets the gauge "out_of_order";
 *   - run_end: a note and a table of the run;
 *   - parameter `misuse`: none, or one way to misuse the table API
 *     (text_in_number, no_options, other_columns, bad_column), which must
 *     fail the point naming the call.
 */
#include <bhost/bhost.h>

#include <string.h>

enum misuse { NONE, TEXT_IN_NUMBER, NO_OPTIONS, OTHER_COLUMNS, BAD_COLUMN };

static const struct bhost_column top_columns[] = {
    {"function", NULL}, {"self", "%"}, {"samples", ""}};
static const struct bhost_column series_columns[] = {{"t_ms", "ms"}, {"rss", "bytes"}};
static const struct bhost_column thread_columns[] = {{"index", ""}};

/* Whether this thread is paused: pause() and resume() alternate, thread_end() comes paused. */
static _Thread_local int paused;

static int pause_hook(bhost_ctx *ctx, void *state)
{
    (void)state;
    if (paused)
        bhost_gauge_set(ctx, "out_of_order", 1);
    paused = 1;
    bhost_counter_add(ctx, "pauses", 1);
    return BHOST_OK;
}

static int resume_hook(bhost_ctx *ctx, void *state)
{
    (void)state;
    if (!paused)
        bhost_gauge_set(ctx, "out_of_order", 1);
    paused = 0;
    bhost_counter_add(ctx, "resumes", 1);
    return BHOST_OK;
}

static int thread_end(bhost_ctx *ctx, void *state)
{
    (void)state;
    if (!paused)
        bhost_gauge_set(ctx, "out_of_order", 1);
    return BHOST_OK;
}

static int thread_start(bhost_ctx *ctx, void *state)
{
    (void)state;
    paused = 0;
    bhost_table *t = bhost_table_get(ctx, "threads", BHOST_TABLE_OPTIONS(BHOST_COLUMNS(thread_columns)));
    bhost_table_row(ctx, t, (struct bhost_cell[]){BHOST_NUMBER(bhost_thread_index(ctx))});
    return BHOST_OK;
}

static void misuse_tables(bhost_ctx *ctx, enum misuse how)
{
    static const struct bhost_column bad[] = {{"Bad Name", ""}};
    bhost_table *t;
    switch (how) {
    case TEXT_IN_NUMBER:
        t = bhost_table_get(ctx, "top", BHOST_TABLE_OPTIONS(BHOST_COLUMNS(top_columns)));
        bhost_table_row(ctx, t, (struct bhost_cell[]){BHOST_TEXT("f"), BHOST_TEXT("oops"),
                                                      BHOST_NUMBER(1)});
        break;
    case NO_OPTIONS:
        bhost_table_get(ctx, "top", NULL);
        break;
    case OTHER_COLUMNS:
        bhost_table_get(ctx, "top", BHOST_TABLE_OPTIONS(BHOST_COLUMNS(top_columns)));
        bhost_table_get(ctx, "top", BHOST_TABLE_OPTIONS(BHOST_COLUMNS(series_columns)));
        break;
    case BAD_COLUMN:
        bhost_table_get(ctx, "top", BHOST_TABLE_OPTIONS(BHOST_COLUMNS(bad)));
        break;
    case NONE:
        break;
    }
}

static int point_end(bhost_ctx *ctx, void *state)
{
    (void)state;
    enum misuse how = (enum misuse)bhost_param_choice(ctx, "misuse");
    if (how != NONE) {
        misuse_tables(ctx, how);
        return BHOST_OK;
    }
    const char *label = bhost_point_label(ctx);
    bhost_note(ctx, "label", "%s", label ? label : "(none)");
    bhost_unavailable(ctx, "cycles", "no PMU in %s", "this test");
    bhost_counter_add(ctx, "cycles", 42);
    bhost_counter_add(ctx, "calls", 1);

    bhost_table *top = bhost_table_get(ctx, "top", BHOST_TABLE_OPTIONS(
        BHOST_COLUMNS(top_columns), .flags = BHOST_TABLE_SHOW, .title = "Top functions"));
    bhost_table_row(ctx, top, (struct bhost_cell[]){BHOST_TEXT("hot_loop"), BHOST_NUMBER(75.0),
                                                    BHOST_NUMBER(750)});
    /* Longer than 128 bytes, as C++ names often are: -v prints it whole. */
    bhost_table_row(ctx, top, (struct bhost_cell[]){BHOST_TEXT("a_function_whose_name_is_far_"
                                                               "too_long_to_print_in_full_here"
                                                               "_and_goes_on_past_one_hundred_"
                                                               "and_twenty_eight_bytes_as_"
                                                               "template_names_do_END"),
                                                    BHOST_NUMBER(25.0), BHOST_NUMBER(250)});
    bhost_table_row(ctx, top, (struct bhost_cell[]){BHOST_TEXT(NULL), BHOST_NUMBER(0),
                                                    BHOST_NUMBER(0)});

    bhost_table *series = bhost_table_get(ctx, "series", BHOST_TABLE_OPTIONS(
        BHOST_COLUMNS(series_columns), .flags = BHOST_TABLE_SERIES));
    for (int i = 0; i < 5; i++)
        bhost_table_row(ctx, series, (struct bhost_cell[]){BHOST_NUMBER(100 * i),
                                                           BHOST_NUMBER(4096 * (i + 1))});
    return BHOST_OK;
}

static void run_end(bhost_ctx *ctx, void *state)
{
    (void)state;
    bhost_note(ctx, "scope", "the run");
    bhost_table *t = bhost_table_get(ctx, "runs", BHOST_TABLE_OPTIONS(BHOST_COLUMNS(thread_columns)));
    bhost_table_row(ctx, t, (struct bhost_cell[]){BHOST_NUMBER(1)});
}

static const char *const misuses[] = {"none", "text_in_number", "no_options", "other_columns",
                                      "bad_column", NULL};

static const struct bhost_param params[] = {
    {.name = "misuse", .type = BHOST_ENUM, .def = "none", .choices = misuses,
     .doc = "a way to misuse the table API, or none"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "test_sdk12",
    .version = "1.0",
    .summary = "test plugin: every ABI 1.2 service",
    BHOST_PARAMS(params),
    .point_end = point_end,
    .run_end = run_end,
    .thread_start = thread_start,
    .thread_end = thread_end,
    .pause = pause_hook,
    .resume = resume_hook,
};
