import { h, fill, badge } from '../dom.js';

// The launch form posts exactly what the API takes; the API's validation (the host's and the
// runtime's) is the only validation, and each problem it reports is shown next to its field.
const FIELDS = [
  { name: 'runtime', label: 'Runtime', kind: 'select' },
  { name: 'engine_kind', label: 'Engine kind', kind: 'select', choices: ['llm', 'embedding'] },
  { name: 'model', label: 'Model', placeholder: 'e.g. mock-llm or Qwen/Qwen2.5-0.5B-Instruct', required: true },
  { name: 'served_model_name', label: 'Served model name', placeholder: 'defaults to the model' },
  { name: 'label', label: 'Label' },
  { name: 'port', label: 'Port', type: 'number', placeholder: 'allocated when empty' },
  { name: 'tensor_parallel_size', label: 'Tensor parallel size', type: 'number', placeholder: '1' },
  { name: 'gpu_ids', label: 'GPU ids', placeholder: 'e.g. 0,1 (placed when empty)' },
  { name: 'use_gpu', label: 'Use GPUs', kind: 'select', choices: ['', 'true', 'false'], labels: ['runtime default', 'yes', 'no'] },
  { name: 'extra_args', label: 'Extra arguments', kind: 'textarea', placeholder: 'one per line' },
];

export default {
  id: 'start',
  title: 'Start an engine',
  path: 'start',
  order: 30,
  nav: true,
  admin: true,
  render({ el, api, live }) {
    const inputs = {};
    const errors = {};
    const general = h('div.error#start-errors', { role: 'alert', hidden: true });
    const optionRows = h('div#options');
    const progress = h('section.progress#progress', { 'aria-live': 'polite', hidden: true });

    const form = h('form.form#start-form', { novalidate: true });
    for (const f of FIELDS) {
      const id = `f-${f.name}`;
      let input;
      if (f.kind === 'select') {
        input = h('select', { id, name: f.name }, (f.choices || []).map((c, i) => h('option', { value: c }, f.labels ? f.labels[i] : c)));
      } else if (f.kind === 'textarea') {
        input = h('textarea', { id, name: f.name, rows: 2, placeholder: f.placeholder });
      } else {
        input = h('input', { id, name: f.name, type: f.type || 'text', placeholder: f.placeholder, required: f.required });
      }
      const error = h('p.field-error', { id: `${id}-error`, hidden: true });
      input.setAttribute('aria-describedby', error.id);
      inputs[f.name] = input;
      errors[f.name] = error;
      form.append(h('div.field', { dataset: { field: f.name } }, h('label', { for: id }, f.label), input, error));
    }
    form.append(
      h('fieldset.field', h('legend', 'Options'), h('p.muted.small', "The runtime's options, e.g. latency_ms or tokens_per_second for mock; it checks them."),
        optionRows,
        h('button#add-option', { type: 'button', onclick: () => addOption('', '') }, 'Add option')),
      general,
      h('div.actions', h('button.primary#start-submit', { type: 'submit' }, 'Start')));
    el.append(h('h1', 'Start an engine'), form, progress);

    function addOption(key, value) {
      const n = optionRows.children.length;
      const keyInput = h('input.option-key', { 'aria-label': `option ${n + 1} name`, placeholder: 'name', value: key });
      const valueInput = h('input.option-value', { 'aria-label': `option ${n + 1} value`, placeholder: 'value', value });
      const error = h('p.field-error', { hidden: true });
      const row = h('div.option-row', keyInput, valueInput,
        h('button.ghost', { type: 'button', 'aria-label': 'remove option', onclick: () => row.remove() }, '×'), error);
      row.dataset.error = '';
      optionRows.append(row);
      return row;
    }

    api.get('/v1/management/status').then(status => {
      fill(inputs.runtime, status.runtimes.map(r => h('option', { value: r }, r)));
    }).catch(e => showGeneral([e.message]));

    function body() {
      const value = name => inputs[name].value.trim();
      const out = {};
      for (const name of ['runtime', 'engine_kind', 'model', 'served_model_name', 'label']) {
        if (value(name)) out[name] = value(name);
      }
      for (const name of ['port', 'tensor_parallel_size']) {
        if (value(name)) out[name] = Number.isInteger(Number(value(name))) ? Number(value(name)) : value(name);
      }
      if (value('gpu_ids')) out.gpu_ids = value('gpu_ids').split(',').map(s => (s.trim() === '' || isNaN(Number(s)) ? s.trim() : Number(s)));
      if (value('use_gpu')) out.use_gpu = value('use_gpu') === 'true';
      if (value('extra_args')) out.extra_args = value('extra_args').split('\n').map(s => s.trim()).filter(Boolean);
      const options = {};
      for (const row of optionRows.children) {
        const k = row.querySelector('.option-key').value.trim();
        if (k) options[k] = row.querySelector('.option-value').value;
      }
      if (Object.keys(options).length) out.options = options;
      return out;
    }

    function clearErrors() {
      for (const e of Object.values(errors)) { e.hidden = true; e.textContent = ''; }
      for (const row of optionRows.children) { const e = row.querySelector('.field-error'); e.hidden = true; e.textContent = ''; }
      for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
      general.hidden = true;
    }

    function showGeneral(problems) {
      fill(general, h('ul', problems.map(p => h('li', p))));
      general.hidden = false;
    }

    function showProblems(error) {
      const problems = splitProblems(error.message);
      const unplaced = [];
      for (const problem of problems) {
        const target = placeProblem(problem, error.param);
        if (!target) { unplaced.push(problem); continue; }
        target.error.textContent = target.error.textContent ? `${target.error.textContent} ${problem}` : problem;
        target.error.hidden = false;
        target.input.setAttribute('aria-invalid', 'true');
      }
      if (unplaced.length) showGeneral(unplaced);
      const first = form.querySelector('[aria-invalid]');
      if (first) first.focus();
    }

    function placeProblem(problem, param) {
      const option = problem.match(/^option(?: name)? '([^']+)'/) || problem.match(/^options?\.([A-Za-z0-9_.-]+)/) || problem.match(/^option ([a-z0-9_.-]+) /);
      if (option) {
        for (const row of optionRows.children) {
          if (row.querySelector('.option-key').value.trim() === option[1]) {
            return { input: row.querySelector('.option-value'), error: row.querySelector('.field-error') };
          }
        }
      }
      const field = problem.match(/^([a-z_]+)\b/);
      const name = field && errors[field[1]] ? field[1] : (param && errors[param] ? param : null);
      return name ? { input: inputs[name], error: errors[name] } : null;
    }

    let unsubscribe = null;
    function watch(engine) {
      if (unsubscribe) unsubscribe();
      const watching = { settled: false };
      progress.hidden = false;
      const state = h('span#progress-state', badge(engine.state));
      const steps = h('ol.timeline');
      const lastLine = h('pre.log.small#progress-log');
      fill(progress, h('h2', 'Starting ', h('a#progress-link', { href: `#/engines/${engine.id}` }, engine.id)),
        h('p', 'State: ', state), steps, h('p.muted.small', 'Last log line:'), lastLine);
      const step = e => steps.append(h('li', e.from ? badge(e.from) : null, e.from ? ' → ' : null, badge(e.to), h('div.reason', e.reason)));
      step({ from: null, to: engine.state, reason: 'launch accepted' });
      const poll = async () => {
        while (!watching.settled) {
          try {
            const view = await api.get(`/v1/management/engines/${encodeURIComponent(engine.id)}`);
            lastLine.textContent = view.last_log_line || '';
          } catch { /* the state comes from the stream; the log line is a bonus */ }
          await new Promise(r => setTimeout(r, 1000));
        }
      };
      const unsubscribeLive = live.subscribe(change => {
        const e = change.event;
        if (!e || (e.engine_id !== engine.id)) return;
        if (change.type === 'engine.transition') step(e);
        fill(state, badge(e.to || e.engine?.state));
        if (['READY', 'ERROR', 'STOPPED'].includes(e.to)) watching.settled = true;
      });
      unsubscribe = () => { watching.settled = true; unsubscribeLive(); };
      const known = live.engine(engine.id);
      if (known && known.state !== engine.state) fill(state, badge(known.state));
      poll();
    }

    form.addEventListener('submit', async e => {
      e.preventDefault();
      clearErrors();
      const submit = form.querySelector('#start-submit');
      submit.disabled = true;
      try {
        const engine = await api.post('/v1/management/engines', body());
        watch(engine);
      } catch (err) {
        if (err.status === 400) showProblems(err);
        else showGeneral([`${err.status || ''} ${err.message}`]);
      } finally {
        submit.disabled = false;
      }
    });

    return () => { if (unsubscribe) unsubscribe(); };
  },
};

/** "invalid engine request: a; b" → ["a", "b"] */
export function splitProblems(message) {
  const text = String(message || '').replace(/^invalid [a-z ]+: /, '');
  return text.split(/; (?=[a-z_]|option)/).map(s => s.trim()).filter(Boolean);
}
