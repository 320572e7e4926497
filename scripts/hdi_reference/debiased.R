# Reference de-sparsified lasso results from R's hdi for
# tests/inference/test_debiased.py.
#
# hdi::lasso.proj is given the initial estimate (the glmnet lasso at a fixed
# lambda), sigma and the nodewise residuals Z (glmnet lasso of every standardized
# column on the others at one fixed lambda, solved to 1e-14), so that its output
# depends on no cross-validation. It then computes the one-step correction, the
# standard errors and the p-values. tests/data/hdi_lasso_proj.json holds X, y, the
# two lambdas, sigma and hdi's bhat, se, pval and pval.corr (Holm).
#
#   Rscript scripts/hdi_reference/debiased.R [output directory]

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

lasso_at <- function(x, y, lam, intercept = TRUE) {
  top <- max(abs(crossprod(scale(x), y - mean(y)))) / nrow(x) * 2
  grid <- exp(seq(log(max(top, 2 * lam)), log(lam), length.out = 60))
  f <- glmnet(x, y, lambda = grid, thresh = 1e-14, maxit = 1e7, intercept = intercept)
  as.vector(coef(f, s = lam, exact = FALSE))
}

set.seed(20261207)
n <- 50
p <- 80
rho <- 0.5
sig <- rho^abs(outer(1:p, 1:p, "-"))
x <- matrix(rnorm(n * p), n, p) %*% chol(sig)
y <- as.vector(x[, 1] * 1.5 - x[, 2] + 0.5 * x[, 5] + rnorm(n))
lam <- 0.15        # the fit's lambda
lam_node <- 0.2    # the nodewise lambda, on hdi's standardized columns (sd 1)
sigma <- 1.1

b0 <- lasso_at(x, y, lam)
sds <- apply(x, 2, sd)
xs <- scale(x)
Z <- sapply(seq_len(p), function(j) {
  g <- lasso_at(xs[, -j], xs[, j], lam_node)
  xs[, j] - g[1] - xs[, -j] %*% g[-1]
})
res <- lasso.proj(x, y, sigma = sigma, Z = Z, betainit = b0[-1] * sds,
                  suppress.grouptesting = TRUE)

json <- paste0(
  "{\n",
  "\"hdi_version\": \"", format(packageVersion("hdi")), "\",\n",
  "\"X\": ", mat(x), ",\n",
  "\"y\": ", vec(y), ",\n",
  "\"lam\": ", num(lam), ",\n",
  "\"lam_node\": ", num(lam_node), ",\n",
  "\"sigma\": ", num(sigma), ",\n",
  "\"beta\": ", vec(b0[-1]), ",\n",
  "\"bhat\": ", vec(res$bhat), ",\n",
  "\"se\": ", vec(res$se), ",\n",
  "\"pval\": ", vec(res$pval), ",\n",
  "\"pval_corr\": ", vec(res$pval.corr), "\n",
  "}\n")
writeLines(json, file.path(out_dir, "hdi_lasso_proj.json"))
cat("wrote", file.path(out_dir, "hdi_lasso_proj.json"), "\n")
