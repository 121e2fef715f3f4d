#!/usr/bin/env bash
# Training throughput of `realtimeseg train --arch small` against a bare torchvision loop (bench/train_bare.py)
# on the same data and model, interleaved ROUNDS times: the progress, checks, checkpoints and event stream of
# train must not slow training. train's figure is the wall time of its loop with validation taken out (the
# summary's "wall time of the training loop"); the bare loop's is its own wall time. Prints each round, the
# medians and their ratio (train / bare; 1.0 = no cost).
#   bench/train-throughput.sh [ITERATIONS] [ROUNDS]      defaults: 40 iterations of batch 4 at 320x240, 3 rounds
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
iterations="${1:-40}" rounds="${2:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"

# The demo model's data at a tenth of its size: 400 training pictures of 320x240, 20 held out.
./realtimeseg synth-dataset --out "$work/data" --train 400 --val 20 --size 320x240 --seed 1 >/dev/null 2>&1
options=(--arch small --iterations "$iterations" --batch 4 --lr 0.02 --size 240 --threads 2 --seed 1 --eval-every 100000)

t=() b=()
for ((i = 1; i <= rounds; i++)); do
  rm -rf "$work/run"
  ./realtimeseg train --data "$work/data" --out "$work/run" "${options[@]}" >"$work/train.log" 2>&1 ||
    { cat "$work/train.log" >&2; exit 1; }
  t+=("$(sed -n 's/.*wall time of the training loop.*, \([0-9.]*\) images\/s$/\1/p' "$work/run/training/summary.md")")
  line="$(/usr/bin/python3 bench/train_bare.py --data "$work/run/dataset" --iterations "$iterations" --batch 4 --size 240 --threads 2)"
  b+=("$(awk '{ printf "%.3f", $4 / $6 }' <<<"$line")")
  echo "round $i: train ${t[-1]} images/s, bare torchvision loop ${b[-1]} images/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mt="$(median "${t[@]}")" mb="$(median "${b[@]}")"
echo "median: train $mt images/s, bare $mb images/s, ratio $(awk -v a="$mt" -v b="$mb" 'BEGIN { printf "%.3f", a / b }')"
