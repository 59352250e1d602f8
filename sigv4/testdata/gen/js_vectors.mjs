// Generates sigv4/testdata/js.json: requests signed by the AWS JS SDK v3
// signer (@smithy/signature-v4 with @aws-crypto/sha256-js), header form
// (sign) and presigned form (presign).
//
//   cd sigv4/testdata/gen && npm install && node js_vectors.mjs
//
// Each vector is the request as it goes on the wire: method, target (path and
// the query serialised by the SDK's own query-string builder), header lines,
// body, and the fixed signing time.

import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/core/protocols";
import { buildQueryString } from "@smithy/querystring-builder";

const require = createRequire(import.meta.url);
const signerVersion = require("@smithy/signature-v4/package.json").version;

const SIGN_TIME = new Date(Date.UTC(2026, 10, 26, 10, 10, 10));
const AKID = "AKIDJAVASCRIPT";
const SECRET = "js/Secret+Key/EXAMPLE";
const TOKEN = "IQoJb3JpZ2luX2VjEJ//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+js==";

// Path labels are escaped by the rest-json serializer like this.
const label = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

const ARN = "arn:aws:connect:us-east-1:123456789012:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const KB = "8b1a0f37-5a5c-4d2e-9a4c-3f1e2d4c5b6a";
const TPL = "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b:$LATEST";
const CONNECT = { hostname: "connect.us-east-1.amazonaws.com", region: "us-east-1", service: "connect" };
const WISDOM = { hostname: "wisdom.eu-west-2.amazonaws.com", region: "eu-west-2", service: "wisdom" };
const LOCAL = { hostname: "127.0.0.1", port: 4580, region: "us-east-1", service: "connect", protocol: "http:" };

const json = { "content-type": "application/json" };

const cases = [
  { name: "GET DescribeContact", ep: CONNECT, method: "GET", path: "/contacts/inst-1/contact-1" },
  { name: "POST TagResource ARN label", ep: CONNECT, method: "POST", path: `/tags/${label(ARN)}`,
    headers: json, body: '{"tags":{"team":"mail","env":"dev"}}' },
  { name: "DELETE UntagResource two tagKeys", ep: CONNECT, method: "DELETE", path: `/tags/${label(ARN)}`,
    query: { tagKeys: ["team", "env"] } },
  { name: "GET template $LATEST", ep: WISDOM, method: "GET", path: `/knowledgeBases/${KB}/messageTemplates/${label(TPL)}` },
  { name: "PUT template", ep: WISDOM, method: "PUT", path: `/knowledgeBases/${KB}/messageTemplates/${label(TPL)}`,
    headers: json, body: '{"content":{"email":{"subject":"Hello {{Attributes.Customer.FirstName}}"}}}' },
  { name: "local endpoint with port", ep: LOCAL, method: "POST", path: "/contact/outbound-email", headers: json,
    body: '{"InstanceId":"inst-1","DestinationEmailAddress":{"EmailAddress":"zoë@example.com"}}' },
  { name: "query encoding", ep: CONNECT, method: "GET", path: "/users-summary/inst-1",
    query: { maxResults: "10", nextToken: "abc/def==", name: "a b", plus: "a+b", tilde: "~x", utf: "café", star: "a*(b)!" } },
  { name: "repeated key values sorted after encoding", ep: CONNECT, method: "GET", path: "/x",
    query: { k: ["a-b", "a/b", "a0", "a:"] } },
  { name: "path with empty and dot segments", ep: CONNECT, method: "GET", path: "/contacts//inst-1/./contact-1/" },
  { name: "header spaces and tab", ep: CONNECT, method: "POST", path: "/email-addresses/search",
    headers: { ...json, "x-custom": "  a   b \t c  " }, body: '{"MaxResults":5}' },
  { name: "binary body", ep: CONNECT, method: "PUT", path: "/blob", headers: { "content-type": "application/octet-stream" },
    body: new Uint8Array([0, 1, 2, 250, 251, 252, 10, 13]) },
  { name: "no x-amz-content-sha256 header", ep: CONNECT, method: "POST", path: "/contact/outbound-email",
    headers: json, body: '{"InstanceId":"inst-1"}', applyChecksum: false },
  { name: "UNSIGNED-PAYLOAD", ep: CONNECT, method: "POST", path: "/contact/outbound-email",
    headers: { ...json, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, body: '{"InstanceId":"inst-1"}' },
  { name: "session token", ep: CONNECT, method: "GET", path: "/contacts/inst-1/contact-1", token: TOKEN },
  { name: "presign GET", ep: CONNECT, method: "GET", path: "/contacts/inst-1/contact-1", presign: true, expiresIn: 300 },
  { name: "presign DELETE repeated keys", ep: CONNECT, method: "DELETE", path: `/tags/${label(ARN)}`,
    query: { tagKeys: ["team", "env"] }, presign: true, expiresIn: 60 },
  { name: "presign template with token", ep: WISDOM, method: "GET", path: `/knowledgeBases/${KB}/messageTemplates/${label(TPL)}`,
    presign: true, expiresIn: 900, token: TOKEN },
  { name: "presign POST body hash", ep: LOCAL, method: "POST", path: "/email-addresses/search", headers: json,
    body: '{"MaxResults":5}', presign: true, expiresIn: 300 },
  { name: "presign hoisted x-amz-content-sha256", ep: CONNECT, method: "POST", path: "/contact/outbound-email",
    headers: { ...json, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, body: '{"InstanceId":"inst-1"}',
    presign: true, expiresIn: 300 },
];

const bodyBytes = (b) => (b === undefined ? new Uint8Array() : typeof b === "string" ? new TextEncoder().encode(b) : b);

async function sign(c) {
  const ep = c.ep;
  const host = ep.port ? `${ep.hostname}:${ep.port}` : ep.hostname;
  const request = new HttpRequest({
    method: c.method,
    protocol: ep.protocol ?? "https:",
    hostname: ep.hostname,
    port: ep.port,
    path: c.path,
    query: c.query ?? {},
    headers: { host, ...(c.headers ?? {}) },
    body: c.body,
  });
  const body = bodyBytes(c.body);
  if (body.length > 0) {
    request.headers["content-length"] = String(body.length);
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: c.token },
    region: ep.region,
    service: ep.service,
    sha256: Sha256,
    applyChecksum: c.applyChecksum ?? true,
  });
  const signed = c.presign
    ? await signer.presign(request, { signingDate: SIGN_TIME, expiresIn: c.expiresIn })
    : await signer.sign(request, { signingDate: SIGN_TIME });
  const qs = buildQueryString(signed.query ?? {});
  const headers = Object.entries(signed.headers).map(([k, v]) => [k, v]);
  return {
    name: c.name,
    method: signed.method,
    target: signed.path + (qs ? `?${qs}` : ""),
    headers,
    body: Buffer.from(body).toString("base64"),
    body_base64: true,
    presigned: !!c.presign,
    access_key: AKID,
    secret: SECRET,
    region: ep.region,
    service: ep.service,
    time: SIGN_TIME.toISOString().replace(/\.\d{3}Z$/, "Z"),
    expires: c.presign ? c.expiresIn : 0,
  };
}

const vectors = [];
for (const c of cases) {
  vectors.push(await sign(c));
}
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "js.json");
writeFileSync(out, JSON.stringify({ generator: `@smithy/signature-v4 ${signerVersion} with @aws-crypto/sha256-js`, vectors }, null, 1) + "\n");
console.error(`wrote ${vectors.length} vectors to ${out}`);
