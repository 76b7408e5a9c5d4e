"""Large fields in tiles: Laplacian features per feature tile, MIRO per compute tile + K-hop halo.

A node's output after K steps depends only on nodes within K hops (each step passes messages one
hop). So running the model on a tile's nodes plus every node within K hops of them gives the
tile's nodes exactly the displacements of a tile-free run with the same node features.

Node features on tiles: the Laplacian eigenvectors are computed on each feature tile's own graph
(edges with both ends in the tile; tiles of about the model's length scale, i.e. a benchmark-sized
FOV), so a localization's features describe its ≈2 µm surroundings as in training, not the whole
cell, and the cost grows linearly with the field. A field of about one length scale is one tile:
its features are the whole graph's, as the authors compute them.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import tqdm

from miro_jax import graph as graph_lib


def tile_ids(xy: np.ndarray, tile_size: float) -> np.ndarray:
    """Integer id of the tile holding each point: the bounding box cut into equal tiles of about
    `tile_size` per side (round(extent / tile_size) per axis, at least one), so no sliver tiles."""
    lo = xy.min(axis=0)
    extent = np.maximum(xy.max(axis=0) - lo, 1e-12)
    count = np.maximum(np.round(extent / tile_size), 1).astype(np.int64)
    cells = np.minimum(np.floor((xy - lo) / extent * count).astype(np.int64), count - 1)
    _, ids = np.unique(cells[:, 0] * count[1] + cells[:, 1], return_inverse=True)
    return ids.ravel()


def balanced_tile_ids(xy: np.ndarray, max_nodes: int) -> np.ndarray:
    """Tile ids of ceil(N / max_nodes) tiles of near-equal node counts, from proportional median
    splits along the longer side (so one padded size fits every tile)."""
    ids = np.zeros(len(xy), np.int64)
    stack = [(np.arange(len(xy)), max(1, -(-len(xy) // max_nodes)))]
    next_id = 0
    while stack:
        members, count = stack.pop()
        if count == 1:
            ids[members] = next_id
            next_id += 1
            continue
        axis = int(np.argmax(np.ptp(xy[members], axis=0)))
        order = members[np.argsort(xy[members, axis], kind="stable")]
        left = count // 2
        cut = len(order) * left // count
        stack += [(order[cut:], count - left), (order[:cut], left)]
    return ids


def _tile_subgraphs(edges: np.ndarray, tiles: np.ndarray, min_nodes: int):
    """(nodes, edges renumbered within the tile) of every tile with ≥ min_nodes points."""
    n = tiles.shape[0]
    e = edges[:, tiles[edges[0]] == tiles[edges[1]]]
    e = e[:, np.argsort(tiles[e[0]], kind="stable")]
    bounds = np.searchsorted(tiles[e[0]], np.arange(tiles.max() + 2))
    members = np.argsort(tiles, kind="stable")
    starts = np.searchsorted(tiles[members], np.arange(tiles.max() + 2))
    local = np.full(n, -1, np.int64)
    for t in range(tiles.max() + 1):
        nodes = members[starts[t] : starts[t + 1]]
        if len(nodes) < min_nodes:
            continue
        local[nodes] = np.arange(len(nodes))
        yield nodes, local[e[:, bounds[t] : bounds[t + 1]]]


def tiled_laplacian_features(
    edges: np.ndarray, tiles: np.ndarray, num_features: int, progress: bool = False
) -> np.ndarray:
    """Laplacian features computed on each tile's own subgraph (edges with both ends in it);
    tiles too small for k+1 points get zeros (like isolated nodes)."""
    features = np.zeros((tiles.shape[0], num_features), np.float32)
    parts = list(_tile_subgraphs(edges, tiles, num_features + 1))
    for nodes, sub in tqdm.tqdm(
        parts,
        disable=not progress or len(parts) < 8,
        desc="node features",
        unit="tile",
        leave=False,
    ):
        features[nodes] = graph_lib.laplacian_features(sub, len(nodes), num_features)
    return features


def k_hop_mask(core: np.ndarray, adjacency: scipy.sparse.csr_matrix, hops: int) -> np.ndarray:
    """Nodes within `hops` hops of the core nodes (core included)."""
    mask = core.copy()
    frontier = core.astype(np.float32)
    for _ in range(hops):
        reached = (adjacency @ frontier) > 0
        new = reached & ~mask
        if not new.any():
            break
        mask |= new
        frontier = new.astype(np.float32)
    return mask


def halo_subgraphs(point_graph: graph_lib.PointGraph, tiles: np.ndarray, hops: int):
    """Per tile: (nodes of the tile + its K-hop halo, mask of the tile's own nodes among them,
    the subgraph on those nodes). Halos are searched within K·δ of the tile's bounding box."""
    xy, edges = point_graph.positions, point_graph.edges
    n = point_graph.num_nodes
    reach = hops * point_graph.connectivity_radius  # K hops of edges shorter than δ
    for t in range(tiles.max() + 1):
        core_all = tiles == t
        lo, hi = xy[core_all].min(axis=0) - reach, xy[core_all].max(axis=0) + reach
        candidates = np.flatnonzero(np.all((xy >= lo) & (xy <= hi), axis=1))
        local = np.full(n, -1, np.int64)
        local[candidates] = np.arange(len(candidates))
        inside = (local[edges[0]] >= 0) & (local[edges[1]] >= 0)
        sub_edges = local[edges[:, inside]]
        adjacency = scipy.sparse.csr_matrix(
            (np.ones(sub_edges.shape[1], np.float32), (sub_edges[0], sub_edges[1])),
            shape=(len(candidates), len(candidates)),
        )
        halo = k_hop_mask(core_all[candidates], adjacency, hops)
        nodes = candidates[halo]
        remap = np.full(len(candidates), -1, np.int64)
        remap[np.flatnonzero(halo)] = np.arange(len(nodes))
        keep = halo[sub_edges[0]] & halo[sub_edges[1]]
        sub = graph_lib.PointGraph(
            positions=point_graph.positions[nodes],
            node_features=point_graph.node_features[nodes],
            edges=remap[sub_edges[:, keep]],
            edge_features=point_graph.edge_features[inside][keep],
            connectivity_radius=point_graph.connectivity_radius,
        )
        yield nodes, core_all[nodes], sub
