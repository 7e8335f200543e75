/*
 * hdr_v2.h — HdrHistogram's V2 encoding of a histogram, both ways: what the
 * results file, run.hlog and every HdrHistogram library exchange.
 */
#ifndef BHOST_HDR_V2_H
#define BHOST_HDR_V2_H

#include "hdr/hdr.h"

#include <stddef.h>
#include <stdint.h>

/*
 * HdrHistogram V2 compressed encoding (cookie 0x1c849304|0x10, zlib-deflated
 * V2 payload of ZigZag LEB128 counts with zero runs).
 * hdr_encode_v2: 0 and a malloc'd buffer in *out (caller frees), or -1.
 * hdr_decode_v2: 0 and an initialised *h (caller hdr_fini's), or -1 on any
 * malformed input (never reads out of bounds, never aborts): errno ENOTSUP
 * for a histogram bhost's cannot hold (a normalizing index offset, or a
 * DoubleHistogram's conversion ratio other than 1), else EINVAL.
 */
int hdr_encode_v2(const struct hdr *h, uint8_t **out, size_t *out_len);
int hdr_decode_v2(const uint8_t *buf, size_t len, struct hdr *h);

/* Base64 (RFC 4648, with padding) of the V2 encoding, NUL-terminated,
 * malloc'd; and back. */
char *hdr_encode_v2_base64(const struct hdr *h);
int hdr_decode_v2_base64(const char *text, struct hdr *h);

#endif
