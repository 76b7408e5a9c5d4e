"""MIRO's training loss (paper Eq. 3–5; REFERENCE_FACTS.md §5), with padding masks.

L = (1/K) Σ_k [ mean_i |r̂_i^k − r_i| + α · mean_(i,j)∈E | ‖p̂_i^k − p̂_j^k‖ − ‖p_i − p_j‖ |
                + β · CE(logits_i^k, class_i) ],
p = x − δ·r (target squeeze), p̂^k = x − δ·r̂^k. The first term is in units of δ (averaged over
both coordinates like torch's L1Loss); the edge-length term is in model (unit-FOV) coordinates.
Multiscale: steps k < k* use the 'target_sub' displacements, steps ≥ k* use 'target'.
norm='l2' squares the two residuals instead: a warm-up objective for training only (see
`configs/benchmark_cpu.py`), whose gradient does not stall at the predict-zero median.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jraph
import ml_collections
import optax


def safe_norm(v: jax.Array) -> jax.Array:
    """‖v‖ over the last axis with a zero (not NaN) gradient at v = 0, like torch."""
    sq = jnp.sum(v * v, axis=-1)
    positive = sq > 0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, sq, 1.0)), 0.0)


def per_step_targets(nodes: dict, num_iterations: int, cutoff_iterations: int) -> jax.Array:
    """[K, N, 2] target displacements: 'target_sub' for k < k* (if present), 'target' after."""
    target = nodes["target"]
    steps = jnp.arange(num_iterations)[:, None, None]
    if "target_sub" in nodes and cutoff_iterations > 0:
        return jnp.where(steps < cutoff_iterations, nodes["target_sub"][None], target[None])
    return jnp.broadcast_to(target[None], (num_iterations,) + target.shape)


def miro_loss(
    outputs: dict,
    graph: jraph.GraphsTuple,
    connectivity_radius: float,
    alpha: float = 10.0,
    beta: float = 0.0,
    cutoff_iterations: int = 0,
    norm: str = "l1",
) -> tuple[jax.Array, dict]:
    """Scalar loss and its parts for a padded batch; padding nodes/edges get zero weight."""
    if norm not in ("l1", "l2"):
        raise ValueError(f"norm must be 'l1' or 'l2', got {norm!r}")
    residual = jnp.abs if norm == "l1" else jnp.square
    pred = outputs["displacements"]  # [K, N, 2]
    num_iterations = pred.shape[0]
    node_mask = jraph.get_node_padding_mask(graph).astype(pred.dtype)  # [N]
    edge_mask = jraph.get_edge_padding_mask(graph).astype(pred.dtype)  # [E]
    num_nodes = jnp.maximum(node_mask.sum(), 1.0)
    num_edges = jnp.maximum(edge_mask.sum(), 1.0)
    target = per_step_targets(graph.nodes, num_iterations, cutoff_iterations)

    # where, not multiply: a padding value that is inf/NaN must not turn the sum into NaN
    displacement = jnp.sum(
        jnp.where(node_mask[None, :, None] > 0, residual(pred - target), 0.0), axis=(1, 2)
    )
    displacement = displacement / (2.0 * num_nodes)  # [K]

    x = graph.nodes["position"]
    s, t = graph.senders, graph.receivers
    squeezed_true = x[None] - connectivity_radius * target  # [K, N, 2]
    squeezed_pred = x[None] - connectivity_radius * pred
    length_true = safe_norm(squeezed_true[:, s] - squeezed_true[:, t])  # [K, E]
    length_pred = safe_norm(squeezed_pred[:, s] - squeezed_pred[:, t])
    distance = (
        jnp.sum(jnp.where(edge_mask[None] > 0, residual(length_pred - length_true), 0.0), axis=1)
        / num_edges
    )

    per_step = displacement + alpha * distance
    parts = {"displacement": displacement.mean(), "distance": distance.mean()}
    if beta and "logits" in outputs:
        ce = optax.softmax_cross_entropy_with_integer_labels(
            outputs["logits"], graph.nodes["class"][None]
        )  # [K, N]
        ce = jnp.sum(jnp.where(node_mask[None] > 0, ce, 0.0), axis=1) / num_nodes
        per_step = per_step + beta * ce
        parts["cross_entropy"] = ce.mean()
    loss = per_step.mean()
    parts["loss"] = loss
    return loss, parts


def loss_settings(config: ml_collections.ConfigDict, step: int | None = None) -> dict:
    """miro_loss's keyword arguments from a config; during the first `loss.l2_warmup_steps`
    training steps norm = 'l2' (step None: evaluation, always the paper's L1)."""
    warmup = step is not None and step < config.loss.l2_warmup_steps
    return dict(
        connectivity_radius=config.graph.connectivity_radius,
        alpha=config.loss.alpha,
        beta=config.loss.beta,
        cutoff_iterations=config.loss.cutoff_iterations,
        norm="l2" if warmup else "l1",
    )


def static_loss_settings(config: ml_collections.ConfigDict, step: int | None = None) -> tuple:
    """`loss_settings` as a sorted tuple: hashable, so jit can take it as a static argument."""
    return tuple(sorted(loss_settings(config, step).items()))
