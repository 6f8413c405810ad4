"""The nightly digest: one e-mail per person, with a section from each module.

A module registers ``section(user, day) -> list[str]`` (lines, empty when there is
nothing to say). Sections must read through the scope helper: the digest shows what
the recipient could open, nothing more.
"""

_sections = []


def register(title, section):
    _sections.append((title, section))


def sections_for(user, day):
    result = []
    for title, section in _sections:
        lines = section(user, day)
        if lines:
            result.append((title, lines))
    return result
