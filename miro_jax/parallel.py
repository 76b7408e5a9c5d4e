"""Data-parallel training over devices with `jax.sharding` (single- or multi-host).

The step's graphs are split into one padded sub-batch per device (same padded shapes), stacked on a
leading 'data' axis that is sharded over a 1-D mesh; parameters and optimizer state are
replicated. The loss is the mean of the sub-batch losses (each sub-batch averages over its own
nodes and edges). Multi-host: call `jax.distributed.initialize()` first; every process then builds
the sub-batches of its own devices and `jax.make_array_from_process_local_data` assembles them.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import jraph
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from miro_jax import graph, losses


def make_mesh() -> Mesh:
    return Mesh(np.array(jax.devices()), ("data",))


def stack_sub_batches(
    sub_batches: list[list[jraph.GraphsTuple]], ratio: float
) -> jraph.GraphsTuple:
    """One padded batch per device, all padded to the largest bucket, stacked on axis 0."""
    budgets = [graph.padding_budget(gs, ratio) for gs in sub_batches]
    n_node, n_edge = max(b[0] for b in budgets), max(b[1] for b in budgets)
    padded = [graph.pad_to_budget(gs, n_node, n_edge) for gs in sub_batches]
    return jax.tree_util.tree_map(lambda *xs: np.stack(xs), *padded)


def shard_stacked(stacked: jraph.GraphsTuple, mesh: Mesh) -> jraph.GraphsTuple:
    """Places the stacked sub-batches so that axis 0 is split over the mesh's devices."""
    sharding = NamedSharding(mesh, PartitionSpec("data"))
    return jax.tree_util.tree_map(
        lambda x: jax.make_array_from_process_local_data(sharding, x), stacked
    )


@functools.partial(jax.jit, static_argnames=("loss_config",), donate_argnames=("state",))
def data_parallel_train_step(state, stacked: jraph.GraphsTuple, loss_config):
    """Adam step on the mean loss of the device sub-batches (stacked on axis 0)."""
    config = dict(loss_config)

    def loss_fn(params):
        def one(graph):
            return losses.miro_loss(state.apply_fn(params, graph), graph, **config)

        values, parts = jax.vmap(one)(stacked)
        return values.mean(), jax.tree_util.tree_map(jnp.mean, parts)

    grads, parts = jax.grad(loss_fn, has_aux=True)(state.params)
    return state.apply_gradients(grads=grads), parts
