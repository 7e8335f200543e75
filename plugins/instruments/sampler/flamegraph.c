/*
 * flamegraph.c — a flame graph as one self-contained SVG file: the merged
 * call tree drawn root at the bottom, each box as wide as its share of the
 * samples, with flamegraph.js embedded for details, zoom and search.
 */
#include "profile.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flame_tree.h"
#include "flamegraph_script.h"
#include "output.h"
#include "profile_check.h"
#include "svg_text.h"

#define DEFAULT_WIDTH 1200
#define MIN_WIDTH 200
#define SIDE_PAD 10
#define TOP_PAD 36
#define SUBTITLE_PAD 20
#define BOTTOM_PAD 28
#define FRAME_HEIGHT 16
#define BOX_HEIGHT 15
#define TEXT_BASELINE 11.5
#define TEXT_PAD 3
/* The width of a character of the 12px monospace font the boxes use (0.6 em),
 * from which the box's text is cut; flamegraph.js cuts with the same figures. */
#define CHAR_WIDTH 7.2
/* Narrower boxes are left out (their samples still count in their callers'). */
#define MIN_BOX_WIDTH 0.1

static const char svg_style[] =
    "text { font-family: monospace; font-size: 12px; fill: rgb(0,0,0); }\n"
    "#title { font-size: 17px; text-anchor: middle; }\n"
    "#subtitle { text-anchor: middle; fill: rgb(110,110,110); }\n"
    "#search, #matched { text-anchor: end; }\n"
    ".button { cursor: pointer; }\n"
    ".button:hover { text-decoration: underline; }\n"
    ".f { cursor: pointer; }\n"
    ".f:hover > rect { stroke: rgb(0,0,0); stroke-width: 0.5; }\n"
    ".match > rect { fill: rgb(230,0,230); }\n"
    ".parent { opacity: 0.5; }\n"
    ".hide { display: none; }\n";

struct flame_graph {
    const struct profile *profile;
    struct flame_tree tree;
    char **names;           /* tree.names cleaned for XML, then the root's */
    char *title, *subtitle; /* cleaned; no subtitle: NULL */
    uint32_t width, height;
};

/* A share of the frames' width: computed as flamegraph.js computes it, so
 * that both cut a name at the same length. */
static double share_px(const struct flame_graph *g, uint64_t samples)
{
    return (double)samples / (double)g->tree.samples * (g->width - 2.0 * SIDE_PAD);
}

/* FNV-1a: the same name gets the same colour in every graph. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Warm colours by name; inlined frames in aqua, frames without a symbol
 * ("libfoo.so+0x1a2b", "[truncated]") in grey. */
static void write_colour(FILE *out, const struct profile_frame *frame)
{
    const char *name = frame ? frame->name : FLAME_ROOT_NAME;
    uint32_t h = name_hash(name);
    double v1 = (h & 0xFF) / 255.0, v2 = (h >> 8 & 0xFF) / 255.0, v3 = (h >> 16 & 0xFF) / 255.0;
    unsigned r, g, b;
    if (frame && (name[0] == '[' || strstr(name, "+0x"))) {
        r = g = b = 170 + (unsigned)(40 * v1);
    } else if (frame && frame->inlined) {
        r = 50 + (unsigned)(60 * v1);
        g = 165 + (unsigned)(55 * v2);
        b = 165 + (unsigned)(55 * v3);
    } else {
        r = 205 + (unsigned)(50 * v3);
        g = (unsigned)(230 * v1);
        b = (unsigned)(55 * v2);
    }
    fprintf(out, "rgb(%u,%u,%u)", r, g, b);
}

/* The box's text: its name, cut with ".." to what fits, or nothing. */
static void write_box_text(FILE *out, const char *name, double box_width)
{
    double fits = (box_width - 2 * TEXT_PAD) / CHAR_WIDTH;
    if (fits < 3)
        return;
    size_t chars = svg_char_count(name);
    if (chars <= fits) {
        svg_write_escaped(out, name, strlen(name));
    } else {
        svg_write_escaped(out, name, svg_prefix_bytes(name, (size_t)fits - 2));
        fputs("..", out);
    }
}

static void write_frame(FILE *out, const struct flame_graph *g, const struct flame_node *node)
{
    const struct profile_frame *frame =
        node == g->tree.nodes ? NULL : &g->profile->frames[node->frame];
    const char *name = g->names[node == g->tree.nodes ? g->tree.name_count : node->name];
    uint64_t total = g->tree.samples;
    double x = SIDE_PAD + (total ? share_px(g, node->offset) : 0);
    double w = total ? share_px(g, node->samples) : g->width - 2 * SIDE_PAD;
    double y = g->height - BOTTOM_PAD - (double)(node->depth + 1) * FRAME_HEIGHT;

    fprintf(out, "<g class=\"f\" data-x=\"%" PRIu64 "\" data-w=\"%" PRIu64 "\"><title>",
            node->offset, node->samples);
    svg_write_escaped(out, name, strlen(name));
    fprintf(out, " (%s%" PRIu64 " sample%s, ", frame && frame->inlined ? "inlined, " : "",
            node->samples, node->samples == 1 ? "" : "s");
    svg_write_fixed(out, total ? 100.0 * (double)node->samples / (double)total : 0);
    fputs("%)</title><rect x=\"", out);
    svg_write_fixed(out, x);
    fputs("\" y=\"", out);
    svg_write_fixed(out, y);
    fputs("\" width=\"", out);
    svg_write_fixed(out, w);
    fprintf(out, "\" height=\"%d\" rx=\"2\" ry=\"2\" fill=\"", BOX_HEIGHT);
    write_colour(out, frame);
    fputs("\"/><text x=\"", out);
    svg_write_fixed(out, x + TEXT_PAD);
    fputs("\" y=\"", out);
    svg_write_fixed(out, y + TEXT_BASELINE);
    fputs("\">", out);
    write_box_text(out, name, w);
    fputs("</text></g>\n", out);
}

static void write_text(FILE *out, const char *attributes, const char *clean)
{
    fprintf(out, "<text %s>", attributes);
    svg_write_escaped(out, clean, strlen(clean));
    fputs("</text>\n", out);
}

static void write_head(FILE *out, const struct flame_graph *g)
{
    char attributes[96];
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%" PRIu32
                 "\" height=\"%" PRIu32 "\" viewBox=\"0 0 %" PRIu32 " %" PRIu32 "\">\n",
            g->width, g->height, g->width, g->height);
    fprintf(out, "<style type=\"text/css\">\n%s</style>\n", svg_style);
    fputs("<defs><linearGradient id=\"background\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
          "<stop offset=\"5%\" stop-color=\"#eeeeee\"/><stop offset=\"95%\" stop-color=\"#eeeeb0\"/>"
          "</linearGradient></defs>\n", out);
    fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%" PRIu32 "\" height=\"%" PRIu32
                 "\" fill=\"url(#background)\"/>\n", g->width, g->height);
    snprintf(attributes, sizeof attributes, "id=\"title\" x=\"%" PRIu32 "\" y=\"24\"", g->width / 2);
    write_text(out, attributes, g->title);
    if (g->subtitle) {
        snprintf(attributes, sizeof attributes, "id=\"subtitle\" x=\"%" PRIu32 "\" y=\"44\"",
                 g->width / 2);
        write_text(out, attributes, g->subtitle);
    }
    fprintf(out, "<text id=\"unzoom\" class=\"button hide\" x=\"%d\" y=\"24\">Reset Zoom</text>\n"
                 "<text id=\"search\" class=\"button\" x=\"%" PRIu32 "\" y=\"24\">Search</text>\n"
                 "<text id=\"details\" x=\"%d\" y=\"%" PRIu32 "\"> </text>\n"
                 "<text id=\"matched\" x=\"%" PRIu32 "\" y=\"%" PRIu32 "\"> </text>\n",
            SIDE_PAD, g->width - SIDE_PAD, SIDE_PAD, g->height - 10, g->width - SIDE_PAD,
            g->height - 10);
}

/* The frames, and what flamegraph.js needs to redraw them, on their group. */
static void write_frames(FILE *out, const struct flame_graph *g)
{
    fprintf(out, "<g id=\"frames\" data-total=\"%" PRIu64 "\" data-left=\"%d\" data-width=\"%" PRIu32
                 "\" data-char-width=\"",
            g->tree.samples, SIDE_PAD, g->width - 2 * SIDE_PAD);
    svg_write_fixed(out, CHAR_WIDTH);
    fprintf(out, "\" data-text-pad=\"%d\">\n", TEXT_PAD);
    for (size_t i = 0; i < g->tree.count; i++) {
        const struct flame_node *node = &g->tree.nodes[i];
        if (i == 0 || share_px(g, node->samples) >= MIN_BOX_WIDTH)
            write_frame(out, g, node);
    }
    fputs("</g>\n", out);
}

static void free_graph(struct flame_graph *g)
{
    for (size_t i = 0; g->names && i <= g->tree.name_count; i++)
        free(g->names[i]);
    free(g->names);
    free(g->title);
    free(g->subtitle);
    flame_tree_free(&g->tree);
}

/* Everything the SVG shows as text made valid XML first: 0, or -1 on ENOMEM. */
static int clean_text(struct flame_graph *g, const char *title, const char *subtitle)
{
    g->names = calloc(g->tree.name_count + 1, sizeof *g->names);
    if (!g->names)
        return -1;
    for (size_t i = 0; i < g->tree.name_count; i++)
        if (!(g->names[i] = svg_clean(g->profile->frames[g->tree.names[i]].name)))
            return -1;
    if (!(g->names[g->tree.name_count] = svg_clean(FLAME_ROOT_NAME)))
        return -1;
    if (!(g->title = svg_clean(title)))
        return -1;
    return subtitle && !(g->subtitle = svg_clean(subtitle)) ? -1 : 0;
}

int profile_write_flamegraph(const struct profile *p, FILE *out,
                             const struct flamegraph_options *options)
{
    static const struct flamegraph_options defaults = {0};
    if (!options)
        options = &defaults;
    if (profile_check(p) < 0)
        return -1;
    struct flame_graph g = {.profile = p};
    const char *title = options->title ? options->title : p->title ? p->title : "";
    if (flame_tree_build(p, &g.tree) < 0)
        return -1;
    if (clean_text(&g, title, options->subtitle) < 0) {
        free_graph(&g);
        return -1;
    }
    g.width = options->width ? options->width : DEFAULT_WIDTH;
    if (g.width < MIN_WIDTH)
        g.width = MIN_WIDTH;
    g.height = TOP_PAD + (g.subtitle ? SUBTITLE_PAD : 0) +
               (g.tree.max_depth + 1) * FRAME_HEIGHT + BOTTOM_PAD;

    write_head(out, &g);
    write_frames(out, &g);
    fprintf(out, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n</svg>\n",
            flamegraph_script);
    free_graph(&g);
    return output_finish(out);
}
