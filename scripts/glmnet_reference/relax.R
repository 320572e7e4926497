# Reference relaxed-lasso and adaptive-lasso results from R glmnet for
# tests/selection/test_relax_glmnet.py and tests/test_adaptive_api.py.
#
# Relaxed lasso (glmnet_relax_<family>.json): glmnet(relax = TRUE) on a simulated
# problem, with a convergence threshold tight enough that the lasso path and the
# unpenalized refits (relax.glmnet refits each active set with lambda = 0) are the
# optima to double precision. Stored: the lasso path (lambda, a0, beta), the refits
# (relaxed_a0, relaxed_beta), coef(fit, s = lambda, gamma = g) for g = 0, 0.25, 0.5,
# 0.75 (blend.relaxed evaluates gamma = 0 at its floor 1e-5, as penstat does), and
# cv.glmnet(relax = TRUE) on that fit's lambdas with a fixed foldid: the CV curve per
# gamma and lambda.min / lambda.1se / gamma.min / gamma.1se; and the same with
# cv.glmnet's default grids (no lambda: every fold on its own grid, predicted at the
# full data's lambdas; the *_grid fields, penstat's cv_grid="glmnet").
#
# glmnet_relax_gaussian_p_gt_n.json: 20 rows, 25 columns, 5 folds, so that large
# active sets are not refitted.
#
# Adaptive lasso (glmnet_adaptive_<family>.json): penalty.factor = 1 / |b| from
# lm() / glm(binomial) on all columns, then the glmnet path with that penalty.factor.
#
# Run through scripts/make_glmnet_reference.sh, or directly:
#   Rscript scripts/glmnet_reference/relax.R [output directory]

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(script), "_common.R"))

true_beta <- function(p, k = min(p, 5)) {
  b <- numeric(p)
  j <- seq_len(k)
  b[j] <- (-1)^j * exp(-3 * (j - 1) / 10)
  b
}
make_y <- function(x, family) {
  eta <- drop(x %*% true_beta(ncol(x)))
  if (family == "gaussian") return(eta + 0.5 + 1.5 * rnorm(nrow(x)))
  as.numeric(runif(nrow(x)) < 1 / (1 + exp(-(eta - 0.3))))
}

relax_case <- function(family, n, p, measure, nfolds = 10, name = family) {
  x <- simulate_x(n, p, rho = 0.3)
  y <- make_y(x, family)
  foldid <- sample(rep(seq_len(nfolds), length.out = n))
  # do.call puts the values in the call, which relax.glmnet re-evaluates (update())
  fit <- do.call(glmnet, list(x = x, y = y, family = family, relax = TRUE,
                              thresh = THRESH, maxit = MAXIT))
  gammas <- c(0, 0.25, 0.5, 0.75, 1)
  cv <- do.call(cv.glmnet, list(x = x, y = y, family = family, relax = TRUE,
                                lambda = fit$lambda, foldid = foldid,
                                type.measure = measure, gamma = gammas,
                                thresh = THRESH, maxit = MAXIT))
  blended <- sapply(c(0, 0.25, 0.5, 0.75), function(g) {
    b <- as.matrix(coef(fit, s = fit$lambda, gamma = g))
    t(b)  # nlam x (1 + p): intercept then coefficients
  }, simplify = FALSE)
  # cv.glmnet's default: every fold on its own grid, predicted at fit$lambda
  cvg <- do.call(cv.glmnet, list(x = x, y = y, family = family, relax = TRUE,
                                 foldid = foldid, type.measure = measure, gamma = gammas,
                                 thresh = THRESH, maxit = MAXIT))
  stg <- cvg$relaxed$statlist
  idxg <- cvg$relaxed$index
  st <- cv$relaxed$statlist
  idx <- cv$relaxed$index
  fields <- c(
    family = str(family),
    glmnet_version = str(as.character(packageVersion("glmnet"))),
    measure = str(measure),
    n = num(n), p = num(p),
    X = mat(x), y = vec(y), foldid = vec(foldid - 1),
    lambda = vec(fit$lambda), a0 = vec(fit$a0), beta = mat(t(as.matrix(fit$beta))),
    # the refits of the lambdas whose active set has at most n - 3 columns (maxp)
    relaxed_lambda = vec(fit$relaxed$lambda),
    relaxed_a0 = vec(fit$relaxed$a0), relaxed_beta = mat(t(as.matrix(fit$relaxed$beta))),
    blend_0 = mat(blended[[1]]), blend_0.25 = mat(blended[[2]]),
    blend_0.5 = mat(blended[[3]]), blend_0.75 = mat(blended[[4]]),
    gammas = vec(gammas),
    cvm = mat(t(sapply(st, function(s) s$cvm))),
    cvsd = mat(t(sapply(st, function(s) s$cvsd))),
    lambda_min = num(cv$relaxed$lambda.min), lambda_1se = num(cv$relaxed$lambda.1se),
    gamma_min = num(cv$relaxed$gamma.min), gamma_1se = num(cv$relaxed$gamma.1se),
    index_min = num(idx["min", "Lambda"] - 1), index_1se = num(idx["1se", "Lambda"] - 1),
    cvm_grid = mat(t(sapply(stg, function(s) s$cvm))),
    cvsd_grid = mat(t(sapply(stg, function(s) s$cvsd))),
    gamma_min_grid = num(cvg$relaxed$gamma.min), gamma_1se_grid = num(cvg$relaxed$gamma.1se),
    index_min_grid = num(idxg["min", "Lambda"] - 1),
    index_1se_grid = num(idxg["1se", "Lambda"] - 1)
  )
  write_json(fields, paste0("glmnet_relax_", name, ".json"))
  cat(sprintf("relax %-9s nlambda=%3d lambda.min=%.6g gamma.min=%g lambda.1se=%.6g gamma.1se=%g\n",
              family, length(fit$lambda), cv$relaxed$lambda.min, cv$relaxed$gamma.min,
              cv$relaxed$lambda.1se, cv$relaxed$gamma.1se))
}

adaptive_case <- function(family, n, p) {
  x <- simulate_x(n, p, rho = 0.3)
  y <- make_y(x, family)
  init <- if (family == "gaussian") coef(lm(y ~ x)) else coef(glm(y ~ x, family = binomial))
  pf <- 1 / abs(init[-1])
  fit <- glmnet(x, y, family = family, penalty.factor = pf, thresh = THRESH, maxit = MAXIT)
  fields <- c(
    family = str(family),
    glmnet_version = str(as.character(packageVersion("glmnet"))),
    n = num(n), p = num(p), X = mat(x), y = vec(y),
    init_coef = vec(init), penalty_factor = vec(pf),
    lambda = vec(fit$lambda), a0 = vec(fit$a0), beta = mat(t(as.matrix(fit$beta)))
  )
  write_json(fields, paste0("glmnet_adaptive_", family, ".json"))
  cat(sprintf("adaptive %-9s nlambda=%3d\n", family, length(fit$lambda)))
}

set.seed(20261207)
relax_case("gaussian", 100, 10, "mse")
set.seed(20261208)
relax_case("binomial", 200, 8, "deviance")
# p > n: the active sets of more than n - 3 columns are not refitted (relax.glmnet's
# maxp); blend.relaxed uses the last refit for them
set.seed(20261211)
relax_case("gaussian", 20, 25, "mse", nfolds = 5, name = "gaussian_p_gt_n")
set.seed(20261209)
adaptive_case("gaussian", 120, 8)
set.seed(20261210)
adaptive_case("binomial", 300, 6)
