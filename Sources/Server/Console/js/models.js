// The models page: every served model with load/unload, and the LoRA adapters (list, add, remove).

import { api } from './api.js';
import { h, clear, fmt, say } from './dom.js';
import { confirmDialog } from './dialog.js';

const $ = (id) => document.getElementById(id);
let built = false;

function build() {
  built = true;
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
  const form = h('form', { id: 'adapter-form', class: 'inline-form' },
    field('adapter-id', 'Adapter id', h('input', { id: 'adapter-id', required: true, placeholder: 'my-adapter' })),
    field('adapter-model', 'Base model', h('select', { id: 'adapter-model', required: true })),
    field('adapter-path', 'Path (on the server)', h('input', { id: 'adapter-path', required: true,
      placeholder: '/abs/path/adapter.gguf' })),
    field('adapter-scale', 'Scale', h('input', { id: 'adapter-scale', type: 'number', step: '0.05', value: '1' })),
    h('button', { type: 'submit', text: 'Add adapter' }));
  form.addEventListener('submit', addAdapter);
  $('models').append(
    h('div', { id: 'model-list' }),
    h('p', { id: 'models-status', class: 'status', role: 'status' }),
    h('h2', { text: 'Adapters' }),
    h('div', { id: 'adapter-list' }),
    form,
    h('p', { id: 'adapters-status', class: 'status', role: 'status' }));
}

export async function showModels() {
  if (!built) build();
  await Promise.all([loadModels(), loadAdapters()]);
}

async function loadModels() {
  let models;
  try {
    models = (await api('/v1/models')).data || [];
  } catch (e) {
    say($('models-status'), `Could not list the models: ${e.message}`, true);
    return;
  }
  const bases = models.filter((m) => !m.parent && !m.experts && (m.capabilities || []).includes('chat'));
  const select = $('adapter-model');
  const chosen = select.value;
  clear(select).append(...bases.map((m) => h('option', { value: m.id, text: m.id })));
  if (chosen) select.value = chosen;

  clear($('model-list')).append(h('table', { class: 'data', id: 'models-table' },
    h('thead', {}, h('tr', {}, ['Model', 'State', 'Tier', 'Capabilities', 'Context', 'Details', 'Actions']
      .map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, models.map(modelRow))));
}

function modelRow(m) {
  const details = [];
  if (m.parent) details.push(`parent ${m.parent}`);
  if (m.rank !== undefined) details.push(`rank ${m.rank}`);
  if (m.scale !== undefined) details.push(`scale ${m.scale}`);
  if (Array.isArray(m.experts)) details.push(`experts ${m.experts.join(', ')}`);
  if (m.labels?.length) details.push(`labels ${m.labels.join(', ')}`);
  if (m.description) details.push(m.description);
  const local = !m.parent && !Array.isArray(m.experts) && !String(m.state).startsWith('remote');
  const actions = [];
  if (local) {
    const loaded = m.state === 'loaded';
    actions.push(h('button', { type: 'button', class: loaded ? 'unload secondary' : 'load',
      disabled: m.state === 'loading', text: loaded ? 'Unload' : 'Load',
      'aria-label': `${loaded ? 'Unload' : 'Load'} ${m.id}`, onclick: (e) => setLoaded(m.id, !loaded, e.target) }));
  }
  return h('tr', { dataset: { modelId: m.id } },
    h('th', { scope: 'row', text: m.id }),
    h('td', { class: 'state' }, h('span', { class: `badge state-${m.state}`, text: m.state ?? '—' })),
    h('td', { text: fmt(m.tier) }),
    h('td', { text: (m.capabilities || []).join(', ') }),
    h('td', { text: fmt(m.context_length) }),
    h('td', { text: details.join(' · ') }),
    h('td', {}, actions));
}

async function setLoaded(id, load, button) {
  button.disabled = true;
  say($('models-status'), `${load ? 'Loading' : 'Unloading'} ${id}…`);
  try {
    await api(`/v1/models/${encodeURIComponent(id)}/${load ? 'load' : 'unload'}`, { method: 'POST' });
    say($('models-status'), `${id} ${load ? 'loaded' : 'unloaded'}.`);
  } catch (e) {
    say($('models-status'), `Could not ${load ? 'load' : 'unload'} ${id}: ${e.message}`, true);
  }
  await loadModels();
}

async function loadAdapters() {
  let adapters;
  try {
    adapters = (await api('/v1/adapters')).data || [];
  } catch (e) {
    say($('adapters-status'), `Could not list the adapters: ${e.message}`, true);
    return;
  }
  const list = clear($('adapter-list'));
  if (!adapters.length) { list.append(h('p', { class: 'muted', text: 'No adapters.' })); return; }
  list.append(h('ul', { class: 'cards' }, adapters.map((a) => h('li', { class: 'card', dataset: { adapterId: a.id } },
    h('h3', { text: a.id }),
    // Render whatever fields the server sends, as text.
    h('dl', { class: 'stats' }, Object.entries(a).filter(([k]) => k !== 'id' && k !== 'object').flatMap(([k, v]) =>
      [h('dt', { text: k }), h('dd', { text: typeof v === 'object' ? JSON.stringify(v) : String(v) })])),
    h('button', { type: 'button', class: 'danger', text: 'Remove', 'aria-label': `Remove adapter ${a.id}`,
      onclick: () => removeAdapter(a.id) })))));
}

async function addAdapter(event) {
  event.preventDefault();
  const body = { id: $('adapter-id').value.trim(), model: $('adapter-model').value, path: $('adapter-path').value.trim() };
  const scale = parseFloat($('adapter-scale').value);
  if (Number.isFinite(scale)) body.scale = scale;
  try {
    await api('/v1/adapters', { method: 'POST', json: body });
    say($('adapters-status'), `Added ${body.id}.`);
    event.target.reset();
  } catch (e) {
    say($('adapters-status'), `Could not add the adapter: ${e.message}`, true);
  }
  await showModels();
}

async function removeAdapter(id) {
  if (!(await confirmDialog(`Remove the adapter ${id}?`, 'Remove'))) return;
  try {
    await api(`/v1/adapters/${encodeURIComponent(id)}`, { method: 'DELETE' });
    say($('adapters-status'), `Removed ${id}.`);
  } catch (e) {
    say($('adapters-status'), `Could not remove ${id}: ${e.message}`, true);
  }
  await showModels();
}
