"""Large fields in tiles: Laplacian features per feature tile, MIRO per compute tile + K-hop halo.

A node's output after K steps depends only on nodes within K hops (each step passes messages one
hop). So running the model on a tile's nodes plus every node within K hops of them gives the
tile's nodes exactly the displacements of a tile-free run with the same node features.

Node features on tiles: the Laplacian eigenvectors are computed on each feature tile's own graph
(edges with both ends in the tile; default tile = the model's length scale, i.e. a benchmark-sized
FOV), so a localization's features describe its ≈2 µm surroundings as in training, not the whole
cell. Eigenvectors come from the sparse solver (no dense decomposition beyond 100 nodes).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import tqdm

from miro_jax import graph as graph_lib
from miro_jax import input_pipeline


def tile_ids(xy: np.ndarray, tile_size: float) -> np.ndarray:
    """Integer id of the square tile (side `tile_size`) holding each point."""
    cells = np.floor((xy - xy.min(axis=0)) / tile_size).astype(np.int64)
    _, ids = np.unique(cells, axis=0, return_inverse=True)
    return ids.ravel()


def tiled_laplacian_features(edges: np.ndarray, tiles: np.ndarray, num_features: int,
                             progress: bool = False) -> np.ndarray:
    """Laplacian features computed on each tile's own subgraph; tiles too small for k+1 points
    get zeros (like isolated nodes)."""
    n = tiles.shape[0]
    features = np.zeros((n, num_features), np.float32)
    inside = tiles[edges[0]] == tiles[edges[1]]
    e = edges[:, inside]
    order = np.argsort(tiles[e[0]], kind="stable")
    e = e[:, order]
    bounds = np.searchsorted(tiles[e[0]], np.arange(tiles.max() + 2))
    members = np.argsort(tiles, kind="stable")
    starts = np.searchsorted(tiles[members], np.arange(tiles.max() + 2))
    for t in tqdm.tqdm(range(tiles.max() + 1), disable=not progress, desc="features"):
        nodes = members[starts[t]:starts[t + 1]]
        if len(nodes) < num_features + 1:
            continue
        local = np.full(n, -1, np.int64)
        local[nodes] = np.arange(len(nodes))
        sub = local[e[:, bounds[t]:bounds[t + 1]]]
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


def tiled_displacements(apply_fn, params, point_graph: graph_lib.PointGraph, tile_size: float,
                        hops: int, bucket_ratio: float = 1.25, progress: bool = False) -> np.ndarray:
    """[K, N, 2] displacements computed tile by tile, each with its K-hop halo."""
    xy, edges = point_graph.positions.astype(np.float64), point_graph.edges
    n = xy.shape[0]
    tiles = tile_ids(xy, tile_size)
    reach = hops * point_graph.connectivity_radius  # K hops of edges shorter than δ
    out = None
    for t in tqdm.tqdm(range(tiles.max() + 1), disable=not progress, desc="tiles"):
        core_all = tiles == t
        lo, hi = xy[core_all].min(axis=0) - reach, xy[core_all].max(axis=0) + reach
        candidates = np.flatnonzero(np.all((xy >= lo) & (xy <= hi), axis=1))
        local = np.full(n, -1, np.int64)
        local[candidates] = np.arange(len(candidates))
        keep = (local[edges[0]] >= 0) & (local[edges[1]] >= 0)
        sub_edges = local[edges[:, keep]]
        adjacency = scipy.sparse.csr_matrix(
            (np.ones(sub_edges.shape[1], np.float32), (sub_edges[0], sub_edges[1])),
            shape=(len(candidates), len(candidates)))
        core = core_all[candidates]
        halo = k_hop_mask(core, adjacency, hops)
        nodes = candidates[halo]
        remap = np.full(len(candidates), -1, np.int64)
        remap[np.flatnonzero(halo)] = np.arange(halo.sum())
        e_keep = halo[sub_edges[0]] & halo[sub_edges[1]]
        tile_graph = graph_lib.PointGraph(
            positions=point_graph.positions[nodes], node_features=point_graph.node_features[nodes],
            edges=remap[sub_edges[:, e_keep]], edge_features=point_graph.edge_features[keep][e_keep],
            connectivity_radius=point_graph.connectivity_radius)
        batch = input_pipeline.pad_batch([graph_lib.to_graphs_tuple(tile_graph)], bucket_ratio)
        disp = np.asarray(apply_fn(params, batch)["displacements"])[:, : len(nodes)]
        if out is None:
            out = np.zeros((disp.shape[0], n, 2), np.float32)
        out[:, nodes[core[halo]]] = disp[:, core[halo]]
    return out
