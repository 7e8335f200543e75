/*
 * base64.h — RFC 4648 Base64 (standard alphabet, '=' padding).
 */
#ifndef BHOST_BASE64_H
#define BHOST_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* The padded encoding of data[0..len), NUL-terminated and malloc'd; NULL on
 * ENOMEM. */
char *b64_encode(const uint8_t *data, size_t len);

/*
 * Decodes a whole NUL-terminated string: 0 with a malloc'd buffer in *out
 * (caller frees; non-NULL even when *out_len is 0), or -1 with errno EINVAL
 * if the text is not canonical padded Base64 (bad length, character or
 * padding, non-zero pad bits, whitespace) or ENOMEM.
 */
int b64_decode(const char *text, uint8_t **out, size_t *out_len);

#endif /* BHOST_BASE64_H */
