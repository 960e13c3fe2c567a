// The GPU page: every model measured on one GPU, and a chart of each model's best-supported single-user setup.
import { $, el, fillTable, link, modelHref, numCell, setText } from './dom.js';
import { catalog, catalogLoaded, gpuName, learnModelNames, modelName } from './catalog.js';
import { drawBarChart } from './charts.js';
import { fmtCount, fmtCtx, fmtGiB, fmtOffload, fmtRuntimeOn, fmtTps, isNumber, offloadPhrase } from './format.js';
import { getJson } from './api.js';
import { page } from './page.js';
import { showMissing } from './views.js';

const PAGE_SIZE = 1000;

export function showGpu(id) {
  page.sources = [{ url: () => `/api/v1/stats?gpu=${encodeURIComponent(id)}&sort=model&size=${PAGE_SIZE}`, render: (res) => renderStats(id, res) }];
  setText('gpu-title', id);
  setText('gpu-summary', '');
  const gen = page.gen;
  // Model names come with the models list; ask once so the table shows names, not ids.
  getJson('/api/v1/models').then((res) => { if (res.ok) learnModelNames(res.data.models || []); }).catch(() => {});
  catalogLoaded.then(() => {
    if (gen !== page.gen) return;
    const g = catalog.byId.get(id);
    const name = gpuName(id);
    document.title = `${name} — tokbench`;
    setText('gpu-title', name);
    setText('gpu-summary', g
      ? [g.vendor, g.vramBytes > 0 ? `${fmtGiB(g.vramBytes)} VRAM` : null, isNumber(g.bandwidthGbs) ? `${fmtCount(g.bandwidthGbs)} GB/s memory bandwidth` : null, id].filter(Boolean).join(' · ')
      : id);
  });
  return 'gpu-view';
}

const better = (a, b) => (a.offload === 'FULL_GPU') - (b.offload === 'FULL_GPU') || a.rigCount - b.rigCount || a.reportCount - b.reportCount;

function renderStats(id, res) {
  const rows = (res.ok && res.data.rows) || [];
  if (res.ok && !rows.length && !catalog.byId.has(id) && id !== 'cpu') {
    showMissing();
    return;
  }
  fillTable($('gpu-table'), rows, 'No reports for this GPU yet.', (r) => {
    const p = r.generationTokensPerSecond;
    return el('tr', {},
      el('th', { scope: 'row' }, link(modelHref(r.model), modelName(r.model))),
      el('td', {}, r.quant), el('td', {}, fmtRuntimeOn(r)), numCell(fmtCtx(r.ctx)), el('td', {}, fmtOffload(r.offload)),
      numCell(fmtCount(r.gpuCount)), numCell(fmtCount(r.concurrency)), numCell(fmtTps(p.median)), numCell(fmtCount(r.rigCount)));
  });
  // Per model, the single-user setup most rigs measured, fully on the GPU where there is one.
  const best = new Map();
  for (const r of rows) {
    if (r.concurrency !== 1) continue;
    const held = best.get(r.model);
    if (!held || better(r, held) > 0) best.set(r.model, r);
  }
  const bars = [...best.values()].sort((a, b) => b.generationTokensPerSecond.median - a.generationTokensPerSecond.median)
    .map((r) => ({ label: `${modelName(r.model)} · ${r.quant}`, value: r.generationTokensPerSecond.median,
      title: `${modelName(r.model)}, ${r.quant}, ${fmtRuntimeOn(r)}, ${offloadPhrase(r.offload)}: ${fmtTps(r.generationTokensPerSecond.median)} tok/s` }));
  drawBarChart($('gpu-chart'), bars, bars.length ? `Bar chart of median single-user tokens per second per model on ${gpuName(id)}` : 'No data yet.', 'No single-user reports yet.');
}
