"""Benchmark the HTTP service under load: do ``/health`` and a light text search keep answering while 8
clients hammer the heavy routes (score, search by image, ask, ArtiMuse's /infer)?

    python benchmarks/http_load.py                        # a synthetic collection of 48 artworks
    python benchmarks/http_load.py --collection DIR --seconds 30

``artscope serve`` runs in its own process on 127.0.0.1. Each hammering client sends its requests one
after another from its own loopback address (127.0.0.2 ... 127.0.0.9), so per-client rate limits apply
to each; the probes (``/health`` and a text search, one after the other, about 5 a second) come from 127.0.0.10,
after one warm-up request of each kind. Three runs:

  * ``idle``: the probes alone;
  * ``hammered, default limits``: the 8 clients under the default rate limits (most heavy requests are
    refused with 429 once a client has spent its heavy budget);
  * ``hammered, no limits``: rate limits off, so the heavy pool is saturated the whole time; this shows
    what keeps light requests answering: their own worker pool.

Printed per run: p50 / p95 / max latency of each probe (ms), and the heavy requests done and refused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

import artscope
from artscope.testing import write_synthetic_folder

HAMMERS = 8
PROBE_INTERVAL_S = 0.1


def build_collection(folder: Path) -> Path:
    source = folder / "source"
    write_synthetic_folder(source, n=48)
    path = folder / "collection"
    with artscope.create(path) as collection:
        collection.ingest([str(source)])
        collection.optimize()
    return path


def start_service(collection: Path, port: int, limits: bool) -> subprocess.Popen:
    env = dict(os.environ)
    if not limits:
        env.update(ARTSCOPE_RATE_LIMIT="", ARTSCOPE_HEAVY_RATE_LIMIT="")
    command = shutil.which("artscope") or str(Path(sys.executable).parent / "artscope")
    service = subprocess.Popen([command, "serve", str(collection), "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return service
        except httpx.HTTPError:
            time.sleep(0.2)
    service.kill()
    raise RuntimeError("the service did not start")


def warm_up(url: str, image: bytes) -> None:
    """One request of each kind first (from 127.0.0.11), so that no run measures the loading of a model."""
    with client(url, "127.0.0.11") as http:
        http.post("/api/search", json={"text": "red landscape"})
        http.post("/api/score", json={"artwork_id": "art-0001"})
        http.post("/api/ask", json={"question": "Who painted it?", "artwork_id": "art-0001"})
        http.post("/infer", files={"file": ("q.png", image, "image/png")})


def client(url: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=300, transport=httpx.HTTPTransport(local_address=address))


def hammer(url: str, address: str, image: bytes, stop: threading.Event, outcome: dict[str, int]) -> None:
    """Heavy requests one after another until ``stop``: score, search by image, ask, /infer."""
    with client(url, address) as http:
        upload = http.post("/api/uploads", files={"file": ("q.png", image, "image/png")})
        image_id = upload.json()["id"] if upload.status_code == 200 else "missing"
        requests = [
            lambda i: http.post("/api/score", json={"artwork_id": f"art-{i % 48:04d}"}),
            lambda i: http.post("/api/search", json={"image_id": image_id, "limit": 24}),
            lambda i: http.post("/api/ask", json={"question": "Who painted it and when?",
                                                  "artwork_id": f"art-{i % 48:04d}"}),
            lambda i: http.post("/infer", files={"file": ("q.png", image, "image/png")}),
        ]
        i = 0
        while not stop.is_set():
            status = requests[i % len(requests)](i).status_code
            key = "done" if status == 200 else "refused (429)" if status == 429 else f"status {status}"
            outcome[key] = outcome.get(key, 0) + 1
            if status == 429:
                time.sleep(0.05)  # a polite client waits; a rude one would only cost itself 429s
            i += 1


def probe(url: str, stop: threading.Event, latencies: dict[str, list[float]]) -> None:
    """``/health`` and a text search one after the other, then a pause of ``PROBE_INTERVAL_S``; every answer
    timed."""
    with client(url, "127.0.0.10") as http:
        while not stop.is_set():
            for name, send in (("health", lambda: http.get("/health")),
                               ("text search", lambda: http.post("/api/search", json={"text": "red landscape"}))):
                started = time.perf_counter()
                response = send()
                if response.status_code == 200:
                    latencies[name].append((time.perf_counter() - started) * 1000)
            time.sleep(PROBE_INTERVAL_S)


def run(url: str, image: bytes, hammers: int, seconds: float) -> tuple[dict[str, list[float]], dict[str, int]]:
    stop = threading.Event()
    latencies: dict[str, list[float]] = {"health": [], "text search": []}
    outcome: dict[str, int] = {}
    threads = [threading.Thread(target=hammer, args=(url, f"127.0.0.{2 + n}", image, stop, outcome))
               for n in range(hammers)]
    threads.append(threading.Thread(target=probe, args=(url, stop, latencies)))
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(300)
    return latencies, outcome


def report(label: str, latencies: dict[str, list[float]], outcome: dict[str, int]) -> None:
    parts = []
    for name, values in latencies.items():
        if len(values) < 2:
            parts.append(f"{name}: {len(values)} answers")
            continue
        p95 = statistics.quantiles(values, n=20)[18]
        parts.append(f"{name} p50 {statistics.median(values):.0f} / p95 {p95:.0f} / max {max(values):.0f} ms "
                     f"({len(values)} answers)")
    heavy = ", ".join(f"{k} {v}" for k, v in sorted(outcome.items())) or "none"
    print(f"{label:<26} {'; '.join(parts)}; heavy requests: {heavy}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, help="A collection to serve (default: a synthetic one).")
    parser.add_argument("--seconds", type=float, default=30.0, help="Length of each run.")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        collection = args.collection or build_collection(Path(folder))
        image = next((collection / "thumbs").glob("*.jpg")).read_bytes()
        url = f"http://127.0.0.1:{args.port}"
        print(f"{os.cpu_count()} cores; {HAMMERS} hammering clients; {args.seconds:g} s a run", flush=True)
        for label, limits, hammers in (("idle", True, 0), ("hammered, default limits", True, HAMMERS),
                                       ("hammered, no limits", False, HAMMERS)):
            service = start_service(collection, args.port, limits)
            try:
                warm_up(url, image)
                report(label, *run(url, image, hammers, args.seconds))
            finally:
                service.terminate()
                service.wait(120)


if __name__ == "__main__":
    main()
