/*
 * test_sha256.c — SHA-256 against FIPS 180-4's examples, against the
 * system's sha256sum on every length around the padding's edges, fed whole
 * and in pieces; and the run-directory file opener's refusals (paths out
 * of the run directory, symbolic links, what is not a regular file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "artifacts/run_files.h"
#include "util/checksum.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void expect_digest(const char *text, size_t len, const char *want)
{
    char hex[CHECKSUM_HEX_LEN + 1];
    checksum_hex(text, len, hex);
    assert_string_equal(hex, want);
}

static void fips_examples(void **state)
{
    (void)state;
    expect_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_digest(two_blocks, sizeof two_blocks - 1,
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* A million 'a', fed in pieces of 1000 (FIPS 180-2, appendix B.3). */
    char piece[1000];
    memset(piece, 'a', sizeof piece);
    struct checksum c;
    checksum_init(&c);
    for (int i = 0; i < 1000; i++)
        checksum_update(&c, piece, sizeof piece);
    char hex[CHECKSUM_HEX_LEN + 1];
    checksum_final_hex(&c, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* What `sha256sum` says of these bytes. */
static void sha256sum_of(const unsigned char *data, size_t len, char out[CHECKSUM_HEX_LEN + 1])
{
    char path[] = "/tmp/bhost-test-sha256-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "sha256sum %s", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, CHECKSUM_HEX_LEN + 1, p));
    pclose(p);
    unlink(path);
}

/* Every length from 0 to 200 bytes (padding into one block or two, and whole blocks), as
 * sha256sum computes it; one-shot, byte by byte, and from a descriptor alike. */
static void every_length_agrees_with_sha256sum(void **state)
{
    (void)state;
    unsigned char data[200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof data; len++) {
        char want[CHECKSUM_HEX_LEN + 1], whole[CHECKSUM_HEX_LEN + 1], bytes[CHECKSUM_HEX_LEN + 1];
        sha256sum_of(data, len, want);
        checksum_hex(data, len, whole);
        struct checksum c;
        checksum_init(&c);
        for (size_t i = 0; i < len; i++)
            checksum_update(&c, data + i, 1);
        checksum_final_hex(&c, bytes);
        if (strcmp(whole, want) != 0 || strcmp(bytes, want) != 0)
            fail_msg("length %zu: sha256sum %s, whole %s, byte by byte %s", len, want, whole,
                     bytes);
    }
    char path[] = "/tmp/bhost-test-sha256-XXXXXX";
    int fd = mkstemp(path);
    assert_int_equal(write(fd, data, sizeof data), (ssize_t)sizeof data);
    lseek(fd, 0, SEEK_SET);
    char want[CHECKSUM_HEX_LEN + 1], got[CHECKSUM_HEX_LEN + 1];
    uint64_t size = 0;
    assert_int_equal(checksum_fd(fd, got, &size), 0);
    close(fd);
    unlink(path);
    checksum_hex(data, sizeof data, want);
    assert_string_equal(got, want);
    assert_int_equal(size, sizeof data);
}

static void paths_stay_inside_the_run_directory(void **state)
{
    (void)state;
    assert_true(run_file_path_ok("results.json"));
    assert_true(run_file_path_ok("artifacts/0123456789abcdef/flame graph.svg"));
    static const char *const bad[] = {"", "/etc/passwd", "../x", "artifacts/../../x",
                                      "artifacts//x", "./results.json", "artifacts/.",
                                      "artifacts/x/", "..", "a/.."};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (run_file_path_ok(bad[i]))
            fail_msg("'%s' was taken for a path inside the run directory", bad[i]);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void links_and_special_files_are_not_followed(void **state)
{
    (void)state;
    char dir[] = "/tmp/bhost-test-runfiles-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[600], outside[64];
    snprintf(path, sizeof path, "%s/artifacts", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/artifacts/plain.txt", dir);
    write_text(path, "plain\n");
    snprintf(outside, sizeof outside, "%s-outside", dir);
    assert_int_equal(mkdir(outside, 0755), 0);
    snprintf(path, sizeof path, "%s/secret.txt", outside);
    write_text(path, "secret\n");
    snprintf(path, sizeof path, "%s/artifacts/link.txt", dir);
    assert_int_equal(symlink("plain.txt", path), 0);
    snprintf(path, sizeof path, "%s/linked", dir);
    assert_int_equal(symlink(outside, path), 0);
    snprintf(path, sizeof path, "%s/artifacts/fifo", dir);
    assert_int_equal(mkfifo(path, 0644), 0);

    const char *why = NULL;
    int fd = run_file_open(dir, "artifacts/plain.txt", &why);
    assert_true(fd >= 0);
    char buf[16] = {0};
    assert_int_equal(read(fd, buf, sizeof buf - 1), 6);
    assert_string_equal(buf, "plain\n");
    close(fd);
    static const struct {
        const char *path, *why;
    } refused[] = {{"artifacts/link.txt", "a symbolic link or a file on the way: not followed"},
                   {"linked/secret.txt", "a symbolic link or a file on the way: not followed"},
                   {"artifacts/fifo", "not a regular file"},
                   {"artifacts", "not a regular file"},
                   {"artifacts/none.txt", "not there"},
                   {"../x", "not a path inside the run directory"}};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        why = NULL;
        fd = run_file_open(dir, refused[i].path, &why);
        if (fd >= 0)
            fail_msg("%s was opened", refused[i].path);
        assert_non_null(why);
        if (strcmp(why, refused[i].why) != 0)
            fail_msg("%s: refused because \"%s\", expected \"%s\"", refused[i].path, why,
                     refused[i].why);
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, outside);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fips_examples),
        cmocka_unit_test(every_length_agrees_with_sha256sum),
        cmocka_unit_test(paths_stay_inside_the_run_directory),
        cmocka_unit_test(links_and_special_files_are_not_followed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
