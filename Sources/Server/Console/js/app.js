// Entry point: checks whether the server wants an API key (login form), then runs the hash router
// over the five pages. Each page module has an init (once) and a show (each visit) / hide.

import { api, getKey, setKey, clearKey, ApiError } from './api.js';
import { initChat, showChat } from './chat.js';
import { showDashboard, hideDashboard } from './dashboard.js';
import { showCache } from './cache.js';
import { showModels } from './models.js';
import { showFinetune, hideFinetune } from './finetune.js';

const $ = (id) => document.getElementById(id);

const pages = {
  chat: { show: showChat },
  dashboard: { show: showDashboard, hide: hideDashboard },
  cache: { show: showCache },
  models: { show: showModels },
  finetune: { show: showFinetune, hide: hideFinetune },
};
let currentPage = null;

async function boot() {
  try {
    await api('/v1/models');
    startApp();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      if (getKey()) clearKey();   // a stored key that no longer works
      showLogin();
    } else {
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.textContent = 'Retry';
      retry.addEventListener('click', () => { $('boot').textContent = 'Connecting to the server…'; boot(); });
      $('boot').textContent = `The server did not answer: ${e.message} `;
      $('boot').classList.add('error');
      $('boot').append(retry);
    }
  }
}

function showLogin() {
  $('boot').hidden = true;
  $('app').hidden = true;
  $('login').hidden = false;
  $('api-key').focus();
}

async function login(event) {
  event.preventDefault();
  const key = $('api-key').value.trim();
  const error = $('login-error');
  error.hidden = true;
  if (!key) return;
  $('login-submit').disabled = true;
  try {
    await api('/v1/models', { key });
    setKey(key);
    $('api-key').value = '';
    startApp();
  } catch (e) {
    error.textContent = e instanceof ApiError && e.status === 401 ? 'That key was refused.' : `Sign-in failed: ${e.message}`;
    error.hidden = false;
    $('api-key').select();
  } finally {
    $('login-submit').disabled = false;
  }
}

let started = false;
function startApp() {
  $('boot').hidden = true;
  $('login').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = !getKey();
  if (started) return;
  started = true;
  initChat();
  window.addEventListener('hashchange', route);
  route();
}

/** Shows the page named by the hash (#/chat by default) and marks its nav link. */
function route() {
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1];
  if (!pages[name]) {
    if (location.hash && location.hash !== '#/') { history.replaceState(null, '', '#/chat'); }
    return showPage('chat');
  }
  showPage(name);
}

function showPage(name) {
  if (currentPage && currentPage !== name) pages[currentPage].hide?.();
  for (const key of Object.keys(pages)) $(`page-${key}`).hidden = key !== name;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  currentPage = name;
  // Page code reports its own failures; this only guards against a bug leaving a rejection unhandled.
  Promise.resolve(pages[name].show()).catch((e) => console.warn('page failed', e));
}

$('login-form').addEventListener('submit', login);
$('sign-out').addEventListener('click', () => { clearKey(); location.reload(); });
boot();
