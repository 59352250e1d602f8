// The inspection API client (/api/v1, package inspect).

export const API = '/api/v1';

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// url is the absolute URL of an API path with its query parameters (empty ones left out).
export function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return location.origin + API + path + (s ? '?' + s : '');
}

// api fetches an API path and returns its JSON body; a failure throws APIError.
export async function api(path, params, init) {
  const res = await fetch(url(path, params), Object.assign({credentials: 'same-origin', headers: {Accept: 'application/json'}}, init));
  if (res.status === 204) return null;
  let body = null;
  const text = await res.text();
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!res.ok) throw new APIError(res.status, (body && body.error) || res.status + ' ' + res.statusText);
  return body;
}

export const seg = encodeURIComponent;
