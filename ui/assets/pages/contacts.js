// The contacts list: filters, server-side paging, and live updates in place.
import {api, seg} from '../api.js';
import {ago, address, clear, debounce, h, labelRow, link, mailbox, stateBadge, timeEl} from '../dom.js';

const PAGE_SIZES = [25, 50, 100, 200];
const STATES = ['CREATED', 'QUEUED', 'SENT', 'CAPTURED', 'FAILED', 'STOPPED', 'RECEIVED'];
const COLUMNS = ['Time', 'State', 'From', 'Customer', 'Subject', 'Instance'];

// customer is the contact's customer: the API's customer field, or where a
// server does not send it, From of an inbound contact and To of any other.
export function customer(m) {
  if (m.customer) return m.customer;
  return m.initiationMethod === 'INBOUND' ? m.from : m.to;
}

function instanceLabel(instances, id) {
  const i = instances.get(id);
  return i && i.alias ? i.alias : (id || '').slice(0, 8);
}

export async function loadInstances() {
  const map = new Map();
  try {
    const res = await api('/instances', {limit: 500});
    for (const i of res.instances) map.set(i.id, i);
  } catch (e) {
    // The list still works without instance names.
  }
  return map;
}

export async function contactsPage(app) {
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
    app.navigate('/ui/' + (s ? '?' + s : ''));
  };
  const form = h('form', {class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); apply(); }},
    instanceSel, stateSel, addr, search, sizeSel,
    h('button', {type: 'submit'}, 'Filter'),
    h('button', {type: 'button', class: 'secondary', onclick: () => app.navigate('/ui/')}, 'Clear'));
  for (const s of [instanceSel, stateSel, sizeSel]) s.addEventListener('change', () => apply());

  const tbody = h('tbody');
  const status = h('p', {class: 'muted', id: 'list-status'});
  const pager = h('nav', {class: 'pager', 'aria-label': 'Pages'});
  const banner = h('div', {class: 'banner', hidden: true});
  main.append(h('div', {class: 'title-row'}, h('h1', null, 'Contacts')), form, banner,
    h('div', {class: 'table-wrap'}, h('table', {class: 'list stack', id: 'contacts'},
      h('thead', null, h('tr', null, COLUMNS.map((x) => h('th', {scope: 'col'}, x)))), tbody)),
    status, pager);

  const rows = new Map();
  let nextCursor = '';

  const renderRow = (m, fresh) => {
    const href = '/ui/contacts/' + seg(m.contactId);
    const cust = customer(m);
    const tr = h('tr', {class: fresh ? 'row fresh' : 'row', dataset: {id: m.contactId, state: m.state}},
      h('td', {class: 'nowrap time'}, timeEl(m.initiatedAt)),
      h('td', {class: 'state'}, stateBadge(m.state)),
      h('td', {class: 'ellipsis from', title: mailbox(m.from)}, address(m.from)),
      h('td', {class: 'ellipsis customer', title: mailbox(cust)}, address(cust),
        m.initiationMethod !== 'INBOUND' && m.cc && m.cc.length ? h('span', {class: 'muted'}, ' +' + m.cc.length + ' cc') : ''),
      h('td', {class: 'ellipsis subject'}, link(href, m.subject || '(no subject)'),
        m.notInterpolated && m.notInterpolated.length ? h('span', {class: 'badge warn', title: 'Unresolved placeholders'}, '{{…}}') : ''),
      h('td', {class: 'ellipsis muted instance'}, instanceLabel(instances, m.instanceId)));
    tr.addEventListener('click', (e) => {
      if (e.target.closest('a') || window.getSelection().toString()) return;
      app.navigate(href);
    });
    return labelRow(COLUMNS, tr);
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
  app.onLive((ev) => {
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
  app.onLeave(() => clearInterval(tick));
}
