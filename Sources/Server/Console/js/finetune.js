// The fine-tuning page: upload a JSONL dataset, start a LoRA job on a base model, follow jobs and the
// live loss curve (events polled every 2 s while the selected job runs), cancel a job.

import { api, ApiError } from './api.js';
import { h, append, clear, fmt, say } from './dom.js';
import { lineChart } from './charts.js';

const $ = (id) => document.getElementById(id);
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
let built = false;
let active = false;
let selected = null;      // the job id shown in detail
let pollTimer = null;

function build() {
  built = true;
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
  const form = h('form', { id: 'ft-form', class: 'inline-form' },
    field('ft-file', 'Training data (JSONL, chat format)', h('input', { id: 'ft-file', type: 'file', accept: '.jsonl,.json,application/jsonl', required: true })),
    field('ft-model', 'Base model', h('select', { id: 'ft-model', required: true })),
    field('ft-epochs', 'Epochs', h('input', { id: 'ft-epochs', type: 'number', min: '1', step: '1', value: '1' })),
    field('ft-steps', 'Max steps (optional)', h('input', { id: 'ft-steps', type: 'number', min: '1', step: '1' })),
    h('button', { type: 'submit', id: 'ft-start', text: 'Upload and start' }));
  form.addEventListener('submit', start);
  $('finetune').append(
    h('p', { id: 'ft-status', class: 'status', role: 'status' }),
    h('div', { id: 'ft-body' }, form,
      h('h2', { text: 'Jobs' }), h('div', { id: 'ft-jobs' }),
      h('div', { id: 'ft-detail', 'aria-live': 'polite' })));
}

export async function showFinetune() {
  if (!built) build();
  active = true;
  await refresh();
}

export function hideFinetune() {
  active = false;
  clearTimeout(pollTimer);
}

async function refresh() {
  clearTimeout(pollTimer);
  let jobs;
  try {
    jobs = (await api('/v1/fine_tuning/jobs?limit=50')).data || [];
  } catch (e) {
    if (e instanceof ApiError && e.code === 'fine_tuning_disabled') {
      $('ft-body').hidden = true;
      say($('ft-status'), 'Fine-tuning is turned off on this server.');
    } else {
      say($('ft-status'), `Could not list the jobs: ${e.message}`, true);
    }
    return;
  }
  $('ft-body').hidden = false;
  await fillModels();
  renderJobs(jobs);
  if (!selected && jobs.length) selected = jobs[0].id;
  const job = jobs.find((j) => j.id === selected);
  if (job) await renderDetail(job);
  // Keep polling while something is not finished.
  if (active && jobs.some((j) => !FINAL.has(j.status))) pollTimer = setTimeout(refresh, 2000);
}

async function fillModels() {
  const select = $('ft-model');
  if (select.options.length) return;
  try {
    const models = (await api('/v1/models')).data || [];
    select.append(...models.filter((m) => !m.parent && !m.experts && !String(m.state).startsWith('remote') &&
      (m.capabilities || []).includes('chat')).map((m) => h('option', { value: m.id, text: m.id })));
  } catch (e) {
    say($('ft-status'), `Could not list the models: ${e.message}`, true);
  }
}

const progress = (j) => {
  const step = j.training?.step ?? j.step;
  const total = j.training?.total_steps ?? j.total_steps;
  return step === undefined ? '—' : `${fmt(step)} / ${total ? fmt(total) : '?'}`;
};

function renderJobs(jobs) {
  const box = clear($('ft-jobs'));
  if (!jobs.length) { box.append(h('p', { class: 'muted', text: 'No jobs yet.' })); return; }
  box.append(h('table', { class: 'data', id: 'ft-job-table' },
    h('thead', {}, h('tr', {}, ['Job', 'Base model', 'Status', 'Steps', 'Fine-tuned model', 'Created']
      .map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, jobs.map((j) => h('tr', { dataset: { jobId: j.id }, class: j.id === selected ? 'current' : null },
      h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', text: j.id,
        onclick: () => { selected = j.id; refresh(); } })),
      h('td', { text: j.model }),
      h('td', {}, h('span', { class: `badge status-${j.status}`, text: j.status })),
      h('td', { text: progress(j) }),
      h('td', { text: j.fine_tuned_model || '—' }),
      h('td', { text: j.created_at ? new Date(j.created_at * 1000).toLocaleString() : '—' }))))));
}

async function renderDetail(job) {
  let events = [];
  try {
    events = (await api(`/v1/fine_tuning/jobs/${encodeURIComponent(job.id)}/events?limit=100`)).data || [];
  } catch (e) {
    say($('ft-status'), `Could not read the events: ${e.message}`, true);
  }
  // Events come newest first; the curve wants steps in order.
  const points = events.filter((e) => e.type === 'metrics' && e.data && typeof e.data.train_loss === 'number')
    .map((e) => ({ x: e.data.step, y: e.data.train_loss })).sort((a, b) => a.x - b.x);
  const detail = clear($('ft-detail'));
  append(detail, [h('h2', { text: `Job ${job.id}` }),
    h('p', {}, `Status: ${job.status} · steps ${progress(job)}`,
      job.error ? h('span', { class: 'error', text: ` · ${job.error.message || job.error.code || ''}` }) : null),
    FINAL.has(job.status) ? null : h('button', { type: 'button', id: 'ft-cancel', class: 'danger', text: 'Cancel job',
      onclick: () => cancel(job.id) }),
    lineChart({ title: 'Training loss', points, xLabel: 'step', className: 'loss-chart' }),
    h('h3', { text: 'Events' }),
    h('ol', { class: 'events', reversed: true }, events.slice(0, 30).map((e) => h('li', { class: `event-${e.level}` },
      h('time', { text: e.created_at ? new Date(e.created_at * 1000).toLocaleTimeString() : '' }), ' ', e.message)))]);
}

async function start(event) {
  event.preventDefault();
  const file = $('ft-file').files[0];
  if (!file) return;
  $('ft-start').disabled = true;
  try {
    say($('ft-status'), `Uploading ${file.name}…`);
    const form = new FormData();
    form.append('purpose', 'fine-tune');
    form.append('file', file, file.name);
    const uploaded = await api('/v1/files', { method: 'POST', form });
    const body = { model: $('ft-model').value, training_file: uploaded.id,
      hyperparameters: { n_epochs: parseInt($('ft-epochs').value, 10) || 1 } };
    const steps = parseInt($('ft-steps').value, 10);
    if (steps > 0) body.training = { max_steps: steps };
    const job = await api('/v1/fine_tuning/jobs', { method: 'POST', json: body });
    selected = job.id;
    say($('ft-status'), `Started ${job.id}.`);
  } catch (e) {
    say($('ft-status'), `Could not start the job: ${e.message}`, true);
  } finally {
    $('ft-start').disabled = false;
  }
  await refresh();
}

async function cancel(id) {
  try {
    await api(`/v1/fine_tuning/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
    say($('ft-status'), `Cancelling ${id}…`);
  } catch (e) {
    say($('ft-status'), `Could not cancel ${id}: ${e.message}`, true);
  }
  await refresh();
}
