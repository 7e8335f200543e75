/* artifacts.h — placeholder until the artifacts stage lands. */
#ifndef BHOST_ARTIFACTS_H
#define BHOST_ARTIFACTS_H
#endif
