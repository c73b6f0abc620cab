// The artwork page: zoomable image, catalogue record, predicted attributes, aesthetic radar with its
// comments, similar works, related passages, and an ask box whose streamed answer cites its sources;
// for a signed-in curator, the record's editor.

import { api, artworkHash, errorBox, fullUrl, h, streamEvents, thumbUrl } from './api.js';
import { analysisSections } from './analysis.js';
import { recordTools } from './curator.js';
import { searchLike } from './search.js';
import { zoomableImage } from './zoom.js';

const RECORD_FIELDS = ['artists', 'date', 'type', 'medium', 'dimensions', 'place', 'institution', 'subjects',
  'credit', 'license'];
const MARKER = /\[(record|passage|prediction):([^\]]+)\]/g;

function fieldId(name) {
  return `field-${name}`.replace(/[^\w-]/g, '_');
}

function passageId(id) {
  return `passage-${id}`.replace(/[^\w-]/g, '_');
}

function recordList(record) {
  const rows = [];
  const add = (name, value) => {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return;
    rows.push(h('div', { class: 'record-row', id: fieldId(name) },
      h('dt', {}, name), h('dd', {}, Array.isArray(value) ? value.join('; ') : String(value))));
  };
  RECORD_FIELDS.forEach((name) => add(name, record[name]));
  Object.entries(record.extra || {}).forEach(([name, value]) => add(name,
    typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value));
  add('id', record.id);
  return h('dl', { class: 'record' }, rows);
}

// Jump to a cited element on this page (and flash it), or follow the link to another artwork.
function citeLink(label, targetId, fallbackHash) {
  return h('a', {
    href: fallbackHash || '#', class: 'cite',
    onclick: (event) => {
      const target = targetId && document.getElementById(targetId);
      if (!target) return;
      event.preventDefault();
      target.scrollIntoView({ block: 'center' });
      target.classList.remove('flash');
      void target.offsetWidth; // restart the highlight animation
      target.classList.add('flash');
    },
  }, label);
}

function citationTarget(citation, artworkId, prefix) {
  if (citation.kind === 'passage') {
    return [passageId(citation.passage_id), citation.artwork_id ? artworkHash(citation.artwork_id) : null];
  }
  if (citation.kind === 'record-field' && citation.artwork_id === artworkId) return [fieldId(citation.field), null];
  if (citation.kind === 'prediction' && (!citation.artwork_id || citation.artwork_id === artworkId)) {
    return [`${prefix}-attributes-heading`, null];
  }
  return [null, citation.artwork_id ? artworkHash(citation.artwork_id) : null];
}

// Ids start with the view's `prefix` (each view renders its own: no id is on the page twice).
export function answerView(answer, artworkId, prefix) {
  const numbers = new Map(answer.citations.map((c, i) => [markerOf(c), i + 1]));
  const parts = [];
  let last = 0;
  for (const match of answer.text.matchAll(MARKER)) {
    parts.push(answer.text.slice(last, match.index));
    const n = numbers.get(match[0]);
    if (n) parts.push(h('sup', {}, citeLink(`[${n}]`, `${prefix}-citation-${n}`)));
    last = match.index + match[0].length;
  }
  parts.push(answer.text.slice(last));
  if (!last) { // no markers in the text: the sources follow it
    answer.citations.forEach((_, i) => parts.push(h('sup', {}, citeLink(`[${i + 1}]`, `${prefix}-citation-${i + 1}`))));
  }
  const citations = answer.citations.map((citation, i) => {
    const [targetId, hash] = citationTarget(citation, artworkId, prefix);
    const what = citation.kind === 'passage' ? `passage ${citation.passage_id}`
      : `${citation.kind === 'prediction' ? 'prediction' : 'record'}: `
        + `${citation.artwork_id ?? 'image'} · ${citation.field}`;
    return h('li', { id: `${prefix}-citation-${i + 1}` }, citeLink(what, targetId, hash),
      citation.quote ? h('q', {}, citation.quote) : null,
      citation.probability != null ? ` (p = ${citation.probability.toFixed(2)})` : '');
  });
  return h('div', { class: 'answer' },
    h('p', { class: 'answer-text' }, parts),
    (answer.warnings || []).length ? h('p', { class: 'note' }, answer.warnings.join(' ')) : null,
    citations.length ? h('ol', { class: 'citations', 'aria-label': 'Sources' }, citations)
      : h('p', { class: 'note' }, 'No sources cited.'));
}

function markerOf(citation) {
  if (citation.kind === 'passage') return `[passage:${citation.passage_id}]`;
  if (citation.kind === 'record-field') return `[record:${citation.artwork_id}.${citation.field}]`;
  return `[prediction:${citation.artwork_id || 'image'}.${citation.field}]`;
}

export function askBox(subject, placeholder, prefix) {
  const input = h('input', { id: `${prefix}-ask-input`, type: 'text', autocomplete: 'off', placeholder });
  const output = h('div', { class: 'ask-output', 'aria-live': 'polite' });
  const form = h('form', { class: 'ask-form' },
    h('label', { for: `${prefix}-ask-input`, class: 'visually-hidden' }, 'Your question'), input,
    h('button', { type: 'submit', class: 'button primary' }, 'Ask'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    const draft = h('p', { class: 'draft' });
    const steps = h('ol', { class: 'steps' });
    output.replaceChildren(h('p', { class: 'loading' }, 'Thinking…'), draft,
      h('details', {}, h('summary', {}, 'How it was answered'), steps));
    try {
      for await (const { event: kind, data } of streamEvents('/api/ask/stream', { ...subject, question })) {
        if (kind === 'step' && data.step) {
          steps.append(h('li', {}, `${data.step.tool}: ${data.step.result || data.step.error || ''}`));
        } else if (kind === 'delta' && data.text) {
          draft.append(data.text);
        } else if (kind === 'answer' && data.answer) {
          output.replaceChildren(answerView(data.answer, subject.artwork_id, prefix), output.lastChild);
        } else if (kind === 'error') {
          output.replaceChildren(errorBox(data.detail));
        }
      }
    } catch (error) {
      output.replaceChildren(errorBox(error));
    }
  });
  return h('div', {}, form, output);
}

function similarWorks(record) {
  const list = h('ol', { class: 'grid small' });
  api('/api/search', { method: 'POST', json: { artwork_id: record.id, limit: 8 } }).then((result) => {
    list.replaceChildren(...result.hits.map((hit) => h('li', { class: 'card' },
      h('a', { href: artworkHash(hit.artwork.id), class: 'card-link' },
        h('span', { class: 'thumb' },
          hit.view_id ? h('img', { src: thumbUrl(hit.view_id), alt: '', loading: 'lazy' }) : null),
        h('span', { class: 'card-title' }, hit.artwork.title || hit.artwork.id)))));
    if (!result.hits.length) list.replaceChildren(h('li', { class: 'note' }, 'No similar works found.'));
  }).catch((error) => list.replaceChildren(h('li', {}, errorBox(error))));
  return list;
}

function passagesList(passages) {
  if (!passages.length) return h('p', { class: 'note' }, 'No passages are tied to this work.');
  return h('ul', { class: 'passages' }, passages.map((p) => h('li', { id: passageId(p.id), class: 'passage' },
    p.title ? h('h4', {}, p.title) : null, h('p', {}, p.text),
    p.source ? h('p', { class: 'note' }, `Source: ${p.source}`) : null)));
}

// The stored image's IIIF tiles; an image only its source has is shown as one picture.
function tileSource(view) {
  const stored = view.content_hash && view.uri.startsWith('/api/images/');
  return stored ? `/iiif/3/${view.content_hash}/info.json` : { url: fullUrl(view.id) };
}

export async function showArtwork(id, container) {
  container.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  window.scrollTo(0, 0);
  let detail;
  try {
    detail = await api(`/api/artworks/${encodeURIComponent(id)}`);
  } catch (error) {
    container.replaceChildren(h('a', { href: '#/', class: 'back' }, '← Back to search'), errorBox(error));
    return;
  }
  const record = detail.record;
  const title = record.title || record.id;
  const views = record.views.filter((v) => v.id != null);
  const viewer = h('div', { class: 'viewer' },
    views.length ? zoomableImage(tileSource(views[0]), title) : h('p', { class: 'note' }, 'No image.'));
  container.replaceChildren(
    h('nav', { class: 'crumbs' }, h('a', { href: '#/', class: 'back' }, '← Back to results'),
      h('button', { type: 'button', class: 'button secondary', onclick: () => searchLike(record.id, title) },
        'More like this')),
    h('div', { class: 'artwork-layout' }, viewer,
      h('div', { class: 'artwork-record' },
        h('h1', { id: 'artwork-title', tabindex: '-1' }, title),
        record.description ? h('p', { class: 'description', id: fieldId('description') }, record.description) : null,
        recordList(record), recordTools(record, () => showArtwork(id, container)))),
    h('section', { class: 'panel', 'aria-labelledby': 'artwork-ask-heading' },
      h('h2', { id: 'artwork-ask-heading' }, 'Ask about this work'),
      askBox({ artwork_id: record.id }, 'e.g. Who made it, and when?', 'artwork')),
    ...analysisSections({ artwork_id: record.id }, 'artwork'),
    h('section', { class: 'panel', 'aria-labelledby': 'similar-heading' },
      h('h2', { id: 'similar-heading' }, 'Similar works'), similarWorks(record)),
    h('section', { class: 'panel', 'aria-labelledby': 'passages-heading' },
      h('h2', { id: 'passages-heading' }, 'Related passages'), passagesList(detail.passages)));
  // on a phone, focus must not scroll the title (below the image) to the top: start at the top
  window.scrollTo(0, 0);
  document.getElementById('artwork-title').focus({ preventScroll: true });
}
