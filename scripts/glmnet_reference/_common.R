# Shared by the reference scripts in this folder (sourced, not run on its own): the
# output directory from the command line, glmnet's convergence settings, a minimal
# JSON writer and the simulated design.

suppressMessages(library(glmnet))

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[[1]] else file.path("tests", "data")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# glmnet stops when every coordinate moves less than about sqrt(thresh); 1e-30 makes
# cyclic descent run to its floating-point fixed point (KKT residuals ~1e-12 * lambda).
THRESH <- 1e-30
MAXIT <- 1e8

# ---- a minimal JSON writer (numbers with 17 significant digits) -------------------

num <- function(x) trimws(formatC(as.numeric(x), digits = 17, format = "g"))
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
mat <- function(x) {
  rows <- vapply(seq_len(nrow(x)), function(i) vec(x[i, ]), "")
  paste0("[", paste(rows, collapse = ",\n  "), "]")
}
str <- function(s) paste0("\"", s, "\"")
write_json <- function(fields, file) {
  body <- paste0("\"", names(fields), "\": ", fields, collapse = ",\n")
  writeLines(paste0("{\n", body, "\n}"), file.path(out_dir, file))
}

# ---- simulation --------------------------------------------------------------------

# Gaussian features with pairwise correlation rho (a shared factor; none drawn when
# rho = 0).
simulate_x <- function(n, p, rho) {
  z <- matrix(rnorm(n * p), n, p)
  if (rho > 0) z <- sqrt(1 - rho) * z + sqrt(rho) * rnorm(n)
  z
}
