// DOM helpers. Every value goes into the page as a text node or an attribute,
// never parsed as markup.

// h builds an element: h('a', {href: x, class: 'y', onclick: f}, 'text', child...).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// link is an in-app link: the router handles the click without a reload.
export function link(href, ...children) {
  return h('a', {href, 'data-nav': true}, ...children);
}

export function fmtTime(t) {
  if (!t) return '';
  const d = new Date(t);
  if (isNaN(d)) return String(t);
  return d.toLocaleString(undefined, {year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

export function ago(t) {
  const s = Math.round((Date.now() - new Date(t).getTime()) / 1000);
  if (!isFinite(s)) return '';
  if (s < 5) return 'just now';
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' min ago';
  if (s < 86400) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' d ago';
}

export function timeEl(t) {
  return t ? h('time', {datetime: t, title: fmtTime(t)}, ago(t)) : '';
}

export function fmtBytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KB';
  return (n / (1 << 20)).toFixed(1) + ' MB';
}

// address and displayName read an endpoint in either spelling the API uses:
// {Address, DisplayName} (contact endpoints) or {address, displayName} (customer).
export function address(e) {
  return e ? e.Address || e.address || '' : '';
}

function displayName(e) {
  return e ? e.DisplayName || e.displayName || '' : '';
}

// phrase writes a display name as RFC 5322 does: a name with a special
// character (a comma, say) is a quoted string, so "Support, Example Inc."
// does not read as two addresses. Non-ASCII text stays as it is (RFC 6532).
export function phrase(name) {
  if (!/[()<>[\]:;@\\,."]/.test(name) && name.trim() === name) return name;
  return '"' + name.replace(/[\\"]/g, '\\$&') + '"';
}

// mailbox is an endpoint as a mailbox: "Name" <address>, or the bare address.
export function mailbox(e) {
  if (!e) return '';
  const name = displayName(e);
  return name ? phrase(name) + ' <' + address(e) + '>' : address(e);
}

export function stateBadge(s) {
  return h('span', {class: 'badge state-' + String(s || '').toLowerCase()}, s || '?');
}

export function section(title, ...children) {
  return h('section', {class: 'card'}, h('h2', null, title), ...children);
}

// table builds a table; every cell is labelled with its column's header, so
// that on a narrow screen a row can stack as "label: value" lines.
export function table(headers, rows, cls) {
  const body = h('tbody', null, rows);
  labelCells(headers, body);
  return h('div', {class: 'table-scroll'}, h('table', {class: cls || ''},
    h('thead', null, h('tr', null, headers.map((x) => h('th', {scope: 'col'}, x)))), body));
}

// labelCells sets data-label on the cells of each row of tbody from headers.
export function labelCells(headers, tbody) {
  for (const tr of tbody.rows) labelRow(headers, tr);
}

// labelRow sets data-label on the cells of one row from headers.
export function labelRow(headers, tr) {
  [...tr.cells].forEach((td, i) => { if (headers[i]) td.dataset.label = headers[i]; });
  return tr;
}

export function kv(pairs) {
  return h('dl', {class: 'kv'}, pairs.filter((p) => p[1] !== undefined && p[1] !== null && p[1] !== '' &&
    !(Array.isArray(p[1]) && p[1].length === 0)).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

export function errorBox(err) {
  return h('div', {class: 'error', role: 'alert'}, String(err && err.message ? err.message : err));
}

export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
