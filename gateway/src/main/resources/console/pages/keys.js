import { h, fill, time, table, confirmButton } from '../dom.js';

export default {
  id: 'keys',
  title: 'API keys',
  path: 'keys',
  order: 60,
  nav: true,
  admin: true,
  render({ el, api }) {
    const name = h('input#k-name', { name: 'name', required: true, placeholder: 'e.g. ci-bot' });
    const scope = h('select#k-scope', { name: 'scope' }, h('option', { value: 'inference' }, 'inference'), h('option', { value: 'admin' }, 'admin'));
    const models = h('input#k-models', { name: 'models', placeholder: 'all models when empty; else a,b' });
    const created = h('div#k-created', { 'aria-live': 'polite' });
    const error = h('p.error', { role: 'alert', hidden: true });
    const list = h('div');
    const form = h('form.filters#key-form',
      h('div.field', h('label', { for: 'k-name' }, 'Name'), name),
      h('div.field', h('label', { for: 'k-scope' }, 'Scope'), scope),
      h('div.field', h('label', { for: 'k-models' }, 'Models'), models),
      h('div.actions', h('button.primary#k-create', { type: 'submit' }, 'Create key')));
    el.append(h('h1', 'API keys'), form, error, created, h('h2', 'Keys'), list);

    form.addEventListener('submit', async e => {
      e.preventDefault();
      error.hidden = true;
      const body = { name: name.value.trim(), scope: scope.value };
      const m = models.value.split(',').map(s => s.trim()).filter(Boolean);
      if (m.length) body.models = m;
      try {
        const key = await api.post('/v1/management/keys', body);
        const secret = h('code#k-secret', key.key);
        const copy = h('button', { type: 'button' }, 'Copy');
        copy.addEventListener('click', async () => {
          try { await navigator.clipboard.writeText(key.key); copy.textContent = 'Copied'; } catch { copy.textContent = 'Select and copy it'; }
        });
        const dismiss = h('button', { type: 'button', onclick: () => fill(created) }, 'I have stored it');
        fill(created, h('div.notice.secret',
          h('p', h('strong', `Key ${key.id} (${key.scope}) created.`), ' Store it now: it is shown only this once.'),
          h('p', secret, ' ', copy, ' ', dismiss)));
        name.value = '';
        models.value = '';
        load();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      }
    });

    async function load() {
      try {
        const view = await api.get('/v1/management/keys');
        fill(list, table(['Id', 'Name', 'Scope', 'Models', 'Created', 'Last used', 'Status', ''],
          view.keys.map(k => h('tr', { dataset: { key: k.id, active: String(k.active) } },
            h('td', h('code', k.id)), h('td', k.name), h('td', k.scope),
            h('td', k.models.length ? k.models.join(', ') : 'all'),
            h('td', time(k.created_at)), h('td', time(k.last_used_at)),
            h('td', k.active ? 'active' : `revoked ${time(k.revoked_at)}`),
            h('td', k.active ? confirmButton('Revoke', 'Confirm revoke', () => revoke(k.id), { class: 'danger revoke' }) : null))),
          { id: 'keys-table' }));
      } catch (e) {
        error.textContent = `${e.status || ''} ${e.message}`;
        error.hidden = false;
      }
    }

    async function revoke(id) {
      try {
        await api.del(`/v1/management/keys/${encodeURIComponent(id)}`);
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
      }
      load();
    }
    load();
  },
};
