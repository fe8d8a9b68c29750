import { h, fill, time, table, confirmButton } from '../dom.js';

export default {
  id: 'sessions',
  title: 'Sessions',
  path: 'sessions',
  order: 80,
  nav: true,
  admin: false,
  render({ el, api }) {
    const list = h('div');
    const detail = h('section#session-detail', { 'aria-live': 'polite' });
    const error = h('p.error', { role: 'alert', hidden: true });
    el.append(h('h1', 'Sessions'), h('p.muted', 'Conversations stored by the gateway (chat requests with a session_id). An inference key sees its own.'), error, list, detail);

    async function load() {
      try {
        const view = await api.get('/v1/sessions');
        error.hidden = true;
        fill(list, view.sessions.length === 0 ? h('p.muted', 'No sessions.') : table(
          ['Title', 'Owner', 'Messages', 'Last active', ''],
          view.sessions.map(s => h('tr', { dataset: { session: s.id } },
            h('td', h('button.link', { type: 'button', onclick: () => read(s.id) }, s.title || s.id)),
            h('td', h('code', s.owner_key_id || '—')),
            h('td.num', String(s.message_count)),
            h('td', time(s.last_active_at)),
            h('td', confirmButton('Delete', 'Confirm delete', () => remove(s.id), { class: 'danger' })))),
          { id: 'sessions-table' }));
      } catch (e) {
        error.textContent = `${e.status || ''} ${e.message}`;
        error.hidden = false;
      }
    }

    async function read(id) {
      try {
        const s = await api.get(`/v1/sessions/${encodeURIComponent(id)}`);
        fill(detail, h('h2', s.title || s.id),
          h('ol.messages', s.messages.map(m => h(`li.message.${m.role}`,
            h('div.role', m.role, ' ', h('time.muted.small', { datetime: m.timestamp }, time(m.timestamp))),
            h('div.content', typeof m.content === 'string' ? m.content : JSON.stringify(m.content))))));
      } catch (e) {
        fill(detail, h('p.error', e.message));
      }
    }

    async function remove(id) {
      try {
        await api.del(`/v1/sessions/${encodeURIComponent(id)}`);
        fill(detail);
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
      }
      load();
    }
    load();
  },
};
