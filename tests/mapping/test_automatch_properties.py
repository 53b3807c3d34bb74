"""Property-based: noise in QuickBooks spellings keeps a match; a different code never becomes high confidence."""
from hypothesis import given, settings
from hypothesis import strategies as st

from qbo.mapping.automatch import HIGH, MEDIUM, Candidate, Subject, auto_match

IDENTITY = ["Summit", "Redwood", "Keystone", "Harborview", "Granite", "Bennett", "Cornerstone", "Ridgeline",
            "Sterling", "Whitfield", "Olympic", "Meridian", "Thompson", "Martinez", "Anderson", "Cascade"]
DECOY_IDENTITY = ["Pinnacle", "Lakeshore", "Ironwood", "Bluewater", "Crestview", "Fairbanks", "Highpoint"]
TRADES = ["Concrete", "Electric", "Plumbing & Heating", "Drywall", "Roofing", "Steel Erectors", "Glass & Glazing",
          "Painting", "Masonry", "Framing Contractors", "Mechanical Services", "Excavation"]
SUFFIXES = ["", " Inc.", " LLC", ", Inc.", " Co.", " Corporation"]


@st.composite
def company_names(draw, identities=IDENTITY):
    words = draw(st.lists(st.sampled_from(identities), min_size=1, max_size=2, unique=True))
    return f"{' '.join(words)} {draw(st.sampled_from(TRADES))}{draw(st.sampled_from(SUFFIXES))}"


def strip_suffix(name: str) -> str:
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if suffix and name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def swap_letters(name: str, at: int) -> str:
    words = name.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not long_words:
        return name
    i = long_words[at % len(long_words)]
    word = words[i]
    pos = 1 + at % (len(word) - 3)
    words[i] = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:]
    return " ".join(words)


NOISE = {
    "case": lambda name, at: [name.upper(), name.lower(), name.title()][at % 3],
    "legal suffix": lambda name, at: strip_suffix(name) + ["", " LLC", ", Inc", " Corp."][at % 4],
    "ampersand": lambda name, at: name.replace(" & ", " and ") if "&" in name else name.replace(" and ", " & "),
    "punctuation": lambda name, at: name.replace(",", "").replace(".", "") + ["", ".", ","][at % 3],
    "spacing": lambda name, at: name.replace(" ", "  ", 1 + at % 2),
    "transposed letter": swap_letters,
    "leading The": lambda name, at: f"The {name}",
}


@settings(max_examples=150, deadline=None, database=None)
@given(company_names(), st.lists(company_names(DECOY_IDENTITY), min_size=1, max_size=4),
       st.lists(st.sampled_from(sorted(NOISE)), min_size=1, max_size=3, unique=True), st.integers(0, 1000))
def test_noise_keeps_the_match(name, decoys, kinds, at):
    spelt = name
    for kind in kinds:
        spelt = NOISE[kind](spelt, at)
    candidates = [Candidate(f"decoy-{i}", decoy) for i, decoy in enumerate(decoys)] + [Candidate("right", spelt)]
    match = auto_match([Subject(1, name)], candidates, one_to_one=True, companies=True)[0]
    assert match.qbo_id == "right", (name, spelt, match)
    assert match.confidence >= MEDIUM, (name, spelt, match)
    if len(kinds) == 1:  # any one kind of noise alone leaves a match the admin may accept blindly
        assert match.confidence >= HIGH, (name, spelt, match)


DESCRIPTIONS = ["General Requirements", "Openings", "Exterior Improvements", "Cast-in-Place Concrete",
                "Gypsum Board Assemblies", "Earth Moving", "Common Work Results", "Door Hardware"]
CODE_FORMS = ["{d}-{r} {name}", "{d}{r} {name}", "{d} {r} {name}", "{d}.{r} {name}", "{name} ({d}-{r})",
              "{d}-{r} - {name}", "Division {d}:{d}-{r} {name}"]


@settings(max_examples=150, deadline=None, database=None)
@given(st.sampled_from(DESCRIPTIONS), st.integers(1, 49), st.integers(100, 9999), st.integers(1, 49),
       st.integers(100, 9999), st.sampled_from(CODE_FORMS + ["sku"]), st.sampled_from(sorted(NOISE)),
       st.integers(0, 1000))
def test_a_different_code_never_becomes_high_confidence(description, division, rest, other_division, other_rest,
                                                         form, noise, at):
    code, other = f"{division:02d}-{rest:04d}", f"{other_division:02d}-{other_rest:04d}"
    if code.replace("-", "") == other.replace("-", ""):
        other = f"{other_division:02d}-{(other_rest + 1) % 10000:04d}"
    spelt = NOISE[noise](description, at)
    d, r = other.split("-")
    candidate = (Candidate("9", spelt, code=other) if form == "sku"
                 else Candidate("9", form.format(d=d, r=r, name=spelt)))
    match = auto_match([Subject(1, description, code)], [candidate], one_to_one=False)[0]
    assert match.confidence < HIGH, (code, candidate, match)
    project = auto_match([Subject(1, description, f"{division:02d}-{rest % 1000:03d}", code_label="number")],
                         [Candidate("9", f"{d}-{int(r) % 1000:03d} - {spelt}")], one_to_one=True)[0]
    assert project.confidence < HIGH or project.why.startswith("same number"), project
