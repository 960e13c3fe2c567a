// Names for ids: the GPU catalog (fetched once) and the models seen (with their catalog names).
import { getJson } from './api.js';
import { fmtGiB } from './format.js';

export const catalog = { gpus: [], byId: new Map(), modelNames: new Map() };

export const catalogLoaded = getJson('/api/v1/catalog/gpus')
  .then((res) => {
    catalog.gpus = (res.ok && res.data.gpus) || [];
    catalog.byId = new Map(catalog.gpus.map((g) => [g.id, g]));
  })
  .catch(() => { /* without the catalog GPUs are shown by id */ });

/** Remembers display names the API gave for model ids. */
export function learnModelNames(models) {
  for (const m of models) if (m.name) catalog.modelNames.set(m.id, m.name);
}

export const modelName = (id) => catalog.modelNames.get(id) || id;

export function gpuName(id) {
  const known = catalog.byId.get(id);
  if (known) return known.name;
  if (id === 'cpu') return 'CPU only';
  if (id.startsWith('unknown:')) return `${id.slice(8)} (unrecognised)`;
  return id;
}

export const gpuLabel = (row) => (row.gpuCount > 1 ? `${row.gpuCount}× ${gpuName(row.gpu)}` : gpuName(row.gpu));
export const gpuWithMemory = (g) => (g.vramBytes > 0 ? `${g.name} (${fmtGiB(g.vramBytes)})` : g.name);
export const isConsumer = (id) => ['desktop', 'laptop'].includes((catalog.byId.get(id) || {}).segment);
