// The live dashboard: metrics pushed by the server over the WebSocket /v1/ws/metrics about every second.
// Reconnects with exponential backoff while the page is shown; closes the socket when the page is left.

import { metricsSocketArgs } from './api.js';
import { h, clear, fmt, percent } from './dom.js';
import { lineChart } from './charts.js';

const $ = (id) => document.getElementById(id);

let socket = null;
let retryTimer = null;
let retryDelay = 1000;
let active = false;
let everConnected = false;

export function showDashboard() {
  active = true;
  if (!$('dashboard').firstChild) {
    $('dashboard').append(h('p', { class: 'muted', id: 'dashboard-empty', text: 'Waiting for the first metrics…' }));
  }
  connect();
}

export function hideDashboard() {
  active = false;
  clearTimeout(retryTimer);
  if (socket) { socket.onclose = null; socket.close(1000); socket = null; }
  setState('offline', 'offline');
}

function setState(text, kind) {
  const badge = $('ws-state');
  badge.textContent = text;
  badge.className = `badge ${kind}`;
}

function connect() {
  if (socket || !active) return;
  let ws;
  try {
    const [url, protocols] = metricsSocketArgs();
    ws = new WebSocket(url, protocols);
  } catch (e) {
    setState('live metrics unavailable', 'down');
    return;
  }
  socket = ws;
  setState('connecting…', 'pending');
  ws.onopen = () => { retryDelay = 1000; everConnected = true; setState('live', 'up'); };
  ws.onmessage = (event) => {
    let data;
    try { data = JSON.parse(event.data); } catch { return; }
    if (data && data.type === 'metrics') render(data);
  };
  ws.onerror = () => { /* onclose follows and handles it */ };
  ws.onclose = () => {
    socket = null;
    if (!active) return;
    // Never opened: refused (no route, wrong key) — say so, and keep retrying more slowly.
    setState(everConnected ? `reconnecting in ${Math.round(retryDelay / 1000)} s` : 'live metrics unavailable', 'down');
    retryTimer = setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  };
}

function tile(id, label, value, detail) {
  return h('div', { class: 'tile', id },
    h('div', { class: 'tile-label', text: label }),
    h('div', { class: 'value', text: value }),
    detail ? h('div', { class: 'tile-detail', text: detail }) : null);
}

const ms = (v) => (v === null || v === undefined ? '—' : `${fmt(v)} ms`);
function quantiles(q) {
  return q ? `p50 ${ms(q.p50)} · p90 ${ms(q.p90)} · p99 ${ms(q.p99)}` : 'no completions yet';
}

function render(m) {
  const totals = m.totals || {};
  const cache = m.cache || {};
  const escalations = Object.entries(m.escalations || {}).map(([r, n]) => `${r}: ${n}`).join(', ');
  const tiles = h('div', { class: 'tiles' },
    tile('m-requests-per-s', 'Requests / s', fmt(m.requests_per_s, 2), 'last 10 s'),
    tile('m-tokens-per-s', 'Tokens / s', fmt(m.tokens_per_s, 1), 'last 10 s'),
    tile('m-latency', 'Latency p50', ms(m.latency_ms?.p50), quantiles(m.latency_ms)),
    tile('m-ttft', 'Time to first token p50', ms(m.ttft_ms?.p50), quantiles(m.ttft_ms)),
    tile('m-cache', 'Cache hit rate', cache.enabled === false ? 'off' : percent(cache.hit_rate),
      `${fmt(cache.hits)} hits · ${fmt(cache.misses)} misses · ${fmt(cache.entries)} entries`),
    tile('m-escalations', 'Escalations', fmt(totals.escalations), escalations || 'none'),
    tile('m-errors', 'Errors', fmt(totals.errors)),
    tile('m-total-requests', 'Requests (total)', fmt(totals.requests),
      `${fmt(totals.completions)} completions · up ${fmt(m.uptime_s)} s`),
    tile('m-total-tokens', 'Tokens (total)', fmt((totals.prompt_tokens || 0) + (totals.completion_tokens || 0)),
      `${fmt(totals.prompt_tokens)} prompt · ${fmt(totals.completion_tokens)} completion`));

  const points = m.series?.points || [];
  const step = m.series?.step_s || 5;
  const t0 = points.length ? points[points.length - 1].t : 0;
  const series = (key) => points.map((p) => ({ x: p.t - t0, y: p[key] }));
  const charts = h('div', { class: 'charts' },
    lineChart({ title: `Requests per ${step} s`, points: series('requests'), xLabel: 'last 5 min' }),
    lineChart({ title: `Completion tokens per ${step} s`, points: series('completion_tokens'), xLabel: 'last 5 min' }),
    lineChart({ title: 'Latency p50', points: series('latency_p50_ms'), unit: 'ms', xLabel: 'last 5 min' }));

  clear($('dashboard')).append(tiles, charts, h('h2', { text: 'Models' }), modelTable(m.models || []));
}

function modelTable(models) {
  return h('table', { class: 'data', id: 'model-metrics' },
    h('thead', {}, h('tr', {}, ['Model', 'State', 'Tier', 'Active', 'Queued', 'Health']
      .map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, models.map((m) => h('tr', { dataset: { modelId: m.id } },
      h('th', { scope: 'row', text: m.id }),
      h('td', { text: m.state ?? '—' }),
      h('td', { text: fmt(m.tier) }),
      h('td', { text: fmt(m.active) }),
      h('td', { text: fmt(m.queued) }),
      h('td', {}, h('span', { class: `badge ${m.up === false ? 'down' : 'up'}`, text: m.up === false ? 'down' : 'up' }))))));
}
