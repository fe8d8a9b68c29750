import { h, fill, table } from '../dom.js';

/** Memory as one bar: used, reserved for engines (not yet used), free. */
export function gpuBar(g) {
  const total = Math.max(1, g.memory_total_mib);
  const used = Math.min(total, g.memory_used_mib);
  const reserved = Math.min(total - used, g.memory_reserved_mib || 0);
  const free = Math.max(0, total - used - reserved);
  const seg = (cls, mib) => {
    const el = h(`span.${cls}`, { title: `${cls}: ${mib} MiB` });
    el.style.width = `${(mib / total) * 100}%`; // CSSOM, allowed by the CSP (no inline style attribute)
    return el;
  };
  return h('div.gpubar-wrap',
    h('div.gpubar', { role: 'img', 'aria-label': `used ${used} MiB, reserved ${reserved} MiB, free ${free} MiB of ${total} MiB` },
      seg('used', used), seg('reserved', reserved), seg('free', free)),
    h('div.legend.small',
      h('span.key.used', `used ${gib(used)}`), h('span.key.reserved', `reserved ${gib(reserved)}`),
      h('span.key.free', `free ${gib(free)}`), h('span.muted', `of ${gib(total)}`)));
}

const gib = mib => `${(mib / 1024).toFixed(1)} GiB`;

export default {
  id: 'gpus',
  title: 'GPUs',
  path: 'gpus',
  order: 40,
  nav: true,
  admin: true,
  render({ el, api }) {
    const body = h('div');
    el.append(h('h1', 'GPUs'), body);
    async function load() {
      try {
        const view = await api.get('/v1/management/gpu');
        fill(body,
          h('p', 'Provider ', h('strong', view.provider), view.status ? ` — ${view.status}` : ''),
          view.gpus.length === 0 ? h('p.muted', 'No GPUs.') : table(
            ['GPU', 'Memory', 'Utilization', 'Temperature', 'Power', 'Engines'],
            view.gpus.map(g => h('tr', { dataset: { gpu: g.index } },
              h('td', h('strong', `#${g.index}`), ' ', g.name, h('div.muted.small', g.uuid)),
              h('td.wide', gpuBar(g)),
              h('td', g.utilization_pct === null ? '—' : `${g.utilization_pct} %`),
              h('td', g.temperature_c === null || g.temperature_c === undefined ? '—' : `${g.temperature_c} °C`),
              h('td', g.power_w === null || g.power_w === undefined ? '—' : `${g.power_w} W`),
              h('td', g.engine_ids.map(id => h('a', { href: `#/engines/${id}` }, id, ' ')))))));
      } catch (e) {
        fill(body, h('p.error', { role: 'alert' }, `${e.status || ''} ${e.message}`));
      }
    }
    load();
    const timer = setInterval(load, 10000);
    return () => clearInterval(timer);
  },
};
