"""Reading ZFTurbo Music-Source-Separation-Training yaml configs.

They are written with PyYAML's default dumper and tag tuples (``freqs_per_bands``) as
``!!python/tuple``, which ``yaml.safe_load`` refuses. This loader is safe_load plus that one tag
(read as a list), the same tolerance as the TypeScript reader.
"""
from __future__ import annotations

from pathlib import Path

import yaml


class ConfigLoader(yaml.SafeLoader):
    pass


def _tuple(loader: yaml.SafeLoader, node: yaml.Node):
    return loader.construct_sequence(node, deep=True)


ConfigLoader.add_constructor("tag:yaml.org,2002:python/tuple", _tuple)


def load_yaml_config(path: Path) -> dict:
    cfg = yaml.load(Path(path).read_text(), Loader=ConfigLoader)
    if not isinstance(cfg, dict):
        raise ValueError(f"{path}: not a yaml mapping")
    return cfg
