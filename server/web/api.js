// Calls to yomiage's HTTP API, with the server's error message kept (never a silent failure).

/** An error answered by the server, with its message for people. */
export class ApiError extends Error {
  constructor(status, message, detail) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

/** The one-line message of an error body: VOICEVOX's `detail` (string, FastAPI's list, or
 * the kana parser's object with its position) or OpenAI's `error.message`. */
export function errorMessage(status, body) {
  const d = body && body.detail;
  if (typeof d === 'string') return d;
  if (Array.isArray(d)) {
    return d.map((e) => `${(e.loc || []).join('.')}: ${e.msg}`).join(' / ');
  }
  if (d && typeof d === 'object' && d.text) {
    const pos = d.error_args && d.error_args.position;
    return pos ? `${d.text}（${pos} 文字目）` : d.text;
  }
  if (body && body.error && body.error.message) return body.error.message;
  return `HTTP ${status}`;
}

/**
 * `method path?params` with an optional JSON body. Answers the parsed JSON, the text, or a
 * Blob (`as: 'blob'`); throws ApiError with the server's message otherwise.
 */
export async function api(method, path, { params, body, as } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) url.searchParams.set(k, String(v));
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, `サーバーに接続できません: ${e.message}`);
  }
  if (!r.ok) {
    let parsed = null;
    const text = await r.text();
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { detail: text || undefined };
    }
    throw new ApiError(r.status, errorMessage(r.status, parsed), parsed && parsed.detail);
  }
  if (as === 'blob') return r.blob();
  if (r.status === 204) return null;
  const type = r.headers.get('content-type') || '';
  return type.includes('json') ? r.json() : r.text();
}

/** The voices as `[{id, name}]` (one style per speaker in yomiage). */
export async function voices() {
  const list = await api('GET', '/speakers');
  return list.flatMap((s) => s.styles.map((st) => ({ id: st.id, name: s.name })));
}

/** Offers `blob` as a download named `name`. */
export function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
