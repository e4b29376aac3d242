# vsock_trace in the test VM: every mode against real vsock_perf transfers over
# vsock_loopback, fentry and kprobe hook sets, missing hooks, bad usage.
# Each case starts its tracer(s) first (trace_start returns once the hooks are
# attached), then a receiver (rx_start) and a sender against CID 1, then stops
# the tracer with SIGINT (trace_stop), which prints the summary and exits 0.
# Assertions are about counts and attributions, never about speed.

PORT=1234

# Processes a case started in the background: ended when the case ends, so a
# failed case leaves no tracer attached and no receiver on the port.
_BG=
_bg() {
	[ -n "$_BG" ] || trap _bg_end EXIT
	_BG="$_BG $1"
}
_bg_done() {	# PID was waited for
	_l=
	for _p in $_BG; do
		[ "$_p" = "$1" ] || _l="$_l $_p"
	done
	_BG=$_l
}
_bg_end() {
	for _p in $_BG; do
		kill -TERM "$_p" 2>/dev/null && wait "$_p" 2>/dev/null
	done
}

# _trace_wait FILE PID WHAT PATTERN: wait (up to 30 s) for a line matching PATTERN in FILE.
_trace_wait() {
	_i=0
	until grep -Eqs -- "$4" "$1"; do
		if ! kill -0 "$2" 2>/dev/null; then
			sed 's/^/  out| /' "$1" >&2
			sed 's/^/  err| /' "$1.err" >&2
			vs_fail "vsock_trace $3 exited before tracing"
		fi
		_i=$((_i + 1))
		if [ $_i -ge 600 ]; then
			sed 's/^/  err| /' "$1.err" >&2
			vs_fail "vsock_trace $3: nothing matching /$4/ after 30 s"
		fi
		sleep 0.05
	done
}

# _trace_bg PATTERN OUT ARGS...: vsock_trace ARGS in the background (stdout OUT,
# stderr OUT.err, pid in TR_PID); returns once OUT has a line matching PATTERN.
_trace_bg() {
	_pat=$1
	_out=$2
	shift 2
	vsock_trace "$@" >"$_out" 2>"$_out.err" &
	TR_PID=$!
	_bg $TR_PID
	_trace_wait "$_out" $TR_PID "$*" "$_pat"
}

# trace_start OUT ARGS...: returns once the banner says it traces.
trace_start() {
	_trace_bg '^Tracing vsock ' "$@"
}

# trace_start_json OUT ARGS...: --json with an interval prints no banner: its
# first interval line shows that the hooks are attached.
trace_start_json() {
	_trace_bg '^\{' "$@"
}

# trace_stop PID OUT: SIGINT, which must end the tracer with status 0.
trace_stop() {
	sleep 0.5	# let the loopback worker deliver the last packets
	kill -INT "$1"
	wait "$1"
	_rc=$?
	_bg_done "$1"
	if [ $_rc -ne 0 ]; then
		sed 's/^/  out| /' "$2" >&2
		sed 's/^/  err| /' "$2.err" >&2
		vs_fail "vsock_trace ($2) exited $_rc after SIGINT, expected 0"
	fi
}

rx_start() {
	vsock_perf --port $PORT "$@" >rx.out 2>rx.err &
	RX_PID=$!
	_bg $RX_PID
	vs_wait_listen $PORT
}

# bg_wait PID NAME OUT ERR: wait for a background vsock_perf; it must exit 0.
bg_wait() {
	wait $1
	_rc=$?
	_bg_done $1
	if [ $_rc -ne 0 ]; then
		sed "s/^/  $2| /" "$3" "$4" >&2
		vs_fail "$2 exited $_rc, expected 0"
	fi
}

rx_wait() {
	bg_wait $RX_PID receiver rx.out rx.err
}

tx() {
	vsock_perf --sender 1 --port $PORT "$@"
}

# tx_bg ARGS...: a sender in the background (tx.out, tx.err), pid in TX_PID.
tx_bg() {
	vsock_perf --sender 1 --port $PORT "$@" >tx.out 2>tx.err &
	TX_PID=$!
	_bg $TX_PID
}

tx_wait() {
	bg_wait $TX_PID sender tx.out tx.err
}

# one_line NAME TEXT: TEXT is exactly one line.
one_line() {
	[ -n "$2" ] || vs_fail "$1: no line"
	[ "$(printf '%s\n' "$2" | wc -l)" -eq 1 ] || vs_fail "$1: more than one line: $2"
}

# in_range NAME VALUE LOW HIGH
in_range() {
	awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v + 0 >= lo + 0 && v + 0 <= hi + 0) }' ||
		vs_fail "$1: $2 is not within $3..$4"
}

# json_conn FILE FIELD VALUE: the index in conns[] of the connection whose FIELD is VALUE.
json_conn() {
	_n=$(vs_jsonget "$1" conns.#) || vs_fail "$1: no conns array: $(cat "$1")"
	_i=0
	while [ $_i -lt "$_n" ]; do
		if [ "$(vs_jsonget "$1" "conns.$_i.$2")" = "$3" ]; then
			echo $_i
			return 0
		fi
		_i=$((_i + 1))
	done
	vs_fail "$1: no connection with $2 = $3: $(cat "$1")"
}

# ------------------------------------------------------------------ credit

test_credit_counts_rw_bytes_and_updates() {
	trace_start c.out credit
	c_pid=$TR_PID
	trace_start p.out credit --port $PORT	# only the control connection
	p_pid=$TR_PID
	rx_start --buf-size 64K
	vs_run_rc 0 tx --bytes 16M --buf-size 64K
	rx_wait
	trace_stop $c_pid c.out
	trace_stop $p_pid p.out
	vs_assert_file_match c.out "^Tracing vsock credit with fentry/fexit and the vsock tracepoints"
	vs_assert_file_match c.out "^LOCAL +PEER +TX_RW_BYTES +RX_RW_BYTES +UPD_TX +UPD_RX +REQ_TX +REQ_RX +PEER_BUF +PEER_FWD +CREDIT$"
	# LOCAL PEER TX_RW_BYTES RX_RW_BYTES UPD_TX UPD_RX REQ_TX REQ_RX PEER_BUF PEER_FWD CREDIT
	snd=$(awk '$3 == 16777216' c.out)
	rcv=$(awk '$4 == 16777216' c.out)
	one_line "sender line (TX_RW_BYTES 16777216)" "$snd"
	one_line "receiver line (RX_RW_BYTES 16777216)" "$rcv"
	set -- $snd
	s_local=$1 s_peer=$2 s_rx=$4 s_upd_rx=$6
	set -- $rcv
	r_local=$1 r_peer=$2 r_tx=$3 r_upd_tx=$5
	vs_assert_eq "sender's RX_RW_BYTES" 0 "$s_rx"
	vs_assert_eq "receiver's TX_RW_BYTES" 0 "$r_tx"
	[ "$r_upd_tx" -gt 0 ] || vs_fail "receiver sent no credit update: $rcv"
	vs_assert_eq "credit updates received by the sender" "$r_upd_tx" "$s_upd_rx"
	# the two ends of one connection
	vs_assert_eq "sender's PEER" "$r_local" "$s_peer"
	vs_assert_eq "receiver's PEER" "$s_local" "$r_peer"
	vs_assert_match "receiver's LOCAL" '^1:[0-9]+$' "$r_local"
	# the control connection: both ends, a few bytes each way
	vs_assert_file_match c.out "^1:[0-9]+ +1:$PORT +[1-9][0-9]* +[1-9][0-9]* "
	vs_assert_file_match c.out "^1:$PORT +1:[0-9]+ +[1-9][0-9]* +[1-9][0-9]* "
	# --port: only the connection with that port
	vs_assert_no_file_match p.out " 16777216 "
	n=$(grep -Ec "^1:[0-9]+ +1:[0-9]+ " p.out)
	vs_assert_eq "connections shown with --port $PORT" 2 "$n"
	[ "$(grep -Ec "^1:[0-9]+ +1:[0-9]+ " p.out)" = "$(grep -Ec ":$PORT " p.out)" ] ||
		vs_fail "--port $PORT shows another connection: $(cat p.out)"
}

# The same transfer, traced at once with fentry and with --kprobe: the same counts.
test_kprobe_fallback_same_counts() {
	trace_start_json f.out --json credit 1
	f_pid=$TR_PID
	trace_start_json k.out --json --kprobe credit 1
	k_pid=$TR_PID
	trace_start fp.out packets --rate 1000000
	fp_pid=$TR_PID
	trace_start kp.out packets --rate 1000000 --kprobe
	kp_pid=$TR_PID
	rx_start --buf-size 64K
	vs_run_rc 0 tx --bytes 16M --buf-size 64K
	rx_wait
	for p in $f_pid:f.out $k_pid:k.out $fp_pid:fp.out $kp_pid:kp.out; do
		trace_stop ${p%%:*} ${p#*:}
	done
	vs_assert_file_match kp.out "^Tracing vsock packets with kprobes and the vsock tracepoints"
	vs_assert_file_match fp.out "^Tracing vsock packets with fentry/fexit and the vsock tracepoints"
	tail -n 1 f.out >f.json
	tail -n 1 k.out >k.json
	for j in f.json k.json; do
		vs_assert_eq "$j mode" credit "$(vs_jsonget $j mode)"
		i=$(json_conn $j tx_rw_bytes 16777216)
		vs_jsonget $j conns.$i.rx_rw_bytes conns.$i.local_port conns.$i.peer_port \
			conns.$i.credit_updates_rx >$j.snd
		i=$(json_conn $j rx_rw_bytes 16777216)
		vs_jsonget $j conns.$i.tx_rw_bytes conns.$i.local_port conns.$i.peer_port \
			conns.$i.credit_updates_tx >$j.rcv
		vs_assert_eq "$j: sender's rx_rw_bytes" 0 "$(head -n 1 $j.snd)"
		vs_assert_eq "$j: receiver's tx_rw_bytes" 0 "$(head -n 1 $j.rcv)"
		[ "$(sed -n 4p $j.rcv)" -gt 0 ] || vs_fail "$j: no credit update sent by the receiver"
	done
	vs_assert_eq "sender: fentry vs kprobe" "$(cat f.json.snd)" "$(cat k.json.snd)"
	vs_assert_eq "receiver: fentry vs kprobe" "$(cat f.json.rcv)" "$(cat k.json.rcv)"
	# packet log: one REQUEST and one RESPONSE each way per connection (control + data)
	for f in fp.out kp.out; do
		for op in REQUEST RESPONSE; do
			for d in tx rx; do
				n=$(awk -v d=$d -v op=$op '$2 == d && $7 == op' $f | wc -l)
				vs_assert_eq "$f: $d $op lines" 2 "$n"
			done
		done
		vs_assert_file_match $f "^packet lines dropped by the rate limit: 0$"
	done
}

# ------------------------------------------------------------------ stalls

# causes_add_up SUMMARY_LINE: the causes of a stalls summary line add up to its STALLS.
causes_add_up() {
	printf '%s\n' "$1" | awk '{ s = $5; t = 0; for (i = 8; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) t += $i
		if (t != s) { print "causes add up to " t ", STALLS is " s; exit 1 } }' >&2 ||
		vs_fail "stall causes do not add up: $1"
}

# A receiver that stops reading for 500 ms: one long stall of the sender,
# "receiver not reading". Traced with fentry (text) and kprobes (JSON) at once.
test_stall_receiver_not_reading() {
	trace_start s.out stalls --min-ms 100
	s_pid=$TR_PID
	trace_start_json j.out --json --kprobe stalls --min-ms 100 1
	j_pid=$TR_PID
	rx_start --stall-rx 500
	tx_bg --bytes 4M
	tx_wait
	rx_wait
	trace_stop $s_pid s.out
	trace_stop $j_pid j.out
	# live line: STALL COMM PID port LPORT -> CID:PORT MS ms CAUSE
	live=$(awk '$1 == "STALL" && $8 >= 300' s.out)
	one_line "live line of a stall >= 300 ms" "$live"
	set -- $live
	vs_assert_eq "stall line comm" vsock_perf "$2"
	vs_assert_eq "stall line pid (the sender)" "$TX_PID" "$3"
	in_range "stall duration (ms)" "$8" 400 600
	vs_assert_match "stall cause" " ms  receiver not reading" "$live"
	lport=$5 peer=$7
	# summary: LOCAL PEER COMM PID STALLS TOTAL_MS MAX_MS  not-reading N, no-update N, in-flight N, unknown N
	sum=$(awk -v p="$TX_PID" -v l="1:$lport" '$1 == l && $4 == p' s.out)
	one_line "summary line of the sender's connection $lport" "$sum"
	set -- $sum
	vs_assert_eq "summary PEER" "$peer" "$2"
	[ "$5" -ge 1 ] || vs_fail "STALLS is $5: $sum"
	in_range "MAX_MS" "$7" 400 600
	vs_assert_le "TOTAL_MS >= MAX_MS" "$7" "$6"
	vs_assert_match "summary causes" " not-reading [1-9][0-9]*, no-update [0-9]+, in-flight [0-9]+, unknown 0$" "$sum"
	causes_add_up "$sum"
	vs_assert_file_match s.out "^stall durations \([1-9][0-9]* stalls, [0-9.]+ ms in all\):$"
	# the histogram counts the long one in a slot at or above 262144 us
	n=$(awk '$2 == "->" && $4 == ":" && $1 >= 262144 { n += $5 } END { print n + 0 }' s.out)
	[ "$n" -ge 1 ] || vs_fail "no histogram slot >= 262144 us counts a stall: $(cat s.out)"
	# the same stall as a JSON event, from the kprobe hook set
	grep '"report":"stall"' j.out | awk -F'"ms":' '{ split($2, a, ","); if (a[1] >= 300) print }' >ev.json
	one_line "JSON stall event >= 300 ms" "$(cat ev.json)"
	vs_assert_eq "JSON pid" "$TX_PID" "$(vs_jsonget ev.json pid)"
	vs_assert_eq "JSON local_port" "$lport" "$(vs_jsonget ev.json local_port)"
	vs_assert_match "JSON cause" "^receiver not reading" "$(vs_jsonget ev.json cause)"
	in_range "JSON ms" "$(vs_jsonget ev.json ms)" 400 600
	tail -n 1 j.out >sum.json
	vs_assert_eq "JSON summary report" summary "$(vs_jsonget sum.json report)"
	i=$(json_conn sum.json local_port "$lport")
	n=$(vs_jsonget sum.json conns.$i.by_cause.receiver_not_reading) ||
		vs_fail "JSON summary: no by_cause.receiver_not_reading: $(cat sum.json)"
	[ "$n" -ge 1 ] || vs_fail "JSON summary: no receiver_not_reading stall: $(cat sum.json)"
	in_range "JSON max_ms" "$(vs_jsonget sum.json conns.$i.max_ms)" 400 600
}

# A receiver that reads in 4 KiB pieces frees credit long before it says so
# (the kernel sends an update only once most of the buffer is free): stalls
# attributed "no-update". It reads every 2 ms (--rx-delay), so its timing, not
# the machine's load, decides: the sender waits ~48 reads for each update, and
# the longest pause between reads is far below half of that.
test_stall_no_update_with_small_reads() {
	trace_start s.out stalls
	s_pid=$TR_PID
	rx_start --buf-size 4K --rx-delay 2
	tx_bg --bytes 2M --buf-size 64K
	tx_wait
	rx_wait
	trace_stop $s_pid s.out
	sum=$(awk -v p="$TX_PID" '$3 == "vsock_perf" && $4 == p && / not-reading [0-9]+, no-update /' s.out)
	one_line "summary line of the sender" "$sum"
	noupd=$(printf '%s\n' "$sum" | sed -n 's/.* no-update \([0-9]*\),.*/\1/p')
	[ "$noupd" -ge 1 ] || vs_fail "no stall attributed no-update: $sum"
	vs_assert_match "unknown" ", unknown 0$" "$sum"
	causes_add_up "$sum"
	# the receiver never stalls as a sender
	vs_assert_eq "stall lines of the receiver" 0 \
		"$(awk -v p="$RX_PID" '$4 == p && / not-reading [0-9]+, /' s.out | wc -l)"
}

# A sender that waits in select() for POLLOUT before each write (socat) has
# its stall seen by the vsock_poll hook alone (the send-block hook hidden):
# the receiver sleeps 1 s before reading.
test_stall_seen_by_poll() {
	VSOCKSCOPE_TRACE_HIDE=virtio_transport_notify_send_pre_block
	export VSOCKSCOPE_TRACE_HIDE
	trace_start s.out stalls --min-ms 300
	s_pid=$TR_PID
	unset VSOCKSCOPE_TRACE_HIDE
	vs_assert_file_match s.out.err "not traced on this kernel: virtio_transport_notify_send_pre_block"
	socat -u VSOCK-LISTEN:$PORT SYSTEM:'sleep 1; exec cat >/dev/null' 2>rx.err &
	RX_PID=$!
	_bg $RX_PID
	vs_wait_listen $PORT
	socat -u OPEN:/dev/zero,readbytes=4194304 VSOCK-CONNECT:1:$PORT 2>tx.err ||
		vs_fail "socat sender: $(cat tx.err)"
	bg_wait $RX_PID receiver rx.err rx.err
	trace_stop $s_pid s.out
	# the longest live line is the sleep's (a loaded machine may add shorter ones)
	live=$(grep "^STALL .* ms  receiver not reading" s.out | sort -k 8 -g | tail -n 1)
	[ -n "$live" ] || vs_fail "no live line of the socat sender's stall: $(cat s.out)"
	set -- $live
	vs_assert_eq "stall line comm" socat "$2"
	in_range "stall duration (ms)" "$8" 600 2500	# sleep 1 plus starting sh and cat, on a loaded machine
}

# ------------------------------------------------------------------ wakeups

# SO_RCVLOWAT 64K and 16K writes: most data_ready calls are below the mark;
# POLLIN returns of vsock_poll() match the receiver's own count. fentry and
# kprobes at once, on the same transfer: the same numbers.
test_wakeups_rcvlowat() {
	trace_start w.out wakeups
	w_pid=$TR_PID
	trace_start k.out wakeups --kprobe
	k_pid=$TR_PID
	rx_start --rcvlowat 64K
	vs_run_rc 0 tx --bytes 4M --buf-size 16K
	rx_wait
	trace_stop $w_pid w.out
	trace_stop $k_pid k.out
	vs_assert_file_match w.out "^Tracing vsock wakeups with fentry/fexit\.\.\. "
	vs_assert_file_match k.out "^Tracing vsock wakeups with kprobes\.\.\. "
	user=$(vs_field rx.out 'POLLIN wakeups: ') || vs_fail "no 'POLLIN wakeups:' line: $(cat rx.out)"
	[ "$user" -gt 0 ] || vs_fail "POLLIN wakeups: $user"
	for f in w.out k.out; do
		# LOCAL PEER COMM PID DATA_READY BELOW_LOWAT POLLIN_RET READS
		row=$(awk -v p="$RX_PID" -v c=":$PORT" '$4 == p && substr($1, length($1) - length(c) + 1) != c' $f)
		one_line "$f: row of the receiver's data connection" "$row"
		set -- $row
		[ "$5" -gt 0 ] || vs_fail "$f: DATA_READY is $5: $row"
		[ "$6" -gt 0 ] || vs_fail "$f: BELOW_LOWAT is $6: $row"
		vs_assert_eq "$f: POLLIN_RET = the receiver's 'POLLIN wakeups'" "$user" "$7"
		[ "$8" -gt 0 ] || vs_fail "$f: READS is $8: $row"
		echo "$5 $6 $7 $8" >$f.nums
	done
	vs_assert_eq "fentry vs kprobe (DATA_READY BELOW_LOWAT POLLIN_RET READS)" \
		"$(cat w.out.nums)" "$(cat k.out.nums)"
}

# ------------------------------------------------------------------ readlat

# --pid: only the receiving process's recvmsg() calls, three histograms.
test_readlat_histograms_for_receiver() {
	rx_start
	trace_start r.out readlat -p $RX_PID
	r_pid=$TR_PID
	vs_run_rc 0 tx --bytes 4M
	rx_wait
	trace_stop $r_pid r.out
	for kind in total blocked copy; do
		l=$(grep "recvmsg() $kind time, " r.out)
		one_line "readlat $kind line" "$l"
		vs_assert_match "readlat $kind line" \
			"^vsock_perf $RX_PID: recvmsg\(\) $kind time, [1-9][0-9]* calls, mean [0-9.]+ us, p50 <= [0-9]+ us, p99 <= [0-9]+ us$" "$l"
		printf '%s\n' "$l" | sed 's/.* time, \([0-9]*\) calls.*/\1/' >>calls
	done
	# every call counts in all three; 4 MiB in reads of at most 128 KiB: >= 32 calls
	vs_assert_eq "calls in the three histograms" 1 "$(sort -u calls | wc -l)"
	vs_assert_le "recvmsg() calls" 32 "$(head -n 1 calls)"
	vs_assert_eq "histogram headers" 3 "$(grep -Ec '^ +usecs : count +distribution$' r.out)"
	# --pid: the sender's reads (it reads the receiver's results) are not shown
	vs_assert_eq "processes shown" 3 "$(grep -c 'recvmsg() ' r.out)"
	# the slots of the total histogram add up to its calls
	n=$(awk '/recvmsg\(\) total time/ { on = 1; next } /recvmsg\(\)/ { on = 0 }
		on && $2 == "->" && $4 == ":" { s += $5 } END { print s + 0 }' r.out)
	vs_assert_eq "total histogram slots" "$(head -n 1 calls)" "$n"
}

# -S --json: one object per socket with the three histograms.
test_readlat_json_per_socket() {
	trace_start_json r.out --json -S readlat 1
	r_pid=$TR_PID
	rx_start
	vs_run_rc 0 tx --bytes 2M
	rx_wait
	trace_stop $r_pid r.out
	tail -n 1 r.out >r.json
	vs_assert_eq "mode" readlat "$(vs_jsonget r.json mode)"
	n=$(vs_jsonget r.json sockets.#) || vs_fail "no sockets array: $(cat r.json)"
	found=
	i=0
	while [ $i -lt "$n" ]; do
		if [ "$(vs_jsonget r.json sockets.$i.pid)" = "$RX_PID" ] &&
			[ "$(vs_jsonget r.json sockets.$i.local_port)" != $PORT ]; then
			found=$i
		fi
		i=$((i + 1))
	done
	[ -n "$found" ] || vs_fail "no socket of the receiver's data connection: $(cat r.json)"
	t=$(vs_jsonget r.json sockets.$found.total.count)
	[ "$t" -gt 0 ] || vs_fail "total.count is $t"
	vs_assert_eq "blocked.count" "$t" "$(vs_jsonget r.json sockets.$found.blocked.count)"
	vs_assert_eq "copy.count" "$t" "$(vs_jsonget r.json sockets.$found.copy.count)"
	vs_assert_eq "log2 slots" 32 "$(vs_jsonget r.json sockets.$found.total.log2_us_slots.#)"
	vs_assert_le "p50 <= p99" "$(vs_jsonget r.json sockets.$found.total.p50_us)" \
		"$(vs_jsonget r.json sockets.$found.total.p99_us)"
}

# ------------------------------------------------------------------ packets

test_packets_log() {
	trace_start p.out packets
	p_pid=$TR_PID
	rx_start
	vs_run_rc 0 tx --bytes 256K --buf-size 64K
	rx_wait
	trace_stop $p_pid p.out
	# TS tx port L -> CID:P OP len N flags F | TS rx port L <- CID:P OP len N flags F buf_alloc B fwd_cnt C
	for op in REQUEST RESPONSE RW CREDIT_UPDATE SHUTDOWN RST; do
		vs_assert_file_match p.out "^ *[0-9]+\.[0-9]{6} tx port [0-9]+ +-> 1:[0-9]+ +$op +len [0-9]+ +flags "
		vs_assert_file_match p.out "^ *[0-9]+\.[0-9]{6} rx port [0-9]+ +<- 1:[0-9]+ +$op +len [0-9]+ +flags [0-9a-fx]+ buf_alloc [0-9]+ fwd_cnt [0-9]+$"
	done
	vs_assert_file_match p.out "^packet lines dropped by the rate limit: 0$"
	# the data connection's RW payload, sent and received
	for d in tx rx; do
		n=$(awk -v d=$d -v p=$PORT '$2 == d && $7 == "RW" && $4 != p && $6 != "1:" p { s += $9 }
			END { print s + 0 }' p.out)
		vs_assert_eq "$d RW bytes of the data connection" 262144 "$n"
	done
}

# --rate 5: at most 5 lines in any second; the rest counted as dropped.
test_packets_rate_limit() {
	trace_start p.out packets --rate 5
	p_pid=$TR_PID
	rx_start
	vs_run_rc 0 tx --bytes 16M --buf-size 64K
	rx_wait
	trace_stop $p_pid p.out
	dropped=$(vs_field p.out 'packet lines dropped by the rate limit: ') ||
		vs_fail "no dropped count: $(cat p.out)"
	[ "$dropped" -gt 0 ] || vs_fail "no packet line dropped by --rate 5 in a 16 MiB transfer"
	lines=$(grep -Ec '^ *[0-9]+\.[0-9]+ (tx|rx) ' p.out)
	[ "$lines" -ge 1 ] || vs_fail "no packet line at all"
	max=$(awk '$2 == "tx" || $2 == "rx" { n[int($1)]++ } END { m = 0; for (s in n) if (n[s] > m) m = n[s]; print m }' p.out)
	vs_assert_le "packet lines in one second" "$max" 5
	# >= 256 RW packets of 64 KiB, each logged when sent and when received
	vs_assert_le "lines + dropped" 512 $((lines + dropped))
}

# ------------------------------------------------------------------ top

test_top_shows_live_transfer() {
	trace_start t.out top 1
	t_pid=$TR_PID
	rx_start
	tx_bg --time 3
	tx_wait
	rx_wait
	trace_stop $t_pid t.out
	vs_assert_file_match t.out "^LOCAL +PEER +COMM +PID +TX_Mbps +RX_Mbps +CREDIT +STALLS +WAKEUPS +P99_RD_us$"
	[ "$(grep -c '^LOCAL ' t.out)" -ge 2 ] || vs_fail "fewer than 2 reports in a 3 s transfer: $(cat t.out)"
	# LOCAL PEER COMM PID TX_Mbps RX_Mbps CREDIT STALLS WAKEUPS P99_RD_us
	n=$(awk -v p="$TX_PID" '$3 == "vsock_perf" && $4 == p && $5 > 0' t.out | wc -l)
	[ "$n" -ge 1 ] || vs_fail "no line with TX_Mbps > 0 for the sender $TX_PID: $(cat t.out)"
	n=$(awk -v p="$RX_PID" '$3 == "vsock_perf" && $4 == p && $6 > 0' t.out | wc -l)
	[ "$n" -ge 1 ] || vs_fail "no line with RX_Mbps > 0 for the receiver $RX_PID: $(cat t.out)"
}

# top INTERVAL COUNT: COUNT reports, then it exits by itself with status 0.
test_top_count_exits() {
	vs_run_rc 0 timeout 60 vsock_trace top 0.2 3
	vs_assert_eq "reports" 3 "$(grep -c '^LOCAL ' out)"
	[ ! -s err ] || vs_fail "stderr: $(cat err)"
}

# ------------------------------------------------------------------ missing hooks

test_missing_hook_partial_results() {
	VSOCKSCOPE_TRACE_HIDE=vsock_poll
	export VSOCKSCOPE_TRACE_HIDE
	trace_start w.out wakeups
	w_pid=$TR_PID
	unset VSOCKSCOPE_TRACE_HIDE
	rx_start
	vs_run_rc 0 tx --bytes 1M
	rx_wait
	trace_stop $w_pid w.out
	vs_assert_file_match w.out.err "^vsock_trace: warning: not traced on this kernel: vsock_poll$"
	vs_assert_file_match w.out.err "partial results"
	vs_assert_eq "stderr lines" 2 "$(wc -l <w.out.err)"
	row=$(awk -v p="$RX_PID" -v c=":$PORT" '$4 == p && substr($1, length($1) - length(c) + 1) != c' w.out)
	one_line "row of the receiver's data connection" "$row"
	set -- $row
	[ "$5" -gt 0 ] || vs_fail "DATA_READY is $5 without vsock_poll: $row"
	vs_assert_eq "POLLIN_RET without vsock_poll" 0 "$7"
	[ "$8" -gt 0 ] || vs_fail "READS is $8: $row"
}

# A hook a mode does not use is not reported missing.
test_missing_unused_hook_not_reported() {
	VSOCKSCOPE_TRACE_HIDE=vsock_data_ready,virtio_transport_stream_dequeue,virtio_transport_seqpacket_dequeue
	export VSOCKSCOPE_TRACE_HIDE
	trace_start c.out credit
	c_pid=$TR_PID
	unset VSOCKSCOPE_TRACE_HIDE
	trace_stop $c_pid c.out
	[ ! -s c.out.err ] || vs_fail "credit warned about hooks it does not use: $(cat c.out.err)"
}

# Every hook of readlat missing: one clear line, exit 1, no banner.
test_all_hooks_missing_fails_cleanly() {
	hide=vsock_connectible_recvmsg,virtio_transport_stream_dequeue,virtio_transport_seqpacket_dequeue
	for k in "" --kprobe; do
		vs_run_rc 1 timeout 60 env VSOCKSCOPE_TRACE_HIDE=$hide vsock_trace readlat $k
		vs_assert_eq "stderr lines ($k)" 1 "$(wc -l <err)"
		vs_assert_file_match err "^vsock_trace: no hook could be attached: "
		for s in vsock_connectible_recvmsg virtio_transport_stream_dequeue virtio_transport_seqpacket_dequeue; do
			vs_assert_file_match err "$s"
		done
		[ ! -s out ] || vs_fail "stdout ($k): $(cat out)"
	done
}

# ------------------------------------------------------------------ usage

test_bad_usage_exit_2() {
	for args in "" "frob" "--port 0 credit" "credit --pid abc" "credit 0.001" "top 1 0" "credit 1 1 x"; do
		# shellcheck disable=SC2086
		timeout 60 vsock_trace $args >out 2>err
		rc=$?
		[ $rc -eq 2 ] || vs_fail "'vsock_trace $args' exited $rc, expected 2: $(cat out err)"
		[ "$(wc -l <err)" -eq 1 ] || vs_fail "'vsock_trace $args': expected one line: $(cat err)"
		vs_assert_file_match err "\(try 'vsock_trace --help'\)$"
		[ ! -s out ] || vs_fail "'vsock_trace $args' printed to stdout: $(cat out)"
	done
	vs_run_rc 0 vsock_trace --help
	vs_assert_file_match out "^Usage: vsock_trace MODE"
}
