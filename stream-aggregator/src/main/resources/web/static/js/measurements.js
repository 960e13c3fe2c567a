// "All measurements": every setup of the model, folded away under the answer, filtered and paged,
// each row opening its distribution (box plot and a histogram of the per-rig medians).
import { getJson, errorText } from './api.js';
import { $, el, fillSelect, fillTable, gpuHref, link, numCell, setText } from './dom.js';
import { gpuLabel } from './catalog.js';
import { drawBoxPlot, drawHistogram } from './charts.js';
import { fmtCount, fmtCtx, fmtOffload, fmtRuntime, fmtRuntimeOn, fmtTps, OFFLOADS, plural, UNKNOWN_QUANT } from './format.js';

const PAGE_ROWS = 25;
const EMPTY_FILTERS = { quant: '', runtime: '', ctx: '', offload: '' };
const FILTER_FIELDS = {
  quant: { label: (v) => v, order: (a, b) => a.localeCompare(b) },
  runtime: { label: fmtRuntime, order: (a, b) => a.localeCompare(b) },
  ctx: { label: (v) => fmtCtx(Number(v)), order: (a, b) => a - b },
  offload: { label: fmtOffload, order: (a, b) => Object.keys(OFFLOADS).indexOf(a) - Object.keys(OFFLOADS).indexOf(b) },
};
const state = { modelId: '', rows: [], filters: { ...EMPTY_FILTERS }, page: 1, open: new Set(), distributions: new Map() };

export function reset(modelId) {
  Object.assign(state, { modelId, rows: [], filters: { ...EMPTY_FILTERS }, page: 1, open: new Set() });
  for (const name of Object.keys(EMPTY_FILTERS)) $(`filter-${name}`).value = '';
  $('export-link').href = `/api/v1/export?model=${encodeURIComponent(modelId)}&format=csv`;
  $('all-measurements').open = false;
}

export function rowsChanged(rows) {
  state.rows = rows;
  setText('measurements-summary', `All measurements (${plural(rows.length, 'setup')})`);
  fillFilterOptions();
  render();
}

/** Options come from the rows (a quantization nobody reported is no choice); the user's choice is never dropped silently. */
function fillFilterOptions() {
  for (const [name, field] of Object.entries(FILTER_FIELDS)) {
    const values = [...new Set(state.rows.map((r) => String(r[name])))].filter((v) => !(name === 'quant' && v === UNKNOWN_QUANT)).sort(field.order);
    const chosen = state.filters[name];
    if (chosen && !values.includes(chosen)) values.push(chosen);
    fillSelect($(`filter-${name}`), [['', 'Any'], ...values.map((v) => [v, field.label(v)])], chosen);
  }
}

const rowKey = (r) => [r.gpu, r.gpuCount, r.quant, r.runtime, r.ctx, r.suite, r.offload, r.concurrency, r.backend].join('|');
const matches = (r) => Object.entries(state.filters).every(([name, value]) => !value || String(r[name]) === value);

function render() {
  const rows = state.rows.filter(matches);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
  state.page = Math.min(state.page, pages);
  const shown = rows.slice((state.page - 1) * PAGE_ROWS, state.page * PAGE_ROWS);
  const filtered = Object.values(state.filters).some(Boolean);
  setText('stats-count', filtered ? `${fmtCount(rows.length)} of ${plural(state.rows.length, 'setup')} match.` : `${plural(state.rows.length, 'setup')} measured.`);
  setText('pager-status', `Page ${state.page} of ${pages}`);
  $('pager-prev').disabled = state.page <= 1;
  $('pager-next').disabled = state.page >= pages;
  fillTable($('stats-table'), shown, filtered ? 'No measurements match these filters.' : 'No measurements yet.', (r, index) => {
    const key = rowKey(r);
    const panelId = `dist-${index}`;
    const open = state.open.has(key);
    const p = r.generationTokensPerSecond;
    const toggle = el('button', { type: 'button', class: 'link-button', 'data-key': key, 'aria-expanded': String(open), 'aria-controls': panelId,
      onclick: () => { if (state.open.has(key)) state.open.delete(key); else state.open.add(key); render(); } },
      open ? 'Hide' : 'Show', el('span', { class: 'visually-hidden' }, ` distribution for ${gpuLabel(r)} ${r.quant} ${fmtRuntimeOn(r)}`));
    const main = el('tr', {},
      el('th', { scope: 'row' }, link(gpuHref(r.gpu), gpuLabel(r))),
      el('td', {}, r.quant), el('td', {}, fmtRuntimeOn(r)), numCell(fmtCtx(r.ctx)), el('td', {}, fmtOffload(r.offload)),
      numCell(fmtCount(r.concurrency)), numCell(fmtTps(p.median)), numCell(`${fmtTps(p.p25)}–${fmtTps(p.p75)}`),
      numCell(fmtCount(r.rigCount)), el('td', {}, toggle));
    if (!open) return [main];
    const cell = el('td', { colspan: 10 });
    fillDistribution(cell, r);
    return [main, el('tr', { id: panelId, class: 'dist-row' }, cell)];
  });
}

for (const name of Object.keys(EMPTY_FILTERS)) {
  $(`filter-${name}`).addEventListener('change', (event) => {
    state.filters[name] = event.target.value;
    state.page = 1;
    render();
  });
}
$('filter-reset').addEventListener('click', () => {
  state.filters = { ...EMPTY_FILTERS };
  for (const name of Object.keys(EMPTY_FILTERS)) $(`filter-${name}`).value = '';
  state.page = 1;
  render();
});
$('pager-prev').addEventListener('click', () => { state.page--; render(); });
$('pager-next').addEventListener('click', () => { state.page++; render(); });

/** Box plot from the row's percentiles at once; the histogram when the per-rig medians arrive. */
async function fillDistribution(cell, row) {
  const p = row.generationTokensPerSecond;
  const what = `${gpuLabel(row)}, ${row.quant}, ${fmtRuntimeOn(row)}, ${fmtCtx(row.ctx)} context, ${plural(row.concurrency, 'user')}`;
  const summary = `p10 ${fmtTps(p.p10)} · p25 ${fmtTps(p.p25)} · median ${fmtTps(p.median)} · p75 ${fmtTps(p.p75)} · p90 ${fmtTps(p.p90)} tok/s · ${plural(row.reportCount, 'report')} (suite ${row.suite})`;
  const histogram = el('div', { class: 'histogram' }, el('p', { class: 'muted' }, 'Loading the per-rig medians…'));
  cell.replaceChildren(el('div', { class: 'dist-panel' }, drawBoxPlot(p, what), el('p', { class: 'muted' }, summary), histogram));
  // Cached per row version: polls re-render open panels without re-fetching unchanged distributions.
  const version = `${state.modelId}|${rowKey(row)}|${row.reportCount}|${row.lastReportAt}`;
  let medians = state.distributions.get(version);
  if (!medians) {
    const params = new URLSearchParams({ model: state.modelId, gpu: row.gpu, gpuCount: row.gpuCount, quant: row.quant, runtime: row.runtime,
      ctx: row.ctx, suite: row.suite, offload: row.offload, concurrency: row.concurrency, backend: row.backend });
    const res = await getJson(`/api/v1/distribution?${params}`).catch(() => null);
    if (!res || !res.ok) {
      histogram.replaceChildren(el('p', { class: 'muted' }, `Per-rig medians unavailable${res ? `: ${errorText(res)}` : ''}.`));
      return;
    }
    medians = res.data.rigMedians || [];
    state.distributions.set(version, medians);
  }
  histogram.replaceChildren(medians.length ? drawHistogram(medians, what) : el('p', { class: 'muted' }, 'No per-rig medians.'));
}
