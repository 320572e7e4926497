# R's poly(), ns() and scale() on fixed data, for the formula functions of
# penstat/design/transforms.py. Writes tests/data/r_formula_transforms.json:
# the training values, and poly's values for new data through predict().
#
# Needs base R only (the splines package ships with R).
# Usage: Rscript scripts/formula_reference/transforms.R [output directory]
library(splines)
args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "tests/data"

num <- function(v) paste0("[", paste(sprintf("%.17g", v), collapse = ", "), "]")
cols <- function(m) paste0("[", paste(apply(m, 2, num), collapse = ", "), "]")

x <- c(0.3, 1.7, 2.2, 2.9, 3.1, 4.8, 5.5, 6.0, 7.4, 8.8, 9.1, 10.6, 12.0, 13.3, 15.9)
new_x <- c(-1.0, 0.3, 4.0, 11.25, 18.0)
p3 <- poly(x, 3)
p3_new <- predict(p3, new_x)
n4 <- ns(x, df = 4)
s <- scale(x)

json <- paste0(
  "{\n",
  '  "r_version": "', R.version.string, '",\n',
  '  "x": ', num(x), ",\n",
  '  "new_x": ', num(new_x), ",\n",
  '  "poly3": ', cols(unclass(p3)[, 1:3]), ",\n",
  '  "poly3_new": ', cols(p3_new), ",\n",
  '  "poly1": ', cols(unclass(poly(x, 1))[, 1, drop = FALSE]), ",\n",
  '  "ns4": ', cols(unclass(n4)[, 1:4]), ",\n",
  '  "scale": ', num(as.vector(s)), "\n",
  "}\n"
)
target <- file.path(out_dir, "r_formula_transforms.json")
writeLines(json, target, sep = "")
cat("wrote", target, "\n")
