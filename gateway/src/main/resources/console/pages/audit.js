import { h, fill, time, table } from '../dom.js';

const PAGE = 25;

export default {
  id: 'audit',
  title: 'Audit',
  path: 'audit',
  order: 50,
  nav: true,
  admin: true,
  render({ el, api }) {
    const fields = {
      actor: h('input#a-actor', { name: 'actor', placeholder: 'key id' }),
      action: h('input#a-action', { name: 'action', placeholder: 'e.g. engine.start', list: 'a-actions' }),
      target: h('input#a-target', { name: 'target', placeholder: 'engine or key id' }),
      since: h('input#a-since', { name: 'since', type: 'datetime-local', step: 1 }),
      until: h('input#a-until', { name: 'until', type: 'datetime-local', step: 1 }),
    };
    const actions = h('datalist#a-actions', ['engine.start', 'engine.stop', 'engine.restart', 'engine.remove',
      'engine.register', 'key.create', 'key.revoke', 'console.sign_in', 'console.sign_out'].map(a => h('option', { value: a })));
    const results = h('div');
    const pager = h('div.pager');
    const error = h('p.error', { role: 'alert', hidden: true });
    let offset = 0;
    const form = h('form.filters',
      Object.entries(fields).map(([name, input]) => h('div.field', h('label', { for: input.id }, name), input)),
      actions,
      h('div.actions', h('button.primary', { type: 'submit' }, 'Filter'), h('button', { type: 'reset' }, 'Clear')));
    form.addEventListener('submit', e => { e.preventDefault(); offset = 0; load(); });
    form.addEventListener('reset', () => setTimeout(() => { offset = 0; load(); }));
    el.append(h('h1', 'Audit'), form, error, results, pager);

    async function load() {
      const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
      for (const [name, input] of Object.entries(fields)) {
        const v = input.value.trim();
        if (!v) continue;
        query.set(name, input.type === 'datetime-local' ? new Date(v).toISOString() : v);
      }
      try {
        const view = await api.get(`/v1/management/audit?${query}`);
        error.hidden = true;
        fill(results, view.entries.length === 0 ? h('p.muted', 'No entries.') : table(
          ['Time', 'Actor', 'Action', 'Target', 'Outcome', 'Detail'],
          view.entries.map(e => h('tr', { dataset: { action: e.action, outcome: e.outcome } },
            h('td', h('time', { datetime: e.at }, time(e.at))),
            h('td', h('code', e.actor)), h('td', e.action),
            h('td', e.target && e.target.startsWith('eng-') ? h('a', { href: `#/engines/${e.target}` }, e.target) : (e.target || '—')),
            h('td', h(`span.outcome-${e.outcome}`, e.outcome)), h('td.detail', e.detail || ''))),
          { id: 'audit-table' }));
        fill(pager,
          h('button#audit-prev', { type: 'button', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, '← Newer'),
          h('span.muted', `entries ${view.count ? offset + 1 : 0}–${offset + view.count}`),
          h('button#audit-next', { type: 'button', disabled: view.count < PAGE, onclick: () => { offset += PAGE; load(); } }, 'Older →'));
      } catch (e) {
        error.textContent = `${e.status || ''} ${e.message}`;
        error.hidden = false;
      }
    }
    load();
  },
};
