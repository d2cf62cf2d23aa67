"""A fault-injecting OpenAI-compatible chat-completions server for the generation client tests.

Real servers cannot be made to fail on demand; this one answers POST
/<key>/<mode>/v1/chat/completions with the behaviour <mode> names. <key> is any token
the test chooses, so that each test counts its own requests.

Modes (streamed when the request says "stream": true, one JSON answer otherwise):
  ok                  the answer "Hello, wörld — done." in five deltas, each SSE event
                      written in two pieces (splitting a UTF-8 character), CRLF line ends,
                      a comment line, a usage chunk, [DONE]
  no-usage            as ok, without usage
  length              as ok, finish_reason "length"
  hang                read the request, never answer
  stall               send the headers and a role-only chunk, then nothing
  slow                a delta every 0.2 s, forever
  slow-<N>            N deltas "tick " 0.2 s apart, then the end of the stream
  status-<N>          answer HTTP N with {"error": {"message": "injected failure <N>"}}
  malformed           200 with a body that is not JSON (streamed: a data line that is not JSON)
  garbage-first       streamed: a line that is not SSE before any text
  garbage-after       streamed: two deltas, then a line that is not SSE
  error-first         streamed: an {"error": ...} event before any text
  error-after         streamed: two deltas, then an {"error": ...} event
  die-after           streamed: three deltas, then the connection is cut (no end of body)
  fail-first-<N>      the first N requests of this key get 503, later ones behave as ok

GET /<key>/<mode>/v1/models -> a model list (what a readiness probe asks)
GET /_stats/<key> -> {"requests": N, "disconnects": N, "last": <last request body>,
                      "authorization": <last Authorization header or null>}
Prints "READY <port>" on stdout when listening.
"""
import http.server, json, os, signal, socket, sys, threading, time

import fixture_lifetime

lock = threading.Lock()
stats = {}
DELTAS = ["Hello", ", wö", "rld", " — ", "done."]


def stat(key):
    return stats.setdefault(key, {"requests": 0, "disconnects": 0, "last": None, "authorization": None})


def chunk(content=None, finish=None, role=None):
    delta = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    return {"id": "chatcmpl-fault", "object": "chat.completion.chunk", "model": "fault",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def write(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def event(self, obj, split=False):
        data = ("data: " + (obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)) + "\r\n\r\n").encode()
        if split:
            # Two TCP writes, the cut inside a multi-byte character where there is one.
            cut = next((i for i, b in enumerate(data) if b >= 0xC0), len(data) // 2) + 1
            self.write(data[:cut])
            time.sleep(0.005)
            self.write(data[cut:])
        else:
            self.write(data)

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "_stats":
            with lock:
                return self.reply(200, stat(parts[1]))
        if len(parts) == 4 and parts[2:] == ["v1", "models"]:
            return self.reply(200, {"object": "list", "data": [{"id": "fault", "object": "model"}]})
        self.reply(404, {"error": {"message": "not found"}})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        parts = self.path.strip("/").split("/")
        if len(parts) != 5 or parts[2:] != ["v1", "chat", "completions"]:
            return self.reply(404, {"error": {"message": f"no route {self.path}"}})
        key, mode = parts[0], parts[1]
        try:
            request = json.loads(body)
        except ValueError:
            return self.reply(400, {"error": {"message": "request body is not JSON"}})
        with lock:
            s = stat(key)
            s["requests"] += 1
            s["last"] = request
            s["authorization"] = self.headers.get("Authorization")
            n = s["requests"]
        if mode.startswith("fail-first-"):
            if n <= int(mode.rsplit("-", 1)[1]):
                return self.reply(503, {"error": {"message": f"injected failure 503 (request {n})"}})
            mode = "ok"
        try:
            self.serve(mode, request)
        except (BrokenPipeError, ConnectionResetError):
            with lock:
                stat(key)["disconnects"] += 1
            self.close_connection = True

    def serve(self, mode, request):
        streamed = bool(request.get("stream"))
        if mode.startswith("status-"):
            code = int(mode.split("-", 1)[1])
            return self.reply(code, {"error": {"message": f"injected failure {code}", "type": "injected"}})
        if mode == "hang":
            time.sleep(3600)
        if mode == "malformed" and not streamed:
            return self.reply(200, b'{"choices": [{"message": {"content": "unterminated')
        if mode in ("ok", "no-usage", "length") and not streamed:
            answer = {"id": "chatcmpl-fault", "object": "chat.completion", "model": "fault",
                      "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(DELTAS)},
                                   "finish_reason": "length" if mode == "length" else "stop"}]}
            if mode != "no-usage":
                answer["usage"] = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
            return self.reply(200, answer)
        if not streamed:
            return self.reply(400, {"error": {"message": f"mode {mode} streams only"}})

        self.start_stream()
        if mode == "stall":
            self.event(chunk(role="assistant"))
            time.sleep(3600)
        if mode == "slow":
            while True:
                self.event(chunk("tick "))
                time.sleep(0.2)
        if mode.startswith("slow-"):
            for _ in range(int(mode.split("-", 1)[1])):
                self.event(chunk("tick "))
                time.sleep(0.2)
            self.event(chunk(finish="stop"))
            self.event("[DONE]")
            return self.end_stream()
        if mode == "malformed":
            self.event("{not json")
        elif mode == "garbage-first":
            self.write(b"this is not server-sent events\r\n\r\n")
        elif mode == "error-first":
            self.event({"error": {"message": "injected stream error", "code": 503}})
        elif mode in ("garbage-after", "error-after", "die-after"):
            for d in DELTAS[:3 if mode == "die-after" else 2]:
                self.event(chunk(d))
            if mode == "garbage-after":
                self.write(b"this is not server-sent events\r\n\r\n")
            elif mode == "error-after":
                self.event({"error": {"message": "injected stream error"}})
            else:
                # Cut the connection without ending the chunked body.
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
        else:  # ok, no-usage, length
            self.event(chunk(role="assistant"))
            self.write(b": keep-alive comment\r\n\r\n")
            for d in DELTAS:
                self.event(chunk(d), split=True)
            self.event(chunk(finish="length" if mode == "length" else "stop"))
            if mode != "no-usage":
                self.event({"id": "chatcmpl-fault", "object": "chat.completion.chunk", "model": "fault", "choices": [],
                            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}})
            self.event("[DONE]")
        self.end_stream()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


fixture_lifetime.bind_to_parent()
server = Server(("127.0.0.1", 0), Handler)
print(f"READY {server.server_address[1]}", flush=True)
server.serve_forever()
