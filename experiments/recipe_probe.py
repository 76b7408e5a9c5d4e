"""Short training probes for the CPU recipe: training loss every 50 steps for one setting.

  python experiments/recipe_probe.py scenario_8 --lr 3e-4 --steps 1500 --hidden 128
  python experiments/recipe_probe.py scenario_8 --lr 1e-4 --steps 100 --init authors
  python experiments/recipe_probe.py scenario_8 --lr 3e-4 --steps 1200 --hidden 128 --curriculum-k 4 --curriculum-steps 800

Constant learning rate, the authors' builders, batch 4, fresh samples. --init authors starts from
the authors' weights (a check that our loss and gradients keep their solution where it is).
--curriculum-k trains the first --curriculum-steps steps with that K, then the set's K.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from configs import benchmark  # noqa: E402
from miro_jax import input_pipeline, model_store, train  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario")
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--init", choices=["scratch", "authors"], default="scratch")
    p.add_argument("--curriculum-k", type=int, default=0)
    p.add_argument("--curriculum-steps", type=int, default=0)
    args = p.parse_args()
    config = benchmark.get_config(args.scenario)
    config.data.dataset_size = 0
    config.optimizer.learning_rate = args.lr
    config.model.hidden_size = args.hidden
    source = input_pipeline.TrainingSource(config)
    params = None
    if args.init == "authors":
        ref = Path(__file__).resolve().parents[2] / "shared" / "reference" / f"weights_{args.scenario}.npz"
        params = model_store.load_model(ref, config)[0]
    first = config.copy_and_resolve_references()
    if args.curriculum_k:
        first.model.num_iterations = args.curriculum_k
    state = train.create_train_state(first, source.batch(0), params)
    lk = tuple(sorted(train.loss_kwargs(config).items()))
    t0, acc = time.time(), []
    for step in range(args.steps):
        if args.curriculum_k and step == args.curriculum_steps:
            state = train.create_train_state(config, source.batch(0), state.params)
            print("switch to K =", config.model.num_iterations, flush=True)
        state, parts = train.train_step(state, source.batch(step), lk)
        acc.append(float(parts["loss"]))
        if (step + 1) % 50 == 0:
            print(step + 1, round(float(np.mean(acc)), 4), round(time.time() - t0, 1), flush=True)
            acc = []


if __name__ == "__main__":
    main()
