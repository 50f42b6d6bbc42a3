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

// put replaces node's children with kids, skipping null and undefined
// (replaceChildren would print them as text).
function put(node, ...kids) {
  node.replaceChildren(...kids.flat().filter(k => k !== null && k !== undefined));
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
  status.dataset.job = j.id;
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
  put(status,
    el("span", {}, `${j.kind}: ${p.stage || "working"} ${p.total ? p.done + " / " + p.total : ""} · ${j.elapsed_s.toFixed(1)} s `),
    el("div", {class: "progress"}, el("i", {style: `width:${(100 * frac).toFixed(1)}%`})));
}

function showError(status, err) {
  status.className = "status err";
  status.textContent = (err.field ? err.field + ": " : "") + err.message;
  if (err.field) {
    // The API names fields as request paths ("plan.tp",
    // "workload.input_tokens"); the forms use the last part, or an alias.
    const alias = {input_tokens: "prompt", output_tokens: "output", global_batch: "batch", sequence_parallel: "sp", seeds: "seeds",
      rates: "rate", "workload.input.tokens": "in_tokens", "workload.input.sigma": "in_sigma", "workload.output.tokens": "out_tokens",
      "workload.output.sigma": "out_sigma", "slo.ttft": "ttft_ms", "slo.tpot": "tpot_ms", parallel: "tp"};
    const last = err.field.split(".").pop().replace(/\[\d+\]$/, "");
    const form = status.previousElementSibling;
    const first = err.field.split(/[.[]/)[0];
    const input = form && form.elements && (form.elements[err.field] || form.elements[alias[err.field]] || form.elements[last] || form.elements[alias[last]] || form.elements[first]);
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
    put(s, ...catalog.chips.map(c => el("option", {value: c.id}, c.name)));
    s.value = "h100-sxm";
  }
  const models = catalog.models.map(m => el("option", {value: m.id}, m.name));
  for (const s of $$(".model-select")) { put(s, ...models.map(o => o.cloneNode(true))); s.value = "llama3.1-70b"; }
  $("#compare-model").append(...models.map(o => o.cloneNode(true)));
  const precs = ["bf16", "fp16", "fp8", "int8", "fp4", "tf32", "fp32"];
  for (const s of [...$$(".precision-select"), $("#compare-precision")]) {
    put(s, ...precs.map(p => el("option", {value: p}, p)));
  }
  put($("#compare-chips"), ...catalog.chips.map(c =>
    el("label", {}, el("input", {type: "checkbox", name: "chip", value: c.id}), c.name)));
}

// ---- sources panel (drill-down) --------------------------------------

async function showSources(title, c) {
  const panel = $("#panel");
  const body = $("#panel-body");
  put(body, el("h3", {}, title), el("p", {}, "loading sources…"));
  panel.hidden = false;
  const srcs = await loadSources().catch(() => ({}));
  const flags = [c.derived && "derived (computed by chipgap from sourced inputs)", c.assumed && "assumed (nobody published it)"].filter(Boolean);
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

// runCompare draws the comparison the form asks for; prefetched is the
// landing request start made before the form existed, used if it matches.
async function runCompare(prefetched) {
  const status = $("#compare-status");
  const p = compareParams();
  writeHash("compare", p);
  showOK(status, "comparing…");
  try {
    const q = p.toString();
    const res = await (prefetched && prefetched.q === q ? prefetched.res : api("compare?" + q));
    renderCompare(res);
    showOK(status, `${res.chips.length} chips at ${res.precision}` + (res.model ? `, model ${res.model.name}` : ""));
  } catch (e) { showError(status, e); }
}

function renderCompare(res) {
  const head = el("tr", {}, el("th", {class: "lbl"}, "quantity"), res.chips.map(c => el("th", {"data-chip": c.id}, c.name)));
  const rows = res.rows.map(r => el("tr", {"data-row": r.key},
    el("td", {class: "lbl", title: r.note || ""}, r.label, el("span", {class: "muted"}, ` (${r.unit})`)),
    r.cells.map((c, i) => compareCell(r, c, res.chips[i]))));
  put($("#compare-out"),
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

function trainBody(form, search) {
  const f = form.elements;
  const n = name => Number(f[name].value);
  const body = {
    chip: f.chip.value, chips: n("chips"), model: f.model.value,
    tokens: n("tokens"), seq: n("seq"), global_batch: n("batch"), precision: f.precision.value, charts: true,
  };
  if (!search) {
    body.plan = {tp: n("tp"), pp: n("pp"), dp: n("dp"), cp: n("cp"), ep: n("ep"), vpp: n("vpp"),
      microbatch: n("microbatch"), recompute: f.recompute.value, zero: n("zero"), sequence_parallel: f.sp.value === "1"};
  }
  return body;
}

async function runTrain(search) {
  const form = $("#train-form");
  const status = $("#train-status");
  const p = formParams(form);
  if (search) p.set("search", "1"); else p.delete("search");
  writeHash("train", p);
  showOK(status, search ? "searching plans…" : "estimating…");
  try {
    if (search) {
      const res = await runJob("train/search", trainBody(form, true), status);
      if (res.best) setPlan(form, res.best.plan);
      renderTrain(res.best, res);
      showOK(status, `best of ${res.plans_evaluated} plans (${res.out_of_memory} out of memory, ${res.invalid} invalid)`);
    } else {
      renderTrain(await api("train/estimate", trainBody(form, false)), null);
      showOK(status, "estimate for the plan above");
    }
  } catch (e) { showError(status, e); }
}

function setPlan(form, plan) {
  const f = form.elements;
  for (const k of ["tp", "pp", "dp", "cp", "ep", "vpp", "microbatch", "zero"]) f[k].value = plan[k];
  f.recompute.value = plan.recompute;
  f.sp.value = plan.sequence_parallel ? "1" : "0";
}

// bigNumber is one headline figure: typ, and a range when lo/hi differ.
function bigNumber(key, label, typ, unit, lo, hi, scale = 1) {
  const range = (lo !== undefined && hi !== undefined && lo !== hi) ? fmtRange(Math.min(lo, hi), Math.max(lo, hi), scale) : "";
  return el("div", {"data-key": key, "data-typ": typ, "data-scale": scale},
    el("span", {class: "muted"}, label), el("b", {class: "num"}, fmt(typ / scale)), ` ${unit}`,
    range ? el("span", {class: "rng"}, "range " + range) : null);
}

function renderTrain(r, search) {
  const out = $("#train-out");
  if (!r) { put(out, el("p", {}, "no plan fits")); return; }
  const lo = r.ranges && r.ranges.low, hi = r.ranges && r.ranges.high;
  const big = el("div", {class: "big", id: "train-big"},
    r.days ? bigNumber("days", "Days (steady state)", r.days, "days", lo && lo.days, hi && hi.days) : null,
    r.cost ? bigNumber("cost", "Rental cost", r.cost.typ, "M$", r.cost.min, r.cost.max, 1e6) : null,
    bigNumber("mfu", "MFU", r.mfu * 100, "%", lo && lo.mfu * 100, hi && hi.mfu * 100),
    bigNumber("step_time", "Step time", r.step_time, "s", lo && lo.step_time, hi && hi.step_time),
    bigNumber("tokens_per_s", "Throughput", r.tokens_per_s, "tokens/s", lo && lo.tokens_per_s, hi && hi.tokens_per_s));
  const notes = el("p", {class: "muted"}, `plan ${r.plan_text} · ${r.profile} · memory ${fmt(r.memory.total / 1e9)} of ${fmt(r.memory.capacity / 1e9)} GB per device`,
    r.ranges ? el("br") : null, r.ranges ? "ranges: " + r.ranges.basis : null,
    r.cost ? el("br") : null, r.cost ? "cost: " + r.cost.basis : null);
  put(out, big, notes, chartsOf(r.charts), search ? plansTable(search) : null);
}

function plansTable(search) {
  return el("table", {id: "train-plans"},
    el("thead", {}, el("tr", {}, ["plan", "step (s)", "MFU %", "tokens/s/chip", "memory GB"].map(h => el("th", {}, h)))),
    el("tbody", {}, search.plans.map(r => el("tr", {class: "plan", title: "use this plan", onclick: () => { setPlan($("#train-form"), r.plan); runTrain(false); }},
      el("td", {class: "lbl"}, r.plan_text), el("td", {}, fmt(r.step_time)), el("td", {}, fmt(r.mfu * 100)),
      el("td", {}, fmt(r.tokens_per_s_per_chip)), el("td", {}, fmt(r.memory.total / 1e9))))));
}

// ---- inference -------------------------------------------------------

function inferBody(form) {
  const f = form.elements;
  return {
    chip: f.chip.value, chips: Number(f.chips.value), model: f.model.value, precision: f.precision.value,
    workload: {input_tokens: Number(f.prompt.value), output_tokens: Number(f.output.value)},
    slo: {tpot: Number(f.tpot_ms.value) / 1e3, ttft: Number(f.ttft_ms.value) / 1e3},
  };
}

async function runInfer() {
  const form = $("#infer-form");
  const status = $("#infer-status");
  writeHash("infer", formParams(form));
  showOK(status, "computing the curve…");
  try {
    const res = await api("infer/curve", inferBody(form));
    renderInfer(res);
    showOK(status, `${res.points.length} batch sizes · profile ${res.profile} · tp=${res.parallel.tp} pp=${res.parallel.pp} ep=${res.parallel.ep}`);
  } catch (e) { showError(status, e); }
}

function renderInfer(res) {
  const b = res.best;
  const big = el("div", {class: "big", id: "infer-big"}, b ? [
    bigNumber("throughput", "Best output tokens/s per chip under the SLO", b.output_tokens_per_s_per_chip, "tokens/s"),
    bigNumber("batch", "at batch", b.batch, "sequences"),
    bigNumber("tpot", "TPOT", b.tpot * 1e3, "ms"),
    bigNumber("ttft", "TTFT", b.ttft * 1e3, "ms"),
  ] : el("div", {}, el("span", {class: "muted"}, "no batch meets the SLO"), el("b", {}, "–"), res.best_error || ""));
  const table = el("table", {id: "infer-points"},
    el("thead", {}, el("tr", {}, ["batch", "TPOT ms", "TTFT ms", "output tok/s/chip", "bound", "meets SLO"].map(h => el("th", {}, h)))),
    el("tbody", {}, res.points.map(p => el("tr", {},
      el("td", {}, p.batch), el("td", {}, fmt(p.tpot * 1e3)), el("td", {}, fmt(p.ttft * 1e3)),
      el("td", {}, fmt(p.output_tokens_per_s_per_chip)), el("td", {}, p.step.bound), el("td", {}, p.meets_slo ? "yes" : "no")))));
  put($("#infer-out"), big, res.stack_note ? el("p", {class: "muted"}, res.stack_note) : null, chartsOf(res.charts), table);
}

// ---- serving under traffic --------------------------------------------

// serveRates reads the rate field: one rate, or a comma-separated sweep.
function serveRates(f) {
  const rates = f.rate.value.split(",").map(x => x.trim()).filter(x => x !== "").map(Number);
  if (!rates.length || rates.some(r => !Number.isFinite(r))) {
    const e = new Error(`"${f.rate.value}": want a rate in requests/s, or several separated by commas`);
    e.field = "rate";
    throw e;
  }
  return rates;
}

function serveLengthsOf(f, side) {
  const l = {dist: f[side + "_dist"].value, tokens: Number(f[side + "_tokens"].value)};
  if (l.dist === "lognormal") l.sigma = Number(f[side + "_sigma"].value);
  return l;
}

function serveBody(form) {
  const f = form.elements;
  const rates = serveRates(f);
  const workload = {requests: Number(f.requests.value), seed: Number(f.seed.value),
    input: serveLengthsOf(f, "in"), output: serveLengthsOf(f, "out")};
  if (rates.length === 1) workload.rate = rates[0]; else workload.rates = rates;
  return {
    model: f.model.value, chip: f.chip.value, chips: Number(f.chips.value), parallel: {tp: Number(f.tp.value)},
    precision: f.precision.value, workload,
    slo: {ttft: Number(f.ttft_ms.value) / 1e3, tpot: Number(f.tpot_ms.value) / 1e3},
  };
}

async function runServe() {
  const form = $("#serve-form");
  const status = $("#serve-status");
  writeHash("serve", formParams(form));
  showOK(status, "simulating traffic…");
  try {
    const res = await runJob("serve/simulate", serveBody(form), status);
    renderServe(res);
    const r = res.result;
    showOK(status, `${r.requests_completed} of ${r.requests} requests completed at ${fmt(res.rate)} requests/s · ${fmt(r.simulated_s)} s simulated` +
      (res.sweep ? ` · ${res.sweep.length} rates swept` : ""));
  } catch (e) { showError(status, e); }
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
    bigNumber("usd_per_m", "Cost per million output tokens", c.usd_per_m_output_tokens, "$"),
    bigNumber("kwh_per_m", "Energy per million output tokens", c.kwh_per_m_output_tokens, "kWh"));
  const lat = el("table", {id: "serve-latency"},
    el("thead", {}, el("tr", {}, ["latency (ms)", "P50", "P90", "P99", "mean", "max"].map(h => el("th", {}, h)))),
    el("tbody", {}, [["ttft", "time to first token", r.ttft_ms], ["tpot", "time per output token", r.tpot_ms], ["e2e", "end to end", r.e2e_ms]].map(([k, name, l]) =>
      el("tr", {"data-row": k}, el("td", {class: "lbl"}, name), [l.p50, l.p90, l.p99, l.mean, l.max].map(x => el("td", {}, l.n ? fmt(x) : "–"))))));
  const pools = res.pools.map(p => `${p.name}: ${p.replicas} × ${fmt(p.chips_per_replica)} ${p.chip}, ${p.engine.kv_blocks} KV blocks of ${p.engine.block_tokens} tokens, ≤ ${p.engine.max_seqs} sequences`).join("; ");
  const notes = el("p", {class: "muted"}, `${pools} · ${fmt(t.requests_per_s)} requests/s and ${fmt(t.output_tokens_per_s_per_chip)} output tokens/s per chip · `,
    `$${fmt(c.usd_per_hour)}/h for ${fmt(c.chips)} chips, $${fmt(c.usd_per_m_tokens)} per million tokens in and out · ${r.preemptions} preemptions, ${r.requests_rejected} rejected (too long for the KV cache)`,
    el("br"), `KV cache use: peak ${r.kv.peak_util.map(u => fmt(u * 100) + " %").join(", ")}, mean ${r.kv.mean_util.map(u => fmt(u * 100) + " %").join(", ")}`);
  const caption = res.sweep ? el("p", {class: "caption"}, `Rate sweep: the figures above are for ${fmt(res.rate)} requests/s, ` +
    (res.result.overload ? "the lowest rate (none keeps up)" : "the highest rate that keeps up") + "; click a row to simulate that rate alone.") : null;
  put($("#serve-out"), serveVerdict(r), big, lat, notes, caption, res.sweep ? sweepTable(res) : null, chartsOf(res.charts));
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
        onclick: () => { $("#serve-form").elements.rate.value = String(pt.rate); runServe(); }},
      el("td", {}, fmt(pt.rate)), [r.ttft_ms.p50, r.ttft_ms.p99].map(x => el("td", {}, r.ttft_ms.n ? fmt(x) : "–")),
      el("td", {}, r.tpot_ms.n ? fmt(r.tpot_ms.p99) : "–"),
      el("td", {}, fmt(r.throughput.output_tokens_per_s)), el("td", {}, fmt(r.goodput.requests_per_s)),
      el("td", {}, fmt(r.goodput.attained * 100)), el("td", {class: "lbl"}, verdict(r)));
    })));
}

// ---- whole run -------------------------------------------------------

function runBody(form) {
  const f = form.elements;
  return {
    chip: f.chip.value, chips: Number(f.chips.value), model: f.model.value,
    tokens: Number(f.tokens.value), days: Number(f.days.value), seeds: Number(f.seeds.value), seed: Number(f.seed.value),
    ranges: true, // draw the ranged inputs per seed (the API's default is typical values, as chipgap run's)
  };
}

async function runRun() {
  const form = $("#run-form");
  const status = $("#run-status");
  writeHash("run", formParams(form));
  showOK(status, "simulating…");
  try {
    const res = await runJob("run/simulate", runBody(form), status);
    const r = res.result;
    const big = el("div", {class: "big", id: "run-big"},
      bigNumber("total_days", "Total days (P50)", r.total_days.p50, "days", r.total_days.p10, r.total_days.p90),
      bigNumber("effective", "Effective training time (P50)", r.effective.p50 * 100, "%", r.effective.p10 * 100, r.effective.p90 * 100),
      bigNumber("interruptions", "Interruptions (P50)", r.interruptions.p50, "", r.interruptions.p10, r.interruptions.p90),
      bigNumber("closed", "Closed form (Young/Daly), total", (r.closed_form.wall + r.closed_form.port) / 86400, "days"));
    put($("#run-out"), big,
      el("p", {class: "muted"}, `throughput ${fmt(res.throughput.tokens_per_s)} tokens/s from ${res.throughput.source}${res.throughput.plan ? " (" + res.throughput.plan + ")" : ""}; ranges are P10–P90 over ${r.seeds} simulated runs (seed ${r.seed})`),
      chartsOf(res.charts));
    showOK(status, `${r.seeds} runs simulated, ${r.finished} finished`);
  } catch (e) { showError(status, e); }
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
  if (params && params.get("z")) { ta.value = await unpack(params.get("z")); return; }
  if (ta.value) return;
  if (!defaultScenario) defaultScenario = JSON.stringify(await api("report/scenario"), null, 1);
  ta.value = defaultScenario;
}

async function runReport() {
  const form = $("#report-form");
  const status = $("#report-status");
  await loadScenarioEditor(null);
  const text = form.elements.scenario.value;
  const p = new URLSearchParams();
  if (text === defaultScenario) p.set("default", "1"); else p.set("z", await pack(text));
  writeHash("report", p);
  showOK(status, "building the report…");
  try {
    const res = await runJob("report", {scenario: text === defaultScenario ? "" : text}, status);
    Object.assign(await loadSources().catch(() => ({})), res.sources);
    renderReport(res);
    showOK(status, `${res.results.samples} Monte Carlo samples, seed ${res.results.seed}`);
  } catch (e) { showError(status, e); }
}

function statText(st) {
  if (!st || st.p50 === null) return "never finishes";
  const r = (st.p10 !== st.p90 && st.p10 !== null && st.p90 !== null) ? ` (${fmt(st.p10)}–${fmt(st.p90)})` : st.p90 === null ? " (P90: never)" : "";
  return fmt(st.p50) + r;
}

function renderReport(res) {
  const r = res.results, rep = res.report;
  const head = ["system", "chip", "chips", "plan", "total days", "MFU %", "run cost M$", "serve tok/s/chip"];
  const rows = r.systems.map(sy => el("tr", {"data-system": sy.system.label},
    el("td", {class: "lbl"}, sy.system.label), el("td", {class: "lbl"}, sy.chip_name), el("td", {}, sy.chips),
    el("td", {class: "lbl"}, sy.plan || sy.train_error || "–"),
    statCell(sy, "total_days", 1), statCell(sy, "mfu", 100), statCell(sy, "run_cost_usd", 1e-6),
    statCell(sy, "serve_tokens_per_s_per_chip", 1)));
  put($("#report-out"),
    el("h2", {}, rep.title || "Gap report"),
    el("p", {class: "muted"}, rep.subtitle),
    (rep.headline || []).length ? el("ul", {class: "headline"}, rep.headline.map(h => el("li", {}, h))) : null,
    el("h3", {}, "At a glance"),
    el("table", {id: "report-systems"}, el("thead", {}, el("tr", {}, head.map(h => el("th", {}, h)))), el("tbody", {}, rows)),
    el("p", {class: "muted"}, "Cells: P50 (P10–P90) over the samples; click a cell for the system's sources."),
    rep.claims && rep.claims.rows && rep.claims.rows.length ? el("section", {}, el("h3", {}, "Claims tested"), tableOf(rep.claims)) : null,
    ...rep.sections.map(sec => renderSection(sec, rep.figures.filter(f => f.section === sec.title || f.section === sec.id), r)));
}

function tableOf(t) {
  return el("div", {},
    t.caption ? el("p", {class: "caption"}, t.caption) : null,
    el("table", {}, el("thead", {}, el("tr", {}, t.header.map(h => el("th", {class: "lbl"}, h)))),
      el("tbody", {}, t.rows.map(row => el("tr", {}, row.map(c => el("td", {class: "lbl"}, c)))))),
    t.note ? el("p", {class: "muted"}, t.note) : null);
}

// renderSection draws one report section: its text, tables and charts,
// and a drill-down list of its figures, each opening its trail and the
// sources of the system it is about.
function renderSection(sec, figs, results) {
  const charts = el("div", {class: "charts"});
  for (const c of sec.charts || []) {
    const d = el("div", {"data-chart": c.key});
    d.innerHTML = c.svg; // drawn by our server's plot package, labels escaped
    charts.append(d);
  }
  const list = figs.length ? el("table", {class: "figure-rows", hidden: true},
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

function statCell(sy, key, scale) {
  const st = sy.stats[key];
  if (!st) return el("td", {class: "na"}, "–");
  const sc = x => x === null ? null : x * scale;
  const s = {typ: sc(st.typ), p10: sc(st.p10), p50: sc(st.p50), p90: sc(st.p90)};
  return el("td", {class: "v", "data-stat": key, "data-p50": st.p50,
    onclick: () => showSources(`${key} — ${sy.system.label}`, {display: statText(s), sources: systemSources({systems: [sy]}, sy.system.label, "")})}, statText(s));
}

// ---- design space ----------------------------------------------------

// The grid travels in the URL like the report's scenario (z=, deflated);
// the example grid is #design?default=1.
let exampleGrid = "";

async function loadGridEditor(params) {
  const ta = $("#design-form").elements.grid;
  if (params && params.get("z")) { ta.value = await unpack(params.get("z")); return; }
  if (ta.value) return;
  if (!exampleGrid) exampleGrid = (await api("sweep/example")).grid;
  ta.value = exampleGrid;
}

async function runDesign() {
  const form = $("#design-form");
  const status = $("#design-status");
  const out = $("#design-out");
  await loadGridEditor(null);
  const text = form.elements.grid.value;
  const p = new URLSearchParams();
  if (text === exampleGrid) p.set("default", "1"); else p.set("z", await pack(text));
  writeHash("design", p);
  put(out); // an answer, or an error, replaces the last one
  delete out.dataset.job;
  showOK(status, "starting the sweep…");
  try {
    const res = await runJob("sweep", {grid: text}, status);
    out.dataset.job = status.dataset.job;
    renderDesign(res);
    showOK(status, `${res.cells} cells, ${res.cells_with_error} with no answer (see the error column); grid ${res.grid_hash.slice(0, 12)}`);
  } catch (e) {
    showError(status, e);
    selectGridLine(form.elements.grid, e.message);
  }
}

// selectGridLine puts the editor's cursor on the line a grid error names
// ("grid:9: field ...").
function selectGridLine(ta, msg) {
  const m = /^grid:(\d+):/.exec(msg || "");
  if (!m) return;
  const lines = ta.value.split("\n");
  const n = Math.min(Number(m[1]), lines.length) - 1;
  const start = lines.slice(0, n).reduce((a, l) => a + l.length + 1, 0);
  ta.focus();
  ta.setSelectionRange(start, start + lines[n].length);
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
  const [chips, models] = await Promise.all([api("chips"), api("models")]);
  catalog.chips = chips.chips;
  catalog.models = models.models;
  fillSelects();
  const {tab, params} = readHash();
  setCompareForm(tab === "compare" ? params : new URLSearchParams());
  if (tab === "report") await loadScenarioEditor(params);
  else if (tab === "design") await loadGridEditor(params);
  else if (tab !== "compare" && $("#" + tab + "-form")) fillForm($("#" + tab + "-form"), params);
  showTab(runners[tab] ? tab : "compare");
  wire();
  // The comparison is the landing view: draw it at once.
  if (tab === "compare" || !runners[tab]) await runCompare(landing);
  else if (params.toString()) await runners[tab]();
  document.body.dataset.ready = "1";
}

function wire() {
  for (const b of $$("#tabs button")) b.addEventListener("click", () => {
    showTab(b.dataset.tab);
    if (b.dataset.tab === "report") { writeHash("report", new URLSearchParams()); loadScenarioEditor(null); return; }
    if (b.dataset.tab === "design") { writeHash("design", new URLSearchParams()); loadGridEditor(null).catch(e => showError($("#design-status"), e)); return; }
    const form = $("#" + b.dataset.tab + "-form");
    writeHash(b.dataset.tab, b.dataset.tab === "compare" ? compareParams() : formParams(form));
  });
  $("#compare-chips").addEventListener("change", e => {
    const id = e.target.value;
    compareOrder = compareOrder.filter(x => x !== id);
    if (e.target.checked) compareOrder.push(id);
  });
  $("#compare-form").addEventListener("submit", e => { e.preventDefault(); runCompare(null); });
  $("#train-form").addEventListener("submit", e => { e.preventDefault(); runTrain(false); });
  $("#train-search").addEventListener("click", () => runTrain(true));
  $("#infer-form").addEventListener("submit", e => { e.preventDefault(); runInfer(); });
  $("#serve-form").addEventListener("submit", e => { e.preventDefault(); runServe(); });
  $("#run-form").addEventListener("submit", e => { e.preventDefault(); runRun(); });
  $("#report-form").addEventListener("submit", e => { e.preventDefault(); runReport(); });
  $("#design-form").addEventListener("submit", e => { e.preventDefault(); runDesign(); });
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
