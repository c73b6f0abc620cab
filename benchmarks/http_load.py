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

Two more measurements:

    python benchmarks/http_load.py --clients 1 4 16 --artworks 100000 --collection /tmp/gen100k
    python benchmarks/http_load.py --clients 1 4 16 --collection /tmp/gen100k --routes "text search"
    python benchmarks/http_load.py --first-search --collection /tmp/gen100k

  * ``--clients``: for each number of clients, that many clients (each from its own loopback address,
    rate limits off) send light requests one after another for ``--seconds``: a text search, a "more
    like this" search (``artwork_id``), a passage search and an artwork record, in turn (``--routes``: some
    of them only); p50 / p95 per route, and the service's CPU time a request (which other jobs on the
    cores disturb much less than latency). One warm-up request of each kind comes first.
  * ``--first-search``: the service started anew; seconds until ``/health`` answers and until it says
    ready (``?ready=true`` answers 200; a service without readiness answers 200 at once), then the first
    text search and the second one, in ms.

``--artworks N`` builds a collection of N generated artworks at ``--collection`` when there is none
there: synthetic 32-px pictures and catalogue records through the real ingest (catalog, thumbnails,
index, ``optimize()``), with generated vectors instead of the builtin embedder's (clustered, so the
approximate index behaves as on real embeddings; embedding 100,000 pictures takes an hour on 2 cores).
Queries are embedded for real by the service.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np

import artscope
from artscope.embedders.base import ImageEmbeddings, l2_normalize
from artscope.testing import draw_artwork, synthetic_artworks, write_synthetic_folder

HAMMERS = 8
PROBE_INTERVAL_S = 0.1
QUERIES = ["red landscape", "a portrait of a woman", "stormy sea with ships", "still life with fruit",
           "night scene", "winter village in snow", "a river at sunset", "flowers in a vase"]


def build_collection(folder: Path) -> Path:
    source = folder / "source"
    write_synthetic_folder(source, n=48)
    path = folder / "collection"
    with artscope.create(path) as collection:
        collection.ingest([str(source)])
        collection.optimize()
    return path


def generated_vectors(rng: np.random.Generator, n: int, dim: int, clusters: int = 500) -> np.ndarray:
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    return l2_normalize(centres[rng.integers(0, clusters, n)] + 0.35 * rng.normal(size=(n, dim)).astype(np.float32))


def build_generated(path: Path, n: int) -> None:
    """``n`` generated artworks through the real ingest, their vectors generated (see the docstring)."""
    source = path.parent / f"{path.name}-source"
    (source / "images").mkdir(parents=True, exist_ok=True)
    rows = []
    for i, art in enumerate(synthetic_artworks(n, seed=1)):
        draw_artwork(art, size=32, seed=i).save(source / art.file)
        rows.append([art.id, art.file, f"{art.title} {i}", art.artist, str(art.year), art.style, art.genre,
                     art.description])
    with (source / "catalog.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "file", "title", "artist", "date", "style", "genre", "description"])
        writer.writerows(rows)
    with (source / "passages.jsonl").open("w", encoding="utf-8") as f:
        for row in rows[::10]:
            f.write(json.dumps({"id": f"{row[0]}-p", "artwork_id": row[0], "source": "generated wall text",
                                "text": f"{row[2]} was painted by {row[3]} in {row[4]}, in the {row[5]} manner."})
                    + "\n")
    rng = np.random.default_rng(0)
    with artscope.create(path) as collection:
        embedder, info = collection.embedder, collection.info

        def embed_images(images: list) -> ImageEmbeddings:
            tokens = None
            if info.token_dim:
                tokens = generated_vectors(rng, len(images) * (info.max_tokens or 16), info.token_dim)
                tokens = tokens.reshape(len(images), -1, info.token_dim)
            return ImageEmbeddings(generated_vectors(rng, len(images), info.image_dim), tokens)

        embedder.embed_images = embed_images
        embedder.embed_texts = lambda texts: generated_vectors(rng, len(texts), info.text_dim)
        started = time.perf_counter()
        # one process: worker processes would embed with the real embedder, not the generated vectors
        collection.ingest([str(source / "catalog.csv"), str(source / "passages.jsonl")], workers=1)
        ingested = time.perf_counter()
        collection.optimize()
        print(f"built {n:,} generated artworks: ingest {ingested - started:.0f} s, optimize() "
              f"{time.perf_counter() - ingested:.0f} s", flush=True)
    shutil.rmtree(source)


def artwork_ids(collection: Path, count: int) -> list[str]:
    with artscope.open(collection) as opened:
        return [record.id for record, _ in zip(opened.catalog.iter_records(), range(count), strict=False)]


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
    run_for(threads, stop, seconds)
    return latencies, outcome


def run_for(threads: list[threading.Thread], stop: threading.Event, seconds: float) -> None:
    """Start ``threads``, set ``stop`` after ``seconds`` and wait for them."""
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(300)


def report(label: str, latencies: dict[str, list[float]], outcome: dict[str, int] | None) -> None:
    parts = []
    for name, values in latencies.items():
        if len(values) < 2:
            parts.append(f"{name}: {len(values)} answers")
            continue
        p95 = statistics.quantiles(values, n=20, method="inclusive")[18]
        parts.append(f"{name} p50 {statistics.median(values):.0f} / p95 {p95:.0f} / max {max(values):.0f} ms "
                     f"({len(values)} answers)")
    if outcome is not None:
        parts.append("heavy requests: " + (", ".join(f"{k} {v}" for k, v in sorted(outcome.items())) or "none"))
    print(f"{label:<26} {'; '.join(parts)}", flush=True)


LIGHT_ROUTES = ("text search", "more like this", "passage search", "artwork record")


def light_routes(http: httpx.Client, ids: list[str], names: tuple[str, ...] = LIGHT_ROUTES
                 ) -> dict[str, Callable[[int], httpx.Response]]:
    """The light routes ``names``, each sending its ``i``-th request."""
    routes = {
        "text search": lambda i: http.post("/api/search", json={"text": QUERIES[i % len(QUERIES)]}),
        "more like this": lambda i: http.post("/api/search", json={"artwork_id": ids[i % len(ids)]}),
        "passage search": lambda i: http.post("/api/search/passages", json={"text": QUERIES[i % len(QUERIES)]}),
        "artwork record": lambda i: http.get(f"/api/artworks/{ids[i % len(ids)]}"),
    }
    return {name: routes[name] for name in names}


def light_client(url: str, address: str, ids: list[str], names: tuple[str, ...], stop: threading.Event,
                 latencies: dict[str, list[float]]) -> None:
    """The light routes ``names`` in turn, one request after another, until ``stop``; every answer timed."""
    with client(url, address) as http:
        routes = light_routes(http, ids, names)
        i = 0
        while not stop.is_set():
            for name, send in routes.items():
                started = time.perf_counter()
                response = send(i)
                if response.status_code != 200:
                    raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")
                latencies.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            i += 1


def concurrent_clients(collection: Path, url: str, port: int, counts: list[int], seconds: float,
                       names: tuple[str, ...] = LIGHT_ROUTES) -> None:
    """For each count of clients: p50 / p95 per light route (ms), rate limits off."""
    ids = artwork_ids(collection, 1000)
    service = start_service(collection, port, limits=False)
    try:
        wait_ready(url)
        with client(url, "127.0.0.11") as http:  # one of each first: no run measures the loading of a model
            for send in light_routes(http, ids).values():
                send(0)
        for count in counts:
            stop = threading.Event()
            latencies: dict[str, list[float]] = {}
            threads = [threading.Thread(target=light_client,
                                        args=(url, f"127.0.0.{20 + n}", ids, names, stop, latencies))
                       for n in range(count)]
            cpu = service_cpu_s(service.pid)
            run_for(threads, stop, seconds)
            answers = sum(len(values) for values in latencies.values())
            per_request = (service_cpu_s(service.pid) - cpu) * 1000 / max(answers, 1)
            report(f"{count} client{'s' if count > 1 else ''}", latencies, None)
            print(f"{'':<26} service CPU {per_request:.1f} ms a request ({answers} requests)", flush=True)
    finally:
        service.terminate()
        service.wait(120)


def service_cpu_s(pid: int) -> float:
    """CPU seconds the service has used, every thread (Linux): a measure that other jobs on the cores
    disturb much less than latency."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_ready(url: str, timeout_s: float = 600) -> float:
    """Seconds until ``/health?ready=true`` answers 200."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        try:
            if httpx.get(f"{url}/health", params={"ready": "true"}, timeout=30).status_code == 200:
                return time.perf_counter() - started
        except httpx.TimeoutException:  # a busy machine
            pass
        time.sleep(0.05)
    raise RuntimeError("the service never said it was ready")


def first_search(collection: Path, url: str, port: int) -> None:
    """A fresh service: until ``/health`` answers, until it is ready, the first and the second text search."""
    started = time.perf_counter()
    service = start_service(collection, port, limits=False)
    try:
        alive = time.perf_counter() - started
        ready = alive + wait_ready(url)
        times = []
        with client(url, "127.0.0.12") as http:
            for text in QUERIES[:2]:
                sent = time.perf_counter()
                assert http.post("/api/search", json={"text": text}).status_code == 200
                times.append((time.perf_counter() - sent) * 1000)
        print(f"/health answered after {alive:.1f} s, ready after {ready:.1f} s; first text search "
              f"{times[0]:.0f} ms, second {times[1]:.0f} ms", flush=True)
    finally:
        service.terminate()
        service.wait(120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, help="A collection to serve (default: a synthetic one).")
    parser.add_argument("--seconds", type=float, default=30.0, help="Length of each run.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--clients", type=int, nargs="+", help="Light routes under this many clients (each).")
    parser.add_argument("--routes", nargs="+", choices=LIGHT_ROUTES, default=list(LIGHT_ROUTES),
                        help="The light routes each client sends in turn (default: all four).")
    parser.add_argument("--first-search", action="store_true", help="Time the start and the first searches.")
    parser.add_argument("--artworks", type=int, help="Build N generated artworks at --collection if missing.")
    args = parser.parse_args()
    if args.artworks and args.collection and not args.collection.exists():
        build_generated(args.collection, args.artworks)
    with tempfile.TemporaryDirectory() as folder:
        collection = args.collection or build_collection(Path(folder))
        url = f"http://127.0.0.1:{args.port}"
        print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}", flush=True)
        if args.first_search:
            first_search(collection, url, args.port)
        if args.clients:
            concurrent_clients(collection, url, args.port, args.clients, args.seconds, tuple(args.routes))
        if args.first_search or args.clients:
            return
        image = next((collection / "thumbs").glob("*.jpg")).read_bytes()
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
