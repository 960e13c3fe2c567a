// Plain DOM building. Every string from the API enters the page as a text node (el/svgEl), so API
// data is never parsed as HTML.

export const $ = (id) => document.getElementById(id);

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
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const el = (tag, attrs, ...children) => appendAll(setAttrs(document.createElement(tag), attrs), children);
export const svgEl = (tag, attrs, ...children) =>
  appendAll(setAttrs(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs), children);

/** A path segment for an id: '/' stays a separator (ids like raw:hf.co/user/model), the rest is escaped. */
const idPath = (id) => id.split('/').map(encodeURIComponent).join('/');
export const modelHref = (id) => `/models/${idPath(id)}`;
export const gpuHref = (id) => `/gpus/${idPath(id)}`;
export const apiId = idPath;
export const link = (href, text) => el('a', { href }, text);
export const numCell = (text) => el('td', { class: 'num' }, text);

/** Replaces a table's body; keeps keyboard focus on the same link or button across the re-render. */
export function fillTable(table, rows, emptyText, makeRows) {
  const tbody = table.tBodies[0];
  const active = document.activeElement;
  const focusKey = tbody.contains(active) ? active.getAttribute('data-key') || active.getAttribute('href') : null;
  const columns = table.tHead.rows[0].cells.length;
  tbody.replaceChildren(...(rows.length ? rows.flatMap(makeRows) : [el('tr', {}, el('td', { colspan: columns, class: 'empty' }, emptyText))]));
  if (focusKey) {
    const again = [...tbody.querySelectorAll('a, button')].find((n) => (n.getAttribute('data-key') || n.getAttribute('href')) === focusKey);
    if (again) again.focus();
  }
  markScrollables();
}

export function setText(id, text) {
  const node = $(id);
  if (node.textContent !== text) node.textContent = text; // unchanged live regions stay quiet
}

/**
 * A table wider than its column scrolls inside its container; the container then says so with a
 * visible hint above it, so no column is hidden without a cue.
 */
export function markScrollables() {
  for (const box of document.querySelectorAll('.table-scroll')) {
    const overflowing = box.scrollWidth > box.clientWidth + 1;
    if (box.dataset.overflowing !== String(overflowing)) box.dataset.overflowing = String(overflowing);
  }
}
window.addEventListener('resize', markScrollables);

/** Fills a select with [value, label] options; rebuilt only when they change, so an open one stays open. */
export function fillSelect(select, options, chosen) {
  const signature = options.map(([v, l]) => `${v}=${l}`).join('|');
  if (select.dataset.options !== signature) {
    select.dataset.options = signature;
    select.replaceChildren(...options.map(([value, label]) => el('option', { value }, label)));
  }
  if (chosen != null && options.some(([v]) => v === chosen)) select.value = chosen;
}
