# flood_verdict OUT JSON: the verdict on a flood of distinct violations.
# OUT: what `checkd_flood -u -v` printed ("site 0x..." per violation injected,
# then "flood SECONDS OPS INJECTED CPUS"); JSON: the daemon's --json output,
# ending with its final summary (the daemon stopped after the flood). Every
# site injected must be reported exactly once, the kernel must count each
# violation, and no report may be lost. Prints nothing when all holds, else
# why not. Sets flood_n (violations injected): call it outside $(...).
# POSIX sh: host and busybox.
# Used by tests/host/checkd_burst.sh and the guest's daemon mode.
flood_verdict() {
	flood_n=$(sed -n 's/^flood [^ ]* [0-9]* \([0-9]*\) [0-9]*$/\1/p' "$1")
	sed -n 's/^site //p' "$1" | sort >"$1.want"
	sed -n 's/^{"rule":"unaligned_offset".*"site":"\(0x[0-9a-f]*\)".*/\1/p' "$2" | sort >"$1.got"
	_final=$(grep '^{"type":"summary".*"final":true' "$2" | tail -n 1)
	_lost=$(echo "$_final" | sed -n 's/.*"lost":{"reports":\([0-9]*\).*/\1/p')
	_count=$(echo "$_final" | sed -n 's/.*"unaligned_offset":{"count":\([0-9]*\),"sites":\([0-9]*\)}.*/\1 \2/p')
	_want=$(wc -l <"$1.want")
	_got=$(wc -l <"$1.got")
	if [ -z "$flood_n" ]; then
		echo "checkd_flood did not finish: $(tail -c 200 "$1" | tr '\n' ' ')"
	elif [ -z "$_final" ]; then
		echo "no final summary from the daemon"
	elif [ "$_lost" != 0 ]; then
		echo "${_lost:-?} of $flood_n reports lost (ring buffer full); $_got reported"
	elif [ "$_count" != "$flood_n $flood_n" ]; then
		echo "the summary counts '${_count:-none}' (violations sites), want $flood_n $flood_n"
	elif [ "$_want" != "$flood_n" ] || [ "$(uniq "$1.want" | wc -l)" != "$flood_n" ]; then
		echo "checkd_flood listed $_want sites for $flood_n violations, not all distinct"
	elif ! cmp -s "$1.want" "$1.got"; then
		echo "$_got reports for $flood_n sites: not each site reported once"
	fi
}
