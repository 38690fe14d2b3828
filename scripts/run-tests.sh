#!/bin/sh
# scripts/run-tests.sh: the `make test` runner: runs unit tests, fuzz smoke runs and boot tests.
#
# Usage: run-tests.sh [unit] [fuzz] [tools] [boot]   (default: all four; make has built everything)
#   unit: every cmocka binary declared by tests/unit/*.mk (UNIT_TESTS += NAME) in $BUILD/tests/unit;
#         each test case counts as one result
#   fuzz: every libFuzzer binary declared by tests/fuzz/*.mk (FUZZERS += NAME), a short smoke run
#         (-runs=100000 -seed=1, plus seeds from tests/fuzz/corpus/NAME/ if present); one result each
#   tools: every tests/tools/*.sh run against $BUILD/tools (dom0 user space on the host: e.g.
#         keel-xenstored driven by Debian's xenstore-utils); each PASS/FAIL line is one result
#   boot: every tests/boot/*.test (scripts/boot-test.sh), KEEL_TEST_JOBS (default 2) at a time;
#         KEEL_BOOT_TESTS='glob' picks a subset by name (e.g. 'qemu-*'); tests with a NEEDS=linux or
#         NEEDS=dom0 line (Debian's Linux as a guest: slow, fetched by scripts/linux-cache.sh) run
#         first; KEEL_LINUX_TESTS=0 skips them (`make test-quick`)
# Keeps going after failures. An empty set (nothing declared) is a failure. Prints one PASS/FAIL
# line per result, ends with exactly "N passed, N failed" and exits 1 if anything failed.
# Also writes $BUILD/test-results.txt: "PASS|FAIL<TAB>item<TAB>detail" lines, then
# "SUMMARY<TAB>passed=N<TAB>failed=N". Logs go to $BUILD/tests/logs/.
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
logs=$BUILD/tests/logs
results=$BUILD/test-results.txt
mkdir -p "$logs"
: >"$results"

passed=0
failed=0
tab=$(printf '\t')

# record PASS|FAIL ITEM [DETAIL]: prints "PASS item (detail)" or "FAIL item: detail", stores it.
record() {
	if [ "$1" = PASS ]; then
		passed=$((passed + 1))
		echo "PASS $2${3:+ ($3)}"
	else
		failed=$((failed + 1))
		echo "FAIL $2${3:+: $3}"
	fi
	printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$results"
}

# Test names declared by "VAR += NAME..." lines in the given .mk files.
declared() {
	var=$1
	shift
	for mk in "$@"; do
		[ -f "$mk" ] || continue
		sed -n "s/^[[:space:]]*${var}[[:space:]]*+=[[:space:]]*//p" "$mk"
	done | tr -s ' \t' '\n' | sed '/^$/d'
}

# UBSan must fail a test, not just print; LeakSanitizer stays on.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS ASAN_OPTIONS

run_unit() {
	names=$(declared UNIT_TESTS tests/unit/*.mk)
	if [ -z "$names" ]; then
		record FAIL unit "no unit tests declared in tests/unit/*.mk"
		return
	fi
	for name in $names; do
		bin=$BUILD/tests/unit/$name
		log=$logs/unit-$name.log
		if [ ! -x "$bin" ]; then
			record FAIL "unit/$name" "$bin not built"
			continue
		fi
		status=0
		timeout -s KILL 300 "$bin" >"$log" 2>&1 </dev/null || status=$?
		# cmocka's standard output: "[ RUN      ] case" then "[       OK ] case" or
		# "[  FAILED  ] case"; a RUN with no verdict is the case that crashed the binary.
		verdicts=$(awk '
			/^\[ RUN      \] / { if (cur != "") print "CRASH", cur; cur = substr($0, 14); next }
			/^\[       OK \] / { if (cur != "" && substr($0, 14) == cur) { print "PASS", cur; cur = "" } next }
			/^\[  FAILED  \] / { if (cur != "" && substr($0, 14) == cur) { print "FAIL", cur; cur = "" } next }
			/^\[  SKIPPED \] / { if (cur != "" && substr($0, 14) == cur) { print "SKIP", cur; cur = "" } next }
			END { if (cur != "") print "CRASH", cur }' "$log")
		cases=0
		bad=0
		while IFS=' ' read -r verdict tcase; do
			[ -n "$verdict" ] || continue
			cases=$((cases + 1))
			case $verdict in
			PASS) record PASS "unit/$name/$tcase" ;;
			FAIL) record FAIL "unit/$name/$tcase" "assertion failed (see $log)"; bad=1 ;;
			CRASH) record FAIL "unit/$name/$tcase" "crashed or sanitizer error, status $status (see $log)"; bad=1 ;;
			SKIP) echo "SKIP unit/$name/$tcase" ;;
			esac
		done <<EOF
$verdicts
EOF
		if [ "$cases" -eq 0 ]; then
			record FAIL "unit/$name" "no test cases ran (status $status, see $log)"
			bad=1
		elif [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
			# Every case passed but the binary failed: group setup, leak or sanitizer at exit.
			record FAIL "unit/$name" "exited with status $status after its cases passed (see $log)"
			bad=1
		fi
		if [ "$bad" -ne 0 ]; then
			echo "--- $log (last 30 lines) ---"
			tail -n 30 "$log"
			echo "---"
		fi
	done
}

run_fuzz() {
	names=$(declared FUZZERS tests/fuzz/*.mk)
	if [ -z "$names" ]; then
		record FAIL fuzz "no fuzzers declared in tests/fuzz/*.mk"
		return
	fi
	for name in $names; do
		bin=$BUILD/tests/fuzz/$name
		log=$logs/fuzz-$name.log
		if [ ! -x "$bin" ]; then
			record FAIL "fuzz/$name" "$bin not built"
			continue
		fi
		# New inputs go to a scratch corpus (the first dir), never into the repo's seeds.
		work=$BUILD/tests/fuzz-work/$name
		rm -rf "$work"
		mkdir -p "$work"
		seeds=""
		[ -d "tests/fuzz/corpus/$name" ] && seeds=tests/fuzz/corpus/$name
		start=$(date +%s)
		status=0
		# shellcheck disable=SC2086 # $seeds is empty or one directory
		timeout -s KILL 400 "$bin" -runs=100000 -seed=1 -max_total_time=300 -timeout=10 \
			-print_final_stats=1 -artifact_prefix="$logs/fuzz-$name-" \
			"$work" $seeds >"$log" 2>&1 </dev/null || status=$?
		secs=$(($(date +%s) - start))
		if [ "$status" -eq 0 ]; then
			record PASS "fuzz/$name" "${secs}s"
		else
			what=$(grep -m 1 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|deadly signal|timeout' "$log" || true)
			record FAIL "fuzz/$name" "status $status${what:+: $what} (see $log)"
			echo "--- $log (last 30 lines) ---"
			tail -n 30 "$log"
			echo "---"
		fi
	done
}

run_tools() {
	count=0
	for script in tests/tools/*.sh; do
		[ -f "$script" ] || continue
		name=$(basename "$script" .sh)
		log=$logs/tools-$name.log
		count=$((count + 1))
		bin=$BUILD/tools/keel-$name
		if [ ! -x "$bin" ]; then
			record FAIL "tools/$name" "$bin not built"
			continue
		fi
		status=0
		timeout -s KILL 120 sh "$script" "$bin" >"$log" 2>&1 </dev/null || status=$?
		results_here=0
		while IFS= read -r line; do
			case $line in
			"PASS "*) record PASS "tools/$name/${line#PASS }"; results_here=$((results_here + 1)) ;;
			"FAIL "*)
				item=${line#FAIL }
				record FAIL "tools/$name/${item%%:*}" "${item#*: }"
				results_here=$((results_here + 1))
				;;
			esac
		done <"$log"
		[ "$results_here" -gt 0 ] || record FAIL "tools/$name" "no results (status $status, see $log)"
	done
	[ "$count" -gt 0 ] || record FAIL tools "no tests/tools/*.sh"
}

# Boot tests: a small job pool; each test's output is shown whole when it finishes.
boot_running=""
boot_reap() { # boot_reap 1: wait for all; boot_reap 0: collect the finished ones
	while :; do
		still=""
		for job in $boot_running; do
			rpid=${job%%:*}
			rname=${job#*:}
			if kill -0 "$rpid" 2>/dev/null; then
				still="$still $job"
				continue
			fi
			rstatus=0
			wait "$rpid" || rstatus=$?
			rout=$logs/boot-$rname.out
			rfirst=$(head -n 1 "$rout")
			case "$rfirst" in
			"PASS boot/$rname"*)
				rsecs=${rfirst#"PASS boot/$rname ("}
				record PASS "boot/$rname" "${rsecs%)}"
				;;
			*)
				rreason=${rfirst#"FAIL boot/$rname: "}
				[ -n "$rreason" ] || rreason="boot-test.sh exited with status $rstatus"
				record FAIL "boot/$rname" "$rreason"
				tail -n +2 "$rout"
				;;
			esac
		done
		boot_running=$still
		if [ "$1" != 1 ] || [ -z "$boot_running" ]; then
			break
		fi
		sleep 0.5
	done
}

run_boot() {
	jobs=${KEEL_TEST_JOBS:-2}
	pattern=${KEEL_BOOT_TESTS:-*}
	count=0
	skipped=0
	# The slow Linux boots first, so that the short tests fill the other job slots meanwhile.
	slow='^NEEDS=\(linux\|dom0\)'
	for file in $(grep -l "$slow" tests/boot/*.test) $(grep -L "$slow" tests/boot/*.test); do
		[ -f "$file" ] || continue
		name=$(basename "$file" .test)
		# shellcheck disable=SC2254 # $pattern is a glob on purpose
		case "$name" in
		$pattern) ;;
		*) continue ;;
		esac
		if [ "${KEEL_LINUX_TESTS:-1}" != 1 ] && grep -q "$slow" "$file"; then
			echo "SKIP boot/$name (NEEDS=linux or dom0: KEEL_LINUX_TESTS=0 skips it)"
			skipped=$((skipped + 1))
			continue
		fi
		count=$((count + 1))
		while :; do
			boot_reap 0
			# shellcheck disable=SC2086 # count the running jobs
			set -- $boot_running
			[ $# -ge "$jobs" ] || break
			sleep 0.5
		done
		sh scripts/boot-test.sh "$file" >"$logs/boot-$name.out" 2>&1 </dev/null &
		boot_running="$boot_running $!:$name"
	done
	boot_reap 1
	[ "$count" -gt 0 ] || [ "$skipped" -gt 0 ] ||
		record FAIL boot "no boot tests matching '$pattern' in tests/boot/"
}

trap 'for job in $boot_running; do kill -TERM "${job%%:*}" 2>/dev/null || true; done; exit 130' INT TERM

[ $# -gt 0 ] || set -- unit fuzz tools boot
for part in "$@"; do
	case "$part" in
	unit) echo "== unit tests ==" && run_unit ;;
	fuzz) echo "== fuzz smoke runs ==" && run_fuzz ;;
	tools) echo "== tools tests ==" && run_tools ;;
	boot) echo "== boot tests ==" && run_boot ;;
	*) echo "run-tests: unknown part '$part' (unit, fuzz, tools, boot)" >&2 && exit 2 ;;
	esac
done

printf 'SUMMARY%spassed=%d%sfailed=%d\n' "$tab" "$passed" "$tab" "$failed" >>"$results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
