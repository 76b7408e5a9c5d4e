"""Fuzz: random small localization tables (NaN, inf, repeats, collinear, huge or negative values,
odd encodings and delimiters) either read and build a graph or raise a named error."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miro_jax import graph, localizations

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
