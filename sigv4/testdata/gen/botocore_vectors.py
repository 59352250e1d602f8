#!/usr/bin/env python3
"""Generate sigv4/testdata/botocore.json: requests signed by botocore's own
SigV4Auth (Authorization header) and SigV4QueryAuth (presigned query).

Run from the repository root:  python3 sigv4/testdata/gen/botocore_vectors.py

Each vector is the request exactly as it goes on the wire (method, target,
header lines in order, body) plus the fixed signing time, so the Go test can
replay it byte for byte to a real net/http server.
"""

import datetime
import hashlib
import json
import os
import sys
from urllib.parse import quote, urlsplit

import botocore
import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth, _host_from_url
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGN_TIME = datetime.datetime(2026, 11, 26, 10, 10, 10)  # naive UTC, as botocore uses
AKID = "AKIDBOTOCORE"
SECRET = "botocore/Secret+Key/EXAMPLE"
TOKEN = "IQoJb3JpZ2luX2VjEJ//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token=="

# botocore reads the clock through this module-level name.
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: SIGN_TIME


def label(value):
    """Escape a path label the way the rest-json serializer does."""
    return quote(value, safe="~")


ARN = "arn:aws:connect:us-east-1:123456789012:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
KB = "8b1a0f37-5a5c-4d2e-9a4c-3f1e2d4c5b6a"
TPL = "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b:$LATEST"
CONNECT = "https://connect.us-east-1.amazonaws.com"
WISDOM = "https://wisdom.us-west-2.amazonaws.com"
LOCAL = "http://127.0.0.1:4580"


def case(name, method, url, service, region="us-east-1", headers=None, body=b"",
         presign=False, expires=300, token=None, unsigned=False):
    return dict(name=name, method=method, url=url, service=service, region=region,
                headers=headers or [], body=body, presign=presign, expires=expires,
                token=token, unsigned=unsigned)


CASES = [
    case("GET DescribeContact", "GET", f"{CONNECT}/contacts/inst-1/contact-1", "connect"),
    case("POST TagResource ARN label", "POST", f"{CONNECT}/tags/{label(ARN)}", "connect",
         headers=[("Content-Type", "application/json")],
         body=b'{"tags":{"team":"mail","env":"dev"}}'),
    case("DELETE UntagResource two tagKeys", "DELETE",
         f"{CONNECT}/tags/{label(ARN)}?tagKeys=team&tagKeys=env", "connect"),
    case("GET template $LATEST", "GET",
         f"{WISDOM}/knowledgeBases/{KB}/messageTemplates/{label(TPL)}", "wisdom", region="us-west-2"),
    case("POST render template", "POST",
         f"{WISDOM}/knowledgeBases/{KB}/messageTemplates/{label(TPL)}/render", "wisdom",
         region="us-west-2", headers=[("Content-Type", "application/json")],
         body='{"attributes":{"customer":{"firstName":"Zoë"}}}'.encode()),
    case("PUT local endpoint with port", "PUT", f"{LOCAL}/contacts/inst-1/contact-1/attributes",
         "connect", headers=[("Content-Type", "application/json")], body=b'{"Name":"x"}'),
    case("GET query encoding", "GET",
         f"{CONNECT}/users-summary/inst-1?maxResults=10&nextToken=abc%2Fdef%3D%3D&name=a%20b&plus=a%2Bb&tilde=~x&utf=caf%C3%A9",
         "connect"),
    case("GET path with empty and dot segments", "GET",
         f"{CONNECT}/contacts//inst-1/./contact-1/", "connect"),
    case("GET path with dot-dot segment", "GET", f"{CONNECT}/contacts/x/../inst-1/contact-1", "connect"),
    case("header spaces and tab", "POST", f"{CONNECT}/email-addresses/search", "connect",
         headers=[("Content-Type", "application/json"), ("X-Custom", "  a   b \t c  ")],
         body=b'{"MaxResults":5}'),
    case("explicit X-Amz-Content-SHA256", "POST", f"{CONNECT}/contact/outbound-email", "connect",
         headers=[("Content-Type", "application/json"),
                  ("X-Amz-Content-SHA256", hashlib.sha256(b'{"InstanceId":"inst-1"}').hexdigest())],
         body=b'{"InstanceId":"inst-1"}'),
    case("UNSIGNED-PAYLOAD", "POST", f"{CONNECT}/contact/outbound-email", "connect",
         headers=[("Content-Type", "application/json")], body=b'{"InstanceId":"inst-1"}', unsigned=True),
    case("session token", "GET", f"{CONNECT}/contacts/inst-1/contact-1", "connect", token=TOKEN),
    case("Date header instead of X-Amz-Date", "GET", f"{CONNECT}/contacts/inst-1/contact-1",
         "connect", headers=[("Date", "placeholder")]),
    case("empty body POST", "POST", f"{CONNECT}/contact/stop", "connect"),
    case("presign GET", "GET", f"{CONNECT}/contacts/inst-1/contact-1", "connect", presign=True),
    case("presign GET query", "GET", f"{CONNECT}/users-summary/inst-1?maxResults=10&name=a%20b",
         "connect", presign=True, expires=60),
    case("presign DELETE ARN", "DELETE", f"{CONNECT}/tags/{label(ARN)}?tagKeys=team", "connect",
         presign=True),
    case("presign template with token", "GET",
         f"{WISDOM}/knowledgeBases/{KB}/messageTemplates/{label(TPL)}", "wisdom", region="us-west-2",
         presign=True, token=TOKEN),
    case("presign body moved to query", "POST", f"{LOCAL}/email-addresses/search", "connect",
         presign=True, body=b'{"MaxResults":"5","NextToken":"a/b="}'),
]


def sign(c):
    creds = Credentials(AKID, SECRET, c["token"])
    req = AWSRequest(method=c["method"], url=c["url"], data=c["body"], headers=dict(c["headers"]))
    if c["unsigned"]:
        req.context["payload_signing_enabled"] = False
    if c["presign"]:
        SigV4QueryAuth(creds, c["service"], c["region"], expires=c["expires"]).add_auth(req)
    else:
        SigV4Auth(creds, c["service"], c["region"]).add_auth(req)
    prepared = req.prepare()
    parts = urlsplit(prepared.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    # What urllib3 sends as Host, which is also what the signer used.
    headers = [["Host", _host_from_url(prepared.url)]]
    headers += [[k, v] for k, v in prepared.headers.items()]
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    return {
        "name": c["name"],
        "method": prepared.method,
        "target": target,
        "headers": headers,
        "body": body.decode("utf-8"),
        "presigned": c["presign"],
        "access_key": AKID,
        "secret": SECRET,
        "region": c["region"],
        "service": c["service"],
        "time": SIGN_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expires": c["expires"] if c["presign"] else 0,
    }


def main():
    out = {
        "generator": f"botocore {botocore.__version__} (SigV4Auth, SigV4QueryAuth)",
        "vectors": [sign(c) for c in CASES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "botocore.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(out['vectors'])} vectors to {os.path.normpath(path)}", file=sys.stderr)


if __name__ == "__main__":
    main()
