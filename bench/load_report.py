#!/usr/bin/env python3
"""The table and results.json of bench/load, from its run folders.

Usage: load_report.py --runs DIR --meta META.env --out results.json

Each run folder (DIR/NAME/) holds wrk.txt (the measured wrk run: wrk's own report and the
"LOADJSON {...}" line that bench/load.lua prints), warmup.txt (the same for the warm-up),
mem.txt (lines "idle|before|after RSS_KB HWM_KB PSS_KB PROCESSES", summed over the server
process and its children: "idle" right after start-up, "before" after the warm-up, just
before the measured run, "after" right after it) and sample.json (one answer). Requests/s
is completed responses over wrk's measured duration; latencies are wrk's (responses only:
a request that timed out after --timeout is counted under socket errors, not in the
percentiles). "non-2xx" is the script's count of responses whose status is not 2xx; wrk's
own "Non-2xx or 3xx responses" line (status >= 400) is kept beside it.
Standard library only: it runs with the system python3.
"""
import argparse
import json
import re
import sys
from pathlib import Path

ORDER = ["lore", "lore-retrieve"]
LABELS = {
    "lore": "Lore POST /v1/query",
    "lore-retrieve": "Lore POST /v1/retrieve",
}


def label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    m = re.fullmatch(r"ref-(\w+)-w(\d+)", name)
    if m:
        return f"Reference ({m.group(1)}), {m.group(2)} worker{'s' if m.group(2) != '1' else ''}"
    return name


def parse_wrk(path: Path) -> dict:
    text = path.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"^LOADJSON (\{.*\})\s*$", text, re.M)
    if not m:
        sys.exit(f"load_report.py: no LOADJSON line in {path}")
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    r["wrk_non_2xx_or_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else \
        {k: r["errors"][k] for k in ("connect", "read", "write", "timeout")}
    r["socket_errors_total"] = sum(r["socket_errors"].values())
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    r["wrk_requests_per_s"] = float(m.group(1)) if m else None
    return r


def parse_mem(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 5:
            out[parts[0]] = dict(zip(("rss_kb", "hwm_kb", "pss_kb", "processes"), map(int, parts[1:])))
    return out


def parse_cpu(path: Path) -> dict:
    """Shares of the machine's CPU capacity during the measured run: the server's, wrk's and
    everything else's (other processes on the machine: noise)."""
    if not path.exists():
        return {}
    v = {}
    for line in path.read_text().splitlines():
        k, *rest = line.split()
        v[k] = [float(x) for x in rest]
    busy0, total0, srv0 = v["start"]
    busy1, total1, srv1 = v["end"]
    total = total1 - total0
    if total <= 0:
        return {}
    hz = v["clk_tck"][0]
    server = (srv1 - srv0) / total
    wrk = v["wrk_seconds"][0] * hz / total
    busy = (busy1 - busy0) / total
    return {"server": server, "wrk": wrk, "other": max(0.0, busy - server - wrk), "busy": busy}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", required=True)
    p.add_argument("--meta", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    meta = {}
    for line in Path(a.meta).read_text(encoding="utf-8").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            meta[k] = v
    runs = Path(a.runs)
    names = sorted((d.name for d in runs.iterdir() if (d / "wrk.txt").exists()),
                   key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    systems = {}
    for n in names:
        d = runs / n
        s = {"label": label(n), "measured": parse_wrk(d / "wrk.txt"), "warmup": parse_wrk(d / "warmup.txt"),
             "memory": parse_mem(d / "mem.txt"), "cpu_share": parse_cpu(d / "cpu.txt")}
        c, ncpu = s["cpu_share"], int(meta.get("cpus", "0") or 0)
        if c and c["server"] > 0 and ncpu:
            # completed responses per CPU-second the server used: less sensitive than req/s
            # to other work on the machine (not to the caches and cores it shares, though).
            s["requests_per_server_cpu_s"] = s["measured"]["rps"] / (c["server"] * ncpu)
        if n.startswith("ref-"):
            s["torch_threads_per_worker"] = int(meta.get(f"torch_threads_{n}", 0) or 0)
        systems[n] = s

    first_w = meta.get("workers", "2").split(",")[0]
    def ratio(x: str, y: str):
        if x in systems and y in systems and systems[y]["measured"]["rps"] > 0:
            return systems[x]["measured"]["rps"] / systems[y]["measured"]["rps"]
        return None
    ratios = {
        f"lore/ref-first-w{first_w}": ratio("lore", f"ref-first-w{first_w}"),
        f"lore/ref-ranked-w{first_w}": ratio("lore", f"ref-ranked-w{first_w}"),
        f"lore-retrieve/ref-first-w{first_w}": ratio("lore-retrieve", f"ref-first-w{first_w}"),
    }
    for n in systems:
        if n.startswith("ref-") and not n.endswith(f"-w{first_w}"):
            ratios[f"lore/{n}"] = ratio("lore", n)
    def ratio_cpu(x: str, y: str):
        if x in systems and y in systems and systems[y].get("requests_per_server_cpu_s"):
            return (systems[x].get("requests_per_server_cpu_s") or 0) / systems[y]["requests_per_server_cpu_s"]
        return None
    ratios_cpu = {k: ratio_cpu(*k.split("/")) for k in ratios}
    headline_key = f"lore/ref-first-w{first_w}"
    res = {"meta": meta, "systems": systems, "ratios_rps": ratios, "ratios_per_server_cpu_s": ratios_cpu, "headline": headline_key, "goal_ratio": 5.0}
    Path(a.out).write_text(json.dumps(res, indent=1, sort_keys=True), encoding="utf-8")

    cpus = meta.get("cpus", "?")
    stream = meta.get("question_stream", "set")
    how = "each sent once" if stream == "distinct" else "cycled"
    print(f"\nHTTP load, {meta.get('questions')} questions of {meta.get('set')} {how} as POST bodies; "
          f"wrk -c {meta.get('connections')} -t {meta.get('threads')} -d {meta.get('duration')} "
          f"--timeout {meta.get('timeout')} after a {meta.get('warmup')} warm-up, one system at a time.")
    print(f"Machine: {cpus} CPUs ({meta.get('cpu_model')}); wrk runs on the same {cpus} cores as the server under test. "
          f"Load average at start {meta.get('loadavg_start')}, at end {meta.get('loadavg_end')}.")
    print(f"Lore: {meta.get('lore_command')} ({meta.get('lore_version')}, binary sha256 {meta.get('lore_sha256')}, tree at {meta.get('git_commit')}). "
          f"Reference: uvicorn + FastAPI + LangChain FAISS, MMR k 5 / fetch_k 20, torch threads per worker = "
          f"{cpus} CPUs / workers, no access log.\n")
    hdr = (f"{'system':<32}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>8}{'sock err':>9}"
           f"{'RSS before MB':>14}{'after MB':>9}{'procs':>6}{'CPU srv/wrk/other %':>21}{'req/CPU-s':>10}")
    print(hdr)
    print("-" * len(hdr))
    for n, s in systems.items():
        m, mem = s["measured"], s["memory"]
        before, after = mem.get("before", {}), mem.get("after", {})
        c = s["cpu_share"]
        cpu = f"{c['server'] * 100:.0f}/{c['wrk'] * 100:.0f}/{c['other'] * 100:.0f}" if c else "-"
        per_cpu_s = f"{s['requests_per_server_cpu_s']:.1f}" if s.get("requests_per_server_cpu_s") else "-"
        print(f"{s['label']:<32}{m['rps']:>8.1f}{m['latency_us']['p50'] / 1000:>9.1f}{m['latency_us']['p99'] / 1000:>9.1f}"
              f"{m['non2xx']:>8}{m['socket_errors_total']:>9}"
              f"{before.get('rss_kb', 0) / 1024:>14.0f}{after.get('rss_kb', 0) / 1024:>9.0f}{after.get('processes', 0):>6}{cpu:>21}{per_cpu_s:>10}")
    print("\nRSS: VmRSS summed over the server and its child processes (uvicorn: the parent, its workers and "
          "multiprocessing's helper), after the warm-up and after the measured run; idle RSS, peak (VmHWM) and PSS "
          "are in results.json.\nCPU: shares of all the machine's cores during the measured run taken by the server, "
          "by wrk, and by every other process (noise: near 0 on a quiet machine); req/CPU-s: completed responses per "
          "CPU-second the server used.")
    noisy = [s["label"] for s in systems.values() if s["cpu_share"] and s["cpu_share"]["other"] > 0.10]
    if noisy:
        print(f"WARNING: other processes took over 10% of the cores during: {', '.join(noisy)}; rerun on a quiet machine.")
    print("\nLore requests/s over the reference's (and per server CPU-second):")
    notes = {
        f"lore/ref-first-w{first_w}": "Lore answer vs reference's first-sentences answer (issue 8's comparison; goal >= 5x)",
        f"lore/ref-ranked-w{first_w}": "like for like: both answers rank the passages' sentences by embedding",
        f"lore-retrieve/ref-first-w{first_w}": "retrieval: Lore /v1/retrieve vs the reference (whose answer costs no model work)",
    }
    for k, v in ratios.items():
        if v is not None:
            vc = ratios_cpu.get(k)
            per = f"{vc:>7.2f}x" if vc is not None else f"{'-':>8}"
            print(f"  {k:<30}{v:>8.2f}x {per}   {notes.get(k, '')}")
    ceilings = {}
    for f in meta.get("ceilings", "").split():
        c = json.loads(Path(f).read_text(encoding="utf-8"))
        ceilings[c["kernel"]] = c
    res["ceilings"] = {k: {"texts_per_s": c["texts_per_s"], "latency_ms_p50": c["latency_ms_p50"]} for k, c in ceilings.items()}
    Path(a.out).write_text(json.dumps(res, indent=1, sort_keys=True), encoding="utf-8")
    h = ratios.get(headline_key)
    if meta.get("question_stream", "set") == "set":
        if h is not None:
            print(f"\nGoal (Lore >= 5x the reference's requests/s, {headline_key}): {'met' if h >= 5 else 'NOT met'}, {h:.2f}x.")
    elif "lore" in systems:
        lore = systems["lore"]["measured"]
        ref = systems.get(f"ref-first-w{first_w}", {}).get("measured")
        print(f"\nIssue 21's goals ({meta.get('question_stream')} questions):")
        for k, c in sorted(ceilings.items()):
            share = lore["rps"] / c["texts_per_s"]
            print(f"  /v1/query >= 0.85 x the encoder's batched ceiling ({k}: {c['texts_per_s']:.0f} questions/s): "
                  f"{'met' if share >= 0.85 else 'NOT met'}, {share:.3f}x")
        if ref:
            if h is not None:
                print(f"  requests/s >= 1.8 x the reference ({headline_key}): {'met' if h >= 1.8 else 'NOT met'}, {h:.2f}x")
            p99, rp99 = lore["latency_us"]["p99"], ref["latency_us"]["p99"]
            print(f"  p99 <= half the reference's: {'met' if p99 <= rp99 / 2 else 'NOT met'}, "
                  f"{p99 / 1000:.0f} against {rp99 / 1000:.0f} ms ({p99 / rp99:.2f}x)")
        bad = lore["non2xx"] + lore["socket_errors_total"]
        print(f"  0 non-2xx responses: {'met' if bad == 0 else 'NOT met'}, {lore['non2xx']} non-2xx, "
              f"{lore['socket_errors_total']} socket errors")
    print(f"Results: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
