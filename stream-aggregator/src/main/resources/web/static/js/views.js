// Which view of the single page is shown.
import { $ } from './dom.js';

export const VIEWS = ['home-view', 'models-view', 'gpus-view', 'model-view', 'gpu-view', 'missing-view'];

export function showView(viewId) {
  for (const id of VIEWS) $(id).hidden = id !== viewId;
}

/** The not-found view, for a path or an id nobody knows. */
export function showMissing() {
  document.title = 'Not found — tokbench';
  showView('missing-view');
  return 'missing-view';
}
