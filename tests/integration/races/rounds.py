"""Judging rounds of a race: each round lists what broke, with what it saw (the answers and the
rows), so that a failure in CI can be read; the verdict prints the tally and fails on any bad round."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tests.integration.races.senders import Answer

SHOWN = 4  # failed rounds printed in full in a verdict


def unanswered(answers: list[Answer]) -> list[str]:
    """A 5xx, or no answer at all: never acceptable, whatever the request."""
    return [f"{a.label}: {a.status} (server error or no answer)" for a in answers if a.status == 0 or a.status >= 500]


def refused(answer: Answer, *codes: str) -> list[str]:
    """``answer`` must be a 4xx (with one of ``codes``, when given)."""
    if not 400 <= answer.status < 500:
        return [f"{answer.label}: expected a refusal (4xx), got {answer.status}"]
    if codes and answer.code not in codes:
        return [f"{answer.label}: expected code {' or '.join(codes)}, got {answer.code}"]
    return []


@dataclass
class Rounds:
    name: str
    outcomes: Counter[str] = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)
    played: int = 0

    def judge(self, number: int, answers: list[Answer], problems: list[str], **seen: object) -> None:
        self.played += 1
        problems = unanswered(answers) + problems
        if problems:
            self.failed.append(f"round {number}: " + "; ".join(problems)
                               + "".join(f"\n    {answer}" for answer in answers)
                               + "".join(f"\n    {name}: {value}" for name, value in seen.items()))

    def verdict(self) -> None:
        print(f"\n[races] {self.name}: {self.played} rounds, {len(self.failed)} broken; {dict(self.outcomes)}")
        assert not self.failed, (f"{self.name}: {len(self.failed)} of {self.played} rounds broke an invariant\n"
                                 + "\n".join(self.failed[:SHOWN]))
