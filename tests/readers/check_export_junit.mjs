#!/usr/bin/env node
// check_export_junit.mjs JUNIT.xml RESULTS.json — a bhost export --format junit
// file read back with npm's junit2json (the package scripts/install-deps.sh
// puts in BHOST_TEST_NODE_DIR): the suites' counts of tests, failures, errors
// and skips, and each test case's name, class, outcome and reason, against the
// run's results.json (a test case per point, then one per gate outcome).
// Exit 0 if all holds, 1 with the reason otherwise.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CheckFailed, check, installedPackage } from "./browser.mjs";

function fail(message) {
  console.error(`check_export_junit: FAIL: ${message}`);
  process.exit(1);
}

// junit2json reads attributes that look like numbers as numbers: compare as text.
const text = (v) => (v === undefined ? undefined : String(v));

function expectCounts(what, suite, want) {
  for (const [key, value] of Object.entries(want)) {
    check(suite[key] === value, `${what}: ${key}="${suite[key]}", results.json makes it ${value}`);
  }
}

// The one failure, error or skip element a test case has, checked against `want`
// ({element, message, type}), or none when want is null.
function expectOutcome(what, testcase, want) {
  for (const element of ["failure", "error", "skipped"]) {
    const got = testcase[element] ?? [];
    if (!want || want.element !== element) {
      check(got.length === 0, `${what}: an unexpected <${element}>: ${JSON.stringify(got)}`);
      continue;
    }
    check(got.length === 1, `${what}: ${got.length} <${element}> elements, not 1`);
    check(text(got[0].message) === want.message,
      `${what}: <${element}> message ${JSON.stringify(got[0].message)}, not ${JSON.stringify(want.message)}`);
    if (want.type) {
      check(got[0].type === want.type, `${what}: <${element}> type ${got[0].type}, not ${want.type}`);
      check(got[0].inner.includes(want.message), `${what}: <${element}> text ${JSON.stringify(got[0].inner)}`);
    }
  }
}

async function main() {
  const [xmlFile, resultsFile] = process.argv.slice(2);
  if (!resultsFile) {
    console.error("usage: check_export_junit.mjs JUNIT.xml RESULTS.json");
    process.exit(2);
  }
  const folder = installedPackage("junit2json");
  const pkg = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8"));
  const { parse } = await import(pathToFileURL(path.join(folder, pkg.exports["."].default)).href);
  const results = JSON.parse(fs.readFileSync(resultsFile, "utf8"));
  const report = await parse(fs.readFileSync(xmlFile, "utf8"));

  const points = results.points, gates = results.gates ?? [];
  const failedPoints = points.filter((p) => p.status === "failed" || p.status === "partial");
  const gatesIn = (state) => gates.filter((g) => g.state === state).length;
  check(failedPoints.length > 0 && gatesIn("missed") > 0 && gatesIn("not judged") > 0,
    "the run was to have failed points, missed gates and a gate not judged");
  expectCounts("testsuites", report, {
    tests: points.length + gates.length,
    failures: failedPoints.length + gatesIn("missed"),
    errors: gatesIn("inconclusive"),
  });
  check(report.testsuite.length === 2, `${report.testsuite.length} test suites, not 2`);
  const [pointSuite, gateSuite] = report.testsuite;

  // A test case per point, in sweep order: failed and partial points fail with their error.
  check(text(pointSuite.name) === results.spec.name, `the points' suite is ${pointSuite.name}`);
  expectCounts("the points' suite", pointSuite, {
    tests: points.length, failures: failedPoints.length, errors: 0,
    skipped: points.filter((p) => p.status === "skipped").length,
  });
  check(pointSuite.properties.some((p) => p.name === "bhost.version" && text(p.value) === results.bhost.version),
    "no bhost.version property");
  check(pointSuite.testcase.length === points.length, `${pointSuite.testcase.length} test cases for ${points.length} points`);
  points.forEach((p, i) => {
    const tc = pointSuite.testcase[i];
    const what = `test case ${i} (${JSON.stringify(p.label)})`;
    check(text(tc.name) === p.label, `${what}: named ${JSON.stringify(tc.name)}`);
    check(text(tc.classname) === p.experiment, `${what}: class ${tc.classname}`);
    const failed = p.status === "failed" || p.status === "partial";
    expectOutcome(what, tc, failed ? { element: "failure", message: p.error, type: p.status }
      : p.status === "skipped" ? { element: "skipped", message: p.error } : null);
    check((p.stderr_tail ?? undefined) === tc["system-err"]?.[0],
      `${what}: system-err ${JSON.stringify(tc["system-err"])}, stderr_tail ${JSON.stringify(p.stderr_tail)}`);
    for (const reason of p.failures.reasons) {
      check(tc["system-out"][0].includes(`${reason.reason}: ${reason.count}`),
        `${what}: system-out lacks the failure reason ${reason.reason}`);
    }
  });

  // A test case per gate outcome: missed fails, inconclusive is an error, not judged skipped.
  check(gateSuite.name === "gates", `the second suite is ${gateSuite.name}`);
  expectCounts("the gates' suite", gateSuite, {
    tests: gates.length, failures: gatesIn("missed"), errors: gatesIn("inconclusive"),
    skipped: gatesIn("not judged"),
  });
  gates.forEach((g, i) => {
    const tc = gateSuite.testcase[i];
    const name = g.label === null ? g.gate : `${g.gate} at ${g.label}`;
    const what = `gate test case ${i} (${JSON.stringify(name)})`;
    check(text(tc.name) === name, `${what}: named ${JSON.stringify(tc.name)}`);
    expectOutcome(what, tc, g.state === "missed" ? { element: "failure", message: g.why, type: "missed" }
      : g.state === "inconclusive" ? { element: "error", message: g.why, type: "inconclusive" }
      : g.state === "not judged" ? { element: "skipped", message: g.why } : null);
  });
  console.log(`check_export_junit: ok: ${points.length} points and ${gates.length} gate outcomes read back`);
}

main().catch((error) => {
  if (error instanceof CheckFailed) {
    fail(error.message);
  }
  fail(error.stack ?? String(error));
});
