// Message templates (Amazon Q in Connect): knowledge bases, one template's
// versions and content, and a render preview.
import {api, seg, url} from '../api.js';
import {append, clear, errorBox, fmtTime, h, kv, link, section, table} from '../dom.js';

export async function templatesPage(app) {
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

export async function templatePage(app, kbId, id) {
  const main = clear(app.main);
  const t = await api('/templates/' + seg(kbId) + '/' + seg(id));
  const base = '/templates/' + seg(kbId) + '/' + seg(id);
  const versionSel = h('select', {id: 'render-version', 'aria-label': 'Version'}, h('option', {value: '$LATEST'}, '$LATEST'),
    t.versions.map((v) => h('option', {value: String(v.number)}, 'Version ' + v.number + (v.active ? ' (active)' : ''))));
  const content = h('div', {id: 'template-content'});
  const attrs = h('textarea', {id: 'render-attributes', rows: 8, spellcheck: 'false', 'aria-label': 'Attributes (JSON)'});
  const showVersion = async (n) => {
    const v = n === '$LATEST' ? t.latest : await api(base + '/versions/' + seg(n), {region: t.region});
    append(clear(content), [contentView(v)]);
    attrs.value = JSON.stringify(v.sampleAttributes || {}, null, 2);
  };
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
