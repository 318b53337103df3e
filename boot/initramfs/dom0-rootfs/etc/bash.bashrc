# bash's start-up file in keel's dom0 (interactive shells): the prompt, keelctl's completion.
[ -z "$PS1" ] && return
PS1='\w \$ '
for f in /usr/share/bash-completion/completions/*; do
	[ -r "$f" ] && . "$f"
done
unset f
