// Talking to the service, and building DOM nodes safely (text is always set as text, never as HTML,
// so markup inside a catalogue record cannot run).

export class ApiError extends Error {
  constructor(status, body) {
    super(detailText(body.detail));
    this.status = status;
    this.type = body.error || 'HTTPError';
  }
}

export function detailText(detail) {
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc || []).slice(1).join('.') || 'request'}: ${d.msg}`).join('; ');
  }
  return String(detail ?? 'Unknown error');
}

// A curator's token lives in this tab's sessionStorage only: never in a URL, gone with the tab.
const TOKEN_KEY = 'artscope-token';

export function signedIn() {
  return Boolean(sessionStorage.getItem(TOKEN_KEY));
}

export function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

function headers(accept) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Accept: accept, Authorization: `Bearer ${token}` } : { Accept: accept };
}

export async function api(path, { method = 'GET', json, form, signal } = {}) {
  const options = { method, headers: headers('application/json'), signal };
  if (json !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(json);
  }
  if (form) options.body = form;
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({ detail: response.statusText, error: 'HTTPError' }));
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export function uploadImage(file) {
  const form = new FormData();
  form.append('file', file);
  return api('/api/uploads', { method: 'POST', form });
}

// Server-sent events from a POST (EventSource can only GET, and sends no token): yields {event, data}.
export function streamEvents(path, json, signal) {
  const options = { method: 'POST', signal, headers: headers('text/event-stream'), body: JSON.stringify(json) };
  options.headers['Content-Type'] = 'application/json';
  return readEvents(path, options);
}

// Server-sent events from a GET, with the token (a job's live progress).
export function getEvents(path, signal) {
  return readEvents(path, { signal, headers: headers('text/event-stream') });
}

async function* readEvents(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) {
    const body = await response.json().catch(() => ({ detail: response.statusText }));
    throw new ApiError(response.status, body);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event.event = line.slice(6).trim();
        else if (line.startsWith('data:')) event.data += line.slice(5).trim();
      }
      if (event.data) yield { event: event.event, data: JSON.parse(event.data) };
    }
  }
}

export function thumbUrl(viewId) {
  return `/api/images/${viewId}?size=thumb`;
}

export function fullUrl(viewId) {
  return `/api/images/${viewId}?size=full`;
}

export function artworkHash(id) {
  return `#/artwork/${encodeURIComponent(id)}`;
}

// h('a', {href: '#', class: 'x', onclick: fn}, 'text', child) -> element
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function percent(p) {
  return `${Math.round(p * 100)}%`;
}

export function errorBox(error) {
  return h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : String(error));
}
