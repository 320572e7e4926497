# Time cv.glmnet on one benchmark problem (called by benchmarks/cv.py).
#
# Usage: Rscript glmnet_cv.R DIR n p family repeats
# DIR holds x.bin (n*p doubles, column-major), y.bin and foldid.bin (n doubles,
# folds 1..K). cv.glmnet runs single-threaded (parallel = FALSE) with glmnet's
# defaults; DIR gets times.txt (seconds per run) and choice.txt (lambda.min and
# lambda.1se of the last run).

suppressMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
n <- as.integer(args[[2]])
p <- as.integer(args[[3]])
family <- args[[4]]
repeats <- as.integer(args[[5]])

read_doubles <- function(name, count) {
  con <- file(file.path(dir, name), "rb")
  on.exit(close(con))
  readBin(con, "double", n = count, endian = "little")
}
x <- matrix(read_doubles("x.bin", n * p), n, p)
y <- read_doubles("y.bin", n)
foldid <- as.integer(read_doubles("foldid.bin", n))

times <- numeric(0)
for (r in seq_len(repeats)) {
  times <- c(times, system.time(
    cvfit <- cv.glmnet(x, y, family = family, foldid = foldid, parallel = FALSE)
  )[["elapsed"]])
}
writeLines(format(times, digits = 10), file.path(dir, "times.txt"))
writeLines(format(c(cvfit$lambda.min, cvfit$lambda.1se), digits = 17),
           file.path(dir, "choice.txt"))
