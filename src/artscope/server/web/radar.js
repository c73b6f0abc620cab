// The aesthetic radar chart: the seven dimensions (0–100) as an SVG polygon, grid every 20, the value
// at each vertex (as ArtiMuse's page draws it). No library: a few SVG elements.

const SVG = 'http://www.w3.org/2000/svg';
const SHORT = {
  composition: 'Composition', visual_elements: 'Visual elements', technical: 'Technical',
  originality: 'Originality', theme: 'Theme', emotion: 'Emotion', gestalt: 'Gestalt',
};

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

function point(angle, radius) {
  return [Math.sin(angle) * radius, -Math.cos(angle) * radius];
}

// dimensions: {key: score 0..100 | null}; names: {key: full name} (for the accessible label)
export function radarChart(dimensions, names = {}) {
  const keys = Object.keys(dimensions);
  const R = 110;
  const angle = (i) => (2 * Math.PI * i) / keys.length;
  const summary = keys.map((k) => `${names[k] || k} ${dimensions[k] == null ? 'not measured'
    : Math.round(dimensions[k])}`).join(', ');
  const chart = svg('svg', {
    viewBox: '-215 -160 430 320', class: 'radar', role: 'img', 'aria-label': `Aesthetic dimensions: ${summary}`,
  });
  for (let level = 20; level <= 100; level += 20) {
    const ring = keys.map((_, i) => point(angle(i), (R * level) / 100).join(',')).join(' ');
    chart.append(svg('polygon', { points: ring, class: 'radar-grid' }));
  }
  keys.forEach((key, i) => {
    const [x, y] = point(angle(i), R);
    chart.append(svg('line', { x1: 0, y1: 0, x2: x, y2: y, class: 'radar-axis' }));
    const [lx, ly] = point(angle(i), R + 22);
    const anchor = Math.abs(lx) < 8 ? 'middle' : lx > 0 ? 'start' : 'end';
    chart.append(svg('text', { x: lx, y: ly + 4, 'text-anchor': anchor, class: 'radar-label' }, SHORT[key] || key));
  });
  const values = keys.map((key) => dimensions[key] ?? 0);
  const shape = values.map((v, i) => point(angle(i), (R * Math.max(0, Math.min(100, v))) / 100).join(','));
  chart.append(svg('polygon', { points: shape.join(' '), class: 'radar-shape' }));
  keys.forEach((key, i) => {
    const [x, y] = point(angle(i), (R * Math.max(0, Math.min(100, values[i]))) / 100);
    chart.append(svg('circle', { cx: x, cy: y, r: 3.5, class: 'radar-dot' }));
    const label = dimensions[key] == null ? 'n/a' : Math.round(dimensions[key]);
    chart.append(svg('text', { x: x + 6, y: y - 6, class: 'radar-value' }, label));
  });
  return chart;
}
