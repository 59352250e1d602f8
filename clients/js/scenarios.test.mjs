// Runs clients/scenarios.json through the AWS SDK for JavaScript v3
// (@aws-sdk/client-connect, @aws-sdk/client-qconnect) against a running
// connectmail, checks each step's expectations, and writes the normalized
// outcome of every step (clients/README.md) for the Go test
// TestScenariosAgree (clients/scenarios_test.go), which runs the same list
// through aws-sdk-go-v2 and boto3 and compares the three.
//
// Environment (set by the Go test):
//   CONNECTMAIL_ENDPOINT          the server, e.g. http://127.0.0.1:4580
//   CONNECTMAIL_SCENARIO_RUN      this run's prefix; scenario i uses RUN + i in two digits
//   CONNECTMAIL_SCENARIO_RESULTS  the file to write the outcomes to
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as connectSdk from '@aws-sdk/client-connect';
import * as qconnectSdk from '@aws-sdk/client-qconnect';

const endpoint = process.env.CONNECTMAIL_ENDPOINT;
const runBase = process.env.CONNECTMAIL_SCENARIO_RUN;
const resultsFile = process.env.CONNECTMAIL_SCENARIO_RESULTS;
if (!endpoint || !runBase || !resultsFile) {
  throw new Error('set CONNECTMAIL_ENDPOINT, CONNECTMAIL_SCENARIO_RUN and CONNECTMAIL_SCENARIO_RESULTS (the Go test TestScenariosAgree in clients/ does)');
}
const doc = JSON.parse(readFileSync(new URL('../scenarios.json', import.meta.url), 'utf8'));
const sdks = {
  connect: { mod: connectSdk, Client: connectSdk.ConnectClient },
  qconnect: { mod: qconnectSdk, Client: qconnectSdk.QConnectClient },
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const REF = /\$\{([^}]+)\}/g;
const FULLREF = /^\$\{([^}]+)\}$/;

// get resolves a dotted path case-insensitively; "#" is a length.
function get(obj, path) {
  let cur = obj;
  for (const seg of path ? path.split('.') : []) {
    if (cur === undefined || cur === null) return undefined;
    if (seg === '#') return Array.isArray(cur) ? cur.length : (typeof cur === 'object' ? Object.keys(cur).length : undefined);
    if (Array.isArray(cur)) { cur = cur[Number(seg)]; continue; }
    if (typeof cur !== 'object') return undefined;
    const key = Object.keys(cur).find((k) => k.toLowerCase() === seg.toLowerCase());
    cur = key === undefined ? undefined : cur[key];
  }
  return cur;
}

class Runner {
  constructor(run) {
    this.run = run;
    this.clients = new Map();
    this.fault = null;
    this.bound = {};
    this.symbols = new Map([[run, '${run}']]);
  }

  client(service, who) {
    const key = service + '/' + who;
    if (!this.clients.has(key)) {
      const [accessKeyId, secretAccessKey] = doc.credentials[who];
      const c = new sdks[service].Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
      c.middlewareStack.add((next) => async (args) => {
        if (this.fault) args.request.headers['x-connectmail-fault'] = this.fault;
        return next(args);
      }, { step: 'build', name: 'connectmailFault' });
      this.clients.set(key, c);
    }
    return this.clients.get(key);
  }

  lookup(ref) {
    if (ref === 'run') return this.run;
    if (ref === 'client') return 'js';
    const i = ref.indexOf('.');
    return i < 0 ? this.bound[ref] : get(this.bound[ref.slice(0, i)], ref.slice(i + 1));
  }

  resolve(x) {
    if (Array.isArray(x)) return x.map((v) => this.resolve(v));
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, this.resolve(v)]));
    if (typeof x === 'string') {
      const m = FULLREF.exec(x);
      if (m) return this.lookup(m[1]);
      return x.replace(REF, (_, r) => String(this.lookup(r)));
    }
    return x;
  }

  nstr(s) {
    for (const val of [...this.symbols.keys()].sort((a, b) => b.length - a.length)) s = s.split(val).join(this.symbols.get(val));
    s = s.replace(UUID, '<uuid>');
    if (ISO.test(s)) return '<iso8601>';
    if (s.startsWith('http://') || s.startsWith('https://')) {
      const i = s.indexOf('?');
      if (i >= 0) s = s.slice(0, i) + '?<query>';
      s = s.replace(/^https?:\/\/[^/]+/, '<endpoint>');
    }
    return s;
  }

  norm(v) {
    if (v instanceof Date) {
      return Math.abs(v.getTime() - Date.now()) < 86400000 ? '<timestamp>' : `<timestamp ${v.toISOString().slice(0, 19)}Z>`;
    }
    if (Array.isArray(v)) return v.map((x) => this.norm(x));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== null).map(([k, x]) => [k, this.norm(x)]));
    }
    if (typeof v === 'string') return this.nstr(v);
    return v === undefined ? null : v;
  }

  project(step, raw) {
    const values = {};
    for (const path of step.check || []) {
      if (path.startsWith('contains:')) {
        values[path] = (raw.body || '').includes(path.slice('contains:'.length));
        continue;
      }
      const v = get(raw, path);
      values[path] = this.norm(v);
      if (typeof v === 'string' && (new RegExp(UUID.source).test(v) || v.includes(this.run)) && !this.symbols.has(v)) this.symbols.set(v, '${' + step.name + '.' + path + '}');
    }
    return values;
  }

  async step(index, step) {
    if (step.http) return this.http(step);
    const service = step.service || 'connect';
    const c = this.client(service, step.as || 'default');
    const params = this.resolve(step.input || {});
    this.fault = step.fault ? `${step.fault} ${this.run}/${index}/${step.name}` : null;
    let out;
    try {
      if (step.paginate) {
        const items = [];
        let pages = 0;
        let meta = {};
        for await (const page of sdks[service].mod['paginate' + step.op]({ client: c }, params)) {
          pages++;
          items.push(...(page[step.paginate] || []));
          meta = page.$metadata;
        }
        out = { pages, items, $metadata: meta };
      } else {
        const Command = sdks[service].mod[step.op + 'Command'];
        out = await c.send(new Command(params));
      }
    } catch (err) {
      if (!err.$metadata) throw err;
      return {
        ok: false, error: err.name, message: this.nstr(err.message || ''),
        status: err.$metadata.httpStatusCode, attempts: err.$metadata.attempts || 1,
        values: this.project(step, err),
      };
    } finally {
      this.fault = null;
    }
    const meta = out.$metadata;
    delete out.$metadata;
    this.bound[step.name] = out;
    return { ok: true, status: meta.httpStatusCode, attempts: meta.attempts || 1, values: this.project(step, out) };
  }

  async http(step) {
    const spec = this.resolve(step.http);
    const resp = await fetch(spec.url, { method: spec.method, body: spec.body });
    const raw = { status: resp.status, body: await resp.text() };
    this.bound[step.name] = raw;
    return { ok: true, status: resp.status, attempts: 1, values: this.project(step, raw) };
  }
}

// expectations checks a step's outcome against its "expect" in scenarios.json.
function expectations(step, o) {
  const e = step.expect || {};
  if (e.error) assert.equal(o.error, e.error, `${step.name}: ${o.error} ${o.message}`);
  else assert.equal(o.ok, true, `${step.name}: ${o.error} ${o.message}`);
  if (e.status) assert.equal(o.status, e.status, step.name);
  if (e.attempts) assert.equal(o.attempts, e.attempts, `${step.name}: attempts`);
  for (const [k, v] of Object.entries(e.values || {})) assert.deepEqual(o.values[k], v, `${step.name}: ${k}`);
}

const results = [];
after(() => {
  writeFileSync(resultsFile, JSON.stringify({ client: 'js', run: runBase, results }, null, 1));
});

doc.scenarios.forEach((sc, i) => {
  test(sc.name, async () => {
    const r = new Runner(runBase + String(i).padStart(2, '0'));
    const failures = [];
    for (const step of sc.steps) {
      const outcome = await r.step(i, step);
      results.push({ scenario: sc.name, step: step.name, outcome });
      try {
        expectations(step, outcome);
      } catch (err) {
        failures.push(err.message);
      }
    }
    assert.deepEqual(failures, []);
  });
});
