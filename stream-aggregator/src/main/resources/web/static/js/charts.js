// Inline SVG charts; the viewBox scales them to their column.
import { svgEl } from './dom.js';
import { fmtTps, plural } from './format.js';

const CHART_WIDTH = 400;

/** Horizontal bars with the label above each, so long names fit a phone screen. bars: [{label, value, title}] */
export function drawBarChart(svg, bars, description, emptyText) {
  const rowHeight = 34;
  const height = Math.max(40, bars.length * rowHeight + 6);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const barSpace = CHART_WIDTH - 64; // room for the value after the longest bar
  svg.setAttribute('viewBox', `0 0 ${CHART_WIDTH} ${height}`);
  svg.setAttribute('aria-label', description);
  const drawn = bars.map((b, i) => {
    const y = i * rowHeight + 4;
    const width = Math.max(2, (b.value / max) * barSpace);
    return svgEl('g', { class: 'bar' },
      svgEl('title', {}, b.title),
      svgEl('text', { x: 0, y: y + 11, class: 'bar-label' }, b.label),
      svgEl('rect', { x: 0, y: y + 15, width: width.toFixed(1), height: 14, rx: 2 }),
      svgEl('text', { x: (width + 6).toFixed(1), y: y + 26, class: 'bar-value' }, `${fmtTps(b.value)} tok/s`));
  });
  svg.replaceChildren(svgEl('title', {}, description),
    ...(bars.length ? drawn : [svgEl('text', { x: 0, y: 24, class: 'bar-label' }, emptyText)]));
}

export function drawBoxPlot(p, what) {
  const lo = p.p10;
  const hi = p.p90 > p.p10 ? p.p90 : p.p10 + 1;
  const x = (v) => (20 + ((v - lo) / (hi - lo)) * (CHART_WIDTH - 40)).toFixed(1);
  const label = `Box plot for ${what}: p10 ${fmtTps(p.p10)}, p25 ${fmtTps(p.p25)}, median ${fmtTps(p.median)}, p75 ${fmtTps(p.p75)}, p90 ${fmtTps(p.p90)} tokens per second`;
  return svgEl('svg', { class: 'boxplot', viewBox: `0 0 ${CHART_WIDTH} 78`, role: 'img', 'aria-label': label },
    svgEl('title', {}, label),
    svgEl('line', { x1: x(p.p10), x2: x(p.p90), y1: 38, y2: 38, class: 'whisker' }),
    svgEl('line', { x1: x(p.p10), x2: x(p.p10), y1: 30, y2: 46, class: 'whisker' }),
    svgEl('line', { x1: x(p.p90), x2: x(p.p90), y1: 30, y2: 46, class: 'whisker' }),
    svgEl('rect', { x: x(p.p25), y: 24, width: Math.max(1, x(p.p75) - x(p.p25)).toFixed(1), height: 28, class: 'box' }),
    svgEl('line', { x1: x(p.median), x2: x(p.median), y1: 24, y2: 52, class: 'median' }),
    svgEl('text', { x: x(p.median), y: 17, 'text-anchor': 'middle', class: 'axis-label' }, `median ${fmtTps(p.median)}`),
    svgEl('text', { x: x(p.p10), y: 68, 'text-anchor': 'start', class: 'axis-label' }, `p10 ${fmtTps(p.p10)}`),
    svgEl('text', { x: x(p.p90), y: 68, 'text-anchor': 'end', class: 'axis-label' }, `p90 ${fmtTps(p.p90)}`));
}

export function drawHistogram(medians, what) {
  const lo = Math.min(...medians);
  const hi = Math.max(...medians);
  const binCount = hi > lo ? Math.min(12, Math.max(2, Math.ceil(Math.sqrt(medians.length)))) : 1;
  const binWidth = hi > lo ? (hi - lo) / binCount : 1;
  const counts = new Array(binCount).fill(0);
  for (const m of medians) counts[Math.min(binCount - 1, Math.floor((m - lo) / binWidth))]++;
  const top = Math.max(...counts);
  const slot = (CHART_WIDTH - 20) / binCount;
  const label = `Histogram of the median speeds of ${plural(medians.length, 'rig')} for ${what}, from ${fmtTps(lo)} to ${fmtTps(hi)} tokens per second`;
  const bars = counts.map((count, i) => {
    const h = (count / top) * 90;
    const x = 10 + i * slot;
    const range = binCount === 1 ? fmtTps(lo) : `${fmtTps(lo + i * binWidth)}–${fmtTps(lo + (i + 1) * binWidth)}`;
    return svgEl('g', { class: 'bar' },
      svgEl('title', {}, `${range} tok/s: ${plural(count, 'rig')}`),
      svgEl('rect', { x: (x + 1).toFixed(1), y: (112 - h).toFixed(1), width: Math.max(1, slot - 2).toFixed(1), height: h.toFixed(1) }),
      count ? svgEl('text', { x: (x + slot / 2).toFixed(1), y: (108 - h).toFixed(1), 'text-anchor': 'middle', class: 'axis-label' }, String(count)) : null);
  });
  return svgEl('svg', { class: 'histogram-chart', viewBox: `0 0 ${CHART_WIDTH} 132`, role: 'img', 'aria-label': label },
    svgEl('title', {}, label), ...bars,
    svgEl('line', { x1: 10, x2: CHART_WIDTH - 10, y1: 112.5, y2: 112.5, class: 'axis' }),
    svgEl('text', { x: 10, y: 127, class: 'axis-label' }, `${fmtTps(lo)} tok/s`),
    svgEl('text', { x: CHART_WIDTH - 10, y: 127, 'text-anchor': 'end', class: 'axis-label' }, `${fmtTps(hi)} tok/s · ${plural(medians.length, 'rig')}`));
}
