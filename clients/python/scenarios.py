#!/usr/bin/env python3
"""Runs clients/scenarios.json through boto3, or through the aws CLI,
against a running connectmail.

    python3 scenarios.py ENDPOINT RUN [SCENARIOS_JSON] [--cli] > results.json

Scenario i runs with ${run} = RUN followed by i in two digits. Every step's
outcome is normalized (clients/README.md) and printed as one JSON document;
the Go test TestScenariosAgree (clients/scenarios_test.go) runs this next to
aws-sdk-go-v2 and the JS SDK v3 and compares them.

With --cli every call goes through the aws CLI v1's own driver (argument
parsing, --cli-input-json, its output formatting) in this process. The CLI
reports neither HTTP status nor attempts nor an error's members other than
its message, and cannot send the fault header:
steps with a fault run without it, and paginated steps run as one CLI call
(which pages by itself); both are marked "compare": false.
"""
import atexit
import contextlib
import datetime
import io
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ENDPOINT = re.compile(r"^https?://[^/]+")
CLI_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
CLI_ERROR = re.compile(r"An error occurred \(([^)]*)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)", re.S)
REF = re.compile(r"\$\{([^}]+)\}")


class Runner:
    def __init__(self, endpoint, run, creds, cli=False):
        self.cli = cli
        self.drivers = {}
        self.endpoint = endpoint
        self.run = run
        self.creds = creds
        self.clients = {}
        self.fault = None
        self.bound = {}
        self.symbols = {run: "${run}"}

    def client(self, service, who):
        key = (service, who)
        if key not in self.clients:
            ak, sk = self.creds[who]
            c = boto3.client(
                service, endpoint_url=self.endpoint, region_name="us-east-1",
                aws_access_key_id=ak, aws_secret_access_key=sk,
                config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
            )
            c.meta.events.register("before-sign.*.*", self.add_fault)
            self.clients[key] = c
        return self.clients[key]

    def add_fault(self, request, **_):
        if self.fault:
            request.headers["X-Connectmail-Fault"] = self.fault

    # ---- references and normalization ----

    def lookup(self, ref):
        if ref == "run":
            return self.run
        if ref == "client":
            return "python"
        step, _, path = ref.partition(".")
        return get(self.bound.get(step), path)

    def resolve(self, x):
        if isinstance(x, dict):
            return {k: self.resolve(v) for k, v in x.items()}
        if isinstance(x, list):
            return [self.resolve(v) for v in x]
        if isinstance(x, str):
            m = REF.fullmatch(x)
            if m:
                return self.lookup(m.group(1))
            return REF.sub(lambda m: str(self.lookup(m.group(1))), x)
        return x

    def nstr(self, s):
        for val in sorted(self.symbols, key=len, reverse=True):
            s = s.replace(val, self.symbols[val])
        s = UUID.sub("<uuid>", s)
        if ISO.match(s):
            return "<iso8601>"
        if s.startswith("http://") or s.startswith("https://"):
            i = s.find("?")
            if i >= 0:
                s = s[:i] + "?<query>"
            s = ENDPOINT.sub("<endpoint>", s)
        return s

    def norm(self, v):
        if isinstance(v, datetime.datetime):
            t = v.timestamp()
            if abs(t - time.time()) < 86400:
                return "<timestamp>"
            return "<timestamp %s>" % v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(v, dict):
            return {k: self.norm(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [self.norm(x) for x in v]
        if isinstance(v, str):
            if self.cli and CLI_TIME.match(v):
                return self.norm(datetime.datetime.fromisoformat(v))
            return self.nstr(v)
        return v

    def project(self, step, raw):
        values = {}
        for path in step.get("check", []):
            if path.startswith("contains:"):
                values[path] = path[len("contains:"):] in (raw.get("body") or "")
                continue
            v = get(raw, path)
            values[path] = self.norm(v)
            if isinstance(v, str) and (UUID.search(v) or self.run in v) and v not in self.symbols:
                self.symbols[v] = "${%s.%s}" % (step["name"], path)
        return values

    # ---- steps ----

    def step(self, scenario, step):
        if "http" in step:
            return self.http(step)
        if self.cli:
            return self.cli_step(step)
        who = step.get("as", "default")
        c = self.client(step.get("service", "connect"), who)
        params = self.resolve(step.get("input", {}))
        self.fault = None
        if "fault" in step:
            self.fault = "%s %s/%s/%s" % (step["fault"], self.run, scenario, step["name"])
        try:
            if "paginate" in step:
                items, pages, meta = [], 0, {}
                for page in c.get_paginator(xform_name(step["op"])).paginate(**params):
                    pages += 1
                    items.extend(page.get(step["paginate"], []))
                    meta = page["ResponseMetadata"]
                out = {"pages": pages, "items": items, "ResponseMetadata": meta}
            else:
                out = getattr(c, xform_name(step["op"]))(**params)
        except ClientError as e:
            r = e.response
            meta = r.get("ResponseMetadata", {})
            body = {k: v for k, v in r.items() if k not in ("Error", "ResponseMetadata")}
            return {
                "ok": False, "error": r["Error"]["Code"], "message": self.nstr(r["Error"].get("Message", "")),
                "status": meta.get("HTTPStatusCode"), "attempts": meta.get("RetryAttempts", 0) + 1,
                "values": self.project(step, body),
            }
        finally:
            self.fault = None
        meta = out.pop("ResponseMetadata", {})
        self.bound[step["name"]] = out
        return {
            "ok": True, "status": meta.get("HTTPStatusCode"), "attempts": meta.get("RetryAttempts", 0) + 1,
            "values": self.project(step, out),
        }

    def cli_step(self, step):
        """Runs one step through the aws CLI's driver."""
        from awscli.clidriver import create_clidriver

        who = step.get("as", "default")
        ak, sk = self.creds[who]
        os.environ.update(AWS_ACCESS_KEY_ID=ak, AWS_SECRET_ACCESS_KEY=sk, AWS_DEFAULT_REGION="us-east-1",
                          AWS_RETRY_MODE="standard", AWS_MAX_ATTEMPTS="3")
        if who not in self.drivers:
            # Timestamps printed in ISO 8601 (the CLI's default prints the wire value).
            if "AWS_CONFIG_FILE" not in os.environ or not os.environ["AWS_CONFIG_FILE"].endswith(".connectmail-cli.cfg"):
                fd, cfg = tempfile.mkstemp(suffix=".connectmail-cli.cfg")
                with os.fdopen(fd, "w") as f:
                    f.write("[default]\ncli_timestamp_format = iso8601\n")
                atexit.register(os.remove, cfg)
                os.environ["AWS_CONFIG_FILE"] = cfg
            self.drivers[who] = create_clidriver()
        params = self.resolve(step.get("input", {}))
        args = [step.get("service", "connect"), xform_name(step["op"], "-"), "--cli-input-json", json.dumps(params),
                "--endpoint-url", self.endpoint, "--output", "json"]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = self.drivers[who].main(args)
        compare = "fault" not in step and "paginate" not in step
        if rc != 0:
            m = CLI_ERROR.search(err.getvalue())
            if not m:
                return {"ok": False, "error": "CLI exit %d" % rc, "message": err.getvalue().strip(), "compare": compare, "values": {}}
            # The CLI prints an error's code and message, not its other members.
            return {"ok": False, "error": m.group(1), "message": self.nstr(m.group(2).strip()), "compare": compare}
        body = json.loads(out.getvalue()) if out.getvalue().strip() else {}
        self.bound[step["name"]] = body
        return {"ok": True, "compare": compare, "values": self.project(step, body)}

    def http(self, step):
        spec = self.resolve(step["http"])
        data = spec.get("body")
        req = urllib.request.Request(spec["url"], method=spec["method"], data=data.encode() if data is not None else None)
        try:
            with urllib.request.urlopen(req) as resp:
                status, body = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode("utf-8", "replace")
        raw = {"status": status, "body": body}
        self.bound[step["name"]] = raw
        return {"ok": True, "status": status, "attempts": 1, "values": self.project(step, raw)}


def get(obj, path):
    cur = obj
    for seg in path.split(".") if path else []:
        if cur is None:
            return None
        if seg == "#":
            return len(cur) if isinstance(cur, (list, dict)) else None
        if isinstance(cur, list):
            i = int(seg)
            cur = cur[i] if i < len(cur) else None
        elif isinstance(cur, dict):
            cur = next((v for k, v in cur.items() if k.lower() == seg.lower()), None)
        else:
            return None
    return cur


def main():
    args = [a for a in sys.argv[1:] if a != "--cli"]
    cli = "--cli" in sys.argv[1:]
    endpoint, run = args[0], args[1]
    path = args[2] if len(args) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    results = []
    for i, sc in enumerate(doc["scenarios"]):
        r = Runner(endpoint, "%s%02d" % (run, i), doc["credentials"], cli)
        for st in sc["steps"]:
            results.append({"scenario": sc["name"], "step": st["name"], "outcome": r.step(i, st)})
    json.dump({"client": "cli" if cli else "python", "run": run, "results": results}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
