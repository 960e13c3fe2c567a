'use strict';
// tokbench web page: client-side routing, polling, tables, SVG charts and the serving-plan
// estimator, in plain DOM code. Every string from the API goes into the page through el()/svgEl(),
// which add it as a text node, so API data is never parsed as HTML.

const POLL_MS = 2000;
const DEBOUNCE_MS = 150;
const PAGE_SIZE = 1000; // the API's maximum page size: one request holds a model's or a GPU's rows
const TOP_N = 10;

const $ = (id) => document.getElementById(id);

// ---------- formatting ----------

const oneDecimal = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const wholeNumber = new Intl.NumberFormat('en');
const RUNTIMES = { ollama: 'Ollama', 'llama.cpp': 'llama.cpp', lmstudio: 'LM Studio', vllm: 'vLLM', sglang: 'SGLang' };
const OFFLOADS = { FULL_GPU: 'Full GPU', PARTIAL_OFFLOAD: 'Partial offload', CPU_ONLY: 'CPU only', UNKNOWN: 'Unknown' };

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const fmtTps = (v) => (isNumber(v) ? oneDecimal.format(v) : '—');
const fmtGB = (bytes) => (isNumber(bytes) ? `${oneDecimal.format(bytes / 1e9)} GB` : '—'); // decimal GB, like the spec sheets
const fmtCtx = (tokens) => (isNumber(tokens) ? `${Math.round(tokens / 1024)}K` : '—');
const fmtCount = (n) => (isNumber(n) ? wholeNumber.format(n) : '—');
const fmtRuntime = (r) => RUNTIMES[r] || r;
const fmtOffload = (o) => OFFLOADS[o] || o;
const fmtClock = (d) => d.toLocaleTimeString('en-GB', { hour12: false });
const plural = (n, word) => `${fmtCount(n)} ${word}${n === 1 ? '' : 's'}`;

// ---------- DOM helpers ----------

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  return node;
}

function appendAll(node, children) {
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : String(child)); // strings become text nodes
  }
  return node;
}

const el = (tag, attrs, ...children) => appendAll(setAttrs(document.createElement(tag), attrs), children);
const svgEl = (tag, attrs, ...children) =>
  appendAll(setAttrs(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs), children);

const link = (href, text) => el('a', { href }, text);
const modelHref = (id) => `/models/${encodeURIComponent(id)}`;
const gpuHref = (id) => `/gpus/${encodeURIComponent(id)}`;
const numCell = (text) => el('td', { class: 'num' }, text);

/** Replaces a table's body; keeps keyboard focus on the same link or button across the re-render. */
function fillTable(table, rows, emptyText, makeRows) {
  const tbody = table.tBodies[0];
  const active = document.activeElement;
  const focusKey = tbody.contains(active) ? active.getAttribute('data-key') || active.getAttribute('href') : null;
  const columns = table.tHead.rows[0].cells.length;
  tbody.replaceChildren(...(rows.length ? rows.flatMap(makeRows) : [el('tr', {}, el('td', { colspan: columns, class: 'empty' }, emptyText))]));
  if (focusKey) {
    const again = [...tbody.querySelectorAll('a, button')].find((n) => (n.getAttribute('data-key') || n.getAttribute('href')) === focusKey);
    if (again) again.focus();
  }
}

function setText(id, text) {
  const node = $(id);
  if (node.textContent !== text) node.textContent = text; // unchanged live regions stay quiet
}

// ---------- API ----------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * GETs a JSON endpoint. A 503 means partitions are moving between instances (rebalance): it is
 * retried after its Retry-After, quietly, so the page keeps showing what it had instead of emptying.
 */
async function getJson(url) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    const text = await response.text();
    if (response.status === 503 && attempt < 30) {
      const seconds = Number(response.headers.get('Retry-After'));
      await sleep(1000 * Math.min(10, seconds > 0 ? seconds : 1));
      continue;
    }
    let data = null;
    try { data = JSON.parse(text); } catch { /* not JSON: errorText falls back to the status */ }
    return { status: response.status, ok: response.ok && data !== null, text, data };
  }
}

const errorText = (res) => (res.data && res.data.error) || (res.status === 200 ? 'the answer was not valid JSON' : `HTTP ${res.status}`);

/** The estimator's GPU catalog, fetched once: it names GPUs everywhere on the page. */
const catalog = { gpus: [], byId: new Map() };
const catalogLoaded = getJson('/api/v1/catalog/gpus')
  .then((res) => {
    catalog.gpus = (res.ok && res.data.gpus) || [];
    catalog.byId = new Map(catalog.gpus.map((g) => [g.id, g]));
  })
  .catch(() => { /* without the catalog GPUs are shown by id */ });

function gpuName(id) {
  const known = catalog.byId.get(id);
  if (known) return known.name;
  if (id === 'cpu') return 'CPU only';
  if (id.startsWith('unknown:')) return `${id.slice(8)} (unrecognised)`;
  return id;
}
const gpuLabel = (row) => (row.gpuCount > 1 ? `${row.gpuCount}× ${gpuName(row.gpu)}` : gpuName(row.gpu));

// ---------- polling ----------

/**
 * The current page: its data sources ({url(), render(res)}) and the last response text of each, so a
 * poll re-renders only what changed. gen increases on every navigation; late answers are dropped.
 */
const page = { gen: 0, sources: [], lastText: new Map(), polling: false };

async function refresh({ force = false, only = null } = {}) {
  const gen = page.gen;
  const wanted = (only || page.sources).filter((s) => s.url());
  const results = await Promise.all(wanted.map(async (source) => {
    const url = source.url();
    try { return { source, url, res: await getJson(url) }; } catch (e) { return { source, url, res: null }; }
  }));
  if (gen !== page.gen) return;
  let changed = false;
  let failure = '';
  for (const { source, url, res } of results) {
    if (!res) { failure = 'the server did not answer'; continue; }
    if (res.status >= 500) { failure = errorText(res); continue; }
    if (url !== source.url()) continue; // the estimator's inputs moved on; a newer request renders
    if (!force && page.lastText.get(source) === res.text) continue;
    page.lastText.set(source, res.text);
    source.render(res);
    changed = true;
  }
  setText('status', failure ? `Could not refresh (${failure}); retrying.` : '');
  if (changed) setText('updated', `updated ${fmtClock(new Date())}`);
}

setInterval(() => {
  if (document.hidden || page.polling) return; // no work for a background tab
  page.polling = true;
  refresh().finally(() => { page.polling = false; });
}, POLL_MS);

// ---------- routing ----------

const VIEWS = ['home-view', 'model-view', 'gpu-view', 'missing-view'];

function decodeSegment(segment) {
  try { return decodeURIComponent(segment); } catch { return segment; }
}

async function route(moveFocus) {
  page.gen++;
  page.sources = [];
  page.lastText.clear();
  const path = location.pathname;
  let match;
  let viewId;
  if (path === '/' || path === '/index.html') viewId = showHome();
  else if ((match = path.match(/^\/models\/(.+)$/))) viewId = showModel(decodeSegment(match[1]));
  else if ((match = path.match(/^\/gpus\/(.+)$/))) viewId = showGpu(decodeSegment(match[1]));
  else viewId = showMissing();
  for (const id of VIEWS) $(id).hidden = id !== viewId;
  // After an in-app navigation, move focus to the new heading so screen readers announce the page.
  if (moveFocus) $(viewId).querySelector('h1').focus();
  const gen = page.gen;
  await catalogLoaded;
  if (gen !== page.gen) return;
  await refresh({ force: true });
  if (gen === page.gen && viewId === 'model-view') startEstimator();
}

function navigate(href) {
  history.pushState(null, '', href);
  route(true);
  window.scrollTo(0, 0);
}

// In-app links change the page without a reload; API links, new-tab clicks and anchors behave normally.
document.addEventListener('click', (event) => {
  const a = event.target.closest('a[href]');
  if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = a.getAttribute('href');
  if (a.target || !/^\/(models\/|gpus\/|$)/.test(href)) return;
  event.preventDefault();
  navigate(href);
});
window.addEventListener('popstate', () => route(true));
document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });

function showMissing() {
  document.title = 'Not found — tokbench';
  return 'missing-view';
}

// ---------- home ----------

const home = { models: [] };

function showHome() {
  document.title = 'tokbench — local LLM inference benchmarks';
  page.sources = [
    { url: () => '/api/v1/models', render: renderHomeModels },
    { url: () => '/api/v1/gpus', render: renderHomeGpus },
  ];
  return 'home-view';
}

// /api/v1/models and /api/v1/gpus already come most-reported first, with report and rig counts.
function renderHomeModels(res) {
  home.models = (res.ok && res.data.models) || [];
  fillTable($('top-models-table'), home.models.slice(0, TOP_N), 'No reports yet.', (m) =>
    el('tr', {}, el('th', { scope: 'row' }, link(modelHref(m.id), m.id)), numCell(fmtCount(m.reports)), numCell(fmtCount(m.rigs))));
  renderSearchResults();
}

function renderHomeGpus(res) {
  const gpus = (res.ok && res.data.gpus) || [];
  fillTable($('top-gpus-table'), gpus.slice(0, TOP_N), 'No reports yet.', (g) =>
    el('tr', {}, el('th', { scope: 'row' }, link(gpuHref(g.id), gpuName(g.id))), numCell(fmtCount(g.reports)), numCell(fmtCount(g.rigs))));
}

/** Models whose id contains every word typed ("llama 3.1 8b" finds llama-3.1-8b-instruct). */
function matchingModels(query) {
  const words = query.toLowerCase().split(/[\s\-_]+/).filter(Boolean);
  if (!words.length) return [];
  const hits = home.models.filter((m) => words.every((w) => m.id.toLowerCase().includes(w)));
  const exact = hits.findIndex((m) => m.id.toLowerCase() === query.trim().toLowerCase());
  if (exact > 0) hits.unshift(hits.splice(exact, 1)[0]);
  return hits;
}

function renderSearchResults() {
  const query = $('model-search').value;
  const hits = matchingModels(query);
  $('model-results').replaceChildren(...hits.slice(0, 8).map((m) =>
    el('li', {}, link(modelHref(m.id), m.id), el('span', { class: 'muted' }, ` · ${plural(m.reports, 'report')}`))));
  setText('model-results-count', !query.trim() ? '' : hits.length ? `${plural(hits.length, 'model')} match.` : `No model matches “${query.trim()}”.`);
}

$('model-search').addEventListener('input', renderSearchResults);
$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const first = matchingModels($('model-search').value)[0];
  if (first) navigate(modelHref(first.id));
  else renderSearchResults();
});

// ---------- model page ----------

const EMPTY_FILTERS = { quant: '', runtime: '', ctx: '', offload: '' };
const model = { id: '', info: null, community: [], stats: [], filters: { ...EMPTY_FILTERS }, open: new Set(), distributions: new Map() };
const estimateSource = { url: estimateUrl, render: renderEstimate };

function showModel(id) {
  Object.assign(model, { id, info: null, community: [], stats: [], filters: { ...EMPTY_FILTERS }, open: new Set() });
  document.title = `${id} — tokbench`;
  $('model-title').textContent = id;
  $('model-summary').textContent = '';
  $('export-link').href = `/api/v1/export?model=${encodeURIComponent(id)}&format=csv`;
  for (const name of Object.keys(EMPTY_FILTERS)) $(`filter-${name}`).value = '';
  resetEstimator();
  const q = encodeURIComponent(id);
  page.sources = [
    { url: () => `/api/v1/models/${q}`, render: renderModelInfo },
    { url: () => `/api/v1/community/${q}`, render: renderCommunity },
    { url: () => `/api/v1/stats?model=${q}&sort=-median&size=${PAGE_SIZE}`, render: renderModelStats },
    estimateSource,
  ];
  return 'model-view';
}

function renderModelInfo(res) {
  // name null (or a 404): a model the catalog does not know (raw:<name>); its reports can still exist.
  model.info = res.ok ? res.data : null;
  const info = model.info;
  const inCatalog = Boolean(info && info.name);
  const name = inCatalog ? info.name : model.id;
  document.title = `${name} — tokbench`;
  $('model-title').textContent = name;
  const facts = [model.id];
  if (info && isNumber(info.parameters)) facts.push(`${info.parameters} B parameters`);
  if (!inCatalog) facts.push('not in the model catalog');
  $('model-summary').textContent = facts.join(' · ');
  fillTable($('quant-table'), (info && info.quantizations) || [], inCatalog ? 'No quantizations measured yet.' : 'This model is not in the catalog, and no quantization of it has been measured yet.', (q) =>
    el('tr', {},
      el('th', { scope: 'row' }, q.quantization),
      numCell(isNumber(q.bitsPerWeight) ? q.bitsPerWeight.toFixed(2) : '—'),
      numCell(fmtGB(q.fileSizeBytes)),
      numCell(isNumber(q.vramEstimatedBytes) ? `${fmtGB(q.vramEstimatedBytes)} at ${fmtCtx(q.contextTokens)} ctx` : '—'),
      numCell(q.vramMeasuredBytes == null ? 'not measured yet' : fmtGB(q.vramMeasuredBytes))));
  fillEstimatorQuants();
}

function renderCommunity(res) {
  model.community = res.ok ? res.data.rows || [] : []; // 404: no reports for this model yet
  fillTable($('community-table'), model.community, 'No reports for this model yet.', (r) =>
    el('tr', {},
      el('th', { scope: 'row' }, link(gpuHref(r.gpu), gpuLabel(r))),
      numCell(fmtTps(r.medianTokensPerSecond)),
      numCell(fmtCount(r.reportCount)),
      el('td', {}, r.typicalSetup)));
  drawBarChart($('tokps-chart'), model.community);
  chooseEstimatorDefaults();
}

function renderModelStats(res) {
  if (!res.ok) {
    setText('stats-count', errorText(res));
    return;
  }
  model.stats = res.data.rows || [];
  fillFilterOptions();
  renderStatsTable();
  fillEstimatorQuants(); // models outside the catalog: offer the measured quantizations
}

// ---------- filters and the stats table ----------

const FILTER_FIELDS = {
  quant: { label: (v) => v, order: (a, b) => a.localeCompare(b) },
  runtime: { label: fmtRuntime, order: (a, b) => a.localeCompare(b) },
  ctx: { label: (v) => fmtCtx(Number(v)), order: (a, b) => a - b },
  offload: { label: fmtOffload, order: (a, b) => Object.keys(OFFLOADS).indexOf(a) - Object.keys(OFFLOADS).indexOf(b) },
};

/** Options come from the model's rows; a select is rebuilt only when its options change, so an open one stays open. */
function fillFilterOptions() {
  for (const [name, field] of Object.entries(FILTER_FIELDS)) {
    const values = [...new Set(model.stats.map((r) => String(r[name])))].sort(field.order);
    const chosen = model.filters[name];
    if (chosen && !values.includes(chosen)) values.push(chosen); // never drop the user's choice silently
    const select = $(`filter-${name}`);
    const signature = values.join('|');
    if (select.dataset.options === signature) continue;
    select.dataset.options = signature;
    select.replaceChildren(el('option', { value: '' }, 'Any'), ...values.map((v) => el('option', { value: v }, field.label(v))));
    select.value = chosen;
  }
}

const rowKey = (r) => [r.gpu, r.gpuCount, r.quant, r.runtime, r.ctx, r.suite, r.offload, r.concurrency].join('|');
const matchesFilters = (r) => Object.entries(model.filters).every(([name, value]) => !value || String(r[name]) === value);

function renderStatsTable() {
  const rows = model.stats.filter(matchesFilters);
  const filtered = Object.values(model.filters).some(Boolean);
  setText('stats-count', filtered ? `Showing ${fmtCount(rows.length)} of ${plural(model.stats.length, 'setup')}.` : `${plural(model.stats.length, 'setup')} measured.`);
  fillTable($('stats-table'), rows, filtered ? 'No measurements match these filters.' : 'No measurements yet.', (r, index) => {
    const key = rowKey(r);
    const panelId = `dist-${index}`;
    const open = model.open.has(key);
    const p = r.generationTokensPerSecond;
    const toggle = el('button', { type: 'button', class: 'link-button', 'data-key': key, 'aria-expanded': String(open), 'aria-controls': panelId,
      onclick: () => toggleDistribution(key) }, open ? 'Hide' : 'Show', el('span', { class: 'visually-hidden' }, ` distribution for ${gpuLabel(r)} ${r.quant} ${fmtRuntime(r.runtime)}`));
    const main = el('tr', {},
      el('th', { scope: 'row' }, link(gpuHref(r.gpu), gpuLabel(r))),
      el('td', {}, r.quant), el('td', {}, fmtRuntime(r.runtime)), numCell(fmtCtx(r.ctx)), el('td', {}, fmtOffload(r.offload)),
      numCell(fmtCount(r.concurrency)), numCell(fmtTps(p.median)), numCell(`${fmtTps(p.p25)}–${fmtTps(p.p75)}`),
      numCell(fmtCount(r.rigCount)), numCell(fmtCount(r.reportCount)), el('td', {}, toggle));
    if (!open) return [main];
    const cell = el('td', { colspan: 11 });
    fillDistribution(cell, r);
    return [main, el('tr', { id: panelId, class: 'dist-row' }, cell)];
  });
}

function toggleDistribution(key) {
  if (model.open.has(key)) model.open.delete(key);
  else model.open.add(key);
  renderStatsTable(); // fillTable puts focus back on the same toggle button
}

for (const name of Object.keys(EMPTY_FILTERS)) {
  $(`filter-${name}`).addEventListener('change', (event) => {
    model.filters[name] = event.target.value;
    renderStatsTable();
  });
}
$('filter-reset').addEventListener('click', () => {
  model.filters = { ...EMPTY_FILTERS };
  for (const name of Object.keys(EMPTY_FILTERS)) $(`filter-${name}`).value = '';
  renderStatsTable();
});

/** Box plot from the row's percentiles at once; the histogram when the per-rig medians arrive. */
async function fillDistribution(cell, row) {
  const p = row.generationTokensPerSecond;
  const what = `${gpuLabel(row)}, ${row.quant}, ${fmtRuntime(row.runtime)}, ${fmtCtx(row.ctx)} context, ${plural(row.concurrency, 'user')}`;
  const summary = `p10 ${fmtTps(p.p10)} · p25 ${fmtTps(p.p25)} · median ${fmtTps(p.median)} · p75 ${fmtTps(p.p75)} · p90 ${fmtTps(p.p90)} tok/s (suite ${row.suite})`;
  const histogram = el('div', { class: 'histogram' }, el('p', { class: 'muted' }, 'Loading the per-rig medians…'));
  cell.replaceChildren(el('div', { class: 'dist-panel' }, drawBoxPlot(p, what), el('p', { class: 'muted' }, summary), histogram));
  // Cached per row version: polls re-render open panels without re-fetching unchanged distributions.
  const version = `${model.id}|${rowKey(row)}|${row.reportCount}|${row.lastReportAt}`;
  let medians = model.distributions.get(version);
  if (!medians) {
    const params = new URLSearchParams({ model: model.id, gpu: row.gpu, gpuCount: row.gpuCount, quant: row.quant, runtime: row.runtime,
      ctx: row.ctx, suite: row.suite, offload: row.offload, concurrency: row.concurrency });
    const res = await getJson(`/api/v1/distribution?${params}`).catch(() => null);
    if (!res || !res.ok) {
      histogram.replaceChildren(el('p', { class: 'muted' }, `Per-rig medians unavailable${res ? `: ${errorText(res)}` : ''}.`));
      return;
    }
    medians = res.data.rigMedians || [];
    model.distributions.set(version, medians);
  }
  histogram.replaceChildren(medians.length ? drawHistogram(medians, what) : el('p', { class: 'muted' }, 'No per-rig medians.'));
}

// ---------- charts (inline SVG; the viewBox scales them to the column width) ----------

const CHART_WIDTH = 400;

/** Horizontal bars, label above each bar, so long GPU names fit a phone screen. */
function drawBarChart(svg, rows) {
  const rowHeight = 34;
  const height = Math.max(40, rows.length * rowHeight + 6);
  const max = Math.max(1, ...rows.map((r) => r.medianTokensPerSecond));
  const barSpace = CHART_WIDTH - 64; // room for the value after the longest bar
  const described = rows.map((r) => `${gpuLabel(r)} ${fmtTps(r.medianTokensPerSecond)}`).join(', ');
  const description = rows.length ? `Bar chart of median tokens per second per GPU for ${model.id}: ${described}.` : `No benchmark data for ${model.id} yet.`;
  svg.setAttribute('viewBox', `0 0 ${CHART_WIDTH} ${height}`);
  svg.setAttribute('aria-label', description);
  const bars = rows.map((r, i) => {
    const y = i * rowHeight + 4;
    const width = Math.max(2, (r.medianTokensPerSecond / max) * barSpace);
    return svgEl('g', { class: 'bar' },
      svgEl('title', {}, `${gpuLabel(r)}: ${fmtTps(r.medianTokensPerSecond)} tok/s (${r.typicalSetup})`),
      svgEl('text', { x: 0, y: y + 11, class: 'bar-label' }, gpuLabel(r)),
      svgEl('rect', { x: 0, y: y + 15, width: width.toFixed(1), height: 14, rx: 2 }),
      svgEl('text', { x: (width + 6).toFixed(1), y: y + 26, class: 'bar-value' }, `${fmtTps(r.medianTokensPerSecond)} tok/s`));
  });
  svg.replaceChildren(svgEl('title', {}, description),
    ...(rows.length ? bars : [svgEl('text', { x: 0, y: 24, class: 'bar-label' }, 'No reports yet.')]));
}

function drawBoxPlot(p, what) {
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

function drawHistogram(medians, what) {
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

// ---------- serving-plan estimator ----------

const estimator = { ready: false, touched: new Set(), timer: 0 };

function resetEstimator() {
  Object.assign(estimator, { ready: false, touched: new Set() });
  clearTimeout(estimator.timer);
  $('est-gpu-count').value = '1';
  $('est-ctx').value = '8192';
  $('est-users').value = $('est-users-range').value = '1';
  $('est-quant').replaceChildren();
  delete $('est-quant').dataset.options;
  showEstimate(null);
  setText('est-error', '');
}

/** Called once a model page's first data is in: the GPU list, then the defaults, then the first estimate. */
function startEstimator() {
  const byVendor = new Map();
  for (const g of catalog.gpus) byVendor.set(g.vendor, [...(byVendor.get(g.vendor) || []), g]);
  $('est-gpu').replaceChildren(...[...byVendor].map(([vendor, gpus]) => el('optgroup', { label: vendor },
    ...gpus.map((g) => el('option', { value: g.id }, g.vramGb > 0 ? `${g.name} (${fmtGB(g.vramGb * 1e9)})` : g.name)))));
  if (!catalog.gpus.length) setText('est-error', 'The GPU catalog is unavailable, so the estimator cannot run.');
  fillEstimatorQuants();
  chooseEstimatorDefaults();
  estimator.ready = true;
  refresh({ force: true, only: [estimateSource] });
}

const mostReported = () => [...model.community].sort((a, b) => b.reportCount - a.reportCount).find((r) => catalog.byId.has(r.gpu));

const hasOption = (select, value) => [...select.options].some((o) => o.value === value);

/** Until the user picks them, GPU and quantization follow the model's most-reported GPU and its setup. */
function chooseEstimatorDefaults() {
  const top = mostReported();
  if (!top) return;
  if (!estimator.touched.has('est-gpu') && hasOption($('est-gpu'), top.gpu)) $('est-gpu').value = top.gpu;
  if (!estimator.touched.has('est-quant') && hasOption($('est-quant'), top.quant)) $('est-quant').value = top.quant;
}

/** Quantizations of the catalog entry, else those measured (models the catalog does not know). */
function fillEstimatorQuants() {
  const select = $('est-quant');
  const fromCatalog = ((model.info && model.info.quantizations) || []).map((q) => q.quantization);
  const quants = fromCatalog.length ? fromCatalog : [...new Set(model.stats.map((r) => r.quant))].sort();
  const signature = quants.join('|');
  if (select.dataset.options === signature) return;
  select.dataset.options = signature;
  const previous = select.value;
  select.replaceChildren(...quants.map((q) => el('option', { value: q }, q)));
  const preferred = [previous, 'Q4_K_M'].find((q) => q && quants.includes(q));
  if (preferred) select.value = preferred;
  chooseEstimatorDefaults();
}

function estimateUrl() {
  // An empty number box is someone mid-typing: wait for a value rather than flash an error.
  if (!estimator.ready || !$('est-users').value || !$('est-gpu-count').value) return null;
  const params = new URLSearchParams({ model: model.id, gpu: $('est-gpu').value, gpuCount: $('est-gpu-count').value,
    quant: $('est-quant').value, ctx: $('est-ctx').value, users: $('est-users').value });
  return `/api/v1/estimate?${params}`;
}

function renderEstimate(res) {
  if (!res.ok) {
    showEstimate(null);
    setText('est-error', `Estimate unavailable: ${errorText(res)}`);
    return;
  }
  setText('est-error', '');
  showEstimate(res.data);
}

function basisLine(title, basis) {
  return el('p', {}, `${title}: `, el('span', { class: `badge badge-${basis.kind}` }, basis.kind), ' ', basis.text);
}

/** Fills the result fields; null clears them, so stale numbers are never read as the current answer. */
function showEstimate(e) {
  const vram = e && e.vram;
  const users = e ? e.users : Number($('est-users').value) || 1;
  $('est-vram').replaceChildren(...(vram ? [`${fmtGB(vram.totalBytes)} of ${fmtGB(vram.availableBytes)}`,
    el('span', { class: 'detail' }, `weights ${fmtGB(vram.weightsBytes)} + KV cache ${fmtGB(vram.kvCacheBytes)} + overhead ${fmtGB(vram.overheadBytes)}`)] : ['—']));
  const fits = $('est-fits');
  fits.className = vram ? (vram.fits ? 'fits' : 'no-fit') : '';
  fits.textContent = vram ? (vram.fits ? '✓ Fits in VRAM' : '✗ Does not fit in VRAM') : '—';
  const split = vram && !vram.fits;
  $('est-room-label').textContent = split ? 'System RAM for a CPU/GPU split' : 'Headroom';
  const room = $('est-room');
  if (!vram) room.replaceChildren('—');
  else if (split) room.replaceChildren(fmtGB(vram.ramForSplitBytes), el('span', { class: 'detail' }, 'slower: part of the model runs from system RAM'));
  else room.replaceChildren(`${fmtGB(vram.headroomBytes)} free`);
  const single = $('est-single');
  single.replaceChildren(e ? `${fmtTps(e.singleUserTokensPerSecond)} tok/s` : '—');
  if (e && isNumber(e.low) && isNumber(e.high)) single.append(` (likely ${fmtTps(e.low)}–${fmtTps(e.high)})`);
  $('est-per-user-label').textContent = `Per user, ${plural(users, 'user')}`;
  $('est-aggregate-label').textContent = `Aggregate, ${plural(users, 'user')}`;
  $('est-per-user').textContent = e ? `${fmtTps(e.perUserTokensPerSecond)} tok/s each` : '—';
  $('est-aggregate').textContent = e ? `${fmtTps(e.aggregateTokensPerSecond)} tok/s in total` : '—';
  $('est-basis').replaceChildren(...(e ? [
    e.basis && basisLine('Single-user speed', e.basis),
    e.concurrencyBasis && basisLine('Concurrency', e.concurrencyBasis),
  ].filter(Boolean) : []));
}

function scheduleEstimate() {
  clearTimeout(estimator.timer);
  estimator.timer = setTimeout(() => refresh({ only: [estimateSource] }), DEBOUNCE_MS);
}

$('estimator').addEventListener('input', (event) => {
  estimator.touched.add(event.target.id);
  // The number box and the slider are one value.
  if (event.target.id === 'est-users-range') $('est-users').value = event.target.value;
  if (event.target.id === 'est-users') $('est-users-range').value = event.target.value;
  scheduleEstimate();
});
$('estimator').addEventListener('change', (event) => { estimator.touched.add(event.target.id); scheduleEstimate(); });
$('estimator').addEventListener('submit', (event) => { event.preventDefault(); scheduleEstimate(); }); // Enter in a number box

// ---------- GPU page ----------

function showGpu(id) {
  const q = encodeURIComponent(id);
  page.sources = [{ url: () => `/api/v1/stats?gpu=${q}&sort=model&size=${PAGE_SIZE}`, render: (res) => renderGpuStats(id, res) }];
  $('gpu-title').textContent = id;
  $('gpu-summary').textContent = '';
  // The catalog may still be loading: name the GPU once it is in (unless the user has moved on).
  const gen = page.gen;
  catalogLoaded.then(() => {
    if (gen !== page.gen) return;
    const g = catalog.byId.get(id);
    const name = gpuName(id);
    document.title = `${name} — tokbench`;
    $('gpu-title').textContent = name;
    $('gpu-summary').textContent = g
      ? [g.vendor, g.vramGb > 0 ? `${fmtGB(g.vramGb * 1e9)} VRAM` : null, isNumber(g.bandwidthGbs) ? `${fmtCount(g.bandwidthGbs)} GB/s memory bandwidth` : null, id].filter(Boolean).join(' · ')
      : id;
  });
  return 'gpu-view';
}

function renderGpuStats(id, res) {
  const rows = (res.ok && res.data.rows) || [];
  fillTable($('gpu-table'), rows, res.ok ? 'No reports for this GPU yet.' : errorText(res), (r) => {
    const p = r.generationTokensPerSecond;
    return el('tr', {},
      el('th', { scope: 'row' }, link(modelHref(r.model), r.model)),
      el('td', {}, r.quant), el('td', {}, fmtRuntime(r.runtime)), numCell(fmtCtx(r.ctx)), el('td', {}, fmtOffload(r.offload)),
      numCell(fmtCount(r.gpuCount)), numCell(fmtCount(r.concurrency)), numCell(fmtTps(p.median)), numCell(`${fmtTps(p.p25)}–${fmtTps(p.p75)}`),
      numCell(fmtCount(r.rigCount)), numCell(fmtCount(r.reportCount)));
  });
}

route(false);
