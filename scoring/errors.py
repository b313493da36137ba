"""Exceptions raised by the scoring engine."""


class ScoringError(ValueError):
    """Input data cannot be scored as asked; the message says what to change."""


class SpecError(ScoringError):
    """The spec is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid scoring spec:\n" + "\n".join(f"  - {p}" for p in self.problems))
