import { h, fill } from '../dom.js';

export default {
  id: 'playground',
  title: 'Playground',
  path: 'playground',
  order: 70,
  nav: true,
  admin: false,
  render({ el, api }) {
    const chatModel = h('select#p-model', { name: 'model' });
    const maxTokens = h('input#p-max-tokens', { type: 'number', min: 1, value: '64' });
    const sessionSelect = h('select#p-session', h('option', { value: '' }, 'none (not stored)'));
    const transcript = h('ol.messages#p-transcript', { 'aria-live': 'polite' });
    const prompt = h('textarea#p-prompt', { rows: 3, placeholder: 'Say something… (Ctrl+Enter sends)' });
    const send = h('button.primary#p-send', { type: 'submit' }, 'Send');
    const stop = h('button#p-stop', { type: 'button', hidden: true }, 'Stop');
    const chatError = h('p.error', { role: 'alert', hidden: true });
    const history = [];
    let controller = null;

    const chatForm = h('form.chat#chat-form',
      h('div.filters',
        h('div.field', h('label', { for: 'p-model' }, 'Model'), chatModel),
        h('div.field', h('label', { for: 'p-max-tokens' }, 'Max tokens'), maxTokens),
        h('div.field', h('label', { for: 'p-session' }, 'Store in session'), sessionSelect)),
      transcript,
      h('label.visually-hidden', { for: 'p-prompt' }, 'Message'), prompt,
      chatError,
      h('div.actions', send, stop,
        h('button', { type: 'button', onclick: () => { history.length = 0; fill(transcript); } }, 'Clear')));

    const embedModel = h('select#e-model', { name: 'model' });
    const textA = h('textarea#e-a', { rows: 2, placeholder: 'first text' });
    const textB = h('textarea#e-b', { rows: 2, placeholder: 'second text' });
    const similarity = h('p#e-result', { 'aria-live': 'polite' });
    const embedForm = h('form.embed#embed-form',
      h('div.field', h('label', { for: 'e-model' }, 'Embedding model'), embedModel),
      h('div.field', h('label', { for: 'e-a' }, 'Text A'), textA),
      h('div.field', h('label', { for: 'e-b' }, 'Text B'), textB),
      h('div.actions', h('button.primary#e-submit', { type: 'submit' }, 'Compare')),
      similarity);

    el.append(h('h1', 'Playground'),
      h('div.columns.playground',
        h('section', { 'aria-labelledby': 'p-chat' }, h('h2#p-chat', 'Chat (streaming)'), chatForm),
        h('section', { 'aria-labelledby': 'p-embed' }, h('h2#p-embed', 'Embeddings: cosine similarity'), embedForm)));

    api.get('/v1/models').then(view => {
      const llm = view.data.filter(m => m.engine_kind !== 'embedding');
      const emb = view.data.filter(m => m.engine_kind === 'embedding');
      const option = m => h('option', { value: m.id }, `${m.id} (${m.ready_engines} ready)`);
      fill(chatModel, llm.length ? llm.map(option) : h('option', { value: '' }, 'no chat model'));
      fill(embedModel, emb.length ? emb.map(option) : h('option', { value: '' }, 'no embedding model'));
    }).catch(e => { chatError.textContent = e.message; chatError.hidden = false; });
    api.get('/v1/sessions').then(view => {
      for (const s of view.sessions) sessionSelect.append(h('option', { value: s.id }, s.title || s.id));
    }).catch(() => { /* sessions are optional here */ });

    prompt.addEventListener('keydown', e => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); chatForm.requestSubmit(); }
    });
    stop.addEventListener('click', () => controller && controller.abort());

    chatForm.addEventListener('submit', async e => {
      e.preventDefault();
      const text = prompt.value.trim();
      if (!text || controller) return;
      chatError.hidden = true;
      prompt.value = '';
      history.push({ role: 'user', content: text });
      transcript.append(h('li.message.user', h('div.role', 'you'), h('div.content', text)));
      const content = h('div.content#p-reply');
      const reply = h('li.message.assistant', { dataset: { streaming: 'true' } }, h('div.role', chatModel.value), content);
      transcript.querySelectorAll('#p-reply').forEach(x => x.removeAttribute('id'));
      transcript.append(reply);
      controller = new AbortController();
      send.disabled = true;
      stop.hidden = false;
      let answer = '';
      try {
        const body = { model: chatModel.value, messages: sessionSelect.value ? [history[history.length - 1]] : history, stream: true, max_tokens: Number(maxTokens.value) || 64 };
        if (sessionSelect.value) body.session_id = sessionSelect.value;
        const response = await api.request('POST', '/v1/chat/completions', body, { raw: true, signal: controller.signal, accept: 'text/event-stream' });
        for await (const event of api.sse(response)) {
          if (event.data === '[DONE]') break;
          const chunk = JSON.parse(event.data);
          if (chunk.error) throw new Error(chunk.error.message);
          const delta = chunk.choices?.[0]?.delta?.content || '';
          answer += delta;
          content.textContent = answer;
          transcript.scrollTop = transcript.scrollHeight;
        }
        history.push({ role: 'assistant', content: answer });
      } catch (err) {
        if (err.name !== 'AbortError') {
          chatError.textContent = err.message;
          chatError.hidden = false;
        }
      } finally {
        reply.dataset.streaming = 'false';
        controller = null;
        send.disabled = false;
        stop.hidden = true;
      }
    });

    embedForm.addEventListener('submit', async e => {
      e.preventDefault();
      similarity.className = '';
      similarity.textContent = 'Embedding…';
      try {
        const view = await api.post('/v1/embeddings', { model: embedModel.value, input: [textA.value, textB.value] });
        const [a, b] = [...view.data].sort((x, y) => x.index - y.index).map(d => d.embedding);
        const value = cosine(a, b);
        fill(similarity, 'Cosine similarity: ', h('strong#e-cosine', value.toFixed(4)), h('span.muted', ` (${a.length} dimensions)`));
      } catch (err) {
        similarity.className = 'error';
        similarity.textContent = err.message;
      }
    });

    return () => controller && controller.abort();
  },
};

export function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
