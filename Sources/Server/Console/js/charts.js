// Small SVG line charts without libraries. Points with a null y leave a gap in the line.

import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 320, H = 120, PAD = { left: 40, right: 8, top: 8, bottom: 18 };

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function short(n) {
  if (Math.abs(n) >= 1000) return `${(n / 1000).toFixed(n >= 10000 ? 0 : 1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 1 ? 3 : 1);
}

/**
 * lineChart({title, points: [{x, y}], unit, xLabel}) → <figure class="chart"> with an SVG line.
 * x and y are numbers; the y axis starts at 0 unless values go below it.
 */
export function lineChart({ title, points, unit = '', xLabel = '', className = '' }) {
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart-svg' });
  const valid = points.filter((p) => p.y !== null && p.y !== undefined && Number.isFinite(p.y));
  const xs = points.map((p) => p.x);
  const minX = Math.min(...xs), maxX = Math.max(...xs);
  let minY = Math.min(0, ...valid.map((p) => p.y));
  let maxY = Math.max(...valid.map((p) => p.y), minY + 1e-9);
  if (!valid.length) { minY = 0; maxY = 1; }
  const plotW = W - PAD.left - PAD.right, plotH = H - PAD.top - PAD.bottom;
  const sx = (x) => PAD.left + (maxX > minX ? (x - minX) / (maxX - minX) : 0.5) * plotW;
  const sy = (y) => PAD.top + plotH - ((y - minY) / (maxY - minY)) * plotH;

  // Axes and y-range labels.
  chart.append(svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + plotH, class: 'axis' }));
  chart.append(svg('line', { x1: PAD.left, y1: PAD.top + plotH, x2: W - PAD.right, y2: PAD.top + plotH, class: 'axis' }));
  chart.append(svg('text', { x: PAD.left - 4, y: PAD.top + 8, class: 'tick', 'text-anchor': 'end' }, short(maxY)));
  chart.append(svg('text', { x: PAD.left - 4, y: PAD.top + plotH, class: 'tick', 'text-anchor': 'end' }, short(minY)));
  if (xLabel) chart.append(svg('text', { x: W - PAD.right, y: H - 4, class: 'tick', 'text-anchor': 'end' }, xLabel));

  // One path; "M" starts a new segment after a gap.
  let d = '';
  let drawing = false;
  for (const p of points) {
    if (p.y === null || p.y === undefined || !Number.isFinite(p.y)) { drawing = false; continue; }
    d += `${drawing ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)} `;
    drawing = true;
  }
  if (d) chart.append(svg('path', { d: d.trim(), class: 'line' }));
  if (valid.length === 1) chart.append(svg('circle', { cx: sx(valid[0].x), cy: sy(valid[0].y), r: 2.5, class: 'dot' }));
  if (!valid.length) chart.append(svg('text', { x: W / 2, y: H / 2, class: 'tick', 'text-anchor': 'middle' }, 'no data yet'));

  const last = valid.length ? `${short(valid[valid.length - 1].y)}${unit ? ` ${unit}` : ''}` : '—';
  return h('figure', { class: `chart ${className}`.trim() },
    h('figcaption', {}, h('span', { text: title }), h('span', { class: 'chart-last', text: last })), chart);
}
