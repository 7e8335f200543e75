/*
 * exec — runs a command per iteration and times it from spawn to exit.
 *
 * For systems that are not C plugins: a CLI, a Python script, a service's
 * client. `command` is a word list (or a shell line with `shell: true`) in
 * `{name}` stands for the value of the parameter `name` the spec gives
 * (open parameters, ABI 1.3: exec declares none of them), so a spec sweeps
 * any of the command's arguments by naming it and giving its values. The command reports its own figures (tokens,
 * API calls, phase timings) as lines on $BHOST_FD (protocol.h). A non-zero exit, a signal, a timeout or a bad
 * protocol line fails the iteration, with the reason and stderr's tail.
 */
#include "command.h"
#include "protocol.h"
#include "spawn.h"

#include <bhost/bhost.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern char **environ;

/* exec's own descriptor (below), whose parameter names a typo of one is suggested from. */
extern const struct bhost_plugin BHOST_ENTRY_SYMBOL;

/* What `{...}` names besides the spec's parameters. */
static const char *const builtin_names[] = {"seed", "point_id", "scratch"};
#define BUILTINS (sizeof builtin_names / sizeof builtin_names[0])

/* A command to run: its argv and the program's path (PATH searched once, in setup). */
struct cmd {
    char **argv; /* NULL: none */
    char *path;
};

struct exec {
    struct cmd command, prepare, setup, cleanup;
    char **envp;
    char *cwd;
    double timeout_s;
    struct runner runner;
    struct protocol proto;
};

/* The names `{...}` may use and their values: the spec's open parameters, then the builtins
 * (stand-ins in check()), with a mark for each name a command used. */
struct point_vars {
    const char **names, **values;
    unsigned char *used;
    size_t nopen;
    char seed[24];
    struct vars vars;
};

static void point_vars_free(struct point_vars *pv)
{
    free(pv->names);
    free(pv->values);
    free(pv->used);
}

/* BHOST_OK, or bhost_fail() when out of memory. */
static int point_vars_fill(bhost_ctx *ctx, struct point_vars *pv, int real)
{
    *pv = (struct point_vars){0};
    while (bhost_param_extra(ctx, (uint32_t)pv->nopen))
        pv->nopen++;
    size_t n = pv->nopen + BUILTINS;
    pv->names = calloc(n, sizeof *pv->names);
    pv->values = calloc(n, sizeof *pv->values);
    pv->used = calloc(n, 1);
    if (!pv->names || !pv->values || !pv->used) {
        point_vars_free(pv);
        return bhost_fail(ctx, "out of memory");
    }
    for (size_t i = 0; i < pv->nopen; i++) {
        pv->names[i] = bhost_param_extra(ctx, (uint32_t)i);
        pv->values[i] = bhost_param_str(ctx, pv->names[i]);
    }
    snprintf(pv->seed, sizeof pv->seed, "%" PRIu64, real ? bhost_seed(ctx) : 0);
    const char *id = real ? bhost_point_id(ctx) : NULL;
    const char *scratch = real ? bhost_scratch_dir(ctx) : NULL;
    const char *builtins[BUILTINS] = {pv->seed, id ? id : "0000000000000000",
                                      scratch ? scratch : "/tmp"};
    for (size_t i = 0; i < BUILTINS; i++) {
        pv->names[pv->nopen + i] = builtin_names[i];
        pv->values[pv->nopen + i] = builtins[i];
    }
    pv->vars = (struct vars){pv->names, pv->values, pv->used, n};
    return BHOST_OK;
}

/* A parameter nothing uses is a typo (`{modle}` for `{model}`), and one named as a builtin
 * would hide it. */
static int check_open_params(bhost_ctx *ctx, const struct point_vars *pv)
{
    for (size_t i = 0; i < pv->nopen; i++) {
        for (size_t k = 0; k < BUILTINS; k++)
            if (strcmp(pv->names[i], builtin_names[k]) == 0)
                return bhost_fail(ctx, "parameter '%s': {%s} is exec's own (the point's); "
                                  "name the parameter otherwise", pv->names[i], pv->names[i]);
        if (pv->used[i])
            continue;
        const char *declared[16];
        size_t ndeclared = 0;
        for (uint32_t k = 0; k < BHOST_ENTRY_SYMBOL.param_count && ndeclared < 16; k++)
            declared[ndeclared++] = BHOST_ENTRY_SYMBOL.params[k].name;
        const char *near = closest_word(pv->names[i], strlen(pv->names[i]), declared,
                                        ndeclared);
        if (!near) /* a {name} the commands mistyped instead? */
            near = closest_word(pv->names[i], strlen(pv->names[i]), pv->names, pv->nopen);
        if (near && strcmp(near, pv->names[i]) != 0)
            return bhost_fail(ctx, "parameter '%s' is given, but no {%s} in command, prepare, "
                              "setup, cleanup, env or cwd uses it (did you mean '%s'?)",
                              pv->names[i], pv->names[i], near);
        return bhost_fail(ctx, "parameter '%s' is given, but no {%s} in command, prepare, "
                          "setup, cleanup, env or cwd uses it", pv->names[i], pv->names[i]);
    }
    return BHOST_OK;
}

/* The argv of one command parameter: its words, or /bin/sh -c LINE. NULL with `err` set, or
 * NULL with err "" for an empty parameter. */
static char **command_argv(const char *text, int shell, const struct vars *vars, char *err,
                           size_t errlen)
{
    err[0] = '\0';
    if (!text || strspn(text, " \t\r\n") == strlen(text))
        return NULL;
    if (!shell) {
        char **argv = words_split(text, vars, err, errlen);
        if (argv && !argv[0]) {
            words_free(argv);
            snprintf(err, errlen, "no words in '%s'", text);
            return NULL;
        }
        return argv;
    }
    char *line = vars_substitute(text, vars, err, errlen);
    if (!line)
        return NULL;
    char **argv = calloc(4, sizeof(*argv));
    if (argv) {
        argv[0] = strdup("/bin/sh");
        argv[1] = strdup("-c");
        argv[2] = line;
        if (argv[0] && argv[1])
            return argv;
    }
    words_free(argv);
    snprintf(err, errlen, "out of memory");
    return NULL;
}

static int env_name_ok(const char *word)
{
    const char *eq = strchr(word, '=');
    if (!eq || eq == word)
        return 0;
    for (const char *c = word; c < eq; c++)
        if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
              (c > word && *c >= '0' && *c <= '9')))
            return 0;
    return 1;
}

static int is_overridden(const char *entry, char *const *env)
{
    size_t n = strcspn(entry, "=");
    if (n == 8 && strncmp(entry, "BHOST_FD", 8) == 0)
        return 1;
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], entry, n) == 0 && env[i][n] == '=')
            return 1;
    return 0;
}

/* bhost's environment, less what `env` sets, plus `env` and BHOST_FD. */
static char **build_envp(char **env)
{
    size_t have = 0, add = words_count(env), n = 0;
    while (environ && environ[have])
        have++;
    char **envp = calloc(have + add + 2, sizeof(*envp));
    if (!envp)
        return NULL;
    for (size_t i = 0; i < have; i++)
        if (!is_overridden(environ[i], env) && !(envp[n++] = strdup(environ[i])))
            goto oom;
    for (size_t i = 0; i < add; i++)
        if (!(envp[n++] = strdup(env[i])))
            goto oom;
    if (!(envp[n] = malloc(16)))
        goto oom;
    snprintf(envp[n], 16, "BHOST_FD=%d", SPAWN_PROTOCOL_FD);
    return envp;
oom:
    words_free(envp);
    return NULL;
}

/* Parses every text parameter; the shared part of check() and setup(). */
static int parse_params(bhost_ctx *ctx, const struct vars *vars, struct exec *e)
{
    char err[512];
    int shell = bhost_param_bool(ctx, "shell");
    struct { const char *param; struct cmd *cmd; } cmds[] = {
        {"command", &e->command}, {"prepare", &e->prepare},
        {"setup", &e->setup}, {"cleanup", &e->cleanup}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        cmds[i].cmd->argv = command_argv(bhost_param_str(ctx, cmds[i].param), shell, vars, err,
                                         sizeof err);
        if (!cmds[i].cmd->argv && err[0])
            return bhost_fail(ctx, "%s: %s", cmds[i].param, err);
    }
    if (!e->command.argv)
        return bhost_fail(ctx, "command: empty: give the command to run");
    char **env = words_split(bhost_param_str(ctx, "env"), vars, err, sizeof err);
    if (!env)
        return bhost_fail(ctx, "env: %s", err);
    for (size_t i = 0; env[i]; i++)
        if (!env_name_ok(env[i])) {
            bhost_fail(ctx, "env: '%s' is not NAME=VALUE", env[i]);
            words_free(env);
            return BHOST_FAIL;
        } else if (strncmp(env[i], "BHOST_FD=", 9) == 0) {
            /* The command would find two, and read the first. */
            bhost_fail(ctx, "env: '%s': BHOST_FD is the protocol's descriptor, set by exec",
                       env[i]);
            words_free(env);
            return BHOST_FAIL;
        }
    e->envp = build_envp(env);
    words_free(env);
    e->cwd = vars_substitute(bhost_param_str(ctx, "cwd"), vars, err, sizeof err);
    if (!e->cwd)
        return bhost_fail(ctx, "cwd: %s", err);
    if (!e->envp)
        return bhost_fail(ctx, "out of memory");
    e->timeout_s = bhost_param_float(ctx, "iteration_timeout");
    return BHOST_OK;
}

static void exec_free(struct exec *e)
{
    runner_close(&e->runner);
    struct cmd *cmds[] = {&e->command, &e->prepare, &e->setup, &e->cleanup};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        words_free(cmds[i]->argv);
        free(cmds[i]->path);
    }
    words_free(e->envp);
    free(e->cwd);
    free(e);
}

/* Runs one command; NULL, or why it failed (what went wrong and stderr's tail) in `why`. */
static const char *run_one(bhost_ctx *ctx, struct exec *e, const struct cmd *cmd, int end_group,
                           int64_t *ns, char *why, size_t n)
{
    struct outcome out;
    char status[200], tail[400];
    protocol_start(&e->proto, ctx);
    runner_run(&e->runner, cmd->path, cmd->argv, e->timeout_s, end_group, &e->proto, &out);
    if (ns)
        *ns = out.ns;
    const char *failure = outcome_failure(&out, e->timeout_s, status, sizeof status);
    const char *bad_line = protocol_error(&e->proto);
    if (!failure && !bad_line)
        return NULL;
    runner_tail(&e->runner, tail, sizeof tail);
    snprintf(why, n, "%s%s%s", failure ? failure : bad_line, tail[0] ? "; stderr: " : "", tail);
    return why;
}

static struct exec *exec_new(void)
{
    struct exec *e = calloc(1, sizeof(*e));
    if (e)
        e->runner = (struct runner){.null_fd = -1, .proto_r = -1, .proto_w = -1, .err_r = -1,
                                    .err_w = -1};
    return e;
}

static int exec_check(bhost_ctx *ctx)
{
    struct point_vars pv;
    if (point_vars_fill(ctx, &pv, 0) != BHOST_OK)
        return BHOST_FAIL;
    struct exec *e = exec_new();
    int rc = e ? parse_params(ctx, &pv.vars, e) : bhost_fail(ctx, "out of memory");
    if (rc == BHOST_OK)
        rc = check_open_params(ctx, &pv);
    if (e)
        exec_free(e);
    point_vars_free(&pv);
    return rc;
}

static int exec_setup(bhost_ctx *ctx, void **state)
{
    struct point_vars pv;
    if (point_vars_fill(ctx, &pv, 1) != BHOST_OK)
        return BHOST_FAIL;
    struct exec *e = exec_new();
    if (!e) {
        point_vars_free(&pv);
        return bhost_fail(ctx, "out of memory");
    }
    char err[300], why[700];
    struct stat st;
    int rc = parse_params(ctx, &pv.vars, e);
    point_vars_free(&pv);
    errno = 0;
    if (rc == BHOST_OK && *e->cwd && (stat(e->cwd, &st) < 0 || !S_ISDIR(st.st_mode)))
        rc = bhost_fail(ctx, "cwd '%s': %s", e->cwd,
                        errno ? strerror(errno) : "not a directory");
    struct { const char *param; struct cmd *cmd; } cmds[] = {
        {"command", &e->command}, {"prepare", &e->prepare},
        {"setup", &e->setup}, {"cleanup", &e->cleanup}};
    for (size_t i = 0; rc == BHOST_OK && i < sizeof cmds / sizeof cmds[0]; i++)
        if (cmds[i].cmd->argv && !(cmds[i].cmd->path = path_resolve(cmds[i].cmd->argv[0])))
            rc = bhost_fail(ctx, "%s: '%s' is not in PATH", cmds[i].param, cmds[i].cmd->argv[0]);
    if (rc == BHOST_OK && runner_open(&e->runner, e->envp, e->cwd, err, sizeof err) < 0)
        rc = bhost_fail(ctx, "%s", err);
    /* What setup starts in the background may stay for the point: cleanup ends it. */
    if (rc == BHOST_OK && e->setup.argv && run_one(ctx, e, &e->setup, 0, NULL, why, sizeof why))
        rc = bhost_fail(ctx, "setup: %s", why);
    if (rc != BHOST_OK) {
        exec_free(e);
        return rc;
    }
    *state = e;
    return BHOST_OK;
}

static int exec_iterate(bhost_ctx *ctx, void *state)
{
    struct exec *e = state;
    int64_t ns = 0;
    char why[700];
    if (e->prepare.argv && run_one(ctx, e, &e->prepare, 1, NULL, why, sizeof why))
        return bhost_fail(ctx, "prepare: %s", why);
    const char *failed = run_one(ctx, e, &e->command, 1, &ns, why, sizeof why);
    bhost_set_iteration_time(ctx, ns);
    return failed ? bhost_fail(ctx, "%s", why) : BHOST_OK;
}

static void exec_teardown(bhost_ctx *ctx, void *state)
{
    struct exec *e = state;
    char why[700];
    if (e->cleanup.argv && run_one(ctx, e, &e->cleanup, 1, NULL, why, sizeof why))
        bhost_log(ctx, BHOST_LOG_ERROR, "cleanup: %s", why);
    exec_free(e);
}

static const struct bhost_param params[] = {
    { .name = "command", .type = BHOST_STRING,
      .doc = "what each iteration runs: words as a shell splits them (no expansion), "
             "{name} for the spec's parameter `name`, {seed}, {point_id}, {scratch}" },
    { .name = "shell", .type = BHOST_BOOL, .def = "false",
      .doc = "run command, prepare, setup and cleanup as /bin/sh -c LINE" },
    { .name = "env", .type = BHOST_STRING, .def = "",
      .doc = "NAME=VALUE words added to bhost's environment" },
    { .name = "cwd", .type = BHOST_STRING, .def = "",
      .doc = "the commands' working directory (default: bhost's)" },
    { .name = "prepare", .type = BHOST_STRING, .def = "",
      .doc = "run before every iteration, untimed (hyperfine --prepare)" },
    { .name = "setup", .type = BHOST_STRING, .def = "",
      .doc = "run once before the point's first iteration (hyperfine --setup)" },
    { .name = "cleanup", .type = BHOST_STRING, .def = "",
      .doc = "run once after the point's last iteration (hyperfine --cleanup)" },
    { .name = "iteration_timeout", .type = BHOST_FLOAT, .def = "0", .min = "0", .max = "86400",
      .unit = "s", .doc = "kill a command (and its process group) running longer; 0: never" },
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "exec",
    .version = "1.0",
    .summary = "runs a command per iteration, timed from spawn to exit",
    .doc = "The command reports counters, gauges and histogram values as lines on the "
           "descriptor $BHOST_FD: 'counter NAME VALUE', 'gauge NAME VALUE', "
           "'record HISTOGRAM VALUE_NS'. A non-zero exit, a signal, a timeout or a bad "
           "line fails the iteration, with stderr's tail. Any parameter the spec gives "
           "besides these is the commands' {name} (docs/experiments/exec.md).",
    BHOST_PARAMS(params),
    .flags = BHOST_MANUAL_TIME | BHOST_ONE_THREAD | BHOST_OPEN_PARAMS,
    .setup = exec_setup,
    .iterate = exec_iterate,
    .teardown = exec_teardown,
    .check = exec_check,
};
