"""Normalising skills: taxonomy names where we know them, tidy free additions where not."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.skills.taxonomy import LOOKUP, PROPER, SKILLS, match_key

MAX_SKILLS = 12
MAX_LENGTH = 40


@dataclass(frozen=True)
class Skill:
    label: str
    """As shown: the taxonomy name, or the free addition as typed (tidied)."""
    slug: str
    """As compared and filtered: lowercase words joined by hyphens."""
    in_taxonomy: bool

    @property
    def in_sentence(self) -> str:
        """How the skill reads mid-sentence: 'survey design', but 'SQL' and 'Python'."""
        if not self.in_taxonomy or self.label in PROPER:
            return self.label
        return self.label[0].lower() + self.label[1:]


def slug_of(label: str) -> str:
    return re.sub(r"\s+", "-", match_key(label)) or "-"


def normalise(raw: str) -> Skill | None:
    """One skill as typed -> the canonical skill, or a tidied free addition; None if empty."""
    text = " ".join(raw.split()).strip(" .;")
    if not text:
        return None
    canonical = LOOKUP.get(match_key(text))
    if canonical is not None:
        return Skill(label=canonical, slug=slug_of(canonical), in_taxonomy=True)
    label = text[:MAX_LENGTH]
    if label.islower():
        label = label[0].upper() + label[1:]
    return Skill(label=label, slug=slug_of(label), in_taxonomy=False)


def normalise_all(raw: Iterable[str]) -> list[Skill]:
    """Normalise and de-duplicate, keeping the order given."""
    seen: set[str] = set()
    skills: list[Skill] = []
    for item in raw:
        skill = normalise(item)
        if skill is not None and skill.slug not in seen:
            seen.add(skill.slug)
            skills.append(skill)
    return skills


def split_list(text: str) -> list[str]:
    """Skills typed in one box: separated by commas, semicolons or new lines."""
    return [part for part in re.split(r"[,;\n]", text) if part.strip()]


def taxonomy_names() -> list[str]:
    return sorted(SKILLS, key=str.lower)


def label_of(slug: str) -> str:
    """A stored slug as people read it: the taxonomy name where the slug is one
    ('survey-design' -> 'Survey design'), otherwise the words of the slug."""
    canonical = LOOKUP.get(match_key(slug.replace("-", " ")))
    if canonical is not None:
        return canonical
    words = slug.replace("-", " ").strip()
    return words[:1].upper() + words[1:]
