// The console shell: sign-in, navigation and the router. Pages are the modules in pages/ (the
// gateway lists them at pages/index.json), each one file exporting
// { id, title, path, order, nav, admin, render(ctx) }; render may return a cleanup function.

import { h, fill } from './dom.js';
import * as api from './api.js';
import * as live from './live.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOutButton = document.getElementById('signout');
const liveIndicator = document.getElementById('live');
let pages = [];
let session = null;
let cleanup = null;

function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

document.getElementById('theme').addEventListener('click', () => {
  const dark = document.documentElement.dataset.theme
    ? document.documentElement.dataset.theme === 'dark'
    : matchMedia('(prefers-color-scheme: dark)').matches;
  const next = dark ? 'light' : 'dark';
  localStorage.setItem('sage-theme', next); // only the theme is stored, never a key
  applyTheme(next);
});
applyTheme(localStorage.getItem('sage-theme'));

const isAdmin = () => session?.scope === 'admin';

function visible(page) {
  return !page.admin || isAdmin();
}

function match(pattern, path) {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

export function navigate(path) {
  location.hash = '#/' + path;
}

function buildNav(current) {
  fill(nav, ...pages.filter(p => p.nav && visible(p)).map(p =>
    h('a', { href: '#/' + p.path, 'aria-current': p === current ? 'page' : null, dataset: { page: p.id } }, p.title)));
}

function route() {
  if (!session) return;
  const path = location.hash.replace(/^#\/?/, '');
  if (!path) {
    navigate(isAdmin() ? 'overview' : 'playground');
    return;
  }
  let page = null;
  let params = null;
  for (const candidate of pages) {
    params = match(candidate.path, path.split('?')[0]);
    if (params) { page = candidate; break; }
  }
  if (cleanup) { try { cleanup(); } catch (e) { console.error(e); } cleanup = null; }
  buildNav(page);
  if (!page) {
    fill(main, h('h1', 'Not found'), h('p', 'No console page at ', h('code', path), '.'));
    return;
  }
  document.title = `${page.title} · SAGE`;
  const view = h('section.page', { dataset: { page: page.id } });
  fill(main, view);
  if (page.admin && !isAdmin()) {
    // the page still asks the API, which refuses: the refusal is the server's, shown as it is
    view.append(h('p.notice', 'This page needs an admin key; you are signed in with an ',
      session.scope, ' key.'));
  }
  try {
    const result = page.render({ el: view, params, session, api, live, navigate, isAdmin });
    if (typeof result === 'function') cleanup = result;
    else if (result && typeof result.then === 'function') {
      result.then(fn => { if (typeof fn === 'function') cleanup = fn; }).catch(e => showError(view, e));
    }
  } catch (e) {
    showError(view, e);
  }
}

export function showError(el, error) {
  el.append(h('p.error', { role: 'alert' }, error.status ? `${error.status}: ${error.message}` : String(error.message || error)));
}

function enter(me) {
  session = me;
  api.setCsrf(me.csrf_token);
  fill(who, h('span.muted', 'signed in as '), h('strong', me.key_name || me.key_id), ' ', h('span.scope', me.scope));
  signOutButton.hidden = false;
  if (isAdmin()) live.start(liveIndicator);
  route();
}

function leave(message) {
  session = null;
  api.setCsrf(null);
  live.stop();
  if (cleanup) { try { cleanup(); } catch { /* ignore */ } cleanup = null; }
  fill(who);
  fill(nav);
  signOutButton.hidden = true;
  signInView(message);
}

function signInView(message) {
  document.title = 'Sign in · SAGE';
  const input = h('input#key', { type: 'password', name: 'key', autocomplete: 'off', required: true,
    placeholder: 'sk-sage-…', 'aria-describedby': 'signin-help' });
  const error = h('p.error#signin-error', { role: 'alert', hidden: !message }, message || '');
  const form = h('form.signin', { 'aria-labelledby': 'signin-title' },
    h('h1#signin-title', 'Sign in'),
    h('label', { for: 'key' }, 'API key'),
    input,
    h('p.muted#signin-help', 'An admin key sees everything; an inference key sees the playground and its own sessions. The key is exchanged for a session cookie and is not kept in the browser.'),
    error,
    h('button.primary', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    error.hidden = true;
    try {
      const me = await api.post('/v1/console/session', { key: input.value }, { headers: { 'x-sage-console': '1' }, signIn: true });
      input.value = '';
      enter(me);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      input.focus();
    }
  });
  fill(main, form);
  input.focus();
}

signOutButton.addEventListener('click', async () => {
  try { await api.del('/v1/console/session'); } catch { /* signed out either way */ }
  leave('Signed out.');
});

window.addEventListener('sage:signed-out', e => {
  if (session) leave(`Your session ended: ${e.detail || 'sign in again'}.`);
});
window.addEventListener('hashchange', route);

async function boot() {
  const names = await (await fetch('/ui/pages/index.json', { cache: 'no-store' })).json();
  const modules = await Promise.all(names.map(name => import(`./pages/${name}`)));
  pages = modules.map(m => m.default).sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  try {
    enter(await api.get('/v1/console/session', { signIn: true }));
  } catch {
    signInView();
  }
}

boot().catch(e => fill(main, h('p.error', `The console failed to load: ${e.message}`)));
