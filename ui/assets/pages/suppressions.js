// The suppression list: add, list and remove addresses.
import {api, seg} from '../api.js';
import {clear, debounce, errorBox, fmtTime, h, labelRow, link} from '../dom.js';

const COLUMNS = ['Address', 'Reason', 'Contact', 'Added', 'Expires', ''];

export async function suppressionsPage(app) {
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
    if (res.suppressions.length === 0) tbody.append(h('tr', {class: 'empty'}, h('td', {colspan: 6, class: 'muted'}, 'The suppression list is empty.')));
    for (const s of res.suppressions) {
      tbody.append(labelRow(COLUMNS, h('tr', {dataset: {address: s.address}}, h('td', null, s.address), h('td', {class: 'break'}, s.reason),
        h('td', null, s.contactId ? link('/ui/contacts/' + seg(s.contactId), s.contactId.slice(0, 8) + '…') : ''),
        h('td', {class: 'nowrap'}, fmtTime(s.createdAt)), h('td', {class: 'nowrap'}, s.expiresAt ? fmtTime(s.expiresAt) : 'never'),
        h('td', null, h('button', {type: 'button', class: 'secondary small', onclick: async () => {
          if (!confirm('Remove ' + s.address + ' from the suppression list?')) return;
          try { await api('/suppressions/' + seg(s.address), null, {method: 'DELETE'}); await load(); } catch (e) { clear(msg).append(errorBox(e)); }
        }}, 'Remove')))));
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
    form, msg, h('div', {class: 'table-wrap'}, h('table', {class: 'list stack', id: 'suppressions'},
      h('thead', null, h('tr', null, COLUMNS.map((x) => h('th', {scope: 'col'}, x)))), tbody)), pager);
  await load();
  const again = debounce(() => load().catch(() => {}), 300);
  app.onLive((ev) => { if (ev.type === 'EMAIL_BOUNCED' || ev.type === 'EMAIL_SUPPRESSED') again(); });
}
