#!/usr/bin/env node
// check_speedscope.mjs PROFILE.json NAME... — opens a speedscope file
// written by the sampler (plugins/instruments/sampler/speedscope.c) in
// speedscope's own viewer (the npm package's built files), in headless
// Chromium, and checks that it loads without any error, shows the file's
// name and its profiles (one per thread), and lists each NAME in the
// Sandwich view's table of functions, found with speedscope's search in the
// first thread whose samples have it. Exit status 0 if all holds, 1 with the
// reason otherwise.
import fs from "node:fs";
import path from "node:path";
import { check, checkNoProblems, installedPackage, parseArguments, runCheck } from "./browser.mjs";

const { file, names } = parseArguments("check_speedscope.mjs PROFILE.json NAME...");
const WAIT = { timeout: 15000 };

let profileFile;
try {
  profileFile = JSON.parse(fs.readFileSync(file, "utf8"));
} catch (error) {
  console.error(`check_speedscope: FAIL: ${file} is not JSON: ${error.message}`);
  process.exit(1);
}
const frames = profileFile.shared?.frames ?? [];
const profiles = profileFile.profiles ?? [];

// The first profile (thread) with a sample whose stack has a frame named with
// NAME, for each NAME: where the viewer must show it.
function profileHaving(name) {
  return profiles.findIndex((profile) =>
    (profile.samples ?? []).some((stack) => stack.some((frame) => frames[frame]?.name.includes(name))));
}

function toolbarLabel(index) {
  const label = profiles[index].name;
  return profiles.length > 1 ? `${label} (${index + 1}/${profiles.length})` : label;
}

// Waits until the toolbar names the profile at `index`.
async function waitForProfile(page, index) {
  const label = toolbarLabel(index);
  try {
    await page.waitForFunction((text) => document.body.innerText.includes(text), WAIT, label);
  } catch {
    const shown = await page.evaluate(() => document.body.innerText.split("\n").slice(0, 3).join(" | "));
    check(false, `the viewer does not show profile "${label}"; its toolbar reads: ${shown}`);
  }
}

// The toolbar tab whose text ends with `label` ("Sandwich").
function toolbarTab(page, label) {
  return page.evaluateHandle((text) => Array.from(document.querySelectorAll("div"))
    .find((div) => div.children.length <= 1 && div.textContent.trim().endsWith(text)), label);
}

// Types `name` in speedscope's search box (opened with Ctrl+F), waits for
// the Sandwich table to list a function of that name, closes the search.
// Opens speedscope's search box. A Ctrl+F pressed before the page listens for
// keys is lost (seen on a loaded machine), so it is pressed again until the box
// has the focus.
async function openSearch(page) {
  for (let attempt = 0; attempt < 30; attempt++) {
    await page.keyboard.down("Control");
    await page.keyboard.press("f");
    await page.keyboard.up("Control");
    const input = await page.waitForSelector("input:focus", { timeout: 500 }).catch(() => null);
    if (input) {
      return input;
    }
  }
  check(false, "speedscope's search box never took the focus after Ctrl+F");
}

async function findInSandwich(page, name) {
  const input = await openSearch(page);
  await input.evaluate((element) => element.select());
  await page.keyboard.type(name);
  try {
    await page.waitForFunction((text) => Array.from(document.querySelectorAll("td"))
      .some((cell) => cell.textContent.includes(text)), WAIT, name);
  } catch {
    const rows = await page.evaluate(() => Array.from(document.querySelectorAll("tr"))
      .map((row) => row.innerText.replace(/\s+/g, " ")).slice(0, 8).join(" | "));
    check(false, `searching "${name}", the Sandwich table lists no function of that name: ${rows}`);
  }
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.querySelector("input:focus"), WAIT);
}

const needed = names.map((name) => ({ name, profile: profileHaving(name) }));
for (const { name, profile } of needed) {
  if (profile < 0) {
    console.error(`check_speedscope: FAIL: no sampled frame of ${file} has "${name}" in its name`);
    process.exit(1);
  }
}

const mounts = () => ({
  "/speedscope/": path.join(installedPackage("speedscope"), "dist", "release"),
  "/profiles/profile.json": file,
});

await runCheck("check_speedscope", 60, mounts, async ({ page, origin, problems, log }) => {
  const profileURL = `${origin}/profiles/profile.json`;
  await page.goto(`${origin}/speedscope/index.html#profileURL=${encodeURIComponent(profileURL)}`,
    { waitUntil: "load" });
  const title = `${profileFile.name} - speedscope`;
  try {
    await page.waitForFunction((text) => document.title === text, WAIT, title);
  } catch {
    checkNoProblems(problems, "loading the profile");
    check(false, `the viewer's title is "${await page.title()}", not "${title}": the profile did not load`);
  }
  await waitForProfile(page, 0);
  checkNoProblems(problems, "loading the profile");
  log(`${file} loaded: "${profileFile.name}", ${profiles.length} profiles, ${frames.length} frames`);

  const sandwich = await toolbarTab(page, "Sandwich");
  check(sandwich.asElement(), "the viewer has no Sandwich tab");
  await sandwich.asElement().click();
  await page.waitForFunction(() => document.body.innerText.includes("Symbol Name"), WAIT);

  let current = 0;
  for (const index of [...new Set(needed.map((n) => n.profile))].sort((a, b) => a - b)) {
    // "n" shows the next profile (speedscope's shortcut).
    for (; current < index; current++) {
      await page.keyboard.press("n");
      await waitForProfile(page, current + 1);
    }
    for (const { name } of needed.filter((n) => n.profile === index)) {
      await findInSandwich(page, name);
      log(`"${name}" listed in the Sandwich view of "${toolbarLabel(index)}"`);
    }
  }
});
