// The semantic cache page: statistics and a confirmed "clear".

import { api } from './api.js';
import { h, clear, fmt, percent, bytes, say } from './dom.js';
import { confirmDialog } from './dialog.js';

const $ = (id) => document.getElementById(id);
let built = false;

function build() {
  built = true;
  $('cache').append(
    h('dl', { id: 'cache-stats', class: 'stats' }),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: 'cache-refresh', class: 'secondary', text: 'Refresh', onclick: showCache }),
      h('button', { type: 'button', id: 'cache-clear', class: 'danger', text: 'Clear cache', onclick: clearCache })),
    h('p', { id: 'cache-status', class: 'status', role: 'status' }));
}

export async function showCache() {
  if (!built) build();
  try {
    const s = await api('/v1/cache/stats');
    const rows = [
      ['Enabled', s.enabled ? 'yes' : 'no', 'enabled'],
      ['Entries', fmt(s.entries), 'entries'],
      ['Hits', fmt(s.hits), 'hits'],
      ['Misses', fmt(s.misses), 'misses'],
      ['Hit rate', percent(s.hit_rate), 'hit-rate'],
      ['Mean similarity of hits', s.mean_similarity === null || s.mean_similarity === undefined ? '—' : s.mean_similarity.toFixed(3), 'mean-similarity'],
      ['Memory', bytes(s.memory_bytes), 'memory'],
      ['Similarity threshold', fmt(s.threshold, 3), 'threshold'],
    ];
    clear($('cache-stats')).append(...rows.flatMap(([label, value, id]) =>
      [h('dt', { text: label }), h('dd', { id: `cache-${id}`, text: value })]));
  } catch (e) {
    say($('cache-status'), `Could not read the cache statistics: ${e.message}`, true);
  }
}

async function clearCache() {
  if (!(await confirmDialog('Delete every entry of the semantic cache?', 'Clear cache'))) return;
  try {
    const result = await api('/v1/cache', { method: 'DELETE' });
    say($('cache-status'), `Deleted ${fmt(result?.deleted ?? 0)} entries.`);
  } catch (e) {
    say($('cache-status'), `Could not clear the cache: ${e.message}`, true);
  }
  await showCache();
}
