// chipgap page: plain JS, no framework, no network access beyond this
// server. State lives in the URL hash (#tab?key=value&...), so every
// result can be shared by copying the address; each tab change is a
// history entry. Charts: lib/charts.js (uPlot) draws package plot's
// chart specs.
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

// put replaces node's children with kids, skipping null and undefined
// (replaceChildren would print them as text).
function put(node, ...kids) {
  node.replaceChildren(...kids.flat().filter(k => k !== null && k !== undefined));
}

// ---- numbers, the way a person writes them -----------------------------

// fmt prints x to 4 significant digits: grouped thousands, never an
// exponent beside a grouped integer (1,042,000, not 1.04e+6).
function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  const a = Math.abs(x);
  if (a >= 1e15) return fmtBig(x);
  if (a !== 0 && a < 1e-3) return x.toPrecision(3);
  if (a >= 1000) return (Number.isInteger(x) ? x : Number(x.toPrecision(4))).toLocaleString("en-US", {maximumFractionDigits: 0});
  return String(Number(x.toPrecision(4)));
}

// fmtBig prints large counts with a word: 15 trillion → "15T".
function fmtBig(x) {
  const a = Math.abs(x);
  for (const [d, s] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]]) if (a >= d) return String(Number((x / d).toPrecision(3))) + s;
  return fmt(x);
}

// fmtMoney: $641k, $1.2M, $6.48.
function fmtMoney(usd) {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "–";
  const a = Math.abs(usd);
  const p = v => String(Number(v.toPrecision(3)));
  if (a >= 1e9) return "$" + p(usd / 1e9) + "B";
  if (a >= 1e6) return "$" + p(usd / 1e6) + "M";
  if (a >= 1e4) return "$" + p(usd / 1e3) + "k";
  if (a >= 100) return "$" + Math.round(usd).toLocaleString("en-US");
  return "$" + usd.toFixed(2);
}

// fmtMs prints a duration given in milliseconds in the unit a person
// would use: 850 ms, 15.3 s, 4.2 min.
function fmtMs(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const p = v => String(Number(v.toPrecision(3)));
  if (Math.abs(ms) < 1000) return p(ms) + " ms";
  if (Math.abs(ms) < 120e3) return p(ms / 1e3) + " s";
  if (Math.abs(ms) < 7200e3) return p(ms / 60e3) + " min";
  return p(ms / 3600e3) + " h";
}

// fmtRatio: ×0.15, ×2.4.
const fmtRatio = r => "×" + String(Number(r.toPrecision(2)));

// fmtRange prints "min–max" when the range is real.
function fmtRange(min, max, scale = 1, f = fmt) {
  if (min === undefined || max === undefined || min === null || max === null || min === max) return "";
  return f(min / scale) + "–" + f(max / scale);
}

// parseAmount reads a count as people type it: 15e12, 15T, 2.5B, 800M,
// 1,000,000. Anything else is an error naming the field.
function parseAmount(text, field) {
  const t = String(text).trim().replace(/,/g, "").replace(/_/g, "");
  const m = /^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kKmMbBgGtT]?)$/.exec(t);
  const mult = {"": 1, k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12};
  if (!m) throw fieldError(field, `"${text}": want a number such as 15e12 or 15T (k, M, B, T allowed)`);
  return Number(m[1]) * mult[m[2].toLowerCase()];
}

function fieldError(field, msg) {
  const e = new Error(msg);
  e.field = field;
  return e;
}

// ---- API -------------------------------------------------------------

class APIError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : "HTTP " + status);
    this.status = status;
    this.field = body && body.field;
  }
}

// request is the page's one network call: this server only.
async function request(path, body, text, method) {
  const opt = body === undefined ? {method: method || "GET"} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const r = await fetch(path, opt);
  if (text) { if (!r.ok) throw new APIError(r.status, null); return r.text(); }
  let data = null;
  try { data = await r.json(); } catch (e) { /* non-JSON error */ }
  if (!r.ok) throw new APIError(r.status, data);
  return data;
}

const api = (path, body) => request("api/" + path, body);

// runJob posts to path?async=1 and polls the job, showing progress in
// status (with a Cancel button), until it is done. newest is the asking
// run's ticket: once a newer run of the tab has taken one, the job is
// cancelled on the server (DELETE /api/jobs/{id}, so it stops holding a
// slot), nothing more is shown, and runJob throws (the caller, no longer
// live, shows nothing either).
async function runJob(path, body, status, newest) {
  let j = await api(path + (path.includes("?") ? "&" : "?") + "async=1", body);
  const superseded = () => {
    if (j.state === "running") request("api/jobs/" + j.id, undefined, false, "DELETE").catch(() => {});
    return new Error("superseded by a newer run");
  };
  if (!newest()) throw superseded();
  status.dataset.job = j.id;
  status.cancelled = false;
  while (j.state === "running") {
    showProgress(status, j);
    await new Promise(res => setTimeout(res, 250));
    if (!newest()) throw superseded();
    if (status.cancelled) throw fieldError("", "cancelled");
    j = await api("jobs/" + j.id);
    if (!newest()) throw superseded();
  }
  if (j.state === "failed") throw new APIError(j.error.status || 400, j.error);
  return j.result;
}

function showProgress(status, j) {
  const p = j.progress || {};
  const frac = p.total > 0 ? p.done / p.total : 0;
  status.className = "status";
  put(status,
    el("span", {}, `${j.kind}: ${p.stage || "working"} ${p.total ? p.done + " / " + p.total : ""} · ${j.elapsed_s.toFixed(1)} s `),
    el("div", {class: "progress"}, el("i", {style: `width:${(100 * frac).toFixed(1)}%`})),
    el("button", {type: "button", class: "cancel", onclick: () => {
      status.cancelled = true; // stop polling, and stop the job on the server
      request("api/jobs/" + j.id, undefined, false, "DELETE").catch(() => {});
    }}, "Cancel"));
}

// The API names fields as request paths ("plan.tp",
// "workload.input.tokens"), the built forms' input names; an error about
// a group ("parallel") focuses its first input.
function showError(status, err) {
  status.className = "status err";
  status.textContent = (err.field ? err.field + ": " : "") + err.message;
  const out = status.nextElementSibling && status.nextElementSibling.classList.contains("results") ? status.nextElementSibling : null;
  markStale(out, "out of date: the inputs changed and gave the error above");
  if (err.field) {
    const last = err.field.split(".").pop().replace(/\[\d+\]$/, "");
    const form = status.previousElementSibling;
    const first = err.field.split(/[.[]/)[0];
    const f = form && form.elements;
    const group = f && [...f].find(e => e.name && e.name.startsWith(err.field + "."));
    const input = f && (f[err.field] || group || f[last] || f[first]);
    if (input && input.focus) input.focus();
  }
}

function showOK(status, text) {
  status.className = "status";
  status.textContent = text;
}

// markStale greys a tab's old result under a new error (or while a new
// one is computed), saying why; a new result clears it.
function markStale(results, why) {
  if (!results) return;
  const out = $(".out", results);
  if (!out || !out.childElementCount) return;
  results.classList.add("stale");
  let note = $(".stale-note", results);
  if (!note) { note = el("p", {class: "stale-note"}); results.prepend(note); }
  note.textContent = why;
}

function fresh(out) {
  const results = out.closest(".results");
  if (!results) return;
  results.classList.remove("stale");
  const note = $(".stale-note", results);
  if (note) note.remove();
}

// ---- URL state and history -------------------------------------------

function readHash() {
  const h = location.hash.replace(/^#/, "");
  const [tab, q] = h.split("?");
  return {tab: tab || "compare", params: new URLSearchParams(q || "")};
}

// writeHash records the tab's state: a new history entry when the tab
// changes (so Back returns to the last tab), else the entry is updated.
function writeHash(tab, params) {
  const q = params.toString();
  const url = "#" + tab + (q ? "?" + q : "");
  if (url === location.hash) return;
  if (readHash().tab !== tab) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

function formParams(form) {
  const p = new URLSearchParams();
  for (const e of form.elements) {
    if (!e.name || e.type === "submit" || e.type === "button") continue;
    if (e.type === "checkbox") { if (e.checked) p.append(e.name, e.value); continue; }
    if (e.value !== "") p.set(e.name, e.value);
  }
  return p;
}

// fillForm writes an address's state into a form; in a built form
// (formSpecs) a field the address leaves out is empty (a select: its
// initial choice), as formParams left it out.
function fillForm(form, params) {
  const tab = form.id.replace(/-form$/, "");
  const built = !!formSpecs[tab];
  if (built) params = legacyParams(tab, params);
  for (const e of form.elements) {
    if (!e.name || e.type === "checkbox" || e.type === "submit" || e.type === "button") continue;
    if (params.has(e.name)) e.value = params.get(e.name);
    else if (built && params.toString()) e.value = e.dataset.initial === undefined ? "" : (e.tagName === "SELECT" ? e.dataset.initial : "");
  }
}

function showTab(tab) {
  for (const b of $$("#tabs button")) { b.classList.toggle("on", b.dataset.tab === tab); b.setAttribute("aria-selected", b.dataset.tab === tab); }
  for (const s of $$("main .tab")) s.classList.toggle("on", s.id === tab);
  const on = $(`#tabs button[data-tab="${tab}"]`);
  const nav = $("#tabs");
  if (on && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = on.offsetLeft - (nav.clientWidth - on.offsetWidth) / 2;
}

// ---- catalog (loaded once) -------------------------------------------

const catalog = {chips: [], models: [], sources: null, glossary: null, devices: {}};

async function loadSources() {
  if (!catalog.sources) catalog.sources = (await api("sources")).sources;
  return catalog.sources;
}

// devicesPerChip asks the catalog how many devices the software sees
// per chip (a 910C is two).
async function devicesPerChip(id) {
  if (!(id in catalog.devices)) {
    try { catalog.devices[id] = (await api("chips/" + encodeURIComponent(id))).chip.devices_per_chip || 1; } catch (e) { return 1; }
  }
  return catalog.devices[id];
}

function fillSelects() {
  for (const s of $$(".chip-select")) {
    put(s, s.dataset.optional ? el("option", {value: ""}, "the serving pool's") : null, ...catalog.chips.map(c => el("option", {value: c.id}, c.name)));
    s.value = s.dataset.optional ? "" : "h100-sxm";
  }
  const models = catalog.models.map(m => el("option", {value: m.id}, m.name));
  for (const s of $$(".model-select")) { put(s, ...models.map(o => o.cloneNode(true))); s.value = "llama3.1-70b"; }
  $("#compare-model").append(...models.map(o => o.cloneNode(true)));
  const precs = ["bf16", "fp16", "fp8", "int8", "fp4", "tf32", "fp32"];
  for (const s of [...$$(".precision-select"), $("#compare-precision")]) {
    put(s, ...precs.map(p => el("option", {value: p}, p)));
  }
  put($("#compare-chips"), ...catalog.chips.map(c =>
    el("label", {title: `${c.name} (${c.vendor}, ${c.launch_year})`}, el("input", {type: "checkbox", name: "chip", value: c.id}), c.name)));
}

// ---- help: tooltips and the glossary -----------------------------------

// help is each field's tooltip, by form and name (the built forms' come
// from their request's help tags); term is its glossary entry
// (docs/glossary.md, served as glossary.md).
const help = {
  compare: {chip: "chips to compare; the first ticked is the baseline the ratios are against", model: "a model for the per-model rows (weights that fit, tokens/s bounds); (none) leaves them out", precision: "the number format of the peak-compute rows"},
};
const terms = {tp: "tp", pp: "pp", dp: "dp", cp: "cp", ep: "ep", etp: "ep", vpp: "vpp", zero: "zero", microbatch: "micro-batch", recompute: "recompute",
  sequence_parallel: "sp", tpot: "tpot", ttft: "ttft", attention_dp: "attention-groups", chips: "chips-and-devices", devices_per_chip: "chips-and-devices",
  precision: "precision", tokens: "tokens", rate: "goodput", global_batch: "global-batch", seq: "sequence", expert_imbalance: "expert-imbalance",
  capacity_factor: "capacity-factor", pad_to_capacity: "capacity-factor", moe_dispatch: "moe-dispatch", fp8_recipe: "fp8-recipe", chips_per_node: "node", scale_out_gbps: "scale-out", stack: "stack", framework: "stack", stack_date: "stack"};

// addHelp gives every control of form a tooltip and, where the word is
// jargon, a "?" that opens its glossary entry.
function addHelp(form, table) {
  for (const e of form.elements) {
    if (!e.name || e.type === "submit" || e.type === "button") continue;
    const name = e.name.split(".").pop();
    const tip = e.title || table[e.name] || table[name];
    const label = e.closest("label");
    if (tip) { e.title = tip; if (label) label.title = tip; }
    const term = terms[name];
    if (term && label && !$(".gl", label)) {
      const text = label.firstChild;
      const head = el("span", {class: "lh"});
      label.insertBefore(head, text);
      if (text && text.nodeType === Node.TEXT_NODE) head.append(text);
      head.append(el("button", {type: "button", class: "gl", "data-term": term, title: "what is this? (glossary)", tabindex: "-1",
        onclick: ev => { ev.preventDefault(); showTerm(term); }}, "?"));
    }
  }
}

async function loadGlossary() {
  if (catalog.glossary) return catalog.glossary;
  const text = await request("glossary.md", undefined, true);
  const g = {};
  let cur = null;
  for (const line of text.split("\n")) {
    const m = /^## (.+?)\s*\{#([a-z0-9-]+)\}\s*$/.exec(line);
    if (m) { cur = g[m[2]] = {title: m[1], text: []}; continue; }
    if (cur && line.trim()) cur.text.push(line.trim());
  }
  catalog.glossary = g;
  return g;
}

async function showTerm(term) {
  const g = await loadGlossary().catch(() => ({}));
  const e = g[term];
  $("#panel").hidden = false;
  put($("#panel-body"), el("h3", {}, e ? e.title : term), e ? el("p", {"data-term": term}, e.text.join(" ")) : el("p", {}, "no glossary entry"),
    el("p", {class: "muted"}, "From docs/glossary.md (", el("a", {href: "glossary.md#" + term, target: "_blank"}, "the whole glossary"), ")."));
  $("#panel-close").focus();
}

// ---- sources panel (drill-down) --------------------------------------

async function showSources(title, c) {
  const panel = $("#panel");
  const body = $("#panel-body");
  put(body, el("h3", {}, title), el("p", {}, "loading sources…"));
  panel.hidden = false;
  const srcs = await loadSources().catch(() => ({}));
  const flags = [c.derived && "derived (D: computed by chipgap from sourced inputs)", c.assumed && "assumed (A: nobody published it)"].filter(Boolean);
  put(body,
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

// ---- charts ------------------------------------------------------------

// chartsOf places the server's charts (SVG with their data) and has
// lib/charts.js draw them once they are in the page; marks adds markers
// by chart key (the chosen point, the SLO's label).
function chartsOf(charts, marks) {
  const box = el("div", {class: "charts"});
  for (const c of charts || []) {
    const d = el("div", {"data-chart": c.key});
    d.innerHTML = c.svg; // drawn by our server's plot package, labels escaped
    box.append(d);
  }
  queueMicrotask(() => { if (window.chipgapCharts && box.isConnected) chipgapCharts.upgrade(box, marks); });
  return box;
}

// ---- live results, pins ----------------------------------------------

// live reruns fn 80 ms after the last edit of form (typing pauses); a
// newer run makes an older answer moot (runs carry a sequence number).
// rendered() times each answer from the edit (data-latency-ms).
function live(form, fn, skip) {
  let t = null;
  const go = e => {
    if (skip && skip(e)) return;
    form.dataset.editedAt = String(performance.now());
    clearTimeout(t);
    t = setTimeout(fn, 80);
  };
  form.addEventListener("input", go);
  form.addEventListener("change", go);
}

// ticket numbers a new run of a tab and returns its test: whether it is
// still the tab's newest run. Every run takes one before its first await
// and checks it after each, so an older answer (or error) never
// replaces a newer run's; runJob also cancels an older run's job.
const seq = {};
function ticket(tab) {
  const n = seq[tab] = (seq[tab] || 0) + 1;
  return () => seq[tab] === n;
}

// rendered marks a fresh result and times it against the last edit.
function rendered(tab) {
  const out = $("#" + tab + "-out");
  fresh(out);
  const form = $("#" + tab + "-form");
  out.dataset.stamp = String((Number(out.dataset.stamp) || 0) + 1);
  if (form && form.dataset.editedAt) {
    out.dataset.latencyMs = (performance.now() - Number(form.dataset.editedAt)).toFixed(1);
    delete form.dataset.editedAt;
  }
  diffPinned(tab);
}

// pin keeps a copy of the tab's result beside the live one; later
// results show their ratio to it.
function pin(tab) {
  const out = $("#" + tab + "-out");
  const box = $("#" + tab + "-pin");
  if (!out.childElementCount) return;
  const copy = out.cloneNode(true);
  copy.removeAttribute("id");
  // Canvases do not clone: keep each chart's picture, sized to the pane.
  const live = $$(".chart", out), cloned = $$(".chart", copy);
  cloned.forEach((c, i) => {
    const u = live[i] && live[i].chart && live[i].chart.u;
    const plot = $(".chart-plot", c);
    if (u && plot) plot.replaceWith(el("img", {src: u.ctx.canvas.toDataURL(), alt: live[i].chart.spec.title, class: "pinned-chart"}));
  });
  $$(".chart-tools", copy).forEach(t => t.remove());
  put(box, el("div", {class: "pin-head"}, el("b", {}, "Pinned"), " ", el("span", {class: "muted"}, decodeURIComponent(location.hash)),
    el("button", {type: "button", class: "unpin", onclick: () => { put(box); box.hidden = true; box.parentElement.classList.remove("pinned"); diffPinned(tab); }}, "Unpin")), copy);
  box.hidden = false;
  box.parentElement.classList.add("pinned");
  diffPinned(tab);
}

// diffPinned writes, under each headline figure, its ratio to the
// pinned result's.
function diffPinned(tab) {
  const box = $("#" + tab + "-pin");
  const out = $("#" + tab + "-out");
  $$(".delta", out).forEach(d => d.remove());
  if (!box || box.hidden) return;
  for (const d of $$(".big [data-key]", out)) {
    const p = $(`.big [data-key="${d.dataset.key}"]`, box);
    if (!p) continue;
    const a = Number(d.dataset.typ), b = Number(p.dataset.typ);
    if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) continue;
    d.append(el("span", {class: "delta"}, `${fmtRatio(a / b)} vs pinned`));
  }
  for (const td of $$("td[data-typ]", out)) {
    const row = td.closest("tr"), col = [...row.children].indexOf(td);
    const prow = $(`tr[data-row="${row.dataset.row}"]`, box);
    const ptd = prow && prow.children[col];
    if (!ptd || !ptd.dataset.typ) continue;
    const a = Number(td.dataset.typ), b = Number(ptd.dataset.typ);
    if (b !== 0 && a !== b) td.append(el("span", {class: "delta"}, `${fmtRatio(a / b)} vs pinned`));
  }
}

// ---- compare ---------------------------------------------------------

function compareParams() {
  const p = new URLSearchParams();
  const chips = $$("#compare-chips input:checked").map(i => i.value);
  const order = compareOrder.filter(id => chips.includes(id)).concat(chips.filter(id => !compareOrder.includes(id)));
  if (!order.length) throw fieldError("chip", "tick at least one chip to compare");
  p.set("chips", order.join(","));
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
  countChips();
}

function countChips() {
  const n = $$("#compare-chips input:checked").length;
  $("#compare-count").textContent = `${n} of ${catalog.chips.length} ticked`;
}

// runCompare draws the comparison the form asks for; prefetched is the
// landing request start made before the form existed, used if it matches.
async function runCompare(prefetched) {
  const status = $("#compare-status");
  const newest = ticket("compare");
  try {
    const p = compareParams();
    writeHash("compare", p);
    showOK(status, "comparing…");
    const q = p.toString();
    const res = await (prefetched && prefetched.q === q ? prefetched.res : api("compare?" + q));
    if (!newest()) return;
    renderCompare(res);
    showOK(status, `${res.chips.length} chips at ${res.precision}` + (res.model ? `, model ${res.model.name}` : ""));
  } catch (e) { if (newest()) showError(status, e); }
}

function renderCompare(res) {
  const head = el("tr", {}, el("th", {class: "lbl"}, "quantity"), res.chips.map(c => el("th", {"data-chip": c.id}, c.name)));
  const rows = res.rows.map(r => {
    // The efficiency rows' labels name the chosen precision (the API computes them at it).
    return el("tr", {"data-row": r.key},
      el("td", {class: "lbl", title: r.note || ""}, r.label, el("span", {class: "muted"}, ` (${r.unit})`)),
      r.cells.map((c, i) => compareCell(r, c, res.chips[i])));
  });
  put($("#compare-out"),
    el("div", {class: "scroll-x"}, el("table", {id: "compare-table"}, el("thead", {}, head), el("tbody", {}, rows))),
    el("p", {class: "muted"}, "Marks: ", el("span", {class: "flag"}, "A"), " assumed (nobody published it), ", el("span", {class: "flag"}, "D"),
      " derived (computed from sourced inputs); small print under a number: its range; ×: ratio to the first chip. Click a number for its sources."),
    chartsOf(res.charts));
  rendered("compare");
}

function compareCell(r, c, chip) {
  if (!c.known) return el("td", {class: "na"}, "–");
  const display = fmt(c.typ / r.scale);
  const range = fmtRange(c.min, c.max, r.scale);
  let ratio = null;
  if (c.ratio && chip !== undefined) {
    const better = (r.better === "higher") === (c.ratio >= 1);
    ratio = el("span", {class: "ratio " + (c.ratio === 1 ? "" : better ? "good" : "bad")}, fmtRatio(c.ratio));
  }
  const flag = c.assumed ? el("span", {class: "flag", title: "assumed: nobody published it"}, "A") : c.derived ? el("span", {class: "flag", title: "derived: computed by chipgap from sourced inputs"}, "D") : null;
  return el("td", {class: "v", "data-typ": c.typ, "data-scale": r.scale,
    onclick: () => showSources(`${r.label} — ${chip.name}`, {...c, display: display + " " + r.unit, range})},
    el("span", {class: "num"}, display), flag, range ? el("span", {class: "rng"}, range) : null, ratio);
}

// ---- forms built from the request structs ------------------------------

// The training, inference, serving and whole-run forms are built from
// GET /api/forms/{job}: the fields of the job's calc request struct, so
// page, API and CLI share one definition. Each input's name is the
// field's JSON path ("plan.tp", "workload.input.tokens"). An empty input
// is absent from the request: "auto" (searched, derived, or the job's
// default, which the input shows as its placeholder). layout places the
// headline fields (a name, or a fieldset of names); the rest go, grouped
// by their parent path, behind "More inputs".
const precisions = ["bf16", "fp16", "fp8", "int8", "fp4"];
const formSpecs = {
  train: {job: "train", zeroAuto: "plan.", skip: ["ranges"],
    layout: ["chip", "chips", "model", "tokens", "seq", "global_batch", "precision",
      {legend: "Plan — empty is auto: the search explores it, an estimate derives it (DP: what the chips leave)",
        names: ["plan.tp", "plan.pp", "plan.dp", "plan.cp", "plan.ep", "plan.vpp", "plan.microbatch", "plan.recompute", "plan.zero", "plan.sequence_parallel"]}],
    more: "stack, node, MoE, layers per stage",
    labels: {chips_per_node: "Chips per node", scale_out_gbps: "Scale-out (Gbit/s)", stack: "Stack profile", stack_date: "Stack as of (YYYY-MM-DD)",
      global_batch: "Global batch (sequences)", seq: "Sequence (tokens)", tokens: "Tokens (e.g. 15T)", top: "Plans to rank", "plan.tp": "TP", "plan.pp": "PP",
      "plan.dp": "DP", "plan.cp": "CP", "plan.ep": "EP", "plan.etp": "ETP", "plan.vpp": "VPP", "plan.microbatch": "Micro-batch",
      "plan.sequence_parallel": "Sequence parallel", "plan.stage_layers": "Layers per stage", "plan.recompute_layers": "Recomputed layers per stage",
      moe_dispatch: "MoE dispatch", moe_a2a_overlap: "MoE all-to-all overlap (1F1B)", moe_full_iteration: "MoE full-iteration path", moe_layer_graphs: "MoE layers in CUDA graphs (padded)", moe_graphs: "MoE router and preprocessing in CUDA graphs", fp8_recipe: "FP8 recipe"},
    initial: {chip: "h100-sxm", chips: "1024", model: "llama3.1-70b", tokens: "1e12", precision: "bf16", "plan.tp": "8", "plan.pp": "4"},
    choices: {precision: ["bf16", "fp16", "fp8", "fp4"], "plan.recompute": ["", "none", "selective", "full", "moe"], "plan.zero": ["", "0", "1", "2", "3"],
      moe_dispatch: ["", "flat", "hierarchical", "allgather"], fp8_recipe: ["", "tensorwise", "delayed", "blockwise", "mxfp8"]}},
  infer: {job: "infer", zeroAuto: "parallel.",
    layout: ["chip", "chips", "model", "workload.input_tokens", "workload.output_tokens", "precision", "slo.tpot", "slo.ttft",
      {legend: "An instance's parallelism — empty is auto (one node)", names: ["parallel.tp", "parallel.pp", "parallel.ep", "parallel.attention_dp"]}],
    more: "instances, node, stack, MoE, KV cache, speculative decoding, mode",
    labels: {"workload.input_tokens": "Prompt tokens", "workload.output_tokens": "Output tokens", "slo.tpot": "SLO: time per output token (e.g. 50ms)",
      "slo.ttft": "SLO: time to first token (e.g. 2s)", "parallel.attention_dp": "Attention groups", "parallel.dp": "Instances (DP)", batches: "Batch sizes of the curve"},
    initial: {chip: "h100-sxm", chips: "8", model: "llama3.1-70b", "workload.input_tokens": "2048", "workload.output_tokens": "256", precision: "bf16",
      "slo.tpot": "50ms", "slo.ttft": "2s"},
    choices: {precision: precisions, kv_precision: ["", ...precisions], mode: ["", "colocated", "decode", "prefill", "disagg"], balancer: ["", "eplb", "none"],
      fp8_recipe: ["", "tensorwise", "blockwise"]},
    // An instance must divide the chips (else the API's answer names parallel).
    check: body => {
      const p = body.parallel || {};
      const width = (p.tp || 1) * (p.pp || 1) * (p.attention_dp || 1), chips = body.chips || 8;
      if (p.tp && p.pp && chips % width !== 0) throw fieldError("chips", `${chips} chips: an instance of TP ${p.tp} × PP ${p.pp}${p.attention_dp ? " × " + p.attention_dp + " attention groups" : ""} = ${width} chips must divide it`);
    }},
  serve: {job: "simulate", zeroAuto: "parallel.",
    layout: ["model", "chip", "chips", "parallel.tp", "precision", "workload.rate", "workload.rates", "workload.requests", "workload.seed",
      {legend: "Lengths (tokens; lognormal: the mean, spread by sigma)", names: ["workload.input.tokens", "workload.input.dist", "workload.input.sigma",
        "workload.output.tokens", "workload.output.dist", "workload.output.sigma"]},
      "slo.ttft", "slo.tpot"],
    more: "a prefill pool, arrivals, engine, router, SLO percentile",
    labels: {"parallel.tp": "TP", "workload.rate": "Rate (requests/s)", "workload.rates": "or a sweep of rates (2,4,8)", "workload.requests": "Requests (per rate)",
      "workload.seed": "Seed", "workload.input.tokens": "Input", "workload.input.dist": "Input lengths", "workload.input.sigma": "Input sigma",
      "workload.output.tokens": "Output", "workload.output.dist": "Output lengths", "workload.output.sigma": "Output sigma",
      "slo.ttft": "SLO: time to first token (e.g. 2s)", "slo.tpot": "SLO: time per output token (e.g. 50ms)", "prefill.chip": "Prefill chip"},
    initial: {model: "llama3.1-70b", chip: "h100-sxm", chips: "8", "parallel.tp": "8", precision: "bf16", "workload.rate": "4", "workload.requests": "2000",
      "workload.seed": "1", "workload.input.tokens": "1000", "workload.input.dist": "fixed", "workload.input.sigma": "0.8",
      "workload.output.tokens": "200", "workload.output.dist": "lognormal", "workload.output.sigma": "0.8", "slo.ttft": "2s", "slo.tpot": "50ms"},
    choices: {precision: precisions, kv_precision: ["", ...precisions], mode: ["", "aggregated", "disaggregated"], balancer: ["", "eplb", "none"],
      fp8_recipe: ["", "tensorwise", "blockwise"], router: ["", "round-robin", "least-outstanding", "kv-aware"], scheduler: ["", "fcfs", "spf"], admission: ["", "auto", "on-demand", "reserve"],
      "workload.arrival": ["", "poisson", "gamma", "deterministic", "offline"], "workload.input.dist": ["fixed", "uniform", "lognormal"], "workload.output.dist": ["fixed", "uniform", "lognormal"]},
    // A replica is TP chips: TP must divide Chips.
    check: body => {
      const tp = (body.parallel || {}).tp, chips = body.chips || 8;
      if (tp > 0 && chips % tp !== 0) throw fieldError("parallel.tp", `TP ${tp} does not divide ${chips} chips: a replica is TP chips, so Chips must be a multiple of TP`);
    }},
  run: {job: "run",
    layout: ["chip", "chips", "model", "tokens", "days", "seeds", "seed", "ranges"],
    more: "node, stack, precision, batch, MFU, checkpoints, spares",
    labels: {days: "Days (window; 0 = run to completion)", seeds: "Simulated runs", ranges: "Draw ranged inputs per run", mfu: "MFU (sets the rate; plans still checked for memory)",
      bytes_per_param: "Checkpoint bytes per parameter", storage_bw: "Storage bandwidth (e.g. 2TB/s)", interval: "Checkpoint interval (e.g. 30min)"},
    initial: {chip: "h100-sxm", chips: "4096", model: "llama3.1-70b", tokens: "1e12", days: "0", seeds: "100", seed: "1", ranges: "yes"},
    choices: {precision: ["", "bf16", "fp16", "fp8", "fp4"], checkpoint: ["", "async", "blocking"]}},
};

// groupLegends name the nested groups behind "More inputs".
const groupLegends = {plan: "Plan", parallel: "Parallelism of an instance (replica)", speculative: "Speculative / MTP decoding",
  prefill: "Prefill pool (disaggregated; empty: the serving pool's)", "prefill.parallel": "Prefill pool's parallelism", workload: "Traffic",
  "workload.input": "Prompt lengths", "workload.output": "Output lengths", slo: "SLO"};

// forms holds each built tab's fields (those the page offers).
const forms = {};

function fieldLabel(spec, name) {
  if (spec.labels[name]) return spec.labels[name];
  const last = name.split(".").pop().replace(/_/g, " ");
  return last.length <= 3 ? last.toUpperCase() : last[0].toUpperCase() + last.slice(1);
}

function control(spec, f) {
  const label = fieldLabel(spec, f.name);
  const init = spec.initial[f.name] || "";
  const def = f.default !== undefined && f.default !== null ? String(f.default) : null;
  const opts = spec.choices[f.name] || (f.kind === "bool" ? ["", "yes", "no"] : null);
  let input;
  if (f.name === "chip" || f.name === "model" || f.name === "prefill.chip") {
    input = el("select", {name: f.name, class: f.name.split(".").pop() + "-select", "data-optional": f.name === "prefill.chip" ? "1" : null});
  } else if (opts) {
    input = el("select", {name: f.name}, opts.map(o => el("option", {value: o}, o !== "" ? o : def !== null && f.kind !== "bool" ? `default (${def})` : "auto")));
    input.value = init;
  } else {
    const numeric = f.kind === "int" || f.kind === "float" || f.kind === "quantity";
    input = el("input", {name: f.name, value: init, placeholder: def !== null ? def : "auto", inputmode: numeric ? "decimal" : null,
      size: f.name.includes(".") || f.kind === "int" ? 5 : 9, autocomplete: "off"});
  }
  input.dataset.initial = init;
  input.dataset.kind = f.kind;
  input.title = (f.help || label) + (f.flag ? ` (CLI: --${f.flag})` : " (API only)") + (def !== null ? `; empty: ${def}` : "; empty: auto");
  return el("label", {title: input.title}, label, input);
}

// buildForm fetches the job's fields and lays out the tab's form.
async function buildForm(tab) {
  const spec = formSpecs[tab];
  const form = await api("forms/" + spec.job);
  const fields = form.fields.filter(f => !f.omit && !(spec.skip || []).includes(f.name));
  forms[tab] = fields;
  const by = name => fields.find(f => f.name === name);
  const placed = new Set(spec.layout.flatMap(x => typeof x === "string" ? [x] : x.names));
  const rest = fields.filter(f => !placed.has(f.name));
  const groups = new Map();
  for (const f of rest) {
    const g = f.name.includes(".") ? f.name.slice(0, f.name.lastIndexOf(".")) : "";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(f);
  }
  const top = groups.get("") || [];
  groups.delete("");
  const ctl = f => control(spec, f);
  put($("#" + tab + "-fields"),
    spec.layout.map(x => typeof x === "string" ? (by(x) ? ctl(by(x)) : null)
      : el("fieldset", {}, el("legend", {}, x.legend), x.names.map(by).filter(Boolean).map(ctl))),
    rest.length ? el("details", {class: "more"}, el("summary", {}, `More inputs (${rest.length}): ${spec.more}`),
      el("div", {class: "fields"}, top.map(ctl),
        [...groups].map(([g, fs]) => el("fieldset", {"data-group": g}, el("legend", {}, groupLegends[g] || g), fs.map(ctl))))) : null);
  $("#" + tab + "-form").dataset.request = form.request;
}

// bodyOf is the request a built form states: the job's JSON, empty
// fields absent (and zero degrees under spec.zeroAuto: auto).
function bodyOf(tab, form) {
  const spec = formSpecs[tab];
  const body = tab === "train" ? {charts: true} : {};
  for (const f of forms[tab] || []) {
    const e = form.elements[f.name];
    if (!e) continue;
    const v = e.value.trim();
    if (v === "" || v === "auto") continue;
    let x;
    switch (f.kind) {
    case "int":
      x = Number(v.replace(/,/g, ""));
      if (!Number.isInteger(x)) throw fieldError(f.name, `"${v}": want a whole number, or empty for ${f.default !== undefined && f.default !== null ? f.default : "auto"}`);
      if (x === 0 && spec.zeroAuto && f.name.startsWith(spec.zeroAuto) && !f.pointer) continue;
      break;
    case "float": x = parseAmount(v, f.name); break;
    case "quantity": x = /^[-+]?[0-9.]+(e[-+]?[0-9]+)?$/i.test(v) ? Number(v) : v; break; // with a unit: the server parses it
    case "bool": x = v === "yes" || v === "true" || v === "1"; break;
    case "ints": case "floats":
      x = v.split(",").map(s => s.trim()).filter(s => s !== "").map(Number);
      if (!x.length || x.some(n => f.kind === "ints" ? !Number.isInteger(n) : !Number.isFinite(n))) {
        throw fieldError(f.name, `"${v}": want ${f.kind === "ints" ? "whole numbers" : "numbers"} separated by commas`);
      }
      break;
    default: x = v;
    }
    const path = f.name.split(".");
    let o = body;
    for (const k of path.slice(0, -1)) o = o[k] = o[k] || {};
    o[path[path.length - 1]] = x;
  }
  pruneNeeds(body, forms[tab] || []);
  if (spec.check) spec.check(body);
  return body;
}

// applies reads a field's needs (GET /api/forms: the conditions the API
// refuses it outside, calc.Needs) on a request body: it applies when
// every condition of one group holds on the named field's value, or its
// default where the body leaves it out.
function applies(body, needs, fields) {
  if (!needs || !needs.length) return true;
  const valueOf = name => {
    let v = body;
    for (const k of name.split(".")) v = v === undefined || v === null ? undefined : v[k];
    if (v !== undefined) return v;
    const f = fields.find(x => x.name === name);
    return f ? f.default : undefined;
  };
  const isSet = v => v !== undefined && v !== null && v !== "" && v !== 0 && v !== false &&
    !(Array.isArray(v) && !v.length) && !(typeof v === "object" && !Array.isArray(v) && !Object.values(v).some(isSet));
  const holds = c => {
    const v = valueOf(c.field), s = typeof v === "string" ? v : "";
    return !(c.in && !c.in.includes(s)) && !(c.not_in && c.not_in.includes(s)) && !(c.prefix && !s.startsWith(c.prefix)) &&
      !(c.set && !isSet(v)) && !(c.unset && isSet(v));
  };
  return needs.some(group => group.every(holds));
}

// pruneNeeds leaves out of a body each field whose needs fail (a sigma
// beside a fixed length, a cv without gamma arrivals, a draft-token
// acceptance without draft tokens...), which the API would refuse: the
// form keeps each value for when it applies.
function pruneNeeds(body, fields) {
  for (const f of fields) {
    if (!f.needs || applies(body, f.needs, fields)) continue;
    const path = f.name.split(".");
    let o = body;
    for (const k of path.slice(0, -1)) o = o && o[k];
    if (o) delete o[path[path.length - 1]];
  }
}

// moeOnly are each form's inputs that only a MoE model takes: the API
// refuses them on a dense one (training's MoE checks; serving's "want 1
// for a dense model" of an expert degree, and calc's moeFits of
// expert_imbalance and balancer). What is left of them from a MoE model
// goes back to automatic when the model is dense (clearMoE), as does a
// MoE-block recompute in training.
const moeOnly = {
  train: ["plan.ep", "plan.etp", "moe_dispatch", "moe_a2a_overlap", "moe_full_iteration", "moe_layer_graphs", "moe_graphs", "expert_imbalance", "capacity_factor", "pad_to_capacity"],
  infer: ["parallel.ep", "expert_imbalance", "balancer"],
  serve: ["parallel.ep", "prefill.parallel.ep", "expert_imbalance", "balancer"],
};

// clearMoE empties the tab's MoE-only inputs when the form's model is
// dense, and says whether it is.
function clearMoE(tab, form) {
  const m = (catalog.models || []).find(x => x.id === form.elements.model.value);
  if (!m || m.moe) return false;
  for (const n of moeOnly[tab]) if (form.elements[n]) form.elements[n].value = "";
  return true;
}

const trainBody = form => {
  const rc = form.elements["plan.recompute"];
  if (clearMoE("train", form) && rc && rc.value === "moe") rc.value = "";
  return bodyOf("train", form);
};
const inferBody = form => { clearMoE("infer", form); return bodyOf("infer", form); };
const serveBody = form => { clearMoE("serve", form); return bodyOf("serve", form); };
const runBody = form => bodyOf("run", form);

// legacyParams reads the addresses the hand-written forms shared
// (#infer?prompt=2048&tpot_ms=50) into the fields' paths.
const legacyNames = {
  infer: {prompt: "workload.input_tokens", output: "workload.output_tokens", tp: "parallel.tp", pp: "parallel.pp", ep: "parallel.ep", attention_dp: "parallel.attention_dp"},
  serve: {tp: "parallel.tp", requests: "workload.requests", seed: "workload.seed", in_tokens: "workload.input.tokens", in_dist: "workload.input.dist",
    in_sigma: "workload.input.sigma", out_tokens: "workload.output.tokens", out_dist: "workload.output.dist", out_sigma: "workload.output.sigma"},
};
function legacyParams(tab, params) {
  const names = legacyNames[tab];
  if (!names) return params;
  const p = new URLSearchParams();
  for (const [k, v] of params) {
    if (names[k]) p.set(names[k], v);
    else if (k === "tpot_ms" || k === "ttft_ms") p.set("slo." + k.slice(0, 4), v + "ms");
    else if (k === "rate" && tab === "serve") p.set(v.includes(",") ? "workload.rates" : "workload.rate", v);
    else p.set(k, v);
  }
  return p;
}

// runTrain estimates the form's plan, or searches (search: true) the
// plans the form leaves open and fills the form with the fastest
// (usePlan, as a click on the top row does), so that the form states the
// result shown and an edit estimates that plan. The fields the search
// filled stay open to the next search: it empties again those not
// changed since (searchFilled).
async function runTrain(search) {
  const form = $("#train-form");
  const status = $("#train-status");
  const newest = ticket("train");
  try {
    if (search) reopenPlan(form);
    const body = trainBody(form);
    const p = formParams(form);
    if (search) p.set("search", "1"); else p.delete("search");
    writeHash("train", p);
    showOK(status, search ? "searching plans…" : "estimating…");
    if (search) {
      const open = planFields(form).filter(e => e.value.trim() === "");
      markStale($("#train-results"), "searching: the result below is the last one");
      const res = await runJob("train/search", body, status, newest);
      if (!newest()) return;
      if (res.best) {
        usePlan(form, res.best.plan);
        searchFilled = new Set(open.map(e => e.name));
      }
      renderTrain(res.best, res);
      showOK(status, `best of ${res.plans_evaluated} plans (${res.out_of_memory} out of memory, ${res.invalid} invalid), now in the form; click a plan to estimate it`);
    } else {
      delete body.top; // ranks a search's plans: the estimate refuses it
      const res = await api("train/estimate", body);
      if (!newest()) return;
      renderTrain(res, lastSearch);
      showOK(status, "estimate for the plan above");
    }
  } catch (e) {
    if (!newest()) return;
    showError(status, e);
    explainDevices(status, form.elements.chip.value, form.elements.chips.value);
  }
}

// explainDevices adds, under an error that counts devices, how many the
// chips are (a 910C is two devices to the software).
async function explainDevices(status, chip, chips) {
  const said = status.textContent;
  if (!/device/.test(said)) return;
  const d = await devicesPerChip(chip);
  if (d <= 1 || status.textContent !== said) return; // a newer run has spoken since
  const name = (catalog.chips.find(c => c.id === chip) || {name: chip}).name;
  status.append(el("span", {class: "devices-note"}, ` — the software sees ${d} devices per ${name}: ${fmt(Number(chips))} chips are ${fmt(Number(chips) * d)} devices, and plan degrees count devices.`));
}

let lastSearch = null;

// searchFilled names the plan fields the last search found (those it was
// given empty) and not edited since: the next search empties them again.
let searchFilled = new Set();

// planFields are the train form's plan inputs but DP.
const planFields = form => [...form.elements].filter(e => e.name && e.name.startsWith("plan.") && e.name !== "plan.dp");

function reopenPlan(form) {
  for (const e of planFields(form)) if (searchFilled.has(e.name)) e.value = "";
  searchFilled = new Set();
}

// usePlan writes a searched plan (a search result's plan: training.Result's
// plan fields) into the form: every plan field the form has, one the plan
// leaves out (etp, stage_layers, recompute_layers: unset) back to auto,
// and DP auto so that a later change of Chips still works.
function usePlan(form, plan) {
  for (const e of planFields(form)) {
    const v = plan[e.name.slice("plan.".length)];
    e.value = v === undefined || v === null ? "" : Array.isArray(v) ? v.join(",") : typeof v === "boolean" ? (v ? "yes" : "no") : String(v);
  }
  form.elements["plan.dp"].value = "";
}

// bigNumber is one headline figure: typ, and a range when lo/hi differ;
// f formats (fmt, fmtMoney, fmtMs).
function bigNumber(key, label, typ, unit, lo, hi, scale = 1, f = fmt) {
  if (typ === undefined || typ === null) {
    return el("div", {"data-key": key, class: "none"}, el("span", {class: "muted"}, label), el("b", {class: "num"}, "–"), el("span", {class: "rng"}, unit));
  }
  const range = (lo !== undefined && hi !== undefined && lo !== null && hi !== null && lo !== hi) ? fmtRange(Math.min(lo, hi), Math.max(lo, hi), scale, f) : "";
  return el("div", {"data-key": key, "data-typ": typ, "data-scale": scale},
    el("span", {class: "muted"}, label), el("b", {class: "num"}, f(typ / scale)), unit ? ` ${unit}` : "",
    range ? el("span", {class: "rng"}, "range " + range) : null);
}

function renderTrain(r, search) {
  const out = $("#train-out");
  lastSearch = search;
  if (!r) { put(out, el("p", {}, "no plan fits"), search ? plansTable(search, null) : null); rendered("train"); return; }
  const lo = r.ranges && r.ranges.low, hi = r.ranges && r.ranges.high;
  const noTokens = "enter Tokens (the run's budget) for days and cost";
  const big = el("div", {class: "big", id: "train-big"},
    r.days ? bigNumber("days", "Days (steady state, no failures or porting)", r.days, "days", lo && lo.days, hi && hi.days) : bigNumber("days", "Days", null, noTokens),
    r.cost ? bigNumber("cost", "Rental cost (chip-hours × rental price)", r.cost.typ, "", r.cost.min, r.cost.max, 1, fmtMoney) : bigNumber("cost", "Rental cost", null, noTokens),
    bigNumber("mfu", "MFU", r.mfu * 100, "%", lo && lo.mfu * 100, hi && hi.mfu * 100),
    bigNumber("step_time", "Step time", r.step_time * 1e3, "", lo && lo.step_time * 1e3, hi && hi.step_time * 1e3, 1, fmtMs),
    bigNumber("tokens_per_s", "Throughput", r.tokens_per_s, "tokens/s", lo && lo.tokens_per_s, hi && hi.tokens_per_s));
  const notes = el("p", {class: "muted"}, `plan ${r.plan_text} · ${r.profile} · memory ${fmt(r.memory.total / 1e9)} of ${fmt(r.memory.capacity / 1e9)} GB per device`,
    r.ranges ? el("br") : null, r.ranges ? "ranges: " + r.ranges.basis : null,
    ...Object.entries((r.ranges && r.ranges.notes) || {}).flatMap(([k, n]) => [el("br"), el("span", {class: "range-note", "data-key": k}, `${k.replace(/_/g, " ")}: ${n}`)]),
    r.cost ? el("br") : null, r.cost ? "cost: " + r.cost.basis : null);
  put(out, big, notes, scoredNote(r.scored, "train-scored"), bandNote(r.measured_band, "tokens/s per chip", "train-band"), chartsOf(r.charts), search ? plansTable(search, r.plan_text) : null);
  rendered("train");
}

function plansTable(search, picked) {
  return el("div", {class: "scroll-x"}, el("table", {id: "train-plans"},
    el("caption", {}, "Top plans (click one to estimate it; the table stays)"),
    el("thead", {}, el("tr", {}, ["plan", "step", "MFU %", "tokens/s/chip", "memory GB"].map(h => el("th", {}, h)))),
    el("tbody", {}, search.plans.map(r => el("tr", {class: "plan" + (r.plan_text === picked ? " picked" : ""), title: "estimate this plan",
      onclick: () => { usePlan($("#train-form"), r.plan); runTrain(false); }},
      el("td", {class: "lbl"}, r.plan_text), el("td", {}, fmtMs(r.step_time * 1e3)), el("td", {}, fmt(r.mfu * 100)),
      el("td", {}, fmt(r.tokens_per_s_per_chip)), el("td", {}, fmt(r.memory.total / 1e9)))))));
}

// ---- inference -------------------------------------------------------

async function runInfer() {
  const form = $("#infer-form");
  const status = $("#infer-status");
  const newest = ticket("infer");
  try {
    const body = inferBody(form);
    writeHash("infer", formParams(form));
    showOK(status, "computing the curve…");
    const res = await api("infer/curve", body);
    if (!newest()) return;
    renderInfer(res, body.mode);
    const p = res.parallel;
    showOK(status, `${res.points.length} batch sizes · profile ${res.profile} · an instance: tp=${p.tp} pp=${p.pp} ep=${p.ep}${p.attention_dp > 1 ? " attention groups=" + p.attention_dp : ""}, ${p.dp} instance${p.dp === 1 ? "" : "s"}`);
  } catch (e) { if (newest()) showError(status, e); }
}

// scoredNote is how the estimator behind a result scores on published runs
// (the catalog's scorecard, as the API gives it), or that none does.
function scoredNote(sc, id) {
  return el("p", {class: "muted", id: id}, "Scored on published runs: " +
    (sc && sc.summary ? sc.summary : "none: no published runs like this one score the estimator (catalog/data/scorecard.yaml)"));
}

// bandNote is what the scored regime's runs measured where the estimator
// predicted this figure (the API's measured_band), or note (the API's
// measured_band_note: why a serving mode other than colocated has none),
// or nothing where the regime has too few runs for one.
function bandNote(b, unit, id, note) {
  if (!b) return note ? el("p", {class: "muted", id: id}, note) : null;
  return el("p", {class: "muted", id: id}, `Measured where the estimator predicted this (80 % band: the P10–P90 of the ${b.runs} runs scored above, widened ${b.widen}× for the spread between sources): ${fmtRange(b.low, b.high, 1, fmt)} ${unit}`);
}

// inferCost is the best point's price and energy per million tokens of
// unit (the API's cost and energy, as serve-estimate prints them), or
// the cost note alone.
function inferCost(res, unit) {
  const c = res.cost || {}, e = res.energy;
  if (!c.owned && !c.rental && !e) return [];
  const region = c.region ? ` (region ${c.region})` : "";
  return [
    bigNumber("usd_per_m_owned", `$ per million ${unit} tokens, owned${region}`, c.owned ? c.owned.usd_per_million_tokens : undefined, "", undefined, undefined, 1, fmtMoney),
    bigNumber("usd_per_m_rented", `… rented`, c.rental ? c.rental.usd_per_million_tokens : undefined, "", undefined, undefined, 1, fmtMoney),
    bigNumber("joules_per_token", `Energy per ${unit} token (${e ? fmt(e.wall_watts_per_chip) : "–"} W per chip at the wall)`, e ? e.joules_per_token : undefined, "J"),
  ];
}

function renderInfer(res, mode) {
  const b = res.best;
  // The headline rate and its P10–P90: output tokens, input tokens in
  // prefill mode (serve-estimate's).
  const unit = mode === "prefill" ? "input" : "output";
  const note = [res.best_range_note, res.cost_note].filter(Boolean).join(" · ");
  const big = el("div", {class: "big", id: "infer-big"}, b ? [
    bigNumber("throughput", `Best ${unit} tokens/s per ${res.disagg ? "decode " : ""}chip under the SLO (P10–P90 over the chip's and the stack's ranges)`, b[unit + "_tokens_per_s_per_chip"], "tokens/s", res.best_low, res.best_high),
    bigNumber("batch", "at batch", b.batch, "sequences"),
    bigNumber("tpot", "TPOT (time per output token)", b.tpot * 1e3, "", undefined, undefined, 1, fmtMs),
    bigNumber("ttft", "TTFT (time to first token)", b.ttft * 1e3, "", undefined, undefined, 1, fmtMs),
    ...inferCost(res, unit),
  ] : el("div", {}, el("span", {class: "muted"}, "no batch meets the SLO"), el("b", {}, "–"), res.best_error || ""));
  const table = el("div", {class: "scroll-x"}, el("table", {id: "infer-points"},
    el("thead", {}, el("tr", {}, ["batch", "TPOT", "TTFT", "output tok/s/chip", "bound", "meets SLO"].map(h => el("th", {}, h)))),
    el("tbody", {}, res.points.map(p => el("tr", {class: b && p.batch === b.batch ? "picked" : null},
      el("td", {}, p.batch), el("td", {}, fmtMs(p.tpot * 1e3)), el("td", {}, fmtMs(p.ttft * 1e3)),
      el("td", {}, fmt(p.output_tokens_per_s_per_chip)), el("td", {}, p.step.bound), el("td", {}, p.meets_slo ? "yes" : "no"))))));
  const mark = key => b ? {mark: {x: b.output_tokens_per_s_per_chip, y: b[key] * 1e3, label: `best under the SLO: batch ${b.batch}`}, limit_label: "SLO"} : {limit_label: "SLO"};
  put($("#infer-out"), big, note ? el("p", {class: "muted", id: "infer-cost-note"}, note) : null, res.disagg_error ? el("p", {class: "muted"}, "Disaggregated: the pools cannot be sized together: " + res.disagg_error) : null, b ? stepNote(b.step) : null, res.engine ? el("p", {class: "muted", id: "infer-engine"}, "Engine: " + res.engine + " (its scheduling limits apply" + (res.fp8_context_attention ? `; it runs prompt attention in FP8, ${fmt(res.fp8_context_attention)}× the 16-bit rate` : "") + ")") : null, res.stack_note ? el("p", {class: "muted"}, res.stack_note) : null, scoredNote(res.scored, "infer-scored"), bandNote(res.measured_band, "output tokens/s per chip", "infer-band", res.measured_band_note), chartsOf(res.charts, {tpot: mark("tpot"), ttft: mark("ttft")}), table);
  rendered("infer");
}

// stepNote is the best point's step breakdown (inference.StepResult): the
// four roofline parts, the engine's host time (with its eager launches),
// the attention-DP wait and the MoE imbalance and module time, as
// serve-estimate prints them.
function stepNote(s) {
  if (!s) return null;
  const ms = x => fmtMs((x || 0) * 1e3);
  const parts = [`step ${ms(s.time)} = compute ${ms(s.compute)} + memory ${ms(s.memory)} + comm ${ms(s.comm)} + overhead ${ms(s.overhead)}`];
  if (s.host) parts.push(`host ${ms(s.host)} per step${s.eager ? ` (of which ${ms(s.eager)} launching the layers eagerly: steps with prompt tokens run outside the engine's CUDA graphs)` : ""}, ${s.bound === "host" ? "longer than the GPU's: it sets the step" : "hidden behind the GPU"}`);
  if (s.adp_balance) parts.push(`attention groups carry ${fmt(s.adp_balance)} of the busiest group's tokens; waiting adds ${ms(s.adp_wait)}`);
  if (s.moe && s.moe.imbalance) parts.push(`MoE: hottest device ${fmt(s.moe.imbalance)}× the mean (${s.moe.routing === "none" ? "no expert balancer: the routing's own skew" : s.moe.routing === "coarse" ? "no expert balancer; too few experts for the measured skew: assumed" : "with an expert balancer"}); routed experts ${ms(s.moe.experts)} (weights at ${fmt(s.moe.expert_memory_eff)} of HBM bandwidth${s.moe.fp8_block_scale ? `; block-scaled FP8, every GEMM at ${fmt(s.moe.fp8_block_scale)} of the per-tensor rate` : ""}) + module fixed time ${ms(s.moe.fixed)}`);
  return el("p", {class: "muted", id: "infer-step"}, parts.join(" · "));
}

// ---- serving under traffic --------------------------------------------

async function runServe() {
  const form = $("#serve-form");
  const status = $("#serve-status");
  const newest = ticket("serve");
  try {
    const body = serveBody(form);
    writeHash("serve", formParams(form));
    showOK(status, "simulating traffic…");
    markStale($("#serve-results"), "simulating: the result below is the last one");
    const res = await runJob("serve/simulate", body, status, newest);
    if (!newest()) return;
    renderServe(res);
    const r = res.result;
    showOK(status, `${r.requests_completed} of ${r.requests} requests completed${res.rate ? ` at ${fmt(res.rate)} requests/s` : ""} · ${fmt(r.simulated_s)} s simulated` +
      (res.sweep ? ` · ${res.sweep.length} rates swept` : ""));
  } catch (e) { if (newest()) showError(status, e); }
}

// serveVerdict says whether the run kept up and met the SLO.
function serveVerdict(r) {
  const o = r.overload, g = r.goodput;
  if (o) {
    return el("p", {class: "verdict bad", id: "serve-verdict", "data-verdict": "overload"},
      `Overload at ${fmt(o.at_s)} s: ${o.reason}. The deployment served ${fmt(o.served_rate_per_s)} requests/s before the stop; at this rate its queue grows without bound.`);
  }
  const p = "P" + fmt(g.slo_percentile * 100);
  const slo = `${p} TTFT ≤ ${fmt(g.slo_ttft_ms)} ms, ${p} TPOT ≤ ${fmt(g.slo_tpot_ms)} ms`;
  return el("p", {class: "verdict " + (g.meets_slo ? "good" : "bad"), id: "serve-verdict", "data-verdict": g.meets_slo ? "meets" : "misses"},
    (g.meets_slo ? "Keeps up and meets the SLO (" : "Keeps up but misses the SLO (") + slo + `); ${fmt(g.attained * 100)} % of requests met it.`);
}

function renderServe(res) {
  const r = res.result, t = r.throughput, c = r.cost;
  const big = el("div", {class: "big", id: "serve-big"},
    // No completed request (an early overload): no latency to show.
    bigNumber("ttft_p50", "TTFT P50", r.ttft_ms.n ? r.ttft_ms.p50 : undefined, "ms"),
    bigNumber("tpot_p50", "TPOT P50", r.tpot_ms.n ? r.tpot_ms.p50 : undefined, "ms"),
    bigNumber("throughput", "Output throughput", t.output_tokens_per_s, "tokens/s"),
    bigNumber("goodput", "Goodput at the SLO", r.goodput.requests_per_s, "requests/s"),
    bigNumber("usd_per_m", "Cost per million output tokens, rented", c.usd_per_m_output_tokens, "", undefined, undefined, 1, fmtMoney),
    // Owned (as serve-estimate prices it); "–" where the chip has no price (owned_cost_note says why).
    bigNumber("usd_per_m_owned", "… owned", res.owned_cost ? res.owned_cost.usd_per_m_output_tokens : undefined, "", undefined, undefined, 1, fmtMoney),
    bigNumber("kwh_per_m", "Energy per million output tokens", c.kwh_per_m_output_tokens, "kWh"));
  const lat = el("table", {id: "serve-latency"},
    el("thead", {}, el("tr", {}, ["latency (ms)", "P50", "P90", "P99", "mean", "max"].map(h => el("th", {}, h)))),
    el("tbody", {}, [["ttft", "time to first token", r.ttft_ms], ["tpot", "time per output token", r.tpot_ms], ["e2e", "end to end", r.e2e_ms]].map(([k, name, l]) =>
      el("tr", {"data-row": k}, el("td", {class: "lbl"}, name), [l.p50, l.p90, l.p99, l.mean, l.max].map(x => el("td", {}, l.n ? fmt(x) : "–"))))));
  const pools = res.pools.map(p => `${p.name}: ${p.replicas} × ${fmt(p.chips_per_replica)} ${p.chip}, ${p.engine.kv_blocks} KV blocks of ${p.engine.block_tokens} tokens, ≤ ${p.engine.max_seqs} sequences`).join("; ");
  const notes = el("p", {class: "muted"}, `${pools} · ${fmt(t.requests_per_s)} requests/s and ${fmt(t.output_tokens_per_s_per_chip)} output tokens/s per chip · `,
    `${fmtMoney(c.usd_per_hour)}/h rented for ${fmt(c.chips)} chips, ${fmtMoney(c.usd_per_m_tokens)} per million tokens in and out` +
    (res.owned_cost ? ` (owned: ${fmtMoney(res.owned_cost.usd_per_hour)}/h, region ${res.owned_cost.region})` : res.owned_cost_note ? ` (no owned cost: ${res.owned_cost_note})` : "") +
    ` · ${r.preemptions} preemptions, ${r.requests_rejected} rejected (too long for the KV cache)`,
    el("br"), `KV cache use: peak ${r.kv.peak_util.map(u => fmt(u * 100) + " %").join(", ")}, mean ${r.kv.mean_util.map(u => fmt(u * 100) + " %").join(", ")}`);
  let caption = null;
  if (res.sweep) {
    const meets = res.sweep.filter(pt => !pt.result.overload && pt.result.goodput.meets_slo).map(pt => pt.rate);
    const best = meets.length ? Math.max(...meets) : null;
    caption = el("p", {class: "caption", id: "serve-best"}, best !== null
      ? `Best rate that meets the SLO: ${fmt(best)} requests/s. `
      : "No rate of the sweep meets the SLO. ",
    `The figures above are for ${fmt(res.rate)} requests/s, ` +
      (res.result.overload ? "the lowest rate (none keeps up)" : "the highest rate that keeps up") + (r.goodput && !r.goodput.meets_slo && !r.overload ? " (it misses the SLO)" : "") + "; click a row to simulate that rate alone.");
    if (best !== null) caption.dataset.best = best;
  }
  const scored = (res.pools || []).map(p => scoredNote(p.scored, "serve-scored-" + p.name));
  // How the named software mapped onto each pool's serving profile (an
  // engine's earlier era included), once per distinct note.
  const software = [...new Set((res.pools || []).map(p => p.stack_note).filter(n => n))].map(n => el("p", {class: "muted serve-software"}, n));
  put($("#serve-out"), serveVerdict(r), big, el("div", {class: "scroll-x"}, lat), notes, ...software, ...scored, bandNote(res.measured_band, "output tokens/s per chip", "serve-band"), caption, res.sweep ? el("div", {class: "scroll-x"}, sweepTable(res)) : null, chartsOf(res.charts));
  rendered("serve");
}

// sweepTable lists every rate of a sweep; a row's click re-runs that rate
// alone (with its queue and KV charts).
function sweepTable(res) {
  const verdict = r => r.overload ? "overload" : r.goodput.meets_slo ? "meets SLO" : "misses SLO";
  return el("table", {id: "serve-sweep"},
    el("thead", {}, el("tr", {}, ["rate (requests/s)", "TTFT P50 ms", "TTFT P99 ms", "TPOT P99 ms", "output tokens/s", "goodput requests/s", "met SLO %", "verdict"].map(h => el("th", {}, h)))),
    el("tbody", {}, res.sweep.map(pt => {
      const r = pt.result;
      return el("tr", {class: "rate" + (pt.rate === res.rate ? " picked" : ""), "data-rate": pt.rate, title: "simulate this rate alone",
        onclick: () => { const f = $("#serve-form").elements; f["workload.rate"].value = String(pt.rate); f["workload.rates"].value = ""; runServe(); }},
      el("td", {}, fmt(pt.rate)), [r.ttft_ms.p50, r.ttft_ms.p99].map(x => el("td", {}, r.ttft_ms.n ? fmt(x) : "–")),
      el("td", {}, r.tpot_ms.n ? fmt(r.tpot_ms.p99) : "–"),
      el("td", {}, fmt(r.throughput.output_tokens_per_s)), el("td", {}, fmt(r.goodput.requests_per_s)),
      el("td", {}, fmt(r.goodput.attained * 100)), el("td", {class: "lbl"}, verdict(r)));
    })));
}

// ---- whole run -------------------------------------------------------

async function runRun() {
  const form = $("#run-form");
  const status = $("#run-status");
  const newest = ticket("run");
  try {
    const body = runBody(form);
    writeHash("run", formParams(form));
    showOK(status, "simulating…");
    markStale($("#run-results"), "simulating: the result below is the last one");
    const res = await runJob("run/simulate", body, status, newest);
    if (!newest()) return;
    const r = res.result;
    const big = el("div", {class: "big", id: "run-big"},
      bigNumber("total_days", "Total days (P50)", r.total_days.p50, "days", r.total_days.p10, r.total_days.p90),
      bigNumber("effective", "Effective training time (P50)", r.effective.p50 * 100, "%", r.effective.p10 * 100, r.effective.p90 * 100),
      bigNumber("interruptions", "Interruptions (P50)", r.interruptions.p50, "", r.interruptions.p10, r.interruptions.p90),
      bigNumber("closed", "Closed form (Young/Daly): training and failures, porting included, no simulation", (r.closed_form.wall + r.closed_form.port) / 86400, "days"));
    put($("#run-out"), big,
      el("p", {class: "muted"}, `throughput ${fmt(res.throughput.tokens_per_s)} tokens/s from ${res.throughput.source}${res.throughput.plan ? " (" + res.throughput.plan + ")" : ""}; ranges are P10–P90 over ${r.seeds} simulated runs (seed ${r.seed})`),
      el("p", {class: "muted"}, "Total days (P50) is the median of the simulated runs: porting, failures, restarts, checkpoints and spares; the closed form is the expected run at typical values (Daly's complete model, as the simulation runs it)."),
      chartsOf(res.charts));
    rendered("run");
    showOK(status, `${r.seeds} runs simulated, ${r.finished} finished`);
  } catch (e) { if (newest()) showError(status, e); }
}

// ---- gap report ------------------------------------------------------

// The scenario travels in the URL deflated and base64url-encoded, so a
// whole edited scenario can be shared as a link.
async function pack(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function unpack(z) {
  const bin = atob(z.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(bin, c => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return await new Response(stream).text();
}

let defaultScenario = "";

async function loadScenarioEditor(params) {
  const ta = $("#report-form").elements.scenario;
  if (params && params.get("z")) { ta.value = await unpack(params.get("z")); gutter(ta); scenarioToForm(); return; }
  if (ta.value) return;
  if (!defaultScenario) defaultScenario = JSON.stringify(await api("report/scenario"), null, 1);
  ta.value = defaultScenario;
  gutter(ta);
  scenarioToForm();
}

// The common fields of a scenario, edited in a form; the editor holds
// the rest. A form edit rewrites the editor's JSON (a YAML scenario is
// edited in the editor only). Scale: how the form shows the value
// (tpot in ms, horizon in years).
const scenarioFields = [
  {path: "title", label: "Title", kind: "string"},
  {path: "samples", label: "Samples", kind: "int", help: "Monte Carlo samples (more: smoother ranges, slower)"},
  {path: "seed", label: "Seed", kind: "int", help: "random seed: same scenario and seed, same report"},
  {path: "training.model", label: "Training model", kind: "model"},
  {path: "training.chips", label: "Training chips", kind: "int", help: "chips in the training job"},
  {path: "training.tokens", label: "Training tokens", kind: "amount", help: "the run's token budget, e.g. 15T"},
  {path: "inference.model", label: "Serving model", kind: "model"},
  {path: "inference.input_tokens", label: "Prompt tokens", kind: "int"},
  {path: "inference.output_tokens", label: "Output tokens", kind: "int"},
  {path: "inference.tpot", label: "SLO: TPOT (ms)", kind: "float", scale: 1e-3, help: "time per output token the serving SLO allows"},
  {path: "strategy.horizon", label: "Horizon (years)", kind: "float", scale: 31557600, help: "how far ahead the strategy section looks"},
];

function getPath(o, path) { return path.split(".").reduce((a, k) => a && a[k], o); }
function setPath(o, path, v) {
  const ks = path.split(".");
  let a = o;
  for (const k of ks.slice(0, -1)) a = a[k] = a[k] && typeof a[k] === "object" ? a[k] : {};
  a[ks[ks.length - 1]] = v;
}

function buildScenarioForm() {
  const box = $("#report-fields");
  put(box, scenarioFields.map(f => {
    const input = f.kind === "model" ? el("select", {name: "sc." + f.path}, catalog.models.map(m => el("option", {value: m.id}, m.name)))
      : el("input", {name: "sc." + f.path, size: f.kind === "string" ? 28 : 9, inputmode: f.kind === "string" ? null : "decimal", autocomplete: "off"});
    input.title = f.help || f.label;
    return el("label", {title: input.title}, f.label, input);
  }));
  box.addEventListener("change", formToScenario);
}

function scenarioToForm() {
  const ta = $("#report-form").elements.scenario;
  let o = null;
  try { o = JSON.parse(ta.value); } catch (e) { /* YAML: the editor only */ }
  $("#report-fields").classList.toggle("off", !o);
  for (const f of scenarioFields) {
    const e = $("#report-form").elements["sc." + f.path];
    if (!e) continue;
    e.disabled = !o;
    const v = o ? getPath(o, f.path) : undefined;
    e.value = v === undefined || v === null || typeof v === "object" ? "" : f.scale ? String(Number((v / f.scale).toPrecision(6))) : String(v);
  }
}

function formToScenario(ev) {
  const ta = $("#report-form").elements.scenario;
  const f = scenarioFields.find(x => "sc." + x.path === ev.target.name);
  if (!f) return;
  let o;
  try { o = JSON.parse(ta.value); } catch (e) { return; }
  const v = ev.target.value.trim();
  try {
    let x = v;
    if (f.kind === "int") { x = Number(v); if (!Number.isInteger(x)) throw fieldError(ev.target.name, `"${v}": want a whole number`); }
    if (f.kind === "float") { x = Number(v); if (!Number.isFinite(x)) throw fieldError(ev.target.name, `"${v}": want a number`); x *= f.scale || 1; }
    if (f.kind === "amount") x = parseAmount(v, ev.target.name);
    setPath(o, f.path, x);
    ta.value = JSON.stringify(o, null, 1);
    gutter(ta);
    showOK($("#report-status"), `${f.label} set in the scenario`);
  } catch (e) { showError($("#report-status"), e); }
}

// gutter numbers the editor's lines, beside it, scrolled with it.
function gutter(ta) {
  const g = ta.parentElement.querySelector(".gutter");
  if (!g) return;
  const n = ta.value.split("\n").length;
  if (Number(g.dataset.lines) !== n) {
    g.dataset.lines = String(n);
    g.textContent = Array.from({length: n}, (_, i) => i + 1).join("\n");
  }
  g.scrollTop = ta.scrollTop;
}

// selectLine puts the editor's cursor on the line an error names
// ("scenario:9: ..." or "grid:9: ...") and scrolls it into view.
function selectLine(ta, msg, prefix) {
  const m = new RegExp("(?:^|: )" + prefix + ":(\\d+):").exec(msg || "");
  if (!m) return false;
  const lines = ta.value.split("\n");
  const n = Math.min(Number(m[1]), lines.length) - 1;
  const start = lines.slice(0, n).reduce((a, l) => a + l.length + 1, 0);
  ta.focus();
  ta.setSelectionRange(start, start + lines[n].length);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, n * lh - ta.clientHeight / 3);
  gutter(ta);
  ta.dataset.errorLine = String(n + 1);
  return true;
}

async function runReport() {
  const form = $("#report-form");
  const status = $("#report-status");
  const newest = ticket("report");
  await loadScenarioEditor(null);
  const text = form.elements.scenario.value;
  const p = new URLSearchParams();
  if (text === defaultScenario) p.set("default", "1"); else p.set("z", await pack(text));
  if (!newest()) return;
  writeHash("report", p);
  showOK(status, "building the report…");
  markStale($("#report-results"), "building: the report below is the last one");
  delete form.elements.scenario.dataset.errorLine;
  try {
    const res = await runJob("report", {scenario: text === defaultScenario ? "" : text}, status, newest);
    Object.assign(await loadSources().catch(() => ({})), res.sources);
    if (!newest()) return;
    renderReport(res);
    rendered("report");
    showOK(status, `${res.results.samples} Monte Carlo samples, seed ${res.results.seed}`);
  } catch (e) {
    if (!newest()) return;
    showError(status, e);
    selectLine(form.elements.scenario, e.message, "scenario");
  }
}

function statText(st, f = fmt) {
  if (!st || st.p50 === null) return "never finishes";
  const r = (st.p10 !== st.p90 && st.p10 !== null && st.p90 !== null) ? ` (${f(st.p10)}–${f(st.p90)})` : st.p90 === null ? " (P90: never)" : "";
  return f(st.p50) + r + typMark(st, f);
}

// typMark is " (typical below: T)" (or above) where the results say the
// estimate at typical values lies outside the samples' P10–P90 (a stat's
// typ_outside), as the report's tables mark it; the report's
// typical_legend says what it means.
function typMark(st, f = fmt) {
  return st && st.typ_outside && st.typ !== null ? ` (typical ${st.typ_outside}: ${f(st.typ)})` : "";
}

function renderReport(res) {
  const r = res.results, rep = res.report;
  const head = ["system", "chip", "chips", "plan", "total days", "MFU %", "run cost", "serve tok/s/chip"];
  const glance = ["total_days", "mfu", "run_cost_usd", "serve_tokens_per_s_per_chip"];
  const rows = r.systems.map(sy => el("tr", {"data-system": sy.system.label},
    el("td", {class: "lbl"}, sy.system.label), el("td", {class: "lbl"}, sy.chip_name), el("td", {}, sy.chips),
    el("td", {class: "lbl"}, sy.plan || sy.train_error || "–"),
    statCell(sy, "total_days", 1), statCell(sy, "mfu", 100), statCell(sy, "run_cost_usd", 1, fmtMoney),
    statCell(sy, "serve_tokens_per_s_per_chip", 1)));
  put($("#report-out"),
    el("h2", {}, rep.title || "Gap report"),
    el("p", {class: "muted"}, rep.subtitle),
    (rep.headline || []).length ? el("ul", {class: "headline"}, rep.headline.map(h => el("li", {}, h))) : null,
    rep.headline_note ? el("p", {class: "muted", id: "report-headline-note"}, rep.headline_note) : null,
    el("h3", {}, "At a glance"),
    el("div", {class: "scroll-x"}, el("table", {id: "report-systems"}, el("thead", {}, el("tr", {}, head.map(h => el("th", {}, h)))), el("tbody", {}, rows))),
    el("p", {class: "muted"}, "Cells: P50 (P10–P90) over the samples; click a cell for the system's sources." +
      (glance.some(k => r.systems.some(sy => sy.stats[k] && sy.stats[k].typ_outside)) ? " " + rep.typical_legend : "")),
    rep.claims && rep.claims.rows && rep.claims.rows.length ? el("section", {}, el("h3", {}, "Claims tested"), tableOf(rep.claims)) : null,
    ...rep.sections.map(sec => renderSection(sec, rep.figures.filter(f => f.section === sec.title || f.section === sec.id), r)));
}

function tableOf(t) {
  return el("div", {},
    t.caption ? el("p", {class: "caption"}, t.caption) : null,
    el("div", {class: "scroll-x"}, el("table", {class: "wrap"}, el("thead", {}, el("tr", {}, t.header.map(h => el("th", {class: "lbl"}, h)))),
      el("tbody", {}, t.rows.map(row => el("tr", {}, row.map(c => el("td", {class: "lbl"}, c))))))),
    t.note ? el("p", {class: "muted"}, t.note) : null);
}

// renderSection draws one report section: its text, tables and charts,
// and a drill-down list of its figures, each opening its trail and the
// sources of the system it is about.
function renderSection(sec, figs, results) {
  const charts = chartsOf(sec.charts);
  const list = figs.length ? el("table", {class: "figure-rows wrap", hidden: true},
    el("thead", {}, el("tr", {}, ["subject", "figure", "P50", "P10–P90", "unit", "trail and sources"].map(h => el("th", {class: "lbl"}, h)))),
    el("tbody", {}, figs.map(f => el("tr", {},
      el("td", {class: "lbl"}, f.subject), el("td", {class: "lbl"}, f.name), el("td", {}, fmt(f.stat.p50)),
      el("td", {}, fmtRange(f.stat.p10, f.stat.p90) || "–"), el("td", {class: "lbl"}, f.unit),
      el("td", {class: "v lbl", onclick: () => showSources(`${f.name} — ${f.subject}`,
        {display: statText(f.stat) + " " + f.unit, note: f.trail ? "trail: " + f.trail : "", sources: systemSources(results, f.subject, f.trail)})},
        f.trail || "sources"))))) : null;
  return el("section", {class: "report-section", "data-section": sec.id},
    el("h3", {}, sec.title),
    ...(sec.text || []).map(p => el("p", {}, p)),
    ...(sec.tables || []).map(tableOf),
    charts,
    list ? el("button", {type: "button", onclick: () => { list.hidden = !list.hidden; }}, `figures and sources (${figs.length})`) : null,
    list);
}

// systemSources lists the source keys behind a figure: keys named in its
// trail, then those of the system (or pair of systems) it is about.
function systemSources(results, subject, trail) {
  const keys = [];
  const srcs = catalog.sources || {};
  for (const w of (trail || "").split(/[\s,;()]+/)) if (srcs[w]) keys.push(w);
  for (const sy of results.systems) {
    if (!subject.split(/ vs | − | - /).includes(sy.system.label) && subject !== sy.system.label) continue;
    const s = sy.sources || [];
    for (const k of Array.isArray(s) ? s : Object.values(s).flat()) keys.push(k);
  }
  return [...new Set(keys)];
}

function statCell(sy, key, scale, f = fmt) {
  const st = sy.stats[key];
  if (!st) return el("td", {class: "na"}, "–");
  const sc = x => x === null ? null : x * scale;
  const s = {typ: sc(st.typ), p10: sc(st.p10), p50: sc(st.p50), p90: sc(st.p90), typ_outside: st.typ_outside};
  return el("td", {class: "v", "data-stat": key, "data-p50": st.p50,
    onclick: () => showSources(`${key} — ${sy.system.label}`, {display: statText(s, f), sources: systemSources({systems: [sy]}, sy.system.label, "")})}, statText(s, f));
}

// ---- design space ----------------------------------------------------

// The grid travels in the URL like the report's scenario (z=, deflated);
// the example grid is #design?default=1.
let exampleGrid = "";

async function loadGridEditor(params) {
  const ta = $("#design-form").elements.grid;
  if (params && params.get("z")) { ta.value = await unpack(params.get("z")); gutter(ta); return; }
  if (ta.value) return;
  if (!exampleGrid) exampleGrid = (await api("sweep/example")).grid;
  ta.value = exampleGrid;
  gutter(ta);
}

async function runDesign() {
  const form = $("#design-form");
  const status = $("#design-status");
  const out = $("#design-out");
  const newest = ticket("design");
  await loadGridEditor(null);
  const text = form.elements.grid.value;
  const p = new URLSearchParams();
  if (text === exampleGrid) p.set("default", "1"); else p.set("z", await pack(text));
  if (!newest()) return;
  writeHash("design", p);
  put(out); // an answer, or an error, replaces the last one
  delete out.dataset.job;
  showOK(status, "starting the sweep…");
  try {
    const res = await runJob("sweep", {grid: text}, status, newest);
    out.dataset.job = status.dataset.job;
    renderDesign(res);
    rendered("design");
    showOK(status, `${res.cells} cells, ${res.cells_with_error} with no answer (see the error column); grid ${res.grid_hash.slice(0, 12)}`);
  } catch (e) {
    if (!newest()) return;
    showError(status, e);
    selectLine(form.elements.grid, e.message, "grid");
  }
}

function renderDesign(res) {
  const charts = chartsOf(res.frontiers.map(f => ({key: f.key, svg: f.svg})));
  const fronts = el("ul", {class: "muted"}, res.frontiers.map(f =>
    el("li", {}, `${f.title}: ${f.frontier_cells.length} of ${f.points} cells on the frontier (cells ${f.frontier_cells.join(", ")})` +
      (f.left_out ? `; ${f.left_out} left out (no finite value)` : ""))));
  put($("#design-out"),
    el("h2", {}, res.title),
    res.frontiers.length ? [el("h3", {}, "Pareto frontiers"), charts, fronts] : el("p", {}, "No cell has an answer to draw: see the error column."),
    el("h3", {}, "Every cell"),
    designTable(res));
}

// designTable lists the rows with the columns that vary between them
// (the others are stated once above it); a header's click sorts by it.
function designTable(res) {
  const cols = res.columns.map((name, i) => ({name, i}));
  const same = c => res.rows.every(r => JSON.stringify(r[c.i]) === JSON.stringify(res.rows[0][c.i]));
  const shown = cols.filter(c => c.name === "cell" || res.rows.length < 2 || !same(c));
  const fixed = res.rows.length < 2 ? [] : cols.filter(c => c.name !== "cell" && same(c) && res.rows[0][c.i] !== null && res.rows[0][c.i] !== "");
  const tbody = el("tbody");
  const table = el("table", {id: "design-rows"},
    el("thead", {}, el("tr", {}, shown.map(c => el("th", {"data-col": c.name, title: "sort by " + c.name,
      onclick: e => sortDesign(res, shown, tbody, c, e.currentTarget)}, c.name)))), tbody);
  fillDesignRows(tbody, res.rows, shown);
  return el("div", {},
    fixed.length ? el("p", {class: "muted"}, "The same in every row: " + fixed.map(c => `${c.name} ${cellText(res.rows[0][c.i])}`).join(", ")) : null,
    el("div", {class: "scroll"}, table));
}

function fillDesignRows(tbody, rows, shown) {
  put(tbody, rows.map(r => el("tr", {"data-cell": r[0]}, shown.map(c => {
    const v = r[c.i];
    if (c.name === "error" && v) return el("td", {class: "lbl err", title: v}, v);
    return el("td", {class: typeof v === "number" ? "" : "lbl", title: typeof v === "number" ? String(v) : null}, cellText(v));
  }))));
}

// cellText prints one value of a row: numbers to 4 digits, +Inf (a run
// that never finishes) as ∞, a null as –.
function cellText(v) {
  if (v === null || v === "") return "–";
  if (v === "+Inf") return "∞";
  if (typeof v === "boolean") return v ? "yes" : "no";
  return typeof v === "number" ? fmt(v) : String(v);
}

// sortDesign sorts by column c, ascending first, then descending;
// nulls last.
function sortDesign(res, shown, tbody, c, th) {
  const desc = th.classList.contains("asc");
  for (const h of th.parentNode.children) h.classList.remove("asc", "desc");
  th.classList.add(desc ? "desc" : "asc");
  const key = v => v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : v;
  const rows = [...res.rows].sort((a, b) => {
    const x = key(a[c.i]), y = key(b[c.i]);
    if (x === null || x === "") return (y === null || y === "") ? a[0] - b[0] : 1;
    if (y === null || y === "") return -1;
    const d = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return (desc ? -d : d) || a[0] - b[0];
  });
  fillDesignRows(tbody, rows, shown);
}

// ---- start -----------------------------------------------------------

const runners = {compare: runCompare, train: () => runTrain(readHash().params.get("search") === "1"), infer: runInfer, serve: runServe, run: runRun, report: runReport, design: runDesign};

// landingQuery is the comparison the address asks for, as compareParams
// will spell it once the form is filled, so start can fetch it at once.
function landingQuery(params) {
  const p = new URLSearchParams();
  p.set("chips", params.get("chips") || "h100-sxm,h20,b200,ascend-910b,ascend-910c");
  p.set("model", params.get("model") || "llama3.1-70b");
  p.set("precision", params.get("precision") || "bf16");
  return p.toString();
}

async function start() {
  const hash = readHash();
  let landing = null;
  if (hash.tab === "compare" || !runners[hash.tab]) {
    const q = landingQuery(hash.params);
    landing = {q, res: api("compare?" + q)};
    landing.res.catch(() => {}); // a failure is reported when the form re-asks
  }
  const [chips, models] = await Promise.all([api("chips"), api("models"), ...Object.keys(formSpecs).map(buildForm)]);
  catalog.chips = chips.chips;
  catalog.models = models.models;
  fillSelects();
  for (const tab of Object.keys(formSpecs)) {
    for (const s of $$(`#${tab}-form select.chip-select, #${tab}-form select.model-select`)) {
      if (s.dataset.initial) s.value = s.dataset.initial;
      s.dataset.initial = s.value;
    }
  }
  buildScenarioForm();
  // A phone shows results before the chip list: the picker starts closed.
  if (matchMedia("(max-width: 700px)").matches) $("#compare-picker").open = false;
  for (const [tab, table] of Object.entries(help)) addHelp($("#" + tab + "-form"), table);
  for (const tab of Object.keys(formSpecs)) addHelp($("#" + tab + "-form"), {});
  addHelp($("#report-form"), {scenario: "the whole scenario (chipgap-scenario/v1), JSON or YAML; errors select their line"});
  addHelp($("#design-form"), {grid: "the sweep grid (chipgap-sweep/v1), YAML or JSON; errors select their line"});
  wire();
  await applyHash(landing);
  document.body.dataset.ready = "1";
}

// applyHash shows the tab the address names, fills its form and draws
// its result (on load, and on Back and Forward).
async function applyHash(landing) {
  const {tab, params} = readHash();
  const t = runners[tab] ? tab : "compare";
  showTab(t);
  if (t === "compare") setCompareForm(params);
  if (t === "report") await loadScenarioEditor(params);
  else if (t === "design") await loadGridEditor(params);
  else if (t !== "compare") fillForm($("#" + t + "-form"), params);
  if (t === "compare") await runCompare(landing);
  else if (params.toString()) await runners[t]();
}

function wire() {
  for (const b of $$("#tabs button")) b.addEventListener("click", () => {
    const tab = b.dataset.tab;
    showTab(tab);
    if (tab === "report") { writeHash("report", new URLSearchParams()); loadScenarioEditor(null).catch(e => showError($("#report-status"), e)); return; }
    if (tab === "design") { writeHash("design", new URLSearchParams()); loadGridEditor(null).catch(e => showError($("#design-status"), e)); return; }
    let p = new URLSearchParams();
    try { p = tab === "compare" ? compareParams() : formParams($("#" + tab + "-form")); } catch (e) { /* no chip ticked */ }
    writeHash(tab, p);
  });
  addEventListener("popstate", () => { applyHash(null).catch(() => {}); });
  addEventListener("keydown", e => {
    if (e.key !== "Escape") return;
    if (!$("#panel").hidden) { $("#panel").hidden = true; return; }
    for (const d of $$("details[open].closes")) d.open = false;
  });
  $("#compare-chips").addEventListener("change", e => {
    const id = e.target.value;
    compareOrder = compareOrder.filter(x => x !== id);
    if (e.target.checked) compareOrder.push(id);
    countChips();
  });
  $("#compare-form").addEventListener("submit", e => { e.preventDefault(); runCompare(null); });
  $("#train-form").addEventListener("submit", e => { e.preventDefault(); runTrain(false); });
  $("#train-search").addEventListener("click", () => runTrain(true));
  // A plan field edited after a search is the user's: the next search keeps it.
  for (const ev of ["input", "change"]) $("#train-form").addEventListener(ev, e => searchFilled.delete(e.target.name));
  $("#infer-form").addEventListener("submit", e => { e.preventDefault(); runInfer(); });
  $("#serve-form").addEventListener("submit", e => { e.preventDefault(); runServe(); });
  $("#run-form").addEventListener("submit", e => { e.preventDefault(); runRun(); });
  $("#report-form").addEventListener("submit", e => { e.preventDefault(); runReport(); });
  $("#design-form").addEventListener("submit", e => { e.preventDefault(); runDesign(); });
  // Live results: the fast answers follow every edit.
  live($("#compare-form"), () => runCompare(null));
  live($("#train-form"), () => runTrain(false), e => e.target.name === "top");
  live($("#infer-form"), runInfer);
  for (const ta of $$("textarea")) {
    ta.addEventListener("input", () => gutter(ta));
    ta.addEventListener("scroll", () => gutter(ta));
    gutter(ta);
  }
  $("#report-form").elements.scenario.addEventListener("change", scenarioToForm);
  for (const b of $$("button.pin")) b.addEventListener("click", () => pin(b.dataset.tab));
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
