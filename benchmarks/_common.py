"""Helpers shared by the benchmark scripts: thread limits, timing, R, tables."""

from __future__ import annotations

import functools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def limit_threads_from_argv(default: int = 1) -> int:
    """Set BLAS / OpenMP thread counts before numpy is imported (``--threads N``);
    ``--threads 0`` leaves the machine's default environment as users run it."""
    threads = default
    argv = sys.argv
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            threads = int(argv[i + 1])
        elif arg.startswith("--threads="):
            threads = int(arg.split("=", 1)[1])
    if threads > 0:
        for var in THREAD_VARS:
            os.environ[var] = str(threads)
    return threads


def time_call(
    fn: Callable[[], object], repeats: int, slow: float
) -> tuple[list[float], object]:
    """Run ``fn`` up to ``repeats`` times; stop repeating once a run takes ``slow`` s."""
    times, result = [], None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if times[-1] > slow:
            break
    return times, result


_warmed: set = set()


def warm_up_once(key, fn: Callable[[], object]) -> None:
    """Call ``fn`` once per ``key`` and process, untimed, warnings and failures
    ignored (the timed runs report them): a solver's first call in a process pays
    one-time costs (modules loaded on first use, caches) that would otherwise land in
    one of the timed repeats and could spoil a median of 3."""
    if key in _warmed:
        return
    _warmed.add(key)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception:  # noqa: BLE001
        pass


def median(values: list[float]) -> float:
    return statistics.median(values)


@functools.cache
def rscript() -> str | None:
    """Path of Rscript when R and glmnet are installed, else None."""
    exe = shutil.which("Rscript")
    if exe is None:
        return None
    probe = subprocess.run(
        [exe, "-e", "suppressMessages(library(glmnet))"], capture_output=True, text=True
    )
    return exe if probe.returncode == 0 else None


@functools.cache
def r_glmnet_version() -> str:
    exe = rscript()
    if exe is None:
        return "not installed"
    out = subprocess.run(
        [exe, "-e", 'cat(format(packageVersion("glmnet")), R.version$version.string)'],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or "unknown"


def run_r_script(
    script: str,
    files: dict,
    args: list,
    read: Callable[[Path, subprocess.CompletedProcess], dict],
    prefix: str = "penstat-bench-",
) -> dict:
    """Run ``Rscript benchmarks/<script> DIR args...`` on a temporary DIR holding
    ``files`` (name -> numpy array, written raw as it is: give it the dtype and
    byte order the script reads); return ``read(DIR, process)``, or a status when R
    or glmnet is missing."""
    import tempfile

    exe = rscript()
    if exe is None:
        return {"status": "missing (Rscript or glmnet not installed)"}
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        tmp = Path(tmp)
        for name, values in files.items():
            values.tofile(tmp / name)
        cmd = [exe, str(Path(__file__).with_name(script)), str(tmp), *map(str, args)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        return read(tmp, proc)


def r_failed(proc: subprocess.CompletedProcess) -> dict:
    """The status of a failed R run: the end of its error output."""
    return {"status": "failed: " + proc.stderr.strip()[-200:]}


def xy_files(X, y) -> dict:
    """``x.bin`` (column-major) and ``y.bin`` as the glmnet_*.R scripts read them."""
    return {
        "x.bin": X.ravel(order="F").astype("<f8"),
        "y.bin": y.astype("<f8"),
    }


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def versions(modules: list[str]) -> dict[str, str]:
    found = {}
    for name in modules:
        try:
            module = __import__(name)
            found[name] = getattr(module, "__version__", "?")
        except Exception:  # noqa: BLE001 - a missing peer is reported, not fatal
            found[name] = "not installed"
    return found


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write_report(text: str, out: str | None, prefix: str) -> Path:
    """Print a result table and write it to ``out`` (default
    ``results/<prefix>-<time>.md``)."""
    print()
    print(text)
    path = Path(out) if out else RESULTS / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"written: {path}")
    return path


# ---- simulations of a few methods over settings (estimation / selection error) ----


def fit_quietly(fn: Callable[..., object], *args, **kwargs) -> tuple[object, float]:
    """Call ``fn(*args, **kwargs)`` with warnings silenced; return its result and the
    wall time."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def error_record(b, beta, pred, mu_test, sigma, fp, fn, elapsed) -> dict:
    """One replicate's errors: relative estimation error ``|b - beta|^2 / |beta|^2``,
    test error over sigma^2 (1 the oracle), false positives / negatives, time."""
    import numpy as np

    return {
        "est": np.sum((b - beta) ** 2) / np.sum(beta**2),
        "test": 1 + np.mean((pred - mu_test) ** 2) / sigma**2,
        "fp": int(fp),
        "fn": int(fn),
        "time": elapsed,
    }


def mean_se(values) -> str:
    """``mean (Monte Carlo standard error of the mean)`` of a pandas Series."""
    import numpy as np

    mean = values.mean()
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else np.nan
    return f"{mean:.3f} ({se:.3f})"


def simulation_main(
    doc: str,
    settings: list[dict],
    run_setting: Callable[[dict, int, int], dict],
    title: str,
    selection_unit: str,
    prefix: str,
) -> None:
    """Command line, loop and report of a simulation of methods over settings:
    ``run_setting(setting, reps, seed)`` returns one frame of :func:`error_record`
    rows per method; the table gives each column's mean (standard error) and the
    median time of one fit. ``selection_unit`` names what is counted as false
    positives / negatives ("" for coefficients, " groups" for groups)."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="10 replicates")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    reps = 10 if args.quick else args.reps
    header = ["setting", "method", "estimation error", "test error / sigma^2",
              f"false positive{selection_unit or 's'}",
              f"false negative{selection_unit or 's'}",
              "time per fit (s)"]  # fmt: skip
    table = []
    for setting in settings:
        label = ", ".join(f"{k}={v:g}" for k, v in setting.items())
        found = run_setting(setting, reps, args.seed)
        for name, result in found.items():
            table.append(
                [
                    label,
                    name,
                    mean_se(result["est"]),
                    mean_se(result["test"]),
                    mean_se(result["fp"]),
                    mean_se(result["fn"]),
                    f"{result['time'].median():.3f}",
                ]  # fmt: skip
            )
            print(" | ".join(table[-1]), flush=True)
    text = (
        f"# {title}: {reps} replicates per setting\n\n"
        f"Machine: {machine_description()} (shared with other jobs while it ran; "
        "times are indicative).\n\n"
        "Mean (Monte Carlo standard error) over replicates; 10-fold CV in every fit.\n\n"
        + markdown_table(header, table)
        + "\n"
    )
    write_report(text, args.out, prefix)
