import { h, fill, badge, ago, table } from '../dom.js';

export default {
  id: 'engines',
  title: 'Engines',
  path: 'engines',
  order: 20,
  nav: true,
  admin: true,
  render({ el, api, live }) {
    const body = h('div');
    const error = h('p.error', { role: 'alert', hidden: true });
    el.append(
      h('div.heading', h('h1', 'Engines'), h('a.button.primary', { href: '#/start' }, 'Start an engine')),
      error, body);

    function render() {
      const engines = live.all();
      fill(body, engines.length === 0 ? h('p.muted', 'No engines.') : table(
        ['Engine', 'State', 'Model', 'Runtime', 'Port', 'GPUs', 'In flight', 'Restarts', 'Since'],
        engines.map(e => h('tr', { dataset: { engine: e.id, state: e.state } },
          h('td', h('a', { href: `#/engines/${e.id}` }, e.id), e.label ? h('div.muted.small', e.label) : null),
          h('td', badge(e.state)),
          h('td', e.served_model_name || e.model),
          h('td', e.runtime),
          h('td', e.port ?? '—'),
          h('td', e.gpu_ids && e.gpu_ids.length ? e.gpu_ids.join(', ') : '—'),
          h('td.num', String(e.active_requests ?? 0)),
          h('td.num', String(e.restart_count ?? 0)),
          h('td', { title: e.state_since }, ago(e.state_since)))),
        { id: 'engines-table' }));
    }

    // transitions arrive on the event stream; in-flight counts change without one, so the table
    // also refreshes them every 10 seconds while it is shown
    async function refreshCounters() {
      try {
        const list = await api.get('/v1/management/engines');
        error.hidden = true;
        for (const engine of list.engines) {
          const known = live.engine(engine.id);
          if (known && known.state === engine.state) Object.assign(known, engine);
        }
        render();
      } catch (e) {
        error.textContent = `${e.status || ''} ${e.message}`;
        error.hidden = false;
      }
    }

    render();
    refreshCounters();
    const unsubscribe = live.subscribe(render);
    const timer = setInterval(refreshCounters, 10000);
    return () => { unsubscribe(); clearInterval(timer); };
  },
};
