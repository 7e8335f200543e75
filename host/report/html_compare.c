/* html_compare.c — see html_compare.h. */
#include "report/html_compare.h"
#include "report/ratios.h"
#include "report/units.h"
#include "util/escape.h"

#include <stdlib.h>
#include <string.h>

/* The cells of one compared figure, from the figure's name to its verdict. */
static void figure_cells(FILE *f, const struct compare_figure *x)
{
    char a[64], b[64], ratio[32], interval[64], figure[160];
    html_td(f, NULL, ratios_figure(figure, sizeof figure, x));
    html_td(f, "n", units_figure(a, sizeof a, x->a, x->unit));
    html_td(f, "n", units_figure(b, sizeof b, x->b, x->unit));
    html_td(f, "n", ratios_ratio(ratio, sizeof ratio, x->r.ratio));
    html_td(f, "n", ratios_interval(interval, sizeof interval, &x->r));
    fputs("<td>", f);
    html_badge(f, verdict_name(x->verdict));
    if (x->why[0]) {
        fputs(" <span class=\"why\">", f);
        escape_html(f, x->why);
        fputs("</span>", f);
    }
    fputs("</td>", f);
}

static void table_head(FILE *f, const struct compare_options *o, int with_point)
{
    fprintf(f, "<table class=\"cmp\"><thead><tr>%s<th>figure</th><th class=\"n\">A (base)</th>"
               "<th class=\"n\">B (this run)</th><th class=\"n\">B/A</th>"
               "<th class=\"n\">%g %% interval</th><th>verdict</th></tr></thead><tbody>\n",
            with_point ? "<th>point</th>" : "", o->confidence * 100);
}

static void list(FILE *f, const char *title, const json_t *items, int pairs)
{
    if (!json_array_size(items))
        return;
    fprintf(f, "<p>%s</p><ul>", title);
    size_t i;
    const json_t *x;
    json_array_foreach(items, i, x) {
        fputs("<li>", f);
        if (pairs) {
            char *a = view_value_text(json_object_get(x, "a"));
            char *b = view_value_text(json_object_get(x, "b"));
            escape_html(f, view_text(x, "field") ? view_text(x, "field") : "?");
            fputs(": ", f);
            escape_html(f, a);
            fputs(" → ", f);
            escape_html(f, b);
            free(a);
            free(b);
        } else {
            escape_html(f, json_string_value(x) ? json_string_value(x) : "?");
        }
        fputs("</li>", f);
    }
    fputs("</ul>\n", f);
}

void html_compare_section(const struct html_page *p)
{
    FILE *f = p->f;
    const struct report_compare *c = p->r->compare;
    const struct compare_result *r = c->result;
    char line[1024];
    html_heading(f, "comparison", "Comparison");
    fputs("<p>This run (B) against <b>", f);
    escape_html(f, c->base_name);
    fprintf(f, "</b> (A): for each point and figure, each side's median over its "
               "repetitions; the ratio B/A (above 1 is slower), estimated from every pair of "
               "repetitions (the Hodges-Lehmann shift, so it can differ from the ratio of the "
               "two medians), with its %g %% interval; and the verdict against a noise "
               "threshold of %g %%.</p>\n",
            c->options->confidence * 100, c->options->threshold * 100);
    ratios_summary(line, sizeof line, r);
    fputs("<p class=\"verdicts\">", f);
    escape_html(f, line);
    fputs("</p>\n", f);
    list(f, "Warnings:", r->warnings, 0);
    list(f, "What differs between the two environments:", r->environment, 1);
    list(f, "Points only in A:", json_object_get(r->unmatched, "only_a"), 0);
    list(f, "Points only in B:", json_object_get(r->unmatched, "only_b"), 0);
    fputs("<div class=\"scroll\">", f);
    table_head(f, c->options, 1);
    for (size_t k = 0; k < r->nfigs; k++) {
        const struct compare_figure *x = &r->figs[k];
        const json_t *pt = json_object_get(p->run_points, x->point_id);
        char anchor[32];
        fputs("<tr><td>", f);
        if (pt) {
            html_point_anchor(anchor, sizeof anchor, pt);
            fprintf(f, "<a href=\"#%s\">", anchor);
        }
        escape_html(f, x->label);
        fputs(pt ? "</a></td>" : "</td>", f);
        figure_cells(f, x);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

void html_compare_point(const struct html_page *p, const json_t *point)
{
    const struct compare_result *r = p->r->compare->result;
    const char *id = view_text(point, "id");
    int any = 0;
    for (size_t k = 0; id && k < r->nfigs; k++) {
        if (strcmp(r->figs[k].point_id, id) != 0)
            continue;
        if (!any++) {
            fputs("<h4>Against the baseline</h4>", p->f);
            table_head(p->f, p->r->compare->options, 0);
        }
        fputs("<tr>", p->f);
        figure_cells(p->f, &r->figs[k]);
        fputs("</tr>\n", p->f);
    }
    if (any)
        fputs("</tbody></table>\n", p->f);
}
