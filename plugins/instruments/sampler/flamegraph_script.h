/*
 * flamegraph_script.h — the flame graph's script (flamegraph.js), turned
 * into a C string at build time by embed_script.cmake.
 */
#ifndef BHOST_SAMPLER_FLAMEGRAPH_SCRIPT_H
#define BHOST_SAMPLER_FLAMEGRAPH_SCRIPT_H

extern const char flamegraph_script[];

#endif /* BHOST_SAMPLER_FLAMEGRAPH_SCRIPT_H */
