"""The ``penstat`` command.

::

    penstat fit DATA "FORMULA" [options]        # DATA: a CSV or Parquet file
    penstat fit --dataset diabetes "y ~ ." --bootstrap 200 --report report.html
    penstat fit --dataset diabetes "y ~ ." --select 2.0 --inference selective
    penstat datasets

Formulas are read in the safe mode (``formula_env="safe"``): only the data's
columns, the listed formula functions, numbers and operators; a formula cannot run
code. Exit codes: 0 success, 2 a usage or input error (one line on stderr, with the
formula and a caret under the mistake for a formula error; no traceback), 130
interrupted (Ctrl-C), 1 an unexpected failure (a bug: Python's traceback).
The JSON written by ``--json`` is the export record
(:func:`penstat.results.export.fit_to_dict`), described in
``docs/user-guide/export.md``.

>>> from penstat.cli import main
>>> main(["datasets"])  # doctest: +ELLIPSIS
breast_cancer   Wisconsin Diagnostic Breast Cancer ...
diabetes        Efron, Hastie, Johnstone & Tibshirani (2004): ...
0
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import pathlib
import sys
import warnings
from typing import Any

import numpy as np
import pandas as pd

from penstat import api, datasets
from penstat._errors import PenstatError, warn_user
from penstat._validation import fresh_seed
from penstat._version import __version__
from penstat.design.formula import close_matches
from penstat.design.response import split_top_level
from penstat.inference import METHODS as _INFERENCE_METHODS
from penstat.inference.request import ALTERNATIVES, INITIAL, NODEWISE, TARGETS
from penstat.inference.run import RUNNERS as _INFERENCE_RUNNERS
from penstat.results.export import fit_to_dict

__all__ = ["main", "parse_limits"]

_CV_RULES = ("cv_1se", "cv_min")
_RULES = (*_CV_RULES, "aic", "bic", "ebic")


class UsageError(Exception):
    """A command line that cannot be parsed."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="penstat",
        description="Penalized regression with inference: formula + data -> selected "
        "features, their stability, a report.",
    )
    parser.add_argument("--version", action="version", version=f"penstat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    fit = sub.add_parser(
        "fit",
        help="fit a penalized regression and report the selected features",
        description="Fit a penalized regression from a formula and a data file (CSV or "
        "Parquet) or a shipped dataset, print the summary, and optionally run the "
        "bootstrap, stability selection and inference after selection and write a "
        "report and JSON.",
    )
    fit.add_argument(
        "inputs",
        nargs="+",
        metavar="DATA FORMULA",
        help='a data file and a formula such as "y ~ ." (only the formula with --dataset)',
    )
    fit.add_argument(
        "--dataset", metavar="NAME", help="use a shipped dataset instead of DATA"
    )
    fit.add_argument(
        "--dask",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="DATA is a folder or a glob of Parquet files, fitted on a Dask cluster by "
        "passes over the files, never read whole: the scheduler at ADDRESS, or without "
        "it a LocalCluster on this machine (see the user guide's Dask page)",
    )
    rows = fit.add_mutually_exclusive_group()
    rows.add_argument(
        "--index-col",
        metavar="NAME_OR_NUMBER",
        help="a column of DATA holding row names, used as the row index and not as "
        "data: its name, or its position counting from 1. By default an unnamed "
        "first column of unique row names (as R's write.csv writes) is taken so",
    )
    rows.add_argument(
        "--no-index-col",
        action="store_true",
        help="keep an unnamed first column of row names as data",
    )
    _model_options(fit.add_argument_group("model"))
    _selection_options(fit.add_argument_group("lambda selection"))
    _resampling_options(fit.add_argument_group("resampling"))
    _inference_options(fit.add_argument_group("inference after selection"))
    _output_options(fit.add_argument_group("output"))
    sub.add_parser("datasets", help="list the datasets shipped with penstat")
    return parser


def _model_options(group) -> None:
    group.add_argument("--family", choices=("gaussian", "binomial"), default="gaussian")
    group.add_argument(
        "--penalty",
        choices=("l1", "l2", "elasticnet", "group"),
        default="l1",
        help="group: the group lasso, one penalty per formula term (a factor or a "
        "spline basis enters or leaves whole)",
    )
    group.add_argument(
        "--l1-ratio",
        type=float,
        metavar="R",
        help="L1/L2 mix for elasticnet (and the group elastic net)",
    )
    group.add_argument(
        "--l1-within",
        type=float,
        default=0.0,
        metavar="A",
        help="--penalty group: the sparse-group lasso's L1 share in [0, 1] (columns "
        "selected inside the selected terms; 0 = group lasso, 1 = lasso)",
    )
    group.add_argument(
        "--offset",
        metavar="COLUMN",
        help="a numeric column added to the linear predictor with coefficient 1 "
        "(e.g. the log odds of a risk score to correct); left out of '.'",
    )
    group.add_argument(
        "--lower-limits",
        metavar="LIMITS",
        help="lower limits of the coefficients (each <= 0): a number for every "
        "penalized column (0: non-negative lasso), or NAME=VALUE pairs separated by "
        "commas, NAME a formula term or design column (e.g. 'age=0,C(site)=-1')",
    )
    group.add_argument(
        "--upper-limits",
        metavar="LIMITS",
        help="upper limits of the coefficients (each >= 0), as --lower-limits",
    )
    group.add_argument(
        "--adaptive",
        action="store_true",
        help="adaptive lasso: penalty factors 1/|b|^G from an initial least-squares, "
        "logistic or (more columns than rows) ridge fit; with --penalty group one "
        "factor 1/||b_g||^G per group (the adaptive group lasso)",
    )
    group.add_argument(
        "--adaptive-gamma",
        type=float,
        metavar="G",
        help="the exponent G of --adaptive (default 1)",
    )


def _selection_options(group) -> None:
    group.add_argument(
        "--select",
        default="cv_1se",
        metavar="RULE",
        help="cv_1se (default), cv_min, aic, bic, ebic, or a number: a fixed lambda",
    )
    group.add_argument(
        "--nfolds",
        type=int,
        default=None,
        metavar="K",
        help="number of cross-validation folds (default 10)",
    )
    group.add_argument(
        "--stratify",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="deal the two classes evenly over the CV folds (binomial only; default: "
        "stratified for binomial)",
    )
    group.add_argument(
        "--seed",
        type=int,
        metavar="S",
        help="seed of the CV folds and the resampling (default: drawn at random, "
        "printed and recorded; --seed with that number repeats the run)",
    )
    group.add_argument("--jobs", type=int, default=None, metavar="J", help="-1: all cores")
    group.add_argument(
        "--relax",
        action="store_true",
        help="relaxed lasso: blend the lasso with the unpenalized refit of its active "
        "set (with --penalty group: the selected terms' columns), lambda and gamma "
        "chosen together by CV (needs a cv rule)",
    )
    group.add_argument(
        "--sparse",
        action="store_true",
        help="build factors with 50 or more levels as sparse blocks and fit on a "
        "sparse design (for factors with hundreds or thousands of levels)",
    )


def _resampling_options(group) -> None:
    group.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="bootstrap replicates (0: none)",
    )
    group.add_argument(
        "--bootstrap-fixed-lam",
        action="store_true",
        help="reuse the fit's lambda in every bootstrap replicate (default: re-apply "
        "the lambda rule inside each)",
    )
    group.add_argument(
        "--stability", action="store_true", help="run stability selection (lasso path)"
    )
    group.add_argument(
        "--cutoff", type=float, metavar="PI", help="stability selection cutoff"
    )
    group.add_argument("--pfer", type=float, metavar="E", help="bound on false selections")


def _inference_options(group) -> None:
    group.add_argument(
        "--inference",
        choices=_INFERENCE_METHODS,
        metavar="METHOD",
        help="p-values and confidence intervals after selection, run after the fit "
        "(and the bootstrap): selective (conditional on the selection at a fixed "
        "lambda), split (multi-sample splitting), debiased (de-sparsified lasso) or "
        "naive (the refit that ignores the selection, for comparison)",
    )
    group.add_argument(
        "--level",
        type=float,
        metavar="L",
        help="coverage of the intervals, in (0, 1) (default 0.95)",
    )
    group.add_argument(
        "--sigma",
        type=float,
        metavar="S",
        help="noise standard deviation of a gaussian fit (default: estimated, and "
        "the output says how)",
    )
    group.add_argument(
        "--inference-lam",
        type=float,
        metavar="LAM",
        help="inference for the selection at this lambda instead of the fit's",
    )
    group.add_argument(
        "--alternative",
        choices=ALTERNATIVES,
        help="two-sided p-values (default), or one-sided in the direction of the "
        "estimate's sign (selective, debiased, naive)",
    )
    group.add_argument(
        "--target",
        choices=TARGETS,
        help="selective: the coefficient in the selected model (partial, default) or "
        "in the full model (full, n > p)",
    )
    group.add_argument(
        "--n-splits",
        type=int,
        metavar="B",
        help="split: the number of random half splits (default 50)",
    )
    group.add_argument(
        "--gamma-min",
        type=float,
        metavar="G",
        help="split: the smallest quantile of the aggregation over splits, in (0, 1) "
        "(default 0.05)",
    )
    group.add_argument(
        "--nodewise",
        choices=NODEWISE,
        help="debiased: the lambda of the nodewise regressions, Zhang & Zhang's rule "
        "(zz, default) or the cross-validated minimum (cv)",
    )
    group.add_argument(
        "--initial",
        choices=INITIAL,
        help="debiased: the initial estimate, the selected columns refitted without "
        "penalty (refit, default) or the lasso coefficients (lasso, hdi's lasso.proj)",
    )


def _output_options(group) -> None:
    group.add_argument("--report", metavar="FILE", help="write a report (.html or .md)")
    group.add_argument(
        "--json", metavar="FILE", help="write coefficients and results as JSON"
    )
    group.add_argument("--all", action="store_true", help="print every coefficient")
    group.add_argument(
        "--no-progress", action="store_true", help="never show progress bars"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the ``penstat`` command; returns the exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on a usage or input error, 130 when interrupted.

    Examples
    --------
    >>> code = main(["fit", "--dataset", "diabetes", "y ~ bmi + bp", "--select", "bic"])
    ... # doctest: +ELLIPSIS
    Penalized regression
    ...
    >>> code
    0
    """
    parser = _build_parser()
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        return _main(parser, argv)


def _main(parser: argparse.ArgumentParser, argv: list[str] | None) -> int:
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version (only argparse may end here)
            return int(exc.code or 0) if not isinstance(exc.code, str) else 2
        if args.command is None:
            parser.print_help()
            return 2
        if args.command == "datasets":
            return _datasets()
        return _fit(args)
    except (UsageError, PenstatError, InputError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", code=130)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    # a warning is one line for the reader of a terminal, not Python's source location
    print(f"penstat: warning: {' '.join(str(message).split())}", file=sys.stderr)


class InputError(Exception):
    """A data or output file that cannot be read or written."""


def _fail(message: str, code: int = 2) -> int:
    # one line; a formula error adds the formula and a caret line under it
    first, *caret = str(message).split("\n")
    print(f"penstat: error: {' '.join(first.split())}", file=sys.stderr)
    for line in caret:
        print(line, file=sys.stderr)
    return code


def _datasets() -> int:
    for name in datasets.names():
        print(f"{name:15s} {datasets.describe(name)}")
    return 0


def _fit(args) -> int:
    with contextlib.ExitStack() as stack:
        if args.dask is not None:
            stack.enter_context(_dask_client(args.dask))
        return _fit_with(args)


def _dask_client(address: str):
    """A ``dask.distributed`` Client: of the scheduler at ``address``, or of a new
    LocalCluster (one thread per worker) for ``"local"``."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--dask needs Dask: pip install 'penstat[dask]'") from None
    if address == "local":
        return Client(threads_per_worker=1, dashboard_address=":0")
    try:
        return Client(address, timeout=30)
    except OSError as exc:
        raise InputError(
            f"--dask: cannot reach the scheduler at {address!r}: {exc}"
        ) from None


def _dask_data(source: str):
    """The Dask DataFrame of a folder or a glob of Parquet files."""
    import dask.dataframe as dd

    folder = pathlib.Path(source)
    pattern = str(folder / "*.parquet") if folder.is_dir() else source
    if not glob.glob(pattern):
        raise InputError(f"--dask: no Parquet files match {pattern!r}")
    return dd.read_parquet(pattern)


def _fit_with(args) -> int:
    _check_options(args)
    _check_outputs(args)
    rule = _rule(args.select)
    limits = (
        parse_limits(args.lower_limits, "--lower-limits"),
        parse_limits(args.upper_limits, "--upper-limits"),
    )
    data, formula, source = _inputs(args)
    progress = False if args.no_progress else None
    # a run that draws randomness has one seed, printed in the summary's header and
    # recorded in the report and the JSON, so that --seed repeats it; the
    # resampling seeds derive from it
    seed = args.seed
    random_inference = args.inference not in (None, "naive")
    if seed is None and (
        rule in _CV_RULES or args.bootstrap or args.stability or random_inference
    ):
        seed = fresh_seed()
    nfolds = _folds_used(args, rule)
    fit = api.fit(
        formula,
        data,
        family=args.family,
        penalty=args.penalty,
        l1_ratio=args.l1_ratio,
        select=rule,
        offset=args.offset,
        lower_limits=limits[0],
        upper_limits=limits[1],
        nfolds=nfolds,
        stratify=args.stratify,
        seed=seed,
        n_jobs=args.jobs,
        progress=progress,
        formula_env="safe",
        relax=args.relax,
        penalty_factor="adaptive" if args.adaptive else None,
        adaptive_gamma=args.adaptive_gamma,
        sparse=args.sparse,
        l1_within=args.l1_within,
    )
    _resample(fit, args, seed, progress)
    _infer(fit, args, seed, progress)
    _print_results(fit, args)
    _write_outputs(fit, args, source)
    return 0


def _folds_used(args, rule) -> int | None:
    """``--nfolds``, or None with a rule that does not cross-validate: then the
    warning names the option (the library's would name ``nfolds=``). With
    ``--adaptive`` the folds go to the library, whose ridge start (no more
    observations than columns) chooses its lambda on them."""
    if args.nfolds is None or rule in _CV_RULES or args.adaptive:
        return args.nfolds
    warn_user(
        f"--nfolds {args.nfolds} is ignored with --select {args.select}: only the CV "
        "rules (--select cv_1se or cv_min) use folds; drop --nfolds or use a CV rule",
        UserWarning,
    )
    return None


def _inputs(args):
    """``(data, formula, source)`` from the positional arguments and ``--dataset``."""
    if args.dataset is not None:
        if args.index_col is not None or args.no_index_col:
            raise UsageError("--index-col and --no-index-col apply to a data file")
        if len(args.inputs) != 1:
            raise UsageError('with --dataset give only the formula, e.g. "y ~ ."')
        return datasets.load(args.dataset), args.inputs[0], f"dataset:{args.dataset}"
    if len(args.inputs) != 2:
        raise UsageError(
            'give a data file and a formula, e.g. penstat fit data.csv "y ~ .", '
            "or --dataset NAME and a formula"
        )
    source, formula = args.inputs
    if args.dask is not None:
        if args.index_col is not None or args.no_index_col:
            raise UsageError("--index-col and --no-index-col do not apply with --dask")
        return _dask_data(source), formula, source
    index_col = False if args.no_index_col else args.index_col
    return read_data(source, index_col), formula, source


def _rule(text: str) -> Any:
    """``--select``: a rule name, or a number (a fixed lambda)."""
    if text in _RULES:
        return text
    try:
        return float(text)
    except ValueError:
        raise UsageError(
            f"--select {text!r}: use one of {', '.join(_RULES)} or a number "
            "(a fixed lambda)"
        ) from None


def _resample(fit, args, seed: int, progress) -> None:
    if args.bootstrap:
        fit.bootstrap(
            n_boot=args.bootstrap,
            fixed_lam=args.bootstrap_fixed_lam,
            seed=_child_seed(seed, 1),
            n_jobs=args.jobs,
            progress=progress,
        )
    if args.stability:
        fit.stability_selection(
            cutoff=args.cutoff,
            pfer=args.pfer,
            seed=_child_seed(seed, 2),
            n_jobs=args.jobs,
            progress=progress,
        )


def _infer(fit, args, seed, progress) -> None:
    if args.inference is None:
        return
    fit.inference(
        method=args.inference,
        level=0.95 if args.level is None else args.level,
        sigma=args.sigma,
        lam=args.inference_lam,
        # the method's own options, only those given (the others keep their defaults)
        **{
            name: value
            for name in _METHOD_OPTIONS
            if (value := getattr(args, name)) is not None
        },
        seed=None if seed is None else _child_seed(seed, 3),
        n_jobs=args.jobs,
        progress=progress,
    )


def _print_results(fit, args) -> None:
    # with the stability and inference results, when run
    print(fit.summary(all=args.all))


def _write_outputs(fit, args, source: str) -> None:
    # the JSON first: a report that fails to write (a figure folder in the way, a
    # full disk) must not lose the results
    if args.json:
        payload = fit_to_dict(fit, source=source)
        try:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2, allow_nan=False)
                handle.write("\n")
        except OSError as exc:
            raise InputError(f"cannot write {args.json!r}: {exc.strerror}") from None
        print(f"JSON written to {args.json}", file=sys.stderr)
    if args.report:
        try:
            written = fit.report(args.report, source=source)
        except (OSError, PenstatError) as exc:
            kept = f" (the JSON was written to {args.json})" if args.json else ""
            why = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise InputError(
                f"cannot write the report {args.report!r}: {why}{kept}"
            ) from None
        print(f"report written to {written}", file=sys.stderr)


def parse_limits(text: str | None, option: str):
    """``--lower-limits`` / ``--upper-limits``: a number, or ``NAME=VALUE`` pairs.

    Pairs are separated by commas outside parentheses and quotes (so a term such as
    ``bs(t, df=4)`` can be named); a pair splits at its last ``=``. Values are
    numbers, ``inf`` or ``-inf``.

    Examples
    --------
    >>> parse_limits("0", "--lower-limits")
    0.0
    >>> parse_limits("age=0, C(site, Treatment('b'))=-1", "--lower-limits")
    {'age': 0.0, "C(site, Treatment('b'))": -1.0}
    """
    if text is None:
        return None
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    out: dict[str, float] = {}
    for item in (part.strip() for part in split_top_level(text)):
        if not item:
            continue
        name, eq, value = item.rpartition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name:
            raise UsageError(
                f"{option} {text!r}: give a number, or NAME=VALUE pairs separated by "
                "commas (NAME a formula term or design column)"
            )
        try:
            number = float(value)
        except ValueError:
            raise UsageError(
                f"{option}: {value!r} for {name!r} is not a number (inf / -inf for no "
                "limit)"
            ) from None
        if name in out:
            raise UsageError(f"{option}: {name!r} is given twice")
        out[name] = number
    if not out:  # '' or ',,': was taken silently as no limit at all
        raise UsageError(
            f"{option} {text!r} gives no limit: give a number, or NAME=VALUE pairs "
            f"separated by commas, or drop {option}"
        )
    return out


def _child_seed(seed, k):
    """Independent seeds for the bootstrap and stability selection from --seed."""
    return np.random.SeedSequence([int(seed), k])


def _check_options(args) -> None:
    """Options that would be ignored or refused later, before the data is read."""
    _check_values(args)
    for option, value in (("--cutoff", args.cutoff), ("--pfer", args.pfer)):
        if value is not None and not args.stability:
            raise UsageError(
                f"{option} applies to stability selection only; add --stability, "
                f"or drop {option}"
            )
    _check_inference_options(args)
    if args.bootstrap_fixed_lam and not args.bootstrap:
        raise UsageError(
            "--bootstrap-fixed-lam applies to the bootstrap only; add --bootstrap N "
            "(N replicates), or drop --bootstrap-fixed-lam"
        )
    if args.jobs == 0:
        raise UsageError(
            "--jobs 0 runs nothing; use 1, a positive count, or -1 (all cores)"
        )
    if args.seed is not None and args.seed < 0:
        raise UsageError(
            f"--seed {args.seed} must be an integer >= 0 (the seed a run prints repeats it)"
        )


def _check_values(args) -> None:
    """Every value that can be checked without the data, each naming its option: a
    mistake is reported before a large file is read."""
    rule = _rule(args.select)
    if isinstance(rule, float) and not (np.isfinite(rule) and rule >= 0):
        raise UsageError(
            f"--select {args.select}: a fixed lambda must be a finite number >= 0 "
            f"(or a rule: {', '.join(_RULES)})"
        )
    if args.nfolds is not None and args.nfolds < 2:
        raise UsageError(
            f"--nfolds {args.nfolds}: cross-validation needs at least 2 folds (10 is usual)"
        )
    if args.relax and rule not in _CV_RULES:
        raise UsageError(
            f"--relax chooses lambda and gamma together by cross-validation; use "
            f"--select cv_1se or cv_min with it, not --select {args.select}"
        )
    ratio = args.l1_ratio
    if ratio is not None:
        if not 0.0 <= ratio <= 1.0:  # NaN too
            raise UsageError(f"--l1-ratio {ratio:g} must be in [0, 1] (1: lasso, 0: ridge)")
        if (args.penalty, ratio) in (("l1", 0.0), ("l2", 1.0)) or (
            args.penalty in ("l1", "l2") and 0.0 < ratio < 1.0
        ):
            raise UsageError(
                f"--l1-ratio applies to --penalty elasticnet or group, not "
                f"--penalty {args.penalty} (which fixes the mix)"
            )
    if args.stability and (args.penalty == "l2" or ratio == 0.0):
        raise UsageError(
            "--stability needs an L1 penalty; ridge (--penalty l2 or --l1-ratio 0) "
            "selects every column"
        )
    if args.adaptive_gamma is not None:
        if not args.adaptive:
            raise UsageError(
                "--adaptive-gamma applies to --adaptive only; add --adaptive, or drop "
                "--adaptive-gamma"
            )
        if not (np.isfinite(args.adaptive_gamma) and args.adaptive_gamma > 0):
            raise UsageError(
                f"--adaptive-gamma {args.adaptive_gamma:g} must be a positive number"
            )
    if args.bootstrap < 0 or args.bootstrap == 1:
        raise UsageError("--bootstrap needs at least 2 replicates (0: no bootstrap)")
    if args.cutoff is not None and not 0.5 < args.cutoff <= 1.0:
        raise UsageError(
            f"--cutoff {args.cutoff:g} must be in (0.5, 1]; values 0.6 to 0.9 are usual"
        )
    if args.pfer is not None and not (np.isfinite(args.pfer) and args.pfer > 0):
        raise UsageError(f"--pfer {args.pfer:g} must be a positive number")
    for option, text, side in (
        ("--lower-limits", args.lower_limits, -1.0),
        ("--upper-limits", args.upper_limits, 1.0),
    ):
        limits = parse_limits(text, option)
        values = limits.values() if isinstance(limits, dict) else [limits]
        for value in values:
            if value is not None and (np.isnan(value) or value * side < 0):
                sign = "<= 0" if side < 0 else ">= 0"
                raise UsageError(
                    f"{option}: each limit must be a number {sign}, got {value:g}"
                )


#: The options of one or some inference methods only: argument name -> the methods
#: (the flag is ``--`` and the name with ``-`` for ``_``).
_METHOD_OPTIONS = {
    "alternative": ("selective", "debiased", "naive", "split"),
    "target": ("selective",),
    "n_splits": ("split",),
    "gamma_min": ("split",),
    "nodewise": ("debiased",),
    "initial": ("debiased",),
}


def _check_inference_options(args) -> None:
    """The inference options: each needs --inference, and each value its range."""
    given = [
        (option, value)
        for option, value in (
            ("--level", args.level),
            ("--sigma", args.sigma),
            ("--inference-lam", args.inference_lam),
            *(("--" + n.replace("_", "-"), getattr(args, n)) for n in _METHOD_OPTIONS),
        )
        if value is not None
    ]
    if args.inference is None:
        if given:
            option = given[0][0]
            methods = _METHOD_OPTIONS.get(option[2:].replace("-", "_"), ())
            add = (
                " or ".join(methods)
                if 0 < len(methods) < len(_INFERENCE_METHODS)
                else f"METHOD ({', '.join(_INFERENCE_METHODS)})"
            )
            raise UsageError(
                f"{option} applies to inference after selection only; add --inference "
                f"{add}, or drop {option}"
            )
        return
    if args.inference not in _INFERENCE_RUNNERS:
        raise UsageError(
            f"--inference {args.inference}: this penstat has no {args.inference!r} "
            f"method; available: {', '.join(sorted(_INFERENCE_RUNNERS))}"
        )
    if args.level is not None and not 0 < args.level < 1:
        raise UsageError(
            f"--level {args.level:g} must be in (0, 1), e.g. 0.95 for 95% intervals"
        )
    if args.sigma is not None:
        if args.family != "gaussian":
            raise UsageError(
                "--sigma is the noise level of a gaussian fit; a binomial fit has "
                "none, drop --sigma"
            )
        if not 0 < args.sigma < float("inf"):
            raise UsageError(f"--sigma {args.sigma:g} must be a positive number")
    lam = args.inference_lam
    if lam is not None and not 0 < lam < float("inf"):
        raise UsageError(f"--inference-lam {lam:g} must be a positive number")
    _check_method_options(args)


def _check_method_options(args) -> None:
    """The options of one method: with that method only, and in range."""
    for name, methods in _METHOD_OPTIONS.items():
        option = "--" + name.replace("_", "-")
        if getattr(args, name) is not None and args.inference not in methods:
            only = " or ".join(methods)
            raise UsageError(
                f"{option} applies to --inference {only} only; use that method, or "
                f"drop {option}"
            )
    if args.inference == "split" and args.alternative == "sign":
        raise UsageError(
            "--alternative sign: --inference split gives two-sided p-values only; "
            "drop --alternative"
        )
    if args.n_splits is not None and args.n_splits < 2:
        raise UsageError(f"--n-splits {args.n_splits} must be an integer >= 2")
    gamma = args.gamma_min
    if gamma is not None and not 0 < gamma < 1:
        raise UsageError(f"--gamma-min {gamma:g} must be in (0, 1), e.g. 0.05")


def _check_outputs(args) -> None:
    """Fail before the (possibly long) computation when an output cannot be written."""
    for option, value, suffixes in (
        ("--report", args.report, (".html", ".htm", ".md")),
        ("--json", args.json, (".json",)),
    ):
        if value is None:
            continue
        target = pathlib.Path(value)
        if target.suffix.lower() not in suffixes:
            raise UsageError(f"{option} {value!r} must end in {' or '.join(suffixes)}")
        if not target.parent.exists():
            raise InputError(
                f"{option} {value!r}: folder {str(target.parent)!r} does not exist"
            )
        if target.is_dir():
            raise InputError(f"{option} {value!r} is a folder; give a file name")
        figures = target.with_name(target.stem + "_files")
        if option == "--report" and target.suffix.lower() == ".md" and figures.is_file():
            raise InputError(
                f"--report {value!r} keeps its plots in {str(figures)!r}, which is a "
                "file; move it or choose another report name"
            )
        _check_writable(option, target)


def _check_writable(option: str, target: pathlib.Path) -> None:
    """Open ``target`` for writing without changing it (a new file is removed again)."""
    existed = target.exists()
    try:
        with open(target, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise InputError(
            f"{option} {str(target)!r} cannot be written: {exc.strerror}"
        ) from None
    if not existed:
        target.unlink()


def read_data(path: str, index_col: str | bool | None = None):
    """Read a CSV (``.csv``, ``.txt``), TSV (``.tsv``) or Parquet file as a DataFrame.

    ``index_col``: a column of row names to use as the row index (its name, or its
    position counting from 1); None takes an unnamed first column of a text file
    that holds row names (unique strings, or the integers 1..n or 0..n-1, as R's
    ``write.csv`` and pandas' ``to_csv`` write them) as the index, with a note on
    stderr; False keeps every column as data.

    Raises ``InputError`` with a one-line message when the file is missing or cannot
    be parsed.
    """
    file = pathlib.Path(path)
    if not file.exists():
        raise InputError(f"data file {path!r} does not exist")
    if file.is_dir():
        raise InputError(f"data file {path!r} is a folder, not a file")
    suffix = file.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InputError(
                    "reading Parquet needs pyarrow: pip install 'penstat[parquet]'"
                ) from None
            return _set_index(pd.read_parquet(file), index_col, path)
        sep = "\t" if suffix == ".tsv" else ","
        frame = pd.read_csv(file, sep=sep)
    except InputError:
        raise
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot parse data file {path!r}: {_first_line(exc)}") from None
    except OSError as exc:
        raise InputError(f"cannot read data file {path!r}: {_first_line(exc)}") from None
    except Exception as exc:  # pyarrow raises its own error types for bad files
        if type(exc).__module__.startswith("pyarrow"):
            raise InputError(
                f"cannot parse data file {path!r}: {_first_line(exc)}"
            ) from None
        raise
    if index_col is None and _is_row_names(frame):
        print(
            f"penstat: note: the first column of {path!r} has no name and holds row "
            "names (as R's write.csv writes them); it is the row index, not data "
            "(--no-index-col keeps it)",
            file=sys.stderr,
        )
        index_col = 1
    frame = _set_index(frame, index_col, path)
    if frame.shape[1] < 2:
        raise InputError(
            f"data file {path!r} has {frame.shape[1]} column; a response and at least "
            "one predictor are needed (is it comma-separated?)"
        )
    return frame


def _is_row_names(frame) -> bool:
    """An unnamed first column (header "", which pandas reads as "Unnamed: 0") of
    unique strings, or of the integers 1..n or 0..n-1."""
    if frame.shape[1] < 2 or not str(frame.columns[0]).startswith("Unnamed: 0"):
        return False
    first = frame.iloc[:, 0]
    if first.isna().any() or not first.is_unique:
        return False
    if pd.api.types.is_integer_dtype(first.dtype):
        values = first.to_numpy()
        n = values.size
        return bool(np.array_equal(values, np.arange(1, n + 1))) or bool(
            np.array_equal(values, np.arange(n))
        )
    return pd.api.types.is_object_dtype(first.dtype) or pd.api.types.is_string_dtype(
        first.dtype
    )


def _set_index(frame, index_col, path):
    """``frame`` with the column ``index_col`` (a name, or a position from 1) as its
    row index; unchanged for None or False."""
    if index_col is None or index_col is False:
        return frame
    names = [str(c) for c in frame.columns]
    if str(index_col) in names:
        column = frame.columns[names.index(str(index_col))]
    elif str(index_col).isdigit():
        k = int(index_col)
        if not 1 <= k <= frame.shape[1]:
            raise InputError(
                f"--index-col {index_col}: data file {path!r} has columns 1 to "
                f"{frame.shape[1]} (positions count from 1)"
            )
        column = frame.columns[k - 1]
    else:
        raise InputError(
            f"--index-col {index_col!r} is not a column of data file {path!r}"
            + close_matches(str(index_col), names)
        )
    return frame.set_index(column).rename_axis(None)


def _first_line(exc) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
