# Turn one guest boot into its verdict: the guest's own results (guest.log,
# from ttyS1) amended with the kernel splats attributed to each test
# (splats.tsv, from splats.awk over the console log) and the boot outcome.
#
# usage: awk -f compose.awk -v format=ktap|text|none -v label=L
#            -v outcome=ok|boot|noboot|timeout|died|nopoweroff -v timeout=S
#            -v boot_timeout=S -v wall=S -v init_at=S -v accel=A -v rel=R
#            -v tailfile=F -v sumfile=F  splats.tsv guest.log
#
# Guest protocol on ttyS1 (see vm/guest/lib.sh):
#   "# iomc: init ...", "# iomc: mode M begin", "# iomc: mode M end rc=N",
#   "# iomc: done"                               harness lines, not shown
#   "ok N DESC [# ...]" / "not ok N DESC [# ...]" one result per test; the
#                                    host renumbers them into one document
#   "1..N"                           optional plan of the mode: it fails
#                                    unless N more results follow
#   "== NAME ..."                    (text modes) starts a section for NAME
#   anything else                    passed through
# A result "NAME[ more words]" in mode M owns the splats of window M/NAME. It fails when
# any of them is fatal or undeclared; declared ones become diagnostics.
# A mode fails as a whole ("mode M ran to completion") when its script
# exits non-zero, its results fall short of its plan, or it never ends.
# sumfile receives "FATALS FAILED".

function emit(s) { outl[++nout] = s }

function result(bad, desc, dir, notes, nnotes,    i) {
	n++
	if (bad)
		failed++
	for (i = 1; i <= nnotes; i++)
		emit("# " prefix() desc ": " notes[i])
	if (format == "text" && !bad)
		return
	emit((bad ? "not ok " : "ok ") n " " prefix() desc (dir == "" ? "" : " # " dir))
}

function prefix() { return label (mode == "" ? "" : " " mode) ": " }

# Collect the notes for window KEY into notes[]; return 1 if one is bad.
function judge(key, notes,    j, bad, what) {
	nnotes = 0
	bad = 0
	if (!(key in ns))
		return 0
	used[key] = 1
	for (j = 1; j <= ns[key]; j++) {
		if (sc[key, j] == "fatal") {
			what = "kernel oops/panic: "
			bad = 1
		} else if (sd[key, j] == 1) {
			what = "expected kernel splat: "
		} else {
			what = "unexpected kernel splat: "
			bad = 1
		}
		notes[++nnotes] = what sx[key, j]
	}
	return bad
}

function firstbad(notes, nn,    i) {
	for (i = 1; i <= nn; i++)
		if (notes[i] !~ /^expected/)
			return notes[i]
	return ""
}

function flush_section(    i, bad) {
	if (section == "")
		return
	if (format != "text") {	# KTAP: unclaimed windows get their own result
		section = ""
		return
	}
	bad = judge(mode "/" section, notes)
	# Keep the notes inside the section, before its trailing blank line.
	blank = (nout > 0 && outl[nout] == "")
	if (blank)
		nout--
	for (i = 1; i <= nnotes; i++)
		emit("   kernel: " notes[i])
	if (blank)
		emit("")
	if (bad)
		failed++
	section = ""
}

BEGIN { FS = "\t"; n = 0; nout = 0; failed = 0; nfatal = 0; mode = ""; section = ""; plan = ""; mres = 0 }

FILENAME == ARGV[1] {
	if ($1 == "window")
		next
	k = $2
	ns[k]++
	sc[k, ns[k]] = $1
	sd[k, ns[k]] = $4
	sx[k, ns[k]] = $5
	if ($1 == "fatal")
		nfatal++
	if (!(k in seen)) {
		seen[k] = 1
		korder[++nk] = k
	}
	next
}

# A mode that stopped early: its script failed, its results fell short of a
# plan it printed, or it never ended (the guest died in it).
function mode_end(why) {
	if (why == "" && plan != "" && mres < plan + 0)
		why = "results stop after " mres " of the " plan " planned"
	if (why != "") {
		nnotes = 0
		result(1, "mode " mode " ran to completion", why, notes, 0)
	}
	mode = ""
	plan = ""
	mres = 0
}

/^# iomc: mode [^ ]+ begin/ {
	flush_section()
	if (mode != "")
		mode_end("no end line (the guest lost it)")
	split($0, f, " ")
	mode = f[4]
	plan = ""
	mres = 0
	next
}
/^# iomc: mode [^ ]+ end/ {
	flush_section()
	split($0, f, " ")
	mode_end(f[6] != "rc=0" ? "guest script exited " substr(f[6], 4) : "")
	next
}
/^# iomc: / { next }
/^KTAP version/ { next }
# A plan a mode's program printed: the host writes its own (one document
# for the whole boot), but the mode must then deliver that many results.
/^1\.\.[0-9]+/ {
	if (mode != "")
		plan = substr($1, 4) + 0 + (plan == "" ? 0 : plan)
	next
}
/^(not )?ok( [0-9]+| -)? / {
	line = $0
	bad = (line ~ /^not ok/)
	sub(/^(not )?ok( [0-9]+| -)? */, "", line)
	desc = line
	dir = ""
	if ((i = index(line, " # ")) > 0) {
		desc = substr(line, 1, i - 1)
		dir = substr(line, i + 3)
	}
	# The window is named by the description's first word ("name (3 events)").
	key = desc
	sub(/[ :].*$/, "", key)
	if (judge((mode == "" ? "" : mode "/") key, notes)) {
		if (!bad)
			dir = firstbad(notes, nnotes)
		bad = 1
	}
	mres++
	result(bad, desc, dir, notes, nnotes)
	next
}
/^== [^ ]+/ {
	flush_section()
	split($0, f, " ")
	section = f[2]
	emit($0)
	next
}
{ emit($0) }

END {
	flush_section()
	if (mode != "")
		mode_end("no end line: the guest stopped during it")
	# Splats in windows that no result claimed.
	for (i = 1; i <= nk; i++) {
		k = korder[i]
		if (k == "-" || (k in used))
			continue
		if (judge(k, notes)) {
			result(1, "kernel log during " k, firstbad(notes, nnotes), notes, nnotes)
		} else if (format != "text") {
			for (j = 1; j <= nnotes; j++)
				emit("# " label ": " k ": " notes[j])
		}
	}
	# Splats outside every window: module load, between tests, shutdown.
	bad = judge("-", notes)
	result(bad, "kernel log clean outside tests", bad ? firstbad(notes, nnotes) : "", notes, nnotes)

	# The boot itself.
	msg = ""
	if (outcome == "boot")
		msg = "boot failure: no word from /init within " boot_timeout " s"
	else if (outcome == "noboot")
		msg = "boot failure: QEMU stopped before /init ran"
	else if (outcome == "timeout")
		msg = "TIMEOUT: guest did not finish within " timeout " s (killed)"
	else if (outcome == "died")
		msg = "guest stopped before finishing its modes"
	else if (outcome == "nopoweroff")
		msg = "guest finished but did not power off (killed)"
	if (nfatal > 0)
		msg = "kernel oops/panic" (msg == "" ? "" : "; " msg)
	desc = "guest boot to verdict in " wall " s (" accel ", /init at " init_at " s)"
	if (msg != "") {
		emit("# " label ": " msg)
		while ((getline l < tailfile) > 0)
			emit("#   console: " l)
	}
	result(msg != "", desc, msg, notes, 0)
	if (format == "text" && msg == "")
		emit("# " label ": " desc)

	if (format == "ktap") {
		print "KTAP version 1"
		print "1.." n
	}
	for (i = 1; i <= nout; i++)
		print outl[i]
	print nfatal, failed > sumfile
}
