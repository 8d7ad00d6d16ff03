"""The FVM sentence, the one place its wording is decided (docs/rolepack-format.md, "The FVM
sentence"): pages, emails, chat messages and every export call :func:`fvm_sentence`.

"A {subject} has reached first value when they have {deliverable} in {target} minutes
instead of {baseline}." The subject is the pack's ``fvm.subject`` when it has one (its first
letter capitalised: "an HR business partner" → "An HR business partner"), else the role's
name with an article:

- a first word in capitals is an acronym and keeps them: "HR business partner" →
  "An HR business partner", "UX researcher" → "A UX researcher";
- a plain capitalised first word is lowered: "Finance analyst" → "A finance analyst"; a word
  with capitals inside ("DevOps engineer", "iOS developer") is kept as written;
- the article follows the sound: an acronym is read letter by letter ("an HR", "an IT",
  "an SEO", "a UX", "a CFO"); a word by its first letter, with the usual exceptions ("a user
  researcher", "a unit lead", "a one-person team", "an hourly planner", "an honest broker").
  An acronym read as a word ("a NATO liaison") or a proper adjective ("a European sales
  lead", which the rule would lower) needs ``fvm.subject``.
"""

import re

# Letters whose name starts with a vowel sound: eff, aitch, ell, em, en, ar, ess, ex …
AN_LETTERS = frozenset("AEFHILMNORSX")
# Words that start with a vowel letter but a consonant sound, and the reverse.
CONSONANT_SOUND = re.compile(r"^(uni|use|usu|uti|ure|euro?|eu|one\b|once\b|ubiq)", re.I)
VOWEL_SOUND = re.compile(r"^(hour|honest|honou?r|heir)", re.I)
_FIRST_WORD = re.compile(r"[^\s/\-–(]+")


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def article_for(phrase: str) -> str:
    """The article before ``phrase`` ("an" or "a"), by the sound of its first letter or acronym."""
    match = _FIRST_WORD.match(phrase.strip())
    word = match.group(0) if match else ""
    if not word:
        return "a"
    if _is_acronym(word) or (len(word) == 1 and word.isupper()):
        return "an" if word[0].upper() in AN_LETTERS else "a"
    if VOWEL_SOUND.match(word):
        return "an"
    if CONSONANT_SOUND.match(word):
        return "a"
    return "an" if word[0].lower() in "aeiou" else "a"


def role_phrase(role: str) -> str:
    """The role's name as it reads inside a sentence: "Finance analyst" → "finance analyst",
    "HR business partner" and "DevOps engineer" unchanged."""
    role = role.strip()
    match = _FIRST_WORD.match(role)
    word = match.group(0) if match else ""
    if len(word) > 1 and word[0].isupper() and word[1:] == word[1:].lower():
        return role[:1].lower() + role[1:]
    return role


def fvm_subject(*, role: str, subject: str = "") -> str:
    """Who reaches first value, with its article, capitalised: "An HR business partner"."""
    subject = (subject or "").strip()
    if not subject:
        phrase = role_phrase(role)
        subject = f"{article_for(phrase)} {phrase}"
    return subject[:1].upper() + subject[1:]


def fvm_sentence(*, role: str, deliverable: str, target, baseline, subject: str = "") -> str:
    """The pack's FVM sentence (the rule in this module's docstring)."""
    return (
        f"{fvm_subject(role=role, subject=subject)} has reached first value when they have "
        f"{deliverable} in {target} minutes instead of {baseline}."
    )
