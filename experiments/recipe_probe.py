"""Short training probes for the CPU recipe: training loss every 50 steps for one setting.

  python -m experiments.recipe_probe scenario_8 --lr 3e-4 --steps 1500 --hidden 128
  python -m experiments.recipe_probe scenario_8 --lr 1e-4 --steps 100 --init authors
  python -m experiments.recipe_probe scenario_8 --lr 3e-4 --steps 1200 --hidden 128 --curriculum-k 4 --curriculum-steps 800
  python -m experiments.recipe_probe scenario_6_blinking --crop 0.3 --l2-warmup 200 --steps 600

Constant learning rate, the authors' builders, batch 4, fresh samples. --init authors starts from
the authors' weights (a check that our loss and gradients keep their solution where it is);
--init scenario_8 starts from one of our trained models (transfer to another set).
--curriculum-k trains the first --curriculum-steps steps with that K, then the set's K.
--l2-warmup squares the residuals for the first N steps (printed loss: 'l2' until then, the
paper's L1 loss after). --compare-at N prints the loss of predict-zero and of the authors' weights on batches N…N+5.
--aux-beta adds a cluster/background class head (printed loss: without the β·CE term). --crop trains on random crops of that side, as configs/benchmark_cpu.py.
The last line is the output spread (std of the last step's displacements over real nodes): ≈0
means the model still predicts one constant (the plateau).
"""

import argparse
import time

import numpy as np

from configs import benchmark
from miro_jax import (
    evaluation,
    inference,
    input_pipeline,
    losses,
    model_store,
    reference_weights,
    train,
)


def compare(config, source, first: int) -> None:
    """Reference levels for the probe's loss: constant-zero prediction and the authors' weights."""
    import jax
    import jax.numpy as jnp

    batches = [source.batch(first + i) for i in range(6)]
    ref = reference_weights.weights_path(config.data.scenario)
    authors = config.copy_and_resolve_references()
    authors.model.hidden_size = 256
    for name, cfg, params in (
        ("authors' weights", authors, model_store.load_model(ref, authors)[0]),
        (
            "predict zero",
            config,
            jax.tree_util.tree_map(
                jnp.zeros_like, train.create_train_state(config, batches[0]).params
            ),
        ),
    ):
        settings = losses.static_loss_settings(cfg)
        loss = np.mean(
            [
                float(
                    evaluation.loss_parts(inference.apply_graph(params, cfg, b), b, settings)[
                        "loss"
                    ]
                )
                for b in batches
            ]
        )
        print(f"{name}: {loss:.4f} on batches {first}-{first + 5}", flush=True)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("scenario")
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument(
        "--init",
        default="scratch",
        help="'scratch', 'authors' (this set's authors' weights) or a model name/directory",
    )
    p.add_argument("--curriculum-k", type=int, default=0)
    p.add_argument("--curriculum-steps", type=int, default=0)
    p.add_argument("--l2-warmup", type=int, default=0)
    p.add_argument("--crop", type=float, default=0.0)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument(
        "--compare-at",
        type=int,
        default=-1,
        help="only print the loss of predict-zero and of the authors' weights on batches N…N+5",
    )
    p.add_argument(
        "--coarsen",
        type=float,
        default=0.0,
        help="grid cell (unit FOV) of the coarsening curriculum",
    )
    p.add_argument("--coarsen-steps", type=int, default=0)
    p.add_argument(
        "--aux-beta",
        type=float,
        default=0.0,
        help="> 0: a 2-class head (clustered or not) trained with this β·CE",
    )
    args = p.parse_args()
    config = benchmark.get_config(args.scenario)
    config.data.dataset_size = 0
    config.optimizer.learning_rate = args.lr
    config.model.hidden_size = args.hidden
    config.data.crop_size = args.crop
    config.train.batch_size = args.batch
    config.loss.l2_warmup_steps = args.l2_warmup
    config.data.coarsen_start, config.data.coarsen_steps = args.coarsen, args.coarsen_steps
    if args.aux_beta:
        config.data.class_target = "clustered"
        config.model.num_classes = 2
        config.loss.beta = args.aux_beta
    source = input_pipeline.TrainingSource(config)
    if args.compare_at >= 0:
        compare(config, source, args.compare_at)
        return
    params = None
    if args.init == "authors":
        ref = reference_weights.weights_path(args.scenario)
        params = model_store.load_model(ref, config)[0]
    elif args.init != "scratch":
        params, init_config = model_store.load_model(args.init)
        if init_config.model.hidden_size != args.hidden:
            raise SystemExit(
                f"--init model has hidden {init_config.model.hidden_size}, not {args.hidden}"
            )
    first = config.copy_and_resolve_references()
    if args.curriculum_k:
        first.model.num_iterations = args.curriculum_k
    state = train.create_train_state(first, source.batch(0), params)
    t0, acc = time.time(), []
    for step in range(args.steps):
        if args.curriculum_k and step == args.curriculum_steps:
            state = train.create_train_state(config, source.batch(0), state.params)
            print("switch to K =", config.model.num_iterations, flush=True)
        settings = losses.static_loss_settings(config, step)
        state, parts = train.train_step(state, source.batch(step), settings)
        acc.append(float(parts["loss"]) - args.aux_beta * float(parts.get("cross_entropy", 0.0)))
        if (step + 1) % 50 == 0:
            print(
                step + 1,
                dict(settings)["norm"],
                round(float(np.mean(acc)), 4),
                round(time.time() - t0, 1),
                flush=True,
            )
            acc = []
    graph = source.batch(10**6)
    real = int(np.sum(graph.n_node[:-1]))
    out = state.apply_fn(state.params, graph)["displacements"][-1, :real]
    print("output spread", round(float(np.std(np.asarray(out))), 4), flush=True)


if __name__ == "__main__":
    main()
