"""Training: `train_and_evaluate(config, workdir)` with optax, orbax checkpoints and dev evaluation.

The run is resumable bit for bit: batches are a function of the step (input_pipeline), the train
state (params, Adam moments, step) is restored from the latest orbax checkpoint.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from typing import Any

import flax
import jax
import jraph
import ml_collections
import numpy as np
import optax
import orbax.checkpoint as ocp
import tqdm
from flax.training import train_state

from miro_jax import (
    evaluation,
    input_pipeline,
    losses,
    model_store,
    models,
    outputs,
    parallel,
)


def create_optimizer(config: ml_collections.ConfigDict) -> optax.GradientTransformation:
    """Adam (authors: lr 1e-4 constant) with optional warmup, cosine decay and clipping."""
    opt = config.optimizer
    steps = config.train.num_train_steps
    if opt.schedule == "cosine":
        lr = optax.warmup_cosine_decay_schedule(
            0.0 if opt.warmup_steps else opt.learning_rate,
            opt.learning_rate,
            max(opt.warmup_steps, 1),
            max(steps, opt.warmup_steps + 1),
            opt.learning_rate * 0.01,
        )
    elif opt.schedule == "constant":
        lr = (
            optax.linear_schedule(0.0, opt.learning_rate, opt.warmup_steps)
            if opt.warmup_steps
            else opt.learning_rate
        )
    else:
        raise ValueError(f"unknown schedule {opt.schedule!r}")
    chain = [optax.clip_by_global_norm(opt.grad_clip_norm)] if opt.grad_clip_norm else []
    return optax.chain(*chain, optax.adam(lr))


def create_train_state(
    config: ml_collections.ConfigDict, example: jraph.GraphsTuple, params: Any = None
) -> train_state.TrainState:
    model = models.create_model(config)
    if params is None:
        params = model.init(jax.random.key(config.train.seed), example)
    return train_state.TrainState.create(
        apply_fn=model.apply, params=params, tx=create_optimizer(config)
    )


def loss_fn(params, apply_fn, graph, loss_config: dict):
    outputs = apply_fn(params, graph)
    return losses.miro_loss(outputs, graph, **loss_config)


@functools.partial(jax.jit, static_argnames=("loss_config",), donate_argnames=("state",))
def train_step(state: train_state.TrainState, graph: jraph.GraphsTuple, loss_config):
    """One Adam step on a padded batch; returns the new state and the loss parts."""
    grads, parts = jax.grad(loss_fn, has_aux=True)(
        state.params, state.apply_fn, graph, dict(loss_config)
    )
    return state.apply_gradients(grads=grads), parts


def initial_params(config: ml_collections.ConfigDict):
    """The parameters of the model named by train.init_from (a warm start), or None."""
    if not config.train.init_from:
        return None
    params, source = model_store.load_model(config.train.init_from)
    differ = model_store.config_differences(source, config, ("model",))
    differ = [d for d in differ if not d.startswith("model.num_iterations")]  # K is not a weight
    if differ:
        raise TrainingSetupError(
            f"train.init_from {config.train.init_from}: another model "
            f"structure ({'; '.join(differ)})"
        )
    return params


class TrainingSetupError(ValueError):
    """A workdir that cannot be trained into as asked; the message names the problem and the fix."""


# fields that may change when a run resumes: they do not change what is computed
RESUMABLE_FIELDS = ("train.max_minutes", "train.log_every")


def check_workdir_config(workdir: Path, config: ml_collections.ConfigDict) -> None:
    """Refuses, before anything is written, to continue a workdir made with another config."""
    stored_path = workdir / "config.json"
    if not stored_path.exists():
        return
    try:
        stored = ml_collections.ConfigDict(json.loads(stored_path.read_text()))
    except (OSError, json.JSONDecodeError) as err:
        raise TrainingSetupError(
            f"{stored_path} is unreadable ({err}); use a new --workdir"
        ) from err
    diff = [
        d
        for d in model_store.config_differences(
            model_store.with_defaults(stored), model_store.with_defaults(config)
        )
        if d.split(":")[0] not in RESUMABLE_FIELDS
    ]
    if diff:
        raise TrainingSetupError(
            f"{workdir} was trained with another config ({'; '.join(diff[:4])}"
            f"{'; …' if len(diff) > 4 else ''}); use a new --workdir, or the same config to resume"
        )


def restore_newest_readable(
    latest: ocp.CheckpointManager, state: train_state.TrainState
) -> tuple[train_state.TrainState, int]:
    """(state, step) from the newest checkpoint that restores; damaged ones are skipped with a
    warning. (state, 0) when there is none."""
    steps = sorted(latest.all_steps(), reverse=True)
    directory = Path(latest.directory)
    for step in steps:
        try:
            if not (directory / str(step) / "_CHECKPOINT_METADATA").exists():
                raise FileNotFoundError("no _CHECKPOINT_METADATA: the write never finished")
            with ocp.CheckpointManager(
                directory,
                options=ocp.CheckpointManagerOptions(
                    read_only=True, enable_async_checkpointing=False
                ),
            ) as reader:
                restored = reader.restore(
                    step,
                    args=ocp.args.StandardRestore(
                        {"params": state.params, "opt_state": state.opt_state, "step": state.step}
                    ),
                )
        except Exception as err:  # orbax raises many kinds for a damaged checkpoint
            print(
                f"miro: checkpoint {step} is unreadable ({type(err).__name__}: "
                f"{str(err).splitlines()[0][:120] if str(err) else ''}); trying an older one",
                file=sys.stderr,
            )
            continue
        print(f"miro: resuming from checkpoint {step}", file=sys.stderr)
        return state.replace(**restored), step
    if steps:
        raise TrainingSetupError(
            f"no checkpoint in {latest.directory} is readable (steps "
            f"{steps}); remove that folder to train from the start"
        )
    return state, 0


def drop_metrics_after(workdir: Path, step: int) -> None:
    """Forgets logged records of steps after `step` (a resumed run logs them again)."""
    path = workdir / "metrics.jsonl"
    if not path.exists():
        return
    records = read_metrics(workdir)
    kept = [r for r in records if r.get("step", 0) <= step]
    if len(kept) < len(records):
        with outputs.atomic_path(path) as tmp:
            tmp.write_text("".join(json.dumps(r) + "\n" for r in kept))


def _checkpoint_managers(
    workdir: Path, config
) -> tuple[ocp.CheckpointManager, ocp.CheckpointManager]:
    latest = ocp.CheckpointManager(
        workdir / "checkpoints",
        options=ocp.CheckpointManagerOptions(
            max_to_keep=config.train.keep_checkpoints, enable_async_checkpointing=False
        ),
    )
    best = ocp.CheckpointManager(
        workdir / "best",
        options=ocp.CheckpointManagerOptions(
            max_to_keep=1,
            best_fn=lambda m: m["ARI_dagger"],
            best_mode="max",
            enable_async_checkpointing=False,
        ),
    )
    return latest, best


def read_metrics(workdir: str | Path) -> list[dict]:
    """The records train_and_evaluate logged to workdir/metrics.jsonl, in order."""
    return [json.loads(line) for line in (Path(workdir) / "metrics.jsonl").read_text().splitlines()]


def recorded_minutes(records: list[dict]) -> float:
    """Training wall time in minutes from metrics records: each run (a resume restarts "time" at
    0) counts up to its last record; nan when none carries a time."""
    total, last, any_time = 0.0, 0.0, False
    for r in records:
        if "time" not in r:
            continue
        any_time = True
        if r["time"] < last:  # a resumed run
            total += last
        last = r["time"]
    return (total + last) / 60 if any_time else float("nan")


def recorded_steps(records: list[dict]) -> int:
    """The last step train_and_evaluate logged: the steps a run took, which a time budget
    (train.max_minutes) may have stopped short of train.num_train_steps; 0 when none."""
    return max((r["step"] for r in records if "step" in r), default=0)


def _log(workdir: Path, record: dict) -> None:
    with open(workdir / "metrics.jsonl", "a") as f:
        f.write(json.dumps(record) + "\n")


def _device_batches(source, step: int, mesh, config) -> jraph.GraphsTuple:
    """The step's graphs split evenly over all devices; this process stacks its own devices'."""
    graphs = source.graphs(step)
    num = mesh.devices.size
    if len(graphs) % num:
        raise ValueError(f"batch_size {len(graphs)} must be a multiple of the {num} devices")
    per = len(graphs) // num
    local = [d.id for d in mesh.devices.flat if d.process_index == jax.process_index()]
    position = {d.id: i for i, d in enumerate(mesh.devices.flat)}
    subs = [graphs[position[d] * per : (position[d] + 1) * per] for d in local]
    return parallel.shard_stacked(parallel.stack_sub_batches(subs, config.train.bucket_ratio), mesh)


def check_class_labels(batch: jraph.GraphsTuple, config: ml_collections.ConfigDict) -> None:
    """Class ids must index the model's logits; out-of-range ids would turn the loss into NaN."""
    if not (config.loss.beta and config.model.num_classes and "class" in batch.nodes):
        return
    top = int(np.max(batch.nodes["class"]))
    if top >= config.model.num_classes:
        raise ValueError(
            f"training data has class id {top} but model.num_classes = "
            f"{config.model.num_classes} (ids must be 0 … num_classes − 1, background = 0)"
        )


def train_and_evaluate(
    config: ml_collections.ConfigDict, workdir: str | Path, progress: bool = True
) -> train_state.TrainState:
    """Trains MIRO per `config` into `workdir`, resuming from its latest checkpoint if any.

    Writes config.json, metrics.jsonl (train loss, dev loss/scores), checkpoints/ (latest N),
    best/ (by dev ARI†) and model/ (the last or best-dev parameters per train.final_params, + config,
    loadable by model_store).
    """
    workdir = Path(workdir).resolve()  # orbax needs absolute paths
    check_workdir_config(workdir, config)
    workdir.mkdir(parents=True, exist_ok=True)
    model_store.write_config(workdir / "config.json", config)
    source = input_pipeline.make_source(config)
    first = source.batch(0)
    check_class_labels(first, config)
    state = create_train_state(config, first, initial_params(config))
    latest, best = _checkpoint_managers(workdir, config)
    state, start = restore_newest_readable(latest, state)
    drop_metrics_after(workdir, start)
    dev = (
        input_pipeline.eval_fovs(config, "dev")[: config.evals.max_fovs]
        if config.evals.max_fovs
        else []
    )
    total = config.train.num_train_steps
    t0 = time.time()
    deadline = t0 + 60.0 * config.train.max_minutes if config.train.max_minutes > 0 else None
    # under a time budget the schedule's length is not when the run ends: count steps, show time left
    bar = tqdm.tqdm(
        initial=start,
        total=None if deadline is not None else total,
        disable=not progress,
        desc=f"train {config.data.scenario}",
    )
    mesh = parallel.make_mesh() if (config.train.data_parallel and jax.device_count() > 1) else None
    for step in range(start, total):
        settings = losses.static_loss_settings(config, step)
        if mesh is None:
            state, parts = train_step(state, source.batch(step), settings)
        else:
            state, parts = parallel.data_parallel_train_step(
                state, _device_batches(source, step, mesh, config), settings
            )
        done = step + 1
        bar.update(1)
        if done % config.train.log_every == 0 or done == total:
            record = {
                "step": done,
                "time": time.time() - t0,
                **{f"train_{k}": float(v) for k, v in parts.items()},
            }
            _log(workdir, record)
            info = {"loss": f"{record['train_loss']:.4f}"}
            if deadline is not None:
                info["left"] = f"{max(deadline - time.time(), 0) / 60:.1f} min"
            bar.set_postfix(info)
        if dev and (done % config.train.eval_every == 0 or done == total):
            scores = evaluation.model_scores(state.params, dev, config)
            _log(workdir, {"step": done, **{f"dev_{k}": v for k, v in scores.items()}})
            bar.write(
                f"step {done}: dev loss {scores['loss']:.4f}, dev ARI† "
                f"{scores['ARI_dagger']:.3f} (DBSCAN eps {config.evals.miro_eps:g} nm)"
            )
            best.save(done, args=ocp.args.StandardSave({"params": state.params}), metrics=scores)
        out_of_time = deadline is not None and time.time() > deadline
        if done % config.train.checkpoint_every == 0 or done == total or out_of_time:
            latest.save(
                done,
                args=ocp.args.StandardSave(
                    {"params": state.params, "opt_state": state.opt_state, "step": state.step}
                ),
            )
        if out_of_time:
            _log(workdir, {"stopped_at_time_budget": done, "max_minutes": config.train.max_minutes})
            break
    bar.close()
    latest.wait_until_finished()
    best.wait_until_finished()
    params, shipped_step = _final_params(state, best, config)
    _log(workdir, {"final_params_step": shipped_step})
    model_store.save_model(workdir / "model", flax.core.unfreeze(params), stored_config(config))
    return state


def stored_config(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
    """The config a trained model is saved with: the training config, its length scale set to
    what one model unit measured in the training data (input_pipeline.unit_length_nm)."""
    stored = config.copy_and_resolve_references()
    stored.graph.length_scale_nm = input_pipeline.unit_length_nm(config)
    return stored


def _final_params(state: train_state.TrainState, best: ocp.CheckpointManager, config):
    """(params, step) model/ ships: the last step's, or the best dev evaluation's (early stopping)."""
    if config.train.final_params == "last":
        return state.params, int(state.step)
    if config.train.final_params != "best_dev":
        raise ValueError(
            f"train.final_params must be 'last' or 'best_dev', got {config.train.final_params!r}"
        )
    if best.best_step() is None:
        raise ValueError(
            "train.final_params = 'best_dev' needs dev evaluations (data.dev_fovs, evals.max_fovs)"
        )
    step = best.best_step()
    return best.restore(step, args=ocp.args.StandardRestore({"params": state.params}))[
        "params"
    ], step
