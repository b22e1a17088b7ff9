# bash completion for distance_matrix(1).
#
# The options and their values are read from `distance_matrix --help`, where
# CLI11 prints every option as "-e,--executor NAME:{sequential,...}": an option
# added to the tool completes, with its choices, without editing this file.
# Arguments named PATH complete file names; other arguments (N, KM, ...) have
# nothing to offer.

# Parsed help of the last program completed: lines "option<TAB>argument<TAB>choices".
_distance_matrix_program=
_distance_matrix_options=

_distance_matrix_read_help() {
  local program=$1 line spec names argument choices name
  [[ $program == "$_distance_matrix_program" && -n $_distance_matrix_options ]] && return
  _distance_matrix_program=$program
  _distance_matrix_options=
  while IFS= read -r line; do
    [[ $line =~ ^\ \ (-[^[:space:]]*)(\ ([A-Z]+)(:\{([^}]*)\})?)? ]] || continue
    spec=${BASH_REMATCH[1]} argument=${BASH_REMATCH[3]} choices=${BASH_REMATCH[5]}
    IFS=, read -ra names <<<"$spec"
    for name in "${names[@]}"; do
      _distance_matrix_options+="$name"$'\t'"$argument"$'\t'"${choices//,/ }"$'\n'
    done
  done < <("$program" --help 2>/dev/null)
}

_distance_matrix() {
  local current=${COMP_WORDS[COMP_CWORD]} previous=
  ((COMP_CWORD > 0)) && previous=${COMP_WORDS[COMP_CWORD - 1]}
  # "--executor=po" arrives as "--executor" "=" "po" (= is a word break).
  if [[ $current == = ]]; then
    current=
  elif [[ $previous == = ]] && ((COMP_CWORD > 1)); then
    previous=${COMP_WORDS[COMP_CWORD - 2]}
  fi
  COMPREPLY=()
  _distance_matrix_read_help "${COMP_WORDS[0]}"

  local name argument choices
  while IFS=$'\t' read -r name argument choices; do
    [[ $name == "$previous" && -n $argument ]] || continue
    if [[ -n $choices ]]; then
      mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$current")
    elif [[ $argument == PATH ]]; then
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$current")
    fi
    return
  done <<<"$_distance_matrix_options"

  if [[ $current == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(cut -f1 <<<"$_distance_matrix_options")" -- "$current")
  else
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$current")
  fi
}

complete -F _distance_matrix distance_matrix
