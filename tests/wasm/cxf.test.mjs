// The cxf-wasm package from outside Rust, in Node's built-in test runner (`node --test`),
// through the package wasm-bindgen generates with `--target nodejs`. Run by tests/wasm/run.sh,
// which builds the package into target/wasm-pkg/node (or CXF_WASM_PKG).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PKG = process.env.CXF_WASM_PKG ?? join(ROOT, "target/wasm-pkg/node");
const cxf = createRequire(import.meta.url)(join(PKG, "cxf_wasm.js"));

const FORMATS = join(ROOT, "fixtures/formats");

/** Every fixture of fixtures/formats/<format>/ with its sidecar, generic-csv excepted (it
 * needs a column map, which the bindings do not take). */
function formatFixtures() {
  const out = [];
  for (const dir of readdirSync(FORMATS, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === "generic-csv") continue;
    for (const file of readdirSync(join(FORMATS, dir.name))) {
      if (file.endsWith(".expect.json")) continue;
      const sidecar = join(FORMATS, dir.name, file.replace(/\.[^.]+$/, "") + ".expect.json");
      if (!existsSync(sidecar)) continue;
      out.push({
        name: `${dir.name}/${file}`,
        bytes: readFileSync(join(FORMATS, dir.name, file)),
        expect: JSON.parse(readFileSync(sidecar, "utf8")),
      });
    }
  }
  return out;
}

const fixtures = formatFixtures();

test("the fixture walk found fixtures of every readable format", () => {
  const seen = new Set(fixtures.map((f) => f.expect.format));
  assert.ok(fixtures.length >= 40, `${fixtures.length} fixtures`);
  for (const f of cxf.formats()) {
    if (f.canRead && f.name !== "generic-csv" && f.name !== "kdbx") {
      assert.ok(seen.has(f.name), `no fixture of ${f.name}`);
    }
  }
});

for (const { name, bytes, expect } of fixtures) {
  test(`convert ${name}: detected as ${expect.format}, counts as the sidecar says`, () => {
    const options = expect.password ? { password: expect.password } : undefined;
    if (expect.error) {
      assert.throws(
        () => cxf.convert(new Uint8Array(bytes), "cxf", options),
        (e) => e.name === "CxfError" && e.code === `read.${expect.error}`,
      );
      return;
    }
    const c = cxf.convert(new Uint8Array(bytes), "cxf", options);
    assert.equal(c.sourceFormat, expect.format);
    assert.ok(c.output instanceof Uint8Array);
    assert.deepEqual(cxf.validate(c.output).filter((d) => d.severity === "error"), []);
    const s = cxf.inspect(c.output);
    assert.equal(s.format, "cxf");
    assert.equal(s.items, expect.items);
    assert.deepEqual(s.credentialsByType, expect.credentials);
    // The loss report as the sidecar lists it (in any order).
    const loss = [...c.lost, ...c.changed].map((l) => `${l.what} ${l.reason}`).sort();
    const want = expect.loss.map((l) => `${l.what} ${l.reason}`).sort();
    assert.deepEqual(loss, want);
    // inspect reads the same export directly, never showing a secret.
    const direct = cxf.inspect(new Uint8Array(bytes), expect.password);
    assert.equal(direct.format, expect.format);
    assert.equal(direct.items, expect.items);
    if (expect.password) assert.ok(!JSON.stringify(direct).includes(expect.password));
  });
}

test("an encrypted export without its password says so by code", () => {
  const bytes = readFileSync(join(FORMATS, "bitwarden-json/encrypted-pbkdf2.json"));
  assert.throws(
    () => cxf.convert(bytes, "cxf"),
    (e) => e.code === "read.password-required" && e.kind === "password-required",
  );
  assert.throws(
    () => cxf.convert(bytes, "cxf", { password: "wrong" }),
    (e) => e.kind === "decryption-failed",
  );
});

test("the CXF fixture converts to every writable format and back", () => {
  const doc = readFileSync(join(FORMATS, "cxf/header-all-kinds.json"));
  for (const f of cxf.formats().filter((f) => f.canWrite)) {
    const options = f.name === "kdbx" ? { password: "pw" } : undefined;
    const c = cxf.convert(doc, f.name, options);
    assert.equal(c.sourceFormat, "cxf", f.name);
    assert.ok(c.output.length > 0, f.name);
    for (const l of [...c.lost, ...c.changed]) {
      assert.ok(l.pointer.startsWith("/"), `${f.name}: ${l.pointer}`);
      assert.ok(["lost", "changed"].includes(l.kind));
    }
    if (f.name === "generic-csv") continue;
    const back = cxf.convert(c.output, "cxf", { from: f.name, ...options });
    assert.equal(back.sourceFormat, f.name);
  }
});

test("convert refuses clearly: unknown input, unknown or unwritable format, bad options", () => {
  const csv = new TextEncoder().encode("name,url,username,password,note\nx,https://x.example/,a,b,\n");
  assert.throws(() => cxf.convert(new TextEncoder().encode("nothing"), "cxf"),
    (e) => e.code === "convert.unknown-format");
  assert.throws(() => cxf.convert(csv, "no-such-format"), (e) => e.code === "format.unknown");
  assert.throws(() => cxf.convert(csv, "lastpass-csv"), (e) => e.code === "write.not-writable");
  assert.throws(() => cxf.convert(csv, "cxf", { from: 3 }), (e) => e.code === "usage");
  assert.equal(cxf.convert(csv, "cxf", { from: "chrome-csv" }).sourceFormat, "chrome-csv");
});

test("validate reports the rule and pointer of a bad file", () => {
  const bad = readFileSync(
    join(ROOT, "fixtures/cxf/invalid/rule-field.date--license-issue-date-us-format.json"),
  );
  const found = cxf.validate(bad);
  assert.ok(
    found.some(
      (d) =>
        d.rule === "field.date" &&
        d.pointer === "/accounts/0/items/6/credentials/0/issueDate/value" &&
        d.severity === "error",
    ),
    JSON.stringify(found),
  );
  const good = readFileSync(join(FORMATS, "cxf/header-all-kinds.json"));
  assert.deepEqual(cxf.validate(good).filter((d) => d.severity === "error"), []);
  const broken = cxf.validate(new TextEncoder().encode("{"));
  assert.equal(broken.length, 1);
  assert.match(broken[0].rule, /^parse\./);
});

test("CXP: request, respond, open round trip; reencrypt; a wrong key fails opaquely", () => {
  const doc = readFileSync(join(FORMATS, "cxf/header-all-kinds.json"));
  const canonical = JSON.parse(new TextDecoder().decode(cxf.convert(doc, "cxf").output));
  const pair = cxf.request("importer.example");
  assert.ok(pair.request instanceof Uint8Array && pair.key instanceof Uint8Array);
  assert.equal(JSON.parse(new TextDecoder().decode(pair.request)).importer, "importer.example");
  const response = cxf.respond(pair.request, doc, "exporter.example");
  const opened = cxf.open(response, pair.key);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(opened)), canonical);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(cxf.open(response, pair.key, true))), canonical);

  const other = cxf.request("other.example");
  assert.throws(() => cxf.open(response, other.key), (e) => e.code === "cxp.decryption-failed");
  const moved = cxf.reencrypt(response, pair.key, other.request, "exporter.example");
  assert.deepEqual(JSON.parse(new TextDecoder().decode(cxf.open(moved, other.key))), canonical);
  assert.throws(() => cxf.open(pair.request, pair.key), (e) => e.code === "cxp.response");
});

test("password-protected outputs: an age file (cxf) and Bitwarden's export read back", () => {
  const doc = readFileSync(join(FORMATS, "cxf/header-all-kinds.json"));
  for (const to of ["cxf", "bitwarden-json"]) {
    const sealed = cxf.convert(doc, to, { password: "pw", encrypt: true });
    assert.ok(!new TextDecoder().decode(sealed.output).includes("header-all-kinds"));
    assert.throws(() => cxf.inspect(sealed.output), (e) => e.kind === "password-required", to);
    const s = cxf.inspect(sealed.output, "pw");
    assert.equal(s.items, cxf.inspect(doc).items, to);
  }
});

// The same conversion natively (the CLI, CXF_CLI) and in WebAssembly gives the same document:
// no difference of word size, clock, AEAD or RNG backend shows in what is read. The header's
// timestamp (the time of conversion) is the only member left out of the comparison.
test("every fixture reads to the same CXF in WebAssembly as in the native CLI", { skip: !process.env.CXF_CLI && "set CXF_CLI to a built cxf binary" }, async () => {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "cxf-wasm-cli-"));
  const normal = (bytes) => {
    const doc = JSON.parse(new TextDecoder().decode(bytes));
    delete doc.timestamp;
    return doc;
  };
  let compared = 0;
  for (const { name, bytes, expect } of fixtures) {
    if (expect.error) continue;
    const args = ["convert", join(FORMATS, name), "--to", "cxf", "-o", join(dir, "out.json"), "--overwrite"];
    if (expect.password) {
      writeFileSync(join(dir, "pw"), expect.password);
      args.push("--password-file", join(dir, "pw"));
    }
    execFileSync(process.env.CXF_CLI, args, { stdio: ["ignore", "ignore", "ignore"] });
    const native = normal(readFileSync(join(dir, "out.json")));
    const wasm = normal(cxf.convert(new Uint8Array(bytes), "cxf", expect.password ? { password: expect.password } : undefined).output);
    assert.deepEqual(wasm, native, name);
    compared++;
  }
  assert.ok(compared >= 40, `${compared} compared`);
});
