#!/usr/bin/env bash
# Regenerates the Sudoku and maze sample and evaluation sets in this folder with `trm gen`.
# Every set is fixed by its seed: running this again reproduces the committed files byte for byte.
# Evaluation sets use held-out solution grids (Sudoku) or seeds no training run uses (mazes: the
# trainer draws from seeds below 1,000,000; these use 1,000,000 and up).
set -euo pipefail
cd "$(dirname "$0")"
trm() { cargo run -q --release -p trm-cli -- "$@"; }

mkdir -p sudoku/samples sudoku/eval maze/samples maze/eval
for size in 4 6 9; do
  for tier in easy medium hard extreme; do
    trm gen sudoku --size "$size" --tier "$tier" --count 20 --seed "$size" \
      --solutions "sudoku/samples/${size}x${size}-${tier}.solutions.txt" > "sudoku/samples/${size}x${size}-${tier}.txt"
  done
done
for set in "4 medium" "6 hard" "9 easy" "9 medium" "9 hard" "9 extreme"; do
  read -r size tier <<< "$set"
  count=1000
  trm gen sudoku --size "$size" --tier "$tier" --count "$count" --seed 1000000 --split held-out \
    --solutions "sudoku/eval/${size}x${size}-${tier}.solutions.txt" > "sudoku/eval/${size}x${size}-${tier}.txt"
done
for side in 9 15 30; do
  for tier in easy medium hard; do
    trm gen maze --size "$side" --tier "$tier" --count 10 --seed "$side" \
      --solutions "maze/samples/${side}x${side}-${tier}.solutions.txt" > "maze/samples/${side}x${side}-${tier}.txt"
  done
done
# The playground's 11×11 maze samples: a seed that neither the trainer (seed 1) nor the evaluation
# set (seed 1000000) uses.
for tier in easy medium hard; do
  trm gen maze --size 11 --tier "$tier" --count 10 --seed 424242 \
    --solutions "maze/samples/11x11-${tier}.solutions.txt" > "maze/samples/11x11-${tier}.txt"
done
for set in "11 hard" "15 hard" "30 hard"; do
  read -r side tier <<< "$set"
  trm gen maze --size "$side" --tier "$tier" --count 1000 --seed 1000000 \
    --solutions "maze/eval/${side}x${side}-${tier}.solutions.txt" > "maze/eval/${side}x${side}-${tier}.txt"
done
