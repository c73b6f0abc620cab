// Curators in the page: sign in with the service's token (kept in this tab's sessionStorage, never in a
// URL), add sources and watch the job live (progress, rate, time left, warnings and failed items),
// cancel and resume it, train the attributes and aesthetics heads and read their held-out metrics,
// predict the attributes of every artwork, choose the search page's facets, read the audit log; on an
// artwork's page, edit its record or delete it.

import { api, ApiError, errorBox, getEvents, h, signedIn, signIn, signOut } from './api.js';
import { chooseFacets, refreshWithout } from './search.js';

const EDITABLE = ['title', 'artists', 'date', 'type', 'medium', 'dimensions', 'place', 'institution',
  'description', 'subjects', 'license', 'credit'];
const LISTS = new Set(['artists', 'subjects']);
const KINDS = { ingest: 'Ingest', describe: 'Describe all', train: 'Train' };

function field(label, input) {
  return h('div', { class: 'form-row' }, h('label', { for: input.id }, label), input);
}

function signInForm(container, onDone) {
  const input = h('input', { id: 'curator-token', type: 'password', autocomplete: 'off', required: true });
  const message = h('p', { class: 'status', role: 'status' });
  const form = h('form', { class: 'curator-signin' }, field('Token', input),
    h('button', { type: 'submit', class: 'button primary' }, 'Sign in'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    signIn(input.value.trim());
    try {
      await api('/api/audit?limit=1'); // needs the token: tells a right one from a wrong one
      onDone();
    } catch (error) {
      signOut();
      message.replaceChildren(errorBox(error));
    }
  });
  container.replaceChildren(h('h1', { id: 'curator-title', tabindex: '-1' }, 'Curate'),
    h('section', { class: 'panel', 'aria-labelledby': 'curator-signin' }, h('h2', { id: 'curator-signin' }, 'Sign in'),
      h('p', { class: 'note' }, 'With the service\'s token: it stays in this browser tab and is sent only to this '
        + 'service.'), form));
}

function duration(seconds) {
  if (seconds == null) return '–';
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

// The items of a job that failed, or were stored with a warning, each with its reason (folded).
function itemList(items, what, cls) {
  if (!(items || []).length) return null;
  const count = `${items.length} ${items.length === 1 ? 'item' : 'items'}`;
  return h('details', { class: cls }, h('summary', {}, `${count} ${what}`),
    h('ul', {}, items.map((item) => h('li', {}, `${item.item_key}: ${item.error}`))));
}

// One job, kept up to date from its server-sent events until it ends.
export function jobCard(job, onEnd = () => {}) {
  const card = h('article', { class: 'job', dataset: { job: job.id } });
  const controller = new AbortController();
  const render = (view) => {
    const p = view.progress || {};
    const bar = h('span', { class: 'bar-fill' });
    bar.style.width = `${p.percent ?? 0}%`;
    const active = view.state === 'queued' || view.state === 'running';
    card.dataset.state = view.state;
    const amount = p.percent != null ? `${Math.round(p.percent)}%` : `${p.done ?? 0} items`;
    const pace = active ? ` · ${p.rate != null ? `${p.rate.toFixed(1)} items/s` : '–'} · time left ${duration(p.eta_s)}`
      : '';
    const parts = [
      h('h4', {}, `${KINDS[view.kind] || view.kind} ${view.id} `,
        h('span', { class: `badge state-${view.state}` }, view.state)),
      (view.sources || []).length ? h('p', { class: 'job-sources note' }, view.sources.join(', ')) : null,
      h('span', { class: 'bar', role: 'progressbar', 'aria-label': 'Progress', 'aria-valuemin': '0',
        'aria-valuemax': '100', 'aria-valuenow': String(Math.round(p.percent ?? 0)) }, bar),
      h('p', { class: 'job-numbers' }, amount + pace),
      h('p', { class: 'job-counts' }, Object.entries(view.counts || {}).map(([k, v]) => `${k} ${v}`).join(', ')),
      view.message ? h('p', { class: 'job-message' }, view.message) : null,
      (view.warnings || []).length ? h('ul', { class: 'job-warnings' }, view.warnings.map((w) => h('li', {}, w))) : null,
      itemList(view.errors, 'failed', 'job-errors'),
      itemList(view.item_warnings, 'stored with a warning', 'job-item-warnings'),
      h('div', { class: 'job-actions' },
        active ? h('button', { type: 'button', class: 'button secondary', onclick: () => act(view.id, 'cancel') }, 'Cancel') : null,
        ['cancelled', 'failed', 'interrupted'].includes(view.state)
          ? h('button', { type: 'button', class: 'button secondary', onclick: () => act(view.id, 'resume') }, 'Resume')
          : null),
    ];
    card.replaceChildren(...parts.filter(Boolean));
  };
  const follow = async (id) => {
    try {
      for await (const { event, data } of getEvents(`/api/jobs/${encodeURIComponent(id)}/events`, controller.signal)) {
        render(data);
        if (event === 'end') { onEnd(data); return; }
      }
    } catch (error) {
      if (!controller.signal.aborted) card.append(errorBox(error));
    }
  };
  const act = async (id, action) => {
    try {
      const view = await api(`/api/jobs/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
      render(view);
      if (action === 'resume') follow(id);
    } catch (error) {
      card.append(errorBox(error));
    }
  };
  render(job);
  if (job.state === 'queued' || job.state === 'running') follow(job.id);
  return card;
}

// Sources by URL or under the ingest root, and files from this computer (images and one catalogue).
function sourcesForm(jobs) {
  const input = h('textarea', { id: 'curator-sources', rows: '3',
    placeholder: 'One per line: https://… (a IIIF manifest, a catalogue) or a folder under the ingest root' });
  const files = h('input', { id: 'curator-files', type: 'file', multiple: true,
    accept: 'image/jpeg,image/png,image/webp,image/tiff,image/gif,image/bmp,.csv,.json,.jsonl' });
  const message = h('div', { role: 'status' });
  const form = h('form', { class: 'curator-form' }, field('Sources', input),
    field('Or upload files', files),
    h('p', { class: 'note' }, 'Images, and a catalogue describing them if you have one (CSV, JSON, JSONL); they '
      + 'are kept in the collection.'),
    h('button', { type: 'submit', class: 'button primary' }, 'Add to the collection'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sources = input.value.split('\n').map((s) => s.trim()).filter(Boolean);
    message.replaceChildren();
    if (!sources.length && !files.files.length) {
      message.replaceChildren(errorBox('Name a source, or choose files to upload.'));
      return;
    }
    try {
      if (files.files.length) {
        const body = new FormData();
        for (const file of files.files) body.append('files', file);
        jobs.prepend(jobCard(await api('/api/jobs/files', { method: 'POST', form: body })));
        files.value = '';
      }
      if (sources.length) {
        jobs.prepend(jobCard(await api('/api/jobs', { method: 'POST', json: { sources } })));
        input.value = '';
      }
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return form;
}

function metricText(value) {
  if (typeof value === 'number') return value.toFixed(3);
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(3) : v}`).join(', ');
  }
  return String(value);
}

function headsTable(heads) {
  if (!heads.length) return h('p', { class: 'note' }, 'No head is trained yet.');
  return h('ul', { class: 'heads' }, heads.map((head) => h('li', { dataset: { head: head.kind } },
    h('strong', {}, `${head.kind} `), h('span', { class: 'note' }, `${head.version}, ${head.created_at ?? ''}`),
    h('ul', {}, Object.entries(head.metrics || {}).map(([name, value]) => h('li', {}, `${name}: ${metricText(value)}`))))));
}

// Train a head on the catalogue's own labels; when the job ends, the metrics are read again.
function trainForm(jobs, onTrained) {
  const head = h('select', { id: 'train-head' },
    h('option', { value: 'attributes' }, 'attributes (artist, style, genre, medium, period)'),
    h('option', { value: 'aesthetics' }, 'aesthetics (from a score field of the records)'));
  const fields = h('input', { id: 'train-fields', type: 'text', autocomplete: 'off',
    placeholder: 'artist, style, genre, medium, period' });
  const scoreField = h('input', { id: 'train-score-field', type: 'text', autocomplete: 'off', value: 'aesthetic_score' });
  const fieldsRow = field('Fields to learn', fields);
  const scoreRow = field('Score field', scoreField);
  const choose = () => { fieldsRow.hidden = head.value !== 'attributes'; scoreRow.hidden = head.value !== 'aesthetics'; };
  head.addEventListener('change', choose);
  choose();
  const message = h('div', { role: 'status' });
  const form = h('form', { class: 'curator-form' }, field('Head', head), fieldsRow, scoreRow,
    h('button', { type: 'submit', class: 'button primary' }, 'Train'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { head: head.value };
    const names = fields.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (head.value === 'attributes' && names.length) body.fields = names;
    if (head.value === 'aesthetics') body.score_field = scoreField.value.trim();
    message.replaceChildren();
    try {
      jobs.prepend(jobCard(await api('/api/jobs/train', { method: 'POST', json: body }), onTrained));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return form;
}

// Which fields the search page offers as facets (counted values to filter by), in order.
function facetsForm(meta) {
  const keyword = Object.entries(meta.fields).filter(([, kind]) => kind === 'keyword').map(([name]) => name);
  const chosen = new Set(meta.facets ?? []);
  const boxes = keyword.map((name) => h('input', { type: 'checkbox', id: `choose-facet-${name}`.replace(/[^\w-]/g, '_'),
    value: name, checked: chosen.has(name) }));
  const message = h('div', { role: 'status' },
    meta.facets ? null : h('p', { class: 'note' }, `None chosen: the page shows ${(meta.automatic_facets ?? []).join(', ') || 'no facets'} (fields with few values).`));
  const form = h('form', { class: 'curator-form' },
    h('fieldset', { class: 'facet-choice' }, h('legend', {}, 'Facets of the search page'),
      boxes.map((box) => h('label', {}, box, ` ${box.value}`))),
    h('div', { class: 'job-actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Save the facets'),
      h('button', { type: 'button', class: 'button secondary', onclick: () => save(null) }, 'Let the page choose')),
    message);
  const save = async (facets) => {
    try {
      const saved = await api('/api/facets', { method: 'PUT', json: { facets } });
      chooseFacets({ ...meta, facets: saved.facets });
      message.replaceChildren(h('p', { class: 'note' }, saved.facets
        ? `Saved: the search page shows ${saved.facets.join(', ') || 'no facets'}.` : 'Saved: the page chooses.'));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save(boxes.filter((box) => box.checked).map((box) => box.value));
  });
  return form;
}

function auditList(entries) {
  if (!entries.length) return h('p', { class: 'note' }, 'No writes yet.');
  return h('ol', { class: 'audit' }, entries.map((e) => h('li', {},
    h('span', { class: 'note' }, `${e.at} · ${e.actor} · `), h('strong', {}, e.action), ` ${e.target ?? ''}`)));
}

export async function showCurator(container) {
  if (!signedIn()) {
    signInForm(container, () => showCurator(container));
    return;
  }
  const jobs = h('div', { class: 'jobs', 'aria-live': 'polite' });
  const audit = h('div', {});
  const heads = h('div', {});
  const facets = h('div', {});
  const refreshHeads = async () => heads.replaceChildren(headsTable((await api('/meta')).heads || []));
  const predict = async () => {
    try {
      jobs.prepend(jobCard(await api('/api/jobs/describe', { method: 'POST', json: { top_k: 3 } })));
    } catch (error) { heads.append(errorBox(error)); }
  };
  const panel = (id, title, ...children) => h('section', { class: 'panel', 'aria-labelledby': id },
    h('h2', { id }, title), ...children);
  container.replaceChildren(
    h('div', { class: 'crumbs' }, h('h1', { id: 'curator-title', tabindex: '-1' }, 'Curate'),
      h('button', { type: 'button', class: 'button secondary', onclick: () => { signOut(); showCurator(container); } },
        'Sign out')),
    panel('curator-add', 'Add sources', sourcesForm(jobs), h('h3', {}, 'Jobs'), jobs),
    panel('curator-models', 'Models', h('h3', {}, 'Trained heads and their held-out metrics'), heads,
      h('h3', {}, 'Train a head on the catalogue'), trainForm(jobs, refreshHeads),
      h('h3', {}, 'Predictions'), h('button', { type: 'button', class: 'button secondary', onclick: predict },
        'Predict the attributes of every artwork')),
    panel('curator-facets', 'Search page', facets),
    panel('curator-audit', 'Audit log', audit));
  document.getElementById('curator-title').focus({ preventScroll: true });
  try {
    const [list, meta, entries] = await Promise.all([api('/api/jobs?limit=10'), api('/meta'),
      api('/api/audit?limit=20')]);
    jobs.replaceChildren(...list.map((job) => jobCard(job)));
    heads.replaceChildren(headsTable(meta.heads || []));
    facets.replaceChildren(facetsForm(meta));
    audit.replaceChildren(auditList(entries));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { signOut(); showCurator(container); return; }
    audit.replaceChildren(errorBox(error));
  }
}

// The artwork page's curator tools: edit the record, delete the artwork (signed in only).
export function recordTools(record, onSaved) {
  if (!signedIn()) return null;
  const inputs = EDITABLE.map((name) => {
    const value = record[name];
    const attrs = { id: `edit-${name}`, name, value: LISTS.has(name) ? (value || []).join('; ') : value ?? '' };
    return [name, name === 'description' ? h('textarea', { ...attrs, rows: '3' }, attrs.value)
      : h('input', { ...attrs, type: 'text' })];
  });
  const message = h('div', { role: 'status' });
  const form = h('form', { class: 'curator-form' }, inputs.map(([name, input]) => field(name, input)),
    h('button', { type: 'submit', class: 'button primary' }, 'Save'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const changes = {};
    for (const [name, input] of inputs) {
      const before = LISTS.has(name) ? (record[name] || []).join('; ') : record[name] ?? '';
      const now = input.value.trim();
      if (now === before) continue;
      changes[name] = LISTS.has(name) ? now.split(';').map((s) => s.trim()).filter(Boolean) : now || null;
    }
    if (!Object.keys(changes).length) { message.replaceChildren(h('p', { class: 'note' }, 'Nothing changed.')); return; }
    try {
      await api(`/api/artworks/${encodeURIComponent(record.id)}`, { method: 'PATCH', json: changes });
      onSaved();
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  const remove = h('button', { type: 'button', class: 'button danger', onclick: async () => {
    if (!window.confirm(`Delete “${record.title || record.id}” and everything it owns? This cannot be undone.`)) return;
    try {
      await api(`/api/artworks/${encodeURIComponent(record.id)}`, { method: 'DELETE' });
      refreshWithout(record.id);
      location.hash = '#/';
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  } }, 'Delete this artwork');
  return h('section', { class: 'panel curator-tools', 'aria-labelledby': 'edit-heading' },
    h('details', {}, h('summary', { id: 'edit-heading' }, 'Edit the record (curator)'), form, remove));
}
