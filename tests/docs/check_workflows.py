#!/usr/bin/env python3
"""check_workflows.py BHOST FILE...: the CI examples in docs/examples/ are
valid YAML, are the kind of file they claim to be (a GitHub Actions workflow
or a GitLab CI file), and name only bhost commands and options that exist.

Every shell line of every step that runs bhost (`bhost ...` or
`build/host/bhost ...`, line continuations joined) is split as the shell
would; its command must be one `bhost --help` lists, and each option one
that `bhost --help` or `bhost COMMAND --help` shows. Exit 0, or 1 with one
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


def main(bhost, files):
    general = help_text(bhost)
    commands = commands_of(general)
    if "run" not in commands:
        print("check_workflows: could not read the commands from `%s --help`" % bhost)
        return 1
    general_options = options_in(general)
    problems, seen = [], 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if not isinstance(doc, dict):
            problems.append("%s: not a YAML mapping" % path)
            continue
        if "jobs" in doc and ("on" in doc or True in doc):  # PyYAML reads `on:` as True
            scripts = list(shell_scripts_github(doc))
        elif "stages" in doc:
            scripts = list(shell_scripts_gitlab(doc))
        else:
            problems.append("%s: neither a GitHub Actions workflow (on:, jobs:) nor a GitLab "
                            "CI file (stages:)" % path)
            continue
        for where, script in scripts:
            for args in bhost_invocations(script):
                seen += 1
                command = next((a for a in args if not a.startswith("-")), None)
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
