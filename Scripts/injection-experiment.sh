#!/usr/bin/env bash
# The injection experiment: proves what the performance gate and `agingbench ab` catch.
#
#   Scripts/injection-experiment.sh [A/A RUNS] [AB ROUNDS]     (defaults 10 and 20; about 15 minutes)
#
# Builds agingbench with the injection knob compiled in (-DAGINGBENCH_INJECT, scratch path
# .build-inject; no other build has it), then, on x86-tdp:
#  1. Instruction counts (`run --count instructions`, the gate's third sweep at 16M): a baseline
#     file, then A/A RUNS further counts and counts with work injected into the aging walk and into
#     the fault path, sized to add 2%, 5% and 20% of the instructions per notifier call and per
#     fault; each judged by `baseline check --baseline` (the gate's settings: 1%).
#  2. `agingbench ab` at AB ROUNDS rounds on its default cells at x86-tdp only: A/A RUNS runs of
#     the build against itself, and one run against each injected build, the injected work set
#     through a wrapper that exports it (ab itself sees two executables; A's wrapper exports 0).
# Prints the detection table (change × method × detected or missed) in Markdown. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
rounds=${2:-20}
swift build -c release -Xswiftc -DAGINGBENCH_INJECT --scratch-path .build-inject >&2
bin=$PWD/.build-inject/release/agingbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

count() { # OUTPUT [VAR=VALUE ...]: instruction counts of x86-tdp with the given injection
  local output=$1; shift
  env "$@" "$bin" run --count instructions --aging-only --costs raw --memory 16M --vcpus 1 --passes 3 \
    --repetitions 2 --backends x86-tdp --quiet --output "$output" >/dev/null
}
column() { # FILE COLUMN: the first row's value
  python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))[sys.argv[2]])' "$1" "$2"
}
gate() { # FILE: detected or missed against the baseline count
  if "$bin" baseline check "$1" --baseline "$work/base.csv" >/dev/null 2>&1; then echo missed; else
    [ $? -eq 1 ] && echo detected || echo error; fi
}

count "$work/base.csv"
count "$work/slope-walk.csv" AGINGBENCH_INJECT_AGING=1000
count "$work/slope-fault.csv" AGINGBENCH_INJECT_FAULT=1000
per_call=$(column "$work/base.csv" instructions_per_notifier_call)
per_fault=$(column "$work/base.csv" instructions_per_fault)
walk_slope=$(python3 -c "print(($(column "$work/slope-walk.csv" instructions_per_notifier_call) - $per_call) / 1000)")
fault_slope=$(python3 -c "print(($(column "$work/slope-fault.csv" instructions_per_fault) - $per_fault) / 1000)")
echo "x86-tdp: $per_call instructions per notifier call, $per_fault per fault; an injected iteration adds $walk_slope (walk), $fault_slope (fault)" >&2

echo "| change | where | method | result |"
echo "|---|---|---|---|"
false_alarms=0
for i in $(seq "$runs"); do
  count "$work/aa-$i.csv"
  [ "$(gate "$work/aa-$i.csv")" = missed ] || false_alarms=$((false_alarms + 1))
done
echo "| none (A/A, $runs runs) | — | instruction gate | $false_alarms false alarms |"

declare -A walk_iterations fault_iterations
for percent in 2 5 20; do
  walk_iterations[$percent]=$(python3 -c "print(round($percent / 100 * $per_call / $walk_slope))")
  fault_iterations[$percent]=$(python3 -c "print(round($percent / 100 * $per_fault / $fault_slope))")
  count "$work/walk-$percent.csv" AGINGBENCH_INJECT_AGING="${walk_iterations[$percent]}"
  added=$(python3 -c "print(round(100 * ($(column "$work/walk-$percent.csv" instructions_per_notifier_call) / $per_call - 1), 2))")
  echo "| +$percent% (measured +$added%) | aging walk | instruction gate | $(gate "$work/walk-$percent.csv") |"
  count "$work/fault-$percent.csv" AGINGBENCH_INJECT_FAULT="${fault_iterations[$percent]}"
  added=$(python3 -c "print(round(100 * ($(column "$work/fault-$percent.csv" instructions_per_fault) / $per_fault - 1), 2))")
  echo "| +$percent% (measured +$added%) | fault path | instruction gate | $(gate "$work/fault-$percent.csv") |"
done

ab() { # B-EXECUTABLE: detected or missed, and B ÷ A of the pass and populate
  local status=0
  "$bin" ab "$(wrapper A AGINGBENCH_INJECT_AGING=000000)" "$1" --rounds "$rounds" --quiet --json "$work/ab.json" \
    -- --aging-only --costs raw --memory 4G --vcpus 1 --passes 20 --backends x86-tdp >/dev/null 2>&1 || status=$?
  local ratios
  ratios=$(python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
ratio = {c["metric"]: c["ratio"] for c in report["comparisons"]}
print("pass %.3f×, populate %.3f×" % (ratio["pass_avg_s"], ratio["populate_s"]))' "$work/ab.json")
  case $status in 0) echo "missed ($ratios)";; 1) echo "detected ($ratios)";; *) echo "error $status";; esac
}
wrapper() { # NAME VAR=VALUE: an executable that runs the injected build with VAR set. Values are
  # padded to six digits and A gets one too, so A and B start with environments of one size: the
  # size moves the stack's alignment, which moved the pass by up to 1.5x in a first trial.
  local name=${2%%=*} value
  value=$(printf '%06d' "${2#*=}")
  printf '#!/bin/sh\nexport %s=%s\nexec %s "$@"\n' "$name" "$value" "$bin" > "$work/$1"
  chmod +x "$work/$1"
  echo "$work/$1"
}
false_alarms=0
for i in $(seq "$runs"); do
  result=$(ab "$(wrapper B AGINGBENCH_INJECT_AGING=0)")
  case $result in missed*) ;; *) false_alarms=$((false_alarms + 1)); echo "A/A run $i: $result" >&2;; esac
done
echo "| none (A/A, $runs runs) | — | ab, $rounds rounds | $false_alarms false alarms |"
for percent in 2 5 20; do
  echo "| +$percent% | aging walk | ab, $rounds rounds | $(ab "$(wrapper "walk-$percent" AGINGBENCH_INJECT_AGING="${walk_iterations[$percent]}")") |"
  echo "| +$percent% | fault path | ab, $rounds rounds | $(ab "$(wrapper "fault-$percent" AGINGBENCH_INJECT_FAULT="${fault_iterations[$percent]}")") |"
done
