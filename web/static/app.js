// chipgap page: plain JS, no framework, no network access beyond this
// server's /api. State lives in the URL hash (#tab?key=value&...), so every
// result can be shared by copying the address.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// el builds an element: el("td", {class: "v"}, "text", child...).
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) {
    if (k === undefined || k === null) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

// fmt prints x with 4 significant digits, no exponent for everyday sizes.
function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return x.toPrecision(3);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  return String(Number(x.toPrecision(4)));
}

// fmtRange prints "min–max" when the range is real.
function fmtRange(min, max, scale = 1) {
  if (min === undefined || max === undefined || min === max) return "";
  return fmt(min / scale) + "–" + fmt(max / scale);
}

// ---- API -------------------------------------------------------------

class APIError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : "HTTP " + status);
    this.status = status;
    this.field = body && body.field;
  }
}

async function api(path, body) {
  const opt = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const r = await fetch("api/" + path, opt);
  let data = null;
  try { data = await r.json(); } catch (e) { /* non-JSON error */ }
  if (!r.ok) throw new APIError(r.status, data);
  return data;
}

// runJob posts to path?async=1 and polls the job, showing progress in
// status, until it is done.
async function runJob(path, body, status) {
  let j = await api(path + (path.includes("?") ? "&" : "?") + "async=1", body);
  while (j.state === "running") {
    showProgress(status, j);
    await new Promise(res => setTimeout(res, 250));
    j = await api("jobs/" + j.id);
  }
  if (j.state === "failed") throw new APIError(j.error.status || 400, j.error);
  return j.result;
}

function showProgress(status, j) {
  const p = j.progress || {};
  const frac = p.total > 0 ? p.done / p.total : 0;
  status.className = "status";
  status.replaceChildren(
    el("span", {}, `${j.kind}: ${p.stage || "working"} ${p.total ? p.done + " / " + p.total : ""} · ${j.elapsed_s.toFixed(1)} s `),
    el("div", {class: "progress"}, el("i", {style: `width:${(100 * frac).toFixed(1)}%`})));
}

function showError(status, err) {
  status.className = "status err";
  status.textContent = (err.field ? err.field + ": " : "") + err.message;
  if (err.field) {
    const form = status.previousElementSibling;
    const input = form && form.elements && form.elements[err.field];
    if (input && input.focus) input.focus();
  }
}

function showOK(status, text) {
  status.className = "status";
  status.textContent = text;
}

// ---- URL state -------------------------------------------------------

function readHash() {
  const h = location.hash.replace(/^#/, "");
  const [tab, q] = h.split("?");
  return {tab: tab || "compare", params: new URLSearchParams(q || "")};
}

function writeHash(tab, params) {
  const q = params.toString();
  history.replaceState(null, "", "#" + tab + (q ? "?" + q : ""));
}

function formParams(form) {
  const p = new URLSearchParams();
  for (const e of form.elements) {
    if (!e.name || e.type === "submit" || e.type === "button") continue;
    if (e.type === "checkbox") { if (e.checked) p.append(e.name, e.value); continue; }
    p.set(e.name, e.value);
  }
  return p;
}

function fillForm(form, params) {
  for (const e of form.elements) {
    if (!e.name || !params.has(e.name) || e.type === "checkbox") continue;
    e.value = params.get(e.name);
  }
}

function showTab(tab) {
  for (const b of $$("#tabs button")) b.classList.toggle("on", b.dataset.tab === tab);
  for (const s of $$("main .tab")) s.classList.toggle("on", s.id === tab);
}

// ---- catalog (loaded once) -------------------------------------------

const catalog = {chips: [], models: [], sources: null};

async function loadSources() {
  if (!catalog.sources) catalog.sources = (await api("sources")).sources;
  return catalog.sources;
}

function fillSelects() {
  for (const s of $$(".chip-select")) {
    s.replaceChildren(...catalog.chips.map(c => el("option", {value: c.id}, c.name)));
    s.value = "h100-sxm";
  }
  const models = catalog.models.map(m => el("option", {value: m.id}, m.name));
  for (const s of $$(".model-select")) { s.replaceChildren(...models.map(o => o.cloneNode(true))); s.value = "llama3.1-70b"; }
  $("#compare-model").append(...models.map(o => o.cloneNode(true)));
  const precs = ["bf16", "fp16", "fp8", "int8", "fp4", "tf32", "fp32"];
  for (const s of [...$$(".precision-select"), $("#compare-precision")]) {
    s.replaceChildren(...precs.map(p => el("option", {value: p}, p)));
  }
  $("#compare-chips").replaceChildren(...catalog.chips.map(c =>
    el("label", {}, el("input", {type: "checkbox", name: "chip", value: c.id}), c.name)));
}

// ---- sources panel (drill-down) --------------------------------------

async function showSources(title, c) {
  const panel = $("#panel");
  const body = $("#panel-body");
  body.replaceChildren(el("h3", {}, title), el("p", {}, "loading sources…"));
  panel.hidden = false;
  const srcs = await loadSources().catch(() => ({}));
  const flags = [c.derived && "derived (computed by chipgap from sourced inputs)", c.assumed && "assumed (nobody published it)"].filter(Boolean);
  body.replaceChildren(
    el("h3", {}, title),
    el("p", {}, el("b", {}, c.display), c.range ? ` (range ${c.range})` : ""),
    flags.length ? el("p", {class: "muted"}, flags.join("; ")) : null,
    c.note ? el("p", {}, c.note) : null,
    el("h4", {}, "Sources"),
    (c.sources && c.sources.length) ? el("ol", {}, c.sources.map(k => {
      const s = srcs[k];
      if (!s) return el("li", {}, k);
      return el("li", {"data-source": k}, s.url ? el("a", {href: s.url, target: "_blank", rel: "noopener"}, s.title) : s.title,
        el("span", {class: "muted"}, ` [${k}${s.kind ? ", " + s.kind : ""}]`));
    })) : el("p", {class: "muted"}, "no source cited"));
}

// ---- compare ---------------------------------------------------------

function compareParams() {
  const p = new URLSearchParams();
  const chips = $$("#compare-chips input:checked").map(i => i.value);
  const order = compareOrder.filter(id => chips.includes(id)).concat(chips.filter(id => !compareOrder.includes(id)));
  if (order.length) p.set("chips", order.join(","));
  p.set("model", $("#compare-model").value);
  p.set("precision", $("#compare-precision").value);
  return p;
}

// compareOrder keeps the chips in the order they were ticked, so the
// first ticked is the baseline.
let compareOrder = [];

function setCompareForm(params) {
  const chips = (params.get("chips") || "h100-sxm,h20,b200,ascend-910b,ascend-910c").split(",");
  compareOrder = chips;
  for (const i of $$("#compare-chips input")) i.checked = chips.includes(i.value);
  $("#compare-model").value = params.get("model") || "llama3.1-70b";
  $("#compare-precision").value = params.get("precision") || "bf16";
}

async function runCompare() {
  const status = $("#compare-status");
  const p = compareParams();
  writeHash("compare", p);
  showOK(status, "comparing…");
  try {
    const res = await api("compare?" + p.toString());
    renderCompare(res);
    showOK(status, `${res.chips.length} chips at ${res.precision}` + (res.model ? `, model ${res.model.name}` : ""));
  } catch (e) { showError(status, e); }
}

function renderCompare(res) {
  const head = el("tr", {}, el("th", {class: "lbl"}, "quantity"), res.chips.map(c => el("th", {"data-chip": c.id}, c.name)));
  const rows = res.rows.map(r => el("tr", {"data-row": r.key},
    el("td", {class: "lbl", title: r.note || ""}, r.label, el("span", {class: "muted"}, ` (${r.unit})`)),
    r.cells.map((c, i) => compareCell(r, c, res.chips[i]))));
  $("#compare-out").replaceChildren(
    el("table", {id: "compare-table"}, el("thead", {}, head), el("tbody", {}, rows)),
    chartsOf(res.charts));
}

function compareCell(r, c, chip) {
  if (!c.known) return el("td", {class: "na"}, "–");
  const display = fmt(c.typ / r.scale);
  const range = fmtRange(c.min, c.max, r.scale);
  let ratio = null;
  if (c.ratio && chip !== undefined) {
    const better = (r.better === "higher") === (c.ratio >= 1);
    ratio = el("span", {class: "ratio " + (c.ratio === 1 ? "" : better ? "good" : "bad")}, "×" + fmt(c.ratio));
  }
  const flag = c.assumed ? el("span", {class: "flag", title: "assumed"}, "A") : c.derived ? el("span", {class: "flag", title: "derived"}, "D") : null;
  return el("td", {class: "v", "data-typ": c.typ, "data-scale": r.scale,
    onclick: () => showSources(`${r.label} — ${chip.name}`, {...c, display: display + " " + r.unit, range})},
    el("span", {class: "num"}, display), flag, range ? el("span", {class: "rng"}, range) : null, ratio);
}

function chartsOf(charts) {
  const box = el("div", {class: "charts"});
  for (const c of charts || []) {
    const d = el("div", {"data-chart": c.key});
    d.innerHTML = c.svg; // drawn by our server's plot package, labels escaped
    box.append(d);
  }
  return box;
}

// ---- training --------------------------------------------------------

function trainBody(form) {
  const f = form.elements;
  return {
    chip: f.chip.value, chips: Number(f.chips.value), model: f.model.value,
    tokens: Number(f.tokens.value), seq: Number(f.seq.value),
    global_batch: Number(f.batch.value), precision: f.precision.value,
  };
}

async function runTrain(search) {
  const form = $("#train-form");
  const status = $("#train-status");
  const p = formParams(form);
  if (search) p.set("search", "1");
  writeHash("train", p);
  showOK(status, search ? "searching plans…" : "estimating…");
  try {
    const res = search ? await runJob("train/search", trainBody(form), status) : await api("train/estimate", trainBody(form));
    renderTrain(res);
    showOK(status, search ? `best of ${res.evaluated ?? "?"} plans` : "estimate");
  } catch (e) { showError(status, e); }
}

// bigNumber is one headline figure with its range.
function bigNumber(key, label, v, unit, scale = 1) {
  if (!v) return null;
  const typ = typeof v === "number" ? v : v.typ;
  const range = typeof v === "number" ? "" : fmtRange(v.min, v.max, scale);
  return el("div", {"data-key": key, "data-typ": typ, "data-scale": scale},
    el("span", {class: "muted"}, label), el("b", {class: "num"}, fmt(typ / scale)), ` ${unit} `,
    range ? el("span", {class: "rng"}, "range " + range) : null);
}

function renderTrain(res) {
  const out = $("#train-out");
  out.replaceChildren(el("pre", {}, JSON.stringify(res, null, 1)));
  if (window.renderTrainResult) window.renderTrainResult(res, out);
}

// ---- inference, whole run, report ------------------------------------

function inferBody(form) {
  const f = form.elements;
  return {
    chip: f.chip.value, chips: Number(f.chips.value), model: f.model.value,
    prompt: Number(f.prompt.value), output: Number(f.output.value), precision: f.precision.value,
    slo: {tpot_ms: Number(f.tpot_ms.value), ttft_ms: Number(f.ttft_ms.value)},
  };
}

async function runInfer() {
  const form = $("#infer-form");
  const status = $("#infer-status");
  writeHash("infer", formParams(form));
  showOK(status, "computing the curve…");
  try {
    const res = await api("infer/curve", inferBody(form));
    $("#infer-out").replaceChildren(chartsOf(res.charts), el("pre", {}, JSON.stringify(res.best ?? res, null, 1)));
    showOK(status, "curve");
  } catch (e) { showError(status, e); }
}

function runBody(form) {
  const f = form.elements;
  return {
    chip: f.chip.value, chips: Number(f.chips.value), model: f.model.value,
    tokens: Number(f.tokens.value), samples: Number(f.samples.value), seed: Number(f.seed.value),
  };
}

async function runRun() {
  const form = $("#run-form");
  const status = $("#run-status");
  writeHash("run", formParams(form));
  showOK(status, "simulating…");
  try {
    const res = await runJob("run/simulate", runBody(form), status);
    $("#run-out").replaceChildren(chartsOf(res.charts), el("pre", {}, JSON.stringify(res, null, 1)));
    showOK(status, "simulated");
  } catch (e) { showError(status, e); }
}

async function runReport() {
  const form = $("#report-form");
  const status = $("#report-status");
  const text = form.elements.scenario.value;
  writeHash("report", new URLSearchParams(text.length < 1500 ? {scenario: text} : {}));
  showOK(status, "building the report…");
  try {
    const res = await runJob("report", {scenario: text}, status);
    $("#report-out").replaceChildren(chartsOf(res.charts), el("pre", {}, JSON.stringify(res, null, 1)));
    showOK(status, "report");
  } catch (e) { showError(status, e); }
}

// ---- start -----------------------------------------------------------

const runners = {compare: runCompare, train: () => runTrain(readHash().params.get("search") === "1"), infer: runInfer, run: runRun, report: runReport};

async function start() {
  const [chips, models] = await Promise.all([api("chips"), api("models")]);
  catalog.chips = chips.chips;
  catalog.models = models.models;
  fillSelects();
  const {tab, params} = readHash();
  setCompareForm(tab === "compare" ? params : new URLSearchParams());
  if (tab !== "compare" && $("#" + tab + "-form")) fillForm($("#" + tab + "-form"), params);
  showTab(runners[tab] ? tab : "compare");
  wire();
  // The comparison is the landing view: draw it at once.
  if (tab === "compare" || !runners[tab]) await runCompare();
  else if (params.toString()) await runners[tab]();
  document.body.dataset.ready = "1";
}

function wire() {
  for (const b of $$("#tabs button")) b.addEventListener("click", () => {
    showTab(b.dataset.tab);
    const form = $("#" + b.dataset.tab + "-form");
    writeHash(b.dataset.tab, b.dataset.tab === "compare" ? compareParams() : formParams(form));
  });
  $("#compare-chips").addEventListener("change", e => {
    const id = e.target.value;
    compareOrder = compareOrder.filter(x => x !== id);
    if (e.target.checked) compareOrder.push(id);
  });
  $("#compare-form").addEventListener("submit", e => { e.preventDefault(); runCompare(); });
  $("#train-form").addEventListener("submit", e => { e.preventDefault(); runTrain(false); });
  $("#train-search").addEventListener("click", () => runTrain(true));
  $("#infer-form").addEventListener("submit", e => { e.preventDefault(); runInfer(); });
  $("#run-form").addEventListener("submit", e => { e.preventDefault(); runRun(); });
  $("#report-form").addEventListener("submit", e => { e.preventDefault(); runReport(); });
  $("#panel-close").addEventListener("click", () => { $("#panel").hidden = true; });
  $("#share").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(location.href); $("#shared").textContent = "link copied"; }
    catch (e) { $("#shared").textContent = location.href; }
  });
}

start().catch(e => {
  const s = $("#compare-status");
  showError(s, e);
  document.body.dataset.ready = "error";
});
