// The search view: words, an image (words beside it say what should differ: a composed query),
// more-like-this, facets and filters, pages, the relevance cutoff, and dialogue mode (a question with
// quick answers). Choosing an image searches with it at once.

import { api, artworkHash, errorBox, h, percent, thumbUrl, uploadImage } from './api.js';

const $ = (id) => document.getElementById(id);
const PAGE = 24;
const FACET_VALUES = 8;

const state = {
  text: '', image: null, like: null, filters: {}, offset: 0, minScore: null,
  dialogue: null, facetFields: [], searched: false,
};

// Listeners first (before /meta answers), so that nothing a quick user does is lost.
export function bindSearch() {
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.text = $('q').value.trim();
    state.like = null;
    state.offset = 0;
    state.dialogue = null;
    if (location.hash && location.hash !== '#/') location.hash = '#/';
    run();
  });
  $('image-input').addEventListener('change', (event) => {
    if (event.target.files[0]) attachImage(event.target.files[0]);
    event.target.value = '';
  });
  $('clear-image').addEventListener('click', () => {
    clearImage();
    state.offset = 0;
    run();
    $('q').focus();
  });
  $('relevance').addEventListener('change', (event) => {
    state.minScore = event.target.value ? Number(event.target.value) : null;
    if (state.searched) rerun();
  });
  for (const id of ['year-from', 'year-to']) $(id).addEventListener('change', rerun);
  $('clear-filters').addEventListener('click', () => {
    state.filters = {};
    $('year-from').value = '';
    $('year-to').value = '';
    rerun();
  });
  $('dialogue-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const answer = $('dialogue-answer').value.trim();
    if (answer) answerDialogue(answer);
  });
  $('dialogue-skip').addEventListener('click', () => answerDialogue('skip'));
  setupDrop($('search-form'), attachImage);
  // on a phone the filters would push the results off screen: start them folded
  if (window.matchMedia('(max-width: 800px)').matches) $('filters-details').open = false;
}

// The facets a curator chose for the page, or else the server's automatic choice.
export function chooseFacets(meta) {
  state.facetFields = meta.facets ?? meta.automatic_facets ?? [];
}

export async function startSearch(meta) {
  chooseFacets(meta);
  if (!state.searched && !state.image) await browse();
}

export function setupDrop(zone, onFile) {
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = [...event.dataTransfer.files].find((f) => f.type.startsWith('image/'));
    if (file) onFile(file);
  });
}

async function attachImage(file) {
  setStatus('Uploading the image…');
  try {
    const upload = await uploadImage(file);
    state.image = { id: upload.id, url: URL.createObjectURL(file), inCollection: upload.in_collection };
    $('query-thumb').src = state.image.url;
    $('image-query').hidden = false;
    Object.assign(state, { text: $('q').value.trim(), like: null, offset: 0, dialogue: null });
    if (location.hash && location.hash !== '#/') location.hash = '#/';
    await run();
  } catch (error) {
    showError(error);
  }
}

function clearImage() {
  state.image = null;
  $('image-query').hidden = true;
}

export function searchLike(id, title) {
  clearImage();
  Object.assign(state, { like: { id, title }, text: '', offset: 0, dialogue: null });
  $('q').value = '';
  location.hash = '#/';
  run();
}

function rerun() {
  state.offset = 0;
  if (!state.dialogue) run();
}

// After a curator deleted an artwork: the same search again, without it (a search like it: the
// collection's first page instead).
export function refreshWithout(id) {
  if (state.like?.id === id) state.like = null;
  rerun();
}

function filters() {
  const out = {};
  for (const [field, values] of Object.entries(state.filters)) {
    if (values.length) out[field] = values.length === 1 ? values[0] : values;
  }
  const from = $('year-from').value;
  const to = $('year-to').value;
  if (from || to) out.year = { gte: from ? Number(from) : null, lte: to ? Number(to) : null };
  return out;
}

function query() {
  const body = { filters: filters(), facets: state.facetFields, limit: PAGE, offset: state.offset };
  if (state.minScore != null) body.min_score = state.minScore;
  if (state.like) return { ...body, artwork_id: state.like.id };
  if (state.image) return { ...body, image_id: state.image.id, text: state.text || null };
  return { ...body, text: state.text };
}

async function run() {
  if (!state.like && !state.image && !state.text) { browse(); return; }
  if ($('dialogue-mode').checked && !state.like) { startDialogue(); return; }
  endDialogue();
  state.searched = true;
  setStatus('Searching…');
  try {
    const result = await api('/api/search', { method: 'POST', json: query() });
    renderResults(result.hits, result.total, true, result.score_label);
    renderFacets(result.facets);
    const what = state.like ? `More like “${state.like.title || state.like.id}”: `
      : state.image ? `With your image${state.text ? ` and “${state.text}”` : ''}: ` : '';
    setStatus(result.no_good_match && !result.hits.length
      ? `${what}No good match in the collection.`
      : `${what}${result.total} candidates, ${Math.round(result.took_ms)} ms.`);
    const known = state.image?.inCollection;
    if (known) {
      $('status').append(' This exact image is in the collection: ',
        h('a', { href: artworkHash(known) }, known), '.');
    }
  } catch (error) {
    showError(error);
  }
}

function endDialogue() {
  $('dialogue').hidden = true;
  $('view-search').classList.remove('in-dialogue');
}

async function browse() {
  endDialogue();
  state.searched = false;
  try {
    const page = await api(`/api/artworks?limit=${PAGE}&offset=${state.offset}`);
    if (state.searched || state.image) return; // the user moved on while the page loaded
    renderResults(page.items.map((artwork) => ({ artwork })), page.total);
    setStatus(`${page.total} artworks in the collection. Search by words or with an image.`);
  } catch (error) {
    showError(error);
  }
}

async function startDialogue() {
  setStatus('Starting a dialogue…');
  const body = { text: state.text || null, filters: filters(), limit: PAGE };
  if (state.image) body.image_id = state.image.id;
  try {
    showTurn(await api('/api/dialogue', { method: 'POST', json: body }));
  } catch (error) {
    showError(error);
  }
}

async function answerDialogue(answer) {
  if (!state.dialogue) return;
  setStatus(`Answered “${answer}”. Refining…`);
  try {
    const path = `/api/dialogue/${encodeURIComponent(state.dialogue.session_id)}`;
    showTurn(await api(path, { method: 'POST', json: { answer, limit: PAGE } }));
  } catch (error) {
    showError(error);
  }
}

function showTurn(turn) {
  state.dialogue = turn;
  $('view-search').classList.add('in-dialogue');
  state.searched = true;
  renderResults(turn.hits, turn.hits.length, false);
  $('dialogue').hidden = false;
  $('dialogue-answer').value = '';
  const question = turn.question;
  $('dialogue-question').textContent = question ? `Round ${turn.round}: ${question.text}`
    : `Round ${turn.round}: these are the best matches; nothing left to ask.`;
  $('dialogue-options').replaceChildren(...(question ? question.options : []).map((option) =>
    h('button', { type: 'button', class: 'button chip', onclick: () => answerDialogue(option) }, option)));
  $('dialogue-form').hidden = !question;
  const refined = Object.entries(turn.filters || {})
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  setStatus(`Round ${turn.round}. ${refined.length ? `So far: ${refined.join(', ')}.` : ''}`);
  const first = $('dialogue-options').querySelector('button');
  if (first) first.focus();
}

// The number on a card is the one the results are ordered by, named as the result names it.
function card(hit, scoreLabel = 'fused rank') {
  const art = hit.artwork;
  const viewId = hit.view_id ?? art.views[0]?.id;
  const title = art.title || art.id;
  return h('li', { class: 'card' },
    h('a', { href: artworkHash(art.id), class: 'card-link', dataset: { artwork: art.id } },
      h('span', { class: 'thumb' }, viewId ? h('img', { src: thumbUrl(viewId), alt: '', loading: 'lazy' }) : null),
      h('span', { class: 'card-title' }, title)),
    h('p', { class: 'card-meta' }, [art.artists.join(', '), art.date].filter(Boolean).join(' · ')),
    hit.score != null ? h('p', { class: 'card-score' }, `${scoreLabel} ${percent(hit.score)}`,
      hit.match && hit.match !== 'similar' ? h('span', { class: 'badge' }, hit.match) : null) : null,
    h('button', { type: 'button', class: 'button secondary more-like', 'aria-label': `More like this: ${title}`,
      onclick: () => searchLike(art.id, title) }, 'More like this'));
}

function renderResults(hits, total, paged = true, scoreLabel = 'fused rank') {
  $('results').replaceChildren(...hits.map((hit) => card(hit, scoreLabel)));
  const pager = $('pager');
  pager.replaceChildren();
  if (!paged || total <= PAGE) return;
  const page = Math.floor(state.offset / PAGE) + 1;
  const pages = Math.ceil(Math.min(total, 10000) / PAGE);
  const go = (offset) => { state.offset = offset; (state.searched ? run : browse)(); $('main').focus(); };
  pager.append(
    h('button', { type: 'button', class: 'button secondary', disabled: page <= 1,
      onclick: () => go(state.offset - PAGE) }, 'Previous'),
    h('span', { class: 'page-info' }, `Page ${page} of ${pages}`),
    h('button', { type: 'button', class: 'button secondary', disabled: page >= pages,
      onclick: () => go(state.offset + PAGE) }, 'Next'));
}

function renderFacets(facets) {
  const groups = Object.entries(facets || {}).filter(([, counts]) => Object.keys(counts).length > 0);
  $('facets').replaceChildren(...groups.map(([field, counts]) => {
    const chosen = state.filters[field] || [];
    const values = [...new Set([...chosen, ...Object.keys(counts).slice(0, FACET_VALUES)])];
    return h('fieldset', { class: 'facet' }, h('legend', {}, field), values.map((value) => {
      const id = `facet-${field}-${values.indexOf(value)}-${value}`.replace(/[^\w-]/g, '_');
      return h('div', { class: 'facet-value' },
        h('input', { type: 'checkbox', id, checked: chosen.includes(value), onchange: (event) => {
          const next = new Set(state.filters[field] || []);
          if (event.target.checked) next.add(value); else next.delete(value);
          state.filters[field] = [...next];
          rerun();
        } }),
        h('label', { for: id }, value, h('span', { class: 'count' }, counts[value] ?? 0)));
    }));
  }));
}

function setStatus(text) {
  $('status').replaceChildren(text);
  if (state.like) {
    $('status').append(' ', h('button', { type: 'button', class: 'link-button', onclick: () => {
      state.like = null;
      run();
    } }, 'Clear'));
  }
}

function showError(error) {
  $('status').replaceChildren(errorBox(error));
}
