// The current view's data sources, polled every 2 s; only what changed is redrawn.
import { getJson, errorText, showFreshness } from './api.js';
import { setText } from './dom.js';
import { fmtClock } from './format.js';

const POLL_MS = 2000;

/**
 * sources: {url(), render(res)}; lastText: the last answer of each, so a poll re-renders only what
 * changed. gen increases on every navigation; late answers of an older view are dropped.
 */
export const page = { gen: 0, sources: [], lastText: new Map(), polling: false };

export async function refresh({ force = false, only = null } = {}) {
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
    if (url !== source.url()) continue; // the inputs moved on; a newer request renders
    if (!force && page.lastText.get(source) === res.text) continue;
    page.lastText.set(source, res.text);
    source.render(res);
    changed = true;
  }
  if (!only) showFreshness(results.map((r) => r.res));
  setText('status', failure ? `Could not refresh (${failure}); retrying.` : '');
  if (changed) setText('updated', `updated ${fmtClock(new Date())}`);
}

export function startPolling() {
  setInterval(() => {
    if (document.hidden || page.polling) return; // no work for a background tab
    page.polling = true;
    refresh().finally(() => { page.polling = false; });
  }, POLL_MS);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
}
