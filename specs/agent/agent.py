#!/usr/bin/env python3
"""A small, deterministic agent loop for specs/agent_goals.yaml.

The seed task's agent benchmark (nanoagent: iterations, tokens, API calls and
time per goal, against efficiency criteria) done without a network or a model:
a scripted planner decomposes each goal into tool steps, the loop runs them one
per iteration, and every "API call" is counted with tokens estimated from the
text it would send and receive (4 characters a token), so the figures depend on
the goal alone and are the same on every run.

    python3 specs/agent/agent.py GOAL [--max-iterations N]
    python3 specs/agent/agent.py --list

It reports through bhost's exec line protocol (lines on the descriptor
$BHOST_FD; without it, on stdout):
    gauge iterations N, gauge tokens N, gauge api_calls N,
    gauge completed 0|1, gauge stopped 0|1 (stopped at max_iterations),
    gauge answer_ok 0|1, record plan NS and record tool NS per iteration,
    record agent_run NS for the whole loop.
A wrong final answer exits 1 (a failed iteration in bhost), with the reason on stderr.
"""
import math
import os
import sys
import time

SYSTEM_PROMPT = (
    "You are a careful agent. Break the goal into steps, call one tool per step, "
    "read each observation, and give FINAL ANSWER when the goal is met. Tools: "
    "calc(expr), primes(lo, hi), fib(n), collatz(n), stats(values)."
)


def primes(lo, hi):
    return [n for n in range(max(lo, 2), hi + 1) if all(n % d for d in range(2, math.isqrt(n) + 1))]


def fib(n):
    out = [0, 1]
    while len(out) < n:
        out.append(out[-1] + out[-2])
    return out[:n]


def collatz_len(n):
    steps = 1
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


# Each step: (what the planner says, the tool call as text, the work it does on the memory).
GOALS = {
    # Simple: one tool call, then the answer.
    "add": {"level": "simple", "text": "What is 5 + 3?", "expect": 8,
            "steps": [("add the numbers", "calc(5 + 3)", lambda m: 5 + 3)]},
    "multiply": {"level": "simple", "text": "What is 12 * 7?", "expect": 84,
                 "steps": [("multiply", "calc(12 * 7)", lambda m: 12 * 7)]},
    "percent": {"level": "simple", "text": "What is 15% of 360?", "expect": 54,
                "steps": [("take 15 percent", "calc(0.15 * 360)", lambda m: round(0.15 * 360))]},
    "square_root": {"level": "simple", "text": "What is the square root of 144?", "expect": 12,
                    "steps": [("take the root", "calc(sqrt(144))", lambda m: math.isqrt(144))]},
    # Multi-step: a few dependent calls.
    "sum_of_squares": {
        "level": "multi_step", "text": "Calculate the sum of squares from 1 to 10", "expect": 385,
        "steps": [("list 1..10", "calc(range(1, 11))", lambda m: list(range(1, 11))),
                  ("square each", "calc([x*x for x in last])", lambda m: [x * x for x in m[-1]]),
                  ("sum them", "calc(sum(last))", lambda m: sum(m[-1]))]},
    "percent_chain": {
        "level": "multi_step",
        "text": "Calculate 15% of 360, multiply by 2, then subtract 50", "expect": 58,
        "steps": [("15 percent of 360", "calc(0.15 * 360)", lambda m: round(0.15 * 360)),
                  ("double it", "calc(last * 2)", lambda m: m[-1] * 2),
                  ("subtract 50", "calc(last - 50)", lambda m: m[-1] - 50)]},
    "count_squares": {
        "level": "multi_step", "text": "Count from 1 to 5, squaring each number",
        "expect": [1, 4, 9, 16, 25],
        "steps": [("square %d" % i, "calc(%d * %d)" % (i, i),
                   (lambda i: lambda m: (m[-1] if m else []) + [i * i])(i)) for i in range(1, 6)]},
    "average": {
        "level": "multi_step", "text": "What is the average of 4, 8, 15, 16, 23 and 42?",
        "expect": 18,
        "steps": [("sum the values", "calc(4+8+15+16+23+42)", lambda m: 4 + 8 + 15 + 16 + 23 + 42),
                  ("divide by the count", "calc(last / 6)", lambda m: m[-1] // 6)]},
    # Complex: more steps, longer observations.
    "sum_primes": {
        "level": "complex", "text": "Find the prime numbers between 1 and 50, then sum them",
        "expect": 328,
        "steps": [("primes in 1..25", "primes(1, 25)", lambda m: primes(1, 25)),
                  ("primes in 26..50", "primes(26, 50)", lambda m: primes(26, 50)),
                  ("join both lists", "calc(a + b)", lambda m: m[-2] + m[-1]),
                  ("check each is prime", "primes(1, 50) == last",
                   lambda m: m[-1] if primes(1, 50) == m[-1] else None),
                  ("sum them", "calc(sum(last))", lambda m: sum(m[-1]))]},
    "even_fibonacci": {
        "level": "complex", "text": "List the first 15 Fibonacci numbers, keep the even ones, sum them",
        "expect": 188,
        "steps": [("first 15 Fibonacci numbers", "fib(15)", lambda m: fib(15)),
                  ("keep the even ones", "calc([x for x in last if x % 2 == 0])",
                   lambda m: [x for x in m[-1] if x % 2 == 0]),
                  ("sum them", "calc(sum(last))", lambda m: sum(m[-1]))]},
    "longest_collatz": {
        "level": "complex", "text": "Which start below 30 has the longest Collatz chain?",
        "expect": 27,
        "steps": [("chains of %d..%d" % (lo, lo + 9), "collatz(range(%d, %d))" % (lo, lo + 10),
                   (lambda lo: lambda m: (m[-1] if m else {}) |
                    {n: collatz_len(n) for n in range(max(lo, 1), min(lo + 10, 30))})(lo))
                  for lo in (0, 10, 20)]
                 + [("pick the longest", "calc(argmax(last))", lambda m: max(m[-1], key=m[-1].get))]},
    "prime_stats": {
        "level": "complex", "text": "Mean, median and standard deviation of the primes below 100",
        "expect": [42.4, 41, 29.0],
        "steps": [("primes below 100", "primes(1, 99)", lambda m: primes(1, 99)),
                  ("their mean", "stats(mean)", lambda m: round(sum(m[-1]) / len(m[-1]), 1)),
                  ("their median", "stats(median)", lambda m: sorted(m[-2])[len(m[-2]) // 2]),
                  ("their standard deviation", "stats(stdev)",
                   lambda m: round(math.sqrt(sum((x - m[-2]) ** 2 for x in m[-3]) / len(m[-3])))),
                  ("collect the figures", "calc([mean, median, stdev])",
                   lambda m: [m[-3], m[-2], float(m[-1])])]},
}


class Runaway:
    """A goal that is never met: the planner refines pi forever, one more term a step."""

    def __getitem__(self, i):
        return ("add term %d of the series" % (i + 1), "calc(series(%d))" % (i + 1),
                lambda m: (m[-1] if m else 0) + 4 * (-1) ** i / (2 * i + 1))


GOALS["exact_pi"] = {"level": "runaway", "text": "Refine pi until the estimate is exact",
                     "expect": math.pi, "steps": Runaway()}


def tokens(text):
    return (len(text) + 3) // 4


def run(goal, max_iterations, out):
    g = GOALS[goal]
    steps = g["steps"]
    finite = isinstance(steps, list)
    memory, history = [], []
    figures = {"iterations": 0, "tokens": 0, "api_calls": 0}
    answer, status = None, "max_iterations"
    started = time.perf_counter_ns()
    while figures["iterations"] < max_iterations:
        i = figures["iterations"]
        figures["iterations"] += 1
        t0 = time.perf_counter_ns()
        prompt = "\n".join([SYSTEM_PROMPT, "GOAL: " + g["text"]] + history)
        done = finite and i == len(steps)
        if done:
            reply = "THOUGHT: the goal is met. FINAL ANSWER: %r" % (memory[-1],)
        else:
            thought, call, _ = steps[i]
            reply = "THOUGHT: %s. ACTION: %s" % (thought, call)
        figures["api_calls"] += 1
        figures["tokens"] += tokens(prompt) + tokens(reply)
        t1 = time.perf_counter_ns()
        out.write("record plan %d\n" % (t1 - t0))
        if done:
            answer, status = memory[-1], "completed"
            break
        memory.append(steps[i][2](memory))
        history += [reply, "OBSERVATION: %r" % (memory[-1],)]
        out.write("record tool %d\n" % (time.perf_counter_ns() - t1))
    out.write("record agent_run %d\n" % (time.perf_counter_ns() - started))
    answer_ok = status == "completed" and answer == g["expect"]
    for name in ("iterations", "tokens", "api_calls"):
        out.write("gauge %s %d\n" % (name, figures[name]))
    out.write("gauge completed %d\n" % (status == "completed"))
    out.write("gauge stopped %d\n" % (status == "max_iterations"))
    out.write("gauge answer_ok %d\n" % answer_ok)
    out.flush()
    if status == "completed" and not answer_ok:
        print("%s: answered %r, expected %r" % (goal, answer, g["expect"]), file=sys.stderr)
        return 1
    if status == "max_iterations":
        print("%s: stopped at max_iterations=%d, not met" % (goal, max_iterations), file=sys.stderr)
    return 0


def main(argv):
    if argv[1:] == ["--list"]:
        for name, g in GOALS.items():
            print("%-16s %-10s %s" % (name, g["level"], g["text"]))
        return 0
    max_iterations = 20
    args = argv[1:]
    if len(args) == 3 and args[1] == "--max-iterations":
        max_iterations = int(args[2])
        args = args[:1]
    if len(args) != 1 or args[0] not in GOALS:
        print("usage: agent.py GOAL [--max-iterations N] | --list (goals: %s)"
              % ", ".join(GOALS), file=sys.stderr)
        return 2
    fd = os.environ.get("BHOST_FD")
    out = os.fdopen(int(fd), "w") if fd else sys.stdout
    return run(args[0], max_iterations, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
