// A zoomable image: wheel or buttons to zoom, drag to pan, and the keyboard (+, -, 0, arrows) when the
// viewer has focus. The transform is set through the CSSOM (allowed by the page's CSP).

import { h } from './api.js';

const MIN = 1;
const MAX = 8;
const STEP = 1.25;

export function zoomableImage(src, alt) {
  const img = h('img', { src, alt, draggable: 'false', class: 'zoom-image' });
  const stage = h('div', {
    class: 'zoom-stage', tabindex: '0', role: 'group',
    'aria-label': `${alt}. Zoom with + and -, move with the arrow keys, 0 to reset.`,
  }, img);
  const state = { scale: 1, x: 0, y: 0 };

  const apply = () => {
    const w = stage.clientWidth;
    const hgt = stage.clientHeight;
    // keep the image covering the stage: no panning past its edges
    state.x = Math.min(0, Math.max(w - w * state.scale, state.x));
    state.y = Math.min(0, Math.max(hgt - hgt * state.scale, state.y));
    img.style.transform = `translate(${state.x}px, ${state.y}px) scale(${state.scale})`;
    stage.classList.toggle('zoomed', state.scale > 1);
    level.textContent = `${Math.round(state.scale * 100)}%`;
  };
  const zoomAt = (factor, cx = stage.clientWidth / 2, cy = stage.clientHeight / 2) => {
    const next = Math.min(MAX, Math.max(MIN, state.scale * factor));
    state.x = cx - ((cx - state.x) * next) / state.scale;
    state.y = cy - ((cy - state.y) * next) / state.scale;
    state.scale = next;
    apply();
  };
  const reset = () => { Object.assign(state, { scale: 1, x: 0, y: 0 }); apply(); };

  stage.addEventListener('wheel', (event) => {
    event.preventDefault();
    const rect = stage.getBoundingClientRect();
    zoomAt(event.deltaY < 0 ? STEP : 1 / STEP, event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });
  let drag = null;
  stage.addEventListener('pointerdown', (event) => {
    drag = { x: event.clientX - state.x, y: event.clientY - state.y };
    stage.setPointerCapture(event.pointerId);
  });
  stage.addEventListener('pointermove', (event) => {
    if (!drag) return;
    state.x = event.clientX - drag.x;
    state.y = event.clientY - drag.y;
    apply();
  });
  stage.addEventListener('pointerup', () => { drag = null; });
  stage.addEventListener('dblclick', (event) => {
    const rect = stage.getBoundingClientRect();
    zoomAt(2, event.clientX - rect.left, event.clientY - rect.top);
  });
  stage.addEventListener('keydown', (event) => {
    const pan = 40;
    const moves = { ArrowLeft: [pan, 0], ArrowRight: [-pan, 0], ArrowUp: [0, pan], ArrowDown: [0, -pan] };
    if (event.key === '+' || event.key === '=') zoomAt(STEP);
    else if (event.key === '-') zoomAt(1 / STEP);
    else if (event.key === '0') reset();
    else if (moves[event.key]) {
      state.x += moves[event.key][0];
      state.y += moves[event.key][1];
      apply();
    } else return;
    event.preventDefault();
  });

  const level = h('span', { class: 'zoom-level', 'aria-live': 'polite' }, '100%');
  const controls = h('div', { class: 'zoom-controls' },
    h('button', { type: 'button', class: 'button secondary', 'aria-label': 'Zoom in',
      onclick: () => zoomAt(STEP) }, '+'),
    h('button', { type: 'button', class: 'button secondary', 'aria-label': 'Zoom out',
      onclick: () => zoomAt(1 / STEP) }, '−'),
    h('button', { type: 'button', class: 'button secondary', onclick: reset }, 'Reset'),
    level);
  return h('div', { class: 'zoom' }, stage, controls);
}
