/* export.h — placeholder until the export stage lands. */
#ifndef BHOST_EXPORT_H
#define BHOST_EXPORT_H
#endif
