// Home (search, the most-reported models and GPUs), the models list and the GPUs list.
import { $, el, fillTable, gpuHref, link, modelHref, numCell, setText } from './dom.js';
import { catalog, gpuName, learnModelNames } from './catalog.js';
import { fmtCount, fmtGiB, plural } from './format.js';
import { page } from './page.js';

const TOP_N = 10;
const seen = { models: [], gpus: [] };

const modelsSource = { url: () => '/api/v1/models', render: (res) => { seen.models = (res.ok && res.data.models) || []; learnModelNames(seen.models); renderModels(); } };
const gpusSource = { url: () => '/api/v1/gpus', render: (res) => { seen.gpus = (res.ok && res.data.gpus) || []; renderGpus(); } };

/** The models most reported overall (for the estimator's default GPU elsewhere). */
export const seenGpus = () => seen.gpus;

export function showHome() {
  document.title = 'tokbench — local LLM inference benchmarks';
  page.sources = [modelsSource, gpusSource];
  return 'home-view';
}

export function showModels() {
  document.title = 'Models — tokbench';
  page.sources = [modelsSource];
  return 'models-view';
}

export function showGpus() {
  document.title = 'GPUs — tokbench';
  page.sources = [gpusSource];
  return 'gpus-view';
}

const modelLink = (m) => link(modelHref(m.id), m.name || m.id);

// /api/v1/models and /api/v1/gpus come most-reported first; rigs are distinct rigs.
function renderModels() {
  fillTable($('top-models-table'), seen.models.slice(0, TOP_N), 'No reports yet.', (m) =>
    el('tr', {}, el('th', { scope: 'row' }, modelLink(m)), numCell(fmtCount(m.reports)), numCell(fmtCount(m.rigs))));
  fillTable($('models-table'), seen.models, 'No reports yet.', (m) =>
    el('tr', {}, el('th', { scope: 'row' }, modelLink(m)), el('td', { class: 'muted' }, m.id), numCell(fmtCount(m.rows)), numCell(fmtCount(m.reports)), numCell(fmtCount(m.rigs))));
  setText('models-count', seen.models.length ? `${plural(seen.models.length, 'model')} measured.` : '');
  renderSearchResults();
}

function renderGpus() {
  const memory = (id) => (catalog.byId.get(id) ? fmtGiB(catalog.byId.get(id).vramBytes) : '—');
  fillTable($('top-gpus-table'), seen.gpus.slice(0, TOP_N), 'No reports yet.', (g) =>
    el('tr', {}, el('th', { scope: 'row' }, link(gpuHref(g.id), gpuName(g.id))), numCell(fmtCount(g.reports)), numCell(fmtCount(g.rigs))));
  fillTable($('gpus-table'), seen.gpus, 'No reports yet.', (g) =>
    el('tr', {}, el('th', { scope: 'row' }, link(gpuHref(g.id), gpuName(g.id))), numCell(memory(g.id)), numCell(fmtCount(g.rows)), numCell(fmtCount(g.reports)), numCell(fmtCount(g.rigs))));
  setText('gpus-count', seen.gpus.length ? `${plural(seen.gpus.length, 'GPU')} measured.` : '');
}

/** Models whose name or id contains every word typed ("llama 3.1 8b" finds Llama 3.1 8B Instruct). */
export function matchingModels(query) {
  const words = query.toLowerCase().split(/[\s\-_]+/).filter(Boolean);
  if (!words.length) return [];
  const text = (m) => `${m.name || ''} ${m.id}`.toLowerCase();
  const hits = seen.models.filter((m) => words.every((w) => text(m).includes(w)));
  const exact = hits.findIndex((m) => m.id.toLowerCase() === query.trim().toLowerCase());
  if (exact > 0) hits.unshift(hits.splice(exact, 1)[0]);
  return hits;
}

function renderSearchResults() {
  const query = $('model-search').value;
  const hits = matchingModels(query);
  $('model-results').replaceChildren(...hits.slice(0, 8).map((m) =>
    el('li', {}, modelLink(m), el('span', { class: 'muted' }, ` · ${plural(m.reports, 'report')}`))));
  setText('model-results-count', !query.trim() ? '' : hits.length ? `${plural(hits.length, 'model')} match.` : `No model matches “${query.trim()}”.`);
}

export function wireSearch(navigate) {
  $('model-search').addEventListener('input', renderSearchResults);
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const first = matchingModels($('model-search').value)[0];
    if (first) navigate(modelHref(first.id));
    else renderSearchResults();
  });
}
