# Time glmnet on one benchmark problem (called by benchmarks/paths.py and limits.py).
#
# Usage: Rscript glmnet_path.R DIR n p family alpha repeats thresh1[,thresh2,...]
# DIR holds x.bin (n*p doubles, column-major), y.bin and lambdas.bin. For every
# threshold the fit is timed by Sys.time (microseconds; system.time counts whole
# milliseconds) over `repeats` runs (R start-up, data loading and one warm-up fit on
# a slice of the data excluded) and DIR gets times_<i>.txt (seconds, one per run) and coef_<i>.bin (a0 then beta column by
# column, nlambda * (p + 1) doubles).
# Optional lower.bin / upper.bin in DIR (p doubles each) are passed as lower.limits /
# upper.limits (benchmarks/limits.py); without them glmnet's defaults, -Inf / Inf.

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(script), "_io.R"))
alpha <- as.numeric(args[[5]])
repeats <- as.integer(args[[6]])
threshes <- as.numeric(strsplit(args[[7]], ",")[[1]])
slow <- if (length(args) >= 8) as.numeric(args[[8]]) else Inf

data <- read_xy(dir, n, p)
x <- data$x
y <- data$y
lambdas <- read_doubles(dir, "lambdas.bin", 1e6)
read_limit <- function(name, default) {
  if (file.exists(file.path(dir, name))) read_doubles(dir, name, p) else default
}
lower <- read_limit("lower.bin", -Inf)
upper <- read_limit("upper.bin", Inf)
# the limits of the first k columns (a single number is every column's)
first_limits <- function(limits, k) if (length(limits) > 1) limits[seq_len(k)] else limits

# One untimed fit on a slice of the data first, so that no timed run pays R's
# one-time costs (loading glmnet's compiled code and its R functions on first use).
rows <- seq_len(min(n, 60))
k <- min(p, 12)
invisible(try(glmnet(x[rows, seq_len(k), drop = FALSE], y[rows], family = family,
                     alpha = alpha, nlambda = 5, lower.limits = first_limits(lower, k),
                     upper.limits = first_limits(upper, k)), silent = TRUE))

for (i in seq_along(threshes)) {
  fit_once <- function() {
    glmnet(x, y, family = family, alpha = alpha, lambda = lambdas, standardize = FALSE,
           intercept = TRUE, thresh = threshes[[i]], maxit = 1e7, lower.limits = lower,
           upper.limits = upper)
  }
  times <- numeric(0)
  for (r in seq_len(repeats)) {
    start <- Sys.time()
    fit <- fit_once()
    elapsed <- as.numeric(difftime(Sys.time(), start, units = "secs"))
    times <- c(times, elapsed)
    if (elapsed > slow) break
  }
  writeLines(format(times, digits = 10), file.path(dir, sprintf("times_%d.txt", i)))
  out <- c(unname(fit$a0), as.numeric(as.matrix(fit$beta)))
  con <- file(file.path(dir, sprintf("coef_%d.bin", i)), "wb")
  writeBin(out, con, endian = "little")
  close(con)
}
