// Builds DOM nodes without innerHTML: text is always text, so nothing the API returns can run.

/** h('div.card#x', {onclick, ...attrs}, children...) */
export function h(tag, attrs, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || 'div');
  for (const part of rest) {
    if (part.startsWith('.')) el.classList.add(part.slice(1));
    else if (part.startsWith('#')) el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = !!value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

/** A state badge: READY, STARTING, ERROR... */
export function badge(state) {
  return h(`span.badge.state-${String(state || 'unknown').toLowerCase()}`, String(state || '?'));
}

export function ago(iso) {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function table(headers, rows, attrs = {}) {
  return h('div.scroll', h('table', attrs,
    h('thead', h('tr', headers.map(x => h('th', { scope: 'col' }, x)))),
    h('tbody', rows)));
}

/** A button that asks once more before acting: the first press arms it, the second acts. */
export function confirmButton(label, confirmLabel, action, attrs = {}) {
  const button = h('button', { type: 'button', ...attrs }, label);
  let armed = false;
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      button.classList.add('armed');
      setTimeout(() => { armed = false; button.textContent = label; button.classList.remove('armed'); }, 5000);
      return;
    }
    armed = false;
    button.disabled = true;
    try { await action(); } finally { button.disabled = false; button.textContent = label; button.classList.remove('armed'); }
  });
  return button;
}
