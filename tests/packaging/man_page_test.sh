#!/bin/sh
# Issue 18.17: the man page renders the choice tables of -e and --layout and
# the --kernel line as text, not as option tags. Generates the page from the
# tool with packaging/make_man_page.sh, renders it with man -l, and checks
# the lines a reader sees.
# Usage: man_page_test.sh BINARY SOURCE_DIR
set -eu
binary=$1
source_dir=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sh "$source_dir/packaging/make_man_page.sh" "$binary" "$source_dir/packaging/man_sections.h2m" "$scratch/page.1"
MANWIDTH=120 man -l "$scratch/page.1" 2>/dev/null | sed 's/[[:space:]]*$//' > "$scratch/page.txt"
status=0
expect_line() {
  # A whole rendered line, as text of an option's description (14 spaces).
  if ! grep -qxF "              $1" "$scratch/page.txt"; then
    echo "missing line: '$1'"
    status=1
  fi
}
refuse_line() {
  if grep -qxF "$1" "$scratch/page.txt"; then
    echo "garbled line: '$1'"
    status=1
  fi
}
expect_line "sequential  one loop"
expect_line "threads     a new thread per task"
expect_line "mpi         the ranks of an MPI job (mpirun), --workers threads each"
expect_line "pairs      origin,destination,distance rows (CSV default; with --to, opt-in)"
expect_line "square     n x n table, zero diagonal (NPY default; CSV: a table with names)"
expect_line "condensed  SciPy's pdist vector (NPY only)"
refuse_line "       (CSV default)"
refuse_line "              --workers threads each"
if ! grep -qxF "       --kernel NAME:{simd,scalar}" "$scratch/page.txt"; then
  echo "the --kernel tag runs into its description"
  status=1
fi
[ $status -eq 0 ] || cat "$scratch/page.txt"
exit $status
