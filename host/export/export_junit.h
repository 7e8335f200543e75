/*
 * export_junit.h — a run as JUnit XML, the test report Jenkins, GitLab and
 * GitHub's reporters read (docs/export.md, "junit"): a test case per point
 * (failed and partial points fail, skipped ones are skipped) and one per gate
 * outcome (a missed gate fails, an inconclusive one is an error).
 */
#ifndef BHOST_EXPORT_JUNIT_H
#define BHOST_EXPORT_JUNIT_H

#include <jansson.h>
#include <stdio.h>

/* Writes doc to f; every string from it through escape_xml(). */
void export_junit(FILE *f, const json_t *doc);

#endif
