// End-to-end suite for Q in Connect message templates and TEMPLATE sends,
// through the real AWS SDK for JavaScript v3 against a running connectmail.
//
// It needs two environment variables, which the Go test
// TestJSTemplatesSuite (awsapi/qconnect_test.go) sets after starting a
// server and an SMTP receiver:
//   CONNECTMAIL_ENDPOINT      the server, e.g. http://127.0.0.1:4580
//   CONNECTMAIL_SMTP_INSPECT  a URL answering {"messages":[{messageId, subject,
//                             text, html, headers, attachments:[{filename,
//                             contentType, contentBase64}], raw}]} for every
//                             message the SMTP receiver got
// Run it alone with: node --test templates.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  QConnectClient,
  CreateKnowledgeBaseCommand, GetKnowledgeBaseCommand, ListKnowledgeBasesCommand, DeleteKnowledgeBaseCommand,
  CreateMessageTemplateCommand, GetMessageTemplateCommand, UpdateMessageTemplateCommand,
  UpdateMessageTemplateMetadataCommand, CreateMessageTemplateVersionCommand, ActivateMessageTemplateCommand,
  DeactivateMessageTemplateCommand, ListMessageTemplatesCommand, ListMessageTemplateVersionsCommand,
  SearchMessageTemplatesCommand, DeleteMessageTemplateCommand, RenderMessageTemplateCommand,
  CreateMessageTemplateAttachmentCommand, DeleteMessageTemplateAttachmentCommand,
  TagResourceCommand, UntagResourceCommand, ListTagsForResourceCommand,
} from '@aws-sdk/client-qconnect';
import {
  ConnectClient, CreateInstanceCommand, CreateEmailAddressCommand, CreateContactCommand,
  StartOutboundEmailContactCommand, DescribeContactCommand,
} from '@aws-sdk/client-connect';

const endpoint = process.env.CONNECTMAIL_ENDPOINT;
const inspectURL = process.env.CONNECTMAIL_SMTP_INSPECT;
if (!endpoint || !inspectURL) {
  throw new Error('set CONNECTMAIL_ENDPOINT and CONNECTMAIL_SMTP_INSPECT (the Go test TestJSTemplatesSuite does)');
}
const config = {
  endpoint, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
const q = new QConnectClient(config);
const connect = new ConnectClient(config);
const MISSING = '00000000-0000-4000-8000-000000000000';
const UUID = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;

// fails asserts that promise rejects with the named exception and status.
async function fails(promise, name, status, extra = {}) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `got ${err.name}: ${err.message}`);
    assert.equal(err.$metadata.httpStatusCode, status);
    assert.ok(err.message && err.message.length > 0, 'the error has a message');
    for (const [k, v] of Object.entries(extra)) assert.equal(err[k], v, k);
    return true;
  });
}

function emailTemplate(name) {
  return {
    name, channelSubtype: 'EMAIL', language: 'en_US',
    content: {
      email: {
        subject: 'Order {{Attributes.Custom.orderId}} for {{Attributes.Customer.FirstName}}',
        body: {
          plainText: { content: 'Hi {{Attributes.Customer.FirstName}}, order {{Attributes.Custom.orderId}} shipped. {{Attributes.Agent.FirstName}}' },
          html: { content: '<p>Hi {{Attributes.Customer.FirstName}}, order <b>{{Attributes.Custom.orderId}}</b> shipped.</p>' },
        },
        headers: [{ name: 'X-Campaign', value: 'spring-{{Attributes.Custom.orderId}}' }],
      },
    },
    defaultAttributes: { agentAttributes: { firstName: 'Sam' } },
    tags: { team: 'care' },
  };
}

async function receivedMessages() {
  const res = await fetch(inspectURL);
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

async function waitForMessage(contactId) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const m = (await receivedMessages()).find((x) => x.messageId.startsWith(contactId + '@'));
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no message for contact ${contactId} at the SMTP receiver`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let kbId;
let kbArn;

test('knowledge bases', async () => {
  await fails(q.send(new CreateKnowledgeBaseCommand({ name: 'custom', knowledgeBaseType: 'CUSTOM' })), 'ValidationException', 400);
  const { knowledgeBase: kb } = await q.send(new CreateKnowledgeBaseCommand({
    name: 'JS templates', knowledgeBaseType: 'MESSAGE_TEMPLATES', description: 'from the JS suite',
  }));
  assert.match(kb.knowledgeBaseId, UUID);
  assert.equal(kb.knowledgeBaseArn, `arn:aws:wisdom:us-east-1:000000000000:knowledge-base/${kb.knowledgeBaseId}`);
  assert.equal(kb.status, 'ACTIVE');
  assert.ok(kb.lastContentModificationTime instanceof Date);
  kbId = kb.knowledgeBaseId;
  kbArn = kb.knowledgeBaseArn;
  for (const ref of [kbId, kbArn]) {
    const got = await q.send(new GetKnowledgeBaseCommand({ knowledgeBaseId: ref }));
    assert.equal(got.knowledgeBase.name, 'JS templates');
  }
  const list = await q.send(new ListKnowledgeBasesCommand({}));
  assert.ok(list.knowledgeBaseSummaries.some((s) => s.knowledgeBaseId === kbId));
  await fails(q.send(new CreateKnowledgeBaseCommand({ name: 'JS templates', knowledgeBaseType: 'MESSAGE_TEMPLATES' })), 'ConflictException', 409);
  await fails(q.send(new GetKnowledgeBaseCommand({ knowledgeBaseId: MISSING })), 'ResourceNotFoundException', 404, { resourceName: 'KnowledgeBase' });
  await fails(q.send(new GetKnowledgeBaseCommand({ knowledgeBaseId: kbId.toUpperCase() })), 'ValidationException', 400);
});

test('message template lifecycle', async () => {
  const created = (await q.send(new CreateMessageTemplateCommand({ knowledgeBaseId: kbId, ...emailTemplate('shipping') }))).messageTemplate;
  const id = created.messageTemplateId;
  assert.match(id, UUID);
  assert.equal(created.messageTemplateArn, `arn:aws:wisdom:us-east-1:000000000000:message-template/${kbId}/${id}`);
  assert.match(created.messageTemplateContentSha256, /^[a-f0-9]{64}$/);
  assert.deepEqual(created.attributeTypes, ['AGENT', 'CUSTOM', 'CUSTOMER_PROFILE']);
  assert.ok(created.createdTime instanceof Date);
  await fails(q.send(new CreateMessageTemplateCommand({ knowledgeBaseId: kbId, ...emailTemplate('shipping') })), 'ConflictException', 409);
  await fails(q.send(new CreateMessageTemplateCommand({ knowledgeBaseId: MISSING, ...emailTemplate('x') })), 'ResourceNotFoundException', 404, { resourceName: 'KnowledgeBase' });
  await fails(q.send(new CreateMessageTemplateCommand({
    knowledgeBaseId: kbId, name: 'bad header', channelSubtype: 'EMAIL',
    content: { email: { subject: 's', headers: [{ name: 'Bcc', value: 'x@example.com' }] } },
  })), 'ValidationException', 400);
  await fails(q.send(new CreateMessageTemplateCommand({
    knowledgeBaseId: kbId, name: 'wrong content', channelSubtype: 'SMS', content: { email: { subject: 's' } },
  })), 'ValidationException', 400);

  // Every identifier form reads $LATEST.
  for (const ref of [id, `${id}:$LATEST`, created.messageTemplateArn, `${created.messageTemplateArn}:$LATEST`]) {
    const got = (await q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbArn, messageTemplateId: ref }))).messageTemplate;
    assert.equal(got.name, 'shipping', ref);
    assert.equal(got.versionNumber, undefined);
  }

  // Versions: snapshot, repeat returns the same one, checksum checked.
  const v1 = (await q.send(new CreateMessageTemplateVersionCommand({
    knowledgeBaseId: kbId, messageTemplateId: id, messageTemplateContentSha256: created.messageTemplateContentSha256,
  }))).messageTemplate;
  assert.equal(v1.versionNumber, 1);
  assert.equal(v1.isActive, false);
  assert.equal(v1.messageTemplateArn, `${created.messageTemplateArn}:1`);
  const again = (await q.send(new CreateMessageTemplateVersionCommand({ knowledgeBaseId: kbId, messageTemplateId: id }))).messageTemplate;
  assert.equal(again.versionNumber, 1, 'unchanged content gives the existing version');
  await fails(q.send(new CreateMessageTemplateVersionCommand({
    knowledgeBaseId: kbId, messageTemplateId: id, messageTemplateContentSha256: 'a'.repeat(64),
  })), 'ConflictException', 409);

  const updated = (await q.send(new UpdateMessageTemplateCommand({
    knowledgeBaseId: kbId, messageTemplateId: id,
    content: { email: { subject: 'Update for {{Attributes.Customer.FirstName}}', body: { plainText: { content: 'v2' } } } },
  }))).messageTemplate;
  assert.notEqual(updated.messageTemplateContentSha256, created.messageTemplateContentSha256);
  assert.equal(updated.language, 'en_US', 'partial update keeps the language');
  const v1again = (await q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:1` }))).messageTemplate;
  assert.match(v1again.content.email.subject, /^Order /, 'versions are immutable');
  const v2 = (await q.send(new CreateMessageTemplateVersionCommand({
    knowledgeBaseId: kbId, messageTemplateId: id, messageTemplateContentSha256: updated.messageTemplateContentSha256,
  }))).messageTemplate;
  assert.equal(v2.versionNumber, 2);

  // $ACTIVE_VERSION follows Activate and Deactivate.
  await fails(q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:$ACTIVE_VERSION` })),
    'ResourceNotFoundException', 404, { resourceName: 'MessageTemplateVersion' });
  const act = await q.send(new ActivateMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: id, versionNumber: 1 }));
  assert.equal(act.versionNumber, 1);
  assert.equal(act.messageTemplateId, id);
  let active = (await q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:$ACTIVE_VERSION` }))).messageTemplate;
  assert.equal(active.versionNumber, 1);
  assert.equal(active.isActive, true);
  await q.send(new ActivateMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: id, versionNumber: 2 }));
  active = (await q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:$ACTIVE_VERSION` }))).messageTemplate;
  assert.equal(active.versionNumber, 2);
  await fails(q.send(new DeactivateMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: id, versionNumber: 1 })), 'ConflictException', 409);
  await fails(q.send(new ActivateMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:1`, versionNumber: 1 })), 'ValidationException', 400);
  await fails(q.send(new ActivateMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: id, versionNumber: 9 })),
    'ResourceNotFoundException', 404, { resourceName: 'MessageTemplateVersion' });
  for (const cmd of [
    new UpdateMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:$LATEST`, language: 'de_DE' }),
    new UpdateMessageTemplateMetadataCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:2`, name: 'n' }),
    new CreateMessageTemplateVersionCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:$LATEST` }),
    new ListMessageTemplateVersionsCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:$ACTIVE_VERSION` }),
  ]) {
    await fails(q.send(cmd), 'ValidationException', 400);
  }

  // Rendering: request values, then defaults, missing ones verbatim and reported.
  const r1 = await q.send(new RenderMessageTemplateCommand({
    knowledgeBaseId: kbId, messageTemplateId: `${id}:1`,
    attributes: { customAttributes: { orderId: 'A<1>' }, customerProfileAttributes: { firstName: 'Ana' } },
  }));
  assert.equal(r1.content.email.subject, 'Order A<1> for Ana');
  assert.equal(r1.content.email.body.html.content, '<p>Hi Ana, order <b>A&lt;1&gt;</b> shipped.</p>');
  assert.equal(r1.content.email.body.plainText.content, 'Hi Ana, order A<1> shipped. Sam');
  assert.equal(r1.attributesNotInterpolated, undefined);
  const r2 = await q.send(new RenderMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:1`, attributes: {} }));
  assert.deepEqual(r2.attributesNotInterpolated, ['Attributes.Custom.orderId', 'Attributes.Customer.FirstName']);
  assert.equal(r2.content.email.subject, 'Order {{Attributes.Custom.orderId}} for {{Attributes.Customer.FirstName}}');

  // Lists and search.
  const versions = await q.send(new ListMessageTemplateVersionsCommand({ knowledgeBaseId: kbId, messageTemplateId: id, maxResults: 1 }));
  assert.equal(versions.messageTemplateVersionSummaries.length, 1);
  assert.equal(versions.messageTemplateVersionSummaries[0].versionNumber, 1);
  assert.ok(versions.nextToken);
  const page2 = await q.send(new ListMessageTemplateVersionsCommand({ knowledgeBaseId: kbId, messageTemplateId: id, nextToken: versions.nextToken }));
  assert.deepEqual(page2.messageTemplateVersionSummaries.map((v) => [v.versionNumber, v.isActive]), [[2, true]]);
  const list = await q.send(new ListMessageTemplatesCommand({ knowledgeBaseId: kbId }));
  const summary = list.messageTemplateSummaries.find((s) => s.messageTemplateId === id);
  assert.equal(summary.activeVersionNumber, 2);
  assert.equal(summary.channelSubtype, 'EMAIL');
  const found = await q.send(new SearchMessageTemplatesCommand({
    knowledgeBaseId: kbId,
    searchExpression: {
      queries: [{ name: 'name', values: ['ship'], operator: 'CONTAINS' }],
      filters: [{ name: 'channelSubtype', values: ['EMAIL'], operator: 'EQUALS' }],
    },
  }));
  assert.deepEqual(found.results.map((r) => r.messageTemplateId), [id]);
  await fails(q.send(new SearchMessageTemplatesCommand({
    knowledgeBaseId: kbId, searchExpression: { filters: [{ name: 'body', operator: 'EQUALS' }] },
  })), 'ValidationException', 400);

  // Metadata applies to every version.
  await q.send(new UpdateMessageTemplateMetadataCommand({ knowledgeBaseId: kbId, messageTemplateId: id, name: 'shipping notice', description: 'shipped' }));
  const renamed = (await q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:1` }))).messageTemplate;
  assert.equal(renamed.name, 'shipping notice');
  assert.equal(renamed.description, 'shipped');

  // Attachments live on $LATEST; versions keep theirs.
  const { attachment } = await q.send(new CreateMessageTemplateAttachmentCommand({
    knowledgeBaseId: kbId, messageTemplateId: id, contentDisposition: 'ATTACHMENT', name: 'notes.txt',
    body: Buffer.from('hello').toString('base64'),
  }));
  assert.match(attachment.attachmentId, UUID);
  assert.ok(attachment.urlExpiry instanceof Date);
  const file = await fetch(attachment.url);
  assert.equal(await file.text(), 'hello');
  await fails(q.send(new CreateMessageTemplateAttachmentCommand({
    knowledgeBaseId: kbId, messageTemplateId: id, contentDisposition: 'ATTACHMENT', name: 'notes.txt', body: 'aGk=',
  })), 'ConflictException', 409);
  await fails(q.send(new CreateMessageTemplateAttachmentCommand({
    knowledgeBaseId: kbId, messageTemplateId: id, contentDisposition: 'ATTACHMENT', name: 'big.bin',
    body: Buffer.alloc((1 << 20) + 1).toString('base64'),
  })), 'ServiceQuotaExceededException', 402);
  const v3 = (await q.send(new CreateMessageTemplateVersionCommand({ knowledgeBaseId: kbId, messageTemplateId: id }))).messageTemplate;
  assert.equal(v3.versionNumber, 3);
  assert.deepEqual(v3.attachments.map((a) => a.name), ['notes.txt']);
  await q.send(new DeleteMessageTemplateAttachmentCommand({ knowledgeBaseId: kbId, messageTemplateId: id, attachmentId: attachment.attachmentId }));
  const latest = (await q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: id }))).messageTemplate;
  assert.equal(latest.attachments, undefined);
  const kept = (await q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:3` }))).messageTemplate;
  assert.equal(kept.attachments.length, 1);
  await fails(q.send(new DeleteMessageTemplateAttachmentCommand({ knowledgeBaseId: kbId, messageTemplateId: id, attachmentId: attachment.attachmentId })),
    'ResourceNotFoundException', 404, { resourceName: 'MessageTemplateAttachment' });

  // Tags on both resources.
  for (const arn of [kbArn, created.messageTemplateArn]) {
    await q.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'dev', owner: 'js' } }));
    await q.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
    const { tags } = await q.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.equal(tags.owner, 'js');
    assert.equal(tags.env, undefined);
  }
  await fails(q.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:wisdom:us-east-1:000000000000:knowledge-base/${MISSING}` })),
    'ResourceNotFoundException', 404);

  // Deletes: the active version is protected; one version; then the whole template.
  await fails(q.send(new DeleteMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:2` })), 'ConflictException', 409);
  await fails(q.send(new DeleteMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:$LATEST` })), 'ValidationException', 400);
  const del = await q.send(new DeleteMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:1` }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await fails(q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: `${id}:1` })),
    'ResourceNotFoundException', 404, { resourceName: 'MessageTemplateVersion' });
  await q.send(new DeleteMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: id }));
  await fails(q.send(new GetMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: id })),
    'ResourceNotFoundException', 404, { resourceName: 'MessageTemplate' });
});

test('quotas', async () => {
  const { knowledgeBase } = await q.send(new CreateKnowledgeBaseCommand({ name: 'quota', knowledgeBaseType: 'MESSAGE_TEMPLATES' }));
  const kb = knowledgeBase.knowledgeBaseId;
  let first;
  for (let i = 0; i < 200; i++) {
    const t = await q.send(new CreateMessageTemplateCommand({ knowledgeBaseId: kb, name: `t${i}`, channelSubtype: 'SMS' }));
    first ??= t.messageTemplate.messageTemplateId;
  }
  await fails(q.send(new CreateMessageTemplateCommand({ knowledgeBaseId: kb, name: 'too many', channelSubtype: 'SMS' })),
    'ServiceQuotaExceededException', 402);
  for (let i = 1; i <= 20; i++) {
    await q.send(new UpdateMessageTemplateCommand({
      knowledgeBaseId: kb, messageTemplateId: first, content: { sms: { body: { plainText: { content: `v${i}` } } } },
    }));
    const v = await q.send(new CreateMessageTemplateVersionCommand({ knowledgeBaseId: kb, messageTemplateId: first }));
    assert.equal(v.messageTemplate.versionNumber, i);
  }
  await q.send(new UpdateMessageTemplateCommand({ knowledgeBaseId: kb, messageTemplateId: first, language: 'de_DE' }));
  await fails(q.send(new CreateMessageTemplateVersionCommand({ knowledgeBaseId: kb, messageTemplateId: first })),
    'ServiceQuotaExceededException', 402);

  // At most 10 knowledge bases per region.
  const have = (await q.send(new ListKnowledgeBasesCommand({}))).knowledgeBaseSummaries.length;
  const extra = [];
  for (let i = have; i < 10; i++) {
    extra.push((await q.send(new CreateKnowledgeBaseCommand({ name: `extra ${i}`, knowledgeBaseType: 'MESSAGE_TEMPLATES' }))).knowledgeBase.knowledgeBaseId);
  }
  await fails(q.send(new CreateKnowledgeBaseCommand({ name: 'eleventh', knowledgeBaseType: 'MESSAGE_TEMPLATES' })), 'ServiceQuotaExceededException', 402);
  for (const id of [...extra, kb]) {
    const res = await q.send(new DeleteKnowledgeBaseCommand({ knowledgeBaseId: id }));
    assert.equal(res.$metadata.httpStatusCode, 204);
  }
});

test('TEMPLATE send through StartOutboundEmailContact', async () => {
  const { Id: instanceId } = await connect.send(new CreateInstanceCommand({
    IdentityManagementType: 'CONNECT_MANAGED', InboundCallsEnabled: true, OutboundCallsEnabled: true,
  }));
  await connect.send(new CreateEmailAddressCommand({ InstanceId: instanceId, EmailAddress: 'support@example.com', DisplayName: 'Support' }));
  const newContact = async () => (await connect.send(new CreateContactCommand({
    InstanceId: instanceId, Channel: 'EMAIL', InitiationMethod: 'OUTBOUND', UserInfo: { UserId: 'agent-1' },
  }))).ContactId;
  const tpl = (await q.send(new CreateMessageTemplateCommand({ knowledgeBaseId: kbId, ...emailTemplate('send me') }))).messageTemplate;
  await q.send(new CreateMessageTemplateAttachmentCommand({
    knowledgeBaseId: kbId, messageTemplateId: tpl.messageTemplateId, contentDisposition: 'ATTACHMENT', name: 'terms.pdf',
    body: Buffer.from('%PDF-1.4 terms').toString('base64'),
  }));
  await q.send(new CreateMessageTemplateVersionCommand({ knowledgeBaseId: kbId, messageTemplateId: tpl.messageTemplateId }));
  await q.send(new ActivateMessageTemplateCommand({ knowledgeBaseId: kbId, messageTemplateId: tpl.messageTemplateId, versionNumber: 1 }));
  const send = async (contactId, knowledgeBaseId, messageTemplateId, attrs = {}) => connect.send(new StartOutboundEmailContactCommand({
    InstanceId: instanceId, ContactId: contactId,
    FromEmailAddress: { EmailAddress: 'support@example.com' },
    DestinationEmailAddress: { EmailAddress: 'ana@example.org', DisplayName: 'Ana Cliente' },
    EmailMessage: {
      MessageSourceType: 'TEMPLATE',
      TemplatedMessageConfig: { KnowledgeBaseId: knowledgeBaseId, MessageTemplateId: messageTemplateId, TemplateAttributes: attrs },
    },
  }));

  const before = (await receivedMessages()).length;
  await fails(send(await newContact(), kbId, MISSING), 'ResourceNotFoundException', 404);
  await fails(send(await newContact(), MISSING, tpl.messageTemplateId), 'ResourceNotFoundException', 404);
  await fails(send(await newContact(), kbId, `${tpl.messageTemplateId}:7`), 'ResourceNotFoundException', 404);
  await fails(send(await newContact(), kbId, tpl.messageTemplateId, { CustomerProfileAttributes: '{not json' }), 'InvalidRequestException', 400);

  const contactId = await newContact();
  const out = await send(contactId, kbArn, `${tpl.messageTemplateArn}:$ACTIVE_VERSION`, {
    CustomAttributes: { orderId: 'A-7 <fragile>' },
    CustomerProfileAttributes: JSON.stringify({ FirstName: 'Ana', lastName: 'Cliente' }),
  });
  assert.equal(out.ContactId, contactId);
  const m = await waitForMessage(contactId);
  assert.equal(m.subject, 'Order A-7 <fragile> for Ana');
  assert.match(m.html, /<p>Hi Ana, order <b>A-7 &lt;fragile&gt;<\/b> shipped\.<\/p>/);
  assert.match(m.text, /Hi Ana, order A-7 <fragile> shipped\. Sam/);
  assert.equal(m.headers['X-Campaign'], 'spring-A-7 <fragile>');
  assert.deepEqual(m.recipients, ['ana@example.org']);
  assert.equal(m.attachments.length, 1);
  assert.equal(m.attachments[0].filename, 'terms.pdf');
  assert.equal(m.attachments[0].contentType, 'application/pdf');
  assert.equal(Buffer.from(m.attachments[0].contentBase64, 'base64').toString(), '%PDF-1.4 terms');
  assert.match(m.raw, /Content-Disposition: attachment/i);

  // Unresolved placeholders: sent verbatim, never blank.
  const c2 = await newContact();
  await send(c2, kbId, tpl.messageTemplateId);
  const m2 = await waitForMessage(c2);
  assert.equal(m2.subject, 'Order {{Attributes.Custom.orderId}} for {{Attributes.Customer.FirstName}}');
  const d = await connect.send(new DescribeContactCommand({ InstanceId: instanceId, ContactId: c2 }));
  assert.equal(d.Contact.Id, c2);

  const after = await receivedMessages();
  assert.equal(after.length, before + 2, 'failed sends reach no one');
});
