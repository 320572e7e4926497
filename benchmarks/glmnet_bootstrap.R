# The R equivalent of fit.bootstrap(n_boot, select="same") with 10-fold CV (1-SE rule)
# inside every replicate (called by benchmarks/bootstrap.py).
#
# Usage: Rscript glmnet_bootstrap.R DIR n p family n_boot seed
# DIR holds x.bin (n*p doubles, column-major) and y.bin. Writes DIR/time.txt (seconds
# for the whole loop, timed inside R) and DIR/freq.txt (selection frequency per column).

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(script), "_io.R"))
n_boot <- as.integer(args[[5]])
seed <- as.integer(args[[6]])

data <- read_xy(dir, n, p)
x <- data$x
y <- data$y

set.seed(seed)
selected <- matrix(FALSE, n_boot, p)
elapsed <- system.time({
  for (b in seq_len(n_boot)) {
    rows <- sample.int(n, n, replace = TRUE)
    cvfit <- cv.glmnet(x[rows, ], y[rows], family = family, nfolds = 10)
    selected[b, ] <- as.numeric(coef(cvfit, s = "lambda.1se"))[-1] != 0
  }
})[["elapsed"]]
writeLines(format(elapsed, digits = 10), file.path(dir, "time.txt"))
writeLines(format(colMeans(selected), digits = 10), file.path(dir, "freq.txt"))
