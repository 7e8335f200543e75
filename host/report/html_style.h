/*
 * html_style.h — the HTML report's stylesheet, inline in the page (its
 * Content-Security-Policy allows inline styles and nothing else): the
 * typography, tables, badges, and the plots' lines by class.
 */
#ifndef BHOST_REPORT_HTML_STYLE_H
#define BHOST_REPORT_HTML_STYLE_H

extern const char html_style[];

#endif
