// chipgap charts: draws every SVG with a data-chart spec (package plot's
// charts) with uPlot: ticks and units on both axes, zero where it
// matters, a legend in the series' colours with live values on hover,
// the limit line (an SLO), the chosen point, P10–P90 ranges, and PNG, CSV
// and SVG downloads. The same file serves the page and report --html;
// without scripts the SVG stays. No network, no inline code: CSP-safe.
"use strict";

(function () {
  // human prints a number the way a person writes it: 1.2k, 3.4M, 0.125.
  function human(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "–";
    const a = Math.abs(v);
    const cut = x => String(Number(x.toPrecision(3)));
    if (a >= 1e12) return cut(v / 1e12) + "T";
    if (a >= 1e9) return cut(v / 1e9) + "G";
    if (a >= 1e6) return cut(v / 1e6) + "M";
    if (a >= 1e4) return cut(v / 1e3) + "k";
    if (a >= 1000) return Math.round(v).toLocaleString("en-US");
    if (a !== 0 && a < 1e-3) return v.toExponential(1);
    return String(Number(v.toPrecision(3)));
  }

  const font = "12px system-ui, sans-serif";
  // tick prints an axis value compactly: 1.5k, 2M, 0.25.
  function tick(v) {
    const a = Math.abs(v);
    if (a >= 1000 && a < 1e4) return String(Number((v / 1e3).toPrecision(3))) + "k";
    return human(v);
  }
  const ticks = (u, splits) => splits.map(tick);
  const finite = x => x !== null && x !== undefined && Number.isFinite(x);

  // zeroRange pads [min, max] and keeps 0 in it (a quantity's scale).
  function zeroRange(lo, hi, extra) {
    const vals = [lo, hi, ...(extra || [])].filter(finite);
    let a = Math.min(0, ...vals), b = Math.max(0, ...vals);
    if (a === b) b = a + 1;
    const pad = (b - a) * 0.06;
    return [a < 0 ? a - pad : a, b > 0 ? b + pad : b];
  }

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k);
    return e;
  }

  function download(name, blob) {
    const a = el("a", {href: URL.createObjectURL(blob), download: name});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  const csvCell = v => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };

  // csvOf lists a chart's data, one row per value, with units in the header.
  function csvOf(spec) {
    const rows = [];
    const xu = spec.x_unit ? ` (${spec.x_unit})` : "", yu = spec.y_unit ? ` (${spec.y_unit})` : "";
    if (spec.kind === "bars" || spec.kind === "range") {
      const ranged = spec.series.some(s => s.lo);
      rows.push(["category", "series", "value" + xu].concat(ranged ? ["low" + xu, "high" + xu] : []));
      spec.labels.forEach((l, i) => spec.series.forEach(s =>
        rows.push([l, s.name, s.y[i]].concat(ranged ? [s.lo ? s.lo[i] : "", s.hi ? s.hi[i] : ""] : []))));
    } else if (spec.kind === "map") {
      const s = spec.series[0];
      rows.push(["x" + xu, "y" + yu, "value"]);
      s.y.forEach((y, j) => s.x.forEach((x, i) => rows.push([x, y, spec.z[j][i]])));
    } else {
      rows.push(["series", "x" + xu, "y" + yu].concat(spec.kind === "scatter" ? ["point"] : []));
      for (const s of spec.series) s.y.forEach((y, i) => rows.push([s.name, s.x[i], y].concat(spec.kind === "scatter" ? [s.tips ? s.tips[i] : ""] : [])));
    }
    return rows.map(r => r.map(csvCell).join(",")).join("\n") + "\n";
  }

  function fileName(spec, ext) {
    return (spec.title || "chart").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) + "." + ext;
  }

  // png draws the chart (title, plot, legend) into one image.
  function png(box, spec, u, svgText) {
    if (!u) { // the SVG, rasterized
      const img = new Image();
      img.onload = () => {
        const c = el("canvas", {width: img.width * 2, height: img.height * 2});
        const ctx = c.getContext("2d");
        ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, c.width, c.height);
        ctx.drawImage(img, 0, 0, c.width, c.height);
        c.toBlob(b => download(fileName(spec, "png"), b));
      };
      img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText);
      return;
    }
    const r = window.devicePixelRatio || 1;
    const src = u.ctx.canvas;
    const names = legendEntries(spec);
    const head = 28 * r, foot = (Math.ceil(names.length / 3) * 18 + 8) * r;
    const c = el("canvas", {width: src.width, height: src.height + head + foot});
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, c.width, c.height);
    ctx.fillStyle = "#1d232a"; ctx.font = `bold ${14 * r}px system-ui, sans-serif`;
    ctx.fillText(spec.title || "", 8 * r, 19 * r);
    ctx.drawImage(src, 0, head);
    ctx.font = `${12 * r}px system-ui, sans-serif`;
    names.forEach(([name, color], i) => {
      const x = (8 + (i % 3) * (src.width / r / 3)) * r, y = src.height + head + (8 + Math.floor(i / 3) * 18) * r;
      ctx.fillStyle = color; ctx.fillRect(x, y, 10 * r, 10 * r);
      ctx.fillText(name, x + 14 * r, y + 10 * r);
    });
    c.toBlob(b => download(fileName(spec, "png"), b));
  }

  function legendEntries(spec) {
    const out = spec.series.filter(s => !s.hidden).map(s => [s.name, s.color]);
    if (spec.limit !== undefined) out.push([spec.limit_label || "limit", "#b3261e"]);
    if (spec.mark) out.push([spec.mark.label || "chosen point", "#1d232a"]);
    return out;
  }

  // draw replaces the SVG in box by a uPlot chart of spec.
  function draw(box, spec, svgText) {
    const width = Math.max(240, Math.min(640, ((box.parentElement || box).clientWidth || 654) - 14));
    const plot = el("div", {class: "chart-plot"});
    let u = null;
    const mk = window.uPlot && builders[spec.kind];
    if (mk) {
      box.replaceChildren(el("div", {class: "chart-title"}, spec.title || ""), plot);
      u = mk(spec, width, plot);
      colourLegend(plot, spec);
    } else {
      box.querySelector("svg").removeAttribute("data-chart");
    }
    const tools = el("div", {class: "chart-tools"},
      el("button", {type: "button", "data-dl": "png", title: "download the chart as a PNG image", onclick: () => png(box, spec, u, svgText)}, "PNG"),
      el("button", {type: "button", "data-dl": "csv", title: "download the chart's data as CSV", onclick: () => download(fileName(spec, "csv"), new Blob([csvOf(spec)], {type: "text/csv"}))}, "CSV"),
      el("button", {type: "button", "data-dl": "svg", title: "download the chart as SVG", onclick: () => download(fileName(spec, "svg"), new Blob([svgText], {type: "image/svg+xml"}))}, "SVG"));
    box.append(tools);
    box.chart = {spec, u, csv: () => csvOf(spec)};
    box.classList.add("chart");
    return u;
  }

  // colourLegend writes each legend label in its series' colour.
  function colourLegend(plot, spec) {
    const rows = plot.querySelectorAll(".u-legend .u-series");
    rows.forEach(tr => {
      const mark = tr.querySelector(".u-marker");
      const lab = tr.querySelector(".u-label");
      if (!mark || !lab) return;
      const c = mark.style.borderColor || mark.style.background;
      if (c && tr !== rows[0]) lab.style.color = c;
    });
  }

  function axisX(spec, extra) {
    return Object.assign({label: spec.x_unit || "", values: ticks, space: 48, font, labelFont: font, stroke: "#444", grid: {stroke: "#eceff2"}, ticks: {stroke: "#bbb"}}, extra || {});
  }
  function axisY(spec, extra) {
    return Object.assign({label: spec.y_unit || "", values: ticks, font, labelFont: font, stroke: "#444", size: 56, grid: {stroke: "#eceff2"}, ticks: {stroke: "#bbb"}}, extra || {});
  }

  // markers draws the limit line and the chosen point over the plot.
  function markers(spec) {
    return u => {
      const ctx = u.ctx, r = window.devicePixelRatio || 1;
      const {left, top, width, height} = u.bbox;
      ctx.save();
      ctx.font = `${11 * r}px system-ui, sans-serif`;
      if (spec.limit !== undefined && spec.kind !== "bars") {
        const y = u.valToPos(spec.limit, "y", true);
        ctx.strokeStyle = "#b3261e"; ctx.setLineDash([5 * r, 4 * r]); ctx.lineWidth = 1.5 * r;
        ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = "#b3261e"; ctx.textAlign = "right";
        ctx.fillText(`${spec.limit_label || "limit"} ${human(spec.limit)} ${spec.y_unit || ""}`, left + width - 4 * r, y - 4 * r);
      }
      if (spec.mark && finite(spec.mark.x) && finite(spec.mark.y)) {
        const x = u.valToPos(spec.mark.x, "x", true), y = u.valToPos(spec.mark.y, "y", true);
        ctx.strokeStyle = "#1d232a"; ctx.lineWidth = 2 * r;
        ctx.beginPath(); ctx.arc(x, y, 7 * r, 0, 2 * Math.PI); ctx.stroke();
        ctx.fillStyle = "#1d232a"; ctx.textAlign = x > left + width / 2 ? "right" : "left";
        ctx.fillText(spec.mark.label || "chosen", x + (ctx.textAlign === "left" ? 10 : -10) * r, y - 10 * r);
      }
      ctx.restore();
    };
  }

  const builders = {
    lines(spec, width, target) {
      const tables = spec.series.map(s => {
        const pts = s.x.map((x, i) => [x, s.y[i]]).filter(p => finite(p[0])).sort((a, b) => a[0] - b[0]);
        const xs = [], ys = [];
        for (const [x, y] of pts) { if (xs.length && xs[xs.length - 1] === x) continue; xs.push(x); ys.push(y); }
        return [xs, ys];
      });
      const data = tables.length ? uPlot.join(tables) : [[], []];
      const ys = spec.series.flatMap(s => s.y).concat(spec.mark ? [spec.mark.y] : []);
      const xs = spec.series.flatMap(s => s.x).concat(spec.mark ? [spec.mark.x] : []);
      const opts = {
        width, height: 300,
        scales: {
          x: {time: false, range: () => zeroRange(Math.min(...xs.filter(finite)), Math.max(...xs.filter(finite)))},
          y: {range: () => zeroRange(Math.min(...ys.filter(finite)), Math.max(...ys.filter(finite)), spec.limit !== undefined ? [spec.limit * 1.05] : [])},
        },
        axes: [axisX(spec), axisY(spec)],
        series: [{label: spec.x_unit || "x", value: (u, v) => v === null ? "–" : human(v) + " " + (spec.x_unit || "")}]
          .concat(spec.series.map(s => ({label: s.name, stroke: s.color, width: 2, spanGaps: true, points: {show: s.x.length < 60, size: 5},
            value: (u, v) => v === null ? "–" : human(v) + " " + (spec.y_unit || "")}))),
        hooks: {draw: [markers(spec)]},
        legend: {live: true},
      };
      return new uPlot(opts, data, target);
    },

    // bars: horizontal, one row per label; several series stack
    // (spec.stack) or overlap; lo/hi draw P10–P90 whiskers.
    bars(spec, width, target) { return barChart(spec, width, target); },
    range(spec, width, target) { return barChart(spec, width, target); },

    // scatter: points (and the frontier line) drawn over uPlot's axes;
    // hovering shows the nearest point's label and values.
    scatter(spec, width, target) {
      const all = spec.series.flatMap(s => s.x.map((x, i) => [x, s.y[i]])).filter(p => finite(p[0]) && finite(p[1]));
      const xs = all.map(p => p[0]), ys = all.map(p => p[1]);
      const logR = (v) => { const a = Math.min(...v), b = Math.max(...v); return [Math.pow(10, Math.floor(Math.log10(a))), Math.pow(10, Math.ceil(Math.log10(b)))]; };
      const scale = (log, v) => log ? {distr: 3, log: 10, range: () => logR(v)} : {range: () => zeroRange(Math.min(...v), Math.max(...v))};
      const xsc = Object.assign({time: false}, scale(spec.log_x, xs));
      const readout = el("div", {class: "chart-readout"}, "hover a point");
      const draw = u => {
        const ctx = u.ctx, r = window.devicePixelRatio || 1;
        ctx.save();
        for (const s of spec.series) {
          const pts = s.x.map((x, i) => [u.valToPos(x, "x", true), u.valToPos(s.y[i], "y", true)]).filter(p => finite(p[0]) && finite(p[1]));
          if (s.frontier) {
            ctx.strokeStyle = s.color; ctx.lineWidth = 1.5 * r; ctx.beginPath();
            pts.forEach(([x, y], i) => i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)); ctx.stroke();
            for (const [x, y] of pts) { ctx.beginPath(); ctx.arc(x, y, 6 * r, 0, 2 * Math.PI); ctx.stroke(); }
          } else {
            ctx.fillStyle = s.color; ctx.globalAlpha = 0.75;
            for (const [x, y] of pts) { ctx.beginPath(); ctx.arc(x, y, 3.5 * r, 0, 2 * Math.PI); ctx.fill(); }
            ctx.globalAlpha = 1;
          }
        }
        ctx.restore();
      };
      const hover = u => {
        const {left, top} = u.cursor;
        if (left === undefined || left < 0) return;
        let best = null, bd = Infinity;
        for (const s of spec.series) s.x.forEach((x, i) => {
          const dx = u.valToPos(x, "x") - left, dy = u.valToPos(s.y[i], "y") - top, d = dx * dx + dy * dy;
          if (Number.isFinite(d) && d < bd) { bd = d; best = [s, i]; }
        });
        if (best && bd < 900) {
          const [s, i] = best;
          readout.textContent = `${s.name}: ${s.tips && s.tips[i] ? s.tips[i] + " · " : ""}${human(s.x[i])} ${spec.x_unit || ""}, ${human(s.y[i])} ${spec.y_unit || ""}`;
          readout.style.color = s.color === "#222222" ? "" : s.color;
        }
      };
      const opts = {
        width, height: 340,
        scales: {x: xsc, y: scale(spec.log_y, ys)},
        axes: [axisX(spec, {label: (spec.x_unit || "") + (spec.log_x ? " (log)" : "")}), axisY(spec, {label: (spec.y_unit || "") + (spec.log_y ? " (log)" : "")})],
        series: [{}].concat(spec.series.map(s => ({label: s.name, stroke: s.color, fill: s.color, width: 0, points: {show: false}, paths: () => null}))),
        hooks: {draw: [draw, markers(spec)], setCursor: [hover]},
        legend: {live: false},
      };
      const lo = xs.length ? Math.min(...xs) : 0, hi = xs.length ? Math.max(...xs) : 1;
      const data = [[lo, hi]].concat(spec.series.map(() => [null, null]));
      const u = new uPlot(opts, data, target);
      target.append(readout);
      return u;
    },
  };

  function barChart(spec, width, target) {
    const n = spec.labels.length;
    const idx = spec.labels.map((_, i) => i);
    const stack = spec.stack;
    // Stacked: each drawn series is the running total, drawn widest
    // first, so the parts show side by side; the legend shows the part.
    const order = stack ? spec.series.map((_, k) => spec.series.length - 1 - k) : spec.series.map((_, k) => k);
    const cum = spec.series.map((s, k) => s.y.map((_, i) => spec.series.slice(0, k + 1).reduce((a, t) => a + (t.y[i] || 0), 0)));
    const base = spec.base !== undefined ? spec.base : 0;
    const vals = spec.series.flatMap((s, k) => (stack ? cum[k] : s.y).concat(s.lo || [], s.hi || []));
    const mctx = document.createElement("canvas").getContext("2d");
    mctx.font = font;
    const tw = l => mctx.measureText(l).width;
    const labW = Math.ceil(Math.min(width * 0.42, Math.max(60, ...spec.labels.map(l => tw(l) + 14))));
    // short cuts a label to the axis' width, with an ellipsis.
    const short = l => {
      if (tw(l) + 14 <= labW) return l;
      let k = l.length;
      while (k > 1 && tw(l.slice(0, k) + "…") + 14 > labW) k--;
      return l.slice(0, k) + "…";
    };
    const whiskers = u => {
      const ctx = u.ctx, r = window.devicePixelRatio || 1;
      ctx.save(); ctx.strokeStyle = "#1d232a"; ctx.lineWidth = 1.2 * r;
      for (const s of spec.series) {
        if (!s.lo || !s.hi) continue;
        s.y.forEach((_, i) => {
          if (!finite(s.lo[i]) || !finite(s.hi[i]) || s.hi[i] <= s.lo[i]) return;
          const y = u.valToPos(i, "x", true), a = u.valToPos(s.lo[i], "y", true), b = u.valToPos(s.hi[i], "y", true), h = 5 * r;
          ctx.beginPath(); ctx.moveTo(a, y); ctx.lineTo(b, y); ctx.moveTo(a, y - h); ctx.lineTo(a, y + h); ctx.moveTo(b, y - h); ctx.lineTo(b, y + h); ctx.stroke();
        });
      }
      if (spec.base !== undefined) {
        const x = u.valToPos(base, "y", true);
        ctx.setLineDash([3 * r, 3 * r]); ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      }
      // value labels at the bars' ends
      ctx.setLineDash([]); ctx.fillStyle = "#333"; ctx.font = `${11 * r}px system-ui, sans-serif`; ctx.textBaseline = "middle";
      if (!stack && spec.kind === "bars") spec.series[0].y.forEach((v, i) => {
        if (!finite(v)) return;
        const end = Math.max(v, spec.series[0].hi && finite(spec.series[0].hi[i]) ? spec.series[0].hi[i] : v);
        const x = u.valToPos(end, "y", true) + 5 * r, y = u.valToPos(i, "x", true);
        ctx.textAlign = x > u.bbox.left + u.bbox.width - 40 * r ? "right" : "left";
        ctx.fillText(human(v), ctx.textAlign === "right" ? u.valToPos(v, "y", true) - 5 * r : x, y);
      });
      ctx.restore();
    };
    const rowH = Math.max(22, Math.min(34, 220 / Math.max(1, n)));
    const opts = {
      width, height: 70 + rowH * n,
      scales: {
        x: {time: false, ori: 1, dir: -1, range: [-0.5, n - 0.5]},
        y: {ori: 0, dir: 1, range: () => {
          const [a, b] = zeroRange(Math.min(base, ...vals.filter(finite)), Math.max(base, ...vals.filter(finite)));
          return [a, b + (b - a) * 0.1]; // room for the value labels
        }},
      },
      axes: [
        {scale: "x", side: 3, splits: () => idx, values: () => spec.labels.map(short), size: labW, gap: 4, font, stroke: "#333", grid: {show: false}, ticks: {show: false}},
        {scale: "y", side: 2, values: ticks, space: 48, font, labelFont: font, label: spec.x_unit || "", stroke: "#444", grid: {stroke: "#eceff2"}, ticks: {stroke: "#bbb"}},
      ],
      series: [{label: "at", value: (u, v) => v === null || v === undefined ? "–" : spec.labels[Math.round(v)] || ""}].concat(order.map(k => {
        const s = spec.series[k];
        const colors = s.colors;
        return {
          label: s.name, stroke: colors ? colors[0] : s.color, fill: colors ? colors[0] : s.color, width: 0,
          fillTo: () => base,
          paths: uPlot.paths.bars({size: [0.62, 40], disp: colors ? {fill: {unit: 3, values: () => colors}} : undefined}),
          points: {show: false},
          value: (u, v, si, i) => {
            if (i === null || i === undefined) return "–";
            const real = s.y[i];
            const r = s.lo && finite(s.lo[i]) && s.hi[i] > s.lo[i] ? ` (P10–P90 ${human(s.lo[i])}–${human(s.hi[i])})` : "";
            return finite(real) ? `${human(real)} ${spec.x_unit || ""}${r}` : "–";
          },
        };
      })),
      hooks: {draw: [whiskers]},
      legend: {live: true},
      cursor: {y: false, points: {show: false}},
    };
    const data = [idx].concat(order.map(k => (stack ? cum[k] : spec.series[k].y).map(v => finite(v) ? v : null)));
    return new uPlot(opts, data, target);
  }

  // upgrade draws every chart under root; marks maps a chart's key
  // (its container's data-chart) to extra markers ({mark: {x, y, label}}).
  function upgrade(root, marks) {
    for (const svg of (root || document).querySelectorAll("svg[data-chart]")) {
      let spec;
      try { spec = JSON.parse(svg.getAttribute("data-chart")); } catch (e) { continue; }
      const box = svg.parentElement;
      const key = box.getAttribute("data-chart");
      if (marks && key && marks[key]) Object.assign(spec, marks[key]);
      const text = svg.outerHTML;
      draw(box, spec, text);
    }
  }

  // Charts follow their box's width (a phone turned, a window resized).
  let resizing = null;
  addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      for (const box of document.querySelectorAll(".chart")) {
        const u = box.chart && box.chart.u;
        if (!u || !box.isConnected) continue;
        const w = Math.max(240, Math.min(640, (box.parentElement || box).clientWidth - 14));
        if (Math.abs(w - u.width) > 2) u.setSize({width: w, height: u.height});
      }
    }, 100);
  });

  window.chipgapCharts = {upgrade, human, csvOf};
  if (document.currentScript && document.currentScript.hasAttribute("data-auto")) {
    document.addEventListener("DOMContentLoaded", () => upgrade(document));
  }
})();
