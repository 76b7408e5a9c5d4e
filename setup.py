from setuptools import find_packages, setup

setup(
    name="miro_jax",
    version="0.1.0",
    description="MIRO (recurrent graph neural network for SMLM cluster analysis) in JAX/Flax",
    packages=find_packages(include=["miro_jax", "miro_jax.*", "configs"]),
    package_data={
        "miro_jax": [
            "trained_models/*/config.json",
            "trained_models/*/model_card.*",
            "trained_models/*/params/**/*",
            "samples/*",
        ]
    },
    include_package_data=True,
    python_requires=">=3.10",
    install_requires=[
        "jax>=0.4.30",
        "flax>=0.10",
        "optax>=0.2",
        "jraph==0.0.6.dev0",
        "numpy>=1.24",
        "scipy>=1.11",
        "scikit-learn>=1.3",
        "orbax-checkpoint>=0.6",
        "ml-collections>=0.1.1",
        "absl-py",
        "pandas>=2.0",
        "matplotlib>=3.7",
        "tqdm>=4.60",
        "h5py>=3.8",
        "pyyaml>=6.0",
    ],
    extras_require={"test": ["pytest>=7", "ruff", "hypothesis>=6.0"]},
    entry_points={"console_scripts": ["miro=miro_jax.cli:main"]},
)
