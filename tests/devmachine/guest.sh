#!/bin/bash
# The dev-machine test's steps, inside the Debian 12 guest: systemd is PID
# 1, this runs as iomc-devmachine.service once multi-user.target is reached.
# KTAP goes to ttyS1 (one line per step, with its time), the whole journal
# to ttyS2 at the end (the host shows it when a step failed), then the
# guest powers off. After a failed step the later ones are reported as
# skipped: the failure is what counts.
set -u
exec 3>/dev/ttyS1
d=/opt/devmachine
json=/var/log/iomap-check/violations.jsonl
rel=$(uname -r)
dkms_mode=$(cat /opt/devmachine/dkms-mode)
n=0 failed=0
plan=15
out() { printf '%s\n' "$*" >&3; }
diag() { sed 's/^/# /' >&3; }
now() { date +%s.%N; }
out "KTAP version 1"
out "1..$plan"
out "# guest: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $rel, systemd $(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'), test started at $(cut -d' ' -f1 /proc/uptime) s of uptime"

# step DESC CMD...: run CMD (a shell function), report ok/not ok with the time
step() {
	local desc=$1 t0 t1 rc
	shift
	n=$((n + 1))
	if [ $failed != 0 ]; then
		out "ok $n $desc # SKIP an earlier step failed"
		return
	fi
	t0=$(now)
	"$@" >/tmp/step.log 2>&1
	rc=$?
	t1=$(now)
	if [ $rc = 0 ]; then
		out "ok $n $desc ($(echo "$t1 - $t0" | awk '{ printf "%.1f", $1 - $3 }') s)"
	else
		tail -n 40 /tmp/step.log | diag
		out "not ok $n $desc (exit $rc after $(echo "$t1 - $t0" | awk '{ printf "%.1f", $1 - $3 }') s)"
		failed=1
	fi
}

# wait_for SECS CMD...: until CMD succeeds
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || { echo "timed out waiting for: $*"; return 1; }
		sleep 1
	done
}
journal() { journalctl -u iomap-checkd -o cat --no-pager; }
attached() { [ "$(journal | grep -c 'attached to its tracepoints')" -ge "$1" ]; }
reported() { # RULE FUNCTION: a lockdep-style report and a JSON line
	journal >/tmp/journal.txt
	awk -v rule="$1" -v fn="$2" '
		/^=+$/ { banner = 1; next }
		$0 == "WARNING: io_mapping rule violated: " rule && banner { inrep = 1 }
		inrep && index($0, fn "+0x") && / at: / { site = 1 }
		inrep && site && /^stack backtrace:/ { found = 1; exit }
		END { exit !found }' /tmp/journal.txt || return 1
	grep -F "\"rule\":\"$1\"" "$json" | grep -qF "$2+0x"
}

s_apt() {
	# The guest has no network: every dependency is in the image already.
	# The dkms package's postinst builds iomap_check.ko for this kernel, or
	# (host mode) loads the host's DKMS build with dkms ldtarball.
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"$d"/iomap-check_*.deb "$d"/iomap-check-dkms_*.deb || return 1
	if [ "$dkms_mode" = host ]; then
		grep -q 'ldtarball\|Loading tarball' /tmp/step.log ||
			{ echo "the postinst did not load the host's DKMS tarball"; return 1; }
	fi
}
# What `dkms status` calls installed (it takes 30 s under TCG): the
# module in DKMS's tree for this kernel, copied into /lib/modules.
s_dkms() {
	local built=(/var/lib/dkms/iomap-check/*/"$rel"/x86_64/module/iomap_check.ko*)
	ls -l "${built[@]}" /lib/modules/"$rel"/updates/dkms/ &&
		cmp "${built[0]}" /lib/modules/"$rel"/updates/dkms/"$(basename "${built[0]}")"
}
s_modprobe() {
	modprobe iomap_check && modinfo -n iomap_check | tee /dev/stderr | grep -q /updates/dkms/
}
s_enable() { systemctl enable --now iomap-checkd && systemctl is-active iomap-checkd; }
s_attached() { wait_for 240 attached 1; journal; }
# The driver's build (minutes of gcc under TCG) runs while the daemon
# starts and attaches (its BPF verification is the kernel's work).
build_start() {
	build_t0=$(now)
	(cd /tmp && iomap-check build-driver -o /tmp/devdrv "$d/driver" >/tmp/build.log 2>&1
	 echo $? >/tmp/build.rc) &
}
s_build() {
	wait_for 1200 test -s /tmp/build.rc
	cat /tmp/build.log
	echo "build time $(awk -v a="$build_t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
	[ "$(cat /tmp/build.rc)" = 0 ] && [ -f /tmp/devdrv/devdrv.ko ]
}
s_insmod1() { insmod /tmp/devdrv/devdrv.ko bug=1 && dmesg | grep 'devdrv: bound to'; }
s_report1() { wait_for 60 reported lifo devdrv_break_lifo; r=$?; cat "$json"; return $r; }
s_rmmod_drv() { rmmod devdrv; }
s_rmmod() {
	# iomap-checkd's links hold a reference on the module: the first
	# delete_module makes it detach and fails with EAGAIN. kmod's rmmod
	# refuses a module in use without asking the kernel (the daemon never
	# hears of it); modprobe -r --wait asks, and retries.
	modprobe -r --wait 60000 iomap_check && [ ! -e /sys/module/iomap_check ] &&
		journal | grep 'asked to unload iomap_check'
}
s_reattach() { modprobe iomap_check && wait_for 240 attached 2 && systemctl is-active iomap-checkd; }
s_report2() {
	insmod /tmp/devdrv/devdrv.ko bug=2 && wait_for 60 reported unaligned_offset devdrv_break_alignment
	r=$?; rmmod devdrv; return $r
}
s_reload() {
	# log rotation: move the file away, reload (SIGHUP): a new file
	mv "$json" "$json.1" && systemctl reload iomap-checkd && wait_for 30 test -e "$json" &&
		systemctl is-active iomap-checkd
}
s_stop() { systemctl stop iomap-checkd && journal | grep 'summary:'; }
s_dmesg() { ! dmesg | grep -E 'Oops|BUG:|WARNING:|Call Trace|segfault'; }

if [ "$dkms_mode" = host ]; then
	step "apt installs iomap-check and iomap-check-dkms (DKMS installs the host's build of iomap_check.ko for $rel: dkms ldtarball)" s_apt
else
	step "apt installs iomap-check and iomap-check-dkms (DKMS compiles iomap_check.ko for $rel in the guest)" s_apt
fi
step "DKMS installed iomap_check.ko for $rel (/var/lib/dkms -> /lib/modules/$rel/updates/dkms)" s_dkms
step "modprobe iomap_check loads the DKMS build" s_modprobe
[ $failed = 0 ] && build_start
step "systemctl enable --now iomap-checkd" s_enable
step "iomap-checkd attached to iomap_check (journal)" s_attached
step "iomap-check build-driver compiles devdrv in the guest against the running kernel and the installed iomap_check.ko (started with the daemon)" s_build
[ $failed != 0 ] || grep '^build time' /tmp/step.log | diag
step "insmod devdrv.ko bug=1 binds to the std-VGA BAR 0" s_insmod1
step "lifo in devdrv_break_lifo: lockdep-style report in journalctl -u iomap-checkd, JSON in $json" s_report1
step "rmmod devdrv" s_rmmod_drv
step "modprobe -r --wait iomap_check while iomap-checkd runs: the daemon detaches, the module goes" s_rmmod
step "modprobe iomap_check again: iomap-checkd re-attaches" s_reattach
step "after the reload: unaligned_offset in devdrv_break_alignment reported (journal, JSON)" s_report2
step "systemctl reload (SIGHUP) reopens the JSON file" s_reload
step "systemctl stop iomap-checkd logs the summary" s_stop
step "kernel log: no oops, BUG or WARNING" s_dmesg

out "# guest: steps done at $(cut -d' ' -f1 /proc/uptime) s of uptime"
journalctl -b --no-pager -o short-monotonic >/dev/ttyS2 2>&1
exec 3>&-
sleep 1
systemctl poweroff --force --force
