#!/usr/bin/env node
// check_hlog_js.mjs RUN.HLOG RESULTS.JSON — reads a run's interval log with
// the npm package hdr-histogram-js (its HistogramLogReader, as a JavaScript
// user would: no options) and checks every interval against what
// results.json says of that point's histogram and repetition: the total
// count, min, max, the percentiles p50 to p99.99, the mean, and where the
// interval starts. Every repetition of results.json must come out of the log
// once, under the tag run.hlog gives it, and listTags must list those tags.
// Exit status 0 if all holds, 1 with the reason otherwise.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { CheckFailed, check, installedPackage, nodeDir } from "./browser.mjs";

function main() {
  const [logFile, resultsFile] = process.argv.slice(2);
  check(logFile && resultsFile, "usage: check_hlog_js.mjs RUN.HLOG RESULTS.JSON");
  installedPackage("hdr-histogram-js");
  const hdr = createRequire(path.join(nodeDir, "package.json"))("hdr-histogram-js");
  const results = JSON.parse(fs.readFileSync(resultsFile, "utf8"));
  const text = fs.readFileSync(logFile, "utf8");

  // Every repetition results.json holds, by the tag run.hlog gives it.
  const escape = (s) => Array.from(Buffer.from(s, "utf8"))
    .map((b) => (/[A-Za-z0-9._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b)
      : "%" + b.toString(16).toUpperCase().padStart(2, "0")))
    .join("");
  const expected = new Map();
  for (const point of results.points) {
    for (const [name, histogram] of Object.entries(point.histograms ?? {})) {
      (histogram.repetitions ?? []).forEach((rep, i) => {
        expected.set(`${escape(point.id)}/${escape(name)}/${i + 1}`, { point, name, rep });
      });
    }
  }
  check(expected.size > 0, `${resultsFile} holds no repetitions`);
  const tags = hdr.listTags(text);
  check(tags.length === expected.size && tags.every((tag) => expected.has(tag)),
    `listTags gives ${tags.length} tags (${tags.slice(0, 4).join(", ")}...), results.json has ` +
    `${expected.size} repetitions`);

  const startTime = Date.parse(results.run.started_utc) / 1000;
  const reader = new hdr.HistogramLogReader(text);
  const seen = new Set();
  let histogram;
  while ((histogram = reader.nextIntervalHistogram()) !== null) {
    const tag = histogram.tag;
    const want = expected.get(tag);
    check(want, `the interval tagged '${tag}' is not a repetition of results.json`);
    check(!seen.has(tag), `the tag '${tag}' comes twice`);
    seen.add(tag);
    const { rep } = want;
    const what = `${tag} (${want.point.label}, ${want.name})`;
    const same = (figure, got, wanted) =>
      check(got === wanted, `${what}: hdr-histogram-js reads ${figure} ${got}, results.json says ${wanted}`);
    same("count", histogram.totalCount, rep.count);
    same("max", histogram.maxValue, rep.max);
    if (rep.min > 0) {
      same("min", histogram.minNonZeroValue, rep.min);
    }
    const percentiles = [[50, "p50"], [75, "p75"], [90, "p90"], [95, "p95"], [99, "p99"],
      [99.9, "p99_9"], [99.99, "p99_99"]];
    for (const [p, key] of percentiles) {
      if (key in rep) {
        same(key, histogram.getValueAtPercentile(p), rep[key]);
      }
    }
    check(Math.abs(histogram.mean - rep.mean) <= 1e-9 * Math.max(1, Math.abs(rep.mean)),
      `${what}: hdr-histogram-js reads mean ${histogram.mean}, results.json says ${rep.mean}`);
    // run.hlog places the repetition where it started, relative to the run's start.
    if (typeof rep.started_unix_s === "number") {
      const startedMs = rep.started_unix_s * 1000;
      check(Math.abs(histogram.startTimeStampMsec - startedMs) < 1,
        `${what}: starts at ${histogram.startTimeStampMsec} ms, results.json at ${startedMs} ms`);
    }
    check(reader.startTimeSec === startTime, `StartTime ${reader.startTimeSec}, run started at ${startTime}`);
  }
  check(seen.size === expected.size,
    `hdr-histogram-js read ${seen.size} intervals, results.json has ${expected.size} repetitions`);
  console.log(`check_hlog_js: ok, ${seen.size} intervals of ${results.points.length} points read by ` +
    `hdr-histogram-js as results.json reports them`);
}

try {
  main();
} catch (error) {
  const reason = error instanceof CheckFailed ? error.message : error.stack;
  console.error(`check_hlog_js: FAIL: ${reason}`);
  process.exit(1);
}
