#!/bin/sh
# Generates the distance_matrix(1) man page with help2man from the tool's own
# --help and --version, so the page follows the options as they are added;
# sections --help does not carry (GUARANTEES, SEE ALSO) come from SECTIONS.
#
# Usage: make_man_page.sh BINARY SECTIONS.h2m OUTPUT.1
#        make_man_page.sh --filter BINARY --help|--version   (run by help2man)
set -eu

if [ "$1" = --filter ]; then
  # Adapts CLI11's help to the conventions help2man recognizes:
  #   "-o,--output"  -> "-o, --output"    both spellings typeset as options
  #   "Exit codes:"  -> "*Exit status*"   its own EXIT STATUS section
  #   "  command"    -> "  $ command"     examples typeset as commands
  program=$2
  shift 2
  #   "--kernel NAME:{simd,scalar} simd:" -> two spaces before the text,
  #                                   which help2man needs to end the tag
  # and joins the continuation lines of a choice table (-e, --layout: the
  # lines indented past the choice names) onto their choice, which help2man
  # would otherwise take for new option tags.
  "$program" "$@" | awk '
    match($0, /^ +[^ ]/) && RLENGTH > 40 && holding { sub(/^ +/, ""); held = held " " $0; next }
    { if (holding) print held; held = $0; holding = 1 }
    END { if (holding) print held }' | sed \
    -e 's/^\(  -.\{25\}[^ ]\) \([^ ]\)/\1  \2/' \
    -e 's/^\(  -[[:alnum:]]\),--/\1, --/' \
    -e 's/^Exit codes:$/*Exit status*/' \
    -e '/^Examples:$/,/^$/ s/^  \([^ ]\)/  $ \1/'
  exit
fi

binary=$1
sections=$2
output=$3
help2man --no-info --section 1 \
  --name "great-circle distances between every pair of locations in a CSV file" \
  --include "$sections" \
  "sh '$0' --filter '$binary'" > "$output.tmp"
# Examples stay one command per line (help2man would fill and justify them);
# so does each row of a choice table ("sequential  one loop": a name, two
# spaces, its meaning) in OPTIONS.
sed -e '/^\.SH EXAMPLES/,/^\.SH/ { s/^\.IP$/.nf/; /^\.br$/d; /^\\f(CW/ s/-/\\-/g; s/^\.SH \(.*\)/.fi\n&/; }' \
  -e '/^\.SH OPTIONS/,/^\.SH/ { /^[a-z][a-z0-9]*   *[^ ]/ s/^/.br\n/; }' \
  "$output.tmp" > "$output"
rm "$output.tmp"
