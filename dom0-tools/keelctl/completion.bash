# bash completion for keelctl: commands, options, domain names and .cfg files.
# shellcheck shell=bash
#
# Installed in dom0 as /usr/share/bash-completion/completions/keelctl (and read by dom0's
# /etc/bash.bashrc). Needs nothing of the bash-completion package. What it offers comes from
# keelctl itself, so a new command completes without a change here:
#   - commands: the list `keelctl help` prints;
#   - options: the -X and --word tokens of the command's usage line (`keelctl help CMD`);
#   - arguments, by the usage line's words: NAME takes one domain name (the names
#     `keelctl list` prints), NAME... any number, FILE.cfg a .cfg file or a directory.
#     An option the usage line shows with a value (`-t SECS`) takes the next word as its value.

# _keelctl_usage KEELCTL CMD: the usage line of CMD, without "usage: keelctl CMD".
_keelctl_usage() {
	local line
	line=$("$1" help "$2" 2>/dev/null | head -n 1)
	line=${line#usage: keelctl }
	[[ $line == "$2"* ]] && echo "${line#"$2"}"
}

# _keelctl_reply COMPGEN-ARGS...: COMPREPLY from compgen, one word a line. (No process
# substitution: dom0's /dev has no /dev/fd.)
_keelctl_reply() {
	local IFS=$'\n'
	# shellcheck disable=SC2207
	COMPREPLY=($(compgen "$@"))
}

_keelctl() {
	local prog=${1:-keelctl} cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]:-}
	local usage word i pos=0 want='' valued=' '
	COMPREPLY=()

	if ((COMP_CWORD == 1)) || [[ $cmd == help && $COMP_CWORD == 2 ]]; then
		_keelctl_reply -W "$("$prog" help 2>/dev/null | awk '/^  [a-z]/ { print $1 }')" \
			-- "$cur"
		return 0
	fi
	[[ $cmd == help ]] && return 0
	usage=$(_keelctl_usage "$prog" "$cmd") || return 0

	if [[ $cur == -* ]]; then
		_keelctl_reply -W "$(grep -o -E -- '(^|[[ |(])--?[A-Za-z0-9][A-Za-z0-9-]*' \
			<<<"$usage" | tr -d '[ |(')" -- "$cur"
		return 0
	fi
	# Options that take a value: "-t SECS" in the usage line.
	for word in $(grep -o -E -- '-[A-Za-z] [A-Z]+' <<<"$usage" | cut -d' ' -f1); do
		valued+="$word "
	done
	# Which positional argument is being completed?
	for ((i = 2; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		if [[ $word == -* ]]; then
			[[ $valued == *" $word "* ]] && ((i++))
			continue
		fi
		((pos++))
	done
	[[ $valued == *" ${COMP_WORDS[COMP_CWORD - 1]} "* ]] && return 0
	# The usage line's positional words, options and their values left out.
	local -a args
	read -ra args <<<"$(sed -E -e 's/\[[^]]*\]//g' -e 's/\([^)]*\|[^)]*\)/NAME.../g' \
		<<<"$usage")"
	if ((pos < ${#args[@]})); then
		want=${args[pos]}
	elif ((${#args[@]})) && [[ ${args[-1]} == *... ]]; then
		want=${args[-1]}
	fi
	case $want in
	NAME | NAME...)
		_keelctl_reply -W "$("$prog" list 2>/dev/null | awk 'NR > 1 { print $1 }')" -- "$cur"
		;;
	FILE*)
		compopt -o filenames 2>/dev/null
		_keelctl_reply -f -X '!*.cfg' -- "$cur"
		local IFS=$'\n'
		# shellcheck disable=SC2207
		COMPREPLY+=($(compgen -d -- "$cur"))
		;;
	esac
	return 0
}
complete -F _keelctl keelctl
