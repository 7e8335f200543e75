#!/usr/bin/env node
// check_report.mjs REPORT.html SCREENSHOT.png [--compared] [--history] [--first-screen PNG]
// — opens the page `bhost report` wrote in headless Chromium, served from its
// run directory, and checks it against the run's results.json beside it: no
// page or console error and no failed request; its Content-Security-Policy,
// no script and no outside address; one percentile-distribution plot per
// point that measured, one plot per swept parameter, each drawn; every link
// within the page lands, every artifact link is served; with --compared, the
// comparison's rows with a verdict each; with --history, two sparklines per
// point that measured; nothing wider than the window. Saves a screenshot of
// the whole page (and, with --first-screen, of the first screen) and prints
// its path. Exit status 0 if all holds, 1 with the reason otherwise.
import fs from "node:fs";
import path from "node:path";
import { check, runCheck } from "./browser.mjs";

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const VERDICTS = ["faster", "slower", "same", "inconclusive"];
const DEFAULT_PERCENTILES = 3; // bhost compare's 50, 90, 99

function parseArguments() {
  const args = process.argv.slice(2);
  const options = { compared: false, history: false, firstScreen: null, files: [] };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--compared") options.compared = true;
    else if (args[i] === "--history") options.history = true;
    else if (args[i] === "--first-screen") options.firstScreen = path.resolve(args[++i]);
    else options.files.push(args[i]);
  }
  if (options.files.length !== 2) {
    console.error("usage: check_report.mjs REPORT.html SCREENSHOT.png [--compared] [--history] " +
      "[--first-screen PNG]");
    process.exit(2);
  }
  options.report = path.resolve(options.files[0]);
  options.screenshot = path.resolve(options.files[1]);
  return options;
}

const options = parseArguments();
const runDir = path.dirname(options.report);
let results;
try {
  results = JSON.parse(fs.readFileSync(path.join(runDir, "results.json"), "utf8"));
} catch (error) {
  console.error(`check_report: FAIL: cannot read the run's results.json in ${runDir}: ${error.message}`);
  process.exit(1);
}

// What the page must show, from the results.
const measured = (point) => (point.histograms?.iteration?.count ?? 0) > 0;
const expected = {
  points: results.points.length,
  measured: results.points.filter(measured).length,
  parameterPlots: results.spec.experiments
    .filter((e) => results.points.some((p) => p.experiment === e.name))
    .reduce((n, e) => n + Object.values(e.params).filter(Array.isArray).length +
      (Array.isArray(e.threads) && !("threads" in e.params) ? 1 : 0), 0),
  artifacts: results.points.reduce((n, p) => n + (p.artifacts ?? []).length, 0),
};

await runCheck("check_report", 90, () => ({ "/": runDir }), async ({ page, origin, log }) => {
  const response = await page.goto(`${origin}/${path.basename(options.report)}`, { waitUntil: "load" });
  check(response && response.ok(), `could not load ${options.report}`);

  const head = await page.evaluate(() => ({
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content,
    scripts: document.scripts.length,
    sources: Array.from(document.querySelectorAll("[src]")).map((e) => e.getAttribute("src")),
    outside: Array.from(document.querySelectorAll("[href]")).map((e) => e.getAttribute("href"))
      .filter((href) => /^[a-z][a-z0-9+.-]*:|^\/\//i.test(href)),
  }));
  check(head.csp === CSP, `the Content-Security-Policy is "${head.csp}", not "${CSP}"`);
  check(head.scripts === 0, `the page has ${head.scripts} script elements`);
  check(head.sources.length === 0, `elements load sources: ${head.sources.join(", ")}`);
  check(head.outside.length === 0, `links leave the run directory: ${head.outside.join(", ")}`);
  log(`CSP "${CSP}", no script, no source, no outside link`);

  // Per point: its section, one drawn distribution if it measured, none if not.
  const sections = await page.evaluate(() => Array.from(document.querySelectorAll("section.point"))
    .map((section) => ({
      id: section.id,
      plots: section.querySelectorAll("svg.dist").length,
      line: (() => {
        const line = section.querySelector("svg.dist path.s0");
        const box = line?.getBBox();
        return line ? { width: box.width, height: box.height, d: line.getAttribute("d").length } : null;
      })(),
      compared: section.querySelectorAll("table.cmp").length,
      sparklines: section.querySelectorAll("svg.spark").length,
    })));
  check(sections.length === expected.points,
    `${sections.length} point sections for ${expected.points} points`);
  for (const point of results.points) {
    const section = sections.find((s) => s.id === `p${point.index}`);
    check(section, `no section for point ${point.label} (#p${point.index})`);
    const want = measured(point) ? 1 : 0;
    check(section.plots === want,
      `point ${point.label} has ${section.plots} distribution plots, not ${want}`);
    if (want) {
      check(section.line && section.line.width > 50 && section.line.height >= 0 && section.line.d > 100,
        `point ${point.label}'s distribution is not drawn: ${JSON.stringify(section.line)}`);
    }
  }
  log(`${sections.length} points: ${expected.measured} distribution plots drawn, one per point that measured`);

  const parameterPlots = await page.evaluate(() => Array.from(document.querySelectorAll("svg.param"))
    .map((svg) => ({
      lines: svg.querySelectorAll("path.s0, path.s1, path.s2, path.s3, path.s4, path.s5, path.thin").length,
      legend: svg.closest("figure")?.querySelectorAll("ul.legend li").length ?? 0,
    })));
  check(parameterPlots.length === expected.parameterPlots,
    `${parameterPlots.length} parameter plots for ${expected.parameterPlots} swept parameters`);
  for (const [i, plot] of parameterPlots.entries()) {
    check(plot.lines > 0 && plot.legend >= 2, `parameter plot ${i + 1} has ${plot.lines} lines and ${plot.legend} legend entries`);
  }
  log(`${parameterPlots.length} parameter plots, one per swept parameter, each with lines and a legend`);

  // Links within the page land; artifact links are served from the run directory.
  const anchors = await page.evaluate(() => Array.from(document.querySelectorAll('a[href^="#"]'))
    .map((a) => a.getAttribute("href").slice(1))
    .filter((id) => !document.getElementById(decodeURIComponent(id))));
  check(anchors.length === 0, `links to nothing: #${anchors.slice(0, 5).join(", #")}`);
  // Fetched from here: the page's own policy forbids it any request.
  const links = await page.evaluate(() => Array.from(document.querySelectorAll("ul.artifacts a"))
    .map((a) => ({ href: a.getAttribute("href"), url: a.href })));
  const artifacts = await Promise.all(links.map(async (link) =>
    ({ href: link.href, status: (await fetch(link.url)).status })));
  check(artifacts.length === expected.artifacts,
    `${artifacts.length} artifact links for ${expected.artifacts} artifacts in the results`);
  const missing = artifacts.filter((a) => a.status !== 200);
  check(missing.length === 0, `artifact links not served: ${missing.map((a) => `${a.href} (${a.status})`).join(", ")}`);
  log(`every in-page link lands; ${artifacts.length} artifact links served`);

  if (options.compared) {
    const comparison = await page.evaluate(() => {
      const table = document.querySelector("#comparison ~ .scroll table.cmp");
      return {
        rows: table ? Array.from(table.querySelectorAll("tbody tr")).map((row) =>
          row.querySelector(".badge")?.className.replace("badge ", "")) : null,
      };
    });
    check(comparison.rows, "no comparison section with its table");
    // Both runs are of one spec: each histogram of each point, each default percentile.
    const want = results.points.reduce((n, p) => n + Object.keys(p.histograms ?? {}).length, 0) *
      DEFAULT_PERCENTILES;
    check(comparison.rows.length === want, `the comparison has ${comparison.rows.length} rows, not ${want}`);
    check(comparison.rows.every((v) => VERDICTS.includes(v)), `rows without a verdict: ${comparison.rows}`);
    for (const point of results.points.filter(measured)) {
      const section = sections.find((s) => s.id === `p${point.index}`);
      check(section.compared === 1, `point ${point.label} has ${section.compared} comparison tables`);
    }
    log(`comparison: ${comparison.rows.length} figures with a verdict each; every measured point has its rows`);
  }

  if (options.history) {
    for (const point of results.points) {
      const section = sections.find((s) => s.id === `p${point.index}`);
      const want = measured(point) ? 2 : 0;
      check(section.sparklines === want, `point ${point.label} has ${section.sparklines} sparklines, not ${want}`);
    }
    log(`history: p50 and p99 sparklines for each of the ${expected.measured} measured points`);
  }

  const width = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
  }));
  check(width.page <= width.window, `the page is ${width.page} px wide in a ${width.window} px window`);
  log(`nothing wider than the ${width.window} px window`);

  await page.screenshot({ path: options.screenshot, fullPage: true });
  log(`screenshot: ${options.screenshot}`);
  if (options.firstScreen) {
    await page.screenshot({ path: options.firstScreen });
    log(`first screen: ${options.firstScreen}`);
  }
});
