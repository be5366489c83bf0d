#!/usr/bin/env bash
# Builds a fuzzer and runs it for a while, then prints what it did.
#
#   Fuzz/run.sh [decoder|transcript] [SECONDS] [libFuzzer options…]
#
# Defaults: decoder, 60 seconds. Seeds come fresh from the transcripts (seed.py); the
# corpus libFuzzer grows is kept in Fuzz/corpus/TARGET between runs; crashes, timeouts
# and OOMs are written to Fuzz/artifacts/TARGET/; the full log to Fuzz/logs/. Extra
# arguments go to libFuzzer as they are (e.g. -runs=0 to replay the corpus, or a crash
# file to reproduce it). Exit status: libFuzzer's (0 unless it found something).
set -euo pipefail
cd "$(dirname "$0")"

target=${1:-decoder}
seconds=${2:-60}
shift $(( $# > 2 ? 2 : $# ))
case $target in
    decoder | DecoderFuzzer) target=decoder product=DecoderFuzzer ;;
    transcript | TranscriptFuzzer) target=transcript product=TranscriptFuzzer ;;
    *) echo "usage: $0 [decoder|transcript] [seconds] [libFuzzer options…]" >&2; exit 2 ;;
esac

# Release (the fuzzer should run at the speed the decoder runs), with libFuzzer's
# coverage instrumentation and AddressSanitizer on every Swift module built here: the
# main package's Store and transcript reader (symlinked), swift-collections' Deque, the
# fuzzers. Swift's own checks (bounds, overflow, force unwraps) trap in release too.
swift build -c release --product "$product" -Xswiftc -sanitize=fuzzer,address >&2
binary=$(swift build -c release --show-bin-path -Xswiftc -sanitize=fuzzer,address)/$product

python3 seed.py >&2
mkdir -p "corpus/$target" "artifacts/$target" logs
log="logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log"

# -timeout: an input taking 10 s is a hang (the slowest real transcript takes
# milliseconds). The first directory is the corpus libFuzzer writes to, the second the
# seeds it only reads.
status=0
"$binary" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -artifact_prefix="artifacts/$target/" "$@" "corpus/$target" "seeds/$target" 2>&1 | tee "$log" >&2 || status=$?

# Summary: libFuzzer's last status line (cov: edges/blocks reached, ft: features) and
# its final stats.
last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
stat() { grep -E "^stat::$1:" "$log" | awk '{print $2}' | tail -1; }
field() { sed -nE "s/.* $1: ([0-9]+[a-zA-Z]*(\/[0-9]+[a-zA-Z]*)?).*/\1/p" <<<"$last"; }
corpus_files=$(find "corpus/$target" -type f | wc -l)
corpus_bytes=$(du -sb "corpus/$target" | cut -f1)
artifacts=$(find "artifacts/$target" -type f | wc -l)
echo
echo "target:      $product ($seconds s)"
echo "executions:  $(stat number_of_executed_units)"
echo "exec/s:      $(stat average_exec_per_sec)"
echo "cov:         $(field cov)"
echo "ft:          $(field ft)"
echo "corpus:      $corpus_files files, $corpus_bytes bytes (Fuzz/corpus/$target); libFuzzer's corp: $(field corp)"
echo "peak RSS:    $(stat peak_rss_mb) MB"
echo "artifacts:   $artifacts in Fuzz/artifacts/$target/ $( ((artifacts)) && ls "artifacts/$target" | tr '\n' ' ')"
echo "log:         Fuzz/$log"
exit $status
