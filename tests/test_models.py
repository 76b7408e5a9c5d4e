"""The model: parameter count, parity with the authors' outputs, scan == loop, fused == plain,
padding invariance."""

import functools

import jax
import jax.numpy as jnp
import jraph
import numpy as np
import pytest
from conftest import REFERENCE, SCENARIO_SETS, needs_reference

from miro_jax import graph, models, reference_weights


def reference_graph(ref) -> jraph.GraphsTuple:
    return jraph.GraphsTuple(
        nodes={"features": ref["node_features"]},
        edges={"features": ref["edge_features"]},
        senders=ref["edge_index"][0].astype(np.int32),
        receivers=ref["edge_index"][1].astype(np.int32),
        n_node=np.array([ref["node_features"].shape[0]]),
        n_edge=np.array([ref["edge_index"].shape[1]]),
        globals=None,
    )


@functools.cache
def apply_fn(num_iterations: int, fused: bool, hidden_size: int = 256, num_classes: int = 0):
    model = models.Miro(
        hidden_size=hidden_size, num_iterations=num_iterations, fused=fused, num_classes=num_classes
    )
    return model, jax.jit(model.apply)


def random_graph(n=60, seed=0):

    xy = np.random.default_rng(seed).random((n, 2))
    return graph.build_graph(xy, 0.3)


def test_parameter_count_is_the_papers():
    model, _ = apply_fn(3, True)
    params = model.init(jax.random.key(0), random_graph())
    assert models.count_parameters(params) == 528_386
    classifier, _ = apply_fn(3, True, num_classes=3)
    assert models.count_parameters(classifier.init(jax.random.key(0), random_graph())) == 529_157


@needs_reference
@pytest.mark.parametrize("scenario", SCENARIO_SETS)
def test_parity_with_authors_outputs(scenario):
    """Their node features, edges and weights in, their per-step displacements out (≤ 1e-4)."""
    ref = np.load(REFERENCE / f"parity_{scenario}.npz")
    params = reference_weights.load_reference_params(REFERENCE / f"weights_{scenario}.npz")
    _, fn = apply_fn(int(ref["num_steps"]), True)
    out = np.asarray(fn(params, reference_graph(ref))["displacements"])
    assert out.shape == ref["displacements"].shape
    err = np.abs(out - ref["displacements"]).max(axis=(1, 2))  # per step
    assert err.max() <= 1e-4, f"max |Δ| per step {err}"


@needs_reference
def test_plain_formulation_matches_authors_too():
    ref = np.load(REFERENCE / "parity_scenario_8.npz")
    params = reference_weights.load_reference_params(REFERENCE / "weights_scenario_8.npz")
    _, fn = apply_fn(int(ref["num_steps"]), False)
    out = np.asarray(fn(params, reference_graph(ref))["displacements"])
    assert np.abs(out - ref["displacements"]).max() <= 1e-5


def test_fused_equals_plain_on_random_params():
    g = random_graph(80, seed=3)
    model, plain = apply_fn(4, False, hidden_size=32)
    _, fused = apply_fn(4, True, hidden_size=32)
    params = model.init(jax.random.key(1), g)
    a, b = plain(params, g), fused(params, g)
    np.testing.assert_allclose(a["displacements"], b["displacements"], atol=1e-5)
    np.testing.assert_allclose(a["node_states"], b["node_states"], atol=1e-4)


def test_scan_equals_python_loop():
    """nn.scan over one MiroStep == the same step applied K times by hand."""
    g = random_graph(50, seed=4)
    model, fn = apply_fn(5, False, hidden_size=16)
    params = model.init(jax.random.key(2), g)
    p = params["params"]

    def lin(name, x, owner=None):
        q = (owner or p)[name]
        return x @ q["kernel"] + q["bias"]

    v, e = lin("node_encoder", g.nodes["features"]), lin("edge_encoder", g.edges["features"])
    s, t = g.senders, g.receivers
    u, f = jnp.zeros((v.shape[0], 16)), jnp.zeros((e.shape[0], 16))
    expected = []
    for _ in range(5):
        h = lin("node_combine", jnp.concatenate([u, v], 1), p["step"])
        gg = lin("edge_combine", jnp.concatenate([f, e], 1), p["step"])
        f = jax.nn.relu(lin("message", jnp.concatenate([h[s], h[t], gg], 1), p["step"]))
        u = jax.nn.relu(lin("node_update", jax.ops.segment_sum(f, t, v.shape[0]), p["step"]))
        expected.append(lin("head", u, p["step"]))
    np.testing.assert_allclose(fn(params, g)["displacements"], np.stack(expected), atol=1e-5)


def test_padding_does_not_change_real_outputs():
    g = random_graph(70, seed=5)
    model, fn = apply_fn(3, True, hidden_size=16)
    params = model.init(jax.random.key(3), g)
    padded = graph.pad_batch([g], ratio=1.25)
    assert padded.nodes["features"].shape[0] > 70
    a = fn(params, g)["displacements"]
    b = fn(params, padded)["displacements"][:, :70]
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_class_logits_per_step():
    g = random_graph(40)
    model, fn = apply_fn(3, True, hidden_size=16, num_classes=3)
    out = fn(model.init(jax.random.key(0), g), g)
    assert out["logits"].shape == (3, 40, 3) and out["displacements"].shape == (3, 40, 2)


def test_wrong_node_feature_count_is_named():
    g = random_graph(40)
    model = models.Miro(hidden_size=8, num_iterations=2, num_node_features=4)
    with pytest.raises(ValueError, match="expects 4 node features, graph has 5"):
        model.init(jax.random.key(0), g)


def test_mpn_baseline_has_independent_layers():
    g = random_graph(50, seed=6)
    for norm in (False, True):
        model = models.MpnBaseline(hidden_size=16, num_iterations=3, layer_norm=norm)
        params = model.init(jax.random.key(0), g)
        shared = models.Miro(hidden_size=16, num_iterations=3).init(jax.random.key(0), g)
        encoders = (5 * 16 + 16) + (3 * 16 + 16)
        per_layer = models.count_parameters(shared) - encoders
        extra = 3 * 4 * 16 if norm else 0  # two LayerNorms (scale + bias) per layer
        assert models.count_parameters(params) == encoders + 3 * per_layer + extra
        out = model.apply(params, g)
        assert out["displacements"].shape == (3, 50, 2)


def test_mpn_baseline_equals_its_layers_applied_one_by_one_unfused():
    """The baseline's fused, scanned layers give what its K layers give applied in turn in the
    plain formulation with their own parameter slices: with and without input re-injection and
    LayerNorm."""
    import flax.linen as nn

    g = random_graph(45, seed=9)
    h, k = 12, 3
    for reinject, norm in [(True, False), (False, False), (False, True)]:
        model = models.MpnBaseline(
            hidden_size=h, num_iterations=k, reinject_inputs=reinject, layer_norm=norm
        )
        params = model.init(jax.random.key(1), g)["params"]
        encoded = [
            models.Linear(x.shape[1], h).apply({"params": params[name]}, x)
            for name, x in [
                ("node_encoder", g.nodes["features"]),
                ("edge_encoder", g.edges["features"]),
            ]
        ]
        zeros = [jnp.zeros_like(x) for x in encoded]
        u, f = zeros if reinject else encoded
        seen = encoded if reinject else zeros
        inputs = dict(senders=g.senders, receivers=g.receivers, edge_mask=None)
        inputs.update(node_encoded=seen[0], edge_encoded=seen[1])
        step = models.MiroStep(hidden_size=h, num_outputs=2, fused=False)
        outputs = []
        for layer in range(k):
            sliced = jax.tree_util.tree_map(lambda x, i=layer: x[i], params["layers"])
            (u, f), out = step.apply({"params": sliced["step"]}, (u, f), inputs)
            if norm:
                u = nn.LayerNorm().apply({"params": sliced["node_norm"]}, u)
                f = nn.LayerNorm().apply({"params": sliced["edge_norm"]}, f)
                out = u @ sliced["step"]["head"]["kernel"] + sliced["step"]["head"]["bias"]
            outputs.append(out)
        result = model.apply({"params": params}, g)
        np.testing.assert_allclose(result["displacements"], np.stack(outputs), atol=2e-5)
        np.testing.assert_allclose(result["node_states"], u, atol=2e-5)


def test_plain_mpn_layers_never_see_the_encoded_inputs():
    """reinject_inputs=False: the combine kernels' rows for the encoded half (hidden state first,
    then the encoding) get exactly zero gradient in every layer; with MIRO's re-injection they
    do not."""
    g = random_graph(40, seed=8)
    for reinject in (True, False):
        model = models.MpnBaseline(hidden_size=8, num_iterations=3, reinject_inputs=reinject)
        params = model.init(jax.random.key(0), g)
        grads = jax.grad(lambda p, m=model: m.apply(p, g)["displacements"].sum())(params)
        step = grads["params"]["layers"]["step"]
        encoded_rows = [step[k]["kernel"][:, 8:, :] for k in ("node_combine", "edge_combine")]
        largest = max(float(abs(rows).max()) for rows in encoded_rows)
        assert (largest > 1e-6) if reinject else largest == 0.0


def test_padding_messages_cannot_blow_up_gradients():
    """Thousands of padding edges all end in one padding node; without the edge mask its state
    overflows over K steps and NaN reaches the gradients (seen on scenario_6_blinking)."""
    from miro_jax import losses

    g = random_graph(60, seed=7)
    g = g._replace(nodes={**g.nodes, "target": np.zeros((60, 2), np.float32)})
    padded = jraph.pad_with_graphs(g, n_node=64, n_edge=g.senders.shape[0] + 20000, n_graph=2)
    masked = graph.mark_real_edges(padded, int(g.n_edge[0]))
    model = models.Miro(hidden_size=32, num_iterations=25)
    params = model.init(jax.random.key(0), masked)
    params = jax.tree_util.tree_map(lambda x: 3.0 * x, params)  # an exploding recurrence

    def grads(batch):
        return jax.grad(lambda p: losses.miro_loss(model.apply(p, batch), batch, 0.3)[0])(params)

    unmasked = jax.tree_util.tree_leaves(grads(padded))
    assert not all(np.isfinite(x).all() for x in unmasked)  # the failure this guards against
    assert all(np.isfinite(x).all() for x in jax.tree_util.tree_leaves(grads(masked)))


def test_reference_files_are_found_where_the_environment_says(monkeypatch, tmp_path):
    monkeypatch.delenv("MIRO_REFERENCE_DIR", raising=False)
    assert reference_weights.weights_path("scenario_8") == REFERENCE / "weights_scenario_8.npz"
    monkeypatch.setenv("MIRO_REFERENCE_DIR", str(tmp_path))
    assert reference_weights.weights_path("scenario_8") == tmp_path / "weights_scenario_8.npz"
    assert reference_weights.parity_path("scenario_6") == tmp_path / "parity_scenario_6.npz"
