#!/usr/bin/env bash
# The README a newcomer reads first (issue 18 item 8): its first screen
# (30 lines) says what iomap-check is and gives the two commands, `make
# demo` and `make check`; it stays under 400 lines; every relative link of
# the README and of docs/*.md names a file that exists, and every "#anchor"
# a heading of the file it points into. KTAP on stdout.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
n=0
. "$top/tests/host/ktap_lib.sh"

echo "KTAP version 1"
echo "1..3"

head -n 30 README.md >/tmp/iomc-readme-head.$$
why=
grep -q '^make demo' /tmp/iomc-readme-head.$$ || why="$why [no 'make demo' line]"
grep -q '^make check' /tmp/iomc-readme-head.$$ || why="$why [no 'make check' line]"
grep -qi 'io_mapping' /tmp/iomc-readme-head.$$ || why="$why [does not say it is about io_mapping]"
rm -f /tmp/iomc-readme-head.$$
[ -z "$why" ] && res ok "readme_first_screen_what_and_two_commands" ||
	res fail "readme_first_screen_what_and_two_commands" "first 30 lines:$why"

lines=$(wc -l <README.md)
[ "$lines" -lt 400 ] && res ok "readme_under_400_lines ($lines)" ||
	res fail "readme_under_400_lines" "$lines lines"

# anchors FILE: the GitHub anchor of each heading of a markdown file
anchors() {
	sed -n 's/^#\{1,6\} \{1,\}//p' "$1" | tr 'A-Z' 'a-z' |
		sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}
bad=
nlinks=0
for f in README.md docs/*.md; do
	# [text](target) with a relative target: no scheme, no mail
	while IFS= read -r t; do
		nlinks=$((nlinks + 1))
		path=${t%%#*} frag=
		case $t in *'#'*) frag=${t#*#} ;; esac
		if [ -n "$path" ]; then
			target=$(dirname "$f")/$path
			[ -e "$target" ] || { bad="$bad [$f: $t: no such file]"; continue; }
		else
			target=$f
		fi
		if [ -n "$frag" ] && [ -f "$target" ] && [ "${target##*.}" = md ] &&
			! anchors "$target" | grep -qx -- "$frag"; then
			bad="$bad [$f: $t: no heading '#$frag' in $target]"
		fi
	done < <(grep -o '\](\([^)]*\))' "$f" | sed 's/^](//; s/)$//' |
		grep -v '^[a-z]*:' | sed 's/ .*//')
done
[ -z "$bad" ] && [ "$nlinks" -gt 0 ] && res ok "readme_and_docs_links_resolve ($nlinks links)" ||
	res fail "readme_and_docs_links_resolve" "${bad:- no link found}"
