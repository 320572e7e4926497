# The arguments and the data a benchmark script hands to R (sourced by the
# glmnet_*.R scripts that take DIR n p family first).
#
# DIR holds x.bin (n*p doubles, column-major) and y.bin (n doubles), little-endian,
# written by the Python side; further vectors are read with read_doubles().

suppressMessages(library(glmnet))

# The first arguments of every script that sources this file: DIR n p family; its
# own arguments follow from args[[5]].
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
n <- as.integer(args[[2]])
p <- as.integer(args[[3]])
family <- args[[4]]

read_doubles <- function(dir, name, count) {
  con <- file(file.path(dir, name), "rb")
  on.exit(close(con))
  readBin(con, "double", n = count, endian = "little")
}

read_xy <- function(dir, n, p) {
  list(x = matrix(read_doubles(dir, "x.bin", n * p), n, p),
       y = read_doubles(dir, "y.bin", n))
}
