#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), with the dictionaries and seeds
# kept here, and prints what each did. A crash stops the script with libFuzzer's report
# and the input that caused it (under artifacts/).
#
#   core/fuzz/run.sh 60        # the bounded run of make test
#   core/fuzz/run.sh 600       # a longer hunt (figures go to SECURITY.md)
#
# Built without a sanitizer (-s none): the core has no unsafe code, and AddressSanitizer
# needs a nightly compiler. Coverage instrumentation works on stable.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo fuzz build -s none
for target in verify policy permission command covers http claims; do
  case $target in
    policy | claims) dict=dicts/policy.dict ;;
    *) dict=dicts/capability.dict ;;
  esac
  mkdir -p "corpus/$target"
  seeds=()
  [ -d "seeds/$target" ] && seeds=("seeds/$target")
  log=$(mktemp)
  if ! cargo fuzz run -s none "$target" "corpus/$target" "${seeds[@]}" -- \
      -max_total_time="$seconds" -dict="$dict" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      >"$log" 2>&1; then
    cat "$log" >&2
    echo "fuzz: $target FAILED (see above)" >&2
    exit 1
  fi
  runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  echo "fuzz: $target ok: $runs executions in ${seconds}s, corpus $(ls "corpus/$target" | wc -l) inputs"
  rm -f "$log"
done
