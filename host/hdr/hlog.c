/* hlog.c — HdrHistogram interval logs, format 1.3; see hlog.h. */
#include "hdr/hlog.h"
#include "hdr/hdr_v0v1.h"
#include "hdr/hdr_v2.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEGEND "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\"," \
               "\"Interval_Compressed_Histogram\""
#define START_TIME_MARK "#[StartTime:"
#define BASE_TIME_MARK "#[BaseTime:"
#define TAG_MARK "Tag="
#define INTERVAL_FIELDS 4

/* --- writing ---------------------------------------------------------------- */

/* The length of a character that must not stand in a line (CR, LF, U+0085,
 * U+2028, U+2029 in UTF-8) at p, else 0. */
static size_t line_break_at(const unsigned char *p)
{
    if (*p == '\n' || *p == '\r')
        return 1;
    if (p[0] == 0xc2 && p[1] == 0x85)
        return 2;
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
        return 3;
    return 0;
}

/* How many bytes of `s` (n long) fit in `room`, cut before a UTF-8 character,
 * not inside one (unless a character alone would not fit). */
static size_t fitting_prefix(const unsigned char *s, size_t n, size_t room)
{
    if (n <= room)
        return n;
    size_t cut = room;
    while (cut > 0 && (s[cut] & 0xc0) == 0x80)
        cut--;
    return cut > 0 ? cut : room;
}

void hlog_write_comment(FILE *f, const char *text)
{
    /* One line, breaks made spaces, then cut into lines that fit. */
    size_t n = strlen(text), len = 0;
    unsigned char *flat = malloc(n + 1);
    if (!flat) {
        fputs("#\n", f);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t skip = line_break_at(p);
        flat[len++] = skip ? ' ' : *p;
        p += skip ? skip : 1;
    }
    const char *mark = "#";
    size_t at = 0;
    do {
        size_t room = HLOG_HEADER_LINE_MAX - strlen(mark) - 1;
        size_t take = fitting_prefix(flat + at, len - at, room);
        fprintf(f, "%s%.*s\n", mark, (int)take, (const char *)flat + at);
        at += take;
        mark = "#+";
    } while (at < len);
    free(flat);
}

void hlog_write_header(FILE *f, const char *who, double start_s)
{
    if (who)
        hlog_write_comment(f, who);
    fputs("#[Histogram log format version " HLOG_FORMAT_VERSION "]\n", f);
    /* The date as Java's Date.toString() shows it, in UTC. */
    char date[64] = "";
    time_t t = (time_t)floor(start_s);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
    fprintf(f, START_TIME_MARK " %.3f (seconds since epoch), %s]\n", start_s, date);
    fprintf(f, BASE_TIME_MARK " %.3f (seconds since epoch)]\n", start_s);
}

void hlog_write_legend(FILE *f)
{
    fputs(LEGEND "\n", f);
}

int hlog_tag_ok(const char *tag)
{
    if (!tag || !*tag)
        return 0;
    for (const unsigned char *p = (const unsigned char *)tag; *p; p++)
        if (*p == ',' || *p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

int hlog_write_encoded(FILE *f, const char *tag, double start_s, double length_s,
                       double max_scaled, const char *b64)
{
    if ((tag && !hlog_tag_ok(tag)) || !isfinite(start_s) || !isfinite(length_s) ||
        !isfinite(max_scaled) || !b64) {
        errno = EINVAL;
        return -1;
    }
    if (tag)
        fprintf(f, TAG_MARK "%s,", tag);
    /* Microseconds: bhost's repetitions are often shorter than Java's 3 digits show. */
    fprintf(f, "%.6f,%.6f,%.6f,%s\n", start_s, length_s, max_scaled, b64);
    return 0;
}

int hlog_write_interval(FILE *f, const char *tag, double start_s, double length_s,
                        const struct hdr *h)
{
    if (tag && !hlog_tag_ok(tag)) {
        errno = EINVAL;
        return -1;
    }
    char *b64 = hdr_encode_v2_base64(h);
    if (!b64)
        return -1;
    struct hdr_summary s;
    hdr_summarize(h, &s);
    int rc = hlog_write_encoded(f, tag, start_s, length_s,
                                (double)s.max / HLOG_MAX_VALUE_UNIT_RATIO, b64);
    free(b64);
    return rc;
}

/* --- reading ---------------------------------------------------------------- */

void hlog_reader_init(struct hlog_reader *r, FILE *f, const char *name)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->name = name;
}

void hlog_reader_init_text(struct hlog_reader *r, const char *text, size_t len,
                           const char *name)
{
    hlog_reader_init(r, NULL, name);
    r->text = text;
    r->text_len = len;
}

void hlog_reader_fini(struct hlog_reader *r)
{
    free(r->buf);
    r->buf = NULL;
}

void hlog_interval_fini(struct hlog_interval *iv)
{
    free(iv->tag);
    iv->tag = NULL;
    hdr_fini(&iv->hist);
}

__attribute__((format(printf, 4, 5)))
static int line_error(const struct hlog_reader *r, char *err, size_t errlen, const char *fmt, ...)
{
    int n = snprintf(err, errlen, "%s:%ld: ", r->name, r->line);
    if (n >= 0 && (size_t)n < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Strict: the whole text is one finite number. */
static int parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
                     s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* "#[StartTime: 1700000000.123 (seconds since epoch), ...]": the number. */
static int parse_time_comment(struct hlog_reader *r, const char *rest, const char *what,
                              double *out, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    double v = strtod(rest, &end);
    if (end == rest || errno == ERANGE || !isfinite(v) ||
        (*end && *end != ' ' && *end != ']' && *end != ','))
        return line_error(r, err, errlen, "%s is not followed by a number of seconds", what);
    *out = v;
    return 0;
}

static int read_comment(struct hlog_reader *r, const char *line, char *err, size_t errlen)
{
    if (strncmp(line, START_TIME_MARK, strlen(START_TIME_MARK)) == 0) {
        r->has_start_time = 1;
        return parse_time_comment(r, line + strlen(START_TIME_MARK), START_TIME_MARK,
                                  &r->start_time_s, err, errlen);
    }
    if (strncmp(line, BASE_TIME_MARK, strlen(BASE_TIME_MARK)) == 0) {
        r->has_base_time = 1;
        return parse_time_comment(r, line + strlen(BASE_TIME_MARK), BASE_TIME_MARK,
                                  &r->base_time_s, err, errlen);
    }
    return 0;
}

static const char *const field_names[INTERVAL_FIELDS] = {
    "StartTimestamp", "Interval_Length", "Interval_Max", "Interval_Compressed_Histogram"};

/* Splits `s` at commas into at most `max` trimmed fields; the count found. */
static int split_fields(char *s, char **fields, int max)
{
    int n = 0;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        if (n < max)
            fields[n] = trim(s);
        n++;
        if (!comma)
            return n;
        s = comma + 1;
    }
}

static int read_interval_line(struct hlog_reader *r, char *line, struct hlog_interval *iv,
                              char *err, size_t errlen)
{
    memset(iv, 0, sizeof *iv);
    iv->line = r->line;
    char *rest = line;
    if (strncmp(line, TAG_MARK, strlen(TAG_MARK)) == 0) {
        char *tag = line + strlen(TAG_MARK);
        char *comma = strchr(tag, ',');
        if (!comma)
            return line_error(r, err, errlen, "Tag= is not followed by a comma and the "
                              "interval's fields");
        *comma = '\0';
        if (!hlog_tag_ok(tag))
            return line_error(r, err, errlen, "the tag '%s' is empty or holds whitespace",
                              tag);
        iv->tag = strdup(tag);
        if (!iv->tag)
            return line_error(r, err, errlen, "out of memory");
        rest = comma + 1;
    }
    char *fields[INTERVAL_FIELDS];
    int n = split_fields(rest, fields, INTERVAL_FIELDS);
    if (n != INTERVAL_FIELDS) {
        free(iv->tag);
        iv->tag = NULL;
        return line_error(r, err, errlen, "an interval line needs %d comma-separated "
                          "fields (StartTimestamp, Interval_Length, Interval_Max, "
                          "Interval_Compressed_Histogram), found %d", INTERVAL_FIELDS, n);
    }
    double *numbers[3] = {&iv->start_s, &iv->length_s, &iv->max_scaled};
    for (int i = 0; i < 3; i++) {
        if (parse_number(fields[i], numbers[i]) != 0) {
            free(iv->tag);
            iv->tag = NULL;
            return line_error(r, err, errlen, "%s is not a number: '%.40s'", field_names[i],
                              fields[i]);
        }
    }
    if (iv->length_s < 0) {
        free(iv->tag);
        iv->tag = NULL;
        return line_error(r, err, errlen, "Interval_Length is negative: %s", fields[1]);
    }
    if (hdr_decode_any_base64(fields[3], &iv->hist) != 0) {
        free(iv->tag);
        iv->tag = NULL;
        if (errno == ENOTSUP)
            return line_error(r, err, errlen, "Interval_Compressed_Histogram holds a histogram "
                              "of values that are not integers (a DoubleHistogram's) or one "
                              "shifted by a normalizing index offset: bhost reads neither");
        return line_error(r, err, errlen, "Interval_Compressed_Histogram is not a base64 "
                          "HdrHistogram compressed histogram (V0, V1 or V2) ('%.24s%s')",
                          fields[3], strlen(fields[3]) > 24 ? "..." : "");
    }
    return 1;
}

/* The next line, with its '\n', into r->buf as getline() does: from the file
 * or the text. -1 at the end (errno 0) or on an error (errno set). */
static ssize_t next_line(struct hlog_reader *r)
{
    errno = 0;
    if (r->f)
        return getline(&r->buf, &r->cap, r->f);
    if (r->text_pos >= r->text_len)
        return -1;
    const char *start = r->text + r->text_pos;
    const char *nl = memchr(start, '\n', r->text_len - r->text_pos);
    size_t n = nl ? (size_t)(nl - start) + 1 : r->text_len - r->text_pos;
    if (n >= r->cap) {
        char *bigger = realloc(r->buf, n + 1);
        if (!bigger)
            return -1;
        r->buf = bigger;
        r->cap = n + 1;
    }
    memcpy(r->buf, start, n);
    r->buf[n] = '\0';
    r->text_pos += n;
    return (ssize_t)n;
}

/* Whether a CR in the line's `len` bytes ends no line: one not before its LF
 * (a last CR of the log, with nothing after it, ends the log's last line). */
static int lone_cr(const char *line, size_t len)
{
    for (const char *cr = memchr(line, '\r', len); cr;
         cr = memchr(cr + 1, '\r', len - (size_t)(cr + 1 - line)))
        if ((size_t)(cr + 1 - line) < len && cr[1] != '\n')
            return 1;
    return 0;
}

int hlog_read_interval(struct hlog_reader *r, struct hlog_interval *iv, char *err,
                       size_t errlen)
{
    for (;;) {
        ssize_t len = next_line(r);
        if (len < 0) {
            if (errno && errno != EINVAL)
                return line_error(r, err, errlen, "cannot read: %s", strerror(errno));
            return 0;
        }
        r->line++;
        if (memchr(r->buf, '\0', (size_t)len))
            return line_error(r, err, errlen, "a NUL byte: this is not a text file");
        if (lone_cr(r->buf, (size_t)len))
            return line_error(r, err, errlen, "a line ends with CR alone (old Mac OS line "
                              "ends): an interval log's lines end with LF or CRLF (tr '\\r' "
                              "'\\n' converts them)");
        char *line = trim(r->buf);
        if (!*line)
            continue;
        if (*line == '#') {
            if (read_comment(r, line, err, errlen) != 0)
                return -1;
            continue;
        }
        if (strncmp(line, "\"StartTimestamp\"", 16) == 0)
            continue;
        return read_interval_line(r, line, iv, err, errlen);
    }
}

/* The line at text[*pos] (without its line end), and *pos past it. */
static const char *take_line(const char *text, size_t len, size_t *pos, size_t *n)
{
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    *n = end - *pos;
    if (*n > 0 && start[*n - 1] == '\r')
        (*n)--;
    *pos = nl ? end + 1 : len;
    return start;
}

int hlog_next_comment(const char *text, size_t len, size_t *pos, char **comment)
{
    while (*pos < len) {
        size_t n;
        const char *line = take_line(text, len, pos, &n);
        if (n == 0 || line[0] != '#')
            continue;
        size_t used = n - 1, cap = n;
        char *joined = malloc(cap);
        if (!joined)
            return 0;
        memcpy(joined, line + 1, used);
        while (*pos + 1 < len && text[*pos] == '#' && text[*pos + 1] == '+') {
            line = take_line(text, len, pos, &n);
            char *bigger = realloc(joined, used + n);
            if (!bigger) {
                free(joined);
                return 0;
            }
            joined = bigger;
            memcpy(joined + used, line + 2, n - 2);
            used += n - 2;
        }
        joined[used] = '\0';
        *comment = joined;
        return 1;
    }
    return 0;
}
