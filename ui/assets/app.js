// connectmail web UI. Plain DOM, no framework. Every value from the API is put
// into the page with text nodes or attributes, never parsed as markup, and email
// HTML is only shown in a sandboxed iframe that loads the API's inert document.
'use strict';

const API = '/api/v1';
const PAGE_SIZES = [25, 50, 100, 200];
const STATES = ['CREATED', 'QUEUED', 'SENT', 'CAPTURED', 'FAILED', 'STOPPED', 'RECEIVED'];

// ---------- DOM helpers ----------

// h builds an element: h('a', {href: x, class: 'y', onclick: f}, 'text', child...).
function h(tag, attrs, ...children) {
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

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

function link(href, ...children) {
  return h('a', {href, 'data-nav': true}, ...children);
}

function fmtTime(t) {
  if (!t) return '';
  const d = new Date(t);
  if (isNaN(d)) return String(t);
  return d.toLocaleString(undefined, {year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

function ago(t) {
  const s = Math.round((Date.now() - new Date(t).getTime()) / 1000);
  if (!isFinite(s)) return '';
  if (s < 5) return 'just now';
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' min ago';
  if (s < 86400) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' d ago';
}

function timeEl(t) {
  return t ? h('time', {datetime: t, title: fmtTime(t)}, ago(t)) : '';
}

function fmtBytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KB';
  return (n / (1 << 20)).toFixed(1) + ' MB';
}

function endpoint(e) {
  if (!e) return '';
  return e.DisplayName ? e.DisplayName + ' <' + e.Address + '>' : e.Address;
}

function stateBadge(s) {
  return h('span', {class: 'badge state-' + String(s || '').toLowerCase()}, s || '?');
}

function section(title, ...children) {
  return h('section', {class: 'card'}, h('h2', null, title), ...children);
}

function table(headers, rows, cls) {
  return h('table', {class: cls || ''},
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows));
}

function kv(pairs) {
  return h('dl', {class: 'kv'}, pairs.filter((p) => p[1] !== undefined && p[1] !== null && p[1] !== '' &&
    !(Array.isArray(p[1]) && p[1].length === 0)).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function errorBox(err) {
  return h('div', {class: 'error', role: 'alert'}, String(err && err.message ? err.message : err));
}

function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// ---------- API ----------

class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return location.origin + API + path + (s ? '?' + s : '');
}

async function api(path, params, init) {
  const res = await fetch(url(path, params), Object.assign({credentials: 'same-origin', headers: {Accept: 'application/json'}}, init));
  if (res.status === 204) return null;
  let body = null;
  const text = await res.text();
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!res.ok) throw new APIError(res.status, (body && body.error) || res.status + ' ' + res.statusText);
  return body;
}

const seg = encodeURIComponent;

// ---------- live updates (Server-Sent Events over fetch) ----------

// Live reads /api/v1/stream and hands each event ({id, type, data}) to the
// current listeners. It reads the stream with fetch rather than EventSource so
// that every event type arrives without being named in advance; it resumes
// with Last-Event-ID after a disconnect.
class Live {
  constructor(statusEl) {
    this.statusEl = statusEl;
    this.listeners = new Set();
    this.lastId = '';
    this.count = 0;
    this.retry = 1000;
  }

  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  status(text, cls) {
    this.statusEl.textContent = text;
    this.statusEl.className = 'live ' + cls;
    document.documentElement.dataset.live = cls;
  }

  async start() {
    for (;;) {
      try {
        await this.connect();
      } catch (e) {
        // fall through to reconnect
      }
      this.status('reconnecting…', 'down');
      await new Promise((r) => setTimeout(r, this.retry));
      this.retry = Math.min(this.retry * 2, 15000);
    }
  }

  async connect() {
    const headers = {Accept: 'text/event-stream'};
    if (this.lastId) headers['Last-Event-ID'] = this.lastId;
    const res = await fetch(location.origin + API + '/stream', {headers, credentials: 'same-origin', cache: 'no-store'});
    if (!res.ok || !res.body) throw new Error('stream: ' + res.status);
    this.status('live', 'up');
    this.retry = 1000;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let ev = {id: '', type: '', data: []};
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buf += value;
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (ev.data.length) this.dispatch(ev);
          ev = {id: '', type: '', data: []};
          continue;
        }
        if (line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        let val = i < 0 ? '' : line.slice(i + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'id') { ev.id = val; this.lastId = val; }
        else if (field === 'event') ev.type = val;
        else if (field === 'data') ev.data.push(val);
        else if (field === 'retry' && /^\d+$/.test(val)) this.retry = Math.max(500, +val);
      }
    }
  }

  dispatch(ev) {
    let data = null;
    try { data = JSON.parse(ev.data.join('\n')); } catch (e) { return; }
    const detail = (data && data.detail) || {};
    const msg = {id: ev.id, type: ev.type || detail.eventType || 'message', contactId: detail.contactId || '', data};
    this.count++;
    document.documentElement.dataset.liveEvents = String(this.count);
    for (const fn of [...this.listeners]) {
      try { fn(msg); } catch (e) { console.error(e); }
    }
  }
}

// ---------- router ----------

const app = {
  main: null,
  live: null,
  // cleanup of the current page (live listeners, timers).
  leave: [],
};

function navigate(href, replace) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  route();
}

function route() {
  for (const f of app.leave.splice(0)) f();
  const path = location.pathname.replace(/\/+$/, '');
  const parts = path.split('/').slice(2).map(decodeURIComponent); // after /ui
  let section = 'contacts';
  let page;
  if (parts.length === 0 || parts[0] === '' || (parts[0] === 'contacts' && parts.length === 1)) {
    page = contactsPage;
  } else if (parts[0] === 'contacts' && parts.length === 2) {
    page = () => contactPage(parts[1]);
  } else if (parts[0] === 'instances') {
    section = 'instances';
    page = instancesPage;
  } else if (parts[0] === 'templates' && parts.length === 1) {
    section = 'templates';
    page = templatesPage;
  } else if (parts[0] === 'templates' && parts.length === 3) {
    section = 'templates';
    page = () => templatePage(parts[1], parts[2]);
  } else if (parts[0] === 'suppressions') {
    section = 'suppressions';
    page = suppressionsPage;
  } else {
    page = () => { clear(app.main).append(h('h1', null, 'Not found'), h('p', null, link('/ui/', 'Back to contacts'))); };
  }
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.section === section);
  document.documentElement.dataset.page = section;
  window.scrollTo(0, 0);
  Promise.resolve(page()).catch((e) => { clear(app.main).append(errorBox(e)); });
}

function onLive(fn) {
  app.leave.push(app.live.on(fn));
}

// ---------- contacts list ----------

function instanceLabel(instances, id) {
  const i = instances.get(id);
  return i && i.alias ? i.alias : (id || '').slice(0, 8);
}

async function loadInstances() {
  const map = new Map();
  try {
    const res = await api('/instances', {limit: 500});
    for (const i of res.instances) map.set(i.id, i);
  } catch (e) {
    // The list still works without instance names.
  }
  return map;
}

async function contactsPage() {
  const q = new URLSearchParams(location.search);
  const filter = {
    instanceId: q.get('instanceId') || '', state: q.get('state') || '', address: q.get('address') || '',
    q: q.get('q') || '', before: q.get('before') || '', limit: +q.get('limit') || 50,
  };
  if (!PAGE_SIZES.includes(filter.limit)) filter.limit = 50;
  const main = clear(app.main);
  const instances = await loadInstances();

  const instanceSel = h('select', {name: 'instanceId', 'aria-label': 'Instance'}, h('option', {value: ''}, 'All instances'),
    [...instances.values()].map((i) => h('option', {value: i.id}, i.alias || i.id)));
  instanceSel.value = filter.instanceId;
  if (filter.instanceId && !instances.has(filter.instanceId)) {
    instanceSel.append(h('option', {value: filter.instanceId}, filter.instanceId));
    instanceSel.value = filter.instanceId;
  }
  const stateSel = h('select', {name: 'state', 'aria-label': 'State'}, h('option', {value: ''}, 'Any state'), STATES.map((s) => h('option', {value: s}, s)));
  stateSel.value = filter.state.toUpperCase();
  const addr = h('input', {name: 'address', type: 'search', placeholder: 'Address (from or to)', value: filter.address, 'aria-label': 'Address'});
  const search = h('input', {name: 'q', type: 'search', placeholder: 'Search subject, address or contact id', value: filter.q, 'aria-label': 'Search'});
  const sizeSel = h('select', {name: 'limit', 'aria-label': 'Page size'}, PAGE_SIZES.map((n) => h('option', {value: String(n)}, n + ' / page')));
  sizeSel.value = String(filter.limit);

  const apply = (extra) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({instanceId: instanceSel.value, state: stateSel.value, address: addr.value.trim(), q: search.value.trim()})) if (v) p.set(k, v);
    if (sizeSel.value !== '50') p.set('limit', sizeSel.value);
    for (const [k, v] of Object.entries(extra || {})) if (v) p.set(k, v);
    const s = p.toString();
    navigate('/ui/' + (s ? '?' + s : ''));
  };
  const form = h('form', {class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); apply(); }},
    instanceSel, stateSel, addr, search, sizeSel,
    h('button', {type: 'submit'}, 'Filter'),
    h('button', {type: 'button', class: 'secondary', onclick: () => navigate('/ui/')}, 'Clear'));
  for (const s of [instanceSel, stateSel, sizeSel]) s.addEventListener('change', () => apply());

  const tbody = h('tbody');
  const status = h('p', {class: 'muted', id: 'list-status'});
  const pager = h('nav', {class: 'pager', 'aria-label': 'Pages'});
  const banner = h('div', {class: 'banner', hidden: true});
  main.append(h('div', {class: 'title-row'}, h('h1', null, 'Contacts')), form, banner,
    h('div', {class: 'table-wrap'}, h('table', {class: 'list', id: 'contacts'},
      h('thead', null, h('tr', null, ['Time', 'State', 'From', 'To', 'Subject', 'Instance'].map((x) => h('th', null, x)))), tbody)),
    status, pager);

  const rows = new Map();
  let nextCursor = '';

  const renderRow = (m, fresh) => {
    const href = '/ui/contacts/' + seg(m.contactId);
    const tr = h('tr', {class: fresh ? 'row fresh' : 'row', dataset: {id: m.contactId, state: m.state}},
      h('td', {class: 'nowrap'}, timeEl(m.initiatedAt)),
      h('td', null, stateBadge(m.state)),
      h('td', {class: 'ellipsis', title: endpoint(m.from)}, m.from ? m.from.Address : ''),
      h('td', {class: 'ellipsis', title: endpoint(m.to)}, m.to ? m.to.Address : '', m.cc && m.cc.length ? h('span', {class: 'muted'}, ' +' + m.cc.length + ' cc') : ''),
      h('td', {class: 'ellipsis subject'}, link(href, m.subject || '(no subject)'),
        m.notInterpolated && m.notInterpolated.length ? h('span', {class: 'badge warn', title: 'Unresolved placeholders'}, '{{…}}') : ''),
      h('td', {class: 'ellipsis muted'}, instanceLabel(instances, m.instanceId)));
    tr.addEventListener('click', (e) => {
      if (e.target.closest('a') || window.getSelection().toString()) return;
      navigate(href);
    });
    return tr;
  };

  const load = async (highlight) => {
    const res = await api('/messages', {instanceId: filter.instanceId, state: filter.state, address: filter.address, q: filter.q, before: filter.before, limit: filter.limit});
    const old = new Set(rows.keys());
    rows.clear();
    clear(tbody);
    for (const m of res.messages) {
      const tr = renderRow(m, highlight && !old.has(m.contactId));
      rows.set(m.contactId, tr);
      tbody.append(tr);
    }
    nextCursor = res.next || '';
    status.textContent = res.messages.length === 0 ? 'No contacts match.' :
      'Showing ' + res.messages.length + (filter.before ? ' older' : ' newest') + ' contacts' + (nextCursor ? '; more are older.' : '.');
    clear(pager);
    if (filter.before) pager.append(h('button', {type: 'button', class: 'secondary', id: 'newest', onclick: () => apply()}, '« Newest'));
    if (nextCursor) pager.append(h('button', {type: 'button', id: 'older', onclick: () => apply({before: nextCursor})}, 'Older »'));
    document.documentElement.dataset.rows = String(res.messages.length);
  };
  await load(false);

  // Live: refresh changed rows in place; on the first page, new contacts appear at the top.
  const refreshFirst = debounce(() => load(true).catch(() => {}), 250);
  const pending = new Set();
  const refreshRows = debounce(async () => {
    const ids = [...pending];
    pending.clear();
    for (const id of ids) {
      const old = rows.get(id);
      if (!old) continue;
      try {
        const m = await api('/messages/' + seg(id));
        const tr = renderRow(m, true);
        old.replaceWith(tr);
        rows.set(id, tr);
      } catch (e) { /* gone or transient: keep the row */ }
    }
  }, 200);
  let missed = 0;
  onLive((ev) => {
    if (!ev.contactId) return;
    if (rows.has(ev.contactId)) {
      pending.add(ev.contactId);
      refreshRows();
    } else if (!filter.before) {
      refreshFirst();
    } else if (ev.type === 'INITIATED') {
      missed++;
      banner.hidden = false;
      clear(banner).append(missed + ' new contact' + (missed > 1 ? 's' : '') + ' since this page was loaded. ',
        h('button', {type: 'button', class: 'linkish', onclick: () => apply()}, 'Show newest'));
    }
  });
  const tick = setInterval(() => { for (const t of tbody.querySelectorAll('time')) t.textContent = ago(t.getAttribute('datetime')); }, 30000);
  app.leave.push(() => clearInterval(tick));
}

// ---------- contact detail ----------

async function contactPage(id) {
  const main = clear(app.main);
  main.append(h('p', {class: 'muted'}, 'Loading…'));
  let tab = 'preview';
  let remote = false;
  const render = async () => {
    const [d, parts, related] = await Promise.all([
      api('/messages/' + seg(id)),
      api('/messages/' + seg(id) + '/parts').catch((e) => (e.status === 404 ? null : {error: e})),
      api('/messages/' + seg(id) + '/related').catch(() => ({related: []})),
    ]);
    clear(main);
    main.append(
      h('p', {class: 'crumbs'}, link('/ui/', '« Contacts')),
      h('div', {class: 'title-row'}, h('h1', {id: 'subject'}, d.subject || '(no subject)'), stateBadge(d.state)),
      envelope(d),
      messageView(d, parts, () => tab, (t) => { tab = t; }, () => remote, (r) => { remote = r; }),
      h('div', {class: 'grid2'},
        attemptsSection(d.attempts),
        timelineSection(d.events)),
      relatedSection(related.related),
      attributesSection(d.attributes));
    document.documentElement.dataset.contactState = d.state;
    document.documentElement.dataset.events = String(d.events.length);
  };
  await render();
  const again = debounce(() => render().catch(() => {}), 250);
  onLive((ev) => { if (ev.contactId === id) again(); });
}

function envelope(d) {
  return section('Envelope', kv([
    ['Contact ID', h('code', null, d.contactId)],
    ['From', endpoint(d.from)],
    ['To', endpoint(d.to)],
    ['Cc', (d.cc || []).map(endpoint).join(', ')],
    ['SMTP envelope', d.envelopeFrom ? 'MAIL FROM ' + d.envelopeFrom + ' → RCPT TO ' + (d.recipients || []).join(', ') : ''],
    ['Message-ID', d.messageId ? h('code', null, d.messageId) : ''],
    ['Instance', link('/ui/?instanceId=' + seg(d.instanceId), d.instanceId)],
    ['Initiation', d.initiationMethod],
    ['Source', d.source],
    ['Template', d.templateRef ? h('code', null, d.templateRef) : ''],
    ['Unresolved placeholders', d.notInterpolated && d.notInterpolated.length ? h('span', {class: 'warn-text'}, d.notInterpolated.join(', ')) : ''],
    ['Initiated', fmtTime(d.initiatedAt)],
    ['Updated', fmtTime(d.updatedAt)],
    ['Disconnected', d.disconnectedAt ? fmtTime(d.disconnectedAt) : ''],
    ['Disconnect reason', d.disconnectReason],
    ['Size', d.size ? fmtBytes(d.size) : ''],
  ]));
}

function messageView(d, parts, getTab, setTab, getRemote, setRemote) {
  const sec = h('section', {class: 'card message'});
  if (!parts) {
    sec.append(h('h2', null, 'Message'), h('p', {class: 'muted'}, 'No message was composed for this contact yet.'));
    return sec;
  }
  if (parts.error) {
    sec.append(h('h2', null, 'Message'), errorBox(parts.error));
    return sec;
  }
  const base = API + '/messages/' + seg(d.contactId);
  const tabs = [
    ['preview', 'Preview'], ['text', 'Plain text'], ['headers', 'Headers (' + parts.headers.length + ')'],
    ['source', 'Source'], ['attachments', 'Attachments (' + parts.attachments.length + ')'],
  ];
  const bar = h('div', {class: 'tabs', role: 'tablist'});
  const body = h('div', {class: 'tab-body'});
  const show = (name) => {
    setTab(name);
    for (const b of bar.children) b.setAttribute('aria-selected', String(b.dataset.tab === name));
    clear(body);
    if (name === 'preview') {
      const frame = h('iframe', {
        id: 'preview', title: 'Message preview', sandbox: '', referrerpolicy: 'no-referrer', loading: 'lazy',
        src: base + '/html' + (getRemote() ? '?remote=1' : ''),
      });
      const tools = h('div', {class: 'toolbar'});
      if (parts.remoteContent > 0 && !getRemote()) {
        tools.append(h('span', {class: 'muted'}, parts.remoteContent + ' remote image' + (parts.remoteContent > 1 ? 's' : '') + ' blocked. '),
          h('button', {type: 'button', class: 'secondary', id: 'load-remote', onclick: () => { setRemote(true); show('preview'); }}, 'Load remote images'));
      } else if (getRemote()) {
        tools.append(h('span', {class: 'muted'}, 'Remote images loaded.'));
      } else {
        tools.append(h('span', {class: 'muted'}, parts.html ? 'HTML part, shown without scripts.' : 'No HTML part; showing the plain text.'));
      }
      body.append(tools, frame);
    } else if (name === 'text') {
      body.append(parts.text ? h('pre', {class: 'text', id: 'plain-text'}, parts.text) : h('p', {class: 'muted'}, 'No plain-text part.'));
    } else if (name === 'headers') {
      body.append(table(['Name', 'Value'], parts.headers.map((f) => h('tr', null, h('th', {scope: 'row'}, f.name), h('td', {class: 'break'}, f.value))), 'headers'));
    } else if (name === 'source') {
      const pre = h('pre', {class: 'source', id: 'source'}, 'Loading…');
      body.append(h('div', {class: 'toolbar'}, h('a', {href: base + '/raw', download: d.contactId + '.eml', class: 'button', id: 'download-raw'}, 'Download .eml')), pre);
      fetch(location.origin + base + '/raw', {credentials: 'same-origin'}).then((r) => r.text()).then((t) => {
        const max = 512 * 1024;
        pre.textContent = t.length > max ? t.slice(0, max) + '\n… (' + fmtBytes(t.length - max) + ' more; download the .eml)' : t;
      }).catch((e) => { pre.textContent = String(e); });
    } else if (name === 'attachments') {
      body.append(parts.attachments.length === 0 ? h('p', {class: 'muted'}, 'No attachments.') :
        table(['Name', 'Type', 'Disposition', 'Size'], parts.attachments.map((a) => h('tr', null,
          h('td', null, h('a', {href: base + '/parts/' + a.index, download: a.filename || ('part-' + a.index)}, a.filename || '(unnamed part ' + a.index + ')')),
          h('td', null, a.contentType), h('td', null, a.disposition || ''), h('td', null, fmtBytes(a.size))))));
    }
  };
  for (const [name, label] of tabs) {
    bar.append(h('button', {type: 'button', role: 'tab', dataset: {tab: name}, onclick: () => show(name)}, label));
  }
  sec.append(h('div', {class: 'title-row'}, h('h2', null, 'Message'), h('a', {href: base + '/raw', download: d.contactId + '.eml', class: 'button secondary'}, 'Raw source (.eml)')), bar, body);
  if (parts.warnings && parts.warnings.length) sec.append(h('p', {class: 'warn-text'}, 'Parser warnings: ' + parts.warnings.join('; ')));
  show(getTab());
  return sec;
}

function attemptsSection(attempts) {
  return section('Delivery attempts', attempts.length === 0 ? h('p', {class: 'muted'}, 'No delivery attempt yet.') :
    table(['#', 'Started', 'Outcome', 'Code', 'Detail'], attempts.map((a) => h('tr', null,
      h('td', null, a.n), h('td', {class: 'nowrap'}, fmtTime(a.startedAt)),
      h('td', null, h('span', {class: 'badge outcome-' + a.outcome}, a.outcome)), h('td', null, a.code || ''),
      h('td', {class: 'break'}, a.detail || '')))));
}

function timelineSection(events) {
  return section('Events', events.length === 0 ? h('p', {class: 'muted'}, 'No events.') :
    h('ol', {class: 'timeline', id: 'timeline'}, events.map((e) => h('li', {dataset: {type: e.type}},
      h('span', {class: 'dot'}),
      h('div', null,
        h('strong', null, e.type), ' ', h('span', {class: 'muted'}, fmtTime(e.time)),
        e.detail && Object.keys(e.detail).length ? h('details', null, h('summary', null, 'detail'), h('pre', null, JSON.stringify(e.detail, null, 2))) : '')))));
}

function relatedSection(related) {
  const labels = {related: 'Related', previous: 'Previous', initial: 'Initial', sameCustomer: 'Same customer'};
  return section('Related contacts', related.length === 0 ? h('p', {class: 'muted'}, 'None.') :
    table(['Relation', 'Time', 'State', 'To', 'Subject'], related.map((r) => {
      const c = r.contact;
      const href = '/ui/contacts/' + seg(r.contactId);
      return h('tr', null, h('td', null, labels[r.relation] || r.relation),
        h('td', {class: 'nowrap'}, c ? timeEl(c.initiatedAt) : ''), h('td', null, c ? stateBadge(c.state) : 'deleted'),
        h('td', {class: 'ellipsis'}, c ? endpoint(c.to) : ''), h('td', {class: 'ellipsis'}, link(href, c ? (c.subject || '(no subject)') : r.contactId)));
    }), 'list related'));
}

function attributesSection(attrs) {
  const keys = Object.keys(attrs || {}).sort();
  if (keys.length === 0) return '';
  return section('Contact attributes', table(['Key', 'Value'], keys.map((k) => h('tr', null, h('td', null, h('code', null, k)), h('td', {class: 'break'}, attrs[k])))));
}

// ---------- instances ----------

async function instancesPage() {
  const q = new URLSearchParams(location.search);
  const main = clear(app.main);
  const res = await api('/instances', {after: q.get('after'), limit: 50});
  main.append(h('div', {class: 'title-row'}, h('h1', null, 'Instances and email addresses')));
  if (res.instances.length === 0) main.append(h('p', {class: 'muted'}, 'No instances. Create one with CreateInstance.'));
  for (const inst of res.instances) {
    const addrs = h('div', null, h('p', {class: 'muted'}, 'Loading email addresses…'));
    main.append(h('section', {class: 'card instance', dataset: {id: inst.id}},
      h('div', {class: 'title-row'}, h('h2', null, inst.alias || inst.id), h('span', {class: 'badge'}, inst.status || ''),
        link('/ui/?instanceId=' + seg(inst.id), 'Contacts »')),
      kv([['ID', h('code', null, inst.id)], ['ARN', h('code', null, inst.arn)], ['Identity management', inst.identityManagementType],
        ['Created', fmtTime(inst.createdAt)], ['Calls', (inst.inboundCallsEnabled ? 'inbound ' : '') + (inst.outboundCallsEnabled ? 'outbound' : '')]]),
      addrs));
    api('/instances/' + seg(inst.id) + '/email-addresses').then((r) => {
      clear(addrs).append(r.emailAddresses.length === 0 ? h('p', {class: 'muted'}, 'No email addresses.') :
        table(['Address', 'Display name', 'Description', 'Alias of', 'Created'], r.emailAddresses.map((e) => h('tr', null,
          h('td', null, link('/ui/?address=' + seg(e.address), e.address)), h('td', null, e.displayName || ''),
          h('td', null, e.description || ''), h('td', null, e.aliasOf || ''), h('td', {class: 'nowrap'}, fmtTime(e.createdAt)))), 'list'));
    }).catch((e) => clear(addrs).append(errorBox(e)));
  }
  if (res.next) main.append(h('nav', {class: 'pager'}, link('/ui/instances?after=' + seg(res.next), 'More »')));
}

// ---------- templates ----------

async function templatesPage() {
  const q = new URLSearchParams(location.search);
  const main = clear(app.main);
  main.append(h('div', {class: 'title-row'}, h('h1', null, 'Message templates')));
  let kbs;
  try {
    kbs = (await api('/knowledge-bases')).knowledgeBases;
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  if (kbs.length === 0) {
    main.append(h('p', {class: 'muted'}, 'No knowledge bases. Create one of type MESSAGE_TEMPLATES with the qconnect API.'));
    return;
  }
  const current = q.get('kb') || kbs[0].id;
  const list = h('div');
  main.append(h('div', {class: 'kb-list'}, kbs.map((kb) => h('a', {
    href: '/ui/templates?kb=' + seg(kb.id), 'data-nav': true, class: 'kb' + (kb.id === current ? ' active' : ''),
  }, h('strong', null, kb.name), h('span', {class: 'muted'}, ' ' + kb.region)))), list);
  const kb = kbs.find((k) => k.id === current) || kbs[0];
  const res = await api('/templates', {knowledgeBaseId: kb.id, region: kb.region});
  list.append(section('Templates in ' + kb.name, res.templates.length === 0 ? h('p', {class: 'muted'}, 'No templates.') :
    table(['Name', 'Channel', 'Active version', 'Versions', 'Language', 'Modified'], res.templates.map((t) => h('tr', null,
      h('td', null, link('/ui/templates/' + seg(kb.id) + '/' + seg(t.id), t.name)), h('td', null, t.channelSubtype),
      h('td', null, t.activeVersion ? String(t.activeVersion) : '—'), h('td', null, String(t.lastVersion || 0)),
      h('td', null, t.language || ''), h('td', {class: 'nowrap'}, fmtTime(t.modifiedAt)))), 'list')));
}

async function templatePage(kbId, id) {
  const main = clear(app.main);
  const t = await api('/templates/' + seg(kbId) + '/' + seg(id));
  const base = '/templates/' + seg(kbId) + '/' + seg(id);
  const versionSel = h('select', {id: 'render-version', 'aria-label': 'Version'}, h('option', {value: '$LATEST'}, '$LATEST'),
    t.versions.map((v) => h('option', {value: String(v.number)}, 'Version ' + v.number + (v.active ? ' (active)' : ''))));
  const content = h('div', {id: 'template-content'});
  const showVersion = async (n) => {
    const v = n === '$LATEST' ? t.latest : await api(base + '/versions/' + seg(n), {region: t.region});
    append(clear(content), [contentView(v)]);
    attrs.value = JSON.stringify(v.sampleAttributes || {}, null, 2);
  };
  const attrs = h('textarea', {id: 'render-attributes', rows: 8, spellcheck: 'false', 'aria-label': 'Attributes (JSON)'});
  const out = h('div', {id: 'render-output'});
  const doRender = async () => {
    clear(out);
    let a = attrs.value.trim();
    try { if (a) a = JSON.stringify(JSON.parse(a)); } catch (e) { out.append(errorBox('Attributes are not valid JSON: ' + e.message)); return; }
    const params = {version: versionSel.value, attributes: a, region: t.region};
    try {
      const r = await api(base + '/render', params);
      out.append(kv([['Subject', r.subject], ['Headers', (r.headers || []).map((x) => x.name + ': ' + x.value).join('\n')],
        ['Not interpolated', r.attributesNotInterpolated.length ? h('span', {class: 'warn-text', id: 'not-interpolated'}, r.attributesNotInterpolated.join(', ')) : 'none']]));
      if (r.html) out.append(h('iframe', {id: 'render-preview', class: 'short', title: 'Rendered preview', sandbox: '', referrerpolicy: 'no-referrer', src: url(base + '/render/html', params)}));
      if (r.text) out.append(h('h3', null, 'Plain text'), h('pre', {class: 'text'}, r.text));
    } catch (e) {
      out.append(errorBox(e));
    }
  };
  versionSel.addEventListener('change', () => { showVersion(versionSel.value).then(doRender).catch((e) => clear(content).append(errorBox(e))); });
  main.append(
    h('p', {class: 'crumbs'}, link('/ui/templates?kb=' + seg(kbId), '« Templates')),
    h('div', {class: 'title-row'}, h('h1', null, t.name), h('span', {class: 'badge'}, t.channelSubtype)),
    section('Template', kv([['ID', h('code', null, t.id)], ['Knowledge base', h('code', null, t.knowledgeBaseId)], ['Region', t.region],
      ['Description', t.description], ['Language', t.language], ['Active version', t.activeVersion ? String(t.activeVersion) : 'none'],
      ['Created', fmtTime(t.createdAt)], ['Modified', fmtTime(t.modifiedAt)]])),
    section('Versions', table(['Version', 'Active', 'SHA-256', 'Modified', 'By'], [t.latest].concat(t.versions).map((v) => h('tr', null,
      h('td', null, v.number === 0 ? '$LATEST' : String(v.number)), h('td', null, v.active ? '✓' : ''), h('td', null, h('code', {class: 'hash'}, (v.sha256 || '').slice(0, 16))),
      h('td', {class: 'nowrap'}, fmtTime(v.modifiedAt)), h('td', {class: 'ellipsis'}, v.modifiedBy || ''))), 'list')),
    section('Content', h('div', {class: 'toolbar'}, h('label', null, 'Version ', versionSel)), content),
    section('Render preview', h('p', {class: 'muted'}, 'Attributes in the MessageTemplateAttributes JSON shape; placeholders without a value stay verbatim.'),
      attrs, h('div', {class: 'toolbar'}, h('button', {type: 'button', id: 'render', onclick: doRender}, 'Render')), out));
  await showVersion('$LATEST');
  await doRender();
}

function contentView(v) {
  const c = v.content || {};
  if (c.email) {
    const b = c.email.body || {};
    return [kv([['Subject', h('code', null, c.email.subject || '')],
      ['Headers', (c.email.headers || []).map((x) => x.name + ': ' + x.value).join('\n')],
      ['Placeholders', v.placeholders.join(', ')],
      ['Attachments', (v.attachments || []).map((a) => a.Name || a.name).join(', ')]]),
    b.html ? [h('h3', null, 'HTML source'), h('pre', {class: 'source'}, b.html.content)] : '',
    b.plainText ? [h('h3', null, 'Plain text'), h('pre', {class: 'text'}, b.plainText.content)] : ''];
  }
  if (c.sms && c.sms.body && c.sms.body.plainText) return [h('h3', null, 'SMS'), h('pre', {class: 'text'}, c.sms.body.plainText.content)];
  return h('p', {class: 'muted'}, 'No content.');
}

// ---------- suppressions ----------

async function suppressionsPage() {
  const q = new URLSearchParams(location.search);
  const main = clear(app.main);
  const msg = h('div');
  const address = h('input', {type: 'email', required: true, placeholder: 'address@example.com', id: 'suppress-address', 'aria-label': 'Address'});
  const reason = h('input', {type: 'text', placeholder: 'Reason (optional)', id: 'suppress-reason', 'aria-label': 'Reason'});
  const expires = h('input', {type: 'datetime-local', id: 'suppress-expires', 'aria-label': 'Expires', title: 'Expires (optional)'});
  const tbody = h('tbody');
  const pager = h('nav', {class: 'pager'});
  const load = async () => {
    const res = await api('/suppressions', {after: q.get('after'), limit: 100});
    clear(tbody);
    if (res.suppressions.length === 0) tbody.append(h('tr', null, h('td', {colspan: 6, class: 'muted'}, 'The suppression list is empty.')));
    for (const s of res.suppressions) {
      tbody.append(h('tr', {dataset: {address: s.address}}, h('td', null, s.address), h('td', {class: 'break'}, s.reason),
        h('td', null, s.contactId ? link('/ui/contacts/' + seg(s.contactId), s.contactId.slice(0, 8) + '…') : ''),
        h('td', {class: 'nowrap'}, fmtTime(s.createdAt)), h('td', {class: 'nowrap'}, s.expiresAt ? fmtTime(s.expiresAt) : 'never'),
        h('td', null, h('button', {type: 'button', class: 'secondary small', onclick: async () => {
          if (!confirm('Remove ' + s.address + ' from the suppression list?')) return;
          try { await api('/suppressions/' + seg(s.address), null, {method: 'DELETE'}); await load(); } catch (e) { clear(msg).append(errorBox(e)); }
        }}, 'Remove'))));
    }
    clear(pager);
    if (q.get('after')) pager.append(link('/ui/suppressions', '« First'));
    if (res.next) pager.append(link('/ui/suppressions?after=' + seg(res.next), 'More »'));
  };
  const form = h('form', {class: 'filters', onsubmit: async (e) => {
    e.preventDefault();
    clear(msg);
    const body = {reason: reason.value.trim()};
    if (expires.value) body.expiresAt = new Date(expires.value).toISOString();
    try {
      await api('/suppressions/' + seg(address.value.trim()), null, {method: 'PUT', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
      address.value = '';
      reason.value = '';
      expires.value = '';
      await load();
    } catch (err) { msg.append(errorBox(err)); }
  }}, address, reason, expires, h('button', {type: 'submit'}, 'Suppress'));
  main.append(h('div', {class: 'title-row'}, h('h1', null, 'Suppression list')),
    h('p', {class: 'muted'}, 'Mail to these addresses is not sent: the contact ends EMAIL_SUPPRESSED. Hard bounces add addresses automatically.'),
    form, msg, h('div', {class: 'table-wrap'}, h('table', {class: 'list', id: 'suppressions'},
      h('thead', null, h('tr', null, ['Address', 'Reason', 'Contact', 'Added', 'Expires', ''].map((x) => h('th', null, x)))), tbody)), pager);
  await load();
  const again = debounce(() => load().catch(() => {}), 300);
  onLive((ev) => { if (ev.type === 'EMAIL_BOUNCED' || ev.type === 'EMAIL_SUPPRESSED') again(); });
}

// ---------- start ----------

function start() {
  // A URL with user:password@ (HTTP Basic credentials) would make every fetch
  // fail; the browser keeps the credentials, so drop them from the address.
  if (location.href.startsWith(location.protocol + '//') && location.href.includes('@' + location.host)) {
    history.replaceState(null, '', location.pathname + location.search + location.hash);
  }
  app.main = document.getElementById('main');
  app.live = new Live(document.getElementById('live'));
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-nav]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const u = new URL(a.href, location.href);
    if (u.origin !== location.origin || !u.pathname.startsWith('/ui/')) return;
    e.preventDefault();
    navigate(u.pathname + u.search);
  });
  window.addEventListener('popstate', route);
  route();
  app.live.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
