// Talking to the GroupQwen server: JSON calls, the SSE chat stream and the API key kept in localStorage.

const KEY_STORAGE = 'groupqwen.apiKey';

export function getKey() {
  try { return localStorage.getItem(KEY_STORAGE) || ''; } catch { return ''; }
}
export function setKey(key) {
  try { localStorage.setItem(KEY_STORAGE, key); } catch { /* storage disabled: key lasts this page */ }
}
export function clearKey() {
  try { localStorage.removeItem(KEY_STORAGE); } catch { /* nothing to clear */ }
}

/** An HTTP or network failure; `status` is 0 when the request never got an answer. */
export class ApiError extends Error {
  constructor(status, message, code = null) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(key, extra = {}) {
  const h = { ...extra };
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/** Reads an OpenAI-shaped error body ({"error": {"message", "code"}}) or falls back to the status. */
async function errorFrom(response) {
  let message = `HTTP ${response.status} ${response.statusText}`.trim();
  let code = null;
  try {
    const body = await response.json();
    if (body && body.error) {
      message = body.error.message || message;
      code = body.error.code || null;
    }
  } catch { /* not JSON */ }
  return new ApiError(response.status, message, code);
}

/**
 * api('/v1/models') → parsed JSON. Options: method, json (a body to send as JSON), form (FormData),
 * key (overrides the stored key), signal. Throws ApiError for network errors and non-2xx answers.
 */
export async function api(path, { method = 'GET', json, form, key = getKey(), signal } = {}) {
  const init = { method, headers: headers(key), signal };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `The server could not be reached (${e.message})`);
  }
  if (!response.ok) throw await errorFrom(response);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * POSTs a streamed chat completion and calls onChunk(chunk) for every `data: {json}` event until
 * `data: [DONE]`. Returns the response headers. Aborting `signal` rejects with an AbortError.
 */
export async function streamChat(body, { signal, onChunk }) {
  let response;
  try {
    response = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: headers(getKey(), { 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
      body: JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `The server could not be reached (${e.message})`);
  }
  if (!response.ok) throw await errorFrom(response);
  if (!response.body) throw new ApiError(response.status, 'The answer had no body');

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    // SSE events end with a blank line; lines may end with \r\n.
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (!data) continue;
      if (data === '[DONE]') return response.headers;
      let chunk;
      try { chunk = JSON.parse(data); } catch { continue; }
      if (chunk.error) throw new ApiError(response.status, chunk.error.message || 'The stream failed');
      onChunk(chunk);
    }
  }
  return response.headers;
}

/** The URL of the metrics WebSocket and its subprotocols (the key travels as `bearer.<base64url>`). */
export function metricsSocketArgs() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const protocols = ['groupqwen.v1'];
  const key = getKey();
  if (key) protocols.push(`bearer.${base64url(key)}`);
  return [`${scheme}//${location.host}/v1/ws/metrics`, protocols];
}

function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
