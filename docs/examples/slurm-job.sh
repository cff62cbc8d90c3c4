#!/bin/bash
# reportedly on SLURM without dask-jobqueue: one job, a Dask scheduler on the first node,
# one Dask worker process per CPU on every node, then `reportedly ingest --engine dask`.
#
#   sbatch docs/examples/slurm-job.sh /scratch/$USER/corpus/*.jsonl
#
# Everything the workers and the client share (the store, its Parquet staging directory,
# the scheduler file) must be on a file system every node sees: $SHARED below.
#SBATCH --job-name=reportedly-ingest
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=16
#SBATCH --mem-per-cpu=1500M           # ~700 MB per worker process (model + a partition), with room
#SBATCH --time=04:00:00
#SBATCH --output=reportedly-%j.log

set -euo pipefail

SHARED=${SHARED:-/scratch/$USER/reportedly}          # a shared (parallel) file system
VENV=${VENV:-$HOME/reportedly/.venv}                 # pip install 'reportedly[dask,model]'
mkdir -p "$SHARED"
SCHEDULER_FILE="$SHARED/scheduler-$SLURM_JOB_ID.json"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1   # one core per worker process

# The scheduler: a single process on the first node of the allocation.
srun --nodes=1 --ntasks=1 --cpus-per-task=1 --overlap \
    "$VENV/bin/dask" scheduler --scheduler-file "$SCHEDULER_FILE" &

# Workers: on every node, one process per CPU, one thread each (spaCy is not thread-parallel;
# each process loads the model once, then takes partition after partition).
srun --ntasks-per-node=1 --overlap \
    "$VENV/bin/dask" worker --scheduler-file "$SCHEDULER_FILE" \
    --nworkers "$SLURM_CPUS_PER_TASK" --nthreads 1 --memory-limit 1400MB \
    --local-directory "${TMPDIR:-/tmp}" &

# Wait for the scheduler file, then for the workers to come up.
for _ in $(seq 120); do [ -s "$SCHEDULER_FILE" ] && break; sleep 1; done
ADDRESS=$("$VENV/bin/python" -c "import json,sys; print(json.load(open(sys.argv[1]))['address'])" "$SCHEDULER_FILE")
"$VENV/bin/python" - "$ADDRESS" "$((SLURM_NNODES * SLURM_CPUS_PER_TASK))" <<'PY'
import sys
from distributed import Client
with Client(sys.argv[1]) as client:
    client.wait_for_workers(int(sys.argv[2]), timeout=600)
PY

# The run: inputs split into partitions (JSON Lines files by line ranges, read by the
# workers), analysed on the workers, written as Parquet beside the store, loaded into it.
# Re-running the same job after a failure skips the documents already stored.
"$VENV/bin/reportedly" ingest "$@" --engine dask --scheduler "$ADDRESS" --db "$SHARED/reportedly.db"

"$VENV/bin/reportedly" corroborate --db "$SHARED/reportedly.db" || true   # cross-document, when wanted

kill %2 %1 2>/dev/null || true
