# Time glmnet on a sparse design (called by benchmarks/sparse.py).
#
# Usage: Rscript glmnet_sparse.R DIR n p nnz family repeats thresh [clock]
# DIR holds the CSC arrays of X as written by the Python side: i.bin (nnz int32 row
# indices, 0-based), p.bin (p + 1 int32 column pointers), x.bin (nnz doubles), plus
# y.bin (n doubles) and lambdas.bin; all little-endian. X becomes a Matrix dgCMatrix
# (glmnet's sparse elnet / lognet), fitted with standardize = FALSE, an intercept and
# the given lambdas. The fit is timed over `repeats` runs after one untimed warm-up
# fit on a slice, by Sys.time (clock "wall", the default) or by the process's CPU
# time, user plus system (clock "cpu"); DIR gets times.txt (seconds, one per run) and
# coef.bin (a0 then beta column by column, nlambda * (p + 1) doubles).

suppressMessages(library(Matrix))
suppressMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
n <- as.integer(args[[2]])
p <- as.integer(args[[3]])
nnz <- as.numeric(args[[4]])
family <- args[[5]]
repeats <- as.integer(args[[6]])
thresh <- as.numeric(args[[7]])
clock <- if (length(args) >= 8) args[[8]] else "wall"
now <- function() {
  if (clock == "cpu") {
    t <- proc.time()
    return(t[["user.self"]] + t[["sys.self"]])
  }
  as.numeric(Sys.time())
}

read_bin <- function(name, what, count, size = NA_integer_) {
  con <- file(file.path(dir, name), "rb")
  on.exit(close(con))
  readBin(con, what, n = count, size = size, endian = "little")
}
x <- sparseMatrix(
  i = read_bin("i.bin", "integer", nnz, 4L), p = read_bin("p.bin", "integer", p + 1, 4L),
  x = read_bin("x.bin", "double", nnz), dims = c(n, p), index1 = FALSE
)
y <- read_bin("y.bin", "double", n)
lambdas <- read_bin("lambdas.bin", "double", 1e6)

rows <- seq_len(min(n, 200))
invisible(try(glmnet(x[rows, seq_len(min(p, 20))], y[rows], family = family,
                     nlambda = 5), silent = TRUE))
times <- numeric(0)
for (r in seq_len(repeats)) {
  start <- now()
  fit <- glmnet(x, y, family = family, lambda = lambdas, standardize = FALSE,
                intercept = TRUE, thresh = thresh, maxit = 1e7)
  times <- c(times, now() - start)
}
writeLines(format(times, digits = 10), file.path(dir, "times.txt"))
con <- file(file.path(dir, "coef.bin"), "wb")
writeBin(c(unname(fit$a0), as.numeric(as.matrix(fit$beta))), con, endian = "little")
close(con)
