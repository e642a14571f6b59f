"""The EYFS as data, version "2024": the statutory framework for group and school-based
providers that took effect in September 2024, with Development Matters (2023 revision)
and Birth to 5 Matters (2021).

This module is FROZEN once released: the data migration loads it, and assessments point
at the framework version they were made in. A new framework is a new module and a new
migration, never an edit here (old judgements must keep meaning what they meant).

The 17 Early Learning Goals are exactly the aspects below. Area and ELG names are the
official titles; the other descriptions are our own words.
"""

VERSION = "2024"
NAME = "EYFS statutory framework (September 2024)"

# code, name, prime, [(aspect code, aspect name)]
AREAS = [
    (
        "CL",
        "Communication and language",
        True,
        [("CL-LAU", "Listening, Attention and Understanding"), ("CL-S", "Speaking")],
    ),
    (
        "PSED",
        "Personal, social and emotional development",
        True,
        [
            ("PSED-SR", "Self-Regulation"),
            ("PSED-MS", "Managing Self"),
            ("PSED-BR", "Building Relationships"),
        ],
    ),
    (
        "PD",
        "Physical development",
        True,
        [("PD-GM", "Gross Motor Skills"), ("PD-FM", "Fine Motor Skills")],
    ),
    (
        "L",
        "Literacy",
        False,
        [("L-C", "Comprehension"), ("L-WR", "Word Reading"), ("L-W", "Writing")],
    ),
    ("M", "Mathematics", False, [("M-N", "Number"), ("M-NP", "Numerical Patterns")]),
    (
        "UW",
        "Understanding the world",
        False,
        [
            ("UW-PP", "Past and Present"),
            ("UW-PCC", "People, Culture and Communities"),
            ("UW-NW", "The Natural World"),
        ],
    ),
    (
        "EAD",
        "Expressive arts and design",
        False,
        [("EAD-CM", "Creating with Materials"), ("EAD-BIE", "Being Imaginative and Expressive")],
    ),
]

# code, name, what it looks like (our words)
CHARACTERISTICS = [
    (
        "playing_and_exploring",
        "Playing and exploring",
        "Finding out and exploring, having a go, playing with what they know.",
    ),
    (
        "active_learning",
        "Active learning",
        "Keeping on trying, concentrating, and enjoying achieving what they set out to do.",
    ),
    (
        "creating_and_thinking_critically",
        "Creating and thinking critically",
        "Having their own ideas, making links and choosing ways to do things.",
    ),
]

# guidance, code, name, from months, to months (None: open-ended or by school year)
AGE_BANDS = [
    ("development_matters", "birth_to_three", "Birth to three", 0, 36),
    ("development_matters", "three_and_four", "Three and four-year-olds", 36, 60),
    ("development_matters", "reception", "Children in reception", 48, None),
    # Birth to 5 Matters' ranges overlap on purpose: development isn't tied to age.
    # UNVERIFIED: the guidance gives each range a typical age span only in a chart; the
    # months below have not been checked against the published document (birthto5matters
    # .org.uk, 2021). Check them before relying on them; if they are wrong, the fix is a
    # new framework module and migration (this one is frozen), not an edit here.
    ("birth_to_5_matters", "range_1", "Range 1", 0, 12),
    ("birth_to_5_matters", "range_2", "Range 2", 6, 18),
    ("birth_to_5_matters", "range_3", "Range 3", 12, 24),
    ("birth_to_5_matters", "range_4", "Range 4", 18, 36),
    ("birth_to_5_matters", "range_5", "Range 5", 30, 48),
    ("birth_to_5_matters", "range_6", "Range 6", 36, 60),
]
