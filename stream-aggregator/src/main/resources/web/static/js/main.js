// tokbench web page: client-side routing over plain ES modules (no build step).
import { $ } from './dom.js';
import { catalogLoaded } from './catalog.js';
import { page, refresh, startPolling } from './page.js';
import { showGpus, showHome, showModels, wireSearch } from './lists.js';
import { showModel, started } from './model.js';
import { showGpu } from './gpu.js';
import { showMissing, showView } from './views.js';

function decodeSegment(segment) {
  try { return decodeURIComponent(segment); } catch { return segment; }
}

function viewFor(path) {
  let match;
  if (path === '/' || path === '/index.html') return showHome();
  if (path === '/models') return showModels();
  if (path === '/gpus') return showGpus();
  if ((match = path.match(/^\/models\/(.+)$/))) return showModel(match[1].split('/').map(decodeSegment).join('/'));
  if ((match = path.match(/^\/gpus\/(.+)$/))) return showGpu(match[1].split('/').map(decodeSegment).join('/'));
  return showMissing();
}

async function route(moveFocus) {
  page.gen++;
  page.sources = [];
  page.lastText.clear();
  const viewId = viewFor(location.pathname);
  showView(viewId);
  for (const a of document.querySelectorAll('.site-header nav a')) {
    if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // After an in-app navigation, move focus to the new heading so screen readers announce the page.
  if (moveFocus) $(viewId).querySelector('h1').focus();
  const gen = page.gen;
  await catalogLoaded;
  if (gen !== page.gen) return;
  await refresh({ force: true });
  if (gen === page.gen && viewId === 'model-view') started();
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
  if (a.target || !/^\/(models|gpus)?(\/|$)/.test(href)) return;
  event.preventDefault();
  navigate(href);
});
window.addEventListener('popstate', () => route(true));

wireSearch(navigate);
startPolling();
route(false);
