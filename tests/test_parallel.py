"""Data-parallel training on 2 (forced host) devices equals the same step on one device."""

import os
import subprocess
import sys
import textwrap

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = textwrap.dedent("""
    import sys
    import jax, numpy as np
    assert jax.device_count() == 2, jax.devices()
    from miro_jax import graph, losses, parallel, train
    from configs import tiny
    config = tiny.get_config()
    rng = np.random.default_rng(0)
    graphs = []
    for n in (40, 55, 47, 60):
        xy = rng.random((n, 2))
        g = graph.to_graphs_tuple(graph.build_point_graph(xy, 0.3),
                                  target=rng.normal(0, 0.2, (n, 2)).astype(np.float32))
        graphs.append(g)
    stacked = parallel.stack_sub_batches([graphs[:2], graphs[2:]], 1.25)
    settings = losses.static_loss_settings(config)
    state = train.create_train_state(config, jax.tree_util.tree_map(lambda x: x[0], stacked))
    init = jax.tree_util.tree_map(np.asarray, state.params)
    # one device: plain arrays
    one, p1 = parallel.data_parallel_train_step(state, jax.tree_util.tree_map(jax.numpy.asarray, stacked), settings)
    one = jax.tree_util.tree_map(np.asarray, one.params)
    # two devices: sharded sub-batches, replicated params
    state2 = train.create_train_state(config, jax.tree_util.tree_map(lambda x: x[0], stacked), init)
    sharded = parallel.shard_stacked(stacked, parallel.make_mesh())
    assert len(sharded.senders.sharding.device_set) == 2
    two, p2 = parallel.data_parallel_train_step(state2, sharded, settings)
    two = jax.tree_util.tree_map(np.asarray, two.params)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(jax.tree_util.tree_leaves(one), jax.tree_util.tree_leaves(two)))
    moved = max(float(np.abs(a - b).max()) for a, b in zip(jax.tree_util.tree_leaves(one), jax.tree_util.tree_leaves(init)))
    print("DIFF", diff, "MOVED", moved, "LOSS", float(p1["loss"]), float(p2["loss"]))
""")


def test_two_device_step_equals_one_device():
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
        PYTHONPATH=REPO,
        JAX_PLATFORMS="cpu",
    )
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert r.returncode == 0, r.stderr[-3000:]
    line = [x for x in r.stdout.splitlines() if x.startswith("DIFF")][0].split()
    diff, moved, loss1, loss2 = float(line[1]), float(line[3]), float(line[5]), float(line[6])
    assert moved > 1e-6  # the step did something
    assert diff < 1e-6 and abs(loss1 - loss2) < 1e-6


TRAIN_SCRIPT = textwrap.dedent("""
    import sys, jax, numpy as np
    from configs import tiny
    from miro_jax import train
    config = tiny.get_config()
    config.data.root = sys.argv[1]
    config.evals.max_fovs = 0
    state = train.train_and_evaluate(config, sys.argv[2], progress=False)
    print("STEP", int(state.step), "DEVICES", jax.device_count())
""")


def test_train_and_evaluate_runs_data_parallel(toy_benchmark, tmp_path):
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
        PYTHONPATH=REPO,
        JAX_PLATFORMS="cpu",
    )
    r = subprocess.run(
        [sys.executable, "-c", TRAIN_SCRIPT, str(toy_benchmark), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "STEP 6 DEVICES 2" in r.stdout
