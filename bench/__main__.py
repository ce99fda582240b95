"""ogust's benchmarks — not tests: they print figures (docs/performance.md keeps them).

    .venv/bin/python -m bench                     # everything, full size, SQLite files (several minutes)
    .venv/bin/python -m bench --scale 0.1         # everything, smaller (about a minute)
    .venv/bin/python -m bench --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m bench --only intake --only month_end

Each benchmark writes its own throwaway database (an SQLite file, or a database created on the
PostgreSQL server given) with the data generator in bench/generate.py, and drops it afterwards.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import attestations, documents, intake, memory, month_end

BENCHMARKS = ("intake", "month_end", "attestations", "memory", "documents")


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    memory_total = ""
    try:
        memory_total = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    except (OSError, IndexError):
        pass
    return {"cpu": cpu, "nproc": os.cpu_count(), "memory": memory_total, "python": platform.python_version(),
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes (default 1)")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server to create throwaway databases on (default: SQLite files)")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these (repeatable)")
    parser.add_argument("--workdir", type=Path, default=None, help="where SQLite files and logs go")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()
    chosen = args.only or list(BENCHMARKS)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ogust-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    scale = args.scale
    results: dict = {"machine": machine(), "database": args.database_url or "sqlite", "scale": scale}
    print(f"machine: {results['machine']}\ndatabase: {results['database']}, scale {scale}, workdir {workdir}",
          flush=True)

    def timed(name: str, function, *more, **options) -> None:
        started = time.perf_counter()
        print(f"\n== {name} …", flush=True)
        results[name] = function(args.database_url, workdir, *more, **options)
        print(json.dumps(results[name], indent=1, ensure_ascii=False), f"\n   ({time.perf_counter() - started:.0f} s)",
              flush=True)

    if "intake" in chosen:
        timed("intake", intake.run, requests=max(int(1500 * scale), 200), known_clients=int(20_000 * scale))
    if "month_end" in chosen:
        timed("month_end", month_end.run, invoices=max(int(2000 * scale), 50))
    if "attestations" in chosen:
        timed("attestations", attestations.run, clients=max(int(10_000 * scale), 100),
              pdf_sample=max(int(100 * scale), 10))
    if "memory" in chosen:
        timed("memory", memory.run, scale=scale)
    if "documents" in chosen:
        timed("documents", documents.run, renders=max(int(30 * scale), 20))

    print("\n== ratios")
    if "intake" in results:
        r = results["intake"]
        print(f"(1) order intake, ogust ÷ bare endpoint: {r['ratio']:.2f}  "
              f"({r['ogust_rps']} vs {r['bare_rps']} orders/s)  goal ≥ 0.5;  ogust ÷ same work by hand: "
              f"{r['ratio_same_work']:.2f}  ({r['ogust_rps']} vs {r['same_work_rps']} orders/s)")
    if "month_end" in results:
        r = results["month_end"]
        print(f"(2) month-end debit of {r['invoices']}, time ÷ N/cap: {r['ratio']:.3f}  "
              f"({r['debit_s']} s vs {r['ideal_s']} s)  goal ≤ 1.15")
    if "attestations" in results:
        r = results["attestations"]
        print(f"(3) attestations for {r['clients']} clients, batch ÷ one SQL aggregate: {r['ratio']}  "
              f"({r['batch_s']} s vs {r['sql_aggregate_s']} s); {r['pdf_ms']} ms per PDF")
    if "memory" in results:
        for batch, r in results["memory"].items():
            print(f"(4) peak memory of {batch}, 4N ÷ N (N = {r['n']}): {r['ratio']:.2f}  "
                  f"({r['peak_kb_4n']} KB vs {r['peak_kb_n']} KB; resident {r['rss_ratio']:.2f})  goal ≤ 1.3")
    if "documents" in results:
        r = results["documents"]
        print("(5) PDF documents, ms per PDF (median): " + ", ".join(
            f"{kind} {r[kind]['median_ms']} ({r[kind]['kb']} KB)" for kind in documents.KINDS))
    if args.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
