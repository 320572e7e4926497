# Time cv.glmnet on one benchmark problem (called by benchmarks/cv.py).
#
# Usage: Rscript glmnet_cv.R DIR n p family repeats
# DIR holds x.bin (n*p doubles, column-major), y.bin and foldid.bin (n doubles,
# folds 1..K). cv.glmnet runs single-threaded (parallel = FALSE) with glmnet's
# defaults, after one untimed run on a slice of the data; DIR gets times.txt
# (seconds per run) and choice.txt (lambda.min and lambda.1se of the last run).

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(script), "_io.R"))
repeats <- as.integer(args[[5]])

data <- read_xy(dir, n, p)
x <- data$x
y <- data$y
foldid <- as.integer(read_doubles(dir, "foldid.bin", n))

# one untimed run on a slice of the data, so that no timed run pays R's one-time costs
rows <- seq_len(min(n, 100))
invisible(try(cv.glmnet(x[rows, seq_len(min(p, 10)), drop = FALSE], y[rows],
                        family = family, nfolds = 5), silent = TRUE))

times <- numeric(0)
for (r in seq_len(repeats)) {
  start <- Sys.time()
  cvfit <- cv.glmnet(x, y, family = family, foldid = foldid, parallel = FALSE)
  times <- c(times, as.numeric(difftime(Sys.time(), start, units = "secs")))
}
writeLines(format(times, digits = 10), file.path(dir, "times.txt"))
writeLines(format(c(cvfit$lambda.min, cvfit$lambda.1se), digits = 17),
           file.path(dir, "choice.txt"))
