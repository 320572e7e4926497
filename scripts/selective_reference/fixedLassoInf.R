# Reference selective-inference values from R selectiveInference::fixedLassoInf for
# tests/inference/test_selective.py (test_matches_r_selective_inference).
#
# Each case simulates a small problem with a fixed seed, with columns standardized
# beforehand (mean 0, 1/n variance 1, so glmnet's internal standardization changes
# nothing), fits the lasso with glmnet at a tight threshold, and runs fixedLassoInf
# at lambda = n * lam (its objective is 1/2 RSS + lambda |b|_1; glmnet's and
# penstat's is 1/(2n) RSS + lam |b|_1). One JSON file
# tests/data/selective_<case>.json holds the inputs and fixedLassoInf's output.
#
# Needs R, glmnet and selectiveInference 1.2.5 (with its dependencies intervals, survival,
# adaptMCMC (which needs ramcmc), MASS; selectiveInference is not packaged by Debian:
# build it and adaptMCMC and ramcmc from the
# CRAN source with R CMD INSTALL). Run as
#   Rscript scripts/selective_reference/fixedLassoInf.R [output directory]

suppressMessages({
  library(glmnet)
  library(selectiveInference)
})

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[[1]] else file.path("tests", "data")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

json_num <- function(x) {
  x <- as.numeric(x)
  s <- trimws(formatC(x, digits = 17, format = "g"))
  s[is.infinite(x) & x > 0] <- "\"inf\""
  s[is.infinite(x) & x < 0] <- "\"-inf\""
  s[is.na(x)] <- "null"
  s
}

json_value <- function(v) {
  if (is.list(v)) {
    keys <- names(v)
    parts <- vapply(seq_along(v), function(i) {
      paste0("\"", keys[[i]], "\": ", json_value(v[[i]]))
    }, "")
    return(paste0("{\n", paste(parts, collapse = ",\n"), "\n}"))
  }
  if (is.matrix(v)) {
    rows <- vapply(seq_len(nrow(v)), function(i) {
      paste0("[", paste(json_num(v[i, ]), collapse = ", "), "]")
    }, "")
    return(paste0("[", paste(rows, collapse = ",\n  "), "]"))
  }
  if (is.character(v)) return(paste0("\"", v, "\""))
  if (!is.null(attr(v, "scalar"))) return(json_num(v))
  paste0("[", paste(json_num(v), collapse = ", "), "]")
}

scalar <- function(x) {
  attr(x, "scalar") <- TRUE
  x
}

standardized_x <- function(n, p, rho) {
  z <- matrix(rnorm(n * p), n, p)
  x <- sqrt(1 - rho) * z + sqrt(rho) * rnorm(n)
  x <- scale(x, center = TRUE, scale = FALSE)
  sweep(x, 2, sqrt(colMeans(x^2)), "/")
}

write_case <- function(name, x, y, lam, family, type, sigma = NULL, alpha = 0.1) {
  n <- nrow(x)
  fit <- glmnet(x, y, family = family, standardize = TRUE, thresh = 1e-20,
                maxit = 1e8)
  beta <- coef(fit, s = lam, exact = TRUE, x = x, y = y, family = family,
               standardize = TRUE, thresh = 1e-20, maxit = 1e8)
  beta <- as.numeric(beta)
  if (family == "gaussian") {
    out <- fixedLassoInf(x, y, beta[-1], n * lam, family = family, sigma = sigma,
                         alpha = alpha, type = type, tol.beta = 1e-10)
  } else {
    out <- fixedLassoInf(x, y, beta, n * lam, family = family, alpha = alpha,
                         type = type, tol.beta = 1e-10)
  }
  case <- list(
    name = name,
    selective_inference_version = as.character(packageVersion("selectiveInference")),
    glmnet_version = as.character(packageVersion("glmnet")),
    family = family,
    type = type,
    lam = scalar(lam),
    sigma = scalar(if (is.null(sigma)) NA else sigma),
    level = scalar(1 - alpha),
    X = x,
    y = y,
    glmnet_coef = beta,
    vars = out$vars,
    sign = if (family == "gaussian") out$sign else sign(out$coef0),
    coef0 = out$coef0,
    pv = out$pv,
    ci = out$ci,
    tailarea = out$tailarea,
    vlo = out$vlo,
    vup = out$vup,
    sd = out$sd
  )
  path <- file.path(out_dir, paste0("selective_", name, ".json"))
  writeLines(json_value(case), path)
  cat("wrote", path, "\n")
}

set.seed(1)
x <- standardized_x(60, 8, 0.3)
y <- drop(x[, 1:3] %*% c(1, -0.6, 0.4)) + 0.5 + rnorm(60)
write_case("gaussian_partial", x, y, 0.12, "gaussian", "partial", sigma = 1)
write_case("gaussian_full", x, y, 0.12, "gaussian", "full", sigma = 1)

set.seed(2)
x <- standardized_x(300, 6, 0.2)
eta <- drop(x[, 1:2] %*% c(0.9, -0.6)) - 0.2
y <- as.numeric(runif(300) < 1 / (1 + exp(-eta)))
write_case("binomial_partial", x, y, 0.02, "binomial", "partial")
