// The live engine registry: one EventSource on /v1/management/events?follow=true. The stream
// starts with a snapshot (or, on reconnect, with what was missed since Last-Event-ID) and then
// sends every transition; pages read the engines from here and subscribe to changes.

const engines = new Map();
const listeners = new Set();
let source = null;
let lastId = null;
let retryTimer = null;
let statusEl = null;

export function start(indicator) {
  statusEl = indicator;
  if (!source) connect();
}

export function stop() {
  clearTimeout(retryTimer);
  if (source) source.close();
  source = null;
  lastId = null;
  engines.clear();
  status('', '');
}

export function all() {
  return [...engines.values()];
}

export function engine(id) {
  return engines.get(id);
}

/** Calls fn({type, event}) on every change; returns the function that unsubscribes. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(change) {
  for (const fn of [...listeners]) {
    try { fn(change); } catch (e) { console.error('live listener failed', e); }
  }
}

function status(text, state) {
  if (!statusEl) return;
  statusEl.textContent = text;
  statusEl.dataset.state = state;
}

function connect() {
  const url = '/v1/management/events?follow=true' + (lastId ? '&since=' + encodeURIComponent(lastId) : '');
  const es = new EventSource(url);
  source = es;
  status('connecting…', 'connecting');
  es.onopen = () => status('live', 'live');
  es.addEventListener('snapshot', e => {
    lastId = e.lastEventId;
    engines.clear();
    for (const engine of JSON.parse(e.data).engines) engines.set(engine.id, engine);
    emit({ type: 'snapshot' });
  });
  for (const type of ['engine.added', 'engine.transition']) {
    es.addEventListener(type, e => {
      lastId = e.lastEventId;
      const event = JSON.parse(e.data);
      engines.set(event.engine.id, event.engine);
      emit({ type, event });
    });
  }
  es.addEventListener('engine.removed', e => {
    lastId = e.lastEventId;
    const event = JSON.parse(e.data);
    engines.delete(event.engine_id);
    emit({ type: 'engine.removed', event });
  });
  es.onerror = () => {
    if (es !== source) return;
    if (es.readyState === EventSource.CLOSED) {
      // the browser gave up (the gateway answered with an error): try again, resuming from lastId
      status('offline, retrying…', 'offline');
      source = null;
      retryTimer = setTimeout(async () => {
        try {
          const who = await fetch('/v1/console/session', { credentials: 'same-origin', cache: 'no-store' });
          if (who.status === 401) {
            window.dispatchEvent(new CustomEvent('sage:signed-out', { detail: 'your console session ended' }));
            return;
          }
        } catch { /* gateway unreachable: keep trying */ }
        if (!source) connect();
      }, 3000);
    } else {
      status('reconnecting…', 'connecting');
    }
  };
}
