# Reference multi-split results from R's hdi for tests/inference/test_split.py.
#
# hdi::multi.split is run with a deterministic selector (the lasso at a fixed lambda,
# glmnet) and its default least-squares refit (lm.pval, with intercept), so that the
# only randomness is the splits. The same splits are then drawn again from the same
# seed (sample.int(n, n.left), one call per split, as multi.split's oneSplit does)
# and stored, so penstat can refit exactly those splits. tests/data/hdi_split.json
# holds X, y, lambda, the splits (1-based rows of the selection half), gamma, and
# hdi's aggregated p-values (pval.corr) and intervals (lci, uci).
#
# Needs R with glmnet and hdi (hdi from CRAN source: R CMD INSTALL hdi).
#   Rscript scripts/hdi_reference/split.R [output directory]

suppressMessages({
  library(glmnet)
  library(hdi)
})

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[[1]] else file.path("tests", "data")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

num <- function(x) trimws(formatC(as.numeric(x), digits = 17, format = "g"))
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
mat <- function(x) {
  rows <- vapply(seq_len(nrow(x)), function(i) vec(x[i, ]), "")
  paste0("[", paste(rows, collapse = ",\n  "), "]")
}
fin <- function(x) ifelse(is.finite(x), num(x), ifelse(x > 0, "\"inf\"", "\"-inf\""))
vecf <- function(x) paste0("[", paste(fin(x), collapse = ", "), "]")

set.seed(20261207)
n <- 80
p <- 60
x <- matrix(rnorm(n * p), n, p)
beta <- c(1.5, -1.2, 0.8, rep(0, p - 3))
y <- as.vector(x %*% beta + rnorm(n))
lam <- 0.25
B <- 20
gamma <- seq(2 / B, 1, by = 1 / B)  # gamma_min = 0.1, the levels k / B up to 1

selector <- function(x, y) {
  grid <- exp(seq(log(max(abs(crossprod(scale(x), y - mean(y)))) / nrow(x) * 2),
                  log(lam), length.out = 50))
  f <- glmnet(x, y, lambda = grid, thresh = 1e-14, maxit = 1e7)
  which(as.vector(coef(f, s = lam, exact = FALSE))[-1] != 0)
}

seed <- 11
set.seed(seed)
ms <- multi.split(x, y, B = B, gamma = gamma, model.selector = selector,
                  ci.level = 0.95)
set.seed(seed)
n_left <- floor(n * 0.5)
splits <- t(vapply(seq_len(B), function(b) sample.int(n, size = n_left), integer(n_left)))

json <- paste0(
  "{\n",
  "\"hdi_version\": \"", format(packageVersion("hdi")), "\",\n",
  "\"X\": ", mat(x), ",\n",
  "\"y\": ", vec(y), ",\n",
  "\"lam\": ", num(lam), ",\n",
  "\"gamma_min\": ", num(min(gamma)), ",\n",
  "\"level\": 0.95,\n",
  "\"splits\": ", mat(splits), ",\n",
  "\"pval_corr\": ", vec(ms$pval.corr), ",\n",
  "\"lci\": ", vecf(ms$lci), ",\n",
  "\"uci\": ", vecf(ms$uci), "\n",
  "}\n")
writeLines(json, file.path(out_dir, "hdi_split.json"))
cat("wrote", file.path(out_dir, "hdi_split.json"), "\n")
