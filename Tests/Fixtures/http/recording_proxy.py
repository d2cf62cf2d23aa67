"""A recording HTTP proxy: forwards every request to a real upstream server unchanged,
streaming the answer back as it arrives, and keeps the request bodies it forwarded, so a
test can check what the upstream server actually received.

GET /_requests -> {"bodies": [<each forwarded request body, as text>]}
Prints "READY <port>" on stdout when listening.

  --append TEXT   fault injection: add TEXT to the end of the model's answer (one more
                  streamed delta just before the finishing chunk, or appended to the
                  message of a whole answer). For outputs a real model cannot be made to
                  give on demand, such as a citation of a source it was never given.
"""
import argparse, http.client, http.server, json, os, signal, sys, threading, time, urllib.parse

import fixture_lifetime

p = argparse.ArgumentParser()
p.add_argument("--upstream", required=True)
p.add_argument("--append", default="")
args = p.parse_args()
up = urllib.parse.urlsplit(args.upstream)
lock = threading.Lock()
bodies = []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path == "/_requests":
            with lock:
                data = json.dumps({"bodies": bodies}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.forward(b"")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n) if n else b""
        with lock:
            bodies.append(body.decode("utf-8", "replace"))
        self.forward(body)

    def forward(self, body):
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
        headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body, headers=headers)
        r = conn.getresponse()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                self.send_header(k, v)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sse = "text/event-stream" in (r.getheader("Content-Type") or "")
        if args.append and sse:
            injected = False
            for line in r:
                if not injected and line.startswith(b"data:") and b'"finish_reason":"' in line.replace(b" ", b""):
                    event = json.loads(line[5:])
                    event["choices"][0]["delta"] = {"content": args.append}
                    event["choices"][0]["finish_reason"] = None
                    self.send_chunk(b"data: " + json.dumps(event).encode() + b"\n\n")
                    injected = True
                self.send_chunk(line)
        elif args.append:
            data = json.loads(r.read())
            if data.get("choices"):
                data["choices"][0]["message"]["content"] += args.append
            self.send_chunk(json.dumps(data).encode())
        else:
            while True:
                chunk = r.read1(65536) if hasattr(r, "read1") else r.read(4096)
                if not chunk:
                    break
                self.send_chunk(chunk)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        conn.close()


    def send_chunk(self, chunk):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.flush()


fixture_lifetime.bind_to_parent()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(f"READY {server.server_address[1]}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
