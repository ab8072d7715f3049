// A small SVG line chart over time with up to two y axes (left and right), e.g. energy (Wh) and
// power (W) of a transaction. Hand-written: no library. Points get a <title> for a tooltip.

const NS = "http://www.w3.org/2000/svg";
const W = 720, H = 320, PAD = {top: 40, right: 64, bottom: 36, left: 64};

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** About `count` round tick values from at most lo to at least hi. */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) || raw;
  const first = Math.floor(lo / step), last = Math.ceil(hi / step);
  const out = [];
  for (let i = first; i <= last; i++) out.push(+(i * step).toPrecision(12));
  return out;
}

function fmtNumber(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(2));
}

function fmtClock(ms, span) {
  const d = new Date(ms);
  const p = n => String(n).padStart(2, "0");
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return span < 10 * 60000 ? `${hm}:${p(d.getSeconds())}` : hm;
}

/**
 * series: [{name, unit, color, axis: "left"|"right", points: [{t: ms, v: number}]}]
 * Returns an <svg> (or a note when there is nothing to draw).
 */
export function lineChart(series, {title = "chart"} = {}) {
  const drawn = series.filter(s => s.points.length);
  const all = drawn.flatMap(s => s.points);
  if (!all.length) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = "No meter values to draw.";
    return p;
  }
  let t0 = Math.min(...all.map(p => p.t)), t1 = Math.max(...all.map(p => p.t));
  if (t1 === t0) { t0 -= 30000; t1 += 30000; }
  const x = t => PAD.left + (t - t0) / (t1 - t0) * (W - PAD.left - PAD.right);
  const axes = {};
  for (const side of ["left", "right"]) {
    const values = drawn.filter(s => (s.axis || "left") === side).flatMap(s => s.points.map(p => p.v));
    if (!values.length) continue;
    const t = ticks(Math.min(0, ...values), Math.max(...values));
    const lo = t[0], hi = t[t.length - 1] > t[0] ? t[t.length - 1] : t[0] + 1;
    axes[side] = {ticks: t, y: v => H - PAD.bottom - (v - lo) / (hi - lo) * (H - PAD.top - PAD.bottom)};
  }

  const root = svg("svg", {viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title});
  root.append(svg("title", {}, title));
  const grid = svg("g", {class: "grid"});
  root.append(grid);
  // x axis: time
  const span = t1 - t0;
  const step = span / 5;
  for (let i = 0; i <= 5; i++) {
    const t = t0 + i * step;
    grid.append(svg("line", {x1: x(t), x2: x(t), y1: PAD.top, y2: H - PAD.bottom}));
    root.append(svg("text", {x: x(t), y: H - PAD.bottom + 16, "text-anchor": "middle", class: "tick"}, fmtClock(t, span)));
  }
  // y axes
  for (const [side, axis] of Object.entries(axes)) {
    const unit = drawn.find(s => (s.axis || "left") === side).unit;
    const xPos = side === "left" ? PAD.left - 6 : W - PAD.right + 6;
    for (const v of axis.ticks) {
      if (side === "left" || !axes.left) grid.append(svg("line", {x1: PAD.left, x2: W - PAD.right, y1: axis.y(v), y2: axis.y(v)}));
      root.append(svg("text", {x: xPos, y: axis.y(v) + 4, "text-anchor": side === "left" ? "end" : "start", class: "tick"}, fmtNumber(v)));
    }
    root.append(svg("text", {x: side === "left" ? 8 : W - 8, y: PAD.top - 10, "text-anchor": side === "left" ? "start" : "end",
                             class: "unit"}, unit));
  }
  root.append(svg("rect", {x: PAD.left, y: PAD.top, width: W - PAD.left - PAD.right, height: H - PAD.top - PAD.bottom, class: "frame"}));
  // lines and points
  drawn.forEach((s, i) => {
    const axis = axes[s.axis || "left"];
    const pts = [...s.points].sort((a, b) => a.t - b.t);
    const d = pts.map((p, j) => `${j ? "L" : "M"}${x(p.t).toFixed(1)},${axis.y(p.v).toFixed(1)}`).join(" ");
    const g = svg("g", {class: `series s${i}`, "data-series": s.name});
    g.append(svg("path", {d, fill: "none", stroke: s.color, "stroke-width": 2}));
    for (const p of pts) {
      g.append(svg("circle", {cx: x(p.t), cy: axis.y(p.v), r: 2.5, fill: s.color},
        svg("title", {}, `${s.name}: ${fmtNumber(p.v)} ${s.unit} at ${new Date(p.t).toLocaleTimeString()}`)));
    }
    root.append(g);
  });
  // legend
  const legend = svg("g", {class: "legend"});
  let lx = PAD.left + 8;
  for (const s of drawn) {
    legend.append(svg("rect", {x: lx, y: 10, width: 12, height: 4, fill: s.color}));
    const label = `${s.name} (${s.unit}, ${s.axis === "right" ? "right" : "left"} axis)`;
    legend.append(svg("text", {x: lx + 16, y: 16, class: "legend-text"}, label));
    lx += 16 + label.length * 6.5 + 16;
  }
  root.append(legend);
  return root;
}
