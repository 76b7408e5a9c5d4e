"""Default MIRO training config: the authors' scenario-8 few-shot setup at CPU-sized length.

Run:  python -m miro_jax.main --config configs/default.py --workdir /tmp/miro_default
"""

import ml_collections

# the schema's version: stored configs without a field get its default when loaded
# (model_store.with_defaults, the one upgrade); 1 = configs stored before this field existed
CONFIG_VERSION = 2


def get_config() -> ml_collections.ConfigDict:
    config = ml_collections.ConfigDict()
    config.config_version = CONFIG_VERSION

    config.data = ml_collections.ConfigDict()
    config.data.source = "benchmark"  # 'benchmark' (few-shot builders), 'simulated' or 'files'
    config.data.simulator = "c_shapes"  # simulated source: a miro_jax.simulate function
    config.data.simulator_kwargs = ml_collections.ConfigDict()
    config.data.fov_nm = 2000.0  # simulated source: nm per model unit (benchmark FOV side)
    config.data.num_eval_fovs = 20  # simulated source, single-shot fit: fresh FOVs for evaluation
    config.data.scenario = "scenario_8"  # benchmark set under ../shared/data/nieves2023
    config.data.root = ""  # '' = $MIRO_BENCHMARK_ROOT or ../shared/data/nieves2023
    config.data.train_fovs = (32, 48, 28)  # FOV numbers the training graphs are built from
    config.data.dev_fovs = (1, 2, 3, 4, 5, 6, 7)  # FOV numbers for evaluation
    config.data.builder = "GraphDataset"  # authors' augmentation: GraphDataset / GraphBlinkingDataset / GraphBlinkingCroppedDataset
    config.data.builder_kwargs = ml_collections.ConfigDict(
        dict(
            noise_point_range=(150, 250),
            cluster_count_range=(10, 20),
            cluster_sampling_range=(1.0, 1.0),
            pupulation_std_sigma=0.0,
            num_additions=0,
        )
    )
    config.data.dataset_size = (
        0  # 0 = a fresh augmented graph every draw; >0 = fixed set, reshuffled per epoch
    )
    config.data.reference_dataset_size = 1500  # the authors trained 30 epochs over this many graphs
    config.data.crop_size = 0.0  # >0: train on random crops of this side (unit FOV) of each sample
    config.data.crop_start_step = 0  # crops from this training step on (before it: full samples)
    config.data.crop_targets = "visible"  # crops: 'visible' = centroid of a cut cluster's visible points, 'true' = full cluster's
    config.data.seed = 0  # seeds the cluster population and every sample
    config.data.node_features = "laplacian"  # ablation: 'laplacian', 'constant' or 'shuffled'
    config.data.duplicates = "keep"  # augmented clouds can repeat points (authors' cropped builder)
    config.data.coarsen_start = (
        0.0  # >0: curriculum, training points merged per grid cell of this side (unit FOV)…
    )
    config.data.coarsen_steps = 0  # …shrinking linearly to no merging over this many steps
    config.data.single_cluster_file = ""  # miro fit --single-cluster: one annotated cluster
    config.data.background_files = ()  # … re-placed on these unannotated fields
    config.data.single_cluster = (
        False  # single-shot: the builder gets ONE training cluster (the median-sized one)
    )
    config.data.train_files = ()  # source 'files' (miro fit): annotated localization files
    config.data.dev_files = ()  # source 'files': annotated files scored during training
    config.data.label_column = (
        "index"  # source 'files': cluster label per localization (0 = background)
    )
    config.data.reader = ml_collections.ConfigDict(
        dict(x_col="", y_col="", unit="", pixel_size=0.0)
    )
    config.data.holdout_fraction = (
        0.25  # no dev files: this share of each field's width is held out
    )
    config.data.class_target = (
        ""  # 'clustered': node class = in a cluster (1) or background (0), for an auxiliary β·CE
    )

    config.graph = ml_collections.ConfigDict()
    config.graph.connectivity_radius = 0.2  # δ in unit-FOV coordinates
    config.graph.num_features = 5  # Laplacian eigenvector features per node
    config.graph.length_scale_nm = (
        2000.0  # nm per model unit for physical scaling (benchmark FOV side)
    )

    config.model_name = "miro"  # 'miro' or 'mpn' (K stacked layers, the oversmoothing baseline)
    config.mpn_layer_norm = False  # LayerNorm in the MPN baseline
    # the MPN baseline concatenates the encoded inputs to its states at every layer, as MIRO's
    # step does; False: the encodings start its states and no later layer sees them (a plain MPN)
    config.mpn_reinject_inputs = True
    config.model = ml_collections.ConfigDict()  # fields of models.Miro
    config.model.hidden_size = 256
    config.model.num_iterations = 12  # K recurrent steps
    config.model.num_node_features = 5
    config.model.num_edge_features = 3
    config.model.num_classes = 0  # >0 adds per-step class logits (cMIRO)
    config.model.fused = True  # algebraically identical cheaper step (speed); False = plain
    config.model.remat = False  # rematerialise each step in the backward pass (memory)
    config.model.bf16_matmuls = False  # bf16 inputs, fp32 accumulation

    config.loss = ml_collections.ConfigDict()
    config.loss.alpha = 10.0  # edge-length term weight
    config.loss.beta = 0.0  # cross-entropy weight (classification)
    config.loss.cutoff_iterations = 0  # k*: steps < k* use the 'target_sub' targets (multiscale)
    config.loss.l2_warmup_steps = (
        0  # first N training steps square the residuals (escapes the predict-zero plateau)
    )

    config.optimizer = ml_collections.ConfigDict()
    config.optimizer.learning_rate = 1e-4
    config.optimizer.schedule = "constant"  # 'constant' or 'cosine'
    config.optimizer.warmup_steps = 0
    config.optimizer.grad_clip_norm = 0.0  # 0 = off (authors: off)

    config.train = ml_collections.ConfigDict()
    config.train.batch_size = 4  # graphs per step (authors: 4)
    config.train.num_train_steps = 600
    config.train.seed = 0  # parameter init and per-step rng
    config.train.init_from = (
        ""  # warm start: a bundled name or model directory of the same structure
    )
    config.train.max_minutes = (
        0.0  # >0: stop (checkpoint + model/) after this wall-clock budget per invocation
    )
    config.train.log_every = 20
    config.train.eval_every = 200
    config.train.checkpoint_every = 100
    config.train.keep_checkpoints = 2
    # model/ holds the "last" step's parameters, or those of the "best_dev" evaluation (dev ARI†
    # with evals' DBSCAN parameters: early stopping, a choice made on the dev FOVs)
    config.train.final_params = "last"
    config.train.bucket_ratio = 1.25  # padding budgets grow geometrically (few compilations)
    config.train.data_parallel = True  # split each batch over all devices when there are several

    config.predict = ml_collections.ConfigDict()  # applying a model (miro_jax.inference.predict)
    config.predict.max_nodes_per_call = (
        80_000  # larger fields: balanced tiles + exact K-hop halos (memory)
    )
    config.predict.spatial_order_min_nodes = 20_000  # fields this large are Z-order sorted (speed)
    config.predict.feature_tile_scale = (
        1.0  # Laplacian features per tile of ≈ this many length scales
    )

    # miro fit: δ from the annotation = max(rg factor × median cluster radius of gyration, nn
    # factor × median nearest-neighbour distance): targets (x − centre)/δ of O(0.3) and a
    # connected graph (δ = 300 nm on 30-nm clusters stayed at predict-zero where 100 nm did not)
    config.fit = ml_collections.ConfigDict(dict(delta_rg_factor=3.0, delta_nn_factor=4.0))
    # training windows hold about this many localizations (side ≤ one length scale, ≥ the
    # minimum): dense fields train on smaller windows, so a budget buys as many steps on a
    # 12k-localization FOV as on a 1.5k one (the model sees only K hops of δ)
    config.fit.window_localizations = 1500
    config.fit.window_min_nm = 500.0
    # each window's clusters and background are sub-sampled to these fractions, and it holds
    # its field's cluster density times a factor drawn from cluster_count_scale
    config.fit.cluster_sampling_range = (0.8, 1.0)
    config.fit.background_sampling_range = (0.8, 1.0)
    config.fit.cluster_count_scale = (0.8, 1.2)
    # warm start: 'auto' = the bundled model whose training data is closest (density, nearest
    # neighbours; model_store.closest_bundled_model) of the fit's hidden size, '' = from scratch
    config.fit.warm_start = ""
    config.fit.exclude_models = ()  # bundled models a warm start may not use (experiments)
    config.fit.statistics = (
        ml_collections.ConfigDict()
    )  # set by fit.fit_config: the training data's
    # `miro simulate` / `miro fit --simulate SPEC`: a user's spec overrides these (simulate.spec_field)
    config.fit.spec = ml_collections.ConfigDict(
        dict(
            shape="spot",
            cluster_radius_nm=30.0,
            localizations_per_cluster=20.0,
            blinking_repeats=1.0,
            blinking_spread_nm=10.0,
            cluster_density_per_um2=2.0,
            background_density_per_um2=20.0,
        )
    )
    # single-shot (`--single-cluster`): a raw field's DBSCAN groups holding at least this fraction
    # of the annotated cluster's localizations count as clusters, the rest is its background
    config.fit.raw_cluster_fraction = 0.3

    config.evals = ml_collections.ConfigDict()
    config.evals.miro_eps = 40.62  # DBSCAN eps (nm) on MIRO-squeezed coordinates
    config.evals.miro_min_samples = 4
    config.evals.dbscan_eps = 50.0  # DBSCAN alone, raw nm
    config.evals.dbscan_min_samples = 4
    # two-level (multiscale) models: DBSCAN on the coordinates squeezed at step k*
    # (loss.cutoff_iterations), giving each localization a subcluster; 0 = no subclusters
    config.evals.subcluster_eps = 0.0
    config.evals.subcluster_min_samples = 0
    # the step (1-based) whose squeeze gives the subclusters, 0 = k*; `miro fit` chooses it on the
    # training fields among these fractions of k*: the step whose searched DBSCAN scores best
    # (a trained model starts moving corners to their structures before k*: multiscale.md)
    config.evals.subcluster_step = 0
    config.evals.subcluster_step_fractions = (1 / 3, 1 / 2, 2 / 3, 5 / 6, 1.0)
    config.evals.hdbscan_min_cluster_size = 5  # `miro cluster --method hdbscan / miro-hdbscan`
    config.evals.authors_scaling = True  # squeezed × per-axis max, as the authors (else exact nm)
    config.evals.max_fovs = 7  # dev FOVs scored during training
    # automatic DBSCAN parameters (searched on the training FOVs): what the search maximizes
    # (evaluation.SEARCH_OBJECTIVES) and whether it takes the best 3 × 3 plateau of its grid;
    # chosen on 9 benchmark sets' dev FOVs: experiments/results/dbscan_objective.md
    config.evals.search_objective = "ARI+ARI_dagger+JI_c"
    config.evals.search_plateau = True
    config.evals.search_eps_max_nm = 150.0  # top of the searched eps grid (from 3 nm)
    return config
