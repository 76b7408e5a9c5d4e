"""The CPU training recipe for the 18 benchmark sets: the authors' data and model structure,
sized to train in ≤ 30 minutes on a 2-core CPU.

  python -m miro_jax.main --config configs/benchmark_cpu.py:scenario_8 --workdir runs/s8

What changes from configs/benchmark.py (the authors' settings) and why (ablation:
experiments/results/recipe.md): hidden 128 instead of 256 (≈3.5× cheaper per step; paper
ablation: −0.003 ARI†; scenario_3 keeps 256), Adam 3e-4 with 100 warm-up steps and cosine decay instead of a constant
1e-4 (escapes the predict-zero plateau in ≈400 instead of ≳600 steps), a fresh augmented graph per
draw instead of a fixed set, and for the blinking sets (1.5–12k-node graphs) 2 full-size graphs per
step instead of 4. Crops of the FOV, though cheaper, keep the model on the plateau (recipe.md §3);
on the largest sets they take over once the model is off it (recipe.md §3.7).
"""

import ml_collections

from configs import benchmark

# steps fitted to ≤ 30 min on the 2-core CPU (measured step times: experiments/results/recipe.md).
# The first three sets trained 6,000 steps; their dev curves were flat after ≈3,500
# (benchmark.md), so the others train 4,000.
STEPS = {
    "scenario_8": 6000,
    "scenario_10": 6000,
    "scenario_4": 6000,
    # scenario_8_blinking reached the authors' dev scores by step 1,000 of 2,000 (recipe.md §3.4)
    "scenario_4_blinking": 1500,
    # cost per step ∝ padded batch nodes × K (≈8.3 µs each on both cores, recipe.md §3.5):
    # steps below fit ≈25 min of training (scenario_2_blinking ≈139k → 1.14 s/step)
    "scenario_2_blinking": 1400,
    "scenario_3_blinking": 1800,
    # scenario_5_blinking: 1 graph per step, 3,000 updates at ≈the cost of 2 × 1,700
    "scenario_5_blinking": 3000,
    # scenario_9_blinking: as scenario_6_blinking (2 × 1,000 on the authors' crops stayed on the plateau)
    "scenario_9_blinking": 3500,
    # scenario_6_blinking (5.5k-node graphs, 1.3 s/step): 1 graph per step; 1 × 1,100 full
    # graphs (dev ARI† 0.60, still short) → 500 full then 0.5 crops (0.28 s/step; recipe.md §3.7)
    "scenario_6_blinking": 4000,
    # scenario_5: 2 graphs per step for twice the updates (2,400 instead of 1,200 at the same
    # cost): scenario_6 at 4 per step was still climbing at its last step (dev ARI† 0.12 →
    # 0.52 → 0.58 at steps 1,500 / 2,000 / 2,400; benchmark.md)
    "scenario_5": 2400,
    "scenario_9": 2800,
    # scenario_6 at 4 × 2,400 was still climbing (dev ARI† 0.52 → 0.58 at steps 2,000 / 2,400)
    # and trailed DBSCAN: 2 per step for 4,800 updates, as scenario_5
    "scenario_6": 4800,
    # scenario_3 at hidden 128 peaked on dev at step 1,500 of 4,000 and trailed DBSCAN by 0.005
    # ARI†: hidden 256 (+0.02 ARI† at equal steps, sweep_hidden_size.md; 2.3× the step cost)
    "scenario_3": 1600,
}
DEFAULT_STEPS_GT = 4000
DEFAULT_STEPS_BLINKING = 2000
BLINKING_BATCH = 2  # full-size blinking graphs (1.5–12k nodes): 2 per step
HIDDEN_SIZE = {"scenario_3": 256}
BATCH = {
    "scenario_6_blinking": 1,
    "scenario_9_blinking": 1,
    "scenario_5": 2,
    "scenario_6": 2,
    "scenario_5_blinking": 1,
}
# squared residuals (loss.l2_warmup_steps) for the first N steps. scenario_5_blinking, whole run: on
# its dev FOVs predicting zero scores a LOWER L1 loss (0.119) than the authors' weights (0.140, ARI†
# 0.58), so the L1 optimum within reach is the plateau (2 × 1,700 and 1 × 3,000 steps of L1 both stayed
# there; with L2 dev ARI† 0.55 by step 500, benchmark.md). L2's optimum is the conditional mean, which
# moves a node toward its probable centre in proportion to how sure the model is. scenario_9_blinking:
# L2 throughout (on the authors' crops it stayed on the plateau with a 300-step L2 warm-up then L1,
# and with L2 throughout to step 580; benchmark.md). scenario_6: L2 for 1,500 steps, then L1 (it left
# the plateau by step 500; with a 300-step warm-up then L1 only at ≈2,500; recipe.md §3.7).
L2_THROUGHOUT = {"scenario_5_blinking", "scenario_9_blinking"}
# scenario_6_blinking: L2 until step 1,000 (off the plateau, dev ARI† 0.58), then the paper's L1, whose
# optimum for an ambiguous background node is to stay put (L2 moves it part-way: dev L1 0.194 at
# 3,000 steps of L2, above zero's 0.178 and the authors' 0.166; recipe.md §3.7)
L2_WARMUP_STEPS = {"scenario_6": 1500, "scenario_6_blinking": 1000}
# (crop side, first cropped step): full graphs leave the plateau (crops from the start keep the model
# there, recipe.md §3.3), then crops give ≈4× the updates per second (recipe.md §3.7)
CROP_AFTER_ESCAPE = {"scenario_6_blinking": (0.5, 500), "scenario_9_blinking": (0.35, 500)}
# scenario_9_blinking: the authors' builder cuts 0.4 × 0.4 windows of a training FOV and adds 6–10
# clusters; on those every run stayed on the plateau (benchmark.md). 0.7 × 0.7 windows with the
# training FOVs' own cluster density (20 per FOV → 7–12) give graphs of scenario_6_blinking's size
# (≈5.5k nodes; whole FOVs, ≈11k, cost 4.8 s per step) for the escape, then 0.35 crops of them
BUILDER_KWARGS = {"scenario_9_blinking": dict(max_cropped_size=0.7, cluster_count_range=(7, 12))}
# early stopping where the dev curve peaked early: scenario_3's dev ARI† (paper DBSCAN params) was
# best at step 1,500 (0.583) and fell to 0.542 by 4,000 while its dev loss kept falling
# (benchmark.md), so at hidden 256 it is evaluated every 250 steps; scenario_6 and 5/6/9_blinking:
# the best of the dev evaluations every 500 steps
FINAL_PARAMS = {
    "scenario_3": "best_dev",
    "scenario_5_blinking": "best_dev",
    "scenario_6_blinking": "best_dev",
    "scenario_9_blinking": "best_dev",
    "scenario_6": "best_dev",
}
EVAL_EVERY = {"scenario_3": 250}


def get_config(scenario: str = "scenario_8") -> ml_collections.ConfigDict:
    config = benchmark.get_config(scenario)
    blinking = scenario.endswith("_blinking")
    config.model.hidden_size = HIDDEN_SIZE.get(scenario, 128)
    config.data.builder_kwargs.update(BUILDER_KWARGS.get(scenario, {}))
    config.optimizer.learning_rate = 3e-4
    config.optimizer.schedule = "cosine"
    config.optimizer.warmup_steps = 100
    config.data.dataset_size = 0
    # crops stop the escape from the predict-zero plateau (recipe.md §3.3): only after it
    config.data.crop_size, config.data.crop_start_step = CROP_AFTER_ESCAPE.get(scenario, (0.0, 0))
    config.train.batch_size = BATCH.get(
        scenario, BLINKING_BATCH if blinking else config.train.batch_size
    )
    config.train.num_train_steps = STEPS.get(
        scenario, DEFAULT_STEPS_BLINKING if blinking else DEFAULT_STEPS_GT
    )
    config.train.eval_every = EVAL_EVERY.get(scenario, 500)
    config.loss.l2_warmup_steps = (
        config.train.num_train_steps
        if scenario in L2_THROUGHOUT
        else L2_WARMUP_STEPS.get(scenario, 0)
    )
    config.train.final_params = FINAL_PARAMS.get(scenario, "last")
    config.train.checkpoint_every = 250
    return config
