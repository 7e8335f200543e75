#!/usr/bin/env node
// check_flamegraph.mjs GRAPH.svg NAME... — opens a flame graph written by
// the sampler (plugins/instruments/sampler/flamegraph.c) in headless
// Chromium and checks that it loads without any error, that a frame's name
// contains each NAME, and that its script works: mouse-over details, zoom
// on click and Reset Zoom, search with highlight and the share matched,
// Escape.
// Exit status 0 if all holds, 1 with the reason otherwise.
import { check, checkNoProblems, parseArguments, runCheck } from "./browser.mjs";

const { file, names } = parseArguments("check_flamegraph.mjs GRAPH.svg NAME...");
const HIGHLIGHT = "rgb(230, 0, 230)";

// Every frame as the page has it now: name, title, samples range, depth
// (its box's y), box and visibility.
function readFrames(page) {
  return page.evaluate(() => {
    const frames = document.getElementById("frames");
    return Array.from(frames.children).map((frame, index) => {
      const title = frame.querySelector("title").textContent;
      const box = frame.querySelector("rect");
      return {
        index,
        title,
        name: title.slice(0, title.lastIndexOf(" (")),
        x: Number(frame.getAttribute("data-x")),
        w: Number(frame.getAttribute("data-w")),
        y: Number(box.getAttribute("y")),
        boxX: Number(box.getAttribute("x")),
        boxWidth: Number(box.getAttribute("width")),
        shown: getComputedStyle(frame).display !== "none",
        fill: getComputedStyle(box).fill,
        text: frame.querySelector("text").textContent,
      };
    });
  });
}

function readLayout(page) {
  return page.evaluate(() => {
    const frames = document.getElementById("frames");
    const shown = (id) => {
      const element = document.getElementById(id);
      return getComputedStyle(element).display !== "none" && element.getBBox().width > 0;
    };
    return {
      total: Number(frames.getAttribute("data-total")),
      left: Number(frames.getAttribute("data-left")),
      width: Number(frames.getAttribute("data-width")),
      details: document.getElementById("details").textContent,
      matched: document.getElementById("matched").textContent,
      searchLabel: document.getElementById("search").textContent,
      unzoomShown: shown("unzoom"),
    };
  });
}

function near(a, b) {
  return Math.abs(a - b) <= 0.011;
}

function describe(frame) {
  return `"${frame.title}"`;
}

// The graph as it should be zoomed on `target`: its callers and itself full
// width, its callees rescaled, everything else hidden.
function checkZoomed(frames, target, layout) {
  for (const frame of frames) {
    const caller = frame.y >= target.y && frame.x <= target.x && frame.x + frame.w >= target.x + target.w;
    const callee = frame.y < target.y && frame.x >= target.x && frame.x + frame.w <= target.x + target.w;
    check(frame.shown === (caller || callee),
      `zoomed on ${describe(target)}, ${describe(frame)} is ${frame.shown ? "shown" : "hidden"}`);
    if (caller) {
      check(near(frame.boxX, layout.left) && near(frame.boxWidth, layout.width),
        `zoomed on ${describe(target)}, ${describe(frame)} is not full width (x ${frame.boxX}, width ${frame.boxWidth})`);
    } else if (callee) {
      const x = layout.left + ((frame.x - target.x) / target.w) * layout.width;
      const width = (frame.w / target.w) * layout.width;
      check(near(frame.boxX, x) && near(frame.boxWidth, width),
        `zoomed on ${describe(target)}, ${describe(frame)} is at x ${frame.boxX} width ${frame.boxWidth}, not ${x.toFixed(2)} ${width.toFixed(2)}`);
    }
  }
}

function checkUnzoomed(frames, original, when) {
  for (const [i, frame] of frames.entries()) {
    check(frame.shown && near(frame.boxX, original[i].boxX) && near(frame.boxWidth, original[i].boxWidth) &&
      frame.text === original[i].text,
    `${when}, ${describe(frame)} is not back as it was drawn`);
  }
}

// The share of samples under at least one matching frame, counted once.
function matchedShare(frames, pattern, total) {
  const spans = frames.filter((f) => pattern.test(f.name)).map((f) => [f.x, f.x + f.w]);
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let end = -Infinity;
  for (const [start, stop] of spans) {
    const from = Math.max(start, end);
    if (stop > from) {
      covered += stop - from;
      end = stop;
    }
  }
  return total ? (100 * covered) / total : 0;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

await runCheck("check_flamegraph", 60, () => ({ "/graph.svg": file }), async ({ page, origin, problems, log }) => {
  const response = await page.goto(`${origin}/graph.svg`, { waitUntil: "load" });
  check(response && response.ok(), `could not load ${file}`);
  const root = await page.evaluate(() => ({
    name: document.documentElement.localName,
    parseError: document.querySelector("parsererror")?.textContent,
  }));
  check(!root.parseError, `Chromium could not parse ${file}: ${root.parseError}`);
  check(root.name === "svg", `${file} is not an SVG document but <${root.name}>`);
  checkNoProblems(problems, "loading the graph");

  const original = await readFrames(page);
  const layout = await readLayout(page);
  check(original.length > 0, "the graph has no frames");
  log(`${file}: ${original.length} frames, ${layout.total} samples`);

  // Each NAME is a frame's name, or part of one.
  const found = names.map((name) => {
    const matching = original.filter((frame) => frame.name.includes(name));
    check(matching.length > 0, `no frame's name contains "${name}"`);
    return matching.reduce((a, b) => (b.w > a.w ? b : a));
  });
  log(`every NAME is in a frame's name: ${found.map(describe).join(", ")}`);

  // Mouse-over: the details line shows the frame's title.
  const hovered = found[0];
  const boxes = await page.$$("#frames > g > rect");
  await boxes[hovered.index].hover();
  const details = (await readLayout(page)).details;
  check(details === hovered.title, `hovering ${describe(hovered)} shows "${details}" in the details line`);
  log(`hover: details line shows "${details}"`);

  // Click: zoom on a frame narrower than the graph (a NAME's if one is).
  const narrower = (frame) => frame.w < layout.total && frame.boxWidth >= 1;
  const widest = (list) => list.reduce((a, b) => (b.w > a.w ? b : a));
  const candidates = original.filter((f) => narrower(f) && names.some((n) => f.name.includes(n)));
  const target = candidates.length ? widest(candidates) : original.some(narrower) ? widest(original.filter(narrower)) : hovered;
  await boxes[target.index].click();
  const zoomed = await readFrames(page);
  checkZoomed(zoomed, target, layout);
  check((await readLayout(page)).unzoomShown, `zoomed on ${describe(target)}, "Reset Zoom" is not shown`);
  log(`click: zoomed on ${describe(target)}: it and its ${zoomed.filter((f) => f.shown && f.y > target.y).length} callers full width, ` +
    `${zoomed.filter((f) => f.shown && f.y < target.y).length} callees rescaled, ${zoomed.filter((f) => !f.shown).length} frames hidden`);
  await page.click("#unzoom");
  checkUnzoomed(await readFrames(page), original, "after Reset Zoom");
  check(!(await readLayout(page)).unzoomShown, "after Reset Zoom, \"Reset Zoom\" is still shown");
  log("Reset Zoom: every frame back as drawn");

  // Search: the prompt answered with a regular expression for the first NAME.
  const term = escapeRegExp(names[0]);
  await page.evaluate((answer) => {
    window.prompt = () => answer;
  }, term);
  await page.click("#search");
  const searched = await readFrames(page);
  const pattern = new RegExp(term);
  for (const frame of searched) {
    const highlighted = frame.fill === HIGHLIGHT;
    check(highlighted === pattern.test(frame.name),
      `searching /${term}/, ${describe(frame)} is ${highlighted ? "" : "not "}highlighted`);
  }
  const expected = `Matched: ${matchedShare(original, pattern, layout.total).toFixed(1)}%`;
  const afterSearch = await readLayout(page);
  check(afterSearch.matched === expected, `searching /${term}/ shows "${afterSearch.matched}", not "${expected}"`);
  check(afterSearch.searchLabel === "Reset Search", `after a search the control reads "${afterSearch.searchLabel}"`);
  log(`search /${term}/: ${searched.filter((f) => f.fill === HIGHLIGHT).length} frames highlighted, "${afterSearch.matched}"`);
  await page.click("#search");
  const cleared = await readFrames(page);
  check(cleared.every((frame) => frame.fill !== HIGHLIGHT), "Reset Search left frames highlighted");
  check((await readLayout(page)).matched.trim() === "", "Reset Search left the share matched shown");
  log("Reset Search: highlight and share cleared");

  // Escape undoes both a zoom and a search.
  await boxes[target.index].click();
  await page.click("#search");
  await page.keyboard.press("Escape");
  const escaped = await readFrames(page);
  checkUnzoomed(escaped, original, "after Escape");
  check(escaped.every((frame) => frame.fill !== HIGHLIGHT), "Escape left frames highlighted");
  log("Escape: zoom and search undone");
});
