// A deep-zoom viewer: OpenSeadragon (vendored, loaded on first use) over the IIIF Image API tiles of the
// stored image, so the picture stays sharp at any zoom. Wheel, double click or the buttons to zoom, drag
// to move; with the keyboard, focus the image and use +, -, the arrow keys and 0 to reset.

import { h } from './api.js';

const STEP = 1.25;
const MAX_FIT = 8;
const PAN = 0.1; // of the visible width or height per arrow key
const SCRIPT = '/static/vendor/openseadragon/openseadragon.min.js';
let loading = null;

function loadViewer() {
  if (window.OpenSeadragon) return Promise.resolve(window.OpenSeadragon);
  loading = loading || new Promise((resolve, reject) => {
    const script = h('script', { src: SCRIPT });
    script.addEventListener('load', () => resolve(window.OpenSeadragon));
    script.addEventListener('error', () => { loading = null; reject(new Error('The image viewer could not load.')); });
    document.head.append(script);
  });
  return loading;
}

// source: a IIIF info.json URL, or {url} of a plain image (an image only its source has)
export function zoomableImage(source, alt) {
  const stage = h('div', {
    class: 'zoom-stage', tabindex: '0', role: 'img',
    'aria-label': `${alt}. Zoom with + and -, move with the arrow keys, 0 to reset.`,
  });
  const level = h('span', { class: 'zoom-level', 'aria-live': 'polite' }, '100%');
  let viewer = null;
  const zoomBy = (factor) => {
    if (!viewer) return;
    viewer.viewport.zoomBy(factor);
    viewer.viewport.applyConstraints();
  };
  const reset = () => viewer && viewer.viewport.goHome();
  stage.addEventListener('keydown', (event) => {
    if (!viewer) return;
    const moves = { ArrowLeft: [-PAN, 0], ArrowRight: [PAN, 0], ArrowUp: [0, -PAN], ArrowDown: [0, PAN] };
    if (event.key === '+' || event.key === '=') zoomBy(STEP);
    else if (event.key === '-') zoomBy(1 / STEP);
    else if (event.key === '0') reset();
    else if (moves[event.key]) {
      const bounds = viewer.viewport.getBounds();
      const [dx, dy] = moves[event.key];
      viewer.viewport.panBy(new window.OpenSeadragon.Point(dx * bounds.width, dy * bounds.height));
      viewer.viewport.applyConstraints();
    } else return;
    event.preventDefault();
  });
  // created once the stage is on the page (OpenSeadragon measures it)
  requestAnimationFrame(() => loadViewer().then((OpenSeadragon) => {
    if (!stage.isConnected) return;
    viewer = OpenSeadragon({
      element: stage,
      tileSources: typeof source === 'string' ? source : { type: 'image', url: source.url },
      drawer: 'canvas', showNavigationControl: false, keyboardNavEnabled: false, tabIndex: '',
      zoomPerScroll: STEP, zoomPerClick: 2, maxZoomPixelRatio: Infinity, visibilityRatio: 1,
      constrainDuringPan: true, animationTime: 0.4, immediateRender: false,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
    });
    viewer.addHandler('open', () => { // as far as 8 x the fitted view, or 2 screen pixels an image pixel
      const native = viewer.world.getItemAt(0).imageToViewportZoom(1);
      viewer.viewport.maxZoomLevel = Math.max(viewer.viewport.getHomeZoom() * MAX_FIT, native * 2);
    });
    viewer.addHandler('zoom', () => {
      const ratio = viewer.viewport.getZoom() / viewer.viewport.getHomeZoom();
      level.textContent = `${Math.round(ratio * 100)}%`;
      stage.classList.toggle('zoomed', ratio > 1.001);
    });
    viewer.addHandler('tile-loaded', () => { stage.dataset.tiles = String(Number(stage.dataset.tiles || 0) + 1); });
  }).catch((error) => stage.replaceChildren(h('p', { class: 'error' }, error.message))));

  const controls = h('div', { class: 'zoom-controls' },
    h('button', { type: 'button', class: 'button secondary', 'aria-label': 'Zoom in', onclick: () => zoomBy(STEP) }, '+'),
    h('button', { type: 'button', class: 'button secondary', 'aria-label': 'Zoom out',
      onclick: () => zoomBy(1 / STEP) }, '−'),
    h('button', { type: 'button', class: 'button secondary', onclick: reset }, 'Reset'),
    level);
  return h('div', { class: 'zoom' }, stage, controls);
}
