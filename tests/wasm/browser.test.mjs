// The converter page in headless Chromium (the system's: Debian `chromium`, or CHROMIUM),
// driven by puppeteer-core, served from 127.0.0.1 by web/serve.mjs. Loads fixtures through the
// file input, checks the summary (and that no secret is on screen), downloads the converted
// file and the loss report, checks that no request leaves the page after load and that the
// Content-Security-Policy refuses one, compares the page's output bytes with the CLI's
// (CXF_CLI, a built `cxf` binary), times a 10,000-item export, and saves a screenshot under
// target/wasm-browser/. Run by tests/wasm/run.sh after the package is built into web/pkg.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";
import { serve } from "../../web/serve.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "target/wasm-browser");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FIXTURE = (p) => join(ROOT, "fixtures/formats", p);

let server, browser, page, origin, downloads;
const requests = [];

async function waitForDownload(name) {
  const path = join(downloads, name);
  for (let i = 0; i < 200; i++) {
    if (existsSync(path) && !existsSync(`${path}.crdownload`)) {
      const bytes = readFileSync(path);
      if (bytes.length > 0) return bytes;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no download ${name}; have ${readdirSync(downloads)}`);
}

async function open(path) {
  const input = await page.$("#file");
  await input.uploadFile(path);
  await page.waitForFunction(() => /^(Read|Could not read)/.test(document.getElementById("status").textContent));
}

async function convertTo(format) {
  await page.select("#to", format);
  await page.click("#convert");
  await page.waitForFunction(() => !document.getElementById("result").hidden || !document.getElementById("error").hidden);
  return page.$eval("#result-text", (e) => e.textContent);
}

async function download(linkId) {
  const name = await page.$eval(`#${linkId}`, (a) => a.download);
  await page.click(`#${linkId}`);
  return { name, bytes: await waitForDownload(name) };
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  downloads = mkdtempSync(join(tmpdir(), "cxf-page-"));
  server = await serve(0);
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  page.on("request", (r) => requests.push(r.url()));
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await page.setViewport({ width: 1100, height: 1400 });
  await page.goto(`${origin}/`, { waitUntil: "load" });
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Ready"), { timeout: 60000 });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test("the page loads only its own files, from 127.0.0.1", () => {
  assert.ok(requests.length > 0);
  for (const url of requests) assert.ok(url.startsWith(`${origin}/`), url);
  assert.ok(!requests.some((u) => u.endsWith(".wasm")), "the module comes from a script, not a fetch");
});

test("a fixture: summary with counts and passkeys by site, never a secret on screen", async () => {
  const loaded = requests.length;
  await open(FIXTURE("bitwarden-json/passkeys.json"));
  const expect = JSON.parse(readFileSync(FIXTURE("bitwarden-json/passkeys.expect.json"), "utf8"));
  const summary = await page.$eval("#summary", (e) => e.innerText);
  assert.match(summary, /bitwarden-json/);
  assert.match(summary, new RegExp(`Items\\s+${expect.items}\\b`));
  const sites = await page.$$eval("#by-site tbody th", (ths) => ths.map((t) => t.textContent));
  assert.ok(sites.length > 0, "passkeys by site");
  const types = await page.$$eval("#by-type tbody tr", (trs) => Object.fromEntries(trs.map((tr) => [tr.cells[0].textContent, Number(tr.cells[1].textContent)])));
  assert.deepEqual(types, expect.credentials);
  // No password, key or note of the export is on screen.
  const text = await page.evaluate(() => document.body.innerText);
  const secrets = [];
  JSON.stringify(JSON.parse(readFileSync(FIXTURE("bitwarden-json/passkeys.json"), "utf8")), (k, v) => {
    if (["password", "keyValue", "notes", "totp"].includes(k) && typeof v === "string" && v.length > 3) secrets.push(v);
    return v;
  });
  for (const s of secrets) assert.ok(!text.includes(s), "a secret is on screen");
  assert.equal(requests.length, loaded, `requests after load: ${requests.slice(loaded)}`);
});

test("validation findings with pointers for a bad CXF file", async () => {
  await open(join(ROOT, "fixtures/cxf/invalid/rule-field.date--license-issue-date-us-format.json"));
  const findings = await page.$eval("#findings", (e) => e.innerText);
  assert.match(findings, /field\.date at \/accounts\/0\/items\/6\/credentials\/0\/issueDate\/value/);
});

test("an encrypted export asks for its password, then reads", async () => {
  const expect = JSON.parse(readFileSync(FIXTURE("bitwarden-json/encrypted-pbkdf2.expect.json"), "utf8"));
  await page.$eval("#password", (e) => (e.value = ""));
  await open(FIXTURE("bitwarden-json/encrypted-pbkdf2.json"));
  assert.match(await page.$eval("#error", (e) => e.textContent), /encrypted.*password/);
  await page.type("#password", expect.password);
  await page.click("#reread");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Read"));
  assert.match(await page.$eval("#summary", (e) => e.innerText), new RegExp(`Items\\s+${expect.items}\\b`));
  assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(expect.password));
  await page.$eval("#password", (e) => (e.value = ""));
});

test("convert: the download is the CLI's output byte for byte, with the loss report", async () => {
  const input = FIXTURE("chrome-csv/note-crlf-android.csv");
  await open(input);
  const loaded = requests.length;
  const text = await convertTo("firefox-csv");
  assert.match(text, /Converted .* to .* in \d+ ms/);
  const out = await download("download-output");
  assert.equal(out.name, "note-crlf-android.csv");
  const report = JSON.parse((await download("download-report")).bytes.toString("utf8"));
  assert.equal(report.from, "chrome-csv");
  assert.equal(report.to, "firefox-csv");
  assert.ok(Array.isArray(report.lost) && Array.isArray(report.changed));
  assert.match(out.bytes.toString("utf8"), /^"url","username","password"/);
  const cli = process.env.CXF_CLI;
  if (cli) {
    const dir = mkdtempSync(join(tmpdir(), "cxf-cli-"));
    execFileSync(cli, ["convert", input, "--to", "firefox-csv", "-o", join(dir, "out.csv"), "--report", join(dir, "report.json")], { stdio: ["ignore", "ignore", "pipe"] });
    assert.ok(readFileSync(join(dir, "out.csv")).equals(out.bytes), "page and CLI outputs differ");
    const cliReport = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    assert.deepEqual({ lost: report.lost, changed: report.changed }, { lost: cliReport.lost, changed: cliReport.changed });
  } else {
    console.log("SKIPPED the comparison with the CLI: set CXF_CLI to a built cxf binary");
  }
  // Downloads are blob: URLs; nothing went to the network.
  assert.ok(requests.slice(loaded).every((u) => u.startsWith("blob:")), `${requests.slice(loaded)}`);
});

test("accessible: every control has a label; keyboard alone converts", async () => {
  const unlabelled = await page.$$eval("input, select", (els) => els.filter((e) => e.labels.length === 0).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  await page.evaluate(() => document.getElementById("result").setAttribute("hidden", ""));
  await page.focus("#to");
  await page.select("#to", "cxf");
  await page.keyboard.press("Tab");
  if (await page.evaluate(() => document.activeElement.id) === "encrypt") await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "convert");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => !document.getElementById("result").hidden);
  // Focus moves to the download, so a keyboard user lands on the result.
  assert.equal(await page.evaluate(() => document.activeElement.id), "download-output");
});

test("the Content-Security-Policy refuses a request from the page", async () => {
  const outcome = await page.evaluate((url) => fetch(url).then(() => "sent", () => "refused"), `${origin}/index.html`);
  assert.equal(outcome, "refused");
});

test("a 10,000-item export converts in the browser (timed); screenshot", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cxf-big-"));
  const rows = ["name,url,username,password,note"];
  for (let i = 0; i < 10000; i++) rows.push(`site${i}.example,https://site${i}.example/login,user${i},pw-${i}-${(i * 7919) % 10007},`);
  const big = join(dir, "big.csv");
  writeFileSync(big, rows.join("\n") + "\n");
  await open(big);
  assert.match(await page.$eval("#summary", (e) => e.innerText), /Items\s+10000\b/);
  const read = await page.$eval("#status", (e) => e.textContent);
  const text = await convertTo("cxf");
  const ms = Number(/in (\d+) ms/.exec(text)[1]);
  console.log(`10,000 items: ${read}; chrome-csv to cxf in ${ms} ms`);
  writeFileSync(join(OUT, "timing.txt"), `${read}\nchrome-csv to cxf, 10,000 items: ${ms} ms\n`);
  await open(FIXTURE("bitwarden-json/passkeys.json"));
  await convertTo("keepass-xml");
  await page.screenshot({ path: join(OUT, "page.png"), fullPage: true });
});
