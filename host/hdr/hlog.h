/*
 * hlog.h — HdrHistogram interval logs ("histogram log format version 1.3",
 * as HdrHistogram Java's HistogramLogWriter writes and HistogramLogReader
 * reads them; docs/results.md).
 *
 * A log is text lines. Lines starting with '#' are comments; two of them
 * carry times: "#[StartTime: <seconds since epoch> ...]" and
 * "#[BaseTime: <seconds since epoch> ...]". A line starting with
 * "StartTimestamp" in quotes is the legend. Every other line is an interval:
 *
 *     [Tag=<tag>,]<start s>,<length s>,<max>,<base64 compressed histogram>
 *
 * where <start> is relative to BaseTime and <max> is the histogram's max
 * divided by the writer's max-value unit ratio (informational only: readers
 * take the max from the histogram). The histogram is in HdrHistogram's V2
 * encoding, or in V0 or V1 in logs of HdrHistogram Java before 2.1.7.
 *
 * What the writer writes also opens in HdrHistogram_c's log reader, which
 * is stricter than Java's: it reads the header (the lines before the
 * legend) into a buffer of 128 bytes a line, stops at the legend, and then
 * takes every line as an interval. So every header line is shorter than
 * HLOG_HEADER_LINE_MAX bytes with its newline, and every comment comes
 * before the legend: write the header, the comments, then the legend.
 */
#ifndef BHOST_HLOG_H
#define BHOST_HLOG_H

#include "hdr/hdr.h"

#include <stddef.h>
#include <stdio.h>

#define HLOG_FORMAT_VERSION "1.3"
/* HistogramLogWriter's default: Interval_Max in ms for values in ns. */
#define HLOG_MAX_VALUE_UNIT_RATIO 1e6

/* --- writing ---------------------------------------------------------------- */

/* Bytes in a header line, its newline included: HdrHistogram_c reads header
 * lines with fgets() into 128 bytes, and a longer one ends its header there. */
#define HLOG_HEADER_LINE_MAX 127

/*
 * The header HistogramLogWriter writes, in its order: a comment naming the
 * writer (`who`, may be NULL), the format version, StartTime and BaseTime
 * (both `start_s`, seconds since the epoch, so interval starts are relative
 * to it). Comments may follow; hlog_write_legend ends the header.
 */
void hlog_write_header(FILE *f, const char *who, double start_s);

/* The legend line, which ends the header: after it come intervals only. */
void hlog_write_legend(FILE *f);

/*
 * "#<text>". A character that would end the line (CR, LF, and the Unicode
 * line separators Java's reader ends lines at: U+0085, U+2028, U+2029) is
 * written as a space. A comment longer than a header line may be goes on
 * in continuation lines "#+<more text>", each within HLOG_HEADER_LINE_MAX,
 * cut between UTF-8 characters; hlog_next_comment joins them again.
 */
void hlog_write_comment(FILE *f, const char *text);

/* Whether `tag` can stand in a Tag= field: non-empty, no comma, whitespace or
 * control character. */
int hlog_tag_ok(const char *tag);

/*
 * One interval line with an already encoded histogram (`b64`, as
 * hdr_encode_v2_base64 makes it); `tag` may be NULL. Times in seconds,
 * `max_scaled` already divided by the unit ratio. -1 (errno EINVAL) if the
 * tag is not hlog_tag_ok or a number is not finite; nothing is written then.
 */
int hlog_write_encoded(FILE *f, const char *tag, double start_s, double length_s,
                       double max_scaled, const char *b64);

/* hlog_write_encoded for a histogram; max scaled by HLOG_MAX_VALUE_UNIT_RATIO.
 * -1 also if encoding fails. */
int hlog_write_interval(FILE *f, const char *tag, double start_s, double length_s,
                        const struct hdr *h);

/* --- reading ---------------------------------------------------------------- */

struct hlog_interval {
    char *tag;            /* NULL for an untagged line; owned */
    double start_s;       /* as written: relative to BaseTime */
    double length_s;
    double max_scaled;    /* the Interval_Max field as written */
    long line;            /* line number in the log, from 1 */
    struct hdr hist;      /* decoded; owned */
};

struct hlog_reader {
    FILE *f;              /* NULL: reading `text` */
    const char *text;     /* not owned; may hold NUL bytes (an error, as in a file) */
    size_t text_len, text_pos;
    const char *name;     /* for messages */
    long line;            /* lines read so far */
    double start_time_s;  /* from #[StartTime: ], else 0 */
    double base_time_s;   /* from #[BaseTime: ], else 0 */
    int has_start_time, has_base_time;
    char *buf;
    size_t cap;
};

void hlog_reader_init(struct hlog_reader *r, FILE *f, const char *name);
/* A reader of a log already in memory: `len` bytes of `text`, which must
 * outlive the reader. */
void hlog_reader_init_text(struct hlog_reader *r, const char *text, size_t len,
                           const char *name);
void hlog_reader_fini(struct hlog_reader *r);

/*
 * The next interval: 1 and *iv filled (hlog_interval_fini it), 0 at the end
 * of the log, or -1 with "<name>:<line>: <what is wrong>" in err. Lines end
 * with LF or CRLF; a CR alone ends no line, and is an error that says so.
 */
int hlog_read_interval(struct hlog_reader *r, struct hlog_interval *iv, char *err,
                       size_t errlen);
void hlog_interval_fini(struct hlog_interval *iv);

/*
 * The next comment of a log in memory (`len` bytes of `text`), from byte
 * *pos on: 1 with its text after the '#', continuation lines ("#+...")
 * joined, in *comment (malloc'd), and *pos past it; 0 when none is left.
 * Other lines are passed over.
 */
int hlog_next_comment(const char *text, size_t len, size_t *pos, char **comment);

#endif /* BHOST_HLOG_H */
