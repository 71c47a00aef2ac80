"""Reference values for the correlated-feature groups of churnlens's global
importance (issue #6): Spearman rank correlation by pandas and complete
linkage clustering by scipy.

    ~/.cache/churnlens/ref-venv-classify/bin/python reference/correlation_reference.py \
        crates/churnlens-models/tests/fixtures

Run in the environment of reference/requirements-classify.txt (Python 3.11,
pandas 2.3.3, numpy, scipy). Python is never a runtime or test dependency:
the output is committed as a fixture.

correlation_groups.json: 300 rows of 12 columns from
`np.random.default_rng(2026)` — three that follow one latent value, two
that follow another with opposite signs, one a monotone but non-linear
function of a third latent, a chain of three whose neighbours correlate
more than its ends (where complete linkage differs from single linkage),
ties (rounded values), and missing values (NaN) in two columns — with

* `DataFrame.corr(method="spearman")`: per pair, the rows where both are
  present, ranked with ties averaged, then Pearson's r of the ranks;
* `scipy.cluster.hierarchy.linkage(squareform(1 - |rho|), "complete")` and
  `fcluster(..., t=0.3, criterion="distance")` (no group holds two columns
  whose |rho| is below 0.7), once over all columns and once within each of
  two kinds (`kinds`) separately, as churnlens never groups
  columns of different kinds. The script checks that no distance lies
  within 1e-6 of the threshold, so float rounding cannot move a column.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

THRESHOLD = 0.3


def groups(rho: np.ndarray, members: list[int]) -> list[list[int]]:
    """Flat complete-linkage groups of `members`, each sorted, ordered by first member."""
    if len(members) == 1:
        return [members]
    sub = 1.0 - np.abs(rho[np.ix_(members, members)])
    np.fill_diagonal(sub, 0.0)
    assert np.all(np.abs(sub - THRESHOLD) > 1e-6), "a distance is too close to the threshold"
    labels = fcluster(linkage(squareform(sub, checks=False), "complete"), t=THRESHOLD, criterion="distance")
    out: dict[int, list[int]] = {}
    for member, label in zip(members, labels):
        out.setdefault(int(label), []).append(member)
    return sorted(out.values(), key=lambda g: g[0])


def main(out_dir: Path) -> None:
    rng = np.random.default_rng(2026)
    n = 300
    a, b, c = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    chain = rng.normal(size=n)
    chain_mid = chain + 0.75 * rng.normal(size=n)
    data = pd.DataFrame(
        {
            "a1": a + 0.3 * rng.normal(size=n),
            "a2": np.round(2 * a + 0.5 * rng.normal(size=n)),
            "a3": np.exp(a + 0.35 * rng.normal(size=n)),
            "b1": b + 0.2 * rng.normal(size=n),
            "noise1": rng.normal(size=n),
            "b2": np.round(-b + 0.3 * rng.normal(size=n), 1),
            "c1": c,
            "c2": c**3 + 0.05 * rng.normal(size=n),
            "noise2": rng.integers(0, 4, size=n).astype(float),
            "chain1": chain,
            "chain2": chain_mid,
            "chain3": chain_mid + 0.75 * rng.normal(size=n),
        }
    )
    data.loc[rng.choice(n, 40, replace=False), "a3"] = np.nan
    data.loc[rng.choice(n, 25, replace=False), "c2"] = np.nan
    rho = data.corr(method="spearman").to_numpy()
    columns = list(range(data.shape[1]))
    kinds = [0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0]
    payload = {
        "threshold": THRESHOLD,
        "names": list(data.columns),
        "columns": [[None if np.isnan(v) else float(v) for v in data[c]] for c in data.columns],
        "spearman": rho.tolist(),
        "groups_all": groups(rho, columns),
        "kinds": kinds,
        "groups_by_kind": sorted(
            [g for kind in sorted(set(kinds)) for g in groups(rho, [c for c in columns if kinds[c] == kind])], key=lambda g: g[0]
        ),
    }
    (out_dir / "correlation_groups.json").write_text(json.dumps(payload, indent=1) + "\n")
    print("groups over all columns:", [[data.columns[i] for i in g] for g in payload["groups_all"]])
    print("groups within kinds:", [[data.columns[i] for i in g] for g in payload["groups_by_kind"]])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
