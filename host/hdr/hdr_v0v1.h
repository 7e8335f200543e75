/*
 * hdr_v0v1.h — reading HdrHistogram's two older encodings, V0 and V1, which
 * interval logs written with HdrHistogram Java before 2.1.7 (2015) hold
 * (jHiccup 2.0.1's V0, jHiccup 2.0.6's V1), and a decoder that takes any of
 * V0, V1 and V2: what an interval log may hold. bhost itself writes V2 only
 * (hdr_v2.h).
 */
#ifndef BHOST_HDR_V0V1_H
#define BHOST_HDR_V0V1_H

#include "hdr/hdr.h"

#include <stddef.h>
#include <stdint.h>

/*
 * A V0 or V1 encoding, deflated (as logs hold it) or not: 0 and an
 * initialised *h (caller hdr_fini's), or -1 with errno EINVAL for anything
 * malformed or of another version, ENOTSUP for a V1 histogram that bhost's
 * histograms cannot hold (a DoubleHistogram's conversion ratio other than 1,
 * or a normalizing index offset), ENOMEM. Never reads out of bounds.
 */
int hdr_decode_v0v1(const uint8_t *buf, size_t len, struct hdr *h);

/* V0, V1 or V2 by the cookie, in bytes or in Base64; errors as above. */
int hdr_decode_any(const uint8_t *buf, size_t len, struct hdr *h);
int hdr_decode_any_base64(const char *text, struct hdr *h);

#endif
