/*
 * test_profile_writers.c — the sampler's three writers on synthetic profiles:
 * the exact collapsed stacks; speedscope JSON read back with jansson; the
 * flame graph's SVG read back with xmllint (a real XML parser, its XPath
 * giving the boxes' widths and texts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profile.h"
#include "synthetic_profile.h"

#define REPLACEMENT "\xEF\xBF\xBD"
#define FRAMES_WIDTH 1180.0 /* the default 1200 px less 10 px each side */

/* ---- capturing what a writer writes ---- */

enum writer { COLLAPSED, SPEEDSCOPE, FLAMEGRAPH };

static int run_writer(enum writer writer, const struct profile *p, FILE *out,
                      const struct flamegraph_options *options)
{
    switch (writer) {
    case COLLAPSED: return profile_write_collapsed(p, out);
    case SPEEDSCOPE: return profile_write_speedscope(p, out, "bhost test");
    default: return profile_write_flamegraph(p, out, options);
    }
}

/* The writer's output as a string (the caller frees); the writer must succeed. */
static char *written(enum writer writer, const struct profile *p,
                     const struct flamegraph_options *options)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    assert_int_equal(run_writer(writer, p, out, options), 0);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(strlen(text), size);
    return text;
}

/* The writer's errno after it failed on `p`. */
static int failure(enum writer writer, const struct profile *p)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    errno = 0;
    assert_int_equal(run_writer(writer, p, out, NULL), -1);
    int error = errno;
    fclose(out);
    free(text);
    return error;
}

/* ---- xmllint ---- */

struct svg_file {
    char path[64];
};

static void svg_file_write(struct svg_file *file, const struct profile *p,
                           const struct flamegraph_options *options)
{
    snprintf(file->path, sizeof file->path, "/tmp/test_profile_writers.XXXXXX");
    int fd = mkstemp(file->path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    assert_int_equal(profile_write_flamegraph(p, out, options), 0);
    assert_int_equal(fclose(out), 0);
}

/* Runs xmllint with `args` then the file; its exit status, its stdout in
 * *output (malloc'd, trailing newline removed). No shell: names need no quoting. */
static int xmllint(const struct svg_file *file, const char *option, const char *value,
                   char **output)
{
    int pipe_fds[2];
    assert_int_equal(pipe(pipe_fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        if (value)
            execlp("xmllint", "xmllint", option, value, file->path, (char *)NULL);
        else
            execlp("xmllint", "xmllint", option, file->path, (char *)NULL);
        fprintf(stderr, "xmllint: %s (scripts/install-deps.sh installs libxml2-utils)\n",
                strerror(errno));
        _exit(127);
    }
    close(pipe_fds[1]);
    size_t size = 0, capacity = 256;
    char *text = malloc(capacity);
    assert_non_null(text);
    ssize_t n;
    while ((n = read(pipe_fds[0], text + size, capacity - size - 1)) > 0) {
        size += (size_t)n;
        if (capacity - size < 2) {
            text = realloc(text, capacity *= 2);
            assert_non_null(text);
        }
    }
    close(pipe_fds[0]);
    while (size > 0 && text[size - 1] == '\n')
        size--;
    text[size] = '\0';
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (output)
        *output = text;
    else
        free(text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void assert_valid_xml(const struct svg_file *file)
{
    if (xmllint(file, "--noout", NULL, NULL) != 0)
        fail_msg("xmllint --noout %s failed: the SVG is not well-formed XML", file->path);
}

/* The value of an XPath expression over the SVG (malloc'd). */
__attribute__((format(printf, 2, 3)))
static char *xpath(const struct svg_file *file, const char *format, ...)
{
    char expression[512];
    va_list args;
    va_start(args, format);
    vsnprintf(expression, sizeof expression, format, args);
    va_end(args);
    char *value;
    xmllint(file, "--xpath", expression, &value);
    return value;
}

static double xpath_number(const struct svg_file *file, const char *expression)
{
    char *value = xpath(file, "%s", expression);
    char *end;
    double number = strtod(value, &end);
    if (end == value || *end)
        fail_msg("%s gave \"%s\", not a number", expression, value);
    free(value);
    return number;
}

/* XPath of the frame boxes (<g class="f">) whose title starts with `prefix`. */
#define FRAME_XPATH "//*[local-name()=\"g\"][@class=\"f\"][starts-with(*[local-name()=\"title\"],\"%s\")]"

static char *frame_attribute(const struct svg_file *file, const char *title_prefix,
                             const char *child, const char *attribute)
{
    return xpath(file, "string(" FRAME_XPATH "/*[local-name()=\"%s\"]%s%s)", title_prefix, child,
                 attribute ? "/@" : "", attribute ? attribute : "");
}

static double frame_number(const struct svg_file *file, const char *title_prefix,
                           const char *child, const char *attribute)
{
    char expression[512];
    snprintf(expression, sizeof expression, "number(" FRAME_XPATH "/*[local-name()=\"%s\"]/@%s)",
             title_prefix, child, attribute);
    return xpath_number(file, expression);
}

static void assert_near(double actual, double expected, double tolerance)
{
    if (!(fabs(actual - expected) <= tolerance))
        fail_msg("%.4f differs from %.4f by more than %g", actual, expected, tolerance);
}

static void assert_string(char *actual, const char *expected)
{
    assert_string_equal(actual, expected);
    free(actual);
}

/* ---- profiles besides the synthetic one ---- */

static const struct profile empty_profile = {.title = "nothing ran"};

/* One stack of 1 sample beside one of 200000: its box would be 0.006 px wide. */
static const struct profile_frame tiny_frames[] = {
    {"tiny_leaf", NULL, NULL, 0, 0},
    {"a_rather_long_function_name_that_cannot_fit", NULL, NULL, 0, 0},
    {"short_sibling", NULL, NULL, 0, 0},
};
static const uint32_t tiny_stack[] = {0}, long_stack[] = {1}, sibling_stack[] = {2};
static const struct profile_stack tiny_stacks[] = {{tiny_stack, 1}, {long_stack, 1},
                                                   {sibling_stack, 1}};
static const struct profile_run tiny_runs[] = {{0, 1}, {1, 100000}, {2, 100000}};
static const struct profile_thread tiny_threads[] = {{"t", 1, tiny_runs, 3, 200001}};
static const struct profile tiny_profile = {
    .title = "tiny", .samples = 200001, .frames = tiny_frames, .frame_count = 3,
    .stacks = tiny_stacks, .stack_count = 3, .threads = tiny_threads, .thread_count = 1,
};

/* ---- collapsed ---- */

static void test_collapsed_synthetic(void **state)
{
    (void)state;
    char *text = written(COLLAPSED, synthetic_profile(), NULL);
    assert_string_equal(text,
        "[truncated];libfoo.so+0x1a2b 1\n"
        "main 2\n"
        "main;" SYN_TEMPLATE_NAME ";parse_tokens 1\n"
        "main;run_queries;memcpy 6\n"
        "main;run_queries;sqlite3_step;sqlite3VdbeExec 8\n"
        "main;run_queries;sqlite3_step;sqlite3VdbeExec;hash_lookup_[i] 3\n"
        "worker_main;recurse 2\n"
        "worker_main;recurse;recurse;recurse 7\n"
        "worker_main;" SYN_UNICODE_NAME ";" SYN_INVALID_UTF8_NAME ";tab_here_nl_ 3\n");
    free(text);
}

static void test_collapsed_empty(void **state)
{
    (void)state;
    char *text = written(COLLAPSED, &empty_profile, NULL);
    assert_string_equal(text, "");
    free(text);
}

/* ---- speedscope ---- */

static json_t *speedscope_json(const struct profile *p)
{
    char *text = written(SPEEDSCOPE, p, NULL);
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    if (!root)
        fail_msg("speedscope output is not valid JSON: %s at line %d", error.text, error.line);
    free(text);
    return root;
}

static json_t *member(const json_t *object, const char *key, json_type type)
{
    json_t *value = json_object_get(object, key);
    if (!value || json_typeof(value) != type)
        fail_msg("\"%s\" is missing or of the wrong type", key);
    return value;
}

static void assert_frame(const json_t *frames, size_t index, const char *name, const char *file,
                         json_int_t line)
{
    json_t *frame = json_array_get(frames, index);
    assert_string_equal(json_string_value(member(frame, "name", JSON_STRING)), name);
    if (file)
        assert_string_equal(json_string_value(member(frame, "file", JSON_STRING)), file);
    else
        assert_null(json_object_get(frame, "file"));
    if (line)
        assert_int_equal(json_integer_value(member(frame, "line", JSON_INTEGER)), line);
    else
        assert_null(json_object_get(frame, "line"));
}

static void test_speedscope_synthetic(void **state)
{
    (void)state;
    const struct profile *p = synthetic_profile();
    json_t *root = speedscope_json(p);
    assert_string_equal(json_string_value(member(root, "$schema", JSON_STRING)),
                        "https://www.speedscope.app/file-format-schema.json");
    assert_string_equal(json_string_value(member(root, "name", JSON_STRING)), p->title);
    assert_int_equal(json_integer_value(member(root, "activeProfileIndex", JSON_INTEGER)), 0);
    assert_string_equal(json_string_value(member(root, "exporter", JSON_STRING)), "bhost test");

    json_t *frames = member(member(root, "shared", JSON_OBJECT), "frames", JSON_ARRAY);
    assert_int_equal(json_array_size(frames), p->frame_count);
    assert_frame(frames, SYN_MAIN, "main", "app/main.c", 10);
    assert_frame(frames, SYN_SQLITE3_STEP, "sqlite3_step", NULL, 0);
    assert_frame(frames, SYN_TEMPLATE, SYN_TEMPLATE_NAME, "app/vec.h", 7);
    assert_frame(frames, SYN_UNICODE, SYN_UNICODE_NAME, NULL, 0);
    assert_frame(frames, SYN_INVALID_UTF8, "bad" REPLACEMENT REPLACEMENT "utf8", NULL, 0);
    assert_frame(frames, SYN_CONTROL, SYN_CONTROL_NAME, NULL, 0);
    assert_frame(frames, SYN_BACKSLASH, SYN_BACKSLASH_NAME, "dir\\file.c", 1);

    json_t *profiles = member(root, "profiles", JSON_ARRAY);
    assert_int_equal(json_array_size(profiles), p->thread_count);
    static const char *const names[] = {"main (tid 100)", "worker \"1\" (tid 101)", "idle (tid 102)"};
    for (size_t t = 0; t < p->thread_count; t++) {
        const struct profile_thread *thread = &p->threads[t];
        json_t *profile = json_array_get(profiles, t);
        assert_string_equal(json_string_value(member(profile, "type", JSON_STRING)), "sampled");
        assert_string_equal(json_string_value(member(profile, "name", JSON_STRING)), names[t]);
        assert_string_equal(json_string_value(member(profile, "unit", JSON_STRING)), "none");
        assert_int_equal(json_integer_value(member(profile, "startValue", JSON_INTEGER)), 0);
        assert_int_equal(json_integer_value(member(profile, "endValue", JSON_INTEGER)),
                         thread->samples);
        json_t *samples = member(profile, "samples", JSON_ARRAY);
        json_t *weights = member(profile, "weights", JSON_ARRAY);
        assert_int_equal(json_array_size(samples), thread->run_count);
        assert_int_equal(json_array_size(weights), thread->run_count);
        json_int_t weight_sum = 0;
        for (size_t r = 0; r < thread->run_count; r++) {
            /* In time order, each the run's stack, root first. */
            const struct profile_stack *stack = &p->stacks[thread->runs[r].stack];
            json_t *sample = json_array_get(samples, r);
            assert_int_equal(json_array_size(sample), stack->depth);
            for (size_t i = 0; i < stack->depth; i++) {
                json_int_t frame = json_integer_value(json_array_get(sample, i));
                assert_in_range(frame, 0, p->frame_count - 1);
                assert_int_equal(frame, stack->frames[i]);
            }
            json_int_t weight = json_integer_value(json_array_get(weights, r));
            assert_int_equal(weight, thread->runs[r].count);
            weight_sum += weight;
        }
        assert_int_equal(weight_sum, thread->samples);
    }
    json_decref(root);
}

static void test_speedscope_empty(void **state)
{
    (void)state;
    json_t *root = speedscope_json(&empty_profile);
    assert_int_equal(json_array_size(member(member(root, "shared", JSON_OBJECT), "frames",
                                            JSON_ARRAY)), 0);
    assert_int_equal(json_array_size(member(root, "profiles", JSON_ARRAY)), 0);
    assert_string_equal(json_string_value(member(root, "name", JSON_STRING)), "nothing ran");
    json_decref(root);
}

/* ---- flame graph ---- */

static void test_flamegraph_synthetic(void **state)
{
    (void)state;
    struct svg_file svg;
    svg_file_write(&svg, synthetic_profile(), NULL);
    assert_valid_xml(&svg);

    /* One box per node of the merged tree: all; [truncated], libfoo; main, its self
     * time has no box, ns::vec, parse;tokens, run_queries, memcpy (both merged),
     * sqlite3_step, sqlite3VdbeExec, hash_lookup; worker_main, recurse x3, zürich,
     * bad, tab. */
    assert_near(xpath_number(&svg, "count(//*[local-name()=\"g\"][@class=\"f\"])"), 18, 0);
    assert_string(xpath(&svg, "string(//*[@id=\"title\"])"), synthetic_profile()->title);

    /* Widths are shares of 33 samples; callees sit left to right in name order. */
    assert_near(frame_number(&svg, "all (", "rect", "width"), FRAMES_WIDTH, 0.005);
    assert_near(frame_number(&svg, "memcpy (", "rect", "width"), 6 * FRAMES_WIDTH / 33, 0.005);
    assert_near(frame_number(&svg, "sqlite3VdbeExec (", "rect", "width"), 11 * FRAMES_WIDTH / 33,
                0.005);
    assert_near(frame_number(&svg, "worker_main (", "rect", "width"), 12 * FRAMES_WIDTH / 33,
                0.005);
    assert_near(frame_number(&svg, "worker_main (", "rect", "x"), 10 + 21 * FRAMES_WIDTH / 33,
                0.005);
    assert_string(frame_attribute(&svg, "worker_main (", "title", NULL),
                  "worker_main (12 samples, 36.36%)");
    assert_string(xpath(&svg, "string(" FRAME_XPATH "/@data-x)", "worker_main ("), "21");
    assert_string(xpath(&svg, "string(" FRAME_XPATH "/@data-w)", "worker_main ("), "12");

    /* Callees above callers: each level 16 px higher. */
    double main_y = frame_number(&svg, "main (", "rect", "y");
    assert_near(frame_number(&svg, "all (", "rect", "y") - main_y, 16, 0);
    assert_near(main_y - frame_number(&svg, "run_queries (", "rect", "y"), 16, 0);

    /* Recursion: three nested boxes of one colour. */
    assert_near(xpath_number(&svg, "sum(//*[local-name()=\"g\"][starts-with(*[local-name()="
                                   "\"title\"],\"recurse (\")]/@data-w)"), 9 + 7 + 7, 0);
    char *first_fill = xpath(&svg, "string((" FRAME_XPATH ")[1]/*[local-name()=\"rect\"]/@fill)",
                             "recurse (");
    assert_string(xpath(&svg, "string((" FRAME_XPATH ")[3]/*[local-name()=\"rect\"]/@fill)",
                        "recurse ("), first_fill);
    free(first_fill);

    /* Names as written: escaped for XML, cleaned of what XML cannot hold. */
    assert_string(frame_attribute(&svg, "ns::vec<int>", "title", NULL),
                  SYN_TEMPLATE_NAME " (1 sample, 3.03%)");
    assert_string(frame_attribute(&svg, "parse;", "title", NULL), "parse;tokens (1 sample, 3.03%)");
    assert_string(frame_attribute(&svg, "z\xC3\xBC", "title", NULL),
                  SYN_UNICODE_NAME " (3 samples, 9.09%)");
    assert_string(frame_attribute(&svg, "bad", "title", NULL),
                  "bad" REPLACEMENT REPLACEMENT "utf8 (3 samples, 9.09%)");
    assert_string(frame_attribute(&svg, "tab", "title", NULL), "tab_here_nl_ (3 samples, 9.09%)");
    assert_string(frame_attribute(&svg, "hash_lookup", "title", NULL),
                  "hash_lookup (inlined, 3 samples, 9.09%)");
    assert_string(xpath(&svg, "count(" FRAME_XPATH ")", "back"), "0");

    /* The box's text is its name where it fits. */
    assert_string(frame_attribute(&svg, "sqlite3VdbeExec (", "text", NULL), "sqlite3VdbeExec");
    unlink(svg.path);
}

static void test_flamegraph_raw_escaping(void **state)
{
    (void)state;
    char *text = written(FLAMEGRAPH, synthetic_profile(), NULL);
    assert_non_null(strstr(text, "ns::vec&lt;int&gt;::push_back(&quot;x&quot;) &amp; &apos;co&apos;"));
    assert_non_null(strstr(text, "synthetic &lt;profile&gt; &amp; &quot;friends&quot;"));
    /* The script's CDATA section is the only one, and nothing else ends one. */
    const char *cdata_end = strstr(text, "]]>");
    assert_non_null(cdata_end);
    assert_null(strstr(cdata_end + 1, "]]>"));
    assert_non_null(strstr(text, "<script type=\"text/ecmascript\"><![CDATA["));
    /* Self-contained: nothing fetched from elsewhere. */
    assert_null(strstr(text, "href"));
    assert_null(strstr(text, "http://www.w3.org/1999/xlink"));
    /* The same profile always gives the same bytes. */
    char *again = written(FLAMEGRAPH, synthetic_profile(), NULL);
    assert_string_equal(text, again);
    free(again);
    free(text);
}

static void test_flamegraph_tiny_boxes_and_cut_names(void **state)
{
    (void)state;
    struct flamegraph_options options = {.title = "custom title", .subtitle = "a subtitle",
                                         .width = 200};
    struct svg_file svg;
    svg_file_write(&svg, &tiny_profile, &options);
    assert_valid_xml(&svg);
    assert_string(xpath(&svg, "string(/*/@width)"), "200");
    assert_string(xpath(&svg, "string(//*[@id=\"title\"])"), "custom title");
    assert_string(xpath(&svg, "string(//*[@id=\"subtitle\"])"), "a subtitle");
    /* The 1-sample stack has no box but counts in the root's width. */
    assert_string(xpath(&svg, "count(" FRAME_XPATH ")", "tiny_leaf"), "0");
    assert_string(xpath(&svg, "string(" FRAME_XPATH "/@data-w)", "all ("), "200001");
    /* 90 px hold 11 characters: 9 of the name and "..". */
    assert_near(frame_number(&svg, "a_rather", "rect", "width"), 180.0 * 100000 / 200001, 0.005);
    assert_string(frame_attribute(&svg, "a_rather", "text", NULL), "a_rather_..");
    assert_string(frame_attribute(&svg, "short_sibling", "text", NULL), "short_sib..");
    assert_string(frame_attribute(&svg, "all", "text", NULL), "all");
    unlink(svg.path);

    /* Narrower than 200 px is drawn 200 px wide; a box too narrow for three
     * characters has no text. */
    options.width = 1;
    svg_file_write(&svg, synthetic_profile(), &options);
    assert_string(xpath(&svg, "string(/*/@width)"), "200");
    assert_near(frame_number(&svg, "[truncated]", "rect", "width"), 180.0 / 33, 0.005);
    assert_string(frame_attribute(&svg, "[truncated]", "text", NULL), "");
    unlink(svg.path);
}

static void test_flamegraph_empty(void **state)
{
    (void)state;
    struct svg_file svg;
    svg_file_write(&svg, &empty_profile, NULL);
    assert_valid_xml(&svg);
    assert_string(xpath(&svg, "count(//*[local-name()=\"g\"][@class=\"f\"])"), "1");
    assert_string(frame_attribute(&svg, "all", "title", NULL), "all (0 samples, 0.00%)");
    assert_near(frame_number(&svg, "all", "rect", "width"), FRAMES_WIDTH, 0);
    unlink(svg.path);
}

/* ---- what every writer refuses ---- */

static void test_writers_refuse_bad_profiles(void **state)
{
    (void)state;
    static const uint32_t frame_out_of_range[] = {SYN_FRAME_COUNT};
    const struct profile_stack bad_stack = {frame_out_of_range, 1};
    const struct profile_run run_past_stacks = {7, 1}, first_run = {0, 1};
    const struct profile_thread past_stacks = {"t", 1, &run_past_stacks, 1, 1};
    const struct profile_thread first_stack = {"t", 1, &first_run, 1, 1};
    const struct profile *good = synthetic_profile();

    struct profile run_out_of_range = *good;
    run_out_of_range.threads = &past_stacks;
    run_out_of_range.thread_count = 1;
    run_out_of_range.samples = 1;
    run_out_of_range.stack_count = 7;

    struct profile stack_out_of_range = run_out_of_range;
    stack_out_of_range.threads = &first_stack;
    stack_out_of_range.stacks = &bad_stack;
    stack_out_of_range.stack_count = 1;

    struct profile wrong_total = *good;
    wrong_total.samples = 34;

    struct profile_frame nameless = {NULL, NULL, NULL, 0, 0};
    struct profile no_name = *good;
    no_name.frames = &nameless;
    no_name.frame_count = 1;

    const struct profile *bad[] = {&run_out_of_range, &stack_out_of_range, &wrong_total,
                                   &no_name};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        for (enum writer w = COLLAPSED; w <= FLAMEGRAPH; w++)
            assert_int_equal(failure(w, bad[i]), EINVAL);

    struct profile_thread wrong_thread_total = good->threads[0];
    wrong_thread_total.samples++;
    struct profile one_thread = *good;
    one_thread.threads = &wrong_thread_total;
    one_thread.thread_count = 1;
    one_thread.samples = wrong_thread_total.samples;
    for (enum writer w = COLLAPSED; w <= FLAMEGRAPH; w++)
        assert_int_equal(failure(w, &one_thread), EINVAL);
}

static void test_writers_report_write_errors(void **state)
{
    (void)state;
    for (enum writer w = COLLAPSED; w <= FLAMEGRAPH; w++) {
        FILE *full = fopen("/dev/full", "w");
        assert_non_null(full);
        errno = 0;
        assert_int_equal(run_writer(w, synthetic_profile(), full, NULL), -1);
        assert_int_equal(errno, ENOSPC);
        fclose(full);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collapsed_synthetic),
        cmocka_unit_test(test_collapsed_empty),
        cmocka_unit_test(test_speedscope_synthetic),
        cmocka_unit_test(test_speedscope_empty),
        cmocka_unit_test(test_flamegraph_synthetic),
        cmocka_unit_test(test_flamegraph_raw_escaping),
        cmocka_unit_test(test_flamegraph_tiny_boxes_and_cut_names),
        cmocka_unit_test(test_flamegraph_empty),
        cmocka_unit_test(test_writers_refuse_bad_profiles),
        cmocka_unit_test(test_writers_report_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
