#!/bin/sh
# check-banned.sh - fails when src/ uses a banned unsafe function (as git's banned.h).
set -eu
root="${1:-src}"
pat='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atoll|gets|strncpy|strncat)[[:space:]]*\('
if grep -rnE "$pat" "$root" --include='*.c' --include='*.h'; then
	echo "banned function used (use snprintf, strtol, ts_buf, ...)" >&2
	exit 1
fi
echo "1 passed, 0 failed"
