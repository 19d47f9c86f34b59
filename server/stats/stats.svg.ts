/**
 * Line charts drawn on the server as SVG: no script, nothing fetched from elsewhere. Series are
 * told apart by their line (solid, dashed, dotted) and their markers (circle, square, triangle)
 * as well as their colour, and the legend repeats both; a <title> and a <desc> give the gist to
 * screen readers, and the page follows each chart with its data table.
 */

export interface ChartInput {
  id: string;
  title: string;
  desc: string;
  /** Labels of the points along the time axis. */
  labels: string[];
  series: { name: string; values: number[] }[];
  /** Formats a number the way the page does (French spaces). */
  number: (n: number) => string;
}

const W = 720;
const H = 260;
const LEFT = 56;
const RIGHT = 16;
const TOP = 16;
const BOTTOM = 64;
const DASHES = ['', '7 4', '2 3'];

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** 1, 2 or 5 times a power of ten, at least `max` (so the axis reads in round figures). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function marker(shape: number, x: number, y: number): string {
  if (shape === 1) return `<rect x="${(x - 3).toFixed(1)}" y="${(y - 3).toFixed(1)}" width="6" height="6"/>`;
  if (shape === 2)
    return `<path d="M${(x - 4).toFixed(1)},${(y + 3).toFixed(1)}L${x.toFixed(1)},${(y - 4).toFixed(1)}L${(x + 4).toFixed(1)},${(y + 3).toFixed(1)}Z"/>`;
  return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3"/>`;
}

export function lineChart(c: ChartInput): string {
  const n = c.labels.length;
  const max = niceMax(Math.max(0, ...c.series.flatMap((s) => s.values)));
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const x = (i: number) => LEFT + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => TOP + plotH - (v / max) * plotH;
  const out: string[] = [];
  out.push(
    `<svg class="chart" id="${c.id}" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="${c.id}-title ${c.id}-desc" xmlns="http://www.w3.org/2000/svg">`,
  );
  out.push(`<title id="${c.id}-title">${escapeXml(c.title)}</title><desc id="${c.id}-desc">${escapeXml(c.desc)}</desc>`);
  // Horizontal guides with their values: 0, half, top.
  out.push('<g class="chart-grid" aria-hidden="true">');
  for (const v of [0, max / 2, max]) {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    out.push(`<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${escapeXml(c.number(v))}</text>`);
  }
  // First, middle and last labels of the time axis: enough to read it, never overlapping.
  const ticks = n <= 3 ? [...Array(n).keys()] : [0, Math.floor((n - 1) / 2), n - 1];
  for (const i of ticks) {
    const anchor = i === 0 && n > 1 ? 'start' : i === n - 1 && n > 1 ? 'end' : 'middle';
    out.push(`<text x="${x(i).toFixed(1)}" y="${H - BOTTOM + 18}" text-anchor="${anchor}">${escapeXml(c.labels[i] ?? '')}</text>`);
  }
  out.push('</g>');
  c.series.forEach((s, k) => {
    const style = k % 3;
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(`<g class="chart-series series-${k}" aria-hidden="true">`);
    out.push(`<polyline fill="none" stroke-width="2"${DASHES[style] ? ` stroke-dasharray="${DASHES[style]}"` : ''} points="${points}"/>`);
    if (n <= 62) out.push(`<g class="chart-markers">${s.values.map((v, i) => marker(style, x(i), y(v))).join('')}</g>`);
    out.push('</g>');
  });
  // The legend: each series' line and marker beside its name.
  out.push('<g class="chart-legend" aria-hidden="true">');
  let lx = LEFT;
  c.series.forEach((s, k) => {
    const style = k % 3;
    const ly = H - 18;
    out.push(`<g class="chart-series series-${k}">`);
    out.push(`<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke-width="2"${DASHES[style] ? ` stroke-dasharray="${DASHES[style]}"` : ''}/>`);
    out.push(`<g class="chart-markers">${marker(style, lx + 14, ly)}</g>`);
    out.push(`<text x="${lx + 34}" y="${ly + 4}">${escapeXml(s.name)}</text></g>`);
    lx += 48 + s.name.length * 7.5;
  });
  out.push('</g></svg>');
  return out.join('');
}
