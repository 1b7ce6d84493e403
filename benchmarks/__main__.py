"""``make bench``: run every benchmarks/bench_*.py, print a table, write results.json.

Each module exposes ``run() -> dict[str, dict]``: metric name -> {"value", "unit",
"target", "ok", "detail"}. Figures are ratios against a baseline measured in the same
run wherever one exists, so a slower or busier machine does not change the verdict much.
"""
from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("only", nargs="*", help="run only these benchmarks (e.g. import lessons autograde lite)")
    args = parser.parse_args(argv)
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only]
    results_file = HERE / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    results.setdefault("metrics", {})
    for name in names:
        started = time.perf_counter()
        print(f"running {name} ...", flush=True)
        metrics = import_module(f"benchmarks.{name}").run()
        results["metrics"].update(metrics)
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    results["machine"] = {"python": platform.python_version(), "platform": platform.platform(),
                          "measured": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    results_file.write_text(json.dumps(results, indent=2))
    print(f"\n{'metric':44} {'value':>10} {'unit':6} {'target':>10}  ok")
    for metric, row in results["metrics"].items():
        print(f"{metric:44} {row['value']:>10.3f} {row['unit']:6} {row['target']:>10}  "
              f"{'yes' if row['ok'] else 'NO'}")
    print(f"\nwritten to {results_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
