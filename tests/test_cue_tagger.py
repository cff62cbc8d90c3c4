"""The learned attribution tagger: the model ships and loads, training and tagging share one
feature function, BIO decoding, and cues the rules miss are found."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy
import pytest

from reportedly import cue_tagger
from reportedly.attribution import AttributionStage, DocAttributions, cue_lexicon, learned_features
from reportedly.pipeline import Analysis
from reportedly.records import Document

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_cue_tagger.py"
FIXTURES = Path(__file__).parent / "fixtures" / "polnear-mini"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("train_cue_tagger", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def attribute(pipeline):
    stages = {True: AttributionStage(), False: AttributionStage(learned=False)}

    def run(text: str, learned: bool = True) -> Analysis:
        analysis = Analysis(doc=pipeline.nlp(text), document=Document(id="t", text=text))
        stages[learned](analysis)
        return analysis

    return run


def test_the_model_ships_small_and_loads_once():
    path = ROOT / "src" / "reportedly" / "data" / cue_tagger.MODEL_FILE
    assert path.is_file()
    assert path.stat().st_size < 8_000_000
    assert cue_tagger.tagger() is not None
    assert cue_tagger.tagger() is cue_tagger.tagger()  # cached: one load per process


def test_decode_reads_bio_tags_into_spans():
    spans = cue_tagger.decode(
        [3, 4, 5, 7, 8, 9, 10],
        ["B-SRC", "I-SRC", "B-CUE", "O", "I-CON", "I-CON", "B-CON"],
        [0.9, 0.8, 0.7, 1.0, 0.6, 0.95, 0.5],
    )
    assert [(s.role, s.start, s.end) for s in spans] == [("SRC", 3, 5), ("CUE", 5, 6), ("CON", 8, 10), ("CON", 10, 11)]
    assert spans[0].confidence == pytest.approx(0.8)  # a span is as sure as its least sure tag


def test_training_labels_follow_the_brat_spans(pipeline, script):
    text = (FIXTURES / "brief.txt").read_text(encoding="utf-8")
    doc = pipeline.nlp(text)
    sequences = list(script.sequences(doc, script.read_spans(FIXTURES / "brief_x.ann")))
    labels = [label for _items, sentence in sequences for label in sentence]
    words = [t.text for t in doc if not t.is_space]
    tagged = dict(zip(words, labels, strict=True))
    assert tagged["mayor"] == "I-SRC" and tagged["The"] == "B-SRC"
    assert tagged["insisted"] == "B-CUE"
    assert tagged["bridge"] == "I-CON"
    assert tagged["Officials"] == "B-SRC"


def test_training_uses_the_run_time_feature_function(pipeline, script):
    # one feature function: the script imports the stage's own, it defines none of its own
    assert script.sentence_features is cue_tagger.sentence_features
    assert script.learned_features is learned_features
    doc = pipeline.nlp("The mayor insisted the bridge was safe. Officials disagreed.")
    finder = DocAttributions(doc, cue_lexicon())
    finder.run()
    features = learned_features(finder)
    assert script.features_of(doc) == features
    expected = [items for sent in doc.sents for items in [cue_tagger.sentence_features(sent, features)[1]]]
    assert [items for items, _labels in script.sequences(doc, [])] == expected


def test_rule_roles_are_features(pipeline):
    doc = pipeline.nlp("The mayor said the bridge was safe.")
    finder = DocAttributions(doc, cue_lexicon())
    finder.run()
    features = learned_features(finder)
    said = next(t.i for t in doc if t.text == "said")
    assert "r=C" in features[said]
    assert "r=S" in features[said - 1]
    assert "r=T" in features[said + 2]


@pytest.mark.parametrize("text, cue, source, content", [
    ("Opposition lawmakers have long debated the wisdom of the deal.",
     "have long debated", "Opposition lawmakers", "the wisdom of the deal"),
    ("The minister has been steadily pounding the opposition as traitors.",
     "has been steadily pounding", "The minister", "the opposition as traitors"),
])
def test_the_tagger_finds_cues_the_rules_miss(attribute, text, cue, source, content):
    assert attribute(text, learned=False).attributions == []
    found = attribute(text).attributions
    assert [(a.cue.text, a.source.text, a.content.text) for a in found] == [(cue, source, content)]


def test_the_tagger_keeps_what_the_rules_find(attribute):
    text = "The regional governor said that two drones hit a fuel depot near the airport."
    rules = attribute(text, learned=False).attributions
    assert [(a.cue.text, a.content.text) for a in attribute(text).attributions] == [(a.cue.text, a.content.text) for a in rules]


def test_a_tagged_cue_the_rules_cannot_build_takes_the_tagged_source_and_content(pipeline):
    doc = pipeline.nlp("Many voters were furious about the new fuel tax.")
    finder = DocAttributions(doc, cue_lexicon())
    assert finder.run() == []
    words = {t.text: t.i for t in doc}
    spans = [
        cue_tagger.TaggedSpan("SRC", words["Many"], words["voters"] + 1, 0.9),
        cue_tagger.TaggedSpan("CUE", words["were"], words["about"] + 1, 0.8),
        cue_tagger.TaggedSpan("CON", words["the"], words["tax"] + 1, 0.9),
    ]
    finder.add_tagged(spans)
    [found] = finder.found
    assert doc[found.cue_start : found.cue_end].text == "were furious about"
    assert doc.text[found.content[0] : found.content[1]] == "the new fuel tax"
    assert found.extra["source_span"] == (words["Many"], words["voters"] + 1)
    # an unsure cue adds nothing
    unsure = DocAttributions(doc, cue_lexicon())
    unsure.run()
    unsure.add_tagged([cue_tagger.TaggedSpan(s.role, s.start, s.end, 0.1) for s in spans])
    assert unsure.found == []


def test_every_token_gets_a_word_class_and_its_governing_verb(pipeline):
    clusters = cue_tagger.token_clusters()
    assert clusters is not None and clusters.width == 96
    doc = pipeline.nlp("The governor said the bridge was destroyed overnight.")
    coarse, fine = clusters.assign(doc)
    assert len(coarse) == len(fine) == len(doc)
    assert max(coarse) < len(clusters.coarse) and max(fine) < len(clusters.fine)
    finder = DocAttributions(doc, cue_lexicon())
    finder.run()
    features = learned_features(finder)
    words = {t.text: t.i for t in doc}
    assert f"k={coarse[words['said']]}" in features[words["said"]]
    assert "av=destroy" in features[words["bridge"]]  # the verb it hangs from
    assert {"av=say", "avLV"} <= set(features[words["destroyed"]])  # reported by a listed cue
    assert not any(f.startswith("av=") for f in features[words["said"]])  # the root has none


def test_a_doc_without_tok2vec_vectors_is_still_tagged(pipeline):
    doc = pipeline.nlp("Opposition lawmakers have long debated the wisdom of the deal.")
    doc.tensor = numpy.zeros((0,), dtype="float32")  # another model, or vectors dropped
    assert cue_tagger.token_clusters().assign(doc) is None
    finder = DocAttributions(doc, cue_lexicon())
    finder.run()
    assert not any(f.startswith("k=") for words in learned_features(finder) if words for f in words)
    analysis = Analysis(doc=doc, document=Document(id="t", text=doc.text))
    AttributionStage()(analysis)  # runs on the parse features alone
