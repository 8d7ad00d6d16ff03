"""Helpers for the enrollment tests: CSV text built from rows."""

from datetime import date, timedelta

HEADER = "email,name,role,track,manager_email,buddy_email,start_date,timezone"


def csv_text(rows: list[str], header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def people_rows(n: int, *, role: str = "finance-analyst", start=date(2026, 11, 30)) -> list[str]:
    zones = ("Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC")
    return [
        f"person{i}@example.com,Person {i},{role},{'exploratory' if i % 3 == 0 else ''},"
        f"manager{i // 25}@example.com,buddy{i // 40}@example.com,"
        f"{start + timedelta(days=i % 20)},{zones[i % 4]}"
        for i in range(n)
    ]


def write_csv(tmp_path, rows: list[str], name: str = "people.csv", header: str = HEADER):
    path = tmp_path / name
    path.write_text(csv_text(rows, header), encoding="utf-8")
    return path
