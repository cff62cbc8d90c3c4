"""Stage: events. Triggers in the parse -> PLOVER/ACLED-coded events with actors, place, date.

For every sentence, trigger words from ``data/triggers.tsv`` (lemma or phrase -> PLOVER type,
mode and ACLED type) are matched on the parse. Each match is checked against its flags (an
ambiguous trigger needs a party, an object or a weapon), then given:

- actor and recipient from the dependency parse (subject, passive agent, object, "on/against"
  attachments, possessives of event nouns), normalised by :mod:`reportedly.actors`;
- a status from negation, denial, modals, future auxiliaries and threats in its governing chain;
- a location (the nearest place mention in its clause, then its sentence, then the sentences
  just before), a date (a date mention in its sentence, else the document's month), hedges
  and casualties tied to it.

Events that tell one happening (same type, compatible mode, parties, place and date) are merged
into one with all its ``mentions``. Attribution, source chains and certainty are the provenance
stage's work.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span, Token

from . import numbers
from .actors import MATERIAL_TYPES, DocActors, alpha3, friendly_fire, infer_sides, tables
from .data import read_table
from .hedges import lexicon
from .pipeline import Analysis, DateMention, PlaceMention
from .records import Actor, Casualties, Count, Event, Location, Mention, When
from .records import Span as TextSpan

# Verbs whose object is an event noun they report as done by their subject
# ("Russia launched an attack", "issued a warning", "held talks").
RECEIVE_VERBS = {"get", "receive", "obtain", "secure", "accept"}
LIGHT_VERBS = {
    "launch", "carry", "conduct", "stage", "mount", "begin", "continue", "step", "intensify",
    "resume", "start", "issue", "make", "hold", "have", "announce", "impose", "unleash", "wage",
    "repel", "repulse", "order", "approve", "renew", "escalate", "expand", "lead", "plan", "open",
}
# Governing verbs that make what they govern an expectation or opinion, not an event.
OPINION_VERBS = {"expect", "predict", "anticipate", "fear", "worry", "speculate", "forecast", "hope", "doubt", "imagine", "suggest", "estimate", "risk"}
DENY_VERBS = {"deny", "refute", "dismiss", "reject", "dispute", "disavow"}
THREAT_VERBS = {"threaten", "warn"}
FUTURE_VERBS = {"plan", "intend", "prepare", "aim", "vow", "pledge", "promise", "set", "agree", "offer"}
PROMISE_VERBS = {"vow", "pledge", "promise", "plan", "agree", "offer", "intend", "commit", "ready"}
MODALS = {"could", "might", "may", "would", "should", "can", "must"}
FUTURE_AUX = {"will", "shall", "'ll", "wo"}
# Casualty words: a number tied to one of these counts the event's victims.
CASUALTY_WORDS = {
    "kill": "killed", "die": "killed", "dead": "killed", "death": "killed", "fatality": "killed",
    "murder": "killed", "execute": "killed", "slay": "killed", "life": "killed",
    "wound": "injured", "injure": "injured", "injured": "injured", "wounded": "injured", "hurt": "injured",
    "injury": "injured",
    "capture": "captured", "captive": "captured", "prisoner": "captured", "detain": "captured",
    "surrender": "captured", "abduct": "captured", "kidnap": "captured",
    "missing": "missing",
}
# Trigger stems that tell one kind of happening ("the Russian offensive" is the invasion again).
FAMILIES = {"offe": "inva", "war": "inva"}
KILL_TRIGGERS = {"kill", "wound", "injure", "murder"}
# Subjects that make a killing the toll of a happening told elsewhere ("the attack killed 53").
HAPPENING_NOUNS = {
    "attack", "strike", "shelling", "explosion", "blast", "bombing", "war", "conflict", "invasion",
    "fighting", "airstrike", "raid", "assault", "offensive", "bombardment", "fire",
}
# Object nouns that make "send/provide/supply" an AID (or, for troops, a MOBILIZE).
AID_OBJECTS = {
    "aid", "assistance", "weapon", "arm", "ammunition", "missile", "drone", "tank", "artillery",
    "system", "equipment", "money", "dollar", "package", "jet", "aircraft", "vehicle", "howitzer",
    "himars", "supply", "shipment", "support", "help", "fund", "funding", "loan", "grant",
    "rocket", "shell", "launcher", "gear", "helmet", "vest", "radar", "part", "munition", "finance",
    "military", "humanitarian", "food", "medicine", "generator", "fighter",
}
TROOP_OBJECTS = {"troop", "soldier", "force", "reinforcement", "battalion", "brigade", "unit", "mercenary", "paratrooper", "marine"}
WEAPON_OBJECTS = {
    "weapon", "missile", "drone", "rocket", "equipment", "ammunition", "arm", "shell", "munition",
    "artillery", "tank", "jet", "aircraft", "system", "uav", "bomb", "warhead",
}
TERRITORY_WORDS = {
    "town", "city", "village", "region", "territory", "airport", "plant", "reactor", "peninsula",
    "port", "island", "base", "airfield", "oblast", "province", "district", "area", "bridge",
    "station", "capital", "settlement", "control", "position", "building", "hill", "bank",
}
AGREEMENT_WORDS = {"agreement", "deal", "treaty", "accord", "memorandum", "pact", "declaration"}
IMPOSING_VERBS = {"impose", "announce", "introduce", "slap", "approve", "unveil", "adopt", "target", "extend", "expand", "place", "aim", "levy", "agree"}
SANCTION_WORDS = {"sanction", "restriction", "ban", "embargo", "tariff", "penalty", "measure", "limit"}
DENIAL_OBJECTS = {"concern", "claim", "allegation", "accusation", "report", "suggestion", "charge", "idea", "notion", "proposal"}
STATE_WORDS = {"state", "republic", "independence", "sovereignty", "government"}
LABOUR_WORDS = {"general", "worker", "labour", "labor", "union", "miner", "teacher", "national"}
# Types whose target may be a place that is only where it happened (a town shelled, taken, left).
PLACE_TARGET_TYPES = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "RETREAT", "CONSULT"})
RECIPIENT_PREPS = {
    "ASSAULT": ("on", "against", "at", "upon", "into", "toward", "towards", "of"),
    "COERCE": ("on", "against", "of"),
    "SANCTION": ("on", "against", "from", "to"),
    "THREATEN": ("to", "against"),
    "ACCUSE": ("against", "of", "into"),
    "REJECT": ("from", "by"),
    "REQUEST": ("from", "to", "on"),
    "AID": ("to", "for"),
    "AGREE": ("to", "with", "for"),
    "CONSULT": ("with", "between"),
    "COOPERATE": ("with",),
    "SUPPORT": ("for",),
    "RETREAT": ("with",),
    "PROTEST": ("against",),
}
ARMED_SECTORS = {"military", "police", "rebel"}
STATEMENT_TYPES = {"THREATEN", "REQUEST", "AGREE", "REJECT"}
# Verbs of wanting and demanding: what they govern is asked for, not done.
HABITUAL = {"often", "long", "frequently", "repeatedly", "always", "routinely", "regularly", "usually"}
REQUEST_VERBS = {"want", "demand", "urge", "ask", "insist", "press", "call"}
YIELD_WORDS = {"withdraw", "release", "cede", "stop", "end", "leave", "free", "return", "halt", "lift", "cease", "surrender"}
PARTY_SECTORS = {"military", "police", "rebel", "government", "igo", "ngo"}


@dataclass(frozen=True, slots=True)
class TriggerEntry:
    phrase: tuple[str, ...]
    pos: str  # "V", "N" or "*"
    type: str
    mode: str | None
    acled_type: str | None
    acled_subtype: str | None
    flags: frozenset[str]


@dataclass(frozen=True, slots=True)
class Instrument:
    mode: str
    acled_type: str
    acled_subtype: str


class TriggerLexicon:
    """``triggers.tsv`` indexed by first lemma, longest phrase first (built once)."""

    def __init__(self, rows: Iterable[tuple[str, ...]]):
        self.by_first: dict[str, list[TriggerEntry]] = {}
        for row in rows:
            phrase, pos, etype, mode, acled_type, acled_subtype, *rest = (*row, "", "", "", "", "", "")[:8]
            entry = TriggerEntry(
                phrase=tuple(phrase.lower().split()),
                pos=pos or "*",
                type=etype,
                mode=_cell(mode),
                acled_type=_cell(acled_type),
                acled_subtype=_cell(acled_subtype),
                flags=frozenset(f.strip() for f in (rest[0] if rest else "").split(",") if f.strip()),
            )
            self.by_first.setdefault(entry.phrase[0], []).append(entry)
        for entries in self.by_first.values():
            entries.sort(key=lambda e: -len(e.phrase))

    def match(self, token: Token) -> list[tuple[TriggerEntry, list[Token]]]:
        """Entries whose phrase starts at ``token``, each with the tokens it covers."""
        entries = self.by_first.get(_key(token))
        if not entries:
            return []
        found = []
        for entry in entries:
            if not _pos_ok(entry.pos, token, len(entry.phrase) > 1):
                continue
            tokens = _phrase_tokens(token, entry.phrase)
            if tokens is not None and entry.pos == "N" and len(tokens) > 1 and tokens[-1].pos_ not in ("NOUN", "PROPN"):
                continue  # "drones strike ships" is a verb, not a "drone strike"
            if tokens is not None:
                found.append((entry, tokens))
        return found


def _cell(value: str) -> str | None:
    return None if value in ("", "-") else value


def _key(token: Token) -> str:
    return token.lemma_.lower()


def _pos_ok(pos: str, token: Token, phrase: bool) -> bool:
    if pos == "V":
        return token.pos_ in ("VERB",) or (phrase and token.pos_ in ("AUX", "NOUN", "ADJ"))
    if pos == "N":
        return token.pos_ in ("NOUN", "PROPN") or (phrase and token.pos_ in ("ADJ", "VERB", "ADP"))
    return token.pos_ in ("VERB", "NOUN", "PROPN", "ADJ", "ADP")


def _phrase_tokens(first: Token, phrase: tuple[str, ...]) -> list[Token] | None:
    """Tokens of ``phrase`` from ``first``: adjacent words, or a particle/preposition of the verb."""
    if len(phrase) == 1:
        return [first]
    doc = first.doc
    tokens = [first]
    position = first.i
    for word in phrase[1:]:
        nxt = position + 1
        if nxt < len(doc) and (doc[nxt].lemma_.lower() == word or doc[nxt].lower_ == word):
            tokens.append(doc[nxt])
            position = nxt
            continue
        # "shot the drone down", "fired directly on": a particle or preposition of the verb.
        attached = [
            c for c in first.children
            if c.dep_ in ("prt", "prep", "dobj", "advmod") and (c.lower_ == word or c.lemma_.lower() == word) and c.i > first.i
        ]
        if attached and first.pos_ == "VERB":
            tokens.append(attached[0])
            position = attached[0].i
            continue
        return None
    return tokens


@functools.cache
def lexicon_of_triggers() -> TriggerLexicon:
    return TriggerLexicon(read_table("triggers.tsv"))


@functools.cache
def instruments() -> dict[str, Instrument]:
    return {row[0]: Instrument(row[1], row[2], row[3]) for row in read_table("instruments.tsv")}


@dataclass(slots=True)
class Candidate:
    """One trigger occurrence being coded (becomes one Mention of an Event)."""

    entry: TriggerEntry
    tokens: list[Token]
    head: Token
    sentence: int
    type: str
    mode: str | None
    acled_type: str | None
    acled_subtype: str | None
    actor_token: Token | None = None
    recipient_token: Token | None = None
    actor: Actor | None = None
    recipient: Actor | None = None
    status: str = "asserted"
    location: Location | None = None
    location_span: tuple[int, int] | None = None
    when: When | None = None
    casualties: dict[str, Count] = field(default_factory=dict)
    hedges: list[str] = field(default_factory=list)
    object_token: Token | None = None
    aftermath: bool = False  # a toll ("the attack killed 53") of a happening told elsewhere
    kind: str | None = None  # the family of happening when the trigger word does not say it

    @property
    def start(self) -> int:
        return self.tokens[0].idx

    @property
    def end(self) -> int:
        last = self.tokens[-1]
        return last.idx + len(last.text)

    @property
    def family(self) -> str:
        stem = self.kind or self.head.lemma_.lower()[:4]
        return FAMILIES.get(stem, stem)


class EventStage:
    """Fills ``analysis.events``; tables are loaded once, at construction."""

    def __init__(self, hypothetical: bool = False) -> None:
        # Hypothetical happenings ("could strike") are analysis, not events, in the gold
        # conventions; they are detected always and kept only on request.
        self.keep_hypothetical = hypothetical
        self.triggers = lexicon_of_triggers()
        self.instruments = instruments()
        self.actor_tables = tables()
        self.hedges = lexicon()

    def __call__(self, analysis: Analysis) -> None:
        doc = analysis.doc
        sentences = list(doc.sents)
        actors = DocActors(doc, self.actor_tables, analysis.text)
        context = _DocContext(analysis, sentences, actors)
        candidates: list[Candidate] = []
        for index, sent in enumerate(sentences):
            found = self._sentence_candidates(sent, index, context)
            candidates.extend(_fold_casualty_triggers(found))
        for cand in candidates:
            self._complete(cand, context)
        events = _merge(candidates, context)
        _apply_denials(events, sentences, actors)
        analysis.events = events

    # -- finding triggers -----------------------------------------------------------------
    def _sentence_candidates(self, sent: Span, index: int, context: _DocContext) -> list[Candidate]:
        used: set[int] = set()
        found: list[Candidate] = []
        for token in sent:
            if token.i in used or token.is_punct or token.is_space:
                continue
            for entry, tokens in self.triggers.match(token):
                if any(t.i in used for t in tokens):
                    continue
                cand = self._candidate(entry, tokens, index, context)
                if cand is None:
                    continue
                used.update(t.i for t in tokens)
                found.append(cand)
                break
        found = _fold_restatements(found)
        # "threatened to strike Kyiv", "want Russia to withdraw", "ready to meet": one statement;
        # the happening it names did not happen (yet).
        statements = {c.head.i for c in found if c.type in STATEMENT_TYPES}
        return [c for c in found if not ({g.i for g in _complement_governors(c.head)} & statements and c.head.i not in statements)]

    def _candidate(self, entry: TriggerEntry, tokens: list[Token], index: int, context: _DocContext) -> Candidate | None:
        head = _syntactic_head(tokens)
        cand = Candidate(
            entry=entry, tokens=tokens, head=head, sentence=index, type=entry.type, mode=entry.mode,
            acled_type=entry.acled_type, acled_subtype=entry.acled_subtype,
        )
        if _governed_by(head, OPINION_VERBS):
            return None
        if _descriptive(head):
            return None
        _find_participants(cand)
        inside = {t.i for t in tokens}
        for role in ("actor_token", "recipient_token", "object_token"):
            if getattr(cand, role) is not None and getattr(cand, role).i in inside:
                setattr(cand, role, None)
        if cand.type == "MOBILIZE":
            cand.recipient_token = None  # the troops moved are not a target
        actors = context.actors
        event_type = cand.type
        if cand.actor_token is not None:
            cand.actor = actors.resolve(cand.actor_token, event_type)
        if cand.recipient_token is not None:
            cand.recipient = actors.resolve(cand.recipient_token, event_type)
            if _is_place_phrase(cand.recipient_token, cand.recipient, context):
                cand.recipient = _seat_of_power(cand, context)
        subject = cand.actor_token
        if subject is not None and subject.lower_ in ("which", "that") and subject.head.dep_ == "relcl":
            subject = subject.head.head
        if cand.head.lemma_.lower() in KILL_TRIGGERS and subject is not None and subject.lemma_.lower() in HAPPENING_NOUNS:
            cand.aftermath = True
            return cand
        if not self._flags_ok(cand, context):
            return None
        self._refine_type(cand, context.published)
        if cand.type is None:
            return None
        self._refine_mode(cand)
        cand.status = _status(head)
        if cand.status == "hypothetical" and not self.keep_hypothetical:
            return None  # "could help", "might invade": analysis, not news
        if cand.type == "AID" and (cand.status == "future" or _governed_by(head, PROMISE_VERBS)):
            cand.type, cand.status, cand.mode = "AGREE", "asserted", None
            cand.acled_type = cand.acled_subtype = None
        return cand

    # -- flags: evidence an ambiguous trigger needs ---------------------------------------------
    def _flags_ok(self, cand: Candidate, context: _DocContext) -> bool:
        flags = cand.entry.flags
        head = cand.head
        actor, recipient = cand.actor, cand.recipient
        is_noun = head.pos_ in ("NOUN", "PROPN")
        if "party" in flags and not (_is_party(actor) or _is_party(recipient) or self._armed_violence(cand, context)):
            return False
        if "object" in flags and cand.recipient_token is None and cand.object_token is None:
            return False
        if "specific" in flags and is_noun and cand.actor_token is None and cand.recipient_token is None:
            return False
        if "place" in flags and is_noun and cand.actor_token is None and not context.places_in_sentence(cand.sentence):
            return False
        if "instrument" in flags and not self._instrument_ok(cand):
            return False
        if "territory" in flags and not _object_is_territory(cand, context):
            return False
        if "aid" in flags and not _object_in(cand, AID_OBJECTS | TROOP_OBJECTS, money=True):
            return False
        if "weapon" in flags and not _object_in(cand, WEAPON_OBJECTS, money=False):
            return False
        if "military" in flags and not (
            _armed(actor) or (_armed(recipient) and cand.type != "RETREAT") or _object_in(cand, TROOP_OBJECTS | {"military", "troop"}, money=False)
            or any(t.lemma_.lower() == "military" for t in head.lefts)
            or (cand.type == "RETREAT" and _prep_object(head, ("from",)) is not None)  # withdrawal from X
        ):
            return False
        if "meet" in flags and not _two_parties(cand):
            return False
        if "phone" in flags and not any(t.lemma_.lower() in ("phone", "video", "telephone") for t in head.lefts):
            return False
        if "legal" in flags and not any(c.dep_ == "prep" and c.lower_ in ("with", "as", "under") for c in head.children):
            return False
        if "wants" in flags and (_child(head, ("xcomp", "ccomp")) is None or not _present(head)):
            return False
        if cand.type in STATEMENT_TYPES | {"ACCUSE"} and any(c.lower_ in HABITUAL for c in head.children):
            return False  # "have long accused", "is often accused": a habit, not news
        if "callfor" in flags and _prep_object(head, ("for",)) is None:
            return False
        if "warn" in flags and cand.recipient_token is None:
            return False
        if "nodeny" in flags and _object_in(cand, DENIAL_OBJECTS, money=False):
            return False
        if "political" in flags and not _object_in(cand, STATE_WORDS | {"republic"}, money=False) and not (recipient and recipient.country):
            return False
        if "agreement" in flags and not _object_in(cand, AGREEMENT_WORDS, money=False):
            return False
        if "sanction" in flags and not _object_in(cand, SANCTION_WORDS, money=False):
            return False
        if "imposed" in flags and not (
            head.head.lemma_.lower() in IMPOSING_VERBS
            or any(c.dep_ in ("acl", "relcl") and c.lemma_.lower() in IMPOSING_VERBS for c in head.children)
        ):
            return False  # "US sanctions" as a topic are not news; sanctions announced or imposed are
        if "civilian" in flags and not (actor and actor.sector == "civilian"):
            return False
        if "labour" in flags and not any(t.lemma_.lower() in LABOUR_WORDS for t in head.lefts):
            return False
        if "noxcomp" in flags and (head.dep_ in ("xcomp", "advcl", "acl", "pcomp") or not context.places_in_clause(cand)):
            return False  # "fighting" as a verb needs the place it happens in
        if "captive" in flags and not (recipient and (recipient.sector != "other" or cand.recipient_token.ent_type_ == "PERSON")):
            return False
        if "agentonly" in flags and actor is None:
            return False
        # "accused X of shelling": the shelling is coded, not the accusation.
        return not ("standalone" in flags and _complement_is_event(head, self.triggers))

    def _armed_violence(self, cand: Candidate, context: _DocContext) -> bool:
        """Violence with no named party that is still news: shelling of a place, a hit station."""
        if cand.type != "ASSAULT":
            return False
        placed = bool(context.places_in_sentence(cand.sentence))
        recipient = cand.recipient
        if recipient is not None and recipient.sector == "civilian" and (placed or _has_instrument(cand, self.instruments)):
            return True
        return cand.entry.mode is not None and cand.entry.mode != "destroy" and placed

    def _instrument_ok(self, cand: Candidate) -> bool:
        if _has_instrument(cand, self.instruments) or _armed(cand.actor):
            return True
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in cand.head.children)
        return passive and cand.recipient is not None and cand.recipient.sector in ("civilian", "military")

    def _refine_type(self, cand: Candidate, on: date | None) -> None:
        """Type changes that depend on the object: troops sent are a MOBILIZE, not an AID."""
        if cand.type == "REQUEST" and cand.head.lemma_.lower() in REQUEST_VERBS:
            wanted = _child(cand.head, ("xcomp", "ccomp"))
            if wanted is not None:
                cand.mode = "yield" if wanted.lemma_.lower() in YIELD_WORDS else (cand.mode or "change")
                controller = _child(cand.head, ("dobj",)) or _child(wanted, ("nsubj",))
                if cand.recipient_token is None and controller is not None:
                    cand.recipient_token = controller
        if cand.type == "AID" and "aid" in cand.entry.flags and _object_in(cand, TROOP_OBJECTS, money=False):
            cand.type, cand.mode = "MOBILIZE", "troops"
            cand.acled_type, cand.acled_subtype = "Strategic developments", "Change to group/activity"
        if cand.type == "ASSAULT" and cand.head.lemma_.lower() == "capture" and cand.actor and cand.actor.sector == "police":
            cand.type, cand.mode = "COERCE", "arrest"  # security agents capturing a person: an arrest
            cand.acled_type, cand.acled_subtype = "Strategic developments", "Arrests"
        if cand.type == "RETREAT" and cand.mode == "withdraw":
            left = _prep_object(cand.head, ("from",))
            if left is None and cand.head.dep_ == "dobj":
                left = _prep_object(cand.head.head, ("from",))  # "announced its withdrawal on Friday from"
            if left is not None and any(h.value.sector == "igo" for h in self.actor_tables.named.find(left.text)):  # type: ignore[union-attr]
                cand.type = "SANCTION"  # leaving an organisation in protest: PLOVER SANCTION withdraw
                cand.acled_type = cand.acled_subtype = None
        if cand.type == "MOBILIZE" and cand.actor is not None and cand.actor.country:
            # "Russia sent troops into Ukraine": troops sent into the enemy's country invade it.
            into = _prep_object(cand.head, ("into",))
            target = self.actor_tables.country_aliases.find(into.text) if into is not None else []
            if target and self.actor_tables.alliances.opponent(cand.actor.country, on) == target[0].value:
                cand.type, cand.mode, cand.kind = "ASSAULT", None, "inva"
                cand.acled_type, cand.acled_subtype = "Battles", "Armed clash"
        if cand.type == "ASSAULT" and cand.head.lemma_.lower() == "storm" and cand.actor and cand.actor.sector in ("civilian", "media"):
            cand.type, cand.mode = "PROTEST", "demo"  # a journalist storming a studio set protests
            cand.acled_type, cand.acled_subtype = "Protests", "Peaceful protest"
        if cand.type == "MOBILIZE" and cand.head.lemma_.lower() == "test":
            cand.mode = "weapons"

    def _refine_mode(self, cand: Candidate) -> None:
        if cand.type != "ASSAULT":
            return
        found = _instrument_of(cand, self.instruments)
        if found is None:
            return
        if cand.mode is None or (cand.mode == "heavy-weapons" and found.mode in ("drone", "aerial")):
            cand.mode = found.mode
            cand.acled_type, cand.acled_subtype = found.acled_type, found.acled_subtype

    # -- everything else about one candidate ---------------------------------------------------
    def _complete(self, cand: Candidate, context: _DocContext) -> None:
        sent = context.sentences[cand.sentence]
        cand.hedges = sorted({h.text for h in self.hedges.in_span(context.text, sent.start_char, sent.end_char)})
        cand.location, cand.location_span = context.location_for(cand)
        cand.when = context.date_for(cand)
        # a toll counts an attack's victims; an accusation or arrest in the same sentence
        # ("killed 18 in what G7 leaders branded a war crime") only retells it
        cand.casualties = _casualties(cand, sent, context.actors) if cand.type == "ASSAULT" else {}
        if cand.type == "ASSAULT" and cand.acled_type == "Violence against civilians" and cand.recipient and cand.recipient.sector in ARMED_SECTORS:
            cand.acled_type, cand.acled_subtype = "Battles", "Armed clash"
        if cand.type == "ASSAULT" and cand.acled_type == "Battles" and cand.recipient and cand.recipient.sector == "civilian" and cand.mode in (None, "firearms"):
            cand.acled_type, cand.acled_subtype = "Violence against civilians", "Attack"


# -- participants -----------------------------------------------------------------------------
def _descriptive(head: Token) -> bool:
    """Participles that describe a participant rather than tell news.

    "killed and wounded soldiers" (adjectival), "a soldier captured by Ukrainian forces says",
    "soldiers, deployed by Moscow, fired": a reduced relative on a clause's subject identifies
    who is talking or acting; the happening it names is background.
    """
    if head.pos_ != "VERB":
        return False
    if head.dep_ == "amod":
        return True
    clause_words = {c.dep_ for c in head.children} & {"nsubj", "nsubjpass", "aux", "auxpass", "agent", "dobj"}
    if head.tag_ == "VBN" and not clause_words and head.dep_ in ("acomp", "pobj", "oprd", "attr", "compound"):
        return True  # "presented as killed saboteurs"
    return head.dep_ == "acl" and head.tag_ == "VBN" and head.head.dep_ in ("nsubj", "nsubjpass")


def _syntactic_head(tokens: list[Token]) -> Token:
    inside = {t.i for t in tokens}
    for tok in tokens:
        if (tok.head.i not in inside or tok.head == tok) and tok.pos_ in ("VERB", "NOUN", "PROPN"):
            return tok
    return tokens[0]


def _find_participants(cand: Candidate) -> None:
    head = cand.head
    if head.pos_ == "ADJ" and head.head.lemma_.lower() == "find":
        # "a court found Aslin and Pinner guilty": the finder convicts, the found are convicted.
        finder = head.head
        cand.actor_token = _child(finder, ("nsubj",))
        cand.recipient_token = _child(finder, ("dobj",)) or _child(head, ("nsubj",))
    elif head.pos_ in ("NOUN", "PROPN") or (head.pos_ == "ADP" and cand.entry.pos == "*"):
        _noun_participants(cand)
    else:
        _verb_participants(cand)
    if cand.entry.flags and "reverse" in cand.entry.flags:
        # "Russia received drones from Iran": the giver is the "from" phrase.
        giver = _prep_object(head, ("from",))
        cand.actor_token, cand.recipient_token = giver, cand.actor_token


def _verb_participants(cand: Candidate) -> None:
    head = cand.head
    subject = _child(head, ("nsubj", "csubj"))
    passive_subject = _child(head, ("nsubjpass",))
    agent = _agent(head)
    inside = {t.i for t in cand.tokens}
    obj = _child(head, ("dobj",))
    obj = None if obj is not None and obj.i in inside else obj  # "opened fire": fire is the trigger
    dative = _child(head, ("dative",))
    cand.object_token = obj
    if cand.type in ("AID", "AGREE") and passive_subject is not None:
        # "aircraft parts had been sent to Ukraine": the passive subject is what was given.
        cand.actor_token, cand.object_token = agent, passive_subject
        cand.recipient_token = _prep_object(head, RECIPIENT_PREPS["AID"])
        return
    if obj is not None and obj.lower_ in ("that", "which") and head.dep_ == "relcl":
        obj = cand.object_token = head.head  # "HIMARS that the US has provided"
    if "yield" in cand.entry.flags:
        # "surrendered to Russian forces": the captor acts, the one who surrenders is taken.
        cand.actor_token = _prep_object(head, ("to",))
        cand.recipient_token = subject if subject is not None else _inherited_subject(head)
        return
    if passive_subject is not None or (head.tag_ == "VBN" and head.dep_ in ("acl", "amod")):
        cand.actor_token = agent
        if cand.type == "MOBILIZE" and agent is None:
            cand.actor_token = passive_subject  # "8,000 soldiers are stationed in the area"
        cand.recipient_token = passive_subject if passive_subject is not None else (head.head if head.dep_ in ("acl", "amod") else None)
        if cand.recipient_token is not None and cand.recipient_token.pos_ not in ("NOUN", "PROPN", "PRON"):
            cand.recipient_token = None
        return
    if subject is not None and subject.lower_ in ("which", "that", "who") and head.dep_ == "relcl":
        subject = head.head  # "the conflict, which has killed thousands"
    cand.actor_token = subject if subject is not None else _inherited_subject(head)
    if cand.actor_token is not None and cand.actor_token.dep_ == "csubj":
        cand.actor_token = None
    preps = RECIPIENT_PREPS.get(cand.type, ())
    recipient = None
    for token in [head, *(t for t in cand.tokens if t != head)]:  # "opened fire on X": on hangs off "fire"
        recipient = recipient or (_prep_object(token, preps) if preps else None)
    if cand.type in ("AID", "AGREE", "REQUEST", "CONSULT", "COOPERATE", "SUPPORT"):
        if dative is not None:
            recipient = dative
        elif recipient is None and obj is not None and _looks_like_party(obj):
            recipient = obj
        elif recipient is None and obj is not None and cand.type in ("AID", "AGREE"):
            recipient = _prep_object(obj, ("to",))  # "provide a package to Ukraine"
        if recipient is None and cand.type == "REQUEST":
            recipient = _demanded_of(head)
    elif recipient is None or cand.type in ("ASSAULT", "COERCE", "SANCTION", "THREATEN", "ACCUSE", "RETREAT", "REJECT"):
        recipient = obj if obj is not None else recipient
    cand.recipient_token = recipient


def _demanded_of(head: Token) -> Token | None:
    """"demanded that Ukraine declare itself neutral": who is asked is the subject of what is asked."""
    clause = _child(head, ("ccomp",))
    subject = _child(clause, ("nsubj",)) if clause is not None else None
    return subject if subject is not None and _looks_like_party(subject) else None


def _noun_participants(cand: Candidate) -> None:
    head = cand.head
    for child in head.children:
        if cand.actor_token is None and (
            child.dep_ == "poss" or (child.dep_ in ("amod", "compound", "nmod") and _is_country_word(child))
        ):
            cand.actor_token = child
    by = _prep_object(head, ("by", "from"))
    for child in head.children:  # "atrocities committed by Russian troops"
        if by is None and child.dep_ == "acl" and child.tag_ == "VBN":
            by = _agent(child)
    if by is not None and (cand.actor_token is None or cand.actor_token.pos_ == "PRON"):
        cand.actor_token = by
    if cand.type == "CONSULT" and cand.actor_token is None:
        between = _prep_object(head, ("between",)) or _prep_object(head.head, ("between",))
        if between is not None:  # "talks between Russia and Ukraine"
            cand.actor_token = between
            cand.recipient_token = _child(between, ("conj",))
    preps = RECIPIENT_PREPS.get(cand.type, ())
    recipient = _prep_object(head, preps) if preps else None
    if recipient is not None:
        cand.recipient_token = recipient
    # "Russia launched an attack", "Zelenskyy issued a warning to Putin": the verb's subject acts.
    governor = head.head
    if head.dep_ in ("dobj", "nsubjpass") and governor.lemma_.lower() in LIGHT_VERBS:
        if cand.actor_token is None or cand.actor_token.pos_ == "PRON":
            cand.actor_token = _child(governor, ("nsubj",)) or _inherited_subject(governor)
        if cand.recipient_token is None and preps:
            cand.recipient_token = _prep_object(governor, preps)
    elif head.dep_ == "dobj" and governor.lemma_.lower() in RECEIVE_VERBS:
        # "Ukraine gets military aid from other countries": the subject receives.
        cand.recipient_token = _child(governor, ("nsubj",)) or _inherited_subject(governor)
        cand.actor_token = cand.actor_token or _prep_object(governor, ("from",))
    if head.dep_ == "pobj" and head.head.lower_ == "under":
        # "came under fire from Russian forces": the subject of the clause is the target.
        clause = head.head.head
        target = _child(clause, ("nsubj", "nsubjpass"))
        if target is not None and cand.recipient_token is None:
            cand.recipient_token = target


def _child(token: Token, deps: tuple[str, ...]) -> Token | None:
    for child in token.children:
        if child.dep_ in deps:
            return child
    return None


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return _child(child, ("pobj",))
    return None


def _prep_object(token: Token, preps: tuple[str, ...]) -> Token | None:
    for child in token.children:
        if child.dep_ in ("prep", "dative") and child.lower_ in preps:
            pobj = _child(child, ("pobj",))
            if pobj is not None:
                return pobj
    return None


def _inherited_subject(verb: Token) -> Token | None:
    """Subject of a verb that has none of its own: xcomp ("tried to push"), conj ("and surrendered")."""
    current = verb
    for _ in range(4):
        if current.dep_ in ("xcomp", "conj", "ccomp", "advcl", "pcomp", "acomp") and current.head != current:
            parent = current.head
            controller = _child(parent, ("dobj",)) if current.dep_ == "xcomp" else None
            if controller is not None and controller.pos_ in ("PROPN", "NOUN"):
                return controller  # "enabled Ukraine to attack", "ordered troops to withdraw"
            subject = _child(parent, ("nsubj",))
            if subject is None and current.dep_ == "xcomp":
                subject = _child(parent, ("nsubjpass",))  # "drones were used to target the city"
            if subject is not None and current.dep_ == "acomp":
                return subject  # "Russia is ready to negotiate"
            if subject is not None and current.dep_ in ("xcomp", "conj"):
                return subject
            if current.dep_ in ("ccomp", "advcl", "pcomp"):
                return None
            current = parent
        else:
            return None
    return None


def _is_country_word(token: Token) -> bool:
    return token.ent_type_ in ("NORP", "GPE") or token.lower_ in ("russian", "ukrainian", "us", "u.s.")


def _looks_like_party(token: Token) -> bool:
    return token.ent_type_ in ("GPE", "NORP", "ORG", "PERSON") or token.pos_ == "PROPN"


def _is_place_phrase(token: Token, actor: Actor | None, context: _DocContext) -> bool:
    """A recipient that is a place ("incursion into the Kursk region") is where, not whom."""
    if actor is not None and actor.country and token.ent_type_ in ("NORP",):
        return False
    place = context.place_at(token.idx)
    if place is None:
        return token.ent_type_ in ("LOC", "FAC") and not (actor and actor.country)
    return place.location.precision != "country"


def _seat_of_power(cand: Candidate, context: _DocContext) -> Actor | None:
    """A city as the party of a political exchange ("aid to Kyiv", "threatened Moscow") stands
    for its country's government; a place hit, taken or left is where, not whom."""
    if cand.type in PLACE_TARGET_TYPES or cand.recipient is None:
        return None
    place = context.place_at(cand.recipient_token.idx)
    country = cand.recipient.country or (alpha3(place.location.country) if place else None)
    if country is None:
        return None
    recipient = cand.recipient
    return Actor(text=recipient.text, name=recipient.name, country=country, sector="government")


def _is_party(actor: Actor | None) -> bool:
    return actor is not None and (bool(actor.country) or actor.sector in PARTY_SECTORS)


def _armed(actor: Actor | None) -> bool:
    return actor is not None and actor.sector in ARMED_SECTORS


def _two_parties(cand: Candidate) -> bool:
    parties = [a for a in (cand.actor, cand.recipient) if _is_party(a)]
    if len(parties) == 2:
        return True
    # "Peace talks between Russia and Ukraine", "U.S. and Russian diplomats were meeting".
    for tok in (cand.actor_token, cand.recipient_token):
        if tok is not None and any(c.dep_ == "conj" for c in tok.children):
            return True
    between = _prep_object(cand.head, ("between",)) or _prep_object(cand.head.head, ("between",))
    return between is not None


def _object_in(cand: Candidate, words: set[str], money: bool) -> bool:
    # The object, or "with"/"of" phrases: "supplied Ukraine with military aid", "shipments of drones".
    objects = [cand.object_token, _prep_object(cand.head, ("of", "with"))]
    for obj in objects:
        if obj is None:
            continue
        for tok in obj.subtree:
            if tok.lemma_.lower() in words or tok.lower_ in words:
                return True
            if money and (tok.tag_ == "$" or tok.lower_ in ("$", "£", "€")):
                return True
    return False


def _object_is_territory(cand: Candidate, context: _DocContext) -> bool:
    obj = cand.object_token or cand.recipient_token
    if obj is None:
        return False
    if obj.ent_type_ in ("GPE", "LOC", "FAC") or context.place_at(obj.idx) is not None:
        return True
    return any(t.lemma_.lower() in TERRITORY_WORDS for t in obj.subtree)


def _instrument_of(cand: Candidate, table: dict[str, Instrument]) -> Instrument | None:
    head = cand.head
    nearby: list[Token] = [*head.lefts]
    for tok in (cand.actor_token, cand.object_token):
        if tok is not None:
            nearby.append(tok)
            nearby.extend(tok.lefts)
    for prep in head.children:
        if prep.dep_ in ("prep", "agent") and prep.lower_ in ("with", "by", "from"):
            for pobj in prep.children:
                nearby.append(pobj)
                nearby.extend(pobj.lefts)
    for tok in nearby:
        key = tok.lemma_.lower()
        if key in table:
            return table[key]
        if tok.lower_ in table:
            return table[tok.lower_]
    return None


def _has_instrument(cand: Candidate, table: dict[str, Instrument]) -> bool:
    return _instrument_of(cand, table) is not None


def _complement_is_event(head: Token, triggers: TriggerLexicon) -> bool:
    """"accused Kyiv of shelling the plant", "blamed Russia for the attack": a told happening.

    A bare plural ("accused Ukraine of staging atrocities") names no happening: that stays
    an accusation.
    """
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ in ("of", "for"):
            for comp in prep.subtree:
                if comp.pos_ == "NOUN" and not any(c.dep_ in ("det", "poss") for c in comp.children):
                    continue
                for entry, _ in triggers.match(comp):
                    if entry.type == "ASSAULT":
                        return True
    return False


# -- status -------------------------------------------------------------------------------
def _governors(head: Token, limit: int = 4) -> list[Token]:
    """The verbs above an event word: ``denied [striking]``, ``threatened [to strike]``."""
    chain = []
    current = head
    for _ in range(limit):
        # advcl is left out: "warned Russia after it launched an attack" does not warn of the attack.
        if current.dep_ in ("xcomp", "ccomp", "pcomp", "dobj", "acomp", "pobj", "nsubjpass", "nsubj", "conj") and current.head != current:
            current = current.head
            if current.pos_ == "ADP":
                continue
            chain.append(current)
        else:
            break
    return chain


def _complement_governors(head: Token) -> list[Token]:
    """Words whose complement an event word is ("threatened [to strike]", "ready [to meet]")."""
    chain = []
    current = head
    while current.dep_ in ("xcomp", "ccomp", "pcomp", "acomp", "pobj", "dobj") and current.head != current and len(chain) < 4:
        current = current.head
        if current.pos_ != "ADP":
            chain.append(current)
    return chain


def _governed_by(head: Token, lemmas: set[str]) -> bool:
    for gov in _governors(head, 3):
        if gov.lemma_.lower() in lemmas:
            return True
        if gov.dep_ not in ("xcomp", "ccomp", "dobj", "pcomp", "pobj", "conj") and gov.pos_ == "VERB":
            break
    return False


def _negated(token: Token) -> bool:
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
            return True
        if child.lower_ in ("never",):
            return True
    return False


def _status(head: Token) -> str:
    if _negated(head) and head.pos_ == "VERB":
        return "negated"
    for tok in [head, *_governors(head)]:
        lemma = tok.lemma_.lower()
        if tok != head and lemma in DENY_VERBS and not _negated(tok):
            return "denied"
        if tok != head and lemma in THREAT_VERBS:
            return "threatened"
        if tok != head and _negated(tok) and tok.pos_ in ("VERB", "AUX"):
            return "negated"
        auxes = {c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass")}
        marks = {c.lower_ for c in tok.children if c.dep_ == "mark"}
        if auxes & FUTURE_AUX or (tok.lower_ == "going" and any(c.dep_ == "xcomp" for c in tok.children)):
            return "future"
        if auxes & MODALS or "if" in marks:
            return "hypothetical"
        if tok != head and lemma in FUTURE_VERBS - {"agree", "offer"} and head.pos_ == "VERB" and head.dep_ == "xcomp":
            return "future"
        if tok.pos_ == "VERB" and tok != head and tok.dep_ not in ("xcomp", "ccomp", "conj", "dobj", "pcomp"):
            break
    return "asserted"


# -- casualties -------------------------------------------------------------------------------
def _casualties(cand: Candidate, sent: Span, actors: DocActors) -> dict[str, Count]:
    found: dict[str, Count] = {}
    for number in numbers.find_numbers(sent):
        span = number.span
        if number.expr.currency:
            continue
        kind = _casualty_kind(span)
        if kind and kind not in found:
            found[kind] = number.count
    lemma = cand.head.lemma_.lower()
    if not found and cand.recipient_token is not None and lemma in ("kill", "capture", "abduct", "kidnap", "surrender"):
        kind = "killed" if lemma == "kill" else "captured"
        target = cand.recipient_token
        if target.pos_ == "PRON":
            target = actors.antecedent(target) or target  # "before they were captured"
        if target.dep_ == "attr":
            target = _child(target.head, ("nsubj",)) or target  # "A, B and C were fighters captured"
        numbered = [c for c in target.children if c.dep_ == "nummod"]
        count = numbers.parse_count(numbered[0].text) if numbered else None
        people = _counted_people(target)
        if count is not None:
            found[kind] = count
        elif people:
            found[kind] = Count(min=people, max=people, approx=False, text=target.text)
    return found


def _casualty_kind(span: Span) -> str | None:
    """The casualty word a number is tied to: "killing at least one", "53 POWs were killed"."""
    root = span.root
    candidates = [root, root.head, root.head.head]
    # "one person was killed and six injured": the number's noun is the verb's subject.
    for tok in candidates:
        key = tok.lemma_.lower()
        if key in CASUALTY_WORDS and tok.pos_ in ("VERB", "ADJ", "NOUN"):
            return CASUALTY_WORDS[key]
        if tok.lower_ in CASUALTY_WORDS and tok.pos_ in ("VERB", "ADJ", "NOUN"):
            return CASUALTY_WORDS[tok.lower_]
    for child in root.children:
        if child.dep_ in ("acl", "amod", "relcl") and child.lemma_.lower() in CASUALTY_WORDS:
            return CASUALTY_WORDS[child.lemma_.lower()]
    return None


def _counted_people(token: Token) -> int:
    """"the American" -> 1; "Aslin, Pinner and Saadoune" -> 3; plurals without a number -> 0."""
    if token.tag_ in ("NNS", "NNPS") or token.pos_ == "PRON":
        return 0
    if any(c.dep_ == "nummod" for c in token.children):
        return 0
    return 1 + sum(1 for c in token.subtree if c.dep_ == "conj" and c.head.i in {t.i for t in token.subtree})


def _fold_restatements(found: list[Candidate]) -> list[Candidate]:
    """"A missile strike hit a block": a verb whose subject is an event noun of its type is that event."""
    heads = {c.head.i: c for c in found}
    # "received ample military aid": the noun is the verb's object, one AID.
    objects = {c.object_token.i for c in found if c.object_token is not None and c.head.pos_ == "VERB"}
    types_by_object = {c.object_token.i: c.type for c in found if c.object_token is not None}
    kept = []
    for cand in found:
        if cand.head.i in objects and types_by_object.get(cand.head.i) == cand.type:
            continue
        # "poisoned in a chemical attack": the verb and the noun tell one happening.
        if cand.head.pos_ == "VERB" and any(
            c.head.dep_ == "pobj" and c.head.head.head == cand.head and c.type == cand.type and c is not cand for c in found
        ):
            continue
        # "helping to train", "offered to help": the governing word of the same type tells it.
        if any(g.i in heads and heads[g.i] is not cand and heads[g.i].type == cand.type for g in _complement_governors(cand.head)):
            continue
        noun = heads.get(cand.actor_token.i) if cand.actor_token is not None else None
        if noun is not None and noun is not cand and noun.type == cand.type:
            if noun.recipient is None:
                noun.recipient, noun.recipient_token = cand.recipient, cand.recipient_token
            continue
        kept.append(cand)
    return kept


def _fold_casualty_triggers(found: list[Candidate]) -> list[Candidate]:
    """"killed in a missile strike": the killing is the strike's casualties, not an event of its own."""
    attacks = [c for c in found if c.type == "ASSAULT" and c.head.lemma_.lower() not in KILL_TRIGGERS]
    if not attacks:
        return found
    return [c for c in found if not (c.type == "ASSAULT" and c.head.lemma_.lower() in KILL_TRIGGERS)]


# -- the document around a candidate ------------------------------------------------------------
def _names_an_example(preposition: Token) -> bool:
    """"like" or "such as": what follows is an instance of a group, not a setting."""
    if preposition.lower_ == "like":
        return True
    return preposition.lower_ == "as" and preposition.i > 0 and preposition.nbor(-1).lower_ == "such"


class _DocContext:
    def __init__(self, analysis: Analysis, sentences: list[Span], actors: DocActors):
        self.analysis = analysis
        self.doc: Doc = analysis.doc
        self.text = actors.text  # Doc.text joins every token on each access: read it once
        self.sentences = sentences
        self.actors = actors
        self.places: list[PlaceMention] = sorted(analysis.places, key=lambda p: p.start)
        self.dates: list[DateMention] = sorted(analysis.dates, key=lambda d: d.start)
        self.published: date | None = analysis.published
        self.country = _document_country(analysis)

    def _in_sentence(self, items: list, index: int) -> list:
        sent = self.sentences[index]
        return [p for p in items if sent.start_char <= p.start < sent.end_char]

    def places_in_sentence(self, index: int) -> list[PlaceMention]:
        return [p for p in self._in_sentence(self.places, index) if not self._metonym(p)]

    def _metonym(self, place: PlaceMention) -> bool:
        """"deployed by Moscow", "Kyiv said", "Russia's forces": a place standing for its government."""
        span = self.doc.char_span(place.start, place.end, alignment_mode="expand")
        if span is None:
            return False
        root = span.root
        if root.dep_ in ("nsubj", "nsubjpass", "poss"):
            return True
        if root.dep_ == "pobj" and _names_an_example(root.head):
            return True  # "allies like North Korea", "countries such as Iran": a participant
        return root.dep_ == "pobj" and root.head.dep_ == "agent"

    def places_in_clause(self, cand: Candidate) -> list[PlaceMention]:
        start, end = _clause_range(cand.head)
        return [p for p in self.places_in_sentence(cand.sentence) if start <= p.start < end]

    def place_at(self, char: int) -> PlaceMention | None:
        for place in self.places:
            if place.start <= char < place.end:
                return place
            if place.start > char:
                break
        return None

    def location_for(self, cand: Candidate) -> tuple[Location | None, tuple[int, int] | None]:
        """The nearest place in the trigger's clause, then its sentence, then the two before."""
        excluded = _participant_ranges(cand)
        sentence_places = [p for p in self.places_in_sentence(cand.sentence) if not _overlaps(p, excluded)]
        if sentence_places:
            clause = _clause_range(cand.head)
            inside = [p for p in sentence_places if clause[0] <= p.start < clause[1]] or sentence_places
            specific = [p for p in inside if p.location.precision != "country"] or inside
            best = min(specific, key=lambda p: abs(p.start - cand.start))
            return best.location, (best.start, best.end)
        for back in (1, 2):
            index = cand.sentence - back
            if index < 0:
                break
            earlier = [p for p in self.places_in_sentence(index) if p.location.precision != "country"]
            if earlier:
                best = earlier[-1]
                return best.location, (best.start, best.end)
        return None, None

    def date_for(self, cand: Candidate) -> When | None:
        dates = self._in_sentence(self.dates, cand.sentence)
        clause = _clause_range(cand.head)
        inside = [d for d in dates if clause[0] <= d.start < clause[1]]
        if inside:
            return min(inside, key=lambda d: abs(d.start - cand.start)).when
        governing = [d for d in dates if self._dates_governor(d, cand.head)]
        if governing:
            return min(governing, key=lambda d: abs(d.start - cand.start)).when
        if self.published is None or not _ongoing(cand.head):
            # a past, habitual or present-perfect happening with no date of its own
            # ("has sought", "strike", "has been helping"): the text does not say when
            return None
        month = self.published.isoformat()[:7]
        return When(text="", start=month, end=month, precision="month")


    def _dates_governor(self, mention: DateMention, head: Token) -> bool:
        """A date on a verb the event word hangs from, short of reported speech: "Zelenskyy on
        Thursday ... issued a warning", "appeared on Friday to reject", "talks resumed on
        Thursday"; not "said on Friday that troops had shelled" (the saying's date)."""
        span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None:
            return False
        anchor = span.root
        while anchor.dep_ in ("pobj", "prep", "npadvmod", "compound", "amod") and anchor.head != anchor:
            anchor = anchor.head
        anchor = anchor.head if anchor.head != anchor else anchor
        return anchor in _date_chain(head)


def _date_chain(head: Token) -> set[Token]:
    """The event word and the words it hangs from up to a clause of reported speech."""
    chain = {head}
    token = head
    while token.head != token and token.dep_ not in ("ccomp", "parataxis", "relcl", "acl"):
        token = token.head
        chain.add(token)
    return chain


def _document_country(analysis: Analysis) -> str | None:
    """The places stage's document-level country (alpha-2), when that stage provides it."""
    try:
        from .places import document_country
    except ImportError:
        return None
    return document_country(analysis)


def _present(head: Token) -> bool:
    """Told in the present or present perfect ("are now stationed", "has sought")."""
    verb = head
    if head.pos_ in ("NOUN", "PROPN"):
        verb = head.head
    tokens = [verb, *(c for c in verb.children if c.dep_ in ("aux", "auxpass"))]
    tags = {t.tag_ for t in tokens}
    if tags & {"VBD"}:
        return False
    return bool(tags & {"VBZ", "VBP"})


def _ongoing(head: Token) -> bool:
    """Told as going on at publication: "is/are" + participle ("are now stationed",
    "is building up", "are closing in") or a present perfect passive ("has been destroyed");
    not the active present perfect ("has massed") nor the
    simple present of headlines and habits ("drones strike", "Ukraine gets aid")."""
    verb = head
    if head.pos_ in ("NOUN", "PROPN"):
        verb = head.head
    auxiliaries = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ in ("VBD", "MD") for a in auxiliaries):
        return False
    if any(a.lemma_ == "have" for a in auxiliaries):
        # a state just reached ("has been destroyed") is news of the day; "has massed" is not
        return verb.tag_ == "VBN" and any(a.dep_ == "auxpass" and a.lower_ == "been" for a in auxiliaries)
    return verb.tag_ in ("VBG", "VBN") and any(a.lemma_ == "be" and a.tag_ in ("VBZ", "VBP") for a in auxiliaries)


def _participant_ranges(cand: Candidate) -> list[tuple[int, int]]:
    """Places that name a participant, not the setting: the actor always; the recipient too
    unless the event is material ("shelled Kharkiv" happens in Kharkiv, "sought drones from
    Iran" does not happen in Iran)."""
    ranges = []
    participants = [cand.actor_token]
    if cand.type not in MATERIAL_TYPES:
        participants.append(cand.recipient_token)
    for tok in participants:
        if tok is not None:
            ranges.append((tok.left_edge.idx, tok.idx + len(tok.text)))
    return ranges


def _overlaps(place: PlaceMention, ranges: list[tuple[int, int]]) -> bool:
    return any(start <= place.start < end for start, end in ranges)


def _clause_range(head: Token) -> tuple[int, int]:
    """Characters of the clause an event word belongs to: a noun's own phrase, or its light
    verb's clause ("launched an attack on Monday"); a verb's clause up to two governors."""
    if head.pos_ in ("NOUN", "PROPN"):
        top = head.head if head.dep_ in ("dobj", "nsubjpass") and head.head.lemma_.lower() in LIGHT_VERBS else head
        return top.left_edge.idx, top.right_edge.idx + len(top.right_edge.text)
    top = head
    for gov in _governors(head, 2):
        top = gov
    left, right = top.left_edge, top.right_edge
    return left.idx, right.idx + len(right.text)


# -- one event per happening --------------------------------------------------------------------
def _compatible(first: Candidate, second: Candidate) -> bool:
    if first.type != second.type:
        return False
    if _aftermath(first, second) or _aftermath(second, first):
        return True
    if first.sentence == second.sentence and not _retold_in_sentence(first, second):
        return False
    if first.status != second.status and "asserted" not in (first.status, second.status):
        return False
    same_mode = first.mode is not None and first.mode == second.mode
    if not same_mode and first.family != second.family:
        return False
    if first.mode and second.mode and first.mode != second.mode:
        return False
    if not _same_or_unknown(_country(first.actor), _country(second.actor)):
        return False
    if not _same_or_unknown(_country(first.recipient), _country(second.recipient)):
        return False
    no_parties = _country(first.actor) is None and _country(second.actor) is None
    if no_parties and not same_mode and (_country(first.recipient) is None or _country(second.recipient) is None):
        return False
    same_actor = _country(first.actor) is not None and _country(first.actor) == _country(second.actor)
    same_recipient = _country(first.recipient) is not None and _country(first.recipient) == _country(second.recipient)
    if first.type in ("AID", "REQUEST") and same_actor and same_recipient and first.status == second.status:
        return True  # "Iran sent drones to Russia" told again with another verb
    if same_actor and first.mode is None and second.mode is None and first.family == second.family:
        return True  # "Russia's invasion" told again later, wherever the sentence is set
    if not _same_or_unknown(_admin1(first.location), _admin1(second.location)):
        return False
    first_date = first.when.start if first.when and first.when.precision == "day" else None
    second_date = second.when.start if second.when and second.when.precision == "day" else None
    return _same_or_unknown(first_date, second_date)


def _aftermath(event: Candidate, later: Candidate) -> bool:
    """A later "killed"/"wounded" or a denial soon after an attack tells that attack again."""
    if event.type != "ASSAULT" or later.sentence < event.sentence or later.sentence - event.sentence > 4:
        return False
    if later.sentence == event.sentence and later.status != "denied":
        return False
    killing = later.head.lemma_.lower() in KILL_TRIGGERS and event.head.lemma_.lower() not in KILL_TRIGGERS
    if not (killing or later.status == "denied"):
        return False
    if later.status == "denied":
        return True  # "Russia denied striking ...": the denier is not the attacker as first told
    return _same_or_unknown(_country(event.actor), _country(later.actor)) and _same_or_unknown(_admin1(event.location), _admin1(later.location))


def _retold_in_sentence(first: Candidate, second: Candidate) -> bool:
    """Two triggers of one sentence are one happening only when nothing tells them apart."""
    same_kind = (first.mode is not None and first.mode == second.mode) or first.family == second.family
    return same_kind and _country(first.actor) is not None and _country(first.actor) == _country(second.actor)


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor else None


def _admin1(location: Location | None) -> str | None:
    return location.admin1 if location else None


def _same_or_unknown(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _merge(candidates: list[Candidate], context: _DocContext) -> list[Event]:
    groups: list[list[Candidate]] = []
    for cand in candidates:
        if cand.aftermath:
            # The toll belongs to the latest attack told before it; with none, it tells nothing new.
            earlier = [g for g in groups if g[0].type == "ASSAULT" and g[0].sentence <= cand.sentence]
            if earlier:
                earlier[-1].append(cand)
            continue
        retold = _witness_retelling(cand, groups, context)
        if retold is not None:
            retold.append(cand)
            continue
        for group in groups:
            if all(_compatible(member, cand) for member in group):
                group.append(cand)
                break
        else:
            groups.append([cand])
    events = []
    for number, group in enumerate(groups, start=1):
        events.append(_event(f"e{number}", group, context))
    return events


THIRD_PERSON = frozenset({"they", "he", "she", "it"})
QUOTE_MARKS = ("“", '"', "‘", "'")


def _witness_retelling(cand: Candidate, groups: list[list[Candidate]], context: _DocContext) -> list[Candidate] | None:
    """"I believe they ended up hitting two of our own.": a quoted attack whose attacker is only
    a pronoun, told within two sentences of an attack already told, is the witness retelling
    that attack, not a new one."""
    subject = cand.actor_token
    if cand.type != "ASSAULT" or subject is None or subject.pos_ != "PRON" or subject.lower_ not in THIRD_PERSON:
        return None
    if not context.sentences[cand.sentence].text.lstrip().startswith(QUOTE_MARKS):
        return None
    for group in reversed(groups):
        last = max(member.sentence for member in group)
        if group[0].type == "ASSAULT" and cand.sentence - 2 <= last < cand.sentence:
            same_mode = cand.mode is None or any(member.mode in (None, cand.mode) for member in group)
            if same_mode and cand.status == group[0].status:
                return group
    return None


def _event(event_id: str, group: list[Candidate], context: _DocContext) -> Event:
    first = group[0]
    doc_text = context.text
    seen: set[int] = set()
    mentions = []
    for c in group:  # one mention per sentence that tells the event
        if c.sentence in seen:
            continue
        seen.add(c.sentence)
        mentions.append(Mention(
            sentence=c.sentence,
            evidence=context.sentences[c.sentence].text.strip(),
            trigger=TextSpan(text=doc_text[c.start:c.end], start=c.start, end=c.end),
        ))
    actor = _first(c.actor for c in group if c.actor is not None and c.actor.country) or first.actor
    recipient = _first(c.recipient for c in group if c.recipient is not None and c.recipient.country) or first.recipient
    location = _best_location(group)
    when = _first(c.when for c in group if c.when is not None and c.when.precision == "day") or first.when
    mode = first.mode or _first(c.mode for c in group if c.mode)
    acled = next(((c.acled_type, c.acled_subtype) for c in group if c.mode == mode), (first.acled_type, first.acled_subtype))
    casualties: dict[str, Count] = {}
    for cand in group:
        for kind, count in cand.casualties.items():
            casualties.setdefault(kind, count)
    on = _date_of(when, context.published)
    location_country = location.country if location else context.country
    actor, recipient = infer_sides(first.type, actor, recipient, location_country, on)
    hedges = sorted({h for c in group for h in c.hedges})
    primary = _primary_mention(group, mentions)
    return Event(
        id=event_id,
        type=first.type,  # type: ignore[arg-type]
        mode=mode,
        acled_type=acled[0],
        acled_subtype=acled[1],
        trigger=primary.trigger,
        sentence=primary.sentence,
        evidence=primary.evidence,
        mentions=mentions,
        actor=actor,
        recipient=recipient,
        friendly_fire=first.type == "ASSAULT" and friendly_fire(actor, recipient, on),
        location=location,
        date=when,
        casualties=Casualties(**casualties),
        status=_group_status(group),  # type: ignore[arg-type]
        hedges=hedges,
    )


def _primary_mention(group: list[Candidate], mentions: list[Mention]) -> Mention:
    """Where the event is told with the most detail (named participants, place, date,
    casualties), the earliest such telling on ties; the headline only when nothing else
    tells it, since a headline compresses what the body details."""

    evidence = {m.sentence: m.evidence for m in mentions}

    def headline(cand: Candidate) -> bool:  # the title line: first, with no closing stop
        return cand.sentence == 0 and not evidence[0].rstrip("'\"’” ").endswith((".", "!", "?"))

    def detail(cand: Candidate) -> tuple[int, int]:
        told = sum((
            cand.actor_token is not None,
            cand.recipient_token is not None,
            cand.location is not None,
            cand.when is not None,
            bool(cand.casualties),
        ))
        return (not headline(cand), told)

    best = max(group, key=lambda cand: (detail(cand), -cand.sentence))
    return next(m for m in mentions if m.sentence == best.sentence)


def _apply_denials(events: list[Event], sentences: list[Span], actors: DocActors) -> None:
    """"Moscow denied it": a denial soon after an attack, by a party, marks that attack denied."""
    for index, sent in enumerate(sentences):
        for token in sent:
            if token.lemma_.lower() != "deny" or token.pos_ != "VERB" or _negated(token):
                continue
            subject = _child(token, ("nsubj",))
            if subject is None:
                continue
            denier = actors.resolve(subject)
            if denier is None or not denier.country:
                continue
            for event in reversed(events):
                first = event.mentions[0].sentence
                if event.type == "ASSAULT" and index - 3 <= first <= index and event.status == "asserted":
                    event.status = "denied"
                    break


def _group_status(group: list[Candidate]) -> str:
    statuses = [c.status for c in group]
    return "denied" if "denied" in statuses else statuses[0]


def _best_location(group: list[Candidate]) -> Location | None:
    located = [c.location for c in group if c.location is not None]
    if not located:
        return None
    specific = [loc for loc in located if loc.precision != "country"]
    return (specific or located)[0]


def _first(items):
    return next(iter(items), None)


def _date_of(when: When | None, published: date | None) -> date | None:
    if when is not None and when.start and len(when.start) >= 10:
        try:
            return date.fromisoformat(when.start[:10])
        except ValueError:
            pass
    return published
