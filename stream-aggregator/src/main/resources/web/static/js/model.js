// The model page, answer first: the community table for one quantization and one offload class at a
// time, its chart, and the estimator beside it; then the quantizations; all measurements folded away.
import { apiId, $, el, fillSelect, fillTable, gpuHref, link, numCell, setText } from './dom.js';
import { gpuLabel, learnModelNames } from './catalog.js';
import { drawBarChart } from './charts.js';
import { fmtCount, fmtCtx, fmtGiB, fmtOffload, fmtTps, isNumber, OFFLOADS, offloadPhrase, plural, setupText, UNKNOWN_QUANT } from './format.js';
import { page } from './page.js';
import { showMissing } from './views.js';
import * as measurements from './measurements.js';
import * as estimator from './estimator.js';

const TOP_ROWS = 10;
const PAGE_SIZE = 1000; // the API's maximum: one request holds a model's rows

export const model = { id: '', info: null, infoStatus: 0, stats: [], statsLoaded: false, quant: '', offload: '', chosen: new Set(), showAll: false };

export function showModel(id) {
  Object.assign(model, { id, info: null, infoStatus: 0, stats: [], statsLoaded: false, quant: '', offload: '', chosen: new Set(), showAll: false });
  document.title = `${id} — tokbench`;
  setText('model-title', id);
  setText('model-summary', '');
  measurements.reset(id);
  estimator.reset();
  const q = apiId(id);
  page.sources = [
    { url: () => `/api/v1/models/${q}`, render: renderInfo },
    { url: () => `/api/v1/stats?model=${encodeURIComponent(id)}&sort=-median&size=${PAGE_SIZE}`, render: renderStats },
    estimator.source,
  ];
  return 'model-view';
}

/** Called once the page's first data is in. */
export function started() {
  estimator.start();
}

function renderInfo(res) {
  model.infoStatus = res.status;
  model.info = res.ok ? res.data : null;
  if (res.status === 404 && model.statsLoaded && !model.stats.length) {
    showMissing();
    return;
  }
  const info = model.info;
  const name = info && info.name ? info.name : model.id;
  if (info && info.name) learnModelNames([{ id: model.id, name: info.name }]);
  document.title = `${name} — tokbench`;
  setText('model-title', name);
  const facts = [];
  if (info && isNumber(info.parameters)) facts.push(`${info.parameters} B parameters`);
  if (!(info && info.name)) facts.push('not in the model catalog');
  facts.push(model.id);
  setText('model-summary', facts.join(' · '));
  fillTable($('quant-table'), (info && info.quantizations) || [], 'No quantization measured yet.', (q) =>
    el('tr', {},
      el('th', { scope: 'row' }, q.quantization),
      numCell(isNumber(q.bitsPerWeight) ? q.bitsPerWeight.toFixed(2) : '—'),
      numCell(fmtGiB(q.fileSizeBytes)),
      numCell(isNumber(q.vramEstimatedBytes) ? `${fmtGiB(q.vramEstimatedBytes)} at ${fmtCtx(q.contextTokens)}` : '—'),
      numCell(q.vramMeasuredBytes == null ? 'not measured yet' : fmtGiB(q.vramMeasuredBytes))));
  estimator.modelChanged();
}

function renderStats(res) {
  if (!res.ok) return;
  model.stats = res.data.rows || [];
  model.statsLoaded = true;
  if (model.infoStatus === 404 && !model.stats.length) {
    showMissing();
    return;
  }
  renderCommunity();
  measurements.rowsChanged(model.stats);
  estimator.modelChanged();
}

// ---------- the community table ----------

const singleUser = () => model.stats.filter((r) => r.concurrency === 1 && r.quant !== UNKNOWN_QUANT);

function reportsBy(rows, field) {
  const totals = new Map();
  for (const r of rows) totals.set(r[field], (totals.get(r[field]) || 0) + r.reportCount);
  return totals;
}

/** Quantizations people can choose, the most reported first. */
export function quantizations() {
  return [...reportsBy(singleUser(), 'quant')].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([q]) => q);
}

/** Per GPU, the setup most rigs measured: one quantization, one offload class, single user. */
function communityRows() {
  const best = new Map();
  for (const r of singleUser()) {
    if (r.quant !== model.quant || r.offload !== model.offload) continue;
    const key = `${r.gpu}|${r.gpuCount}`;
    const held = best.get(key);
    if (!held || r.rigCount > held.rigCount || (r.rigCount === held.rigCount && r.reportCount > held.reportCount)) best.set(key, r);
  }
  return [...best.values()].sort((a, b) => b.generationTokensPerSecond.median - a.generationTokensPerSecond.median);
}

function chooseSelection() {
  const quants = quantizations();
  if (!model.chosen.has('quant') || !quants.includes(model.quant)) model.quant = quants[0] || '';
  const offloads = [...reportsBy(singleUser().filter((r) => r.quant === model.quant), 'offload')];
  const order = Object.keys(OFFLOADS);
  offloads.sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]));
  if (!model.chosen.has('offload') || !offloads.some(([o]) => o === model.offload)) model.offload = offloads.length ? offloads[0][0] : '';
  fillSelect($('community-quant'), quants.map((q) => [q, q]), model.quant);
  fillSelect($('community-offload'), offloads.map(([o]) => o).sort((a, b) => order.indexOf(a) - order.indexOf(b)).map((o) => [o, fmtOffload(o)]), model.offload);
}

function renderCommunity() {
  chooseSelection();
  const rows = communityRows();
  const shown = model.showAll ? rows : rows.slice(0, TOP_ROWS);
  const what = model.quant ? `${model.quant}, ${offloadPhrase(model.offload)}` : '';
  setText('community-caption', what ? `Median single-user generation speed per GPU for ${what}; each GPU with the setup most rigs measured.` : 'No single-user measurements yet.');
  fillTable($('community-table'), shown, 'No reports for this model yet.', (r) =>
    el('tr', {},
      el('th', { scope: 'row' }, link(gpuHref(r.gpu), gpuLabel(r))),
      numCell(fmtTps(r.generationTokensPerSecond.median)),
      numCell(fmtCount(r.rigCount)),
      el('td', { class: 'setup' }, setupText(r))));
  const more = $('community-more');
  more.hidden = rows.length <= TOP_ROWS;
  more.textContent = model.showAll ? 'Show the top 10' : `Show all ${plural(rows.length, 'GPU')}`;
  more.setAttribute('aria-expanded', String(model.showAll));
  const bars = rows.map((r) => ({ label: gpuLabel(r), value: r.generationTokensPerSecond.median, title: `${gpuLabel(r)}: ${fmtTps(r.generationTokensPerSecond.median)} tok/s (${setupText(r)})` }));
  drawBarChart($('tokps-chart'), bars, bars.length ? `Bar chart of median tokens per second per GPU for ${what}` : 'No benchmark data yet.', 'No reports yet.');
  setText('chart-caption', what ? `Median generation speed per GPU, ${what}, single user (tokens per second, higher is faster).` : '');
  estimator.communityChanged(model.quant);
}

for (const [id, field] of [['community-quant', 'quant'], ['community-offload', 'offload']]) {
  $(id).addEventListener('change', (event) => {
    model[field] = event.target.value;
    model.chosen.add(field);
    if (field === 'quant') model.chosen.delete('offload');
    renderCommunity();
  });
}
$('community-more').addEventListener('click', () => {
  model.showAll = !model.showAll;
  renderCommunity();
});
