"""Fuzz: random small localization tables (NaN, inf, repeats, collinear, huge or negative values,
odd encodings and delimiters) either read and build a graph or raise a named error."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miro_jax import cluster, graph, localizations

VALUES = st.one_of(
    st.floats(-1e4, 1e4),
    st.floats(-1e15, 1e15),
    st.sampled_from([0.0, 1.0, np.nan, np.inf, -np.inf]),
)
NAMED = (localizations.LocalizationFileError, graph.GraphInputError)


@st.composite
def tables(draw):
    n = draw(st.integers(0, 40))
    x = draw(st.lists(VALUES, min_size=n, max_size=n))
    y = draw(st.lists(VALUES, min_size=n, max_size=n))
    if n and draw(st.booleans()):  # repeats
        idx = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n))
        x, y = x + [x[i] for i in idx], y + [y[i] for i in idx]
    if n and draw(st.booleans()):  # all on one line
        y = [3.0] * len(x)
    header = draw(
        st.sampled_from(
            [("x", "y"), ("x [nm]", "y [nm]"), ("x [µm]", "y [µm]"), ("xnm", "ynm"), ("a", "b")]
        )
    )
    return pd.DataFrame({header[0]: x, header[1]: y})


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    table=tables(),
    sep=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-8-sig"]),
    drop_invalid=st.booleans(),
)
def test_reader_and_graph_builder_never_crash(tmp_path, table, sep, encoding, drop_invalid):
    path = tmp_path / ("locs.tsv" if sep == "\t" else "locs.csv")
    table.to_csv(path, sep=sep, index=False, encoding=encoding, decimal="," if sep == ";" else ".")
    try:
        loc = localizations.read_localizations(path, drop_invalid=drop_invalid)
        localizations.check_units(loc.xy_nm)
        unit = (loc.xy_nm - loc.xy_nm.min(axis=0)) / 2000.0
        pg = graph.build_point_graph(unit, 0.2, duplicates="jitter")
    except NAMED as err:
        assert str(err) and "\n" not in str(err)
        return
    kept = np.isfinite(table.to_numpy(float)).all(axis=1)
    assert pg.num_nodes == len(loc.xy_nm) == (kept.sum() if drop_invalid else len(table))
    assert np.isfinite(pg.node_features).all() and np.isfinite(pg.edge_features).all()


@st.composite
def point_sets(draw):
    """Clustered points with background, repeats and, sometimes, a lattice (ties at eps)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    parts = [
        rng.uniform(0, 300, 2) + rng.normal(0, rng.uniform(3, 20), (int(rng.integers(1, 60)), 2))
        for _ in range(draw(st.integers(0, 8)))
    ]
    parts.append(rng.uniform(0, 300, (draw(st.integers(0, 40)), 2)))
    xy = np.concatenate(parts)
    if len(xy) and draw(st.booleans()):
        xy = np.concatenate([xy, xy[: len(xy) // 3]])
    return np.round(xy / 5) * 5 if draw(st.booleans()) else xy


@settings(max_examples=150, deadline=None)
@given(point_sets(), st.sampled_from([2.0, 5.0, 7.5, 10.0, 25.0]))
def test_dbscan_over_min_samples_equals_scikit_learns_dbscan(xy, eps):
    min_samples = [1, 2, 3, 4, 6, 9, 14, 20, 40]
    grid = cluster.dbscan_labels_per_min_samples(xy, eps, min_samples)
    for m, labels in zip(min_samples, grid):
        np.testing.assert_array_equal(labels, cluster.dbscan_labels(xy, eps, m))
