#!/bin/sh
# scripts/check.sh: `make check`: cppcheck, clang-tidy, clang-format, shellcheck, headers compiling alone.
#
# Usage: check.sh [--fix-format] [cppcheck] [tidy] [format] [shell] [headers]   (default: all five)
#   --fix-format   rewrite the C files in place with clang-format -i (and check nothing else)
# Prints every finding, then a summary; exits 1 if any check found anything.
# cppcheck suppressions live in scripts/cppcheck.supp (each one explained there); inline ones are
# "// cppcheck-suppress ID" on the line before. clang-tidy checks are chosen below, with reasons.
set -eu

cd "$(dirname "$0")/.."
HV_DIRS="arch common drivers"
FORMAT_DIRS="arch common drivers include tests guests tools"
JOBS=$(nproc 2>/dev/null || echo 2)

# C sources and headers under the given directories (those that exist), sorted.
c_files() {
	dirs=""
	for d in "$@"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	[ -n "$dirs" ] || return 0
	# shellcheck disable=SC2086 # $dirs is a list of directories
	find $dirs -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort
}

if [ "${1:-}" = "--fix-format" ]; then
	# shellcheck disable=SC2086 # a list of directories
	c_files $FORMAT_DIRS >"${TMPDIR:-/tmp}/keel-format.$$"
	xargs -r clang-format -i <"${TMPDIR:-/tmp}/keel-format.$$"
	echo "check: formatted $(wc -l <"${TMPDIR:-/tmp}/keel-format.$$") files with clang-format"
	rm -f "${TMPDIR:-/tmp}/keel-format.$$"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
summary=""
bad=0
note() { # note NAME COUNT WHAT
	if [ "$2" -eq 0 ]; then
		summary="$summary
check: $1: clean"
	else
		summary="$summary
check: $1: $2 $3"
		bad=$((bad + 1))
	fi
}

run_cppcheck() {
	echo "== cppcheck =="
	# -D__x86_64__ checks the one configuration Keel is built in (like the compiler would).
	# shellcheck disable=SC2086 # $HV_DIRS is a list of directories
	cppcheck -q -j "$JOBS" --std=c11 --platform=unix64 -D__x86_64__ \
		--enable=warning,style,performance,portability --inline-suppr \
		--suppressions-list=scripts/cppcheck.supp \
		--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
		-I include -I arch/x86/include $HV_DIRS >"$tmp/cppcheck" 2>&1 || true
	cat "$tmp/cppcheck"
	n=$(grep -cE ': (error|warning|style|performance|portability|information): .*\[[A-Za-z0-9_]+\]$' \
		"$tmp/cppcheck" || true)
	note cppcheck "$n" "finding(s)"
}

# Checks: bugprone-* and the static analyzer, minus
#   bugprone-easily-swappable-parameters  style opinion, fires on most (u64, u64) functions
#   bugprone-reserved-identifier          a kernel defines __packed, __start_* and friends
#   bugprone-narrowing-conversions        fires on every intentional truncation in low-level code
#   clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
#                                         wants C11 Annex K memcpy_s instead of memcpy/memset
TIDY_CHECKS='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier'
TIDY_CHECKS="$TIDY_CHECKS,-bugprone-narrowing-conversions,clang-analyzer-*"
TIDY_CHECKS="$TIDY_CHECKS,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling"

# The hypervisor's compiler flags, taken from the Makefile (HV_CFLAGS) and made clang-friendly:
# clang's own builtin headers replace gcc's, dependency files and -Werror are dropped (findings
# are counted here instead).
tidy_flags() {
	clang_inc="$(clang -print-resource-dir)/include"
	# shellcheck disable=SC2016 # $(HV_CFLAGS) is for make
	flags=$(make -s --no-print-directory \
		--eval 'keel-check-print-cflags: ; @echo $(HV_CFLAGS)' keel-check-print-cflags 2>/dev/null ||
		true)
	if [ -z "$flags" ]; then
		flags="-std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
		flags="$flags -Wpointer-arith -Wundef -Wvla -Wno-unused-parameter -ffreestanding"
		flags="$flags -fno-builtin -nostdinc -fno-stack-protector -fno-pic -fno-pie -fno-common"
		flags="$flags -mno-red-zone -mcmodel=kernel -mgeneral-regs-only -mno-sse -mno-mmx"
		flags="$flags -mno-80387 -fcf-protection=none -Iinclude -Iarch/x86/include"
	fi
	out=""
	skip=0
	for f in $flags; do
		if [ "$skip" = 1 ]; then
			skip=0
			continue
		fi
		case "$f" in
		-isystem) skip=1 ;;
		-MMD | -MP | -Werror | -O* | -g) ;;
		*) out="$out $f" ;;
		esac
	done
	echo "$out -isystem $clang_inc -Wno-unknown-warning-option"
}

run_tidy() {
	echo "== clang-tidy =="
	flags=$(tidy_flags)
	# shellcheck disable=SC2086 # a list of directories
	c_files $HV_DIRS | grep '\.c$' >"$tmp/tidy-files" || true
	mkdir -p "$tmp/tidy"
	# One file per clang-tidy process: clang-tidy 14's analyzer reports false va_list errors
	# when one process handles several files.
	export TIDY_CHECKS flags tmp
	# shellcheck disable=SC2016 # expanded by the inner shell
	xargs -r -P "$JOBS" -n 1 sh -c '
		out="$tmp/tidy/$(echo "$1" | tr / _).out"
		# shellcheck disable=SC2086
		clang-tidy -quiet --checks="$TIDY_CHECKS" --header-filter=".*" "$1" -- $flags \
			>"$out" 2>&1 || echo "$1: error: clang-tidy failed [clang-tidy]" >>"$out"
	' sh <"$tmp/tidy-files"
	# A header's findings repeat once per file including it: print each once.
	cat "$tmp"/tidy/*.out 2>/dev/null |
		sed "s|^$(pwd)/||" |
		grep -E '^[^ ].*: (warning|error): .*\[[A-Za-z0-9.,_-]+\]$' | LC_ALL=C sort -u >"$tmp/tidy-findings" || true
	# Show each finding once, with up to 12 lines of clang-tidy's context and notes.
	cat "$tmp"/tidy/*.out 2>/dev/null | sed "s|^$(pwd)/||" | awk -v list="$tmp/tidy-findings" '
		BEGIN { while ((getline l < list) > 0) want[l] = 1 }
		/^[0-9]+ (warning|error)s? .*generated\.$/ || /^Error while processing/ { next }
		/^[^ ].*: (warning|error): .*\[[A-Za-z0-9.,_-]+\]$/ {
			if (more > 0) print "    ... (" more " more lines of notes)"
			show = (want[$0] && !seen[$0]++)
			lines = 0
			more = 0
		}
		show && lines < 12 { print; lines++; next }
		show { more++ }
		END { if (more > 0) print "    ... (" more " more lines of notes)" }'
	n=$(wc -l <"$tmp/tidy-findings")
	note clang-tidy "$n" "finding(s) in $(wc -l <"$tmp/tidy-files") files"
}

run_format() {
	echo "== clang-format =="
	# shellcheck disable=SC2086 # a list of directories
	c_files $FORMAT_DIRS >"$tmp/format-files"
	: >"$tmp/format-bad"
	while IFS= read -r f; do
		clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f" >>"$tmp/format-bad"
	done <"$tmp/format-files"
	sed 's/$/: not clang-formatted/' "$tmp/format-bad"
	n=$(wc -l <"$tmp/format-bad")
	note clang-format "$n" "file(s) need formatting (make format)"
}

run_shell() {
	echo "== shellcheck =="
	if ! command -v shellcheck >/dev/null 2>&1; then
		echo "shellcheck is not installed (scripts/deps.sh installs it)"
		note shellcheck 1 "problem: not installed"
		return
	fi
	files=$(ls scripts/*.sh scripts/*.bash .ci/run guests/linux/dom0/init 2>/dev/null || true)
	n=0
	if [ -n "$files" ]; then
		# shellcheck disable=SC2086 # $files is a list of paths without spaces
		shellcheck -f gcc $files >"$tmp/shellcheck" 2>&1 || true
		cat "$tmp/shellcheck"
		n=$(grep -c ': \(error\|warning\|note\|info\|style\): ' "$tmp/shellcheck" || true)
	fi
	note shellcheck "$n" "finding(s)"
}

# Every header compiles on its own: the hypervisor's with its own flags (HV_CFLAGS), and the guest
# ABI (include/public/) also as plain ISO C11 with -pedantic, since guests and tools of any kind
# include it.
run_headers() {
	echo "== headers =="
	# shellcheck disable=SC2016 # $(HV_CFLAGS) is for make
	flags=$(make -s --no-print-directory \
		--eval 'keel-check-print-cflags: ; @echo $(HV_CFLAGS)' keel-check-print-cflags 2>/dev/null)
	flags=$(echo "$flags" | sed 's/-MMD//; s/-MP//')
	# shellcheck disable=SC2086 # a list of directories
	find include arch/x86/include common drivers -name '*.h' | LC_ALL=C sort >"$tmp/headers"
	: >"$tmp/headers-bad"
	while IFS= read -r h; do
		printf '#include "%s"\n' "$(pwd)/$h" >"$tmp/hdr.c"
		# shellcheck disable=SC2086 # $flags is a list of compiler flags
		gcc $flags -fsyntax-only "$tmp/hdr.c" >"$tmp/hdr.out" 2>&1 ||
			{ echo "$h: error: does not compile on its own [headers]"; head -n 5 "$tmp/hdr.out"; echo "$h" >>"$tmp/headers-bad"; }
		case "$h" in
		include/public/*)
			printf '#include "%s"\ntypedef int keel_header_check;\n' "$(pwd)/$h" >"$tmp/hdr.c"
			gcc -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only "$tmp/hdr.c" \
				>"$tmp/hdr.out" 2>&1 ||
				{ echo "$h: error: not self-contained ISO C11 [headers]"; head -n 5 "$tmp/hdr.out"; echo "$h" >>"$tmp/headers-bad"; }
			;;
		esac
	done <"$tmp/headers"
	n=$(wc -l <"$tmp/headers-bad")
	note headers "$n" "header(s) that do not compile alone, of $(wc -l <"$tmp/headers")"
}

[ $# -gt 0 ] || set -- cppcheck tidy format shell headers
for part in "$@"; do
	case "$part" in
	cppcheck) run_cppcheck ;;
	tidy) run_tidy ;;
	format) run_format ;;
	shell) run_shell ;;
	headers) run_headers ;;
	*) echo "check: unknown part '$part' (cppcheck, tidy, format, shell, headers)" >&2 && exit 2 ;;
	esac
done

echo "$summary" | sed '/^$/d'
if [ "$bad" -ne 0 ]; then
	echo "check: FAILED ($bad check(s) with findings)"
	exit 1
fi
echo "check: all clean"
