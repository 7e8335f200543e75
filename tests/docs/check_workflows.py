#!/usr/bin/env python3
"""check_workflows.py BHOST FILE...: the CI examples in docs/examples/ are
valid YAML, are the kind of file they claim to be (a GitHub Actions workflow,
a GitLab CI file or Kubernetes manifests), and name only bhost commands and
options that exist.

Every shell line of every step that runs bhost (`bhost ...` or
`build/host/bhost ...`, line continuations joined) is split as the shell
would; its command must be one `bhost --help` lists, and each option one
that `bhost --help` or `bhost COMMAND --help` shows. In Kubernetes
manifests, a container's command and args are the command line (or, for
`sh -c`, its script).

A file that runs `bhost run --shard` is a scale-out example
(docs/scale-out.md), and must split the way its engine does: in GitHub
Actions the job has a strategy.matrix; in GitLab CI it has `parallel:`; in
Kubernetes it is a Job with completionMode Indexed, completions and
parallelism, `--shard auto/N` with N its completions, `--out` naming
$(JOB_COMPLETION_INDEX), and the run directories on a PersistentVolumeClaim.
And some file checked with it must run `bhost merge`. Exit 0, or 1 with one
line per problem naming the file and the step.
"""
import re
import shlex
import subprocess
import sys

import yaml


def help_text(bhost, *args):
    p = subprocess.run([bhost, *args, "--help"], capture_output=True, text=True)
    return p.stdout + p.stderr


def commands_of(general_help):
    """The commands `bhost --help` lists: the first word of each line under "commands:"."""
    names, inside = set(), False
    for line in general_help.splitlines():
        if line.startswith("commands:"):
            inside = True
            continue
        if inside and line and not line.startswith(" "):
            break
        m = re.match(r"^  ([a-z][a-z-]*)\b", line)
        if inside and m:
            names.add(m.group(1))
    return names


def options_in(text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b", text))


def shell_scripts_github(doc):
    for job_name, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            if isinstance(step, dict) and isinstance(step.get("run"), str):
                yield "jobs.%s.steps[%d]" % (job_name, i), step["run"]


def shell_scripts_gitlab(doc):
    for job_name, job in doc.items():
        if not isinstance(job, dict):
            continue
        for key in ("before_script", "script", "after_script"):
            lines = job.get(key)
            if isinstance(lines, str):
                lines = [lines]
            for i, line in enumerate(lines or []):
                if isinstance(line, str):
                    yield "%s.%s[%d]" % (job_name, key, i), line


def k8s_containers(docs):
    """(where, job, container) for each container of each Job in the documents."""
    for d, doc in enumerate(docs):
        if not isinstance(doc, dict) or doc.get("kind") != "Job":
            continue
        pod = ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
        for key in ("initContainers", "containers"):
            for c in pod.get(key) or []:
                if isinstance(c, dict):
                    yield ("document %d (Job %s).%s.%s" %
                           (d + 1, (doc.get("metadata") or {}).get("name"), key, c.get("name")),
                           doc, c)


def k8s_scripts(docs):
    """Each container's command line, as a shell script or as argument words."""
    for where, job, c in k8s_containers(docs):
        words = [str(w) for w in (c.get("command") or []) + (c.get("args") or [])]
        if len(words) >= 3 and words[0] in ("sh", "bash", "/bin/sh", "/bin/bash") \
                and words[1] == "-c":
            yield where, job, words[2], None
        else:
            yield where, job, None, words


def bhost_invocations(script):
    """Each bhost command line in a shell script, as argument lists (after `bhost`)."""
    joined = re.sub(r"\\\n\s*", " ", script)
    for line in joined.splitlines():
        line = line.split(" #", 1)[0]
        for part in re.split(r"&&|\|\||;|\|", line):
            try:
                words = shlex.split(part)
            except ValueError:
                continue
            for k, w in enumerate(words):
                if w == "bhost" or w.endswith("/bhost"):
                    yield words[k + 1:]
                    break


def shard_value(args):
    """The value of --shard in a bhost command line, or None."""
    for k, a in enumerate(args):
        if a == "--shard" and k + 1 < len(args):
            return args[k + 1]
        if a.startswith("--shard="):
            return a.split("=", 1)[1]
    return None


def out_value(args):
    for k, a in enumerate(args):
        if a == "--out" and k + 1 < len(args):
            return args[k + 1]
        if a.startswith("--out="):
            return a.split("=", 1)[1]
    return None


def check_k8s_shard(path, where, job, container, args):
    """A Kubernetes Job that runs a shard: an Indexed Job that fits its --shard."""
    problems = []
    spec = job.get("spec") or {}
    if spec.get("completionMode") != "Indexed":
        problems.append("%s: %s: runs --shard but is not an Indexed Job (completionMode: "
                        "Indexed)" % (path, where))
    completions = spec.get("completions")
    if not isinstance(completions, int) or not isinstance(spec.get("parallelism"), int):
        problems.append("%s: %s: an Indexed Job needs completions and parallelism" %
                        (path, where))
    shard = shard_value(args) or ""
    m = re.fullmatch(r"auto/(\d+)", shard)
    if not m or int(m.group(1)) != completions:
        problems.append("%s: %s: --shard %s: an Indexed Job of %s completions runs "
                        "--shard auto/%s" % (path, where, shard, completions, completions))
    if "$(JOB_COMPLETION_INDEX)" not in (out_value(args) or ""):
        problems.append("%s: %s: --out must name $(JOB_COMPLETION_INDEX): each shard its own "
                        "run directory" % (path, where))
    pod = (spec.get("template") or {}).get("spec") or {}
    claims = {v.get("name") for v in pod.get("volumes") or []
              if isinstance(v, dict) and v.get("persistentVolumeClaim")}
    mounts = {m.get("name") for m in container.get("volumeMounts") or [] if isinstance(m, dict)}
    if not claims & mounts:
        problems.append("%s: %s: the shards' run directories must be on a shared "
                        "PersistentVolumeClaim mounted in the container" % (path, where))
    return problems


def main(bhost, files):
    general = help_text(bhost)
    commands = commands_of(general)
    if "run" not in commands:
        print("check_workflows: could not read the commands from `%s --help`" % bhost)
        return 1
    general_options = options_in(general)
    problems, seen, sharded, merged = [], 0, [], False
    for path in files:
        with open(path, encoding="utf-8") as f:
            docs = list(yaml.safe_load_all(f))
        doc = docs[0] if len(docs) == 1 else None
        # (where, argument lists, the job) for every place that runs bhost.
        runs = []
        if doc is not None and isinstance(doc, dict) and "jobs" in doc and \
                ("on" in doc or True in doc):  # PyYAML reads `on:` as True
            for where, script in shell_scripts_github(doc):
                job = doc["jobs"][where.split(".")[1]]
                runs.append((where, list(bhost_invocations(script)), job, "github"))
        elif doc is not None and isinstance(doc, dict) and "stages" in doc:
            for where, script in shell_scripts_gitlab(doc):
                job = doc[where.split(".")[0]]
                runs.append((where, list(bhost_invocations(script)), job, "gitlab"))
        elif docs and all(isinstance(d, dict) and "apiVersion" in d and "kind" in d
                          for d in docs):
            for where, job, script, words in k8s_scripts(docs):
                if script is not None:
                    found = list(bhost_invocations(script))
                else:
                    k = next((k for k, w in enumerate(words)
                              if w == "bhost" or w.endswith("/bhost")), None)
                    found = [words[k + 1:]] if k is not None else []
                containers = [c for w, j, c in k8s_containers(docs) if w == where]
                runs.append((where, found, (job, containers[0]), "k8s"))
        else:
            problems.append("%s: neither a GitHub Actions workflow (on:, jobs:), a GitLab CI "
                            "file (stages:) nor Kubernetes manifests (apiVersion:, kind:)" % path)
            continue
        for where, invocations, job, kind in runs:
            for args in invocations:
                seen += 1
                command = next((a for a in args if not a.startswith("-")), None)
                merged |= command == "merge"
                if command == "run" and shard_value(args) is not None:
                    sharded.append(path)
                    if kind == "github" and not (job.get("strategy") or {}).get("matrix"):
                        problems.append("%s: %s: runs --shard outside a strategy.matrix" %
                                        (path, where))
                    if kind == "gitlab" and not job.get("parallel"):
                        problems.append("%s: %s: runs --shard in a job without parallel:" %
                                        (path, where))
                    if kind == "k8s":
                        problems += check_k8s_shard(path, where, job[0], job[1], args)
                if command not in commands:
                    problems.append("%s: %s: `bhost %s`: no such command" %
                                    (path, where, " ".join(args)))
                    continue
                known = general_options | options_in(help_text(bhost, command))
                for a in args:
                    opt = a.split("=", 1)[0]
                    if opt.startswith("-") and opt != "-" and opt not in known:
                        problems.append("%s: %s: `bhost %s`: bhost %s has no option %s" %
                                        (path, where, " ".join(args), command, opt))
    if sharded and not merged:
        problems.append("%s: runs shards, but no file checked with it runs bhost merge" %
                        ", ".join(sorted(set(sharded))))
    for p in problems:
        print(p)
    if seen == 0:
        print("check_workflows: no bhost command found in %s" % ", ".join(files))
        return 1
    if not problems:
        print("check_workflows: %d bhost command lines in %d files, every command and "
              "option exists" % (seen, len(files)))
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: check_workflows.py BHOST FILE...")
    sys.exit(main(sys.argv[1], sys.argv[2:]))
