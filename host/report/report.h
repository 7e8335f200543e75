/* report.h — placeholder until the report stage lands. */
#ifndef BHOST_REPORT_H
#define BHOST_REPORT_H
#endif
