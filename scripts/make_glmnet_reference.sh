#!/usr/bin/env bash
# Regenerate the R glmnet reference data under tests/data/ by running every R script
# in scripts/glmnet_reference/ (paths.R for the path solver, cv.R for cross-validation).
#
# Needs R and glmnet; on Debian or Ubuntu: apt-get install r-base-core r-cran-glmnet
# Usage: scripts/make_glmnet_reference.sh [output directory, default tests/data]
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir="${1:-tests/data}"
if ! command -v Rscript >/dev/null 2>&1; then
    echo "Rscript not found: install R and glmnet (Debian: r-cran-glmnet)" >&2
    exit 1
fi
Rscript -e 'suppressMessages(library(glmnet)); cat("glmnet", format(packageVersion("glmnet")), "\n")'
mkdir -p "$out_dir"
for script in scripts/glmnet_reference/*.R; do
    # _common.R is sourced by the others, not run on its own
    [[ "$(basename "$script")" == _* ]] && continue
    echo "== $script"
    Rscript "$script" "$out_dir"
done
