#!/bin/bash
# One GPU session: distillation students side by side on one GPU, MINUTES
# each, after a short check that falls back to float32 if bf16 autocast fails.
# RUNS=first (the session behind indexing/elmo/distilled/MODEL_CARD.md): four
# students from scratch or from the light LM-only biLM. RUNS=more: the shipped
# distilled biLM trained further (its losses were still falling), with its mix
# and sentence head, at two learning rates. Run from the repo root with CARRY
# holding teacher.pt (python -m indexing.elmo pack-teacher) and train.txt.gz
# (python -m indexing.elmo prepare, gzipped); results come back as float16
# weights in a tar split into 15 MB parts under $OUT.
set -u
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TOKENIZERS_PARALLELISM=true RAYON_NUM_THREADS=3 OMP_NUM_THREADS=2
C=${CARRY:-.devrun/carry}
DEV=${DEV:-cuda}
M=${MINUTES:-6.5}
CHECK_STEPS=${CHECK_STEPS:-20}
nvidia-smi -L 2>/dev/null
python3 -c "import torch,transformers,tokenizers;print(torch.__version__,transformers.__version__,tokenizers.__version__,torch.cuda.is_available())"
mkdir -p /tmp/ship/logs /tmp/runs
gunzip -c $C/train.txt.gz > /tmp/train.txt
head -c 2000000 /tmp/train.txt > /tmp/check.txt
check() {
  rm -rf /tmp/check
  timeout 150 python3 -m indexing.elmo distill --corpus /tmp/check.txt --out /tmp/check --teacher $C/teacher.pt \
    --init indexing/elmo/model --device $DEV --pairs 256 --max-steps $CHECK_STEPS --log-every 5 --threads 2 \
    --objectives lm sentence token contrastive >> /tmp/ship/logs/check.log 2>&1
}
if ! check; then
  echo "check with bf16 autocast failed:"; tail -25 /tmp/ship/logs/check.log
  export SENSESEARCH_DISTILL_AMP=0
  check || { tail -25 /tmp/ship/logs/check.log; cp /tmp/ship/logs/check.log $OUT/; exit 1; }
fi
grep '"step"' /tmp/ship/logs/check.log | tail -2
pids=()
run() {
  name=$1; shift
  python3 -m indexing.elmo distill --corpus /tmp/train.txt --out /tmp/runs/$name --teacher $C/teacher.pt \
    --device $DEV --pairs 256 --minutes $M --threads 2 --log-every 100 "$@" > /tmp/ship/logs/$name.log 2>&1 &
  pids+=($!)
}
if [ "${RUNS:-first}" = more ]; then
  names=(more2e3 more5e4)
  run more2e3 --init indexing/elmo/distilled --objectives lm sentence token --lr 2e-3
  run more5e4 --init indexing/elmo/distilled --objectives lm sentence token --lr 5e-4
else
  names=(distill contrastive medium both)
  run distill --init indexing/elmo/model --objectives lm sentence token
  run contrastive --init indexing/elmo/model --objectives lm contrastive
  run medium --preset medium --objectives lm sentence token
  run both --init indexing/elmo/model --objectives lm sentence token contrastive
fi
(while sleep 45; do nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>/dev/null; \
  for name in "${names[@]}"; do echo "$name $(grep '"step"' /tmp/ship/logs/$name.log | tail -1 | cut -c1-400)"; done; done) &
monitor=$!
for pid in "${pids[@]}"; do wait $pid; echo "job $pid exit $?"; done
kill $monitor
for name in "${names[@]}"; do tail -3 /tmp/ship/logs/$name.log; done
python3 - <<'PY'
import shutil, torch
from pathlib import Path
for run in Path("/tmp/runs").iterdir():
    model = run / "model"
    if not (model / "weights.pt").is_file():
        print("no model for", run.name); continue
    dest = Path("/tmp/ship") / run.name
    dest.mkdir(parents=True, exist_ok=True)
    state = torch.load(model / "weights.pt", map_location="cpu", weights_only=True)
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in state.items()}, dest / "weights.fp16.pt")
    for f in ("config.json", "heads.pt"):
        shutil.copy(model / f, dest / f)
    shutil.copy(run / "metrics.json", dest / "metrics.json")
PY
tar cf - -C /tmp ship | split -b 15m - $OUT/models.tar.part
ls -la $OUT
