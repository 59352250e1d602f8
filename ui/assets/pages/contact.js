// One contact: envelope, message (preview, text, headers, source,
// attachments), delivery attempts, event timeline, related contacts.
import {API, api, seg} from '../api.js';
import {clear, debounce, errorBox, fmtBytes, fmtTime, h, kv, link, mailbox, section, stateBadge, table, timeEl} from '../dom.js';
import {customer} from './contacts.js';

export async function contactPage(app, id) {
  const main = clear(app.main);
  main.append(h('p', {class: 'muted'}, 'Loading…'));
  const view = {tab: 'preview', remote: false};
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
      messageView(d, parts, view),
      h('div', {class: 'grid2'},
        attemptsSection(d),
        timelineSection(d.events)),
      relatedSection(related.related),
      attributesSection(d.attributes));
    document.documentElement.dataset.contactState = d.state;
    document.documentElement.dataset.events = String(d.events.length);
  };
  await render();
  const again = debounce(() => render().catch(() => {}), 250);
  app.onLive((ev) => { if (ev.contactId === id) again(); });
}

function envelope(d) {
  return section('Envelope', h('div', {id: 'envelope'}, kv([
    ['Contact ID', h('code', null, d.contactId)],
    ['From', mailbox(d.from)],
    ['To', mailbox(d.to)],
    ['Cc', (d.cc || []).map(mailbox).join(', ')],
    ['Customer', mailbox(customer(d))],
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
  ])));
}

// TRUNCATED names what the inspection API's MIME walk may cut.
const TRUNCATED = {
  depth: 'parts nested deeper than the inspection limit are not shown',
  parts: 'parts beyond the inspection limit on their number are not shown',
};

// truncatedNotice says what of the MIME structure the API left out, if anything.
function truncatedNotice(parts) {
  const t = parts.truncated;
  if (!t || typeof t !== 'object') return '';
  const keys = Object.keys(t).filter((k) => t[k]);
  if (keys.length === 0) return '';
  return h('p', {class: 'notice warn-text', id: 'parts-truncated', role: 'status'},
    'This message is only partly shown: ' + keys.map((k) => TRUNCATED[k] || k + ' limit reached').join('; ') +
    '. The raw source (.eml) has all of it.');
}

function messageView(d, parts, view) {
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
    view.tab = name;
    for (const b of bar.children) b.setAttribute('aria-selected', String(b.dataset.tab === name));
    clear(body);
    if (name === 'preview') {
      const frame = h('iframe', {
        id: 'preview', title: 'Message preview', sandbox: '', referrerpolicy: 'no-referrer', loading: 'lazy',
        src: base + '/html' + (view.remote ? '?remote=1' : ''),
      });
      const tools = h('div', {class: 'toolbar'});
      if (parts.remoteContent > 0 && !view.remote) {
        tools.append(h('span', {class: 'muted'}, parts.remoteContent + ' remote image' + (parts.remoteContent > 1 ? 's' : '') + ' blocked. '),
          h('button', {type: 'button', class: 'secondary', id: 'load-remote', onclick: () => { view.remote = true; show('preview'); }}, 'Load remote images'));
      } else if (view.remote) {
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
          h('td', null, a.contentType), h('td', null, a.disposition || ''), h('td', null, fmtBytes(a.size)))), 'list'));
    }
  };
  for (const [name, label] of tabs) {
    bar.append(h('button', {type: 'button', role: 'tab', dataset: {tab: name}, onclick: () => show(name)}, label));
  }
  sec.append(h('div', {class: 'title-row'}, h('h2', null, 'Message'), h('a', {href: base + '/raw', download: d.contactId + '.eml', class: 'button secondary'}, 'Raw source (.eml)')),
    truncatedNotice(parts), bar, body);
  if (parts.warnings && parts.warnings.length) sec.append(h('p', {class: 'warn-text'}, 'Parser warnings: ' + parts.warnings.join('; ')));
  show(view.tab);
  return sec;
}

// attemptsSection lists the delivery attempts; one that failed on the
// operator's configuration (class "config", e.g. the relay's TLS certificate)
// is marked as such, since retrying will not fix it.
function attemptsSection(d) {
  const attempts = d.attempts || [];
  if (attempts.length === 0) {
    return section('Delivery attempts', h('p', {class: 'muted', id: 'no-attempts'}, d.initiationMethod === 'INBOUND' ?
      'Received by inbound SMTP; no delivery — this contact came in.' : 'No delivery attempt yet.'));
  }
  return section('Delivery attempts', table(['#', 'Started', 'Outcome', 'Code', 'Detail'], attempts.map((a) => {
    const config = a.class === 'config';
    return h('tr', {class: config ? 'attempt attempt-config' : 'attempt', dataset: {class: a.class || ''}},
      h('td', null, a.n), h('td', {class: 'nowrap'}, fmtTime(a.startedAt)),
      h('td', null, h('span', {class: 'badge outcome-' + a.outcome}, a.outcome),
        config ? h('span', {class: 'badge config', title: 'The relay or its settings need fixing; retries will not help'}, 'configuration error') : ''),
      h('td', null, a.code || ''),
      h('td', {class: 'break'}, a.detail || ''));
  }), 'list attempts'));
}

function timelineSection(events) {
  return section('Events', events.length === 0 ? h('p', {class: 'muted'}, 'No events.') :
    h('ol', {class: 'timeline', id: 'timeline'}, events.map((e) => h('li', {dataset: {type: e.type}},
      h('span', {class: 'dot'}),
      h('div', null,
        h('strong', null, e.type), ' ', h('span', {class: 'muted'}, fmtTime(e.time)),
        e.detail && Object.keys(e.detail).length ? h('details', null, h('summary', null, 'detail'), h('pre', null, JSON.stringify(e.detail, null, 2))) : '')))));
}

const RELATIONS = {related: 'Related', previous: 'Previous', initial: 'Initial', reply: 'Reply', sameCustomer: 'Same customer'};

function relatedSection(related) {
  return section('Related contacts', related.length === 0 ? h('p', {class: 'muted'}, 'None.') :
    table(['Relation', 'Time', 'State', 'Customer', 'Subject'], related.map((r) => {
      const c = r.contact;
      const href = '/ui/contacts/' + seg(r.contactId);
      return h('tr', {dataset: {relation: r.relation, id: r.contactId}}, h('td', {class: 'relation'}, RELATIONS[r.relation] || r.relation),
        h('td', {class: 'nowrap'}, c ? timeEl(c.initiatedAt) : ''), h('td', null, c ? stateBadge(c.state) : 'deleted'),
        h('td', {class: 'ellipsis'}, c ? mailbox(customer(c)) : ''), h('td', {class: 'ellipsis'}, link(href, c ? (c.subject || '(no subject)') : r.contactId)));
    }), 'list related'));
}

function attributesSection(attrs) {
  const keys = Object.keys(attrs || {}).sort();
  if (keys.length === 0) return '';
  return section('Contact attributes', table(['Key', 'Value'], keys.map((k) => h('tr', null, h('td', null, h('code', null, k)), h('td', {class: 'break'}, attrs[k]))), 'list'));
}
