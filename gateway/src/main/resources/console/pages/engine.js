import { h, fill, badge, time, ago, table, confirmButton } from '../dom.js';

export default {
  id: 'engine',
  title: 'Engine',
  path: 'engines/:id',
  order: 21,
  nav: false,
  admin: true,
  render({ el, params, api, live, navigate }) {
    const id = params.id;
    const head = h('div.heading');
    const summary = h('div');
    const actions = h('div.actions');
    const actionResult = h('p', { role: 'status', 'aria-live': 'polite' });
    const timeline = h('ol.timeline#timeline');
    const options = h('div');
    const log = h('pre.log#log', { tabindex: '0', 'aria-label': 'engine log' });
    const followButton = h('button#follow', { type: 'button', 'aria-pressed': 'false' }, 'Follow log');
    el.append(head, summary, actions, actionResult,
      h('div.columns',
        h('section', { 'aria-labelledby': 'en-timeline' }, h('h2#en-timeline', 'State timeline'), timeline),
        h('section', { 'aria-labelledby': 'en-options' }, h('h2#en-options', 'Options'), options)),
      h('section', { 'aria-labelledby': 'en-log' },
        h('div.heading', h('h2#en-log', 'Log'), followButton), log));

    let engine = live.engine(id);
    let follow = null;

    function renderEngine() {
      if (!engine) return;
      fill(head, h('h1', 'Engine ', h('code', engine.id)), h('span#engine-state', badge(engine.state)));
      fill(summary, h('dl.facts',
        fact('Model', engine.served_model_name || engine.model),
        fact('Runtime', `${engine.runtime} (${engine.engine_kind})`),
        fact('State', `${engine.state}, since ${time(engine.state_since)} (${ago(engine.state_since)}); desired ${engine.desired_state}`),
        fact('Endpoint', engine.base_url || '—'),
        fact('PID', engine.pid ?? '—'),
        fact('GPUs', engine.gpu_ids?.length ? engine.gpu_ids.join(', ') : '—'),
        fact('In flight', engine.active_requests ?? 0),
        fact('Restarts', engine.restart_count ?? 0),
        fact('Last error', engine.last_error || '—'),
        fact('Label', engine.label || '—')));
      const opts = Object.entries(engine.options || {});
      fill(options,
        opts.length === 0 ? h('p.muted', 'No options.') : table(['Option', 'Value'],
          opts.map(([k, v]) => h('tr', h('td', h('code', k)), h('td', { dataset: { option: k } }, v)))),
        engine.extra_args?.length ? h('p', 'Extra arguments: ', h('code', engine.extra_args.join(' '))) : null,
        h('p.muted.small', 'Secret options are shown as ****.'));
      const act = (label, path, attrs) => h('button', { type: 'button', ...attrs, onclick: () => run(label, path) }, label);
      const stopped = ['STOPPED', 'ERROR'].includes(engine.state);
      fill(actions,
        act('Stop (drain)', `/stop?drain=true`, { id: 'stop-drain', disabled: stopped || engine.state === 'DRAINING' }),
        confirmButton('Stop now', 'Confirm stop now', () => run('Stop now', '/stop?drain=false'), { id: 'stop-now', disabled: engine.state === 'STOPPED' }),
        act('Restart', '/restart', { id: 'restart', disabled: !stopped }),
        confirmButton('Remove', 'Confirm remove', remove, { id: 'remove', class: 'danger', disabled: !stopped }));
    }

    async function run(label, path) {
      try {
        const result = await api.post(`/v1/management/engines/${encodeURIComponent(id)}${path}`);
        actionResult.className = '';
        actionResult.textContent = `${label}: ${result.state}`;
      } catch (e) {
        actionResult.className = 'error';
        actionResult.textContent = `${label} failed: ${e.message}`;
      }
    }

    async function remove() {
      try {
        await api.del(`/v1/management/engines/${encodeURIComponent(id)}?purge=true`);
        navigate('engines');
      } catch (e) {
        actionResult.className = 'error';
        actionResult.textContent = `Remove failed: ${e.message}`;
      }
    }

    async function loadTimeline() {
      try {
        const view = await api.get(`/v1/management/engines/${encodeURIComponent(id)}/events?limit=200`);
        fill(timeline, view.events.map(e => h('li', { dataset: { to: e.to } },
          h('time', { datetime: e.at }, time(e.at)), ' ',
          e.from ? badge(e.from) : null, e.from ? ' → ' : null, badge(e.to),
          h('div.reason', e.reason))));
      } catch (e) {
        fill(timeline, h('li.error', e.message));
      }
    }

    async function load() {
      try {
        engine = await api.get(`/v1/management/engines/${encodeURIComponent(id)}`);
        renderEngine();
      } catch (e) {
        fill(head, h('h1', 'Engine ', h('code', id)));
        fill(summary, h('p.error', { role: 'alert' }, `${e.status || ''} ${e.message}`));
      }
    }

    async function startFollow() {
      stopFollow();
      const controller = new AbortController();
      follow = controller;
      followButton.textContent = 'Stop following';
      followButton.setAttribute('aria-pressed', 'true');
      fill(log);
      try {
        const response = await api.request('GET', `/v1/management/engines/${encodeURIComponent(id)}/logs?tail=200&follow=true`,
          undefined, { raw: true, signal: controller.signal, accept: 'text/plain' });
        for await (const text of api.chunks(response)) {
          const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
          log.append(document.createTextNode(text));
          if (atBottom) log.scrollTop = log.scrollHeight;
        }
      } catch (e) {
        if (e.name !== 'AbortError') log.append(document.createTextNode(`\n[log follow ended: ${e.message}]\n`));
      }
      if (follow === controller) stopFollow();
    }

    function stopFollow() {
      if (follow) follow.abort();
      follow = null;
      followButton.textContent = 'Follow log';
      followButton.setAttribute('aria-pressed', 'false');
    }

    async function loadTail() {
      try {
        const text = await api.request('GET', `/v1/management/engines/${encodeURIComponent(id)}/logs?tail=200`, undefined, { accept: 'text/plain' });
        fill(log, text);
        log.scrollTop = log.scrollHeight;
      } catch (e) {
        fill(log, e.message);
      }
    }

    followButton.addEventListener('click', () => (follow ? stopFollow() : startFollow()));
    renderEngine();
    load();
    loadTimeline();
    loadTail();
    const unsubscribe = live.subscribe(change => {
      if (change.type === 'engine.removed' && change.event.engine_id === id) {
        fill(summary, h('p.notice', 'This engine was removed.'));
        return;
      }
      if (change.type === 'snapshot' || change.event?.engine_id === id || change.event?.engine?.id === id) {
        const known = live.engine(id);
        if (known) { engine = known; renderEngine(); }
        loadTimeline();
      }
    });
    return () => { unsubscribe(); stopFollow(); };
  },
};

function fact(label, value) {
  return [h('dt', label), h('dd', String(value))];
}
