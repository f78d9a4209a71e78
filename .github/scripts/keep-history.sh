#!/usr/bin/env bash
# Keeps the benchmark history on a branch of its own: fetches the branch's history.csv (or starts
# one), appends RESULTS's medians as COMMIT, redraws the trend charts and pushes the branch back.
#
#   keep-history.sh RESULTS COMMIT
#
# Environment: AGINGBENCH (default .build/release/agingbench), HISTORY_REMOTE (a remote name or URL,
# default origin), HISTORY_BRANCH (default bench-history).
#
# Why a branch and not the previous run's artifact: artifacts expire (90 days by default) and
# finding the last one takes an API call per run, while a branch keeps every commit's medians for
# good, is read with plain git, and never dirties main. Two runs that race are serialized by the
# workflow's concurrency group; should a push still be refused, the step starts again from the
# branch as it is now (three tries), so no run's medians overwrite another's.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: keep-history.sh RESULTS COMMIT" >&2; exit 2; }
results=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
commit=$2
agingbench=${AGINGBENCH:-.build/release/agingbench}
agingbench=$(cd "$(dirname "$agingbench")" && pwd)/$(basename "$agingbench")
remote=${HISTORY_REMOTE:-origin}
branch=${HISTORY_BRANCH:-bench-history}
# A remote name means the repository this script runs in; anything else is a URL or path.
if git remote get-url "$remote" >/dev/null 2>&1; then remote=$(git remote get-url "$remote"); fi

for attempt in 1 2 3; do
  work=$(mktemp -d)
  if git ls-remote --exit-code --heads "$remote" "$branch" >/dev/null 2>&1; then
    git clone --quiet --depth 1 --branch "$branch" --single-branch "$remote" "$work"
  else
    git init --quiet "$work"
    git -C "$work" checkout --quiet --orphan "$branch"
  fi
  "$agingbench" history append "$results" --commit "$commit" --history "$work/history.csv"
  mkdir -p "$work/charts"
  "$agingbench" history plot --history "$work/history.csv" --output-directory "$work/charts"
  git -C "$work" add history.csv charts
  git -C "$work" -c user.name="agingbench history" -c user.email="agingbench-history@users.noreply.github.com" \
    commit --quiet -m "history: $commit"
  if git -C "$work" push --quiet "$remote" "HEAD:refs/heads/$branch"; then
    rm -rf "$work"
    echo "history: $commit appended on $branch"
    exit 0
  fi
  rm -rf "$work"
  echo "history: push refused (try $attempt of 3); starting again from the branch as it is now" >&2
done
echo "history: could not push $branch" >&2
exit 1
