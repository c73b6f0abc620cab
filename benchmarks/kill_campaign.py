"""Kill -9 campaign over collection creation, ingest, optimize and re-embedding.

For each scenario (``artscope.crashtest``): an uninterrupted run counts the named points the command
passes and is the reference; then every point (or ``--limit`` of them, spread over all point
names) is a fresh run killed there with SIGKILL, followed by the same command run again and the
checks (catalog against index per artwork and view, nothing pending, equal to the reference).
Optimize also gets kills at delays after it starts (inside Qdrant's own index build when it is
still running; such a run may finish first, which the table counts apart).

    python benchmarks/kill_campaign.py --images 12
"""

from __future__ import annotations

import argparse
import time

from artscope.crashtest import OPTIMIZE, SCENARIOS, KillResult, spread, temporary_campaign

OPTIMIZE_DELAYS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)


def run(scenario: str, images: int, limit: int) -> tuple[list[KillResult], float]:
    start = time.perf_counter()
    campaign, holder = temporary_campaign(scenario, images)
    try:
        results = [campaign.kill_and_resume(*point) for point in spread(campaign.points(), limit)]
        if scenario == OPTIMIZE:
            results += [campaign.kill_and_resume("optimize.start", 1, delay) for delay in OPTIMIZE_DELAYS]
    finally:
        holder.cleanup()
    return results, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=12, help="images in the ingested folder")
    parser.add_argument("--limit", type=int, default=1000, help="kill points per scenario at most")
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    print("| scenario | kill points | killed | consistent and equal after resume | minutes |")
    print("|---|---|---|---|---|")
    failures = []
    for scenario in args.scenarios:
        results, seconds = run(scenario, args.images, args.limit)
        good = [r for r in results if not r.problems]
        failures += [r for r in results if r.problems]
        print(f"| {scenario} | {len(results)} | {sum(r.killed for r in results)} | {len(good)} | "
              f"{seconds / 60:.1f} |", flush=True)
    for failure in failures:
        print(f"FAILED {failure.scenario} {failure.point}#{failure.arrival} (+{failure.delay} s): "
              f"{'; '.join(failure.problems)}")


if __name__ == "__main__":
    main()
