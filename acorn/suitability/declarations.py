"""The texts staff sign. A signature keeps the version and the exact words signed; a
new version gets a new version string and leaves earlier signatures as they were."""

TEXTS = {
    "online_safety": (
        "2026-1",
        "Online safety staff declaration (policy 1.6). I will use Acorn only for the "
        "children's learning journals. I will not share my login with anyone. I will not "
        "share information or photographs of children with anyone not employed by the "
        "setting, or on any other platform or social media. I will sign out when I have "
        "finished, keep any device I use safe, report a missing device at once, and use "
        "Acorn away from the setting only if I am a key person, in a private room.",
    ),
    "self_declaration": (
        "2026-1",
        "Annual self-declaration of suitability. I declare that I have no convictions, "
        "cautions, court orders, reprimands or warnings that may affect my suitability to "
        "work with children, and that I am not disqualified from working with children. I "
        "will tell the manager at once if this changes.",
    ),
}


def current_text(kind: str) -> tuple[str, str]:
    return TEXTS[kind]
