# SPDX-License-Identifier: GPL-2.0-only
# bash completion for perfanity: subcommands, their options, and the files they take.
# Subcommands and options are read from `perfanity --help` and `perfanity CMD --help`
# (cached per shell), so this file never lists an option the binary does not have.

_perfanity_help_words() # CMD ('' for the top level): options, or subcommands with 'commands'
{
	local key="_perfanity_cache_${1:-top}_${2:-opts}" words
	if [ -z "${!key+x}" ]; then
		if [ "$2" = commands ]; then
			words=$("$_perfanity_bin" --help 2>/dev/null |
				sed -n '/^Commands:/,/^$/{s/^  \([a-z][a-z-]*\)  .*/\1/p}')
		else
			words=$("$_perfanity_bin" $1 --help 2>/dev/null |
				grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u)
		fi
		printf -v "$key" '%s' "$words"
	fi
	printf '%s\n' "${!key}"
}

# Files with these names or endings, and directories (to descend into).
_perfanity_files() # CUR PATTERN...
{
	local cur=$1 f p
	shift
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		if [ -d "$f" ]; then
			COMPREPLY+=("$f")
			continue
		fi
		for p in "$@"; do
			[[ $f == $p ]] && { COMPREPLY+=("$f"); break; }
		done
	done < <(compgen -f -- "$cur")
}

_perfanity()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd="" i
	_perfanity_bin=${COMP_WORDS[0]}
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--) # the traced command and its arguments
			if [ "$cmd" = trace ] && declare -F _command_offset >/dev/null; then
				_command_offset $((i + 1))
			elif [ "$cmd" = trace ]; then
				COMPREPLY=($(compgen -c -- "$cur"))
			fi
			return 0 ;;
		-*) ;;
		*) [ -z "$cmd" ] && cmd=${COMP_WORDS[i]} ;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$(_perfanity_help_words '' commands) --help --version" -- "$cur"))
		return 0
	fi
	case $cmd:$prev in
	trace:-o|trace:--output|trace:--perfetto|trace:--flame|trace:--folded-time|trace:--folded|report:-H|report:--html|\
	bench:--json|bench:--csv|bench:--markdown)
		compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	trace:-p|trace:--pid)
		COMPREPLY=($(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur")); return 0 ;;
	trace:--container)
		COMPREPLY=($(compgen -W "$(docker ps -a --format '{{.Names}}' 2>/dev/null)" -- "$cur")); return 0 ;;
	trace:--cgroup)
		compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
	trace:--backend)
		COMPREPLY=($(compgen -W "auto bpf seccomp" -- "$cur")); return 0 ;;
	trace:-u|trace:--user)
		COMPREPLY=($(compgen -u -- "$cur")); return 0 ;;
	trace:--top|trace:--run-min-us|bench:-r|bench:--repetitions|bench:-w|bench:--warmup|bench:--timeout|\
	bench:--deps|bench:--dep-size|bench:--sweep|bench:--config|bench:--entry-point|report:-l|report:--label)
		return 0 ;; # a value of the user's
	recommend:-p|recommend:--prefer)
		COMPREPLY=($(compgen -W "package run test noop.run clean.package artifact_size pex_root_size" -- "$cur")); return 0 ;;
	bench:--workdir|recommend:-o|recommend:--out)
		compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
	bench:--pex|bench:--python|recommend:--pex)
		compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -c -- "$cur")); return 0 ;;
	bench:--step)
		COMPREPLY=($(compgen -W "clean noop incremental" -- "$cur")); return 0 ;;
	bench:--goal)
		COMPREPLY=($(compgen -W "package run test" -- "$cur")); return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_perfanity_help_words "$cmd")" -- "$cur"))
		return 0
	fi
	case $cmd in
	report|recommend) _perfanity_files "$cur" '*.json' ;;
	bench) # a matrix: perfanity.toml, a pyproject.toml with [tool.perfanity], or a directory
		if [[ " ${COMP_WORDS[*]} " == *" --compare "* ]]; then
			_perfanity_files "$cur" '*.json'
		else
			_perfanity_files "$cur" 'perfanity.toml' '*/perfanity.toml' '*.toml'
		fi ;;
	esac
	return 0
}
complete -F _perfanity perfanity
