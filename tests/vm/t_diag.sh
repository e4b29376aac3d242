# vsock_diag and vsock_cap in the test VM: listeners and connections as the
# vsock_diag netlink family reports them (checked against ss), owners, filters,
# the --credit columns against vsock_trace credit on a paused transfer, the
# unprivileged view, and packet captures of real transfers decoded.

PORT=1234

# Background processes of a case, killed when the case ends (SIGKILL: a paused receiver
# would otherwise finish its --stall-rx pause first).
_BG=
_MON=
bg() {
	[ -n "$_BG" ] || trap 'for _p in $_BG; do kill -KILL $_p 2>/dev/null; done; wait; [ -z "$_MON" ] || ip link del $_MON' EXIT
	_BG="$_BG $1"
}

# listener [ARGS]: a vsock_perf receiver on $PORT (rx.out); RX_PID.
listener() {
	vsock_perf --port $PORT "$@" >rx.out 2>&1 &
	RX_PID=$!
	bg $RX_PID
	vs_wait_listen $PORT
}

# paused_transfer [RX_ARGS]: a receiver that stops reading for 30 s after its first read and
# a sender of 8 MiB (TX_ARGS): the data connection stays ESTAB, its credit fixed, while the
# sender waits. Returns a second after the data connection appeared.
paused_transfer() {
	listener --stall-rx 30000 "$@"
	vsock_perf --sender 1 --port $PORT --bytes 8M --interval 0 ${TX_ARGS:-} >tx.out 2>&1 &
	TX_PID=$!
	bg $TX_PID
	_i=0
	until [ "$(vsock_diag -p -H 2>/dev/null | grep -c "pid=$TX_PID,")" -ge 2 ]; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || vs_fail "no data connection of the sender after 10 s: $(cat tx.out)"
		sleep 0.1
	done
	sleep 1
}

# the data connection's ports of a vsock_perf session: the ESTAB socket of TX_PID that is not
# connected to $PORT (the control connection): sets DATA_LPORT (sender side), DATA_PPORT.
data_ports() {
	vsock_diag -p -H >dp.out
	set -- $(awk -v p=$TX_PID -v c=":$PORT" '$2 == "ESTAB" && $0 ~ "pid=" p "," && $4 !~ c "$" { print $3, $4 }' dp.out)
	[ $# -eq 2 ] || { cat dp.out >&2; vs_fail "no single data connection of the sender $TX_PID"; }
	DATA_LPORT=${1##*:} DATA_PPORT=${2##*:}
}

# ------------------------------------------------------------------ listing

test_listener_listed_like_ss() {
	vs_run_rc 0 vsock_diag -l --port $PORT
	vs_assert_eq "rows before the listener" 1 "$(wc -l <out)"	# the header
	listener
	vs_run_rc 0 vsock_diag -l -p
	vs_assert_file_match out "^TYPE +STATE +LOCAL +PEER +INODE +SHUT +PROCESS$"
	row=$(grep " \*:$PORT " out)
	vs_assert_match "listener row" "^STREAM +LISTEN +\*:$PORT +\*:\* +[1-9][0-9]* +- +users:\(\(\"vsock_perf\",pid=$RX_PID,fd=[0-9]+\)\)$" "$row"
	# the same sockets, states and addresses as ss
	vsock_diag -a -H | awk '{ print $2, $3, $4 }' | sort >mine
	ss -H -a --vsock | awk '{ print $2, $5, $6 }' | sort >theirs
	vs_assert_eq "vsock_diag -a against ss -a --vsock" "$(cat theirs)" "$(cat mine)"
	# -l lists no connected socket, the default lists no listener
	vs_run_rc 0 vsock_diag -H
	vs_assert_no_file_match out " LISTEN "
}

test_json_of_a_listener() {
	listener
	vs_run_rc 0 vsock_diag -l -e -p --port $PORT --json
	vs_assert_eq "count" 1 "$(vs_jsonget out count)"
	vs_jsonget out sockets.0.type sockets.0.state sockets.0.local_cid sockets.0.local_port \
		sockets.0.peer_cid sockets.0.peer_port sockets.0.shutdown sockets.0.uid \
		sockets.0.processes.# sockets.0.processes.0.pid sockets.0.processes.0.comm >got ||
		vs_fail "JSON: $(cat out)"
	vs_assert_eq "fields" "STREAM LISTEN 4294967295 $PORT 4294967295 4294967295 0 0 1 $RX_PID vsock_perf" \
		"$(tr '\n' ' ' <got | sed 's/ $//')"
	ino=$(vs_jsonget out sockets.0.inode)
	vs_assert_match "inode" "^[1-9][0-9]*$" "$ino"
	# the inode is the one the owner's descriptor points to
	fd=$(vs_jsonget out sockets.0.processes.0.fd)
	vs_assert_eq "inode of /proc/$RX_PID/fd/$fd" "socket:[$ino]" "$(readlink /proc/$RX_PID/fd/$fd)"
	# without -p and --credit: no processes or credit key; uid null without -e
	vs_run_rc 0 vsock_diag -l --port $PORT --json
	vs_assert_eq "uid without -e" null "$(vs_jsonget out sockets.0.uid)"
	vs_jsonget out sockets.0.processes >/dev/null 2>&1 && vs_fail "processes without -p: $(cat out)"
	vs_jsonget out sockets.0.credit >/dev/null 2>&1 && vs_fail "credit without --credit: $(cat out)"
	true
}

# Both ends of a connection, each with the other as its peer and its own process.
test_connection_both_ends() {
	paused_transfer
	data_ports
	vs_run_rc 0 vsock_diag -p -H --port $DATA_LPORT
	vs_assert_eq "rows of the data connection" 2 "$(wc -l <out)"
	snd=$(awk -v l=$DATA_LPORT '$3 ~ ":" l "$"' out)
	rcv=$(awk -v l=$DATA_LPORT '$4 == "1:" l' out)
	vs_assert_match "sender's end" "^STREAM +ESTAB +[*1]:$DATA_LPORT +1:$DATA_PPORT .*pid=$TX_PID," "$snd"
	vs_assert_match "receiver's end" "^STREAM +ESTAB +1:$DATA_PPORT +1:$DATA_LPORT .*pid=$RX_PID," "$rcv"
	vs_run_rc 0 vsock_diag -p -H -s estab
	n=$(awk -v p=$TX_PID '$0 ~ "pid=" p ","' out | wc -l)
	vs_assert_eq "ESTAB sockets of the sender (control + data)" 2 "$n"
}

test_filters() {
	TX_ARGS=--seqpacket paused_transfer
	data_ports
	vs_run_rc 0 vsock_diag -a -H -t seqpacket
	vs_assert_no_file_match out "^STREAM "
	vs_assert_eq "SEQPACKET ESTAB rows" 2 "$(grep -Ec '^SEQPACKET +ESTAB ' out)"
	vs_run_rc 0 vsock_diag -a -H -t stream
	vs_assert_no_file_match out "^SEQPACKET "
	vs_assert_file_match out "^STREAM +LISTEN +\*:$PORT "
	vs_run_rc 0 vsock_diag -H -s listen
	vs_assert_eq "--state listen = -l" "$(vsock_diag -H -l)" "$(cat out)"
	vs_assert_no_file_match out " ESTAB "
	vs_run_rc 0 vsock_diag -a -H --cid 2
	vs_assert_eq "rows with CID 2" 0 "$(wc -l <out)"
	vs_run_rc 0 vsock_diag -a -H --cid 1 --port $DATA_PPORT
	# the data listener and both ends of the data connection
	vs_assert_eq "rows with CID 1 and the data port" 2 "$(grep -c ' ESTAB ' out)"
	vs_run_rc 0 vsock_diag -H -t dgram,stream -s unconn,syn-sent
	vs_assert_no_file_match out " (ESTAB|LISTEN) "
}

test_interval_and_count() {
	listener
	vs_run_rc 0 timeout 30 vsock_diag -l --json -i 0.2 -c 3
	vs_assert_eq "JSON lines" 3 "$(wc -l <out)"
	i=1
	while [ $i -le 3 ]; do
		sed -n ${i}p out >l.json
		vs_assert_eq "line $i: count" 1 "$(vs_jsonget l.json count)"
		i=$((i + 1))
	done
}

# ------------------------------------------------------------------ credit

# The sender stalled with no credit: vsock_diag --credit and vsock_trace credit (started
# before the transfer, so it saw every packet) agree on the paused connection.
test_credit_agrees_with_vsock_trace() {
	vsock_trace credit --json 0.5 >tr.out 2>tr.err &
	bg $!
	_i=0
	until grep -q '^{' tr.out; do
		_i=$((_i + 1)); [ $_i -lt 600 ] || vs_fail "vsock_trace did not start: $(cat tr.err)"; sleep 0.05
	done
	paused_transfer
	data_ports
	# vsock_diag, then a vsock_trace report, then vsock_diag again: unchanged, so the
	# transfer stayed paused while both tools looked
	vs_run_rc 0 vsock_diag --credit --json --port $DATA_LPORT
	cp out d.json
	sleep 1.2
	tail -n 1 tr.out >t.json
	# the text view of the same sockets: equal counters below show that the pause held
	vs_run_rc 0 vsock_diag -p --credit --port $DATA_LPORT
	cp out d.txt
	n=$(vs_jsonget d.json count)
	vs_assert_eq "vsock_diag rows of the data connection" 2 "$n"
	s=0 r=1
	[ "$(vs_jsonget d.json sockets.0.local_port)" = "$DATA_LPORT" ] || { s=1 r=0; }
	vs_jsonget d.json sockets.$s.credit.peer_buf_alloc sockets.$s.credit.peer_fwd_cnt \
		sockets.$s.credit.credit >diag.snd || vs_fail "no credit object: $(cat d.json)"
	# the sender is stalled: no credit left
	vs_assert_eq "sender's credit" 0 "$(sed -n 3p diag.snd)"
	i=0
	n=$(vs_jsonget t.json conns.#)
	while [ $i -lt "$n" ] && [ "$(vs_jsonget t.json conns.$i.local_port)" != "$DATA_LPORT" ]; do
		i=$((i + 1))
	done
	[ $i -lt "$n" ] || vs_fail "vsock_trace has no connection with local port $DATA_LPORT: $(cat t.json)"
	vs_jsonget t.json conns.$i.peer_buf_alloc conns.$i.peer_fwd_cnt conns.$i.credit >trace.snd
	vs_assert_eq "vsock_trace credit_exact" true "$(vs_jsonget t.json conns.$i.credit_exact)"
	vs_assert_eq "sender: peer_buf_alloc peer_fwd_cnt credit (vsock_diag, vsock_trace)" \
		"$(tr '\n' ' ' <trace.snd)" "$(tr '\n' ' ' <diag.snd)"
	# the receiver's own counters are what the sender last heard
	vs_assert_eq "receiver's buf_alloc = sender's peer_buf_alloc" "$(sed -n 1p diag.snd)" \
		"$(vs_jsonget d.json sockets.$r.credit.buf_alloc)"
	vs_assert_eq "receiver's last_fwd_cnt = sender's peer_fwd_cnt" "$(sed -n 2p diag.snd)" \
		"$(vs_jsonget d.json sockets.$r.credit.last_fwd_cnt)"
	# in flight = the receiver's queue + what it consumed and did not advertise
	tx=$(vs_jsonget d.json sockets.$s.credit.tx_cnt)
	rxb=$(vs_jsonget d.json sockets.$r.credit.rx_bytes)
	fwd=$(vs_jsonget d.json sockets.$r.credit.fwd_cnt)
	vs_assert_eq "sender's tx_cnt = receiver's fwd_cnt + rx_bytes" "$tx" $((fwd + rxb))
	# the text view, taken after vsock_trace's report: the same counters, with the owners
	vs_assert_file_match d.txt "^TYPE +STATE +LOCAL +PEER +INODE +SHUT +RX_BYTES +FWD_CNT +BUF_ALLOC +PEER_BUF +TX_CNT +PEER_FWD +CREDIT +PROCESS$"
	vs_assert_file_match d.txt "^STREAM +ESTAB +[*1]:$DATA_LPORT +1:$DATA_PPORT +[0-9]+ +- +0 +0 +[0-9]+ +$(sed -n 1p diag.snd) +$tx +$(sed -n 2p diag.snd) +0 +users:\(\(\"vsock_perf\",pid=$TX_PID,"
	vs_assert_file_match d.txt "^STREAM +ESTAB +1:$DATA_PPORT +[*1]:$DATA_LPORT +[0-9]+ +- +$rxb +$fwd +$(sed -n 1p diag.snd) .* users:\(\(\"vsock_perf\",pid=$RX_PID,"
}

# Unprivileged: the netlink columns print; --credit says why it has none.
test_unprivileged_still_lists() {
	grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
	listener
	su -s /bin/sh nobody -c "vsock_diag -l -p -e --credit" >out 2>err
	vs_assert_eq "exit status" 0 $?
	vs_assert_match "listener row" "^STREAM +LISTEN +\*:$PORT +\*:\* +[0-9]+ +-( +-){8}$" \
		"$(grep " \*:$PORT " out)"
	vs_assert_file_match err "^vsock_diag: --credit: no credit columns: loading the BPF iterator: .*needs root"
	su -s /bin/sh nobody -c "vsock_diag -l --credit --json" >out 2>err
	vs_assert_match "credit_error" "needs root" "$(vs_jsonget out credit_error)"
	vs_assert_eq "credit of the listener" null "$(vs_jsonget out sockets.0.credit)"
}

# ------------------------------------------------------------------ capture

# vsock_cap before the device exists: one line that says what to do.
test_cap_without_device() {
	vs_run_rc 1 vsock_cap -i nosuchmon0 -c 1
	vs_assert_eq "stderr lines" 1 "$(wc -l <err)"
	if [ -e /sys/module/vsockmon ]; then
		vs_assert_file_match err "^vsock_cap: no device nosuchmon0 \(ip link add name nosuchmon0 type vsockmon"
	else
		vs_assert_file_match err "^vsock_cap: vsockmon is not available: the vsockmon module is not loaded"
	fi
}

# cap_start FILE: vsock_cap -w FILE in the background, returning once it captures.
cap_start() {
	vs_modprobe vsockmon
	# a device left up would copy every later test's packets: the case deletes it at exit
	[ -e /sys/class/net/vsockmon0 ] || ip link add name vsockmon0 type vsockmon ||
		vs_fail "ip link add type vsockmon failed"
	_MON=vsockmon0
	ip link set vsockmon0 up
	_f=$1
	shift
	vsock_cap -w "$_f" "$@" 2>cap.err &
	CAP_PID=$!
	bg $CAP_PID
	_i=0
	until grep -q "capturing on vsockmon0" cap.err; do
		# AF_PACKET (CONFIG_PACKET) is what vsock_cap reads vsockmon with; the
		# patched test kernel's minimal config has none
		grep -qs "socket(AF_PACKET): Address family not supported" cap.err &&
			vs_skip "this kernel has no AF_PACKET (CONFIG_PACKET): $(cat cap.err)"
		_i=$((_i + 1)); [ $_i -lt 200 ] || vs_fail "vsock_cap did not start: $(cat cap.err)"; sleep 0.05
	done
}

cap_stop() {
	sleep 0.3
	kill -INT $CAP_PID
	wait $CAP_PID || vs_fail "vsock_cap exited $? after SIGINT: $(cat cap.err)"
}

# conn_ops FILE PORT: the ops of the connection with PORT, credit packets dropped, runs collapsed.
conn_ops() {
	awk -v p=":$2" 'substr($2, length($2) - length(p) + 1) == p || substr($4, length($4) - length(p) + 1) == p {
		if ($5 ~ /^CREDIT_/) next; if ($5 != last) printf "%s%s", sep, $5; sep = " "; last = $5 } END { print "" }' "$1"
}

test_capture_stream_transfer() {
	cap_start s.pcap
	listener
	vs_run_rc 0 vsock_perf --sender 1 --port $PORT --bytes 256K --buf-size 64K --compat --interval 0
	cap_stop
	vs_run_rc 0 vsock_cap -r s.pcap
	vs_assert_file_match out "^packets: [1-9][0-9]*, RW payload bytes: 262144, errors: 0$"
	vs_assert_eq "op sequence" "REQUEST RESPONSE RW SHUTDOWN RST" "$(conn_ops out $PORT)"
	vs_assert_file_match out " SHUTDOWN +STREAM +len 0 +flags (SEND|RCV\|SEND) "
	vs_assert_file_match out " CREDIT_UPDATE +STREAM +len 0 .* fwd_cnt [1-9]"
	# the JSON view of the same file
	vs_run_rc 0 vsock_cap -r s.pcap --json
	head -n 1 out >p.json
	vs_assert_eq "first packet" "REQUEST STREAM $PORT" \
		"$(vs_jsonget p.json op type dst_port | tr '\n' ' ' | sed 's/ $//')"
}

test_capture_seqpacket_flags_and_count() {
	cap_start q.pcap -c 1000
	listener --loop
	vs_run_rc 0 vsock_perf --sender 1 --port $PORT --seqpacket --bytes 256K --buf-size 32K --interval 0
	cap_stop
	vs_run_rc 0 vsock_cap -r q.pcap
	# 8 records of 32 KiB, each one packet with EOM (and EOR: vsock_perf passes MSG_EOR)
	vs_assert_eq "RW packets with EOM|EOR" 8 "$(grep -Ec ' RW +SEQPACKET +len 32768 +flags EOM\|EOR ' out)"
	# -c: stops by itself after that many packets
	# and a live decoder at the same time
	timeout 30 vsock_cap -c 3 -w c.pcap 2>c.err &
	c=$!
	timeout 30 vsock_cap -c 2 >live.out 2>live.err &
	l=$!
	_i=0
	until grep -q "capturing on" c.err && grep -q "capturing on" live.err; do
		_i=$((_i + 1)); [ $_i -lt 200 ] || vs_fail "vsock_cap -c did not start: $(cat c.err live.err)"; sleep 0.05
	done
	vs_run_rc 0 vsock_perf --sender 1 --port $PORT --bytes 64K --interval 0
	wait $c || vs_fail "vsock_cap -c 3 exited $?"
	wait $l || vs_fail "vsock_cap -c 2 (live) exited $?"
	vs_run_rc 0 vsock_cap -r c.pcap
	vs_assert_file_match out "^packets: 3, "
	vs_assert_eq "live decoder: ops" "REQUEST RESPONSE" "$(awk '{ printf "%s%s", s, $5; s = " " }' live.out)"
	vs_assert_file_match live.err "^vsock_cap: 2 packets captured, 0 dropped by the kernel$"
	# -d: stops by itself
	vs_run_rc 0 timeout 20 vsock_cap -d 0.3 -w d.pcap
	vs_assert_file_match err "^vsock_cap: 0 packets captured to d.pcap, 0 dropped by the kernel$"
	vs_run_rc 0 vsock_cap -r d.pcap
	vs_assert_eq "empty capture" "packets: 0, RW payload bytes: 0, errors: 0" "$(cat out)"
}
