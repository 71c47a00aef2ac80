"""Times churnlens side by side with the Python stack on the same files.

Each measured command runs as a child process; wall time comes from a
monotonic clock and peak memory from the child's rusage (ru_maxrss), so
both tools are measured the same way. Results are printed as a Markdown
table (paste into BENCHMARKS.md) and saved under bench/results/.
"""
import argparse
import csv
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Orders per demo customer is about 20: customers = rows / 20.
# "20m" is the 1,000,000-customer size the segmentation acceptance (issue #4) names.
SIZES = {"100k": 5_000, "1m": 50_000, "10m": 500_000, "20m": 1_000_000}


def measure(command: list[str]) -> tuple[float, float, str]:
    """Runs `command`; returns (seconds, peak resident MiB, stdout)."""
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.dup2(write_end, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed with status {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024.0, b"".join(chunks).decode(errors="replace")


def generate(churnlens: str, size: str, data_root: Path) -> Path:
    target = data_root / size
    orders = target / "orders.csv"
    if not orders.exists():
        print(f"generating {size} orders in {target} …", file=sys.stderr)
        subprocess.run(
            [churnlens, "demo", "--no-import", "--customers", str(SIZES[size]), "--data-dir", str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return orders


def load_average() -> str:
    """The 1, 5 and 15-minute load averages: timings on a busy machine are noisy."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def count_rows(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1


def ingest_tools(args, orders: Path, scratch: Path) -> dict:
    return {
        "churnlens import": lambda: [
            args.churnlens, "import", "--format", "json", "-w", str(scratch / "ws"),
            "--as", "orders", "--tz", "Asia/Shanghai", str(orders),
        ],
        "pandas read_csv (C engine) + to_parquet": lambda: [
            sys.executable, str(HERE / "pandas_ingest.py"), str(orders), str(scratch / "pandas.parquet"), "c",
        ],
        "pandas read_csv (pyarrow engine) + to_parquet": lambda: [
            sys.executable, str(HERE / "pandas_ingest.py"), str(orders), str(scratch / "pandas.parquet"), "pyarrow",
        ],
    }


def metrics_tools(args, workspace: Path) -> dict:
    # One churnlens process computes the five from one read of the orders
    # (`metrics core`), as the pandas side reads once.
    out = Path(args.data) / "scratch" / "core"
    return {
        "churnlens metrics core (churn, retention, cohorts, lifecycle, engagement)": lambda: [
            args.churnlens, "metrics", "core", "-w", str(workspace), "--tz", "Asia/Shanghai", "--format", "csv", "-o", str(out),
        ],
        "pandas: the same five (reference/metrics_reference.py)": lambda: [
            sys.executable, str(HERE / "pandas_metrics.py"), str(workspace / "tables" / "orders" / "v1"),
        ],
    }


def segment_tools(args, workspace: Path, out: Path) -> dict:
    # churnlens runs the two commands an analyst would, one after the other
    # in one shell (peak memory is the larger of the two); pandas does the
    # same computations in one process.
    common = f"-w {shlex.quote(str(workspace))} --tz Asia/Shanghai --lang en --format csv"
    churnlens = shlex.quote(args.churnlens)
    return {
        "churnlens segment rfm + segment drivers": lambda: [
            "sh", "-c",
            f"{churnlens} segment rfm {common} -o {shlex.quote(str(out / 'rfm.csv'))} && "
            f"{churnlens} segment drivers {common} -o {shlex.quote(str(out / 'drivers.csv'))}",
        ],
        "pandas + scipy: the same (bench/pandas_segment.py)": lambda: [
            sys.executable, str(HERE / "pandas_segment.py"), str(workspace), str(out / "pandas.json"),
        ],
    }


def close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300)


def check_segment(out: Path) -> str:
    """Both sides' results agree: segment sizes and churned counts equal,
    revenue to 1e-9 relative; per text attribute the chi-square statistic,
    dof and Cramér's V (1e-9 relative); per numeric attribute the churned and
    retained means (1e-9) and the Mann–Whitney p (1e-6). Numeric bands are
    not compared: churnlens cuts at nearest-rank quintiles, pandas' qcut
    interpolates. Exits on a disagreement."""
    theirs = json.loads((out / "pandas.json").read_text(encoding="utf-8"))
    problems, compared = [], 0
    with open(out / "rfm.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ref = theirs["segments"].get(row["segment"])
            compared += 1
            if ref is None or int(row["customers"]) != ref["customers"] or int(row["churned"]) != ref["churned"] or not close(float(row["revenue"]), ref["revenue"], 1e-9):
                problems.append(f"segment {row['segment']}: {row} vs {ref}")
    if compared != len(theirs["segments"]):
        problems.append(f"{compared} segments vs {len(theirs['segments'])}")
    with open(out / "drivers.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ref = theirs["attributes"].get(row["attribute"])
            if ref is None:
                problems.append(f"attribute {row['attribute']} missing in pandas")
                continue
            compared += 1
            if ref["numeric"]:
                pairs = [("mean_churned", 1e-9), ("mean_retained", 1e-9), ("mann_whitney_p", 1e-6)]
            else:
                pairs = [("chi_square", 1e-9), ("cramers_v", 1e-9)]
                if int(row["dof"]) != ref["dof"]:
                    problems.append(f"{row['attribute']} dof {row['dof']} vs {ref['dof']}")
            for name, tolerance in pairs:
                if not close(float(row[name]), ref[name], tolerance):
                    problems.append(f"{row['attribute']} {name}: {row[name]} vs {ref[name]}")
    if problems:
        sys.exit("churnlens and pandas disagree:\n" + "\n".join(problems))
    return f"results agree: {compared} segments and attributes compared"


def prepare_segment_workspace(churnlens: str, source: Path, stored: Path) -> None:
    """Customers then orders imported once into their own workspace."""
    if (stored / "tables" / "orders" / "v1").exists():
        return
    shutil.rmtree(stored, ignore_errors=True)
    for table, name in [("customers", "customers.csv"), ("orders", "orders.csv")]:
        subprocess.run(
            [churnlens, "import", "-w", str(stored), "--as", table, "--tz", "Asia/Shanghai", str(source / name)],
            check=True, stdout=subprocess.DEVNULL,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--churnlens", required=True)
    parser.add_argument("--sizes", default="1m,10m")
    parser.add_argument("--bench", default="ingest,metrics", help="ingest, metrics, segment; comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--data", default=str(HERE / "data"))
    args = parser.parse_args()
    data_root = Path(args.data)
    scratch = data_root / "scratch"
    rows_out = []
    notes = []
    for bench in args.bench.split(","):
        for size in args.sizes.split(","):
            orders = generate(args.churnlens, size, data_root)
            rows = count_rows(orders)
            megabytes = orders.stat().st_size / 1e6
            stored = data_root / "workspaces" / size
            segment_out = data_root / "segment-out"
            if bench == "segment":
                stored = data_root / "workspaces" / f"{size}-segment"
                prepare_segment_workspace(args.churnlens, orders.parent, stored)
                customers = count_rows(orders.parent / "customers.csv")
                notes.append(f"segment {size}: {customers:,} customers, {rows:,} order rows; load average {load_average()} before the run")
            elif bench == "metrics" and not (stored / "tables" / "orders" / "v1").exists():
                shutil.rmtree(stored, ignore_errors=True)
                subprocess.run(
                    [args.churnlens, "import", "-w", str(stored), "--as", "orders", "--tz", "Asia/Shanghai", str(orders)],
                    check=True, stdout=subprocess.DEVNULL,
                )
            if bench == "ingest":
                tools = ingest_tools(args, orders, scratch)
            elif bench == "segment":
                segment_out.mkdir(parents=True, exist_ok=True)
                tools = segment_tools(args, stored, segment_out)
            else:
                tools = metrics_tools(args, stored)
            results = {}
            for name, command in tools.items():
                runs = []
                for _ in range(args.repeat):
                    shutil.rmtree(scratch, ignore_errors=True)
                    scratch.mkdir(parents=True)
                    runs.append(measure(command()))
                    print(f"{bench} {size} {name}: {runs[-1][0]:.2f} s, {runs[-1][1]:.0f} MiB", file=sys.stderr)
                seconds = statistics.median(r[0] for r in runs)
                peak = max(r[1] for r in runs)
                results[name] = (seconds, peak)
            if bench == "segment":
                notes.append(check_segment(segment_out))
                print(notes[-1], file=sys.stderr)
            base = next(iter(results.values()))[0]
            for name, (seconds, peak) in results.items():
                rows_out.append((bench, size, rows, megabytes, name, seconds, peak, seconds / base))
    shutil.rmtree(scratch, ignore_errors=True)
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"median of {args.repeat} runs; {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        "| benchmark | data | rows | MB | tool | seconds | rows/s | MB/s | peak MiB | time vs churnlens |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for bench, size, rows, megabytes, name, seconds, peak, ratio in rows_out:
        lines.append(
            f"| {bench} | {size} | {rows:,} | {megabytes:,.0f} | {name} | {seconds:.2f} | {rows / seconds:,.0f} | "
            f"{megabytes / seconds:,.1f} | {peak:,.0f} | {ratio:.2f}× |"
        )
    lines += [""] + [f"- {note}" for note in notes] if notes else []
    text = "\n".join(lines)
    print(text)
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / f"bench-{datetime.date.today()}.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
