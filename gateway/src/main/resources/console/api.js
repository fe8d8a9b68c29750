// Calls to the gateway's API with the console session: the cookie goes by itself (same origin),
// the CSRF token from sign-in goes in a header on everything that changes state.

let csrfToken = null;

export function setCsrf(token) {
  csrfToken = token;
}

/** An error answer, in the gateway's OpenAI shape: message, type, param, code. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.type = error?.type;
    this.param = error?.param;
    this.code = error?.code;
  }
}

export async function request(method, path, body, options = {}) {
  const headers = { Accept: options.accept || 'application/json', ...(options.headers || {}) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!['GET', 'HEAD'].includes(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
    signal: options.signal,
  });
  if (!response.ok) {
    let error = null;
    try { error = (await response.json()).error; } catch { /* not JSON */ }
    if (response.status === 401 && !options.signIn) {
      window.dispatchEvent(new CustomEvent('sage:signed-out', { detail: error?.message }));
    }
    throw new ApiError(response.status, error);
  }
  if (options.raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path, options) => request('GET', path, undefined, options);
export const post = (path, body, options) => request('POST', path, body === undefined ? {} : body, options);
export const del = (path, options) => request('DELETE', path, undefined, options);

/** Reads a streamed text body chunk by chunk (as the server flushes it). */
export async function* chunks(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}

/** Reads a server-sent event stream from a fetch response: yields {event, data} per event. */
export async function* sse(response) {
  let buffer = '';
  for await (const chunk of chunks(response)) {
    buffer += chunk;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) yield { event, data: data.join('\n') };
    }
  }
}
