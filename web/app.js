// The converter page: reads a file the user picks or drops, shows what it is (counts only,
// never a secret), its validation findings, and converts it with the cxf-wasm package. Makes
// no network request: the WebAssembly module's bytes come from a script module of this folder.
import init, * as cxf from "./pkg/cxf_wasm.js";
import wasmBase64 from "./pkg/cxf_wasm_bytes.js";

const $ = (id) => document.getElementById(id);
const state = { bytes: null, name: "", source: "", items: 0, formats: [], urls: [] };

function setStatus(text) {
  $("status").textContent = text;
}

function showError(err) {
  const box = $("error");
  if (!err) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  // CxfError messages never hold a value from the input; add what to do for the common cases.
  let text = err.message ?? String(err);
  if (err.kind === "password-required") text = "This export is encrypted: type its password above, then choose “Read again”.";
  else if (err.kind === "decryption-failed") text = "The password is wrong, or the file is damaged. Check the password and choose “Read again”.";
  else if (err.code === "convert.unknown-format") text = "The format of this file was not recognised. Choose its format in “Read as”, then “Read again”.";
  else if (err.code === "convert.ambiguous") text = `${text}. Choose one in “Read as”, then “Read again”.`;
  box.textContent = err.code ? `${text} (${err.code})` : text;
  box.hidden = false;
}

function cell(row, text, tag = "td") {
  const c = document.createElement(tag);
  c.textContent = text;
  row.appendChild(c);
  return c;
}

function fillCounts(table, counts, empty) {
  const body = table.tBodies[0];
  body.replaceChildren();
  const entries = Object.entries(counts);
  if (entries.length === 0) {
    const row = body.insertRow();
    cell(row, empty).colSpan = 2;
    return;
  }
  for (const [k, v] of entries) {
    const row = body.insertRow();
    cell(row, k, "th").scope = "row";
    cell(row, String(v));
  }
}

function formatName(name) {
  return state.formats.find((f) => f.name === name)?.displayName ?? name;
}

function password() {
  return $("password").value || undefined;
}

/** Reads the current file: summary and validation. */
function analyse() {
  showError(null);
  for (const id of ["summary-section", "validation-section", "convert-section", "result"]) $(id).hidden = true;
  if (!state.bytes) return;
  const started = performance.now();
  let cxfForm;
  try {
    cxfForm = cxf.convert(state.bytes, "cxf", { from: $("from").value || undefined, password: password() });
  } catch (err) {
    setStatus(`Could not read ${state.name}.`);
    showError(err);
    return;
  }
  try {
    state.source = cxfForm.sourceFormat;
    const s = cxf.inspect(cxfForm.output);
    state.items = s.items;
    const readLoss = cxfForm.lost.length + cxfForm.changed.length;
    const dl = $("summary");
    dl.replaceChildren();
    const add = (term, value) => {
      cell(dl, term, "dt");
      cell(dl, value, "dd");
    };
    add("File", state.name);
    add("Format", `${formatName(state.source)} (${state.source})`);
    if (state.source === "cxf") add("Exporter", s.exporterRpId);
    add("Accounts", String(s.accounts));
    add("Items", String(s.items));
    add("Credentials", String(s.credentials));
    if (state.source !== "cxf") add("Values not carried into CXF", String(readLoss));
    fillCounts($("by-type"), s.credentialsByType, "none");
    fillCounts($("by-site"), s.passkeysByRpId, "no passkeys");
    $("summary-section").hidden = false;

    // Validation: of the file itself when it is CXF, else of its CXF form.
    const findings = state.source === "cxf" ? cxf.validate(state.bytes) : cxf.validate(cxfForm.output);
    $("validation-note").textContent =
      (state.source === "cxf" ? "The CXF 1.0 rules, checked on this file. " : "The CXF 1.0 rules, checked on the CXF form of this export (pointers are into that form). ") +
      (findings.length === 0 ? "No findings: it is valid." : `${findings.length} finding${findings.length === 1 ? "" : "s"}:`);
    const list = $("findings");
    list.replaceChildren();
    for (const d of findings) {
      const li = document.createElement("li");
      const sev = document.createElement("span");
      sev.className = `sev-${d.severity}`;
      sev.textContent = d.severity;
      li.append(sev, " ");
      const rule = document.createElement("code");
      rule.textContent = d.rule;
      li.append(rule, " at ");
      const ptr = document.createElement("code");
      ptr.className = "pointer";
      ptr.textContent = d.pointer || "/";
      li.append(ptr, `: ${d.message}`);
      if (d.hint) li.append(` ${d.hint}`);
      list.appendChild(li);
    }
    $("validation-section").hidden = false;
    $("convert-section").hidden = false;
    updateEncrypt();
    setStatus(`Read ${state.name} as ${formatName(state.source)} in ${Math.round(performance.now() - started)} ms.`);
  } finally {
    cxfForm.output.fill(0);
  }
}

function updateEncrypt() {
  const f = state.formats.find((f) => f.name === $("to").value);
  $("encrypt-row").hidden = !f?.canEncrypt || f.name === "kdbx";
  if ($("encrypt-row").hidden) $("encrypt").checked = false;
}

function download(link, bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  state.urls.push(url);
  link.href = url;
  link.download = name;
}

function convert() {
  showError(null);
  $("result").hidden = true;
  for (const u of state.urls.splice(0)) URL.revokeObjectURL(u);
  const to = $("to").value;
  const target = state.formats.find((f) => f.name === to);
  const encrypt = $("encrypt").checked;
  if ((encrypt || to === "kdbx") && !password()) {
    showError(new Error(to === "kdbx" ? "A KeePass database needs a password: type it in the password field above." : "Type the password to protect the output with in the password field above."));
    $("password").focus();
    return;
  }
  const started = performance.now();
  let c;
  try {
    c = cxf.convert(state.bytes, to, { from: $("from").value || undefined, password: password(), encrypt });
  } catch (err) {
    showError(err);
    return;
  }
  const ms = Math.round(performance.now() - started);
  const base = state.name.replace(/\.[^.]*$/, "") || "export";
  const ext = encrypt && to === "cxf" ? "cxf.age" : (target?.extensions[0] ?? "out");
  download($("download-output"), c.output, `${base}.${ext}`, "application/octet-stream");
  c.output.fill(0);
  const entry = (l) => ({ pointer: l.pointer, itemIndex: l.itemIndex ?? null, itemTitle: l.itemTitle ?? null, what: l.what, reason: l.reason, detail: l.detail });
  const report = {
    input: state.name,
    from: c.sourceFormat,
    to,
    itemsRead: state.items,
    summary: { lost: c.lost.length, changed: c.changed.length },
    lost: c.lost.map(entry),
    changed: c.changed.map(entry),
    notes: c.notes,
  };
  download($("download-report"), new TextEncoder().encode(JSON.stringify(report, null, 2)), `${base}.loss-report.json`, "application/json");
  const body = $("loss").tBodies[0];
  body.replaceChildren();
  for (const l of [...c.lost, ...c.changed]) {
    const row = body.insertRow();
    cell(row, l.kind);
    cell(row, l.itemTitle ?? (l.itemIndex !== undefined ? `#${l.itemIndex}` : ""));
    cell(row, l.what);
    cell(row, l.reason);
    cell(row, l.detail);
  }
  $("loss").hidden = c.lost.length + c.changed.length === 0;
  $("result-text").textContent =
    `Converted ${formatName(c.sourceFormat)} to ${formatName(to)} in ${ms} ms: ` +
    `${c.lost.length} value${c.lost.length === 1 ? "" : "s"} lost, ${c.changed.length} changed.`;
  $("result").hidden = false;
  setStatus(`Converted to ${formatName(to)}. The files are ready to download.`);
  $("download-output").focus();
}

async function openFile(file) {
  if (!file) return;
  state.bytes?.fill(0);
  state.name = file.name;
  state.bytes = new Uint8Array(await file.arrayBuffer());
  setStatus(`Reading ${file.name}…`);
  analyse();
}

async function main() {
  const bin = atob(wasmBase64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  await init({ module_or_path: bytes });

  state.formats = cxf.formats();
  for (const f of state.formats) {
    if (f.canRead && f.name !== "generic-csv") $("from").add(new Option(`${f.displayName} (${f.name})`, f.name));
    if (f.canWrite) $("to").add(new Option(`${f.displayName} (${f.name})`, f.name));
  }
  $("to").value = "cxf";

  $("file").addEventListener("change", (e) => openFile(e.target.files[0]));
  $("reread").addEventListener("click", analyse);
  $("from").addEventListener("change", analyse);
  $("password").addEventListener("keydown", (e) => {
    if (e.key === "Enter") analyse();
  });
  $("to").addEventListener("change", updateEncrypt);
  $("convert").addEventListener("click", convert);

  const drop = $("drop");
  document.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  document.addEventListener("dragleave", () => drop.classList.remove("over"));
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    openFile(e.dataTransfer.files[0]);
  });

  for (const id of ["file", "from", "password", "reread"]) $(id).disabled = false;
  setStatus(`Ready (cxf-wasm ${cxf.version()}). Choose an export file.`);
}

main().catch((err) => {
  setStatus("The converter could not start.");
  showError(err);
});
