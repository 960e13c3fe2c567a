// Numbers and names as people read them.

const oneDecimal = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const wholeNumber = new Intl.NumberFormat('en');
const GIB = 2 ** 30;
const RUNTIMES = { ollama: 'Ollama', 'llama.cpp': 'llama.cpp', lmstudio: 'LM Studio', vllm: 'vLLM', sglang: 'SGLang' };
const OSES = { linux: 'Linux', macos: 'macOS', windows: 'Windows' };
const BACKENDS = { CUDA: 'CUDA', ROCM: 'ROCm', METAL: 'Metal', VULKAN: 'Vulkan', SYCL: 'SYCL', CPU: 'CPU' };
export const OFFLOADS = { FULL_GPU: 'Fully on GPU', PARTIAL_OFFLOAD: 'Partly offloaded to CPU', CPU_ONLY: 'CPU only', UNKNOWN: 'Offload not reported' };
/** The same, inside a sentence. */
const OFFLOAD_PHRASES = { FULL_GPU: 'fully on the GPU', PARTIAL_OFFLOAD: 'partly offloaded to the CPU', CPU_ONLY: 'on the CPU only', UNKNOWN: 'offload not reported' };
export const offloadPhrase = (o) => OFFLOAD_PHRASES[o] || o;
/** A runtime's stand-in when it did not report the quantization: never offered as a choice. */
export const UNKNOWN_QUANT = 'UNKNOWN';

export const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
export const fmtTps = (v) => (isNumber(v) ? oneDecimal.format(v) : '—');
/** Memory in GiB (2^30 bytes), labelled: what a "24 GB" card has. */
export const fmtGiB = (bytes) => (isNumber(bytes) ? `${oneDecimal.format(bytes / GIB)} GiB` : '—');
export const fmtCtx = (tokens) => (isNumber(tokens) ? `${Math.round(tokens / 1024)}K` : '—');
export const fmtCount = (n) => (isNumber(n) ? wholeNumber.format(n) : '—');
export const fmtRuntime = (r) => RUNTIMES[r] || r;
/** "llama.cpp · Vulkan": a row's runtime with the backend it computed with, when reported. */
export const fmtRuntimeOn = (row) => [fmtRuntime(row.runtime), BACKENDS[row.backend]].filter(Boolean).join(' · ');
export const fmtOs = (os) => OSES[os] || os || '';
export const fmtOffload = (o) => OFFLOADS[o] || o;
export const fmtClock = (d) => d.toLocaleTimeString('en-GB', { hour12: false });
export const plural = (n, word) => `${fmtCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** "Ollama 0.5.7 · Linux · 8K ctx": the setup of one row, its quantization shown apart. */
export function setupText(row) {
  const setup = row.typicalSetup || {};
  const runtime = [fmtRuntime(row.runtime), setup.runtimeVersion].filter(Boolean).join(' ');
  return [runtime, fmtOs(setup.os), `${fmtCtx(row.ctx)} ctx`].filter(Boolean).join(' · ');
}
