"""Drives a running `lore serve` with the official OpenAI Python SDK, as a tool built on it would.

Usage: openai_client_check.py BASE_URL LORE_BINARY DATABASE

Checks, each recorded in the summary:
  models       client.models.list(): the pipelines (lore-default, lore-answer-v1/v2,
               lore-extractive) and the embedder (all-MiniLM-L6-v2, lore-embed)
  chat         client.chat.completions.create, not streamed, with a system message (ignored)
               and the `lore` extension in extra_body: a cited answer, and the citations
               read from response.model_extra["lore"]
  follow_up    a conversation: the earlier turns are history, the follow-up is condensed
  stream       stream=True with stream_options.include_usage: the role chunk, content
               chunks, a final chunk with finish_reason and the citations in its `lore`
               extension, then a usage chunk with no choices
  errors       an unknown model is openai.NotFoundError (404, model_not_found); n=2 is
               openai.BadRequestError (400) naming n
  embeddings   client.embeddings.create with encoding_format float, and with the SDK's
               default (base64, decoded by the SDK), and raw base64 decoded here as
               little-endian float32: all equal `lore embed --json` within 1e-5; usage
               counts tokens

Prints one JSON object (the summary, with "failed": [names of failed checks]) and exits 1
when any check failed, 0 otherwise.
"""
import base64
import json
import os
import struct
import subprocess
import sys
import traceback

import openai

QUESTION = "How do I turn on WAL mode, and what does it let readers do?"
TEXTS = ["WAL mode lets readers run while a writer writes.", "Lore answers questions from your documents."]


def main():
    base_url, lore, database = sys.argv[1:4]
    # A Lore API key (lore keys create), passed the way OpenAI tools take theirs.
    client = openai.OpenAI(base_url=base_url + "/v1", api_key=os.environ["OPENAI_API_KEY"], max_retries=0, timeout=120)
    summary = {"openai_version": openai.__version__, "failed": []}

    def check(name, fn):
        try:
            result = fn()
            summary[name] = result
        except Exception as e:  # noqa: BLE001 - every failure is reported by name
            summary[name] = {"exception": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
            summary["failed"].append(name)

    def expect(condition, what):
        if not condition:
            raise AssertionError(what)

    def models():
        ids = [m.id for m in client.models.list()]
        for wanted in ["lore-default", "lore-answer-v1", "lore-answer-v2", "lore-extractive", "all-MiniLM-L6-v2", "lore-embed"]:
            expect(wanted in ids, f"{wanted} not in {ids}")
        return {"ids": ids}

    def chat():
        r = client.chat.completions.create(
            model="lore-default",
            messages=[{"role": "system", "content": "You are a pirate."}, {"role": "user", "content": QUESTION}],
            extra_body={"lore": {"k": 4}},
        )
        lore_ext = r.model_extra["lore"]
        citations = lore_ext["citations"]
        expect(r.id.startswith("chatcmpl-"), f"id {r.id}")
        expect(r.object == "chat.completion", r.object)
        expect(r.choices[0].message.role == "assistant", r.choices[0].message.role)
        expect(bool(r.choices[0].message.content), "empty answer")
        expect(r.choices[0].finish_reason == "stop", r.choices[0].finish_reason)
        expect(0 < len(citations) <= 4, f"{len(citations)} citations")
        cited = [c["source"] for c in citations if c["cited"]]
        expect(any(s.endswith("sqlite-wal-mode.txt") for s in cited), f"cited {cited}")
        expect(lore_ext["ignored_system_messages"] == 1, lore_ext["ignored_system_messages"])
        expect(r.usage is not None and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens, r.usage)
        return {"id": r.id, "model": r.model, "content": r.choices[0].message.content, "finish_reason": r.choices[0].finish_reason,
                "citations": len(citations), "cited_sources": cited, "request_id": lore_ext["request_id"],
                "ignored_system_messages": lore_ext["ignored_system_messages"], "prompt": lore_ext["prompt"]}

    def follow_up():
        r = client.chat.completions.create(
            model="lore-answer-v1",
            messages=[{"role": "user", "content": "What is WAL mode in SQLite?"},
                      {"role": "assistant", "content": "WAL mode is a journal mode of SQLite [1]."},
                      {"role": "user", "content": [{"type": "text", "text": "How do I turn it on?"}]}],
            extra_body={"lore": {"conversation_id": "client-check"}},
        )
        lore_ext = r.model_extra["lore"]
        expect(lore_ext["prompt"]["version"] == "v1", lore_ext["prompt"])
        expect(lore_ext["conversation_id"] == "client-check", lore_ext.get("conversation_id"))
        expect(bool(r.choices[0].message.content), "empty answer")
        return {"standalone_question": lore_ext["standalone_question"], "prompt": lore_ext["prompt"]["version"]}

    def stream():
        chunks = list(client.chat.completions.create(
            model="lore-extractive", messages=[{"role": "user", "content": QUESTION}],
            stream=True, stream_options={"include_usage": True},
        ))
        expect(len(chunks) >= 4, f"{len(chunks)} chunks")
        expect(all(c.object == "chat.completion.chunk" for c in chunks), "not all chunks are chat.completion.chunk")
        expect(len({c.id for c in chunks}) == 1, "chunk ids differ")
        expect(chunks[0].choices[0].delta.role == "assistant", chunks[0])
        usage_chunk = chunks[-1]
        expect(usage_chunk.choices == [] and usage_chunk.usage is not None, f"last chunk {usage_chunk}")
        final = chunks[-2]
        expect(final.choices[0].finish_reason == "stop", final.choices[0].finish_reason)
        lore_ext = final.model_extra["lore"]
        content = [c.choices[0].delta.content for c in chunks[1:-2] if c.choices and c.choices[0].delta.content]
        expect(content, "no content chunks")
        expect(all(c.choices[0].finish_reason is None for c in chunks[:-2]), "finish_reason before the final chunk")
        citations = lore_ext["citations"]
        expect(any(c["cited"] and c["source"].endswith("sqlite-wal-mode.txt") for c in citations), citations)
        return {"chunks": len(chunks), "content_chunks": len(content), "text": "".join(content),
                "citations": len(citations), "finish_reason": final.choices[0].finish_reason,
                "usage": usage_chunk.usage.model_dump()}

    def errors():
        out = {}
        try:
            client.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": QUESTION}])
            raise AssertionError("an unknown model was answered")
        except openai.NotFoundError as e:
            expect(e.status_code == 404, e.status_code)
            expect(e.response.json()["error"]["code"] == "model_not_found", e.response.text)
            out["unknown_model"] = {"status": e.status_code, "message": e.response.json()["error"]["message"]}
        try:
            client.chat.completions.create(model="lore-default", n=2, messages=[{"role": "user", "content": QUESTION}])
            raise AssertionError("n=2 was answered")
        except openai.BadRequestError as e:
            message = e.response.json()["error"]["message"]
            expect(message.startswith("n:"), message)
            out["n"] = {"status": e.status_code, "message": message}
        return out

    def embeddings():
        expected = lore_vectors(lore, database)
        as_float = client.embeddings.create(model="all-MiniLM-L6-v2", input=TEXTS, encoding_format="float")
        by_sdk = client.embeddings.create(model="lore-embed", input=TEXTS)  # the SDK asks for base64 and decodes it
        raw = client.embeddings.with_raw_response.create(model="lore-embed", input=TEXTS, encoding_format="base64")
        raw_vectors = []
        for item in json.loads(raw.http_response.text)["data"]:
            data = base64.b64decode(item["embedding"])
            raw_vectors.append(list(struct.unpack(f"<{len(data) // 4}f", data)))
        worst = 0.0
        for name, vectors in [("float", [d.embedding for d in as_float.data]), ("sdk", [d.embedding for d in by_sdk.data]),
                              ("base64", raw_vectors)]:
            expect(len(vectors) == len(expected), f"{name}: {len(vectors)} vectors")
            for got, want in zip(vectors, expected):
                expect(len(got) == len(want) == 384, f"{name}: {len(got)} dimensions")
                worst = max(worst, max(abs(a - b) for a, b in zip(got, want)))
        expect(worst <= 1e-5, f"largest difference {worst}")
        expect([d.index for d in as_float.data] == [0, 1], "indexes")
        expect(as_float.usage.prompt_tokens > 0 and as_float.usage.total_tokens == as_float.usage.prompt_tokens, as_float.usage)
        return {"model": as_float.model, "dimensions": len(as_float.data[0].embedding), "max_abs_difference": worst,
                "prompt_tokens": as_float.usage.prompt_tokens, "inputs": len(as_float.data)}

    for name, fn in [("models", models), ("chat", chat), ("follow_up", follow_up), ("stream", stream), ("errors", errors),
                     ("embeddings", embeddings)]:
        check(name, fn)
    print(json.dumps(summary))
    return 1 if summary["failed"] else 0


def lore_vectors(lore, database):
    """Lore's own embeddings of TEXTS, from `lore embed --json` (one JSON array per line)."""
    r = subprocess.run([lore, "embed", "--json", "--db", database, *TEXTS], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


if __name__ == "__main__":
    sys.exit(main())
