# Reads each result's CSV with read.csv (f, row.names = 1) and compares it,
# bit for bit, with the .npy values that check-readback.py wrote beside it
# as hexadecimal floats (NAME.hex), and its row and column names with the
# labels in NAME.labels (column names through make.names, as read.csv
# checks them).
# Usage: Rscript check-readback.R DIR NAME...
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
failures <- 0

bits <- function(x) sprintf("%a", as.vector(x))

labels <- function(path) {
  # A small JSON object of two string arrays, without a JSON package.
  text <- paste(readLines(path, warn = FALSE), collapse = "")
  part <- function(key) {
    m <- regmatches(text, regexpr(paste0('"', key, '": \\[[^]]*\\]'), text))
    items <- regmatches(m, gregexpr('"([^"\\\\]|\\\\.)*"', m))[[1]][-1]
    gsub('^"|"$', "", items)
  }
  list(index = part("index"), columns = part("columns"))
}

for (name in args[-1]) {
  table <- read.csv(file.path(dir, paste0(name, ".csv")), row.names = 1)
  ref <- as.matrix(read.csv(file.path(dir, paste0(name, ".hex")), header = FALSE,
                            colClasses = "character"))
  ref <- matrix(as.numeric(ref), nrow = nrow(ref))
  ok <- identical(dim(table), dim(ref)) && all(sapply(table, is.double)) &&
        identical(bits(t(as.matrix(table))), bits(t(ref)))
  if (name == "loss") {
    ok <- ok && identical(rownames(table), as.character(seq_len(nrow(ref)) - 1))
  } else {
    want <- labels(file.path(dir, paste0(name, ".labels")))
    ok <- ok && identical(rownames(table), want$index) &&
          identical(colnames(table), make.names(want$columns))
  }
  cat(if (ok) "ok" else "FAIL", ": R reads ", name, ".csv as ", name, ".npy\n", sep = "")
  if (!ok) failures <- failures + 1
}
# Numbers alone, without labels, that R's reading rounds wrongly unless
# they are written with care.
hard <- read.csv(file.path(dir, "hard.csv"), header = FALSE)[[1]]
ref <- as.numeric(readLines(file.path(dir, "hard.hex")))
ok <- identical(bits(hard), bits(ref))
cat(if (ok) "ok" else "FAIL", ": R reads the numbers its long double rounds twice\n", sep = "")
if (!ok) failures <- failures + 1
quit(status = if (failures > 0) 1 else 0)
