# Time one glmnet binomial path, wall and CPU time (called by benchmarks/binomial_sweep.py).
#
# Usage: Rscript glmnet_binomial_sweep.R DIR n p alpha thresh
# DIR holds x.bin (n*p doubles, column-major), y.bin, lambdas.bin and, optionally,
# weights.bin (n doubles). One untimed fit on a slice of the data first (R's one-time
# costs); then one timed fit. DIR gets times.txt (wall seconds, CPU seconds of this
# process: user + system) and coef.bin (a0 then beta column by column).

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(script), "_io.R"))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
n <- as.integer(args[[2]])
p <- as.integer(args[[3]])
alpha <- as.numeric(args[[4]])
thresh <- as.numeric(args[[5]])

data <- read_xy(dir, n, p)
lambdas <- read_doubles(dir, "lambdas.bin", 1e6)
w <- if (file.exists(file.path(dir, "weights.bin"))) {
  read_doubles(dir, "weights.bin", n)
} else {
  rep(1, n)
}
rows <- seq_len(min(n, 60))
invisible(try(glmnet(data$x[rows, seq_len(min(p, 12)), drop = FALSE], data$y[rows],
                     family = "binomial", alpha = alpha, nlambda = 5), silent = TRUE))
cpu0 <- proc.time()
start <- Sys.time()
fit <- glmnet(data$x, data$y, family = "binomial", weights = w, alpha = alpha,
              lambda = lambdas, standardize = FALSE, intercept = TRUE, thresh = thresh,
              maxit = 1e7)
wall <- as.numeric(difftime(Sys.time(), start, units = "secs"))
cpu <- proc.time() - cpu0
writeLines(format(c(wall, cpu[["user.self"]] + cpu[["sys.self"]]), digits = 10),
           file.path(dir, "times.txt"))
con <- file(file.path(dir, "coef.bin"), "wb")
writeBin(c(unname(fit$a0), as.numeric(as.matrix(fit$beta))), con, endian = "little")
close(con)
