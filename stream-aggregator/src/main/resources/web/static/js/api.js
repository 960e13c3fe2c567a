// The query API: JSON GETs that ride out moving partitions, and what the page shows about freshness.
import { $, setText } from './dom.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * GETs a JSON endpoint. A 503 means part of the tables has no instance to serve it for a moment:
 * retried after its Retry-After, quietly, so the page keeps what it shows instead of emptying.
 */
export async function getJson(url) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-cache' });
    const text = await response.text();
    if (response.status === 503 && attempt < 30) {
      const seconds = Number(response.headers.get('Retry-After'));
      await sleep(1000 * Math.min(10, seconds > 0 ? seconds : 1));
      continue;
    }
    let data = null;
    try { data = JSON.parse(text); } catch { /* not JSON: errorText falls back to the status */ }
    const stale = response.headers.get('Tokbench-Stale') === 'true';
    return { status: response.status, ok: response.ok && data !== null, text, data, stale, lag: Number(response.headers.get('Tokbench-Lag-Records')) || 0 };
  }
}

export const errorText = (res) => (res.data && res.data.error) || (res.status === 200 ? 'the answer was not valid JSON' : `HTTP ${res.status}`);

/** While partitions move, answers may come from a standby copy: say so, with how far behind it is. */
export function showFreshness(results) {
  const stale = results.filter((r) => r && r.stale);
  const lag = Math.max(0, ...stale.map((r) => r.lag));
  setText('stale', stale.length ? `Servers are rebalancing: some figures come from a standby copy up to ${lag} updates behind.` : '');
  $('stale').hidden = !stale.length;
}
