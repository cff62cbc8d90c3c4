"""Ingest engines: where the analysis of many documents runs.

- ``local``: worker processes on this machine (``reportedly.batch``, ``Store.ingest``);
- ``dask``: a Dask cluster, a LocalCluster on a laptop or a SLURM/Kubernetes deployment
  (``reportedly.engines.dask``; needs the ``dask`` extra). Same records as ``local``.
"""

ENGINES: tuple[str, ...] = ("local", "dask")
