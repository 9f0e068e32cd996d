#!/usr/bin/env bash
# Trains the sample model in samples/models/gpt2-kjv-12L from scratch, seeded and reproducible.
# Needs Debian's bible-kjv package (the King James Bible, public domain) for the corpus.
#   samples/train-sample-model.sh [work-dir]     (~40 min on 2 cores)
# Then export the checkpoint into the Hugging Face folder format:
#   dotnet run -c Release --project tools/SampleTrainer -- export <work-dir>/sample-training.ckpt samples/models/gpt2-kjv-12L
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$here/artifacts/sample-training}"
mkdir -p "$work"
command -v bible >/dev/null || { echo "install the corpus first: apt-get install bible-kjv" >&2; exit 1; }
# glibc's default allocator returns libtorch's large buffers to the OS on every step; these keep them (~40% faster here)
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=1073741824
# build into the work folder so rebuilding the repo cannot touch the running trainer
dotnet build -c Release "$here/tools/SampleTrainer" -o "$work/bin" >/dev/null
"$work/bin/SampleTrainer" \
  --steps 800 --batch 8 --block 256 --lr 3e-3 --seed 1611 --threads 2 --eval-every 200 \
  --checkpoint "$work/sample-training.ckpt" | tee "$work/training.log"
