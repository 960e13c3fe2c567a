// The serving-plan estimator: will it fit, and how fast for N users.
import { getJson, errorText } from './api.js';
import { $, el, setText } from './dom.js';
import { catalog, catalogLoaded, gpuWithMemory, isConsumer } from './catalog.js';
import { fmtGiB, fmtTps, plural, UNKNOWN_QUANT } from './format.js';
import { refresh } from './page.js';
import { model, quantizations } from './model.js';

const DEBOUNCE_MS = 150;
/** When the model has no GPU rows (measured on CPU only) and nothing else was ever reported. */
const FALLBACK_GPU = 'nvidia-rtx-4090';

const state = { ready: false, touched: new Set(), timer: 0, communityQuant: '', mostCommonGpu: null };
export const source = { url: estimateUrl, render: renderEstimate };

/** The most reported consumer GPU of all, for models measured only on CPU: asked once. */
const mostCommonConsumerGpu = catalogLoaded.then(() => getJson('/api/v1/gpus')).then((res) => {
  const gpus = (res.ok && res.data.gpus) || [];
  const top = gpus.find((g) => isConsumer(g.id));
  return top ? top.id : null;
}).catch(() => null);

export function reset() {
  Object.assign(state, { ready: false, touched: new Set(), communityQuant: '' });
  clearTimeout(state.timer);
  $('est-gpu-count').value = '1';
  $('est-ctx').value = '8192';
  $('est-users').value = $('est-users-range').value = '1';
  $('est-quant').replaceChildren();
  delete $('est-quant').dataset.options;
  show(null);
  setText('est-error', '');
}

/** Once a model page's first data is in: the GPU list, the defaults, then the first estimate. */
export async function start() {
  const byVendor = new Map();
  for (const g of catalog.gpus) byVendor.set(g.vendor, [...(byVendor.get(g.vendor) || []), g]);
  $('est-gpu').replaceChildren(...[...byVendor].map(([vendor, gpus]) => el('optgroup', { label: vendor },
    ...gpus.map((g) => el('option', { value: g.id }, gpuWithMemory(g))))));
  if (!catalog.gpus.length) setText('est-error', 'The GPU catalog is unavailable, so the estimator cannot run.');
  state.mostCommonGpu = await mostCommonConsumerGpu;
  fillQuants();
  chooseDefaults();
  state.ready = true;
  refresh({ force: true, only: [source] });
}

export function modelChanged() {
  fillQuants();
  chooseDefaults();
}

/** The community table's quantization is the estimator's until the user picks one. */
export function communityChanged(quant) {
  state.communityQuant = quant;
  if (!state.touched.has('est-quant') && hasOption($('est-quant'), quant) && $('est-quant').value !== quant) {
    $('est-quant').value = quant;
    if (state.ready) schedule();
  }
}

const hasOption = (select, value) => [...select.options].some((o) => o.value === value);

/** The model's most reported GPU (by rigs, of those the estimator knows), else the most reported consumer GPU of all. */
function defaultGpu() {
  const rigs = new Map();
  for (const r of model.stats) if (catalog.byId.has(r.gpu)) rigs.set(r.gpu, (rigs.get(r.gpu) || 0) + r.rigCount);
  const top = [...rigs].sort((a, b) => b[1] - a[1])[0];
  return top ? top[0] : state.mostCommonGpu || FALLBACK_GPU;
}

function chooseDefaults() {
  const gpu = defaultGpu();
  if (!state.touched.has('est-gpu') && hasOption($('est-gpu'), gpu)) $('est-gpu').value = gpu;
  const quant = state.communityQuant || quantizations()[0];
  if (!state.touched.has('est-quant') && quant && hasOption($('est-quant'), quant)) $('est-quant').value = quant;
}

/** The catalog entry's quantizations, else those measured; never UNKNOWN. */
function fillQuants() {
  const select = $('est-quant');
  const fromCatalog = ((model.info && model.info.quantizations) || []).map((q) => q.quantization);
  const quants = (fromCatalog.length ? fromCatalog : [...new Set(model.stats.map((r) => r.quant))].sort()).filter((q) => q !== UNKNOWN_QUANT);
  const signature = quants.join('|');
  if (select.dataset.options === signature) return;
  select.dataset.options = signature;
  const previous = select.value;
  select.replaceChildren(...quants.map((q) => el('option', { value: q }, q)));
  const preferred = [previous, state.communityQuant, 'Q4_K_M'].find((q) => q && quants.includes(q));
  if (preferred) select.value = preferred;
}

function estimateUrl() {
  // An empty number box is someone mid-typing: wait for a value rather than flash an error.
  if (!state.ready || !$('est-users').value || !$('est-gpu-count').value || !$('est-quant').value) return null;
  const params = new URLSearchParams({ model: model.id, gpu: $('est-gpu').value, gpuCount: $('est-gpu-count').value,
    quant: $('est-quant').value, ctx: $('est-ctx').value, users: $('est-users').value });
  return `/api/v1/estimate?${params}`;
}

function renderEstimate(res) {
  if (!res.ok) {
    show(null);
    setText('est-error', `Estimate unavailable: ${errorText(res)}`);
    return;
  }
  setText('est-error', '');
  show(res.data);
}

const basisLine = (title, basis) => el('p', {}, `${title}: `, el('span', { class: `badge badge-${basis.kind}` }, basis.kind), ' ', basis.text);

/** Fills the result; null clears it, so stale numbers are never read as the current answer. */
function show(e) {
  const vram = e && e.vram;
  const users = e ? e.users : Number($('est-users').value) || 1;
  $('est-vram').replaceChildren(...(vram ? [`${fmtGiB(vram.totalBytes)} of ${fmtGiB(vram.availableBytes)}`,
    el('span', { class: 'detail' }, `weights ${fmtGiB(vram.weightsBytes)} + KV cache ${fmtGiB(vram.kvCacheBytes)} + overhead ${fmtGiB(vram.overheadBytes)}`)] : ['—']));
  const fits = $('est-fits');
  fits.className = vram ? (vram.fits ? 'fits' : 'no-fit') : '';
  fits.textContent = vram ? (vram.fits ? '✓ Fits in VRAM' : '✗ Does not fit in VRAM') : '—';
  const split = vram && !vram.fits;
  $('est-room-label').textContent = split ? 'System RAM for a CPU/GPU split' : 'Headroom';
  const room = $('est-room');
  if (!vram) room.replaceChildren('—');
  else if (split) room.replaceChildren(fmtGiB(vram.ramForSplitBytes), el('span', { class: 'detail' }, 'slower: part of the model runs from system RAM'));
  else room.replaceChildren(`${fmtGiB(vram.headroomBytes)} free`);
  const single = $('est-single');
  single.replaceChildren(e ? `${fmtTps(e.singleUserTokensPerSecond)} tok/s` : '—');
  if (e && Number.isFinite(e.low) && Number.isFinite(e.high)) single.append(el('span', { class: 'detail' }, `likely ${fmtTps(e.low)}–${fmtTps(e.high)}`));
  $('est-per-user-label').textContent = `Per user, ${plural(users, 'user')}`;
  $('est-aggregate-label').textContent = `Aggregate, ${plural(users, 'user')}`;
  $('est-per-user').textContent = e ? `${fmtTps(e.perUserTokensPerSecond)} tok/s each` : '—';
  $('est-aggregate').textContent = e ? `${fmtTps(e.aggregateTokensPerSecond)} tok/s in total` : '—';
  $('est-basis').replaceChildren(...(e ? [
    e.basis && basisLine('Single-user speed', e.basis),
    e.concurrencyBasis && basisLine('Concurrency', e.concurrencyBasis),
  ].filter(Boolean) : []));
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => refresh({ only: [source] }), DEBOUNCE_MS);
}

$('estimator').addEventListener('input', (event) => {
  state.touched.add(event.target.id);
  // The number box and the slider are one value.
  if (event.target.id === 'est-users-range') $('est-users').value = event.target.value;
  if (event.target.id === 'est-users') $('est-users-range').value = event.target.value;
  schedule();
});
$('estimator').addEventListener('change', (event) => { state.touched.add(event.target.id); schedule(); });
$('estimator').addEventListener('submit', (event) => { event.preventDefault(); schedule(); }); // Enter in a number box
