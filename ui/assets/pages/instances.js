// Instances and their email addresses.
import {api, seg} from '../api.js';
import {clear, errorBox, fmtTime, h, kv, link, table} from '../dom.js';

export async function instancesPage(app) {
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
