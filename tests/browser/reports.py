"""Hand-built Reports for the web tests: real-shaped articles written for these tests, with
events, figures, nested attributions and a five-link source chain at known offsets."""

from __future__ import annotations

from reportedly.pipeline import document_id
from reportedly.records import (
    Actor,
    Article,
    Attribution,
    Casualties,
    ChainLink,
    Count,
    CueSpan,
    Document,
    Event,
    Figure,
    Location,
    Mention,
    Report,
    Source,
    SourceSpan,
    Span,
    When,
)

BORDER_TEXT = (
    "Gunners Fire on Their Own Trench Line Near Belgorod\n\n"
    "A Russian artillery gunner captured near Kharkiv says his battery accidentally shelled "
    "Russian positions outside Belgorod last week.\n\n"
    "His account, heard in a video released by Ukraine's border service, was shared by the "
    "Telegram channel Rubezh, according to the French daily Le Courrier.\n\n"
    "In the video the gunner describes how around forty soldiers were dug in along the tree line "
    "when the shells landed. \"I think three of our men were wounded,\" he says.\n\n"
    "Regional officials said 1,200 troops were moved to the Belgorod border on Monday."
)
XSS_TEXT = (
    "Officials said <script>window.__xss = 1; document.title = 'pwned'</script> drones struck "
    "a depot near Odesa.\n\n"
    "Witnesses reported <img src=x onerror=\"window.__xss = 2\"> and a link "
    "<a href=\"javascript:window.__xss=3\">click</a> in the statement."
)
UPLOAD_TEXT = (
    "Russian forces shelled the city of Kharkiv on Tuesday, regional governor Oleh Syniehubov "
    "said, killing two civilians and wounding five others.\n\n"
    "Ukrainian troops shot down three drones over the Sumy region overnight, the air force said."
)


def span(text: str, needle: str, occurrence: int = 1) -> Span:
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return Span(text=needle, start=start, end=start + len(needle))


def _head(whole: Span, length: int) -> Span:
    return Span(text=whole.text[:length], start=whole.start, end=whole.start + length)


def _document(text: str, **meta) -> Document:
    return Document(id=document_id(text), word_count=len(text.split()), text=text, **meta)


def _sentence(text: str, needle: str) -> str:
    start = text.index(needle)
    begin = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start) + 1)
    end = text.find(".", start)
    return text[begin + 1 if begin >= 0 else 0 : end + 1].strip()


BORDER_CHAIN = [
    ChainLink(source_id="s1", name="captured Russian gunner", type="person", role="origin", cue="says"),
    ChainLink(source_id="s2", name="Ukrainian border service", type="government", role="relay", cue="video released by"),
    ChainLink(source_id="s3", name="Rubezh", type="social_media", role="relay", cue="shared by"),
    ChainLink(source_id="s4", name="Le Courrier", type="media", role="relay", cue="according to"),
    ChainLink(source_id=None, name="frontline-news.example", type="media", role="publisher"),
]


def border_report(outlet: str = "frontline-news.example", published: str = "2024-11-12") -> Report:
    text = BORDER_TEXT
    trigger = span(text, "shelled")
    second = span(text, "the shells landed")
    chain = [ChainLink(**{**link.to_dict(), "name": outlet if link.role == "publisher" else link.name}) for link in BORDER_CHAIN]
    event = Event(
        id="e1", type="ASSAULT", mode="heavy-weapons", acled_type="Explosions/Remote violence",
        acled_subtype="Shelling/artillery/missile attack", trigger=trigger, sentence=1,
        evidence=_sentence(text, "shelled"),
        mentions=[Mention(sentence=1, evidence=_sentence(text, "shelled"), trigger=trigger),
                  Mention(sentence=4, evidence=_sentence(text, "the shells landed"), trigger=second)],
        actor=Actor(text="his battery", name="Russian armed forces", country="RUS", sector="military"),
        recipient=Actor(text="Russian positions", name="Russian armed forces", country="RUS", sector="military"),
        friendly_fire=True,
        location=Location(text="outside Belgorod", name="Belgorod", country="RU", admin1="RU-BEL",
                          geonames_id=578072, lat=50.61, lon=36.58, precision="city"),
        date=When(text="last week", start="2024-11-04", end="2024-11-10", precision="week"),
        casualties=Casualties(injured=Count(min=3, max=3, text="three")),
        status="asserted", certainty="possible", hedges=["I think", "accidentally"],
        attribution="a1", source_chain=chain,
    )
    mobilize = Event(
        id="e2", type="MOBILIZE", mode="troops", trigger=span(text, "moved"), sentence=6,
        evidence=_sentence(text, "moved"),
        actor=Actor(text="1,200 troops", name="Russian armed forces", country="RUS", sector="military"),
        location=Location(text="the Belgorod border", name="Belgorod Oblast", country="RU", admin1="RU-BEL",
                          lat=50.71, lon=37.11, precision="admin1"),
        date=When(text="on Monday", start="2024-11-11", end="2024-11-11", precision="day"),
        certainty="probable", attribution="a4",
        source_chain=[ChainLink(source_id="s5", name="Regional officials", type="official", role="origin", cue="said"),
                      ChainLink(source_id=None, name=outlet, type="media", role="publisher")],
    )
    figures = [
        Figure(id="f1", text="around forty", span=span(text, "around forty"), value=Count(min=40, max=40, approx=True, text="around forty"),
               kind="troops", what="soldiers dug in along the tree line", sentence=4, evidence=_sentence(text, "around forty"),
               attribution="a2", source_chain=chain, certainty="possible", hedges=["around"]),
        Figure(id="f2", text="three", span=span(text, "three"), value=Count(min=3, max=3, text="three"), kind="injured",
               what="our men", sentence=5, evidence="\"I think three of our men were wounded,\" he says.",
               attribution="a3", source_chain=chain, certainty="possible", hedges=["I think"], event="e1"),
        Figure(id="f3", text="1,200", span=span(text, "1,200"), value=Count(min=1200, max=1200, text="1,200"), kind="troops",
               what="troops", sentence=6, evidence=_sentence(text, "1,200"), attribution="a4",
               source_chain=mobilize.source_chain, certainty="probable", event="e2"),
    ]
    content_1 = span(text, "his battery accidentally shelled Russian positions outside Belgorod last week")
    attributions = [
        Attribution(id="a1", source=SourceSpan(**span(text, "A Russian artillery gunner captured near Kharkiv").to_dict(),
                                                resolved="captured Russian gunner", source_id="s1"),
                    cue=CueSpan(**span(text, "says").to_dict(), kind="verb"), content=content_1, parent="a5",
                    hedges=["accidentally"]),
        Attribution(id="a2", source=SourceSpan(**span(text, "the gunner").to_dict(), resolved="captured Russian gunner", source_id="s1"),
                    cue=CueSpan(**span(text, "describes").to_dict(), kind="verb"),
                    content=span(text, "around forty soldiers were dug in along the tree line when the shells landed"), parent="a5"),
        Attribution(id="a3", source=SourceSpan(**_head(span(text, "he says"), 2).to_dict(), resolved="captured Russian gunner", source_id="s1"),
                    cue=CueSpan(**span(text, "says", 2).to_dict(), kind="verb"),
                    content=span(text, "I think three of our men were wounded,"), parent="a5", hedges=["I think"]),
        Attribution(id="a4", source=SourceSpan(**span(text, "Regional officials").to_dict(), resolved="Regional officials", source_id="s5"),
                    cue=CueSpan(**span(text, "said").to_dict(), kind="verb"),
                    content=span(text, "1,200 troops were moved to the Belgorod border on Monday")),
        Attribution(id="a5", source=SourceSpan(**span(text, "Ukraine's border service").to_dict(), resolved="Ukrainian border service", source_id="s2"),
                    cue=CueSpan(**span(text, "video released by").to_dict(), kind="noun"),
                    content=span(text, "His account"), parent="a6"),
        Attribution(id="a6", source=SourceSpan(**span(text, "the Telegram channel Rubezh").to_dict(), resolved="Rubezh", source_id="s3"),
                    cue=CueSpan(**span(text, "shared by").to_dict(), kind="verb"),
                    content=span(text, "His account, heard in a video released by Ukraine's border service"), parent="a7"),
        Attribution(id="a7", source=SourceSpan(**span(text, "the French daily Le Courrier").to_dict(), resolved="Le Courrier", source_id="s4"),
                    cue=CueSpan(**span(text, "according to").to_dict(), kind="according_to"),
                    content=span(text, "His account, heard in a video released by Ukraine's border service, was shared by the Telegram channel Rubezh")),
    ]
    sources = [
        Source(id="s1", name="captured Russian gunner", type="person", party_to_conflict="RUS"),
        Source(id="s2", name="Ukrainian border service", type="government", affiliation="UKR", party_to_conflict="UKR"),
        Source(id="s3", name="Rubezh", type="social_media"),
        Source(id="s4", name="Le Courrier", type="media", affiliation="FRA"),
        Source(id="s5", name="Regional officials", type="official", affiliation="RUS", party_to_conflict="RUS"),
    ]
    document = _document(text, outlet=outlet, title="Gunners fire on their own trench line near Belgorod",
                         author="A. Writer", published=published, url="https://frontline-news.example/belgorod-shelling",
                         external_id="border.txt")
    return Report(document=document, events=[event, mobilize], figures=figures, attributions=attributions, sources=sources)


def echo_report() -> Report:
    """A second outlet telling the Belgorod shelling, with a different casualty figure."""
    text = (
        "Ukrainian border guards released a video in which a captured gunner says his unit shelled "
        "fellow Russian soldiers near Belgorod, leaving five wounded."
    )
    trigger = span(text, "shelled")
    chain = [
        ChainLink(source_id="s1", name="captured Russian gunner", type="person", role="origin", cue="says"),
        ChainLink(source_id="s2", name="Ukrainian border service", type="government", role="relay", cue="released"),
        ChainLink(source_id=None, name="wire.example", type="media", role="publisher"),
    ]
    event = Event(
        id="e1", type="ASSAULT", mode="heavy-weapons", trigger=trigger, sentence=0, evidence=text,
        mentions=[Mention(sentence=0, evidence=text, trigger=trigger)],
        actor=Actor(text="his unit", name="Russian armed forces", country="RUS", sector="military"),
        recipient=Actor(text="fellow Russian soldiers", name="Russian armed forces", country="RUS", sector="military"),
        friendly_fire=True,
        location=Location(text="near Belgorod", name="Belgorod", country="RU", admin1="RU-BEL", lat=50.6, lon=36.6, precision="city"),
        casualties=Casualties(injured=Count(min=5, max=5, text="five")), certainty="probable", source_chain=chain,
    )
    figure = Figure(id="f1", text="five", span=span(text, "five"), value=Count(min=5, max=5, text="five"), kind="injured",
                    what="wounded", sentence=0, evidence=text, source_chain=chain, certainty="probable", event="e1")
    document = _document(text, outlet="wire.example", title="Captured gunner describes shelling of own side",
                         published="2024-11-13", url="https://wire.example/gunner")
    return Report(document=document, events=[event], figures=[figure])


def xss_report() -> Report:
    text = XSS_TEXT
    trigger = span(text, "struck")
    payload_source = "<img src=x onerror=\"window.__xss = 4\">"
    event = Event(
        id="e1", type="ASSAULT", mode="drone", trigger=trigger, sentence=0, evidence=text.split("\n\n")[0],
        actor=Actor(text="drones", name="<script>window.__xss = 5</script>", sector="military"),
        location=Location(text="near Odesa", name="Odesa <b onmouseover=\"window.__xss=6\">x</b>", country="UA",
                          admin1="UA-51", lat=46.48, lon=30.73, precision="city"),
        certainty="probable", attribution="a1",
        source_chain=[ChainLink(source_id="s1", name=payload_source, type="official", role="origin", cue="said"),
                      ChainLink(source_id=None, name="<svg onload=\"window.__xss=7\">", type="media", role="publisher")],
    )
    attribution = Attribution(
        id="a1", source=SourceSpan(**span(text, "Officials").to_dict(), resolved=payload_source, source_id="s1"),
        cue=CueSpan(**span(text, "said").to_dict(), kind="verb"), content=span(text, text.split("\n\n")[0][14:]),
    )
    document = _document(
        text, outlet="<svg onload=\"window.__xss=7\">", title="<script>window.__xss = 8; document.title='pwned'</script>Depot hit",
        author="<img src=x onerror=\"window.__xss=9\">", published="2024-11-10", url="javascript:window.__xss=10",
    )
    return Report(document=document, events=[event], attributions=[attribution],
                  sources=[Source(id="s1", name=payload_source, type="official")])


def upload_article() -> Article:
    return Article(text=UPLOAD_TEXT, title="Kharkiv shelled, drones downed over Sumy", outlet="upload.example",
                   published="2024-11-05")


def add_corroboration(store, members: list[tuple[str, str]], cluster: str = "c1") -> None:
    """Write an event_corroboration table (the corroboration engineer's contract) for one cluster."""
    import json

    from reportedly.corroborate.persist import ensure_tables

    ensure_tables(store.connection)
    corroboration = {
        "cluster": cluster, "reports": len(members), "outlets": len(members), "independent_origins": 1,
        "origins": [{"name": "captured Russian gunner", "party_to_conflict": "RUS"}], "both_sides": False,
        "first_reported": {"date": "2024-11-12", "outlet": "frontline-news.example"}, "reuse_clusters": 2,
        "conflicting": [{"value": {"min": 3, "max": 3, "approx": False, "text": "three"}, "origin": "captured Russian gunner"},
                        {"value": {"min": 5, "max": 5, "approx": False, "text": "five"}, "origin": "Ukrainian border service"}],
    }
    for doc_id, event_id in members:
        store.connection.execute(
            "INSERT OR REPLACE INTO event_corroboration VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [doc_id, event_id, cluster, len(members), len(members), 1, False, json.dumps(corroboration)],
        )
