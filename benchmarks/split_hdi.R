# hdi::multi.split on the data sets written by benchmarks/split_hdi.py.
#
#   Rscript benchmarks/split_hdi.R DIR
#
# DIR holds meta.csv (n, p, reps, lam, B, level, gamma_min, selector) and, per data
# set r = 0, ..., reps - 1, x_r.bin (n * p doubles, column-major) and y_r.bin (n
# doubles), little-endian. For each data set, multi.split runs with B splits, its
# default least-squares refit (lm.pval / lm.ci) and ci.level = level, the selector
# either the lasso at the fixed lambda lam (glmnet, as penstat's split at a fixed
# lambda: selector = "fixed") or hdi's default cross-validated lasso (lasso.cv:
# selector = "cv"), and the levels gamma = k / B in [gamma_min, 1]. Writes
# DIR/hdi.csv: replicate, column (1-based), lci, uci, pval_corr.

suppressMessages({
  library(glmnet)
  library(hdi)
})

args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
meta <- read.csv(file.path(dir, "meta.csv"))
n <- meta$n
p <- meta$p
lam <- meta$lam
B <- meta$B

read_doubles <- function(name, count) {
  con <- file(file.path(dir, name), "rb")
  on.exit(close(con))
  readBin(con, "double", n = count, endian = "little")
}

fixed_selector <- function(x, y) {
  # glmnet's own path down to lam, then the coefficients at lam
  top <- max(abs(crossprod(scale(x), y - mean(y)))) / nrow(x)
  grid <- exp(seq(log(max(top, lam) * 1.01), log(lam), length.out = 50))
  f <- glmnet(x, y, lambda = grid, thresh = 1e-12)
  which(as.vector(coef(f, s = lam, exact = FALSE))[-1] != 0)
}

k_min <- ceiling(meta$gamma_min * B - 1e-9)
gamma <- seq(k_min / B, 1, by = 1 / B)
out <- file.path(dir, "hdi.csv")
cat("replicate,column,lci,uci,pval_corr\n", file = out)
for (r in seq_len(meta$reps) - 1) {
  x <- matrix(read_doubles(sprintf("x_%d.bin", r), n * p), n, p)
  y <- read_doubles(sprintf("y_%d.bin", r), n)
  set.seed(1000 + r)
  ms <- if (meta$selector == "fixed") {
    multi.split(x, y, B = B, gamma = gamma, ci.level = meta$level,
                model.selector = fixed_selector)
  } else {
    multi.split(x, y, B = B, gamma = gamma, ci.level = meta$level)
  }
  write.table(
    data.frame(replicate = r, column = seq_len(p), lci = ms$lci, uci = ms$uci,
               pval_corr = ms$pval.corr),
    out, append = TRUE, sep = ",", row.names = FALSE, col.names = FALSE
  )
  message(sprintf("replicate %d done", r))
}
