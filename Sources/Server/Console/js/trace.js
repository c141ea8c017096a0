// The routing trace under an answer, from the stream's `groupqwen` object, usage and timing.

import { h } from './dom.js';

/** trace = {gq, usage, durationMs, headerModel}; returns a <div class="trace"> with data-model/data-cache. */
export function renderTrace(trace) {
  const gq = trace.gq || {};
  const usage = trace.usage || null;
  const model = gq.model || trace.headerModel || 'unknown';
  const hit = gq.cache ? gq.cache.hit === true : trace.headerCache === 'hit';
  const items = [];
  const add = (label, value) => {
    if (value === null || value === undefined || value === '') return;
    items.push(h('span', { class: 'trace-item' }, h('span', { class: 'trace-label', text: `${label} ` }),
      h('span', { class: 'trace-value', text: String(value) })));
  };

  add('model', model);
  add('tier', gq.tier ?? trace.headerTier);
  if (gq.routed !== undefined) add('', gq.routed ? 'routed' : 'named');
  if (typeof gq.complexity === 'number') add('complexity', gq.complexity.toFixed(2));
  add('strategy', gq.strategy);
  if (typeof gq.confidence === 'number') add('confidence', gq.confidence.toFixed(2));
  add('profile', gq.profile);
  let cache = hit ? 'hit' : 'miss';
  if (gq.cache && typeof gq.cache.similarity === 'number') cache += ` (similarity ${gq.cache.similarity.toFixed(3)})`;
  add('cache', cache);
  for (const e of gq.escalations || []) {
    const confidence = typeof e.confidence === 'number' ? `, confidence ${e.confidence.toFixed(2)}` : '';
    add('escalated', `${e.from} → ${e.to} (${e.reason}${confidence})`);
  }
  if (gq.expert) {
    const c = typeof gq.expert.confidence === 'number' ? ` (confidence ${gq.expert.confidence.toFixed(2)})` : '';
    add('expert', `${gq.expert.id}${gq.expert.version ? ` v${gq.expert.version}` : ''}${c}`);
  }
  if (Array.isArray(gq.adapters) && gq.adapters.length) {
    add('adapters', gq.adapters.map((a) => (a.scale !== undefined ? `${a.id}×${a.scale}` : a.id)).join(', '));
  }
  add('latency', typeof gq.latency_ms === 'number' ? `${gq.latency_ms} ms` : null);
  if (usage) {
    add('tokens', `${usage.prompt_tokens} in / ${usage.completion_tokens} out`);
    if (trace.durationMs > 0 && usage.completion_tokens) {
      add('speed', `${(usage.completion_tokens / (trace.durationMs / 1000)).toFixed(1)} tok/s`);
    }
  }
  if (gq.predicted_quality && typeof gq.predicted_quality === 'object') {
    add('predicted', Object.entries(gq.predicted_quality)
      .map(([m, p]) => `${m} ${typeof p === 'number' ? p.toFixed(2) : p}`).join(', '));
  }
  return h('div', { class: 'trace', dataset: { model, cache: hit ? 'hit' : 'miss' }, 'aria-label': 'Routing trace' },
    items);
}
