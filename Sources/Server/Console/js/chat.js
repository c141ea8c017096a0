// The chat page: conversations in a sidebar, settings, a streamed answer rendered as safe Markdown and
// the routing trace under each finished answer.

import { api, streamChat, ApiError } from './api.js';
import { h, clear, say } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { renderTrace } from './trace.js';
import { Conversations } from './conversations.js';

const SETTINGS = 'groupqwen.chatSettings';
const $ = (id) => document.getElementById(id);

let store;
let controller = null;    // the AbortController of the running stream

export function initChat() {
  store = new Conversations();
  loadSettings();
  $('new-chat').addEventListener('click', () => { store.create(); renderAll(); $('prompt').focus(); });
  $('composer').addEventListener('submit', (e) => { e.preventDefault(); send(); });
  $('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  });
  $('stop').addEventListener('click', () => controller?.abort());
  $('system-prompt').addEventListener('change', () => {
    store.current.system = $('system-prompt').value;
    store.save();
  });
  for (const id of ['model', 'device-profile', 'temperature', 'max-tokens']) {
    $(id).addEventListener('change', saveSettings);
  }
  renderAll();
}

/** Called each time the page is shown: refreshes the model picker. */
export async function showChat() {
  try {
    const models = await api('/v1/models');
    fillModelPicker(models.data || []);
  } catch (e) {
    say($('chat-status'), `Could not list the models: ${e.message}`, true);
  }
}

/** "auto" first, then chat-capable models grouped as Models / Adapters / Experts. */
export function fillModelPicker(models) {
  const select = $('model');
  const wanted = select.value || readSettings().model || 'auto';
  const groups = { Models: [], Adapters: [], Experts: [] };
  for (const m of models) {
    if (!(m.capabilities || ['chat']).includes('chat')) continue;
    const group = Array.isArray(m.experts) ? 'Experts' : m.parent ? 'Adapters' : 'Models';
    groups[group].push(m);
  }
  clear(select).append(h('option', { value: 'auto', text: 'auto (routed)' }));
  for (const [label, list] of Object.entries(groups)) {
    if (!list.length) continue;
    select.append(h('optgroup', { label }, list.map((m) => h('option', { value: m.id, text: optionText(m) }))));
  }
  select.value = [...select.options].some((o) => o.value === wanted) ? wanted : 'auto';
}

function optionText(m) {
  const bits = [`tier ${m.tier ?? '?'}`, m.state].filter(Boolean);
  return `${m.id} (${bits.join(', ')})`;
}

function readSettings() {
  try { return JSON.parse(localStorage.getItem(SETTINGS)) || {}; } catch { return {}; }
}

function loadSettings() {
  const s = readSettings();
  if (s.profile !== undefined) $('device-profile').value = s.profile;
  if (s.temperature !== undefined) $('temperature').value = s.temperature;
  if (s.maxTokens !== undefined) $('max-tokens').value = s.maxTokens;
}

function saveSettings() {
  const s = { model: $('model').value, profile: $('device-profile').value,
    temperature: $('temperature').value, maxTokens: $('max-tokens').value };
  try { localStorage.setItem(SETTINGS, JSON.stringify(s)); } catch { /* ignore */ }
}

function renderAll() {
  renderSidebar();
  const conversation = store.current;
  $('system-prompt').value = conversation.system || '';
  const messages = clear($('messages'));
  for (const m of conversation.messages) messages.append(messageElement(m));
  messages.scrollTop = messages.scrollHeight;
}

function renderSidebar() {
  const list = clear($('conversations'));
  for (const c of store.list) {
    const current = c.id === store.currentId;
    list.append(h('li', { class: current ? 'current' : null },
      h('button', { type: 'button', class: 'select-chat', 'aria-current': current ? 'true' : null, text: c.title,
        onclick: () => { if (!controller) { store.select(c.id); renderAll(); } } }),
      h('button', { type: 'button', class: 'delete-chat icon', 'aria-label': `Delete ${c.title}`, text: '×',
        onclick: () => { if (!controller) { store.remove(c.id); renderAll(); } } })));
  }
}

/** A stored message → its element; assistant messages get Markdown and their trace. */
function messageElement(message) {
  const content = h('div', { class: 'content' });
  const el = h('article', { class: `message ${message.role}` },
    h('div', { class: 'role', text: message.role === 'user' ? 'You' : 'Assistant' }), content);
  if (message.role === 'assistant') {
    content.append(renderMarkdown(message.content));
    if (message.error) el.append(h('p', { class: 'error', role: 'alert', text: message.error }));
    if (message.trace) el.append(renderTrace(message.trace));
  } else {
    content.textContent = message.content;
  }
  return el;
}

async function send() {
  const prompt = $('prompt').value;
  if (!prompt.trim() || controller) return;
  const conversation = store.current;
  conversation.system = $('system-prompt').value;
  conversation.messages.push({ role: 'user', content: prompt });
  store.retitle(conversation);
  store.save();
  renderSidebar();
  $('prompt').value = '';
  $('messages').append(messageElement({ role: 'user', content: prompt }));

  const body = requestBody(conversation);
  const answer = { role: 'assistant', content: '' };
  const content = h('div', { class: 'content streaming' });
  const el = h('article', { class: 'message assistant', 'aria-busy': 'true' },
    h('div', { class: 'role', text: 'Assistant' }), content);
  $('messages').append(el);
  el.scrollIntoView({ block: 'end' });

  controller = new AbortController();
  setStreaming(true);
  say($('chat-status'), 'Generating…');
  const started = performance.now();
  const trace = { gq: null, usage: null, durationMs: 0 };
  let pending = false;
  const paint = () => {   // re-render at most once per frame
    pending = false;
    content.replaceChildren(renderMarkdown(answer.content));
    el.scrollIntoView({ block: 'end' });
  };
  try {
    const headers = await streamChat(body, {
      signal: controller.signal,
      onChunk: (chunk) => {
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) {
          answer.content += delta;
          if (!pending) { pending = true; requestAnimationFrame(paint); }
        }
        if (chunk.usage) trace.usage = chunk.usage;
        if (chunk.groupqwen) trace.gq = chunk.groupqwen;
      },
    });
    trace.headerModel = headers.get('X-GroupQwen-Model');
    trace.headerTier = headers.get('X-GroupQwen-Tier');
    trace.headerCache = headers.get('X-GroupQwen-Cache');
    say($('chat-status'), '');
  } catch (e) {
    if (e.name === 'AbortError') {
      answer.error = 'Stopped.';
      say($('chat-status'), 'Stopped.');
    } else {
      answer.error = e instanceof ApiError ? e.message : `Unexpected error: ${e.message}`;
      say($('chat-status'), answer.error, true);
    }
  } finally {
    trace.durationMs = performance.now() - started;
    if (trace.gq || trace.usage) answer.trace = trace;
    controller = null;
    setStreaming(false);
  }
  conversation.messages.push(answer);
  store.save();
  el.replaceWith(messageElement(answer));
  $('messages').lastElementChild.scrollIntoView({ block: 'end' });
}

function requestBody(conversation) {
  const messages = [];
  if (conversation.system.trim()) messages.push({ role: 'system', content: conversation.system });
  for (const m of conversation.messages) {
    if (m.content) messages.push({ role: m.role, content: m.content });
  }
  const body = { model: $('model').value || 'auto', messages, stream: true,
    stream_options: { include_usage: true } };
  const temperature = parseFloat($('temperature').value);
  if (Number.isFinite(temperature)) body.temperature = temperature;
  const maxTokens = parseInt($('max-tokens').value, 10);
  if (Number.isFinite(maxTokens) && maxTokens > 0) body.max_tokens = maxTokens;
  if ($('device-profile').value) body.device_profile = $('device-profile').value;
  return body;
}

function setStreaming(on) {
  $('send').disabled = on;
  $('stop').disabled = !on;
  $('prompt').setAttribute('aria-busy', on ? 'true' : 'false');
}
