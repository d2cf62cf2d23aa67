"""A fault-injecting HTTP proxy for the embeddings client tests.

It forwards every request to a real upstream server, except that it injects the faults a
real server cannot be made to produce on demand:

  --fail-first N --status S [--retry-after SECONDS]
        answer the first N requests with status S (with Retry-After when given), then forward
  --fail-after N --status S
        forward the first N requests, then answer every later one with status S (a server
        that went down mid-run, without the wait for it to die)
  --per-token
        forward, then rewrite each embedding into per-token vectors (as llama.cpp's server
        does without pooling)

Prints "READY <port>" on stdout when listening; counts requests on GET /_count.
"""
import argparse, http.server, json, sys, threading, urllib.request

p = argparse.ArgumentParser()
p.add_argument("--upstream", required=True)
p.add_argument("--fail-first", type=int, default=0)
p.add_argument("--fail-after", type=int, default=-1)
p.add_argument("--status", type=int, default=429)
p.add_argument("--retry-after")
p.add_argument("--per-token", action="store_true")
args = p.parse_args()
lock = threading.Lock()
count = {"n": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/_count":
            return self.reply(200, {"requests": count["n"]})
        self.reply(404, {"error": {"message": "not found"}})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            count["n"] += 1
            n = count["n"]
        if n <= args.fail_first or (args.fail_after >= 0 and n > args.fail_after):
            headers = [("Retry-After", args.retry_after)] if args.retry_after else []
            return self.reply(args.status, {"error": {"message": f"injected fault {n}", "type": "injected"}}, headers)
        req = urllib.request.Request(args.upstream + self.path, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        if args.per_token and status == 200:
            doc = json.loads(data)
            for item in doc.get("data", []):
                item["embedding"] = [item["embedding"], item["embedding"]]
            data = json.dumps(doc).encode()
        self.reply(status, data)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"READY {server.server_address[1]}", flush=True)
server.serve_forever()
