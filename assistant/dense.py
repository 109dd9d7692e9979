"""Dense word vectors for retrieval: wordllama's 256-dim token embeddings, read from its wheel.

wordllama's own loader looks for the tokenizer in a folder the wheel does not have and then
asks a model hub; the two shipped files are read here directly, so nothing can touch the network.
"""
import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_WEIGHTS = "weights/l2_supercat_256.safetensors"


class Embedder:
    """Mean-pooled, unit-length token embeddings for words and texts."""

    def __init__(self, tokenizer, table):
        self._tokenizer = tokenizer
        self._table = table  # float16 (vocabulary, 256): half the memory, cast per use

    def vectors(self, texts):
        """One unit vector per text (zeros for a text with no tokens)."""
        out = np.zeros((len(texts), self._table.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(self._tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            if encoding.ids:
                out[row] = self._table[encoding.ids].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def is_common_word(self, word):
        """True when the tokenizer knows the word whole (a real word, not a typo split in pieces)."""
        return len(self._tokenizer.encode(word, add_special_tokens=False).ids) == 1


@lru_cache(maxsize=1)
def load():
    """The process-wide embedder, or None when wordllama is not installed."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        return None
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    root = Path(spec.origin).parent
    tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
    table = load_file(str(root / _WEIGHTS))["embedding.weight"]
    return Embedder(tokenizer, table)
