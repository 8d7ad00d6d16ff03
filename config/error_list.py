"""The one bound on an import's error report: the first MAX_ERRORS_LISTED errors, then how
many more (docs/security.md, "Input limits"). The enrollment, usage, cost and KPI imports
all report through it, so a file of a million bad lines never makes a million messages."""

MAX_ERRORS_LISTED = 100


class ErrorList:
    """Collects errors as a file is read: keeps the first MAX_ERRORS_LISTED, counts all."""

    def __init__(self):
        self.listed: list = []
        self.total = 0

    def append(self, error) -> None:
        self.total += 1
        if len(self.listed) < MAX_ERRORS_LISTED:
            self.listed.append(error)

    def __bool__(self) -> bool:
        return self.total > 0


class ListedErrors(Exception):
    """An import rejected: ``errors`` are the first MAX_ERRORS_LISTED problems, ``total``
    counts them all."""

    def __init__(self, errors: "list | ErrorList", total: int | None = None):
        if isinstance(errors, ErrorList):
            errors, total = errors.listed, errors.total
        self.errors = list(errors[:MAX_ERRORS_LISTED])
        self.total = max(total or 0, len(errors))
        super().__init__("\n".join(self.lines()))

    @property
    def more(self) -> int:
        return self.total - len(self.errors)

    def lines(self, prefix: str = "") -> list[str]:
        """Every listed error (each after ``prefix``), then "… and N more error(s)" when
        some were left out."""
        lines = [f"{prefix}{e}" for e in self.errors]
        if self.more:
            lines.append(f"… and {self.more} more error(s)")
        return lines
