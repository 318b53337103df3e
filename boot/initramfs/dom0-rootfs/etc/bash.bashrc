# bash's start-up file in keel's dom0 (interactive shells): the prompt, keelctl's completion.
[ -z "$PS1" ] && return
PS1='\w \$ '
# No bracketed-paste escapes on keel's serial console.
bind 'set enable-bracketed-paste off' 2>/dev/null
for f in /usr/share/bash-completion/completions/*; do
	[ -r "$f" ] && . "$f"
done
unset f
