# Reference regularization paths from R glmnet for tests/solver/test_path_glmnet.py.
#
# Each case simulates a small problem with a fixed seed, fits it with glmnet at a
# convergence threshold tight enough that the result is the optimum to double
# precision, and writes one JSON file tests/data/glmnet_path_<case>.json holding the
# inputs (X, y, weights, penalty factors, options) and glmnet's output (lambda, a0,
# beta, df, dev.ratio, nulldev).
#
# Run through scripts/make_glmnet_reference.sh, or directly:
#   Rscript scripts/glmnet_reference/paths.R [output directory]
# Needs only base R and glmnet (Debian: r-cran-glmnet); JSON is written by hand.

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(script), "_common.R"))

# ---- a minimal JSON writer (numbers with 17 significant digits) -------------------

json_num <- function(x) {
  stopifnot(all(is.finite(x)))
  trimws(formatC(as.numeric(x), digits = 17, format = "g"))
}

json_value <- function(v) {
  if (is.null(v)) {
    return("null")
  }
  if (is.list(v)) {
    keys <- names(v)
    if (is.null(keys)) {
      return(paste0("[", paste(vapply(v, json_value, ""), collapse = ", "), "]"))
    }
    parts <- vapply(seq_along(v), function(i) {
      paste0("\"", keys[[i]], "\": ", json_value(v[[i]]))
    }, "")
    return(paste0("{\n", paste(parts, collapse = ",\n"), "\n}"))
  }
  if (is.matrix(v)) {
    rows <- vapply(seq_len(nrow(v)), function(i) json_value(as_vector(as.numeric(v[i, ]))), "")
    return(paste0("[", paste(rows, collapse = ",\n  "), "]"))
  }
  if (is.character(v)) {
    return(if (length(v) == 1) paste0("\"", v, "\"") else
      paste0("[", paste0("\"", v, "\"", collapse = ", "), "]"))
  }
  if (is.logical(v)) {
    s <- ifelse(v, "true", "false")
    return(if (length(v) == 1) s else paste0("[", paste(s, collapse = ", "), "]"))
  }
  # numbers: a length-1 vector is a scalar unless marked with as_vector()
  s <- json_num(as.numeric(v))
  if (length(v) == 1 && is.null(attr(v, "vector"))) s else
    paste0("[", paste(s, collapse = ", "), "]")
}

as_vector <- function(x) {
  attr(x, "vector") <- TRUE
  x
}

# ---- simulation helpers ------------------------------------------------------------

# Coefficients decaying in size with alternating signs (the design of Friedman,
# Hastie & Tibshirani 2010; features from simulate_x in _common.R).
true_beta <- function(p, k = min(p, 8)) {
  b <- numeric(p)
  j <- seq_len(k)
  b[j] <- (-1)^j * exp(-2 * (j - 1) / 20)
  b
}

gaussian_y <- function(x, beta, noise = 1) {
  drop(x %*% beta) + 0.7 + noise * rnorm(nrow(x))
}

binomial_y <- function(x, beta, offset = 0) {
  eta <- drop(x %*% beta) - 0.3 + offset
  as.numeric(runif(nrow(x)) < 1 / (1 + exp(-eta)))
}

# ---- one case ----------------------------------------------------------------------

write_case <- function(name, x, y, family = "gaussian", alpha = 1, weights = NULL,
                       penalty_factor = NULL, lambda = NULL, nlambda = 100,
                       lambda_min_ratio = NULL, intercept = TRUE, standardize = TRUE,
                       duplicate_columns = NULL, constant_columns = NULL,
                       offset = NULL, lower_limits = NULL, upper_limits = NULL,
                       counts = NULL, description = "") {
  n <- nrow(x)
  p <- ncol(x)
  # glmnet fits the gaussian family with y scaled to unit (weighted, 1/n) standard
  # deviation and scales back afterwards; for alpha < 1 that changes the ridge part of
  # the penalty by a factor 1/sd(y). With sd(y) = 1 glmnet solves exactly the
  # objective of docs/developer/architecture.md, so such cases are given a y already at unit sd.
  y_scaled <- family == "gaussian" && alpha < 1
  if (y_scaled) {
    v <- if (is.null(weights)) rep(1 / n, n) else weights / sum(weights)
    y <- y / sqrt(sum(v * (y - sum(v * y))^2))
  }
  # grouped binomial data: counts = cbind(successes, failures), R's glm order;
  # glmnet's two-column y is (failures, successes), the second column the target
  y_fit <- if (is.null(counts)) y else counts[, c(2, 1)]
  fit_args <- list(x = x, y = y_fit, family = family, alpha = alpha, nlambda = nlambda,
                   intercept = intercept, standardize = standardize,
                   thresh = THRESH, maxit = MAXIT)
  if (!is.null(weights)) fit_args$weights <- weights
  if (!is.null(penalty_factor)) fit_args$penalty.factor <- penalty_factor
  if (!is.null(lambda)) fit_args$lambda <- lambda
  if (!is.null(lambda_min_ratio)) fit_args$lambda.min.ratio <- lambda_min_ratio
  if (!is.null(offset)) fit_args$offset <- offset
  if (!is.null(lower_limits)) fit_args$lower.limits <- lower_limits
  if (!is.null(upper_limits)) fit_args$upper.limits <- upper_limits
  fit <- do.call(glmnet, fit_args)
  if (fit$jerr != 0) stop(sprintf("case %s: glmnet error code %d", name, fit$jerr))

  beta <- t(as.matrix(fit$beta))  # (nlambda, p)
  case <- list(
    name = name,
    description = description,
    glmnet_version = as.character(packageVersion("glmnet")),
    r_version = R.version.string,
    family = family,
    l1_ratio = alpha,
    fit_intercept = intercept,
    standardize = standardize,
    user_lambda = !is.null(lambda),
    nlambda = nlambda,
    lambda_min_ratio = if (is.null(lambda_min_ratio)) NULL else lambda_min_ratio,
    thresh = THRESH,
    y_scaled_to_unit_sd = y_scaled,
    n = n,
    p = p,
    X = x,
    y = if (is.null(y)) NULL else as_vector(y),
    weights = if (is.null(weights)) NULL else as_vector(weights),
    penalty_factor = if (is.null(penalty_factor)) NULL else as_vector(penalty_factor),
    lambda_given = if (is.null(lambda)) NULL else as_vector(lambda),
    duplicate_columns = if (is.null(duplicate_columns)) NULL else
      lapply(duplicate_columns, function(g) as_vector(g - 1)),
    constant_columns = if (is.null(constant_columns)) NULL else
      as_vector(constant_columns - 1),
    lambda = as_vector(fit$lambda),
    a0 = as_vector(unname(fit$a0)),
    beta = beta,
    df = as_vector(fit$df),
    dev_ratio = as_vector(fit$dev.ratio),
    nulldev = fit$nulldev,
    npasses = fit$npasses
  )
  # only cases with an offset carry the key, so the older files stay as they were
  if (!is.null(offset)) case$offset <- as_vector(offset)
  # grouped cases store the problem glmnet solves (y the proportion of successes,
  # weights the trials times the weights given, 0 for a row without trials, which
  # glmnet drops) and the counts and weights as given
  if (!is.null(counts)) {
    trials <- rowSums(counts)
    case$y <- as_vector(ifelse(trials > 0, counts[, 1] / pmax(trials, 1), 0))
    case$weights <- as_vector(trials * (if (is.null(weights)) 1 else weights))
    case$successes <- as_vector(counts[, 1])
    case$failures <- as_vector(counts[, 2])
    case$count_weights <- if (is.null(weights)) NULL else as_vector(weights)
  }
  # likewise the limits (glmnet's lower.limits / upper.limits, original scale of x):
  # one number, or one per column with null for an infinite (free) side
  if (!is.null(lower_limits)) case$lower_limits <- json_limits(lower_limits)
  if (!is.null(upper_limits)) case$upper_limits <- json_limits(upper_limits)
  file <- file.path(out_dir, paste0("glmnet_path_", name, ".json"))
  writeLines(json_value(case), file)
  cat(sprintf("%-32s n=%3d p=%3d nlambda=%3d npasses=%d\n", name, n, p,
              length(fit$lambda), fit$npasses))
  if (!is.null(lower_limits) || !is.null(upper_limits)) report_limits(fit, fit_args,
                                                                      lower_limits, upper_limits)
}

# A limit written to JSON: a number, or a vector with null where the side is free.
json_limits <- function(v) {
  if (length(v) == 1) {
    stopifnot(is.finite(v))
    return(v)
  }
  lapply(v, function(u) if (is.finite(u)) u else NULL)
}

# How the limits act along the path (printed, to choose cases where they bind): the
# (lambda, coefficient) pairs at a nonzero limit, and those the same fit without
# limits, on the same lambdas, puts outside them.
report_limits <- function(fit, fit_args, lower, upper) {
  p <- ncol(fit_args$x)
  lo <- rep_len(if (is.null(lower)) -Inf else lower, p)
  hi <- rep_len(if (is.null(upper)) Inf else upper, p)
  beta <- t(as.matrix(fit$beta))
  near <- function(b, lim) abs(b - lim) <= 1e-12 * abs(lim) & lim != 0 & is.finite(lim)
  at_limit <- sweep(beta, 2, lo, near) | sweep(beta, 2, hi, near)
  fit_args$lower.limits <- NULL
  fit_args$upper.limits <- NULL
  fit_args$lambda <- fit$lambda
  free <- t(as.matrix(do.call(glmnet, fit_args)$beta))
  outside <- sweep(free, 2, lo, "<") | sweep(free, 2, hi, ">")
  cat(sprintf("%34s at a nonzero limit: %d pairs (%d columns); outside without limits: %d pairs\n",
              "", sum(at_limit), sum(colSums(at_limit) > 0), sum(outside)))
}

# ---- the cases -----------------------------------------------------------------------

set.seed(20240601)
x <- simulate_x(100, 10, rho = 0.3)
write_case("gaussian_lasso", x, gaussian_y(x, true_beta(10)),
           description = "gaussian lasso, glmnet's default 100-lambda grid and early stop")

set.seed(20240602)
x <- simulate_x(80, 20, rho = 0.5)
write_case("gaussian_enet", x, gaussian_y(x, true_beta(20)), alpha = 0.5,
           description = "gaussian elastic net, alpha = 0.5, correlated features")

set.seed(20240603)
x <- simulate_x(60, 15, rho = 0.2)
write_case("gaussian_ridge", x, gaussian_y(x, true_beta(15)), alpha = 0,
           description = "gaussian ridge, alpha = 0 (lambda_max with the 1e-3 floor)")

set.seed(20240604)
x <- simulate_x(200, 10, rho = 0.3)
write_case("binomial_lasso", x, binomial_y(x, true_beta(10)), family = "binomial",
           description = "binomial lasso, default grid")

set.seed(20240605)
x <- simulate_x(150, 20, rho = 0.5)
write_case("binomial_enet", x, binomial_y(x, true_beta(20)), family = "binomial",
           alpha = 0.5, description = "binomial elastic net, alpha = 0.5")

set.seed(20240606)
x <- simulate_x(100, 8, rho = 0)
write_case("binomial_ridge", x, binomial_y(x, true_beta(8)), family = "binomial",
           alpha = 0, description = "binomial ridge, alpha = 0")

set.seed(20240607)
x <- simulate_x(100, 10, rho = 0.3)
w <- runif(100, 0.2, 3)
write_case("gaussian_weights", x, gaussian_y(x, true_beta(10)), weights = w,
           description = "gaussian lasso with observation weights (not summing to n)")

set.seed(20240608)
x <- simulate_x(150, 10, rho = 0.3)
w <- runif(150, 0.2, 3)
write_case("binomial_weights", x, binomial_y(x, true_beta(10)), family = "binomial",
           weights = w, description = "binomial lasso with observation weights")

set.seed(20240609)
x <- simulate_x(100, 12, rho = 0.4)
pf <- c(0, 0.5, 1, 2, 1, 0, 3, 1, 1, 0.25, 1, 2)
write_case("gaussian_penalty_factor", x, gaussian_y(x, true_beta(12)),
           penalty_factor = pf,
           description = "gaussian lasso, penalty factors with zeros and non-uniform values")

set.seed(20240610)
x <- simulate_x(150, 12, rho = 0.4)
pf <- c(1, 0, 2, 0.5, 1, 1, 0, 1, 3, 1, 1, 1)
write_case("binomial_penalty_factor", x, binomial_y(x, true_beta(12)),
           family = "binomial", alpha = 0.8, penalty_factor = pf,
           description = "binomial elastic net (alpha 0.8), penalty factors with zeros")

set.seed(20240611)
x <- simulate_x(30, 40, rho = 0.3)
write_case("gaussian_p_gt_n", x, gaussian_y(x, true_beta(40)),
           description = "gaussian lasso with p > n (lambda_min_ratio defaults to 1e-2)")

set.seed(20240612)
x <- simulate_x(40, 40 - 5, rho = 0.2)
x <- cbind(x, simulate_x(40, 5, rho = 0))
write_case("binomial_p_gt_n", x[, 1:40], binomial_y(x[, 1:40], true_beta(40)),
           family = "binomial", alpha = 0.9,
           description = "binomial elastic net (alpha 0.9) with p = n = 40")

set.seed(20240613)
x <- simulate_x(80, 8, rho = 0.3)
y <- gaussian_y(x, true_beta(8))
x <- cbind(x[, 1:3], 2.5, x[, 4:8], x[, 2])  # column 4 constant, column 10 = column 2
write_case("gaussian_constant_duplicate", x, y, alpha = 1,
           duplicate_columns = list(c(2, 10)), constant_columns = 4,
           description = paste("gaussian lasso with a constant column (4) and a",
                               "duplicated column (10 = 2); the lasso split of a",
                               "duplicated pair is not unique"))

set.seed(20240614)
x <- simulate_x(120, 8, rho = 0.3)
y <- binomial_y(x, true_beta(8))
x <- cbind(x[, 1:3], -1, x[, 4:8], x[, 2])
write_case("binomial_constant_duplicate", x, y, family = "binomial", alpha = 0.5,
           duplicate_columns = list(c(2, 10)), constant_columns = 4,
           description = paste("binomial elastic net with a constant column (4) and a",
                               "duplicated column (10 = 2); alpha < 1 splits evenly"))

set.seed(20240615)
x <- simulate_x(100, 10, rho = 0.3) + 0.5
write_case("gaussian_no_intercept", x, gaussian_y(x, true_beta(10)), intercept = FALSE,
           description = "gaussian lasso, intercept = FALSE, columns with nonzero means")

set.seed(20240616)
x <- simulate_x(150, 10, rho = 0.3) + 0.3
write_case("binomial_no_intercept", x, binomial_y(x, true_beta(10)), family = "binomial",
           intercept = FALSE, description = "binomial lasso, intercept = FALSE")

set.seed(20240617)
x <- simulate_x(100, 10, rho = 0.3)
x <- sweep(x, 2, c(0.1, 1, 10, 0.5, 3, 1, 0.02, 5, 1, 2), "*")
write_case("gaussian_unstandardized", x, gaussian_y(x, true_beta(10) / c(0.1, 1, 10, 0.5, 3, 1, 0.02, 5, 1, 2)),
           alpha = 0.7, standardize = FALSE,
           description = "gaussian elastic net (alpha 0.7), standardize = FALSE, varied scales")

set.seed(20240618)
x <- simulate_x(150, 10, rho = 0.3)
x <- sweep(x, 2, c(0.5, 1, 4, 0.5, 2, 1, 0.2, 3, 1, 2), "*")
write_case("binomial_unstandardized", x, binomial_y(x, true_beta(10) / c(0.5, 1, 4, 0.5, 2, 1, 0.2, 3, 1, 2)),
           family = "binomial", standardize = FALSE,
           description = "binomial lasso, standardize = FALSE, varied scales")

set.seed(20240619)
x <- simulate_x(100, 10, rho = 0.3)
lam <- c(0.9, 0.5, 0.31, 0.2, 0.12, 0.05, 0.02, 0.011, 0.004, 0.001, 0.0002)
write_case("gaussian_user_lambda", x, gaussian_y(x, true_beta(10)), lambda = lam,
           description = "gaussian lasso on a user-given lambda vector, fitted in full")

set.seed(20240620)
x <- simulate_x(150, 10, rho = 0.3)
lam <- c(0.3, 0.15, 0.1, 0.06, 0.03, 0.01, 0.004, 0.001)
write_case("binomial_user_lambda", x, binomial_y(x, true_beta(10)), family = "binomial",
           lambda = lam, description = "binomial lasso on a user-given lambda vector")

set.seed(20240621)
x <- simulate_x(100, 6, rho = 0.2)
write_case("gaussian_early_stop_devmax", x, gaussian_y(x, true_beta(6), noise = 0.02),
           description = "gaussian lasso, nearly noiseless: the path stops at dev.ratio > 0.999")

set.seed(20240622)
x <- simulate_x(120, 15, rho = 0.5)
write_case("gaussian_lambda_min_ratio", x, gaussian_y(x, true_beta(15)), nlambda = 30,
           lambda_min_ratio = 0.05, alpha = 0.3,
           description = "gaussian elastic net (alpha 0.3), nlambda = 30, lambda.min.ratio = 0.05")

set.seed(20240623)
x <- simulate_x(60, 5, rho = 0)
y <- as.numeric(x[, 1] + 0.5 * x[, 2] > 0)  # perfectly separable
write_case("binomial_separable", x, y, family = "binomial",
           description = "binomial lasso on perfectly separable data (stops at dev.ratio > 0.999)")

# ---- offsets (a known part of the linear predictor, coefficient fixed at 1) ----------

set.seed(20261124)
x <- simulate_x(100, 10, rho = 0.3)
off <- 3 + 2 * rnorm(100)
write_case("gaussian_offset", x, gaussian_y(x, true_beta(10)) + off, offset = off,
           description = "gaussian lasso with an offset (glmnet fits y - offset)")

set.seed(20261125)
x <- simulate_x(150, 10, rho = 0.3)
off <- rnorm(150, 0.5, 1)
w <- runif(150, 0.2, 3)
write_case("binomial_offset", x, binomial_y(x, true_beta(10), off), family = "binomial",
           alpha = 0.5, weights = w, offset = off,
           description = "binomial elastic net (alpha 0.5) with an offset and weights")

set.seed(20261126)
x <- simulate_x(120, 8, rho = 0)
off <- rnorm(120, -0.5, 1.5)
write_case("binomial_offset_no_intercept", x, binomial_y(x, true_beta(8), off),
           family = "binomial", intercept = FALSE, offset = off,
           description = "binomial lasso with an offset and no intercept")

set.seed(20261127)
x <- simulate_x(150, 12, rho = 0.2)
off <- rnorm(150, 0, 1)
pf <- c(0, 1, 1, 2, 1, 0, 1, 1, 0.5, 1, 1, 1)
write_case("binomial_offset_penalty_factor", x, binomial_y(x, true_beta(12), off),
           family = "binomial", penalty_factor = pf, offset = off,
           description = "binomial lasso with an offset and unpenalized columns")

# ---- coefficient limits (lower.limits / upper.limits, original scale of x) -----------
# glmnet computes lambda_max without the limits, and when any limit is exactly 0 it
# sets fdev = 0 for the fit (no stop on the fractional deviance change).

set.seed(20261201)
x <- simulate_x(100, 10, rho = 0.3)
write_case("gaussian_limits_nonnegative", x, gaussian_y(x, true_beta(10)),
           lower_limits = 0,
           description = "gaussian lasso with lower.limits = 0 (non-negative lasso)")

set.seed(20261202)
x <- simulate_x(120, 12, rho = 0.5)
w <- runif(120, 0.2, 3)
lo <- c(-0.3, -Inf, -0.3, -Inf, -0.3, -Inf, -0.3, -Inf, -Inf, -Inf, -0.3, -Inf)
hi <- c(Inf, 0.2, Inf, 0.2, Inf, Inf, Inf, 0.2, Inf, 0.2, Inf, Inf)
write_case("gaussian_limits_enet", x, gaussian_y(x, true_beta(12), noise = 0.7),
           alpha = 0.5, weights = w, lower_limits = lo, upper_limits = hi,
           description = "gaussian elastic net (alpha 0.5), weights, per-column limits")

set.seed(20261203)
x <- simulate_x(200, 10, rho = 0.3)
write_case("binomial_limits_nonnegative", x, binomial_y(x, true_beta(10)),
           family = "binomial", lower_limits = 0,
           description = "binomial lasso with lower.limits = 0")

set.seed(20261204)
x <- simulate_x(180, 12, rho = 0.4)
w <- runif(180, 0.2, 3)
pf <- c(0, 1, 1, 2, 1, 0, 1, 1, 0.5, 1, 1, 1)
hi <- c(Inf, 0.4, 0.5, 0.3, 0.4, Inf, 0.3, 0.5, 0.3, 0.5, Inf, 0.5)
write_case("binomial_limits_enet", x, binomial_y(x, 2 * true_beta(12)),
           family = "binomial", alpha = 0.5, weights = w, penalty_factor = pf,
           upper_limits = hi,
           description = "binomial elastic net (alpha 0.5), weights, penalty factors (0 on two free columns), upper limits")

set.seed(20261205)
x <- simulate_x(150, 8, rho = 0)
write_case("binomial_limits_no_intercept", x, binomial_y(x, 1.5 * true_beta(8)),
           family = "binomial", intercept = FALSE, lower_limits = -0.6, upper_limits = 0.7,
           description = "binomial lasso without intercept, scalar limits -0.6 and 0.7")

set.seed(20261206)
x <- simulate_x(50, 120, rho = 0.3)
lo <- rep(-0.4, 120)
lo[seq(2, 120, by = 4)] <- -Inf
write_case("gaussian_limits_p_gt_n", x, gaussian_y(x, true_beta(120, 12)),
           lower_limits = lo, upper_limits = 0.6,
           description = "gaussian lasso, p > n, lower.limits -0.4 (free on every 4th column), upper.limits 0.6")

# ---- grouped binomial data (glmnet's two-column y of counts) --------------------------

grouped_counts <- function(x, beta, trials) {
  eta <- drop(x %*% beta) - 0.3
  s <- rbinom(nrow(x), trials, 1 / (1 + exp(-eta)))
  cbind(s, trials - s)
}

set.seed(20261207)
x <- simulate_x(60, 8, rho = 0.3)
trials <- sample(1:25, 60, replace = TRUE)
trials[c(7, 41)] <- 0  # groups without trials: glmnet drops them
write_case("binomial_grouped", x, NULL, family = "binomial",
           counts = grouped_counts(x, 0.5 * true_beta(8), trials),
           description = "binomial lasso on grouped counts cbind(successes, failures), two groups without trials")

set.seed(20261208)
x <- simulate_x(80, 10, rho = 0.4)
trials <- sample(c(1, 2, 5, 10, 40), 80, replace = TRUE)
w <- runif(80, 0.2, 3)
write_case("binomial_grouped_weights_enet", x, NULL, family = "binomial", alpha = 0.5,
           weights = w, counts = grouped_counts(x, true_beta(10), trials),
           description = "binomial elastic net (alpha 0.5) on grouped counts with weights (glmnet multiplies the counts by them)")
