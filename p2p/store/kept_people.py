"""The people of the kept fold of p2p.yaml, people/ and challenges/ (the loader's
_Base), stored so that a write need not read 5,000 of them back to find two.

They are pickled twice: whole, one pickle that a read, which needs them all, reads
back in ~7 ms; and one by one, a dict of each person's own pickle, which reads back
in ~0.6 ms and gives a person in a few microseconds when asked. Reading the 5,000
one by one would take ~15 ms, so a read takes the whole pickle, and so does a write
that goes through them all after all. Beside the second, who has which e-mail: a
rep acting as their git identity is found without reading everyone back."""

from __future__ import annotations

import pickle
from typing import Any, Iterator, Mapping

from p2p.model import Person


class KeptPeople:
    """Both pickles of a roster; what each gave back is kept for the process."""

    def __init__(self, whole: bytes, each: bytes) -> None:
        self.whole, self.each = whole, each
        self._all: dict[str, Person] | None = None
        self._each: tuple[dict[str, bytes], dict[str, list[str]]] | None = None

    @classmethod
    def of(cls, people: Mapping[str, Person]) -> KeptPeople:
        emails: dict[str, list[str]] = {}
        for person in people.values():
            emails.setdefault(person.email.lower(), []).append(person.id)
        kept = cls(pickle.dumps(dict(people), protocol=pickle.HIGHEST_PROTOCOL),
                   pickle.dumps(({pid: pickle.dumps(person, protocol=pickle.HIGHEST_PROTOCOL)
                                  for pid, person in people.items()}, emails), protocol=pickle.HIGHEST_PROTOCOL))
        kept._all = dict(people)
        return kept

    def __reduce__(self) -> tuple[Any, ...]:
        return KeptPeople, (self.whole, self.each)

    def all(self) -> dict[str, Person]:
        """Every person, by id: a new dict each time (the caller may add to it)."""
        if self._all is None:
            self._all = pickle.loads(self.whole)
        return dict(self._all)

    def by_one(self) -> Mapping[str, Person]:
        """The people as a mapping that reads each back when first asked for."""
        return _OneByOne(self)

    def _pickles(self) -> tuple[dict[str, bytes], dict[str, list[str]]]:
        """(each person's pickle by id, their ids by e-mail, lower-cased)."""
        if self._each is None:
            self._each = pickle.loads(self.each)
        return self._each


class _OneByOne(Mapping[str, Person]):
    def __init__(self, kept: KeptPeople) -> None:
        self._kept = kept
        self._ids, self._emails = kept._pickles()
        self._got: dict[str, Person] = {}

    def with_email(self, email: str) -> list[Person]:
        """The people whose e-mail is `email` (any case)."""
        return [self[pid] for pid in self._emails.get(email.lower(), ())]

    def __getitem__(self, pid: str) -> Person:
        found = self._got.get(pid)
        if found is None:
            found = self._got[pid] = pickle.loads(self._ids[pid])  # KeyError: no such person
        return found

    def __contains__(self, pid: object) -> bool:
        return pid in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def values(self) -> Any:  # all of them: the whole pickle, not 5,000 small ones
        return self._kept.all().values()

    def items(self) -> Any:
        return self._kept.all().items()
