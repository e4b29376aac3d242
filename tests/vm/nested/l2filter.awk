# tests/vm/nested/l2filter.awk: the nested guest's console as seen in the host VM (l1.sh).
# Lines before the start mark (firmware, kernel) go to DIR/pre.log; the script's lines are
# printed as "guest| ..."; the exit mark's status goes to DIR/rc. vars: ms, me (the marks), dir.
BEGIN { state = 0 }
{
	gsub(/\r/, "")
	if (state == 0) {
		if (index($0, ms)) {
			state = 1
			print "" > (dir "/started"); close(dir "/started")
			getline now < "/proc/uptime"; close("/proc/uptime")
			getline t0 < (dir "/t0"); close(dir "/t0")
			split(now, u, " ")
			printf "nested: the nested guest started its script %.1f s after its QEMU started\n", u[1] - t0
			fflush()
		} else {
			print > (dir "/pre.log"); fflush(dir "/pre.log")
		}
		next
	}
	if (state == 1 && (i = index($0, me))) {
		if (i > 1) { print "guest| " substr($0, 1, i - 1); fflush() }
		rc = substr($0, i + length(me)); sub(/@@.*/, "", rc)
		print rc > (dir "/rc"); close(dir "/rc")
		state = 2
		next
	}
	if (state == 1) { print "guest| " $0; fflush() }
	else { print > (dir "/pre.log"); fflush(dir "/pre.log") }
}
