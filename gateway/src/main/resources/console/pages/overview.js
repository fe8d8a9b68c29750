import { h, fill, svg, badge, table } from '../dom.js';
import { gpuBar } from './gpus.js';

const STATES = ['STARTING', 'READY', 'UNHEALTHY', 'DRAINING', 'STOPPED', 'ERROR'];

export default {
  id: 'overview',
  title: 'Overview',
  path: 'overview',
  order: 10,
  nav: true,
  admin: true,
  render({ el, api, live, navigate }) {
    const states = h('div.cards');
    const models = h('div');
    const gpus = h('div');
    const traffic = h('div.traffic');
    const plugins = h('div#ov-plugins-body');
    el.append(
      h('h1', 'Overview'),
      h('section', { 'aria-labelledby': 'ov-engines' }, h('h2#ov-engines', 'Engines'), states),
      h('div.columns',
        h('section', { 'aria-labelledby': 'ov-models' }, h('h2#ov-models', 'Models'), models),
        h('section', { 'aria-labelledby': 'ov-gpus' }, h('h2#ov-gpus', 'GPUs'), gpus)),
      h('section', { 'aria-labelledby': 'ov-traffic' }, h('h2#ov-traffic', 'Traffic, last minutes'), traffic),
      h('section', { 'aria-labelledby': 'ov-plugins' }, h('h2#ov-plugins', 'Plugins'), plugins));

    function renderEngines() {
      const engines = live.all();
      const counts = Object.fromEntries(STATES.map(s => [s, 0]));
      for (const e of engines) counts[e.state] = (counts[e.state] || 0) + 1;
      fill(states, ...STATES.map(s => h('a.card', { href: '#/engines', dataset: { state: s } },
        h('span.count', String(counts[s])), badge(s))));
      const byModel = new Map();
      for (const e of engines) {
        const name = e.served_model_name || e.model;
        const m = byModel.get(name) || { name, kind: e.engine_kind, ready: 0, total: 0 };
        m.total++;
        if (e.state === 'READY') m.ready++;
        byModel.set(name, m);
      }
      fill(models, byModel.size === 0
        ? h('p.muted', 'No engines yet. ', h('a', { href: '#/start' }, 'Start one.'))
        : table(['Model', 'Kind', 'READY'], [...byModel.values()].map(m =>
          h('tr', { dataset: { model: m.name } }, h('td', m.name), h('td', m.kind),
            h('td', h('span.ready-count', `${m.ready} / ${m.total}`))))));
    }

    async function renderGpus() {
      try {
        const view = await api.get('/v1/management/gpu');
        fill(gpus, view.gpus.length === 0
          ? h('p.muted', `Provider ${view.provider}: ${view.status || 'no GPUs'}`)
          : view.gpus.map(g => h('div.gpu', h('div.gpu-name', `#${g.index} ${g.name}`), gpuBar(g))));
      } catch (e) {
        fill(gpus, h('p.error', e.message));
      }
    }

    async function renderTraffic() {
      try {
        const view = await api.get('/v1/management/traffic');
        if (!view.enabled) {
          fill(traffic, h('p.muted', 'Metrics are switched off (sage.metrics.enabled=false).'));
          return;
        }
        const s = view.samples;
        const lastOf = key => (s.length ? s[s.length - 1][key] : null);
        fill(traffic,
          chart('Requests / s', s.map(x => x.requests_per_second), lastOf('requests_per_second')),
          chart('Errors / s (5xx)', s.map(x => x.server_errors_per_second), lastOf('server_errors_per_second'), 'bad'),
          chart('Time to first byte (ms)', s.map(x => x.first_byte_ms), lastOf('first_byte_ms')),
          h('p.muted.small', `${s.length} samples, one every ${view.interval_seconds} s, from the gateway's own meters.`));
      } catch (e) {
        fill(traffic, h('p.error', e.message));
      }
    }

    async function renderPlugins() {
      try {
        const status = await api.get('/v1/management/status');
        const broken = status.plugins.filter(p => p.error);
        fill(plugins,
          h('p', `${status.plugins.length} plugins, runtimes: ${status.runtimes.join(', ')}; gateway ${status.version}, up ${Math.round(status.uptime_seconds / 60)} min.`),
          broken.length === 0 ? h('p.muted', 'No plugin load errors.')
            : table(['Plugin', 'State', 'Load error'], broken.map(p =>
              h('tr', h('td', p.id), h('td', p.state), h('td.error', p.error)))));
      } catch (e) {
        fill(plugins, h('p.error', e.message));
      }
    }

    renderEngines();
    renderGpus();
    renderTraffic();
    renderPlugins();
    const unsubscribe = live.subscribe(renderEngines);
    const timers = [setInterval(renderTraffic, 5000), setInterval(renderGpus, 10000)];
    return () => { unsubscribe(); timers.forEach(clearInterval); };
  },
};

/** A small bar chart of the samples, newest on the right. */
function chart(title, values, current, tone) {
  const width = 300;
  const height = 60;
  const n = Math.max(values.length, 1);
  const max = Math.max(1e-9, ...values.map(v => v || 0));
  const bar = width / Math.max(n, 24);
  const bars = values.map((v, i) => {
    const bh = v ? Math.max(1, (v / max) * (height - 4)) : 0;
    return svg('rect', { x: (i + Math.max(0, 24 - n)) * bar, y: height - bh, width: Math.max(1, bar - 1), height: bh, class: tone ? `bar ${tone}` : 'bar' });
  });
  return h('figure.chart',
    h('figcaption', h('span', title), h('strong', current === null || current === undefined ? '—' : String(current))),
    svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, preserveAspectRatio: 'none' }, ...bars));
}
