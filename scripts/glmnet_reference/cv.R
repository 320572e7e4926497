# Reference cross-validation results from R glmnet for tests/selection/test_select_glmnet.py.
#
# Each case simulates a small problem with a fixed seed, fits glmnet on the full data,
# then runs cv.glmnet with that fit's lambda sequence and a fixed foldid, so that every
# fold is fitted at the full data's lambdas (as penstat does). The convergence
# threshold is tight enough that the fits are the optima to double precision. One JSON
# file tests/data/glmnet_cv_<case>.json per case holds the inputs (X, y, weights,
# foldid, options) and cv.glmnet's output (lambda, cvm, cvsd, nzero, lambda.min,
# lambda.1se).
#
# For the gaussian elastic net glmnet scales y to unit sd inside each fit, which
# divides the ridge part of its penalty by sd(y) of the fold; penstat.fit_path does
# the same, so the gaussian_enet case compares like with like.
#
# The last cases (glmnet_cvgrid_<case>.json) run cv.glmnet with its default grids
# instead; see the section at the end.
#
# Run through scripts/make_glmnet_reference.sh, or directly:
#   Rscript scripts/glmnet_reference/cv.R [output directory]

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(script), "_common.R"))
suppressMessages(library(MASS))

# ---- simulation --------------------------------------------------------------------

true_beta <- function(p, k = min(p, 6)) {
  b <- numeric(p)
  j <- seq_len(k)
  b[j] <- (-1)^j * exp(-2 * (j - 1) / 10)
  b
}

gaussian_y <- function(x) drop(x %*% true_beta(ncol(x))) + 0.5 + 1.5 * rnorm(nrow(x))

binomial_y <- function(x) {
  eta <- drop(x %*% true_beta(ncol(x))) - 0.4
  as.numeric(runif(nrow(x)) < 1 / (1 + exp(-eta)))
}

# ---- one case ----------------------------------------------------------------------

write_case <- function(name, x, y, family, measure, nfolds = 10, alpha = 1,
                       weights = NULL, counts = NULL, description = "") {
  n <- nrow(x)
  foldid <- sample(rep(seq_len(nfolds), length.out = n))
  w <- if (is.null(weights)) rep(1, n) else weights
  # grouped binomial data: counts = cbind(successes, failures); glmnet's two-column
  # y is (failures, successes). The file stores what glmnet fits: y the proportion
  # of successes, weights the trials times the weights given.
  y_fit <- if (is.null(counts)) y else counts[, c(2, 1)]
  if (!is.null(counts)) {
    y <- counts[, 1] / rowSums(counts)
    weights <- rowSums(counts) * w
  }
  fit <- glmnet(x, y_fit, family = family, alpha = alpha, weights = w, thresh = THRESH,
                maxit = MAXIT)
  cv <- withCallingHandlers(
    cv.glmnet(x, y_fit, family = family, alpha = alpha, weights = w, lambda = fit$lambda,
              foldid = foldid, type.measure = measure, thresh = THRESH, maxit = MAXIT),
    warning = function(wrn) {
      cat("  warning:", conditionMessage(wrn), "\n")
      invokeRestart("muffleWarning")
    }
  )
  grouped <- !(n / nfolds < 3)
  fields <- c(
    name = str(name),
    description = str(description),
    glmnet_version = str(as.character(packageVersion("glmnet"))),
    family = str(family),
    measure = str(measure),
    measure_name = str(unname(cv$name)),
    l1_ratio = num(alpha),
    grouped = if (grouped) "true" else "false",
    n = num(n),
    p = num(ncol(x)),
    X = mat(x),
    y = vec(y),
    weights = if (is.null(weights)) "null" else vec(weights),
    foldid = vec(foldid),
    lambda = vec(cv$lambda),
    cvm = vec(cv$cvm),
    cvsd = vec(cv$cvsd),
    nzero = vec(cv$nzero),
    lambda_min = num(cv$lambda.min),
    lambda_1se = num(cv$lambda.1se),
    index_min = num(cv$index[1] - 1),
    index_1se = num(cv$index[2] - 1)
  )
  # grouped cases only: the weights given with the counts (cv.lognet weighs the
  # folds of the AUC by their sum, without the trials)
  if (!is.null(counts)) fields <- c(fields, count_weights = vec(w))
  write_json(fields, paste0("glmnet_cv_", name, ".json"))
  cat(sprintf("%-28s n=%3d p=%2d nlambda=%3d lambda.min=%.6g lambda.1se=%.6g\n", name, n,
              ncol(x), length(cv$lambda), cv$lambda.min, cv$lambda.1se))
}

# ---- the cases -----------------------------------------------------------------------

set.seed(20240701)
x <- simulate_x(120, 12, rho = 0.3)
y <- gaussian_y(x)
write_case("gaussian_mse", x, y, "gaussian", "mse", description = "gaussian lasso, mse")
write_case("gaussian_mae", x, y, "gaussian", "mae", description = "gaussian lasso, mae")

set.seed(20240702)
x <- simulate_x(150, 10, rho = 0.3)
w <- runif(150, 0.2, 3)
write_case("gaussian_weights", x, gaussian_y(x), "gaussian", "mse", weights = w,
           description = "gaussian lasso, mse, observation weights")

set.seed(20240703)
x <- simulate_x(25, 8, rho = 0.3)
write_case("gaussian_ungrouped", x, gaussian_y(x), "gaussian", "mse",
           description = "gaussian lasso, 25 rows in 10 folds: grouped = FALSE enforced")

set.seed(20240704)
x <- simulate_x(200, 10, rho = 0.3)
y <- binomial_y(x)
write_case("binomial_deviance", x, y, "binomial", "deviance",
           description = "binomial lasso, deviance")
write_case("binomial_class", x, y, "binomial", "class",
           description = "binomial lasso, misclassification error")
write_case("binomial_auc", x, y, "binomial", "auc", description = "binomial lasso, AUC")

set.seed(20240705)
x <- simulate_x(180, 12, rho = 0.3)
y <- binomial_y(x)
w <- runif(180, 0.2, 3)
write_case("binomial_weights_deviance", x, y, "binomial", "deviance", weights = w,
           description = "binomial lasso, deviance, observation weights")
write_case("binomial_weights_auc", x, y, "binomial", "auc", weights = w,
           description = "binomial lasso, AUC, observation weights")

set.seed(20240706)
x <- simulate_x(160, 15, rho = 0.5)
write_case("binomial_enet", x, binomial_y(x), "binomial", "deviance", alpha = 0.5,
           description = "binomial elastic net (alpha 0.5), deviance")

set.seed(20240707)
x <- simulate_x(140, 12, rho = 0.5)
write_case("gaussian_enet", x, gaussian_y(x), "gaussian", "mse", alpha = 0.5,
           description = "gaussian elastic net (alpha 0.5), mse")

# ---- cv.glmnet's default grids (tests/selection/test_cv_grid.py) ------------------
#
# By default (no lambda= given) cv.glmnet fits the full data on glmnet's grid, fits
# every fold on the fold's own grid (its own lambda_max, and its own early stop), and
# predicts the held-out rows at the full data's lambdas by linear interpolation
# between the fold's lambdas (predict(..., s = lambda), alignment = "lambda"). The
# fold fits receive the user's lambda argument, which is NULL unless given: see
# glmnet:::cv.glmnet.raw. penstat's cv_grid="glmnet" reproduces this; its default,
# cv_grid="full", fits every fold at the full data's lambdas, which is what
# cv.glmnet(..., lambda = fit$lambda) does (the output stored here for comparison).
#
# Cases: MASS::Boston, medv ~ . (13 columns), gaussian elastic net (alpha 0.5), and a
# simulated binomial lasso. One JSON file tests/data/glmnet_cvgrid_<case>.json per
# case holds X, y, foldid and both cv.glmnet outputs (default grids: cvm, cvsd,
# lambda.min, lambda.1se; full-data lambdas: cvm_full, cvsd_full, ...).

# the curve and the choice of a cv.glmnet run, as JSON fields named with suffix
cv_fields <- function(cv, suffix = "") {
  fields <- c(cvm = vec(cv$cvm), cvsd = vec(cv$cvsd), lambda_min = num(cv$lambda.min),
              lambda_1se = num(cv$lambda.1se), index_min = num(cv$index[1] - 1),
              index_1se = num(cv$index[2] - 1))
  setNames(fields, paste0(names(fields), suffix))
}

write_grid_case <- function(name, x, y, family, measure, alpha, nfolds = 10,
                       description = "") {
  n <- nrow(x)
  foldid <- sample(rep(seq_len(nfolds), length.out = n))
  own <- cv.glmnet(x, y, family = family, alpha = alpha, foldid = foldid,
                   type.measure = measure, thresh = THRESH, maxit = MAXIT)
  full <- cv.glmnet(x, y, family = family, alpha = alpha, foldid = foldid,
                    lambda = own$glmnet.fit$lambda, type.measure = measure,
                    thresh = THRESH, maxit = MAXIT)
  rel <- abs(own$cvm - full$cvm) / abs(full$cvm)
  fields <- c(
    name = str(name),
    family = str(family),
    measure = str(measure),
    l1_ratio = num(alpha),
    description = str(description),
    glmnet_version = str(as.character(packageVersion("glmnet"))),
    n = num(n),
    p = num(ncol(x)),
    columns = paste0("[", paste(str(colnames(x)), collapse = ", "), "]"),
    X = mat(x),
    y = vec(y),
    foldid = vec(foldid),
    lambda = vec(own$lambda),
    cv_fields(own),
    cv_fields(full, "_full")
  )
  write_json(fields, paste0("glmnet_cvgrid_", name, ".json"))
  cat(sprintf(paste0("%-18s nlambda=%3d  max rel. cvm difference %.3g (at lambda %.4g)\n",
                     "  default grids: lambda.min=%.6g (index %d) lambda.1se=%.6g (index %d)\n",
                     "  full lambdas:  lambda.min=%.6g (index %d) lambda.1se=%.6g (index %d)\n"),
              name, length(own$lambda), max(rel), own$lambda[which.max(rel)],
              own$lambda.min, own$index[1], own$lambda.1se, own$index[2],
              full$lambda.min, full$index[1], full$lambda.1se, full$index[2]))
}

set.seed(20240710)
x <- as.matrix(Boston[, setdiff(names(Boston), "medv")])
write_grid_case("boston_enet", x, Boston$medv, "gaussian", "mse", alpha = 0.5,
           description = "MASS::Boston, medv ~ ., gaussian elastic net (alpha 0.5), mse")

set.seed(20240711)
n <- 200
p <- 10
x <- matrix(rnorm(n * p), n, p)
colnames(x) <- paste0("x", seq_len(p))
eta <- drop(x[, 1:4] %*% c(1, -1, 0.5, -0.5)) - 0.3
y <- as.numeric(runif(n) < 1 / (1 + exp(-eta)))
write_grid_case("binomial_lasso", x, y, "binomial", "deviance", alpha = 1,
           description = "simulated binomial lasso (n 200, p 10), deviance")

# ---- grouped binomial data (two-column y of counts; cv.lognet on the counts) ----------

grouped_counts <- function(x) {
  trials <- sample(1:20, nrow(x), replace = TRUE)
  eta <- drop(x %*% (0.5 * true_beta(ncol(x)))) - 0.3
  s <- rbinom(nrow(x), trials, 1 / (1 + exp(-eta)))
  cbind(s, trials - s)
}

set.seed(20261209)
x <- simulate_x(120, 10, rho = 0.3)
counts <- grouped_counts(x)
w <- runif(120, 0.5, 2)
# the AUC case with weights (cv.lognet weighs its folds without the trials)
for (measure in c("deviance", "class", "auc", "mse")) {
  weighted <- measure == "auc"
  write_case(paste0("binomial_grouped_", measure), x, NULL, "binomial", measure,
             counts = counts, weights = if (weighted) w else NULL,
             description = paste0("binomial lasso on grouped counts",
                                  if (weighted) " with weights" else "", ", ", measure))
}
