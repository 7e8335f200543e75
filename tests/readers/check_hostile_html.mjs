#!/usr/bin/env node
// check_hostile_html.mjs REPORT.html SCREENSHOT.png — the page `bhost report`
// wrote of a results file whose every string is hostile (make_hostile.py),
// opened in headless Chromium: no script ran (the planted handlers would set
// window.__bhost_pwned), no dialog opened, no request left the page, no page
// or console error; no <script>, <img>, <iframe> or <object> element and no
// on* attribute anywhere in the document; and the planted markup is on the
// page as text, so it was escaped rather than dropped. Saves a screenshot.
// Exit 0 if all holds, 1 with the reason otherwise.
import path from "node:path";
import { check, runCheck } from "./browser.mjs";

const [report, screenshot] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!report || !screenshot) {
  console.error("usage: check_hostile_html.mjs REPORT.html SCREENSHOT.png");
  process.exit(2);
}

await runCheck("check_hostile_html", 60, () => ({ "/": path.dirname(report) }),
  async ({ page, origin, log }) => {
    const dialogs = [];
    page.on("dialog", async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    await page.goto(`${origin}/${path.basename(report)}`, { waitUntil: "load" });
    const found = await page.evaluate(() => {
      const all = Array.from(document.querySelectorAll("*"));
      return {
        pwned: window.__bhost_pwned,
        elements: ["script", "img", "iframe", "object", "embed"]
          .map((tag) => [tag, document.getElementsByTagName(tag).length])
          .filter(([, n]) => n > 0),
        handlers: all.flatMap((e) => Array.from(e.attributes)
          .filter((a) => a.name.toLowerCase().startsWith("on"))
          .map((a) => `${e.tagName.toLowerCase()} ${a.name}`)),
        text: document.body.innerText,
      };
    });
    check(found.pwned === undefined, `a planted script ran: window.__bhost_pwned = ${found.pwned}`);
    check(dialogs.length === 0, `a dialog opened: ${dialogs.join(", ")}`);
    check(found.elements.length === 0,
      `the page holds elements a results file planted: ${JSON.stringify(found.elements)}`);
    check(found.handlers.length === 0, `event handler attributes: ${found.handlers.join(", ")}`);
    for (const planted of ["<script>window.__bhost_pwned=1</script>",
      "<img src=x onerror=", "<svg onload=window.__bhost_pwned=3>"]) {
      check(found.text.includes(planted), `"${planted}" is not on the page as text`);
    }
    await page.screenshot({ path: screenshot, fullPage: false });
    log(`no script ran, nothing planted became markup; screenshot ${screenshot}`);
  });
