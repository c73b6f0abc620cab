// Predicted attributes and the aesthetic assessment of one image (a stored artwork or an upload):
// shared by the artwork page and the "Analyse an image" view.

import { api, ApiError, errorBox, h, percent } from './api.js';
import { radarChart } from './radar.js';

export const meta = { dimensions: {} };

function bar(probability, label) {
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = percent(probability);
  return h('span', { class: 'bar', role: 'img', 'aria-label': `${label}: ${percent(probability)}` }, fill);
}

function fieldBlock(prediction) {
  const head = prediction.unknown
    ? h('p', { class: 'prediction-main' }, h('strong', {}, 'unknown'),
      ` (best guess ${prediction.top_k[0]?.label ?? '–'}, ${percent(prediction.top_k[0]?.probability ?? 0)})`)
    : h('p', { class: 'prediction-main' }, h('strong', {}, prediction.label), ` ${percent(prediction.probability)}`);
  const rows = prediction.top_k.map((item) => h('li', {},
    h('span', { class: 'label' }, item.label), bar(item.probability, item.label),
    h('span', { class: 'value' }, percent(item.probability))));
  return h('div', { class: 'prediction', dataset: { field: prediction.field } },
    h('h4', {}, prediction.field),
    head,
    prediction.curated ? h('p', { class: 'curated' }, `Catalogue: ${prediction.curated}`) : null,
    h('ol', { class: 'top-k', 'aria-label': `Most probable ${prediction.field} values` }, rows));
}

export function attributesView(description) {
  return h('div', { class: 'attributes' },
    h('p', { class: 'note' }, h('span', { class: 'badge predicted' }, 'predicted'),
      ` by ${description.model} (head ${description.version}); `
      + `below ${percent(description.threshold)} a field is "unknown".`),
    h('div', { class: 'predictions' }, description.fields.map(fieldBlock)));
}

function measuredValue(measurement) {
  const value = measurement.value;
  const shown = Array.isArray(value) ? value.map((v) => (typeof v === 'number' ? v.toFixed(2) : v)).join(', ')
    : typeof value === 'number' ? String(Math.round(value * 100) / 100) : value;
  return `${shown} ${measurement.unit}`;
}

// Plain sentences for visitors; the measured sentences, their numbers and how each was measured one
// click away.
function measured(sentences, measurements) {
  const keys = [...new Set(sentences.flatMap((s) => s.cites))];
  return h('details', { class: 'measured' }, h('summary', {}, 'Measured'),
    h('ul', {}, sentences.map((s) => h('li', {}, s.text))),
    h('dl', {}, keys.filter((k) => measurements[k]).map((k) => h('div', {},
      h('dt', {}, k), h('dd', {}, measuredValue(measurements[k]), h('span', { class: 'note' }, ` — ${measurements[k].about}`))))));
}

function comments(result) {
  return Object.keys(result.dimensions).map((key) => {
    const value = result.dimensions[key];
    const sentences = result.comments[key] || [];
    const why = result.not_measured?.[key];
    return h('li', { class: 'dimension', dataset: { dimension: key } },
      h('h4', {}, `${meta.dimensions[key] || key} `,
        h('span', { class: 'score' }, value == null ? 'not measured' : `${Math.round(value)}/100`)),
      sentences.length ? h('p', { class: 'plain' }, sentences.map((s) => s.plain || s.text).join(' ')) : null,
      sentences.length ? measured(sentences, result.measurements) : null,
      why ? h('p', { class: 'note' }, why) : null);
  });
}

export function aestheticsView(result) {
  const calibration = result.calibrated
    ? `calibrated by the trained head ${result.head?.name ?? ''}`
    : 'measured, not calibrated (no aesthetics head trained on scored data yet)';
  return h('div', { class: 'aesthetics' },
    h('p', { class: 'total' }, h('strong', { class: 'total-score' }, result.total.toFixed(1)), ' / 100',
      h('span', { class: 'note' }, ` — ${calibration}`)),
    h('div', { class: 'aesthetics-body' },
      h('figure', { class: 'radar-figure' }, radarChart(result.dimensions, meta.dimensions),
        h('figcaption', {}, 'The seven aesthetic dimensions, 0–100')),
      h('ul', { class: 'dimension-comments', 'aria-label': 'Comments per dimension' }, comments(result))));
}

function notTrained(error) {
  return h('p', { class: 'not-trained', role: 'note' }, h('strong', {}, 'Not available yet. '), error.message);
}

// Fill `container` with the result of POST path(subject), or a clear message when it cannot be had.
export async function loadInto(container, path, subject, render) {
  container.replaceChildren(h('p', { class: 'loading' }, 'Working…'));
  try {
    const result = await api(path, { method: 'POST', json: subject });
    container.replaceChildren(render(result));
  } catch (error) {
    const trained = !(error instanceof ApiError && error.type === 'HeadNotTrainedError');
    container.replaceChildren(trained ? errorBox(error) : notTrained(error));
  }
}

// `prefix` starts the sections' ids: each view that shows them has its own.
export function analysisSections(subject, prefix) {
  const attributes = h('div', { class: 'panel-body' });
  const aesthetics = h('div', { class: 'panel-body' });
  loadInto(attributes, '/api/describe', subject, attributesView);
  loadInto(aesthetics, '/api/score', subject, aestheticsView);
  return [
    h('section', { class: 'panel', 'aria-labelledby': `${prefix}-attributes-heading` },
      h('h2', { id: `${prefix}-attributes-heading` }, 'Predicted attributes'), attributes),
    h('section', { class: 'panel', 'aria-labelledby': `${prefix}-aesthetics-heading` },
      h('h2', { id: `${prefix}-aesthetics-heading` }, 'Aesthetics'), aesthetics),
  ];
}
