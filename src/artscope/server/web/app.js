// The page: reads /meta, then routes by the URL hash: #/ (search), #/artwork/ID, #/analyze, #/curate
// (shown when the service takes writes).
// Escape leaves an artwork or the analysis view and returns to the results.

import { api, errorBox, h, uploadImage } from './api.js';
import { analysisSections, meta as shared } from './analysis.js';
import { askBox, showArtwork } from './artwork.js';
import { showCurator } from './curator.js';
import { bindSearch, setupDrop, startSearch } from './search.js';

const $ = (id) => document.getElementById(id);
const views = ['view-search', 'view-artwork', 'view-analyze', 'view-curate'];
let lastCard = null; // the result link that opened an artwork, to give focus back to

function show(view) {
  for (const id of views) $(id).hidden = id !== view;
  $('search-form').hidden = view === 'view-analyze' || view === 'view-curate';
}

function route() {
  const hash = location.hash || '#/';
  if (hash.startsWith('#/artwork/')) {
    show('view-artwork');
    showArtwork(decodeURIComponent(hash.slice('#/artwork/'.length)), $('view-artwork'));
  } else if (hash === '#/curate') {
    show('view-curate');
    showCurator($('view-curate'));
  } else if (hash === '#/analyze') {
    show('view-analyze');
    $('analyze-title').focus();
  } else {
    show('view-search');
    if (lastCard && document.body.contains(lastCard)) lastCard.focus();
  }
}

async function analyse(file) {
  const out = $('analyze-result');
  out.replaceChildren(h('p', { class: 'loading' }, 'Uploading…'));
  try {
    const upload = await uploadImage(file);
    const preview = h('img', { src: URL.createObjectURL(file), alt: 'The image being analysed', class: 'analyze-preview' });
    const known = upload.in_collection
      ? h('p', { class: 'note' }, 'This exact image is in the collection: ',
        h('a', { href: `#/artwork/${encodeURIComponent(upload.in_collection)}` }, upload.in_collection))
      : null;
    out.replaceChildren(
      h('div', { class: 'analyze-head' }, preview,
        h('div', {}, h('p', {}, `${upload.width} × ${upload.height} px, not added to the collection.`), known)),
      ...analysisSections({ image_id: upload.id }, 'analyze'),
      h('section', { class: 'panel', 'aria-labelledby': 'analyze-ask-heading' },
        h('h2', { id: 'analyze-ask-heading' }, 'Ask about this image'),
        askBox({ image_id: upload.id }, 'e.g. Is this work in the collection? Who made it?', 'analyze')));
  } catch (error) {
    out.replaceChildren(errorBox(error));
  }
}

async function init() {
  bindSearch();
  $('analyze-input').addEventListener('change', (event) => {
    if (event.target.files[0]) analyse(event.target.files[0]);
    event.target.value = '';
  });
  setupDrop($('analyze-drop'), analyse);
  $('results').addEventListener('click', (event) => {
    const link = event.target.closest('a.card-link');
    if (link) lastCard = link;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !$('view-search').hidden || !$('view-curate').hidden) return;
    if (event.target.closest && event.target.closest('input, textarea, select')) event.target.blur();
    location.hash = '#/';
  });
  // the hash is the router's: the skip link moves focus without changing it
  document.querySelector('.skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    $('main').focus();
  });
  window.addEventListener('hashchange', route);
  try {
    const meta = await api('/meta');
    shared.dimensions = meta.dimensions;
    const counts = meta.counts;
    $('collection-info').textContent = `${meta.name}: ${counts.artworks} artworks, ${counts.images} images, `
      + `${counts.passages} passages`;
    document.title = `${meta.name} · artscope`;
    $('curate-link').hidden = !meta.writable;
    await startSearch(meta);
    document.body.dataset.ready = 'true'; // for tests and scripts: the page is fully set up
  } catch (error) {
    $('status').replaceChildren(errorBox(error));
  }
  route(); // after /meta: the artwork page names the dimensions as the service does
}

init();
