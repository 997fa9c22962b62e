#!/usr/bin/env bash
# The Module.symvers lines of a built module, read from the module itself
# (`iomap-check build-driver` uses it on the installed iomap_check.ko).
# With CONFIG_MODVERSIONS each exported SYM has a local symbol __crc_SYM
# whose value is the offset of SYM's CRC (u32) in __kcrctab (EXPORT_SYMBOL)
# or __kcrctab_gpl (EXPORT_SYMBOL_GPL). Exits 1 when the module has none
# (no MODVERSIONS: the caller builds the symbols from source instead).
# Symbol namespaces are not read (iomap_check exports none).
# tests/host/symvers.sh proves the output equals modpost's.
set -euo pipefail
ko=${1:?usage: symvers-from-ko.sh MODULE.ko[.xz|.zst|.gz] > Module.symvers}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $ko in
*.xz) xz -dc "$ko" >"$tmp/m.ko" ;;
*.zst) zstd -qdc "$ko" >"$tmp/m.ko" ;;
*.gz) gzip -dc "$ko" >"$tmp/m.ko" ;;
*) cp "$ko" "$tmp/m.ko" ;;
esac || exit 1
readelf -SW "$tmp/m.ko" | sed -n 's/^ *\[ *\([0-9]*\)\] */\1 /p' >"$tmp/sections"
readelf -sW "$tmp/m.ko" >"$tmp/symbols"
awk -v mod="${ko%%.ko*}" -v ko="$tmp/m.ko" '
	function hex(s,  i, v) {	# mawk has no strtonum
		v = 0; s = tolower(s)
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	FNR == NR { name[$1] = $2; off[$1] = hex($5); next }
	$8 ~ /^__crc_/ && name[$7] ~ /^__kcrctab/ {
		sym = substr($8, 7)
		cmd = sprintf("od -An -tx4 -j %d -N4 %s", off[$7] + hex($2), ko)
		cmd | getline crc; close(cmd); gsub(/ /, "", crc)
		printf "0x%s\t%s\t%s\tEXPORT_SYMBOL%s\t\n", crc, sym, mod,
			name[$7] ~ /_gpl$/ ? "_GPL" : ""
		n++
	}
	END { exit n == 0 }' "$tmp/sections" "$tmp/symbols"
