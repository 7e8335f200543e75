// browser.mjs — what the reader checks share: the npm folder that
// scripts/install-deps.sh fills, a local HTTP server, headless Chromium
// watched for page errors, console errors and failed requests, and one
// deadline for the whole check, after which the browser and server are
// closed whatever happened.
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

export const nodeDir = process.env.BHOST_TEST_NODE_DIR || "/usr/local/lib/bhost-test-node";
export const chromiumPath = process.env.BHOST_CHROMIUM || "/usr/bin/chromium";
const setupHint = "run scripts/install-deps.sh (as root, or with sudo)";

export class CheckFailed extends Error {}

export function check(condition, message) {
  if (!condition) {
    throw new CheckFailed(message);
  }
}

// The installed package's folder, or a failure saying how to install it.
export function installedPackage(name) {
  const folder = path.join(nodeDir, "node_modules", name);
  check(fs.existsSync(path.join(folder, "package.json")),
    `${name} is not installed in ${nodeDir} (BHOST_TEST_NODE_DIR): ${setupHint}`);
  return folder;
}

function loadPuppeteer() {
  installedPackage("puppeteer-core");
  check(fs.existsSync(chromiumPath), `no Chromium at ${chromiumPath} (BHOST_CHROMIUM): ${setupHint}`);
  return createRequire(path.join(nodeDir, "package.json"))("puppeteer-core");
}

const contentTypes = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// The file a URL path maps to: `mounts` maps a URL to a file, or a URL
// ending in "/" to a folder. null if nothing is mounted there.
function mappedFile(mounts, urlPath) {
  for (const [prefix, target] of Object.entries(mounts)) {
    if (urlPath === prefix && !prefix.endsWith("/")) {
      return target;
    }
    if (prefix.endsWith("/") && urlPath.startsWith(prefix)) {
      const file = path.resolve(target, "." + path.posix.normalize("/" + urlPath.slice(prefix.length)));
      return file.startsWith(path.resolve(target) + path.sep) ? file : null;
    }
  }
  return null;
}

// Serves `mounts` on 127.0.0.1 on a free port: resolves to {server, origin}.
function serve(mounts) {
  const server = http.createServer((request, response) => {
    let file = null;
    try {
      file = mappedFile(mounts, decodeURIComponent(new URL(request.url, "http://x").pathname));
    } catch {
      file = null;
    }
    // Chromium asks for a favicon by itself, whatever the page: not the page's request.
    if (!file && request.url === "/favicon.ico") {
      response.writeHead(204);
      response.end();
      return;
    }
    fs.readFile(file || "", (error, body) => {
      if (!file || error) {
        response.writeHead(404, { "Content-Type": "text/plain" });
        response.end("not found\n");
        return;
      }
      const type = contentTypes[path.extname(file).toLowerCase()] || "application/octet-stream";
      response.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" });
      response.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, origin: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

// Everything that went wrong in the page, as lines of text.
function watchPage(page, problems) {
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("error", (error) => problems.push(`page crashed: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") {
      const where = message.location();
      problems.push(`console error: ${message.text()}${where && where.url ? ` (${where.url})` : ""}`);
    }
  });
  page.on("requestfailed", (request) => {
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()} for ${response.url()}`);
    }
  });
  page.on("dialog", (dialog) => {
    problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
}

export function checkNoProblems(problems, when) {
  check(problems.length === 0, `${when}:\n  ${problems.join("\n  ")}`);
}

async function closeBrowser(browser) {
  const closing = browser.close().catch(() => {});
  const late = new Promise((resolve) => setTimeout(resolve, 10000));
  await Promise.race([closing, late]);
  browser.process()?.kill("SIGKILL");
}

function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

// Runs `body({page, origin, problems, log})` with what `mounts()` returns
// served and a page open in headless Chromium, then exits: 1 with the
// reason on any failure or after `timeoutSeconds`, 0 otherwise.
export async function runCheck(name, timeoutSeconds, mounts, body) {
  const opened = { browser: null, server: null };
  const problems = [];
  const log = (line) => console.log(`${name}: ${line}`);
  let timer = null;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`gave up after ${timeoutSeconds} s`)),
      timeoutSeconds * 1000);
  });
  const work = (async () => {
    const puppeteer = loadPuppeteer();
    const served = await serve(mounts());
    opened.server = served.server;
    // CI runs as root, where Chromium's sandbox cannot start.
    opened.browser = await puppeteer.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ["--no-sandbox", "--headless=new", "--disable-dev-shm-usage"],
    });
    const page = await opened.browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    watchPage(page, problems);
    await body({ page, origin: served.origin, problems, log });
    checkNoProblems(problems, "the page reported problems");
  })();
  let exitCode = 0;
  try {
    await Promise.race([work, deadline]);
    log("OK");
  } catch (error) {
    const reason = error instanceof CheckFailed ? error.message : error.stack || String(error);
    console.error(`${name}: FAIL: ${reason}`);
    if (problems.length && !reason.includes(problems[0])) {
      console.error(`${name}: the page also reported:\n  ${problems.join("\n  ")}`);
    }
    exitCode = 1;
  } finally {
    clearTimeout(timer);
    // A browser still starting when the deadline passed gets a moment to
    // finish, so that it can be closed too.
    await Promise.race([work.catch(() => {}), sleep(opened.browser ? 0 : 5000)]);
    if (opened.browser) {
      await closeBrowser(opened.browser);
    }
    opened.server?.closeAllConnections();
    opened.server?.close();
  }
  process.exit(exitCode);
}

// Fails with a usage line unless the command line has a readable file and at
// least one NAME: returns {file, names}.
export function parseArguments(usage) {
  const [file, ...names] = process.argv.slice(2);
  if (!file || names.length === 0) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  if (!fs.existsSync(file)) {
    console.error(`${path.basename(process.argv[1])}: FAIL: no such file: ${file}`);
    process.exit(1);
  }
  return { file: path.resolve(file), names };
}
